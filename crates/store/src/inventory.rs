//! Stock: locations, levels per variant and location, the append-only ledger and its feed.
//!
//! Every stock write goes through [`Store::write_stock`] (or a checkout or order change, which
//! write stock the same way inside their own transactions). Two locks keep them correct:
//!
//! - **The products' rows** ([`lock_stock_of`]). A write locks the rows of the products whose
//!   variants it may move, in id order, before it reads any level. Writes to the same product
//!   therefore run one at a time, so a planner's reads cannot go stale before its writes (no
//!   lost update, no oversell), and the product's availability is computed from figures no
//!   other write is changing. Writes to different products run side by side. On SQLite the
//!   first write of a transaction takes the database's single write lock, which covers this.
//! - **The stock clock** ([`take_feed_clock`]), the single `inventory_clock` row, taken as late
//!   as possible: after every other lock, right before the ledger and outbox rows are inserted,
//!   and held until commit. Feed sequence numbers are therefore handed out in commit order, so
//!   a reader of the changes feed (or of the outbox) that remembers the last number it saw
//!   never misses an entry. It also numbers orders and guards discount limits and credit.
//!
//! A retried write's idempotency key is checked and recorded under a lock on the key itself
//! (an advisory lock on PostgreSQL), so two calls with one key never both write.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, Statement, TransactionTrait, Value,
};
use uuid::Uuid;
use vitrine_domain::inventory::{
    Address, LedgerEntry, LevelChange, Location, LocationKind, MovementKind, StockItem, StockLevel,
    StockSnapshot,
};

use crate::batch::Batch;
use crate::entity::*;
use crate::listing::Sql;
use crate::{Store, StoreError, INSERT_CHUNK};

/// A retried write's key: `scope` says whose keys these are (an operation and a caller), the
/// fingerprint what was asked, so that a key reused for a different request is refused.
#[derive(Clone, Copy, Debug)]
pub struct IdempotencyKey<'a> {
    pub scope: &'a str,
    pub key: &'a str,
    pub fingerprint: &'a str,
}

/// What a stock write touches and records.
#[derive(Clone, Copy, Debug)]
pub struct StockWrite<'a> {
    /// Names the call in the ledger (the adjustment group).
    pub group_id: Uuid,
    /// Variants the planner may move, by SKU or by id; the snapshot holds these only.
    pub skus: &'a [String],
    pub variant_ids: &'a [Uuid],
    pub reason: &'a str,
    pub reference_document_uri: Option<&'a str>,
    pub actor: &'a str,
    pub idempotency: Option<IdempotencyKey<'a>>,
}

#[derive(Debug)]
pub enum StockWriteOutcome<E> {
    /// The changes were committed; the entries are in ledger order.
    Written(Vec<LedgerEntry>),
    /// The key was used before for the same request: nothing was written again, and these are
    /// the entries the first call wrote.
    Replayed(Vec<LedgerEntry>),
    /// The planner refused; nothing was written.
    Refused(E),
    /// The key was used before for a different request; nothing was written.
    KeyReused,
}

/// A level as the integration API reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct InventoryLevelRecord {
    pub sku: String,
    pub variant_id: Uuid,
    pub location_id: Uuid,
    pub level: StockLevel,
    pub updated_at: DateTime<Utc>,
}

/// Which levels to list, after which `(sku, location)` cursor.
#[derive(Clone, Debug, Default)]
pub struct LevelQuery {
    pub location_id: Option<Uuid>,
    pub skus: Option<Vec<String>>,
    pub variant_ids: Option<Vec<Uuid>>,
    pub after: Option<(String, Uuid)>,
    pub limit: u64,
}

/// Which ledger entries to read, after which sequence number.
#[derive(Clone, Debug, Default)]
pub struct LedgerQuery {
    pub after: i64,
    pub location_id: Option<Uuid>,
    pub skus: Option<Vec<String>>,
    pub limit: u64,
}

impl Store {
    // ---- locations --------------------------------------------------------------------------

