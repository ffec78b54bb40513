//! A revision number per product, bumped by every write that changes what the product shows
//! (its own fields, options, variants, prices, stock, images, translations). Read caches key on
//! it, so that gateway replicas notice each other's writes without talking to each other.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0003_product_revision"
    }
}

#[derive(DeriveIden)]
enum Products {
    Table,
    Revision,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Products::Table)
                    .add_column(
                        ColumnDef::new(Products::Revision).big_integer().not_null().default(0),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(Products::Table).drop_column(Products::Revision).to_owned(),
            )
            .await
    }
}
