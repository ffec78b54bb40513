//! Carts, delivery methods, orders (lines, stock allocations, payments, fulfilments and their
//! tracking events), the outbox of events, and the payment methods each channel offers.

use sea_orm_migration::prelude::*;

use crate::m0001_catalog_and_identity::{
    bigint, bigint_null, boolean, id, index, int, table, text, text_null, time, time_null, uuid,
    uuid_null, with_key,
};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0006_orders"
    }
}

fn tables() -> Vec<TableCreateStatement> {
    vec![
        table(
            "carts",
            vec![
                id("id"),
                uuid("channel_id"),
                text("currency"),
                uuid_null("customer_id"),
                uuid_null("company_location_id"),
                text_null("email"),
                text_null("country_code"),
                text("note"),
                // JSON: read and written whole with the cart.
                text("discount_codes"),
                text("attributes"),
                text_null("shipping_address"),
                text_null("billing_address"),
                text_null("delivery_handle"),
                // Optimistic concurrency: two tabs editing one cart never lose a change.
                int("version"),
                uuid_null("order_id"),
                time("created_at"),
                time("updated_at"),
            ],
        ),
        table(
            "cart_lines",
            vec![
                id("id"),
                uuid("cart_id"),
                uuid("variant_id"),
                int("quantity"),
                text("attributes"),
                int("position"),
            ],
        ),
        table(
            "delivery_methods",
            vec![
                id("id"),
                text("handle"),
                text("title"),
                text("channel_ids"),
                text("countries"),
                // flat | weight | pickup
                text("kind"),
                text("currency"),
                bigint_null("flat_minor"),
                // JSON [[up_to_grams, minor], ...]
                text_null("weight_bands"),
                uuid_null("pickup_location_id"),
                bigint_null("free_above_minor"),
                time("created_at"),
            ],
        ),
        table(
            "orders",
            vec![
                id("id"),
                bigint("number"),
                uuid("channel_id"),
                uuid("cart_id"),
                text_null("checkout_key"),
                uuid_null("customer_id"),
                uuid_null("company_id"),
                uuid_null("company_location_id"),
                text("email"),
                text("status"),
                text("currency"),
                bigint("subtotal_minor"),
                bigint("discount_minor"),
                bigint("shipping_minor"),
                bigint("tax_minor"),
                bigint("total_minor"),
                boolean("prices_include_tax"),
                text_null("shipping_address"),
                text_null("billing_address"),
                text_null("delivery_handle"),
                text_null("delivery_title"),
                uuid_null("pickup_location_id"),
                text("payment_method"),
                text_null("payment_terms"),
                text("note"),
                text("discount_codes"),
                time("created_at"),
                time("updated_at"),
                time_null("cancelled_at"),
                text_null("cancel_reason"),
            ],
        ),
        table(
            "order_lines",
            vec![
                id("id"),
                uuid("order_id"),
                int("position"),
                uuid("variant_id"),
                uuid("product_id"),
                text("sku"),
                text("product_title"),
                text("variant_title"),
                int("quantity"),
                bigint("unit_price_minor"),
                bigint("subtotal_minor"),
                bigint("discount_minor"),
                bigint("tax_minor"),
                bigint("total_minor"),
                int("fulfilled_quantity"),
            ],
        ),
        table(
            "order_allocations",
            vec![
                id("id"),
                uuid("order_id"),
                uuid("variant_id"),
                uuid("location_id"),
                int("quantity"),
                int("fulfilled"),
                int("released"),
            ],
        ),
        table(
            "payments",
            vec![
                id("id"),
                uuid("order_id"),
                text("provider"),
                text("status"),
                text("currency"),
                bigint("amount_minor"),
                bigint("captured_minor"),
                bigint("refunded_minor"),
                text_null("external_id"),
                text_null("client_secret"),
                text_null("error"),
                time("created_at"),
                time("updated_at"),
            ],
        ),
        table(
            "fulfillments",
            vec![
                id("id"),
                uuid("order_id"),
                text("status"),
                text_null("carrier"),
                text_null("tracking_number"),
                text_null("tracking_url"),
                time("created_at"),
                time("updated_at"),
            ],
        ),
        with_key(
            table(
                "fulfillment_lines",
                vec![uuid("fulfillment_id"), uuid("order_line_id"), int("quantity")],
            ),
            &["fulfillment_id", "order_line_id"],
        ),
        table(
            "fulfillment_events",
            vec![
                id("id"),
                uuid("fulfillment_id"),
                text("status"),
                text_null("message"),
                time("happened_at"),
                time("created_at"),
            ],
        ),
    ]
}

fn outbox() -> TableCreateStatement {
    table(
        "outbox",
        vec![
            ColumnDef::new(Alias::new("seq"))
                .big_integer()
                .not_null()
                .auto_increment()
                .primary_key()
                .to_owned(),
            text("topic"),
            uuid("subject_id"),
            text("payload"),
            time("created_at"),
        ],
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in tables() {
            manager.create_table(t).await?;
        }
        manager.create_table(outbox()).await?;
        for (table_name, name, columns, unique) in [
            ("carts", "carts_customer_idx", &["customer_id", "channel_id"][..], false),
            ("cart_lines", "cart_lines_cart_idx", &["cart_id", "position"][..], false),
            ("delivery_methods", "delivery_methods_handle_idx", &["handle"][..], true),
            ("orders", "orders_number_idx", &["number"][..], true),
            ("orders", "orders_cart_idx", &["cart_id"][..], true),
            ("orders", "orders_customer_idx", &["customer_id", "created_at"][..], false),
            ("orders", "orders_company_idx", &["company_id", "created_at"][..], false),
            ("orders", "orders_created_idx", &["created_at"][..], false),
            ("order_lines", "order_lines_order_idx", &["order_id", "position"][..], false),
            ("order_allocations", "order_allocations_order_idx", &["order_id"][..], false),
            ("payments", "payments_order_idx", &["order_id"][..], false),
            ("payments", "payments_external_idx", &["external_id"][..], false),
            ("fulfillments", "fulfillments_order_idx", &["order_id"][..], false),
            (
                "fulfillment_events",
                "fulfillment_events_fulfillment_idx",
                &["fulfillment_id", "happened_at"][..],
                false,
            ),
            ("outbox", "outbox_subject_idx", &["subject_id", "seq"][..], false),
        ] {
            manager.create_index(index(table_name, name, columns, unique)).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("channels"))
                    .add_column(
                        ColumnDef::new(Alias::new("payment_methods"))
                            .text()
                            .not_null()
                            .default("card,manual,invoice"),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("channels"))
                    .drop_column(Alias::new("payment_methods"))
                    .to_owned(),
            )
            .await?;
        manager.drop_table(Table::drop().table(Alias::new("outbox")).to_owned()).await?;
        for t in tables().iter().rev() {
            if let Some(name) = t.get_table_name().cloned() {
                manager.drop_table(Table::drop().table(name).to_owned()).await?;
            }
        }
        Ok(())
    }
}