    pub async fn locations(&self) -> Result<Vec<Location>, StoreError> {
        all_locations(&self.db).await
    }

    /// Inserts the location, or updates it when its id exists.
    pub async fn save_location(&self, location: &Location) -> Result<(), StoreError> {
        let row = stock_locations::Model {
            id: location.id,
            name: location.name.clone(),
            kind: location.kind.as_str().to_owned(),
            address1: location.address.address1.clone(),
            address2: location.address.address2.clone(),
            city: location.address.city.clone(),
            zip: location.address.zip.clone(),
            country_code: location.address.country_code.clone(),
            fulfills_online_orders: location.fulfills_online_orders,
            pickup_enabled: location.pickup_enabled,
            priority: location.priority,
            created_at: location.created_at,
        };
        let active: stock_locations::ActiveModel = row.into();
        stock_locations::Entity::insert(active)
            .on_conflict(
                OnConflict::column(stock_locations::Column::Id)
                    .update_columns([
                        stock_locations::Column::Name,
                        stock_locations::Column::Kind,
                        stock_locations::Column::Address1,
                        stock_locations::Column::Address2,
                        stock_locations::Column::City,
                        stock_locations::Column::Zip,
                        stock_locations::Column::CountryCode,
                        stock_locations::Column::FulfillsOnlineOrders,
                        stock_locations::Column::PickupEnabled,
                        stock_locations::Column::Priority,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await
            .map_err(StoreError::from_write)?;
        Ok(())
    }

    // ---- writes -----------------------------------------------------------------------------

    /// Runs `plan` against the current stock of the variants `write` names and commits what it
    /// changed, with its ledger entries, the variants' online quantities and their products'
    /// availability, in one transaction. See the module comment for how concurrent writes are
    /// kept apart.
    pub async fn write_stock<E, F>(
        &self,
        write: StockWrite<'_>,
        plan: F,
    ) -> Result<StockWriteOutcome<E>, StoreError>
    where
        F: FnOnce(&mut StockSnapshot) -> Result<(), E>,
    {
        // SQLite lets one writer in and makes the others retry with growing sleeps, which
        // leaves some waiting far longer than their turn; queueing here serves them in order.
        // PostgreSQL queues waiters on the row locks themselves.
        let _turn = if self.is_postgres() { None } else { Some(self.stock_writes.lock().await) };
        let txn = self.db.begin().await?;
        if let Some(key) = write.idempotency {
            lock_idempotency_key(&txn, key).await?;
        }
        let planned = write_stock_locked(&txn, write, plan).await?;
        let planned = match planned {
            StockPlanned::Written(written) => {
                let mut writes = written.writes;
                writes.push(feed_clock_statement(txn.get_database_backend()));
                writes.run(&txn).await?;
                let mut batch = Batch::default();
                batch.extend(ledger_inserts(txn.get_database_backend(), written.ledger));
                batch.run(&txn).await?;
                StockPlanned::Written(written.changes)
            }
            StockPlanned::Replayed(group) => StockPlanned::Replayed(group),
            StockPlanned::Refused(e) => StockPlanned::Refused(e),
            StockPlanned::KeyReused => StockPlanned::KeyReused,
        };
        let outcome = read_back(&txn, planned, write.group_id).await?;
        if matches!(outcome, StockWriteOutcome::Written(_)) {
            txn.commit().await?;
        } else {
            txn.rollback().await?;
        }
        Ok(outcome)
    }

    // ---- reads ------------------------------------------------------------------------------

    pub async fn inventory_levels(
        &self,
        query: &LevelQuery,
    ) -> Result<Vec<InventoryLevelRecord>, StoreError> {
        let mut sql = Sql::default();
        sql.push(
            "SELECT v.sku, l.variant_id, l.location_id, l.on_hand, l.reserved, l.safety_stock, \
             l.updated_at FROM inventory_levels l JOIN product_variants v ON v.id = l.variant_id \
             WHERE 1 = 1",
            [],
        );
        if let Some(location) = query.location_id {
            sql.push(" AND l.location_id = ?", [location.into()]);
        }
        if let Some(skus) = &query.skus {
            sql.push(
                &format!(" AND v.sku IN ({})", Sql::marks(skus.len().max(1))),
                if skus.is_empty() { vec![Value::from("")] } else { values(skus.iter().cloned()) },
            );
        }
        if let Some(ids) = &query.variant_ids {
            sql.push(
                &format!(" AND l.variant_id IN ({})", Sql::marks(ids.len().max(1))),
                if ids.is_empty() {
                    vec![Value::from(Uuid::nil())]
                } else {
                    values(ids.iter().copied())
                },
            );
        }
        if let Some((sku, location)) = &query.after {
            sql.push(
                " AND (v.sku > ? OR (v.sku = ? AND l.location_id > ?))",
                [sku.clone().into(), sku.clone().into(), (*location).into()],
            );
        }
        sql.push(" ORDER BY v.sku, l.location_id LIMIT ?", [(query.limit as i64).into()]);
        let rows = self.db.query_all(sql.statement(self.db.get_database_backend())).await?;
        rows.iter()
            .map(|r| {
                Ok(InventoryLevelRecord {
                    sku: r.try_get("", "sku")?,
                    variant_id: r.try_get("", "variant_id")?,
                    location_id: r.try_get("", "location_id")?,
                    level: StockLevel {
                        on_hand: r.try_get("", "on_hand")?,
                        reserved: r.try_get("", "reserved")?,
                        safety_stock: r.try_get("", "safety_stock")?,
                    },
                    updated_at: r.try_get("", "updated_at")?,
                })
            })
            .collect()
    }

    /// Ledger entries after `query.after`, oldest first.
    pub async fn ledger_entries(
        &self,
        query: &LedgerQuery,
    ) -> Result<Vec<LedgerEntry>, StoreError> {
        let mut select = stock_ledger::Entity::find()
            .filter(stock_ledger::Column::Seq.gt(query.after))
            .order_by_asc(stock_ledger::Column::Seq)
            .limit(query.limit);
        if let Some(location) = query.location_id {
            select = select.filter(stock_ledger::Column::LocationId.eq(location));
        }
        if let Some(skus) = &query.skus {
            select = select.filter(stock_ledger::Column::Sku.is_in(skus.clone()));
        }
        select.all(&self.db).await?.into_iter().map(ledger_entry).collect()
    }

    /// The sequence number of the newest ledger entry, 0 when there is none.
    pub async fn ledger_head(&self) -> Result<i64, StoreError> {
        let head: Option<Option<i64>> = stock_ledger::Entity::find()
            .select_only()
            .column_as(stock_ledger::Column::Seq.max(), "head")
            .into_tuple()
            .one(&self.db)
            .await?;
        Ok(head.flatten().unwrap_or(0))
    }
}

fn values<T: Into<Value>>(items: impl IntoIterator<Item = T>) -> Vec<Value> {
    items.into_iter().map(Into::into).collect()
}

async fn all_locations<C: ConnectionTrait>(db: &C) -> Result<Vec<Location>, StoreError> {
    stock_locations::Entity::find()
        .order_by_asc(stock_locations::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(location)
        .collect()
}

fn location(row: stock_locations::Model) -> Result<Location, StoreError> {
    Ok(Location {
        id: row.id,
        name: row.name,
        kind: LocationKind::parse(&row.kind)
            .ok_or_else(|| StoreError::Corrupt(format!("location kind {}", row.kind)))?,
        address: Address {
            address1: row.address1,
            address2: row.address2,
            city: row.city,
            zip: row.zip,
            country_code: row.country_code,
        },
        fulfills_online_orders: row.fulfills_online_orders,
        pickup_enabled: row.pickup_enabled,
        priority: row.priority,
        created_at: row.created_at,
    })
}

fn ledger_entry(row: stock_ledger::Model) -> Result<LedgerEntry, StoreError> {
    Ok(LedgerEntry {
        seq: row.seq,
        group_id: row.group_id,
        variant_id: row.variant_id,
        sku: row.sku,
        location_id: row.location_id,
        kind: MovementKind::parse(&row.kind)
            .ok_or_else(|| StoreError::Corrupt(format!("ledger kind {}", row.kind)))?,
        before: StockLevel {
            on_hand: row.before_on_hand,
            reserved: row.before_reserved,
            safety_stock: row.before_safety_stock,
        },
        after: StockLevel {
            on_hand: row.after_on_hand,
            reserved: row.after_reserved,
            safety_stock: row.after_safety_stock,
        },
        reason: row.reason,
        reference_document_uri: row.reference_document_uri,
        actor: row.actor,
        idempotency_key: row.idempotency_key,
        occurred_at: row.occurred_at,
    })
}

async fn ledger_group<C: ConnectionTrait>(
    db: &C,
    group_id: Uuid,
) -> Result<Vec<LedgerEntry>, StoreError> {
    stock_ledger::Entity::find()
        .filter(stock_ledger::Column::GroupId.eq(group_id))
        .order_by_asc(stock_ledger::Column::Seq)
        .all(db)
        .await?
        .into_iter()
        .map(ledger_entry)
        .collect()
}

/// What a stock write tells its caller: the ledger entries it wrote (or wrote before, for a
/// replayed key), read back for their sequence numbers.
pub(crate) async fn read_back<C: ConnectionTrait, E>(
    db: &C,
    planned: StockPlanned<E, Vec<LevelChange>>,
    group_id: Uuid,
) -> Result<StockWriteOutcome<E>, StoreError> {
    Ok(match planned {
        StockPlanned::Written(changes) if changes.is_empty() => StockWriteOutcome::Written(vec![]),
        StockPlanned::Written(_) => StockWriteOutcome::Written(ledger_group(db, group_id).await?),
        StockPlanned::Replayed(group) => {
            StockWriteOutcome::Replayed(ledger_group(db, group).await?)
        }
        StockPlanned::Refused(e) => StockWriteOutcome::Refused(e),
        StockPlanned::KeyReused => StockWriteOutcome::KeyReused,
    })
}

/// What [`write_stock_locked`] did. `Written` first carries the changes with the ledger rows
/// still to append (after the clock), then only the changes, before the ledger entries are read
/// back (checkout needs only the changes, and saves that read).
pub(crate) enum StockPlanned<E, W = StockWritten> {
    Written(W),
    /// The idempotency key names this earlier group.
    Replayed(Uuid),
    Refused(E),
    KeyReused,
}

/// A planned stock write: the statements that write the levels, online quantities,
/// availability and key, still to run, and the ledger rows to insert once the clock is taken.
/// The clock may go in the same statement as the writes (they take no lock the products'
/// locks do not already cover; PostgreSQL then takes the clock first and runs the writes under
/// it), but the ledger rows must come in a later statement, so that their sequence numbers are
/// drawn under the clock.
pub(crate) struct StockWritten {
    pub changes: Vec<LevelChange>,
    pub writes: Batch,
    pub ledger: Vec<stock_ledger::ActiveModel>,
}

/// The body of every stock write, inside a transaction that holds its idempotency key's lock
/// and, on SQLite, has written nothing yet: locks the products it may move ([`lock_stock_of`]),
/// reads and plans. The caller runs the writes, takes the clock, inserts the ledger rows
/// ([`ledger_inserts`]) and commits only on `Written`.
pub(crate) async fn write_stock_locked<C, E, F>(
    db: &C,
    write: StockWrite<'_>,
    plan: F,
) -> Result<StockPlanned<E>, StoreError>
where
    C: ConnectionTrait,
    F: FnOnce(&mut StockSnapshot) -> Result<(), E>,
{
    let mut locked = lock_stock_of(db, write.variant_ids, write.skus).await?;
    if let Some(key) = write.idempotency {
        let seen = idempotency_keys::Entity::find_by_id((key.scope.to_owned(), key.key.to_owned()))
            .one(db)
            .await?;
        if let Some(seen) = seen {
            if seen.fingerprint != key.fingerprint {
                return Ok(StockPlanned::KeyReused);
            }
            return Ok(StockPlanned::Replayed(seen.group_id));
        }
    }

    // After the locks: on PostgreSQL a list read before them could be as old as the wait for
    // them, and plan with a location since switched off for online orders.
    let locations = all_locations(db).await?;
    let (mut items, mut levels) = stock_items(db, write.skus, write.variant_ids).await?;
    // The products were found before their locks were granted; a variant given one of these
    // SKUs (or created) meanwhile belongs to a product not locked yet. Lock it and read again.
    while let Locked::Products(products) = &mut locked {
        let mut missing: Vec<Uuid> =
            items.iter().map(|i| i.product_id).filter(|p| !products.contains(p)).collect();
        if missing.is_empty() {
            break;
        }
        missing.sort();
        missing.dedup();
        lock_products(db, &missing).await?;
        products.extend(missing);
        (items, levels) = stock_items(db, write.skus, write.variant_ids).await?;
    }
    let mut snapshot = StockSnapshot::new(locations, items, levels);
    if let Err(refusal) = plan(&mut snapshot) {
        return Ok(StockPlanned::Refused(refusal));
    }

    let now = Utc::now();
    let changes = snapshot.changes();
    let mut finals: HashMap<(Uuid, Uuid), StockLevel> = HashMap::new();
    for c in changes {
        finals.insert((c.variant_id, c.location_id), c.after);
    }
    let level_rows: Vec<inventory_levels::ActiveModel> = finals
        .iter()
        .map(|(&(variant_id, location_id), l)| inventory_levels::ActiveModel {
            variant_id: ActiveValue::Set(variant_id),
            location_id: ActiveValue::Set(location_id),
            on_hand: ActiveValue::Set(l.on_hand),
            reserved: ActiveValue::Set(l.reserved),
            safety_stock: ActiveValue::Set(l.safety_stock),
            updated_at: ActiveValue::Set(now),
        })
        .collect();
    // The levels, online quantities, availability and key go in together (one statement on
    // PostgreSQL): none of them reads what another writes.
    let backend = db.get_database_backend();
    let mut batch = Batch::default();
    for chunk in level_rows.chunks(INSERT_CHUNK) {
        let upsert = inventory_levels::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([
                    inventory_levels::Column::VariantId,
                    inventory_levels::Column::LocationId,
                ])
                .update_columns([
                    inventory_levels::Column::OnHand,
                    inventory_levels::Column::Reserved,
                    inventory_levels::Column::SafetyStock,
                    inventory_levels::Column::UpdatedAt,
                ])
                .to_owned(),
            )
            .build(backend);
        batch.push(upsert);
    }

    let ledger_rows: Vec<stock_ledger::ActiveModel> = changes
        .iter()
        .map(|c| {
            let sku = snapshot.item(c.variant_id).map(|i| i.sku.clone()).unwrap_or_default();
            stock_ledger::ActiveModel {
                seq: ActiveValue::NotSet,
                group_id: ActiveValue::Set(write.group_id),
                variant_id: ActiveValue::Set(c.variant_id),
                sku: ActiveValue::Set(sku),
                location_id: ActiveValue::Set(c.location_id),
                kind: ActiveValue::Set(c.kind.as_str().to_owned()),
                before_on_hand: ActiveValue::Set(c.before.on_hand),
                before_reserved: ActiveValue::Set(c.before.reserved),
                before_safety_stock: ActiveValue::Set(c.before.safety_stock),
                after_on_hand: ActiveValue::Set(c.after.on_hand),
                after_reserved: ActiveValue::Set(c.after.reserved),
                after_safety_stock: ActiveValue::Set(c.after.safety_stock),
                reason: ActiveValue::Set(write.reason.to_owned()),
                reference_document_uri: ActiveValue::Set(
                    write.reference_document_uri.map(str::to_owned),
                ),
                actor: ActiveValue::Set(write.actor.to_owned()),
                idempotency_key: ActiveValue::Set(write.idempotency.map(|k| k.key.to_owned())),
                occurred_at: ActiveValue::Set(now),
            }
        })
        .collect();
    let changed: Vec<(Uuid, Uuid, i64)> = snapshot
        .items()
        .iter()
        .filter_map(|item| {
            let now_online = snapshot.online_quantity(item.variant_id);
            (now_online != item.online_quantity).then_some((
                item.variant_id,
                item.product_id,
                now_online,
            ))
        })
        .collect();
    batch.extend(online_quantity_updates(backend, &changed));

    if let Some(key) = write.idempotency {
        let insert = idempotency_keys::Entity::insert(idempotency_keys::ActiveModel {
            scope: ActiveValue::Set(key.scope.to_owned()),
            key: ActiveValue::Set(key.key.to_owned()),
            fingerprint: ActiveValue::Set(key.fingerprint.to_owned()),
            group_id: ActiveValue::Set(write.group_id),
            created_at: ActiveValue::Set(now),
        })
        .build(backend);
        batch.push(insert);
    }
    Ok(StockPlanned::Written(StockWritten {
        changes: changes.to_vec(),
        writes: batch,
        ledger: ledger_rows,
    }))
}

/// Statements inserting ledger rows; the transaction must hold the clock
/// ([`take_feed_clock`]) when they run.
pub(crate) fn ledger_inserts(
    backend: DbBackend,
    rows: Vec<stock_ledger::ActiveModel>,
) -> Vec<Statement> {
    rows.chunks(INSERT_CHUNK / 2)
        .map(|chunk| stock_ledger::Entity::insert_many(chunk.to_vec()).build(backend))
        .collect()
}

/// Keeps concurrent stock writes to the products of these variants apart until commit (see the
/// module comment). Must come before the transaction reads any level. On SQLite it must be the
/// first statement: a transaction that reads first and writes later fails, instead of waiting,
/// when another writer got in between.
async fn lock_stock_of<C: ConnectionTrait>(
    db: &C,
    variant_ids: &[Uuid],
    skus: &[String],
) -> Result<Locked, StoreError> {
    let backend = db.get_database_backend();
    if backend != DbBackend::Postgres {
        take_write_lock(db).await?;
        return Ok(Locked::Everything);
    }
    // The products of the named variants.
    let named = |sql: &mut Sql, ids: &[Uuid], skus: &[String]| {
        sql.push(
            &format!(
                "SELECT product_id FROM product_variants WHERE id IN ({})",
                Sql::marks(ids.len().max(1))
            ),
            if ids.is_empty() { vec![Uuid::nil().into()] } else { values(ids.iter().copied()) },
        );
        if !skus.is_empty() {
            sql.push(
                &format!(" OR sku IN ({})", Sql::marks(skus.len())),
                values(skus.iter().cloned()),
            );
        }
    };
    if variant_ids.len() + skus.len() <= INSERT_CHUNK {
        // The usual case, in one statement. `ORDER BY` makes PostgreSQL lock the rows in id
        // order, so two writes never each hold a row the other waits for.
        let mut sql = Sql::default();
        sql.push("SELECT id FROM products WHERE id IN (", []);
        named(&mut sql, variant_ids, skus);
        sql.push(") ORDER BY id FOR UPDATE", []);
        let rows = db.query_all(sql.statement(backend)).await?;
        let locked = rows.iter().map(|r| r.try_get("", "id")).collect::<Result<_, _>>()?;
        return Ok(Locked::Products(locked));
    }
    let mut products = Vec::new();
    for chunk in variant_ids.chunks(INSERT_CHUNK) {
        let mut sql = Sql::default();
        named(&mut sql, chunk, &[]);
        for row in db.query_all(sql.statement(backend)).await? {
            products.push(row.try_get::<Uuid>("", "product_id")?);
        }
    }
    for chunk in skus.chunks(INSERT_CHUNK) {
        let mut sql = Sql::default();
        named(&mut sql, &[], chunk);
        for row in db.query_all(sql.statement(backend)).await? {
            products.push(row.try_get::<Uuid>("", "product_id")?);
        }
    }
    lock_products(db, &products).await?;
    Ok(Locked::Products(products))
}

/// What a transaction holds against other stock writes.
enum Locked {
    /// SQLite: the database's one write lock.
    Everything,
    /// PostgreSQL: these products' rows.
    Products(Vec<Uuid>),
}

/// Locks these products' rows for a write that recomputes what depends on their stock
/// (see [`lock_stock_of`]).
pub(crate) async fn lock_products<C: ConnectionTrait>(
    db: &C,
    product_ids: &[Uuid],
) -> Result<(), StoreError> {
    let backend = db.get_database_backend();
    if backend != DbBackend::Postgres {
        return take_write_lock(db).await;
    }
    let mut ids = product_ids.to_vec();
    ids.sort();
    ids.dedup();
    // Chunks in id order keep the whole lock order sorted.
    for chunk in ids.chunks(INSERT_CHUNK) {
        let mut sql = Sql::default();
        sql.push(
            &format!(
                "SELECT id FROM products WHERE id IN ({}) ORDER BY id FOR UPDATE",
                Sql::marks(chunk.len())
            ),
            values(chunk.iter().copied()),
        );
        db.query_all(sql.statement(backend)).await?;
    }
    Ok(())
}

/// SQLite: the first write of a transaction takes the database's write lock until commit.
pub(crate) async fn take_write_lock<C: ConnectionTrait>(db: &C) -> Result<(), StoreError> {
    take_feed_clock(db).await
}

/// Takes the stock clock (see the module comment): held until commit, so it must come after
/// every other lock the transaction takes and right before the ledger or outbox rows.
pub(crate) async fn take_feed_clock<C: ConnectionTrait>(db: &C) -> Result<(), StoreError> {
    db.execute(feed_clock_statement(db.get_database_backend())).await?;
    Ok(())
}

/// The statement [`take_feed_clock`] runs.
pub(crate) fn feed_clock_statement(backend: DbBackend) -> Statement {
    Statement::from_string(backend, "UPDATE inventory_clock SET writes = writes + 1 WHERE id = 1")
}

/// Makes a second call with the same idempotency key wait for the first to commit or roll
/// back, so that it then finds the key recorded. SQLite's write lock already does.
async fn lock_idempotency_key<C: ConnectionTrait>(
    db: &C,
    key: IdempotencyKey<'_>,
) -> Result<(), StoreError> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    db.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
        [format!("{}\n{}", key.scope, key.key).into()],
    ))
    .await?;
    Ok(())
}

