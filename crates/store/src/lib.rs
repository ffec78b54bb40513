//! Vitrine's persistence: SeaORM entities and the repositories over them, on SQLite (the
//! embedded default) or PostgreSQL, with the same migrations.
//!
//! Everything SQL lives here. Callers get `vitrine_domain` records back, never entities, and
//! each write method is one transaction.

mod batch;
mod cart;
mod catalog;
mod company;
mod entity;
mod error;
mod identity;
mod inventory;
mod listing;
mod mapping;
mod order;
mod pricing;
pub mod testing;
mod views;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend};
use vitrine_migrations::{Migrator, MigratorTrait};

pub use cart::CartSave;
pub use catalog::{ProductDraft, VariantDraft};
pub use company::{CustomerGroupRecord, InvitationAcceptance, MemberRemoval};
pub use error::StoreError;
pub use identity::{
    ApiTokenRecord, CustomerRecord, RefreshOutcome, SessionRecord, StaffRecord, SubjectKind,
};
pub use inventory::{
    IdempotencyKey, InventoryLevelRecord, LedgerQuery, LevelQuery, StockWrite, StockWriteOutcome,
};
pub use listing::{Page, PageDirection, ProductListing, ProductRevision, ProductSort, SortValue};
pub use order::{
    order_document_uri, ChangeOutcome, NewOrder, OrderChange, OrderFilter, OrderState, OutboxEvent,
    OutboxRecord, PlaceOutcome, UsageLimit,
};
pub use pricing::{PricesWriteOutcome, TaxRateRecord};
pub use views::ProductStock;

/// A handle on the database. Cheap to clone; clones share the connection pool.
#[derive(Clone)]
pub struct Store {
    db: DatabaseConnection,
    queries: Arc<AtomicU64>,
    /// Queues this process's stock writes on SQLite (see `Store::write_stock`).
    stock_writes: Arc<tokio::sync::Mutex<()>>,
}

/// How many rows go into one multi-row INSERT; keeps every statement under SQLite's limit
/// on bound parameters.
const INSERT_CHUNK: usize = 400;

impl Store {
    /// Connects to `sqlite://…` or `postgres://…`. SQLite runs in WAL mode so that readers never
    /// wait for the single writer.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let sqlite = url.starts_with("sqlite:");
        let mut options = ConnectOptions::new(url.to_owned());
        options
            .sqlx_logging(false)
            // SQLite has one writer and each connection its own thread: a few suffice, and more
            // only add thread hand-offs on a small machine (measured with bench/load.sh).
            .max_connections(if sqlite { 4 } else { 16 })
            .min_connections(1)
            .connect_timeout(Duration::from_secs(5))
            .acquire_timeout(Duration::from_secs(10));
        if sqlite {
            options.map_sqlx_sqlite_opts(|o| {
                o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
                    .create_if_missing(true)
            });
        }
        let mut db = Database::connect(options).await?;
        let queries = Arc::new(AtomicU64::new(0));
        let counter = queries.clone();
        db.set_metric_callback(move |_| {
            counter.fetch_add(1, Ordering::Relaxed);
        });
        Ok(Self { db, queries, stock_writes: Arc::default() })
    }

    /// Applies every pending migration.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        Migrator::up(&self.db, None).await?;
        Ok(())
    }

    /// How many migrations the code knows that the database has not applied yet.
    pub async fn pending_migrations(&self) -> Result<usize, StoreError> {
        Ok(Migrator::get_pending_migrations(&self.db).await?.len())
    }

    /// Refreshes the planner's statistics; worth it after a bulk load, before the planner
    /// has seen the data.
    pub async fn analyze(&self) -> Result<(), StoreError> {
        self.db.execute_unprepared("ANALYZE").await?;
        Ok(())
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.db.execute_unprepared("SELECT 1").await?;
        Ok(())
    }

    pub fn is_postgres(&self) -> bool {
        self.db.get_database_backend() == DbBackend::Postgres
    }

    /// The number of SQL statements this store has run; tests use it to prove batching.
    pub fn query_count(&self) -> u64 {
        self.queries.load(Ordering::Relaxed)
    }

    pub async fn close(self) {
        let _ = self.db.close().await;
    }
}
