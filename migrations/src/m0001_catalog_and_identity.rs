//! The catalog (channels, brands, collections, products, variants, prices, images,
//! translations) and identity (staff, customers, sessions, API tokens).

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0001_catalog_and_identity"
    }
}

pub(crate) fn id(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).uuid().not_null().primary_key().to_owned()
}
pub(crate) fn uuid(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).uuid().not_null().to_owned()
}
pub(crate) fn uuid_null(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).uuid().null().to_owned()
}
pub(crate) fn text(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).text().not_null().to_owned()
}
pub(crate) fn text_null(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).text().null().to_owned()
}
pub(crate) fn int(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).integer().not_null().to_owned()
}
pub(crate) fn int_null(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).integer().null().to_owned()
}
pub(crate) fn bigint(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).big_integer().not_null().to_owned()
}
pub(crate) fn bigint_null(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).big_integer().null().to_owned()
}
pub(crate) fn boolean(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).boolean().not_null().to_owned()
}
pub(crate) fn time(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).timestamp_with_time_zone().not_null().to_owned()
}
pub(crate) fn time_null(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).timestamp_with_time_zone().null().to_owned()
}

pub(crate) fn table(name: &str, columns: Vec<ColumnDef>) -> TableCreateStatement {
    let mut t = Table::create();
    t.table(Alias::new(name));
    for mut c in columns {
        t.col(&mut c);
    }
    t.to_owned()
}

pub(crate) fn with_key(mut t: TableCreateStatement, key: &[&str]) -> TableCreateStatement {
    let mut pk = Index::create();
    for c in key {
        pk.col(Alias::new(*c));
    }
    t.primary_key(&mut pk);
    t
}

pub(crate) fn index(
    table: &str,
    name: &str,
    columns: &[&str],
    unique: bool,
) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(Alias::new(table));
    for c in columns {
        i.col(Alias::new(*c));
    }
    if unique {
        i.unique();
    }
    i.to_owned()
}

fn tables() -> Vec<TableCreateStatement> {
    vec![
        table(
            "channels",
            vec![
                id("id"),
                text("handle"),
                text("name"),
                text("storefront_key"),
                text("default_language"),
                text("languages"),
                text("default_currency"),
                text("currencies"),
                boolean("is_default"),
                time("created_at"),
            ],
        ),
        table(
            "brands",
            vec![id("id"), text("handle"), text("name"), text("description"), time("created_at")],
        ),
        with_key(
            table("channel_brands", vec![uuid("channel_id"), uuid("brand_id")]),
            &["channel_id", "brand_id"],
        ),
        table(
            "collections",
            vec![
                id("id"),
                text("handle"),
                text("title"),
                text("description"),
                uuid_null("parent_id"),
                int("position"),
                text_null("image_url"),
                text_null("seo_title"),
                text_null("seo_description"),
                time("created_at"),
                time("updated_at"),
            ],
        ),
        table(
            "products",
            vec![
                id("id"),
                text("handle"),
                text("title"),
                text("description"),
                uuid_null("brand_id"),
                text("status"),
                text("product_type"),
                text("tags"),
                text("specs"),
                text_null("size_chart"),
                text_null("seo_title"),
                text_null("seo_description"),
                boolean("available_for_sale"),
                time("created_at"),
                time("updated_at"),
                time_null("published_at"),
            ],
        ),
        with_key(
            table(
                "product_collections",
                vec![uuid("collection_id"), uuid("product_id"), int("position")],
            ),
            &["collection_id", "product_id"],
        ),
        table(
            "product_options",
            vec![
                id("id"),
                uuid("product_id"),
                text("name"),
                int("position"),
                text("option_values"),
            ],
        ),
        table(
            "product_variants",
            vec![
                id("id"),
                uuid("product_id"),
                text("sku"),
                text("title"),
                text_null("barcode"),
                int_null("weight_grams"),
                text("selected_options"),
                int("position"),
                uuid_null("image_id"),
                boolean("inventory_tracked"),
                int("inventory_quantity"),
                time("created_at"),
                time("updated_at"),
            ],
        ),
        with_key(
            table(
                "variant_option_values",
                vec![uuid("variant_id"), uuid("product_id"), text("name"), text("option_value")],
            ),
            &["variant_id", "name"],
        ),
        with_key(
            table(
                "variant_prices",
                vec![
                    uuid("variant_id"),
                    text("currency"),
                    bigint("amount"),
                    bigint_null("compare_at_amount"),
                ],
            ),
            &["variant_id", "currency"],
        ),
        with_key(
            table(
                "product_prices",
                vec![
                    uuid("product_id"),
                    text("currency"),
                    bigint("min_amount"),
                    bigint("max_amount"),
                ],
            ),
            &["product_id", "currency"],
        ),
        table(
            "product_images",
            vec![
                id("id"),
                uuid("product_id"),
                text("url"),
                text_null("alt_text"),
                int_null("width"),
                int_null("height"),
                int("position"),
            ],
        ),
        with_key(
            table(
                "translations",
                vec![uuid("resource_id"), text("language"), text("field"), text("content")],
            ),
            &["resource_id", "language", "field"],
        ),
        table(
            "staff_users",
            vec![id("id"), text("email"), text("password_hash"), text("role"), time("created_at")],
        ),
        table(
            "customers",
            vec![
                id("id"),
                text("email"),
                text("password_hash"),
                text_null("first_name"),
                text_null("last_name"),
                time("created_at"),
            ],
        ),
        table(
            "sessions",
            vec![
                id("id"),
                text("subject_kind"),
                uuid("subject_id"),
                text("refresh_hash"),
                text_null("previous_refresh_hash"),
                time("expires_at"),
                time("created_at"),
                time_null("revoked_at"),
            ],
        ),
        table(
            "api_tokens",
            vec![
                id("id"),
                text("name"),
                text("token_hash"),
                text("scopes"),
                uuid_null("created_by"),
                time("created_at"),
                time_null("revoked_at"),
            ],
        ),
    ]
}

fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        index("channels", "channels_handle_key", &["handle"], true),
        index("channels", "channels_storefront_key_key", &["storefront_key"], true),
        index("channel_brands", "channel_brands_brand_idx", &["brand_id"], false),
        index("brands", "brands_handle_key", &["handle"], true),
        index("collections", "collections_handle_key", &["handle"], true),
        index("collections", "collections_parent_idx", &["parent_id", "position"], false),
        index("products", "products_handle_key", &["handle"], true),
        index("products", "products_status_title_idx", &["status", "title", "id"], false),
        index("products", "products_status_created_idx", &["status", "created_at", "id"], false),
        index("products", "products_brand_idx", &["brand_id", "status"], false),
        index("product_collections", "product_collections_product_idx", &["product_id"], false),
        index("product_options", "product_options_product_idx", &["product_id", "position"], false),
        index("product_variants", "product_variants_sku_key", &["sku"], true),
        index(
            "product_variants",
            "product_variants_product_idx",
            &["product_id", "position"],
            false,
        ),
        index(
            "variant_option_values",
            "variant_option_values_lookup_idx",
            &["name", "option_value", "product_id"],
            false,
        ),
        index(
            "product_prices",
            "product_prices_sort_idx",
            &["currency", "min_amount", "product_id"],
            false,
        ),
        index("product_images", "product_images_product_idx", &["product_id", "position"], false),
        index("staff_users", "staff_users_email_key", &["email"], true),
        index("customers", "customers_email_key", &["email"], true),
        index("sessions", "sessions_refresh_hash_key", &["refresh_hash"], true),
        index("sessions", "sessions_previous_refresh_hash_idx", &["previous_refresh_hash"], false),
        index("api_tokens", "api_tokens_token_hash_key", &["token_hash"], true),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in tables() {
            manager.create_table(t).await?;
        }
        for i in indexes() {
            manager.create_index(i).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in tables().into_iter().rev() {
            let name = t.get_table_name().cloned();
            if let Some(name) = name {
                manager.drop_table(Table::drop().table(name).to_owned()).await?;
            }
        }
        Ok(())
    }
}