/// The variants named by SKU or id, with what stock writes need to know of them, and their
/// levels at every location: one statement per chunk of names (a variant with no level yet
/// comes back once, with empty level columns).
async fn stock_items<C: ConnectionTrait>(
    db: &C,
    skus: &[String],
    ids: &[Uuid],
) -> Result<(Vec<StockItem>, Vec<((Uuid, Uuid), StockLevel)>), StoreError> {
    const SELECT: &str = "SELECT v.id, v.product_id, v.sku, v.inventory_quantity, \
        l.location_id, l.on_hand, l.reserved, l.safety_stock \
        FROM product_variants v LEFT JOIN inventory_levels l ON l.variant_id = v.id WHERE ";
    let backend = db.get_database_backend();
    let mut statements = Vec::new();
    for chunk in skus.chunks(INSERT_CHUNK) {
        let mut sql = Sql::default();
        sql.push(
            &format!("{SELECT}v.sku IN ({})", Sql::marks(chunk.len())),
            values(chunk.iter().cloned()),
        );
        statements.push(sql.statement(backend));
    }
    for chunk in ids.chunks(INSERT_CHUNK) {
        let mut sql = Sql::default();
        sql.push(
            &format!("{SELECT}v.id IN ({})", Sql::marks(chunk.len())),
            values(chunk.iter().copied()),
        );
        statements.push(sql.statement(backend));
    }
    let mut items: HashMap<Uuid, StockItem> = HashMap::new();
    let mut levels: HashMap<(Uuid, Uuid), StockLevel> = HashMap::new();
    for statement in statements {
        for row in db.query_all(statement).await? {
            let variant_id: Uuid = row.try_get("", "id")?;
            let quantity: i32 = row.try_get("", "inventory_quantity")?;
            items.entry(variant_id).or_insert(StockItem {
                variant_id,
                product_id: row.try_get("", "product_id")?,
                sku: row.try_get("", "sku")?,
                online_quantity: i64::from(quantity),
            });
            let location: Option<Uuid> = row.try_get("", "location_id")?;
            if let Some(location_id) = location {
                levels.insert(
                    (variant_id, location_id),
                    StockLevel {
                        on_hand: row.try_get("", "on_hand")?,
                        reserved: row.try_get("", "reserved")?,
                        safety_stock: row.try_get("", "safety_stock")?,
                    },
                );
            }
        }
    }
    let mut items: Vec<StockItem> = items.into_values().collect();
    items.sort_by_key(|i| i.variant_id);
    Ok((items, levels.into_iter().collect()))
}

