//! Inventory: stock locations, a level per variant and location, the append-only stock ledger
//! (whose sequence is the changes feed's cursor), the clock row that serialises stock writes,
//! idempotency keys of retried writes, and the channel setting that shows shoppers stock counts.

use sea_orm_migration::prelude::*;

use crate::m0001_catalog_and_identity::{
    bigint, boolean, id, index, int, table, text, text_null, time, uuid, with_key,
};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0004_inventory"
    }
}

/// Databases from before stock locations kept one quantity per variant. It moves into a
/// "Default location" (a warehouse that ships) with an opening ledger line each, so that every
/// level is explained by the ledger from the start.
async fn move_existing_stock(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let variants = || Alias::new("product_variants");
    let quantity = || Expr::col(Alias::new("inventory_quantity"));
    let db = manager.get_connection();
    let probe = Query::select()
        .expr(Expr::val(1))
        .from(variants())
        .and_where(quantity().gt(0))
        .limit(1)
        .to_owned();
    if db.query_one(db.get_database_backend().build(&probe)).await?.is_none() {
        return Ok(());
    }
    let location = uuid::Uuid::now_v7();
    let now = chrono::Utc::now();
    let mut insert_location = Query::insert();
    insert_location
        .into_table(Alias::new("stock_locations"))
        .columns(
            [
                "id",
                "name",
                "kind",
                "address1",
                "city",
                "zip",
                "country_code",
                "fulfills_online_orders",
                "pickup_enabled",
                "priority",
                "created_at",
            ]
            .map(Alias::new),
        )
        .values_panic([
            location.into(),
            "Default location".into(),
            "warehouse".into(),
            "".into(),
            "".into(),
            "".into(),
            // ISO 3166's code for "unknown"; staff set the real address with locationEdit.
            "ZZ".into(),
            true.into(),
            false.into(),
            0.into(),
            now.into(),
        ]);
    manager.exec_stmt(insert_location).await?;

    let levels = Query::select()
        .column(Alias::new("id"))
        .expr(Expr::val(location))
        .expr(quantity())
        .expr(Expr::val(0i64))
        .expr(Expr::val(0i64))
        .expr(Expr::val(now))
        .from(variants())
        .and_where(quantity().gt(0))
        .to_owned();
    let mut insert_levels = Query::insert();
    insert_levels
        .into_table(Alias::new("inventory_levels"))
        .columns(
            ["variant_id", "location_id", "on_hand", "reserved", "safety_stock", "updated_at"]
                .map(Alias::new),
        )
        .select_from(levels)
        .map_err(|e| DbErr::Custom(e.to_string()))?;
    manager.exec_stmt(insert_levels).await?;

    let ledger = Query::select()
        .expr(Expr::val(uuid::Uuid::now_v7()))
        .column(Alias::new("id"))
        .column(Alias::new("sku"))
        .expr(Expr::val(location))
        .expr(Expr::val("count"))
        .expr(Expr::val(0i64))
        .expr(Expr::val(0i64))
        .expr(Expr::val(0i64))
        .expr(quantity())
        .expr(Expr::val(0i64))
        .expr(Expr::val(0i64))
        .expr(Expr::val("opening stock (before stock locations)"))
        .expr(Expr::val("system:migration"))
        .expr(Expr::val(now))
        .from(variants())
        .and_where(quantity().gt(0))
        .order_by(Alias::new("id"), Order::Asc)
        .to_owned();
    let mut insert_ledger = Query::insert();
    insert_ledger
        .into_table(Alias::new("stock_ledger"))
        .columns(
            [
                "group_id",
                "variant_id",
                "sku",
                "location_id",
                "kind",
                "before_on_hand",
                "before_reserved",
                "before_safety_stock",
                "after_on_hand",
                "after_reserved",
                "after_safety_stock",
                "reason",
                "actor",
                "occurred_at",
            ]
            .map(Alias::new),
        )
        .select_from(ledger)
        .map_err(|e| DbErr::Custom(e.to_string()))?;
    manager.exec_stmt(insert_ledger).await?;
    Ok(())
}

fn level_columns(prefix: &str) -> Vec<ColumnDef> {
    ["on_hand", "reserved", "safety_stock"]
        .into_iter()
        .map(|c| bigint(&format!("{prefix}{c}")))
        .collect()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(table(
                "stock_locations",
                vec![
                    id("id"),
                    text("name"),
                    text("kind"),
                    text("address1"),
                    text_null("address2"),
                    text("city"),
                    text("zip"),
                    text("country_code"),
                    boolean("fulfills_online_orders"),
                    boolean("pickup_enabled"),
                    int("priority"),
                    time("created_at"),
                ],
            ))
            .await?;
        let mut level = vec![uuid("variant_id"), uuid("location_id")];
        level.extend(level_columns(""));
        level.push(time("updated_at"));
        manager
            .create_table(with_key(
                table("inventory_levels", level),
                &["variant_id", "location_id"],
            ))
            .await?;
        manager
            .create_index(index(
                "inventory_levels",
                "inventory_levels_location_idx",
                &["location_id", "variant_id"],
                false,
            ))
            .await?;

        let mut ledger = vec![
            ColumnDef::new(Alias::new("seq"))
                .big_integer()
                .not_null()
                .auto_increment()
                .primary_key()
                .to_owned(),
            uuid("group_id"),
            uuid("variant_id"),
            text("sku"),
            uuid("location_id"),
            text("kind"),
        ];
        ledger.extend(level_columns("before_"));
        ledger.extend(level_columns("after_"));
        ledger.extend([
            text("reason"),
            text_null("reference_document_uri"),
            text("actor"),
            text_null("idempotency_key"),
            time("occurred_at"),
        ]);
        manager.create_table(table("stock_ledger", ledger)).await?;
        for (name, columns) in [
            ("stock_ledger_group_idx", &["group_id", "seq"][..]),
            ("stock_ledger_location_idx", &["location_id", "seq"][..]),
            ("stock_ledger_variant_idx", &["variant_id", "location_id", "seq"][..]),
        ] {
            manager.create_index(index("stock_ledger", name, columns, false)).await?;
        }

        // One row, updated first by every stock write: its row lock (PostgreSQL) or the write
        // lock it takes (SQLite) puts stock writes in one order, so ledger sequence numbers
        // are committed in increasing order and a feed reader never skips one.
        manager
            .create_table(with_key(
                table("inventory_clock", vec![int("id"), bigint("writes")]),
                &["id"],
            ))
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(Alias::new("inventory_clock"))
                    .columns([Alias::new("id"), Alias::new("writes")])
                    .values_panic([1.into(), 0.into()])
                    .to_owned(),
            )
            .await?;

        move_existing_stock(manager).await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("channels"))
                    .add_column(
                        ColumnDef::new(Alias::new("show_stock_counts"))
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(with_key(
                table(
                    "idempotency_keys",
                    vec![
                        text("scope"),
                        text("key"),
                        text("fingerprint"),
                        uuid("group_id"),
                        time("created_at"),
                    ],
                ),
                &["scope", "key"],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "idempotency_keys",
            "inventory_clock",
            "stock_ledger",
            "inventory_levels",
            "stock_locations",
        ] {
            manager.drop_table(Table::drop().table(Alias::new(t)).to_owned()).await?;
        }
        Ok(())
    }
}
