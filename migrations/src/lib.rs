//! Vitrine's database migrations, written with sea-query's schema builder so that the same
//! migration runs on SQLite and PostgreSQL.
//!
//! Never edit a migration that has shipped: add a new one (expand, then contract).

pub use sea_orm_migration::prelude::*;

mod m0001_catalog_and_identity;
mod m0002_listing_indexes;
mod m0003_product_revision;
mod m0004_inventory;
mod m0005_b2b_pricing;
mod m0006_orders;
mod m0007_stock_revision_and_order_counter;
mod m0008_channel_origins;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_catalog_and_identity::Migration),
            Box::new(m0002_listing_indexes::Migration),
            Box::new(m0003_product_revision::Migration),
            Box::new(m0004_inventory::Migration),
            Box::new(m0005_b2b_pricing::Migration),
            Box::new(m0006_orders::Migration),
            Box::new(m0007_stock_revision_and_order_counter::Migration),
            Box::new(m0008_channel_origins::Migration),
        ]
    }
}