/// Statements storing variants' new online quantities `(variant, product, quantity)` and
/// refreshing their products' availability and stock revision, so that read caches and
/// listings see the change. They may run in one statement with the levels' writes, so none
/// reads what another writes: a product is available when one of its changed variants now is,
/// one of its others (which its lock keeps still) is, or one is untracked.
fn online_quantity_updates(backend: DbBackend, changed: &[(Uuid, Uuid, i64)]) -> Vec<Statement> {
    let mut statements = vec![];
    for chunk in changed.chunks(200) {
        let mut sql = Sql::default();
        sql.push("UPDATE product_variants SET inventory_quantity = CASE id", []);
        for (variant_id, _, quantity) in chunk {
            let quantity = i32::try_from(*quantity).unwrap_or(i32::MAX);
            sql.push(" WHEN ? THEN ?", [(*variant_id).into(), quantity.into()]);
        }
        sql.push(
            &format!(" ELSE inventory_quantity END WHERE id IN ({})", Sql::marks(chunk.len())),
            values(chunk.iter().map(|c| c.0)),
        );
        statements.push(sql.statement(backend));
    }
    let mut products: Vec<Uuid> = changed.iter().map(|c| c.1).collect();
    products.sort();
    products.dedup();
    let mut now_available: Vec<Uuid> = changed.iter().filter(|c| c.2 > 0).map(|c| c.1).collect();
    now_available.sort();
    now_available.dedup();
    for chunk in products.chunks(INSERT_CHUNK) {
        let in_chunk = |p: &&Uuid| chunk.binary_search(p).is_ok();
        let available: Vec<Uuid> = now_available.iter().filter(in_chunk).copied().collect();
        let variants: Vec<Uuid> =
            changed.iter().filter(|c| chunk.binary_search(&c.1).is_ok()).map(|c| c.0).collect();
        let mut sql = Sql::default();
        sql.push(
            &format!(
                "UPDATE products SET available_for_sale = (id IN ({}) OR EXISTS (SELECT 1 \
                 FROM product_variants v WHERE v.product_id = products.id \
                 AND (v.inventory_tracked = ? OR (v.id NOT IN ({}) \
                 AND v.inventory_quantity > 0)))), stock_revision = stock_revision + 1",
                Sql::marks(available.len().max(1)),
                Sql::marks(variants.len().max(1)),
            ),
            // Neither `revision` nor `updated_at`: stock moving is not an edit of the product,
            // and read caches refresh only the stock figures (see `ProductView`).
            if available.is_empty() { vec![Uuid::nil().into()] } else { values(available) }
                .into_iter()
                .chain([false.into()])
                .chain(values(variants)),
        );
        sql.push(
            &format!(" WHERE id IN ({})", Sql::marks(chunk.len())),
            values(chunk.iter().copied()),
        );
        statements.push(sql.statement(backend));
    }
    statements
}
