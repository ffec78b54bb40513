//! B2B and pricing: buyer companies (locations, members, invitations), customer groups,
//! price lists (scopes, per-variant prices, quantity rules, volume tiers), discounts and
//! their usage, tax rates, and the channel's tax settings.

use sea_orm_migration::prelude::*;

use crate::m0001_catalog_and_identity::{
    bigint, bigint_null, boolean, id, index, int, int_null, table, text, text_null, time,
    time_null, uuid, uuid_null, with_key,
};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0005_b2b_pricing"
    }
}

fn tables() -> Vec<TableCreateStatement> {
    vec![
        table(
            "companies",
            vec![
                id("id"),
                text("name"),
                text_null("tax_id"),
                text("status"),
                text_null("rejection_reason"),
                text("payment_terms"),
                bigint_null("credit_limit_minor"),
                text_null("credit_limit_currency"),
                text("created_by"),
                time("created_at"),
                time("updated_at"),
                time_null("reviewed_at"),
            ],
        ),
        table(
            "company_locations",
            vec![
                id("id"),
                uuid("company_id"),
                text("name"),
                text_null("tax_id"),
                // Addresses are JSON objects (see `domain::company::Address`): they are read
                // and written whole, never queried by part.
                text("shipping_address"),
                text_null("billing_address"),
                time("created_at"),
            ],
        ),
        with_key(
            table(
                "company_members",
                vec![
                    uuid("customer_id"),
                    uuid("company_id"),
                    text("role"),
                    uuid_null("default_location_id"),
                    time("created_at"),
                ],
            ),
            // A customer buys for at most one company.
            &["customer_id"],
        ),
        with_key(
            table(
                "company_invitations",
                vec![
                    uuid("company_id"),
                    text("email"),
                    text("role"),
                    uuid_null("default_location_id"),
                    // SHA-256 of the one-time token the invitee accepts with.
                    text("token_hash"),
                    time("created_at"),
                ],
            ),
            &["company_id", "email"],
        ),
        table("customer_groups", vec![id("id"), text("name"), time("created_at")]),
        with_key(
            table(
                "customer_group_members",
                vec![uuid("group_id"), uuid("customer_id"), time("created_at")],
            ),
            &["group_id", "customer_id"],
        ),
        table(
            "price_lists",
            vec![
                id("id"),
                text("name"),
                text("currency"),
                time_null("starts_at"),
                time_null("ends_at"),
                bigint_null("adjustment_ppm"),
                time("created_at"),
                time("updated_at"),
            ],
        ),
        with_key(
            table(
                "price_list_scopes",
                vec![uuid("price_list_id"), text("kind"), uuid("target_id")],
            ),
            &["price_list_id", "kind", "target_id"],
        ),
        with_key(
            table(
                "price_list_prices",
                vec![
                    uuid("price_list_id"),
                    uuid("variant_id"),
                    bigint_null("price_minor"),
                    bigint_null("compare_at_minor"),
                    int("minimum"),
                    int("increment"),
                    int_null("maximum"),
                    // JSON `[[minimum_quantity, price_minor], ...]`, ascending.
                    text("breaks"),
                    time("updated_at"),
                ],
            ),
            &["price_list_id", "variant_id"],
        ),
        table(
            "discounts",
            vec![
                id("id"),
                text("title"),
                text_null("code"),
                // Lower-cased code, unique: codes match case-insensitively.
                text_null("code_key"),
                text("value_kind"),
                bigint("value_amount"),
                text_null("value_currency"),
                // JSON of `domain::pricing::DiscountTarget`.
                text("target"),
                bigint_null("minimum_subtotal_minor"),
                text_null("minimum_subtotal_currency"),
                time_null("starts_at"),
                time_null("ends_at"),
                int_null("usage_limit"),
                int_null("usage_limit_per_customer"),
                boolean("combinable"),
                text("channel_ids"),
                boolean("active"),
                time("created_at"),
                time("updated_at"),
            ],
        ),
        table(
            "discount_usages",
            vec![
                id("id"),
                uuid("discount_id"),
                uuid_null("customer_id"),
                text("reference"),
                time("used_at"),
            ],
        ),
        table(
            "tax_rates",
            vec![
                id("id"),
                text("country_code"),
                // Empty for the whole country.
                text("region"),
                text("name"),
                bigint("rate_ppm"),
                time("created_at"),
            ],
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in tables() {
            manager.create_table(t).await?;
        }
        for (table_name, name, columns, unique) in [
            ("companies", "companies_status_idx", &["status", "id"][..], false),
            (
                "company_locations",
                "company_locations_company_idx",
                &["company_id", "id"][..],
                false,
            ),
            (
                "company_members",
                "company_members_company_idx",
                &["company_id", "customer_id"][..],
                false,
            ),
            ("company_invitations", "company_invitations_token_idx", &["token_hash"][..], true),
            (
                "customer_group_members",
                "customer_group_members_customer_idx",
                &["customer_id", "group_id"][..],
                false,
            ),
            (
                "price_list_scopes",
                "price_list_scopes_target_idx",
                &["target_id", "kind"][..],
                false,
            ),
            (
                "price_list_prices",
                "price_list_prices_variant_idx",
                &["variant_id", "price_list_id"][..],
                false,
            ),
            ("discounts", "discounts_code_key_idx", &["code_key"][..], true),
            (
                "discount_usages",
                "discount_usages_discount_idx",
                &["discount_id", "customer_id"][..],
                false,
            ),
            ("tax_rates", "tax_rates_country_region_idx", &["country_code", "region"][..], true),
        ] {
            manager.create_index(index(table_name, name, columns, unique)).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("channels"))
                    .add_column(
                        ColumnDef::new(Alias::new("prices_include_tax"))
                            .boolean()
                            .not_null()
                            .default(true),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("channels"))
                    .add_column(ColumnDef::new(Alias::new("tax_country")).text().null())
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["prices_include_tax", "tax_country"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new("channels"))
                        .drop_column(Alias::new(column))
                        .to_owned(),
                )
                .await?;
        }
        for t in tables().iter().rev() {
            let name = t.get_table_name().cloned();
            if let Some(name) = name {
                manager.drop_table(Table::drop().table(name).to_owned()).await?;
            }
        }
        Ok(())
    }
}
