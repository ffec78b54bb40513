//! Indexes that let product listings walk their sort order instead of sorting: by id within a
//! status, and a collection's products in their manual order.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0002_listing_indexes"
    }
}

/// (table, index name, columns)
const INDEXES: [(&str, &str, &[&str]); 3] = [
    ("products", "products_status_id_idx", &["status", "id"]),
    ("products", "products_status_updated_idx", &["status", "updated_at", "id"]),
    (
        "product_collections",
        "product_collections_position_idx",
        &["collection_id", "position", "product_id"],
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, name, columns) in INDEXES {
            let mut index = Index::create();
            index.name(name).table(Alias::new(table));
            for c in columns {
                index.col(Alias::new(*c));
            }
            manager.create_index(index).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, name, _) in INDEXES {
            manager
                .drop_index(Index::drop().name(name).table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }
}
