//! Two counters that save checkout work:
//!
//! - `products.stock_revision`, bumped by stock writes instead of `revision`. Stock moving is
//!   not an edit of the product: with its own counter a read cache refreshes a product's
//!   stock figures (one light query) instead of reloading the whole product after every sale.
//! - `inventory_clock.last_order_number`: checkout takes the next order number in the same
//!   statement that takes the stock clock, instead of reading `MAX(number)` under it.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0007_stock_revision_and_order_counter"
    }
}

#[derive(DeriveIden)]
enum Products {
    Table,
    StockRevision,
}

#[derive(DeriveIden)]
enum InventoryClock {
    Table,
    LastOrderNumber,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Products::Table)
                    .add_column(
                        ColumnDef::new(Products::StockRevision).big_integer().not_null().default(0),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(InventoryClock::Table)
                    .add_column(
                        ColumnDef::new(InventoryClock::LastOrderNumber)
                            .big_integer()
                            .not_null()
                            .default(1000),
                    )
                    .to_owned(),
            )
            .await?;
        // Order numbers continue from the orders already placed.
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE inventory_clock SET last_order_number = \
                 COALESCE((SELECT MAX(number) FROM orders), 1000)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(InventoryClock::Table)
                    .drop_column(InventoryClock::LastOrderNumber)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Products::Table)
                    .drop_column(Products::StockRevision)
                    .to_owned(),
            )
            .await
    }
}
