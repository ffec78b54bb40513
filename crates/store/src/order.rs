//! Orders: placing one from a cart (stock, order, payment and outbox in one transaction),
//! changing one (payments, fulfilments, cancellation), and reading them.
//!
//! Both write stock as the inventory module does (the products' locks first, the stock clock
//! last and held to commit), and insert their outbox events under the clock, so the outbox's
//! sequence numbers become visible in order and its tailer never skips an event. A change
//! locks the order's row first and decides on a fresh read of it: two staff fulfilling the
//! same line at once cannot both succeed.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend,
    EntityTrait, FromQueryResult, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, Statement, TransactionTrait, Value,
};
use uuid::Uuid;
use vitrine_domain::company::PaymentTerms;
use vitrine_domain::inventory::{MovementKind, StockMovement, StockSnapshot};
use vitrine_domain::money::{Currency, Money};
use vitrine_domain::order::{
    Allocation, Fulfillment, FulfillmentEvent, Order, OrderLine, OrderStatus, Payment,
    ShipmentStatus,
};
use vitrine_domain::payment::{PaymentMethod, PaymentStatus};

use crate::batch::Batch;
use crate::entity::*;
use crate::inventory::{
    ledger_inserts, take_feed_clock, take_write_lock, write_stock_locked, StockPlanned, StockWrite,
    StockWritten,
};
use crate::listing::Sql;
use crate::mapping::{currency, from_json, to_json};
use crate::{Store, StoreError};

/// An event for the outside world, written with the change that caused it.
#[derive(Clone, Debug, PartialEq)]
pub struct OutboxEvent {
    pub topic: String,
    pub subject_id: Uuid,
    pub payload: serde_json::Value,
}

/// An outbox row as its readers see it.
#[derive(Clone, Debug, PartialEq)]
pub struct OutboxRecord {
    pub seq: i64,
    pub topic: String,
    pub subject_id: Uuid,
    pub payload: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

/// A limit a discount must still be under when the order is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UsageLimit {
    pub discount_id: Uuid,
    pub total: Option<u32>,
    pub per_customer: Option<u32>,
}

/// Everything checkout writes. The order's `number` is assigned here.
#[derive(Clone, Debug)]
pub struct NewOrder {
    pub order: Order,
    pub lines: Vec<OrderLine>,
    pub payment: Payment,
    /// Discounts the order used, recorded for their usage limits.
    pub discounts_used: Vec<Uuid>,
    pub usage_limits: Vec<UsageLimit>,
    /// Invoice orders: the company's credit limit, checked against its unpaid invoices.
    pub credit_limit: Option<Money>,
}

#[derive(Debug)]
pub enum PlaceOutcome<E> {
    Placed(Box<Order>),
    /// The cart already has an order (a retry, or a double click): nothing was written.
    CartCompleted(Box<Order>),
    /// The stock planner refused; nothing was written.
    StockRefused(E),
    /// Unpaid invoices plus this order would pass the credit limit.
    CreditExceeded {
        outstanding: Money,
    },
    /// A discount reached its usage limit since the cart was priced.
    DiscountExhausted(Uuid),
    /// The cart is gone.
    CartMissing,
}

/// What the stock ledger names an order by, at checkout and on every later change: its id,
/// known before checkout draws the order's number.
pub fn order_document_uri(order_id: Uuid) -> String {
    format!("vitrine://orders/{order_id}")
}

/// An order with everything that hangs off it, read inside the changing transaction.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderState {
    pub order: Order,
    pub lines: Vec<OrderLine>,
    pub allocations: Vec<Allocation>,
    pub payments: Vec<Payment>,
    pub fulfillments: Vec<Fulfillment>,
}

/// What a change writes; built by the service from a fresh [`OrderState`].
#[derive(Clone, Debug, Default)]
pub struct OrderChange {
    pub status: Option<OrderStatus>,
    pub cancel_reason: Option<String>,
    /// Stock movements (releases, fulfilments) at `(variant, location)`.
    pub stock: Vec<(Uuid, Uuid, StockMovement)>,
    /// Allocation rows as they are to be.
    pub allocations: Vec<Allocation>,
    /// `(order line, fulfilled quantity)`.
    pub fulfilled: Vec<(Uuid, u32)>,
    pub new_fulfillment: Option<Fulfillment>,
    /// New tracking events; each also sets its fulfilment's status.
    pub new_events: Vec<FulfillmentEvent>,
    /// Payment rows as they are to be (inserted or replaced).
    pub payments: Vec<Payment>,
    pub events: Vec<OutboxEvent>,
}

#[derive(Debug)]
pub enum ChangeOutcome<E> {
    Changed(Box<OrderState>),
    Refused(E),
    Missing,
}

impl Store {
    // ---- placing ----------------------------------------------------------------------------

    /// Places the order for its cart in one transaction: marks the cart completed, reserves
    /// stock through `plan`, checks discount limits and credit, numbers the order and writes
    /// it with its lines, allocations, payment, discount usages and `events`.
    pub async fn place_order<E, F>(
        &self,
        new: NewOrder,
        stock: StockWrite<'_>,
        events: impl FnOnce(&Order) -> Vec<OutboxEvent>,
        plan: F,
    ) -> Result<PlaceOutcome<E>, StoreError>
    where
        F: FnOnce(&mut StockSnapshot) -> Result<(), E>,
    {
        let _turn = if self.is_postgres() { None } else { Some(self.stock_writes.lock().await) };
        let txn = self.db.begin().await?;
        let outcome = place_in(&txn, new, stock, events, plan).await?;
        if matches!(outcome, PlaceOutcome::Placed(_)) {
            txn.commit().await?;
        } else {
            txn.rollback().await?;
        }
        Ok(outcome)
    }

    /// Changes an order in one transaction: `decide` gets its current state (read after
    /// taking the lock) and says what to write.
    pub async fn change_order<E, F>(
        &self,
        order_id: Uuid,
        actor: &str,
        reason: &str,
        decide: F,
        stock_refused: impl FnOnce(Vec<String>) -> E,
    ) -> Result<ChangeOutcome<E>, StoreError>
    where
        F: FnOnce(&OrderState) -> Result<OrderChange, E>,
    {
        let _turn = if self.is_postgres() { None } else { Some(self.stock_writes.lock().await) };
        let txn = self.db.begin().await?;
        lock_order(&txn, order_id).await?;
        let Some(state) = order_state(&txn, order_id).await? else {
            txn.rollback().await?;
            return Ok(ChangeOutcome::Missing);
        };
        let change = match decide(&state) {
            Ok(change) => change,
            Err(e) => {
                txn.rollback().await?;
                return Ok(ChangeOutcome::Refused(e));
            }
        };
        let mut ledger = vec![];
        if !change.stock.is_empty() {
            let ids: Vec<Uuid> = change.stock.iter().map(|s| s.0).collect();
            let reference = order_document_uri(state.order.id);
            let write = StockWrite {
                group_id: Uuid::now_v7(),
                skus: &[],
                variant_ids: &ids,
                reason,
                reference_document_uri: Some(&reference),
                actor,
                idempotency: None,
            };
            let moves = change.stock.clone();
            let outcome = write_stock_locked(&txn, write, |snapshot| {
                let mut problems = vec![];
                for (variant, location, movement) in moves {
                    if let Err(e) = snapshot.apply(variant, location, movement) {
                        problems.push(e.to_string());
                    }
                }
                if problems.is_empty() {
                    Ok(())
                } else {
                    Err(problems)
                }
            })
            .await?;
            match outcome {
                StockPlanned::Written(written) => {
                    written.writes.run(&txn).await?;
                    ledger = written.ledger;
                }
                StockPlanned::Refused(problems) => {
                    txn.rollback().await?;
                    return Ok(ChangeOutcome::Refused(stock_refused(problems)));
                }
                StockPlanned::Replayed(_) | StockPlanned::KeyReused => {
                    return Err(StoreError::Corrupt("an order's stock write carries no key".into()))
                }
            }
        }
        apply_change(&txn, &state, &change).await?;
        let state = order_state(&txn, order_id).await?.ok_or(StoreError::NotFound)?;
        take_feed_clock(&txn).await?;
        let backend = txn.get_database_backend();
        let mut batch = Batch::default();
        batch.extend(ledger_inserts(backend, ledger));
        batch.extend(outbox_insert(backend, &change.events, Utc::now()));
        batch.run(&txn).await?;
        txn.commit().await?;
        Ok(ChangeOutcome::Changed(Box::new(state)))
    }

    // ---- reading ----------------------------------------------------------------------------

    pub async fn order(&self, id: Uuid) -> Result<Option<Order>, StoreError> {
        orders::Entity::find_by_id(id).one(&self.db).await?.map(order).transpose()
    }

    pub async fn order_state(&self, id: Uuid) -> Result<Option<OrderState>, StoreError> {
        order_state(&self.db, id).await
    }

    pub async fn order_by_number(&self, number: i64) -> Result<Option<Order>, StoreError> {
        orders::Entity::find()
            .filter(orders::Column::Number.eq(number))
            .one(&self.db)
            .await?
            .map(order)
            .transpose()
    }

    pub async fn order_of_cart(&self, cart_id: Uuid) -> Result<Option<Order>, StoreError> {
        order_of_cart(&self.db, cart_id).await
    }

    pub async fn orders_by_ids(&self, ids: &[Uuid]) -> Result<Vec<Order>, StoreError> {
        orders::Entity::find()
            .filter(orders::Column::Id.is_in(ids.to_vec()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(order)
            .collect()
    }

    /// Newest first; `before` is the number to continue after. One more than `limit` tells
    /// whether more follow.
    pub async fn orders_page(
        &self,
        filter: &OrderFilter,
        before: Option<i64>,
        limit: u64,
    ) -> Result<Vec<Order>, StoreError> {
        let mut query = orders::Entity::find();
        if let Some(customer) = filter.customer_id {
            query = query.filter(orders::Column::CustomerId.eq(customer));
        }
        if let Some(company) = filter.company_id {
            query = query.filter(orders::Column::CompanyId.eq(company));
        }
        if let Some(status) = filter.status {
            query = query.filter(orders::Column::Status.eq(status.as_str()));
        }
        if let Some(number) = before {
            query = query.filter(orders::Column::Number.lt(number));
        }
        query
            .order_by_desc(orders::Column::Number)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(order)
            .collect()
    }

    pub async fn order_lines(&self, order_ids: &[Uuid]) -> Result<Vec<OrderLine>, StoreError> {
        order_lines_of(&self.db, order_ids).await
    }

    pub async fn payments_of(&self, order_ids: &[Uuid]) -> Result<Vec<Payment>, StoreError> {
        payments_of(&self.db, order_ids).await
    }

    pub async fn payment_by_external_id(
        &self,
        external_id: &str,
    ) -> Result<Option<Payment>, StoreError> {
        payments::Entity::find()
            .filter(payments::Column::ExternalId.eq(external_id))
            .one(&self.db)
            .await?
            .map(payment)
            .transpose()
    }

    pub async fn fulfillments_of(
        &self,
        order_ids: &[Uuid],
    ) -> Result<Vec<Fulfillment>, StoreError> {
        fulfillments_of(&self.db, order_ids).await
    }

    pub async fn order_of_fulfillment(
        &self,
        fulfillment_id: Uuid,
    ) -> Result<Option<Uuid>, StoreError> {
        Ok(fulfillments::Entity::find_by_id(fulfillment_id)
            .one(&self.db)
            .await?
            .map(|f| f.order_id))
    }

    /// Outbox events after `after`, in sequence order.
    pub async fn outbox_after(
        &self,
        after: i64,
        limit: u64,
    ) -> Result<Vec<OutboxRecord>, StoreError> {
        outbox::Entity::find()
            .filter(outbox::Column::Seq.gt(after))
            .order_by_asc(outbox::Column::Seq)
            .limit(limit)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|r| {
                Ok(OutboxRecord {
                    seq: r.seq,
                    topic: r.topic,
                    subject_id: r.subject_id,
                    payload: from_json(&r.payload)?,
                    created_at: r.created_at,
                })
            })
            .collect()
    }

    pub async fn outbox_head(&self) -> Result<i64, StoreError> {
        let row = outbox::Entity::find().order_by_desc(outbox::Column::Seq).one(&self.db).await?;
        Ok(row.map_or(0, |r| r.seq))
    }
}

/// Which orders to list.
#[derive(Clone, Debug, Default)]
pub struct OrderFilter {
    pub customer_id: Option<Uuid>,
    pub company_id: Option<Uuid>,
    pub status: Option<OrderStatus>,
}

async fn place_in<E, F>(
    txn: &DatabaseTransaction,
    new: NewOrder,
    stock: StockWrite<'_>,
    events: impl FnOnce(&Order) -> Vec<OutboxEvent>,
    plan: F,
) -> Result<PlaceOutcome<E>, StoreError>
where
    F: FnOnce(&mut StockSnapshot) -> Result<(), E>,
{
    let NewOrder { mut order, lines, payment, discounts_used, usage_limits, credit_limit } = new;
    // The lines and payment go in with the claim on the cart (one statement on PostgreSQL),
    // before the stock locks: on PostgreSQL every statement after one makes the checkouts waiting
    // for it wait longer. If the cart is taken, the rollback removes them. A concurrent
    // checkout of the same cart waits on the cart's row and then finds it completed; on SQLite
    // the first write takes the write lock at once.
    let backend = txn.get_database_backend();
    let mut batch = Batch::default();
    if !lines.is_empty() {
        batch.push(
            order_lines::Entity::insert_many(
                lines.iter().map(|l| order_line_row(l).into_active_model()),
            )
            .build(backend),
        );
    }
    batch.push(payments::Entity::insert(payment_row(&payment).into_active_model()).build(backend));
    batch.push(
        carts::Entity::update_many()
            .col_expr(carts::Column::OrderId, sea_orm::sea_query::Expr::value(order.id))
            .filter(carts::Column::Id.eq(order.cart_id))
            .filter(carts::Column::OrderId.is_null())
            .build(backend),
    );
    let claimed = batch.run(txn).await?;
    if claimed == 0 {
        return Ok(match order_of_cart(txn, order.cart_id).await? {
            Some(existing) => PlaceOutcome::CartCompleted(Box::new(existing)),
            None => PlaceOutcome::CartMissing,
        });
    }

    let StockWritten { changes, writes, ledger } =
        match write_stock_locked(txn, stock, plan).await? {
            StockPlanned::Written(written) => written,
            StockPlanned::Refused(e) => return Ok(PlaceOutcome::StockRefused(e)),
            StockPlanned::Replayed(_) | StockPlanned::KeyReused => {
                return Err(StoreError::Corrupt("checkout's stock write carries no key".into()))
            }
        };

    // The stock writes with the clock, held to commit: from here on every statement makes
    // all checkouts wait.
    order.number = write_stock_and_number_order(txn, writes).await?;
    for limit in &usage_limits {
        if let Some(total) = limit.total {
            if usage_count(txn, limit.discount_id, None).await? >= i64::from(total) {
                return Ok(PlaceOutcome::DiscountExhausted(limit.discount_id));
            }
        }
        if let (Some(per), Some(customer)) = (limit.per_customer, order.customer_id) {
            if usage_count(txn, limit.discount_id, Some(customer)).await? >= i64::from(per) {
                return Ok(PlaceOutcome::DiscountExhausted(limit.discount_id));
            }
        }
    }
    if let (Some(limit), Some(company)) = (credit_limit, order.company_id) {
        let outstanding = unpaid_invoices(txn, company, limit.currency).await?;
        if outstanding.saturating_add(order.total.minor) > limit.minor {
            return Ok(PlaceOutcome::CreditExceeded {
                outstanding: Money::new(outstanding, limit.currency),
            });
        }
    }
    // The order and everything numbered go in together (one statement on PostgreSQL).
    let now = order.created_at;
    let mut batch = Batch::default();
    batch.push(orders::Entity::insert(order_row(&order).into_active_model()).build(backend));
    let allocations: Vec<order_allocations::ActiveModel> = changes
        .iter()
        .filter(|c| c.kind == MovementKind::Reservation)
        .map(|c| {
            order_allocations::Model {
                id: Uuid::now_v7(),
                order_id: order.id,
                variant_id: c.variant_id,
                location_id: c.location_id,
                quantity: i32::try_from(c.after.reserved - c.before.reserved).unwrap_or(0),
                fulfilled: 0,
                released: 0,
            }
            .into_active_model()
        })
        .collect();
    if !allocations.is_empty() {
        batch.push(order_allocations::Entity::insert_many(allocations).build(backend));
    }
    batch.extend(ledger_inserts(backend, ledger));
    if !discounts_used.is_empty() {
        let reference = format!("order:{}", order.number);
        batch.push(
            discount_usages::Entity::insert_many(discounts_used.iter().map(|d| {
                discount_usages::ActiveModel {
                    id: ActiveValue::Set(Uuid::now_v7()),
                    discount_id: ActiveValue::Set(*d),
                    customer_id: ActiveValue::Set(order.customer_id),
                    reference: ActiveValue::Set(reference.clone()),
                    used_at: ActiveValue::Set(now),
                }
            }))
            .build(backend),
        );
    }
    batch.extend(outbox_insert(backend, &events(&order), now));
    batch.run(txn).await?;
    Ok(PlaceOutcome::Placed(Box::new(order)))
}

async fn usage_count(
    txn: &DatabaseTransaction,
    discount_id: Uuid,
    customer_id: Option<Uuid>,
) -> Result<i64, StoreError> {
    let mut query =
        discount_usages::Entity::find().filter(discount_usages::Column::DiscountId.eq(discount_id));
    if let Some(customer) = customer_id {
        query = query.filter(discount_usages::Column::CustomerId.eq(customer));
    }
    let count = sea_orm::PaginatorTrait::count(query, txn).await?;
    Ok(i64::try_from(count).unwrap_or(i64::MAX))
}

#[derive(FromQueryResult)]
struct Sum {
    total: Option<i64>,
}

/// What the company owes on invoices not yet paid (orders not cancelled).
async fn unpaid_invoices(
    txn: &DatabaseTransaction,
    company_id: Uuid,
    currency: Currency,
) -> Result<i64, StoreError> {
    let mut sql = Sql::default();
    sql.push(
        "SELECT CAST(COALESCE(SUM(o.total_minor), 0) AS BIGINT) AS total FROM orders o \
         JOIN payments p ON p.order_id = o.id \
         WHERE o.company_id = ? AND o.currency = ? AND o.status <> 'cancelled' \
         AND p.provider = 'invoice' AND p.status = 'pending'",
        [Value::from(company_id), Value::from(currency.to_string())],
    );
    let row = Sum::find_by_statement(sql.statement(txn.get_database_backend())).one(txn).await?;
    Ok(row.and_then(|r| r.total).unwrap_or(0))
}

/// Runs the stock writes and takes the stock clock (as [`take_feed_clock`] does) and the next
/// order number, in one statement on PostgreSQL. Numbers increase by one from 1001; a
/// rolled-back checkout gives its number back.
async fn write_stock_and_number_order(
    txn: &DatabaseTransaction,
    mut writes: Batch,
) -> Result<i64, StoreError> {
    writes.push(Statement::from_string(
        txn.get_database_backend(),
        "UPDATE inventory_clock SET writes = writes + 1, \
         last_order_number = last_order_number + 1 WHERE id = 1 \
         RETURNING last_order_number",
    ));
    let row = writes
        .run_returning(txn)
        .await?
        .ok_or_else(|| StoreError::Corrupt("the inventory clock row is missing".into()))?;
    Ok(row.try_get("", "last_order_number")?)
}

/// Keeps concurrent changes of one order apart until commit. On SQLite, as the first write of
/// the transaction, it takes the database's write lock.
async fn lock_order(txn: &DatabaseTransaction, order_id: Uuid) -> Result<(), StoreError> {
    if txn.get_database_backend() != sea_orm::DbBackend::Postgres {
        return take_write_lock(txn).await;
    }
    txn.execute(Statement::from_sql_and_values(
        sea_orm::DbBackend::Postgres,
        "SELECT id FROM orders WHERE id = $1 FOR UPDATE",
        [order_id.into()],
    ))
    .await?;
    Ok(())
}

fn outbox_insert(
    backend: DbBackend,
    events: &[OutboxEvent],
    now: DateTime<Utc>,
) -> Option<Statement> {
    if events.is_empty() {
        return None;
    }
    let insert = outbox::Entity::insert_many(events.iter().map(|e| outbox::ActiveModel {
        seq: ActiveValue::NotSet,
        topic: ActiveValue::Set(e.topic.clone()),
        subject_id: ActiveValue::Set(e.subject_id),
        payload: ActiveValue::Set(e.payload.to_string()),
        created_at: ActiveValue::Set(now),
    }));
    Some(insert.build(backend))
}

async fn apply_change(
    txn: &DatabaseTransaction,
    state: &OrderState,
    change: &OrderChange,
) -> Result<(), StoreError> {
    let now = Utc::now();
    let mut order = orders::Entity::find_by_id(state.order.id)
        .one(txn)
        .await?
        .ok_or(StoreError::NotFound)?
        .into_active_model();
    if let Some(status) = change.status {
        order.status = ActiveValue::Set(status.as_str().to_owned());
        if status == OrderStatus::Cancelled {
            order.cancelled_at = ActiveValue::Set(Some(now));
            order.cancel_reason = ActiveValue::Set(change.cancel_reason.clone());
        }
    }
    order.updated_at = ActiveValue::Set(now);
    orders::Entity::update(order).exec(txn).await?;
    for a in &change.allocations {
        let row = order_allocations::Model {
            id: a.id,
            order_id: a.order_id,
            variant_id: a.variant_id,
            location_id: a.location_id,
            quantity: to_i32(a.quantity),
            fulfilled: to_i32(a.fulfilled),
            released: to_i32(a.released),
        };
        order_allocations::Entity::update(row.into_active_model().reset_all()).exec(txn).await?;
    }
    for (line_id, fulfilled) in &change.fulfilled {
        order_lines::Entity::update_many()
            .col_expr(
                order_lines::Column::FulfilledQuantity,
                sea_orm::sea_query::Expr::value(to_i32(*fulfilled)),
            )
            .filter(order_lines::Column::Id.eq(*line_id))
            .exec(txn)
            .await?;
    }
    if let Some(f) = &change.new_fulfillment {
        fulfillments::Entity::insert(fulfillments::ActiveModel {
            id: ActiveValue::Set(f.id),
            order_id: ActiveValue::Set(f.order_id),
            status: ActiveValue::Set(f.status.as_str().to_owned()),
            carrier: ActiveValue::Set(f.carrier.clone()),
            tracking_number: ActiveValue::Set(f.tracking_number.clone()),
            tracking_url: ActiveValue::Set(f.tracking_url.clone()),
            created_at: ActiveValue::Set(f.created_at),
            updated_at: ActiveValue::Set(f.updated_at),
        })
        .exec_without_returning(txn)
        .await?;
        if !f.lines.is_empty() {
            fulfillment_lines::Entity::insert_many(f.lines.iter().map(|(line, q)| {
                fulfillment_lines::ActiveModel {
                    fulfillment_id: ActiveValue::Set(f.id),
                    order_line_id: ActiveValue::Set(*line),
                    quantity: ActiveValue::Set(to_i32(*q)),
                }
            }))
            .exec_without_returning(txn)
            .await?;
        }
    }
    for e in &change.new_events {
        fulfillment_events::Entity::insert(fulfillment_events::ActiveModel {
            id: ActiveValue::Set(e.id),
            fulfillment_id: ActiveValue::Set(e.fulfillment_id),
            status: ActiveValue::Set(e.status.as_str().to_owned()),
            message: ActiveValue::Set(e.message.clone()),
            happened_at: ActiveValue::Set(e.happened_at),
            created_at: ActiveValue::Set(now),
        })
        .exec_without_returning(txn)
        .await?;
        fulfillments::Entity::update_many()
            .col_expr(
                fulfillments::Column::Status,
                sea_orm::sea_query::Expr::value(e.status.as_str()),
            )
            .col_expr(fulfillments::Column::UpdatedAt, sea_orm::sea_query::Expr::value(now))
            .filter(fulfillments::Column::Id.eq(e.fulfillment_id))
            .exec(txn)
            .await?;
    }
    for p in &change.payments {
        let exists = state.payments.iter().any(|old| old.id == p.id);
        let row = payment_row(p).into_active_model().reset_all();
        if exists {
            payments::Entity::update(row).exec(txn).await?;
        } else {
            payments::Entity::insert(row).exec_without_returning(txn).await?;
        }
    }
    Ok(())
}

fn to_i32(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn to_u32(n: i32) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

async fn order_of_cart<C: ConnectionTrait>(
    db: &C,
    cart_id: Uuid,
) -> Result<Option<Order>, StoreError> {
    orders::Entity::find()
        .filter(orders::Column::CartId.eq(cart_id))
        .one(db)
        .await?
        .map(order)
        .transpose()
}

async fn order_state<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<Option<OrderState>, StoreError> {
    let Some(row) = orders::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    let order = order(row)?;
    let ids = [id];
    let allocations = order_allocations::Entity::find()
        .filter(order_allocations::Column::OrderId.eq(id))
        .order_by_asc(order_allocations::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|a| Allocation {
            id: a.id,
            order_id: a.order_id,
            variant_id: a.variant_id,
            location_id: a.location_id,
            quantity: to_u32(a.quantity),
            fulfilled: to_u32(a.fulfilled),
            released: to_u32(a.released),
        })
        .collect();
    Ok(Some(OrderState {
        lines: order_lines_of(db, &ids).await?,
        allocations,
        payments: payments_of(db, &ids).await?,
        fulfillments: fulfillments_of(db, &ids).await?,
        order,
    }))
}

async fn order_lines_of<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> Result<Vec<OrderLine>, StoreError> {
    let rows = order_lines::Entity::find()
        .filter(order_lines::Column::OrderId.is_in(ids.to_vec()))
        .order_by_asc(order_lines::Column::OrderId)
        .order_by_asc(order_lines::Column::Position)
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(vec![]);
    }
    let currencies: HashMap<Uuid, Currency> = orders::Entity::find()
        .filter(orders::Column::Id.is_in(ids.to_vec()))
        .all(db)
        .await?
        .into_iter()
        .map(|o| Ok((o.id, currency(&o.currency)?)))
        .collect::<Result<_, StoreError>>()?;
    rows.into_iter()
        .map(|l| {
            let c = *currencies.get(&l.order_id).ok_or(StoreError::NotFound)?;
            Ok(OrderLine {
                id: l.id,
                order_id: l.order_id,
                position: l.position,
                variant_id: l.variant_id,
                product_id: l.product_id,
                sku: l.sku,
                product_title: l.product_title,
                variant_title: l.variant_title,
                quantity: to_u32(l.quantity),
                unit_price: Money::new(l.unit_price_minor, c),
                subtotal: Money::new(l.subtotal_minor, c),
                discount: Money::new(l.discount_minor, c),
                tax: Money::new(l.tax_minor, c),
                total: Money::new(l.total_minor, c),
                fulfilled_quantity: to_u32(l.fulfilled_quantity),
            })
        })
        .collect()
}

async fn payments_of<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<Vec<Payment>, StoreError> {
    payments::Entity::find()
        .filter(payments::Column::OrderId.is_in(ids.to_vec()))
        .order_by_asc(payments::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(payment)
        .collect()
}

async fn fulfillments_of<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> Result<Vec<Fulfillment>, StoreError> {
    let rows = fulfillments::Entity::find()
        .filter(fulfillments::Column::OrderId.is_in(ids.to_vec()))
        .order_by_asc(fulfillments::Column::CreatedAt)
        .order_by_asc(fulfillments::Column::Id)
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(vec![]);
    }
    let fids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut lines: HashMap<Uuid, Vec<(Uuid, u32)>> = HashMap::new();
    for l in fulfillment_lines::Entity::find()
        .filter(fulfillment_lines::Column::FulfillmentId.is_in(fids.clone()))
        .all(db)
        .await?
    {
        lines.entry(l.fulfillment_id).or_default().push((l.order_line_id, to_u32(l.quantity)));
    }
    let mut events: HashMap<Uuid, Vec<FulfillmentEvent>> = HashMap::new();
    for e in fulfillment_events::Entity::find()
        .filter(fulfillment_events::Column::FulfillmentId.is_in(fids))
        .order_by_asc(fulfillment_events::Column::HappenedAt)
        .order_by_asc(fulfillment_events::Column::Id)
        .all(db)
        .await?
    {
        events.entry(e.fulfillment_id).or_default().push(FulfillmentEvent {
            id: e.id,
            fulfillment_id: e.fulfillment_id,
            status: shipment_status(&e.status)?,
            message: e.message,
            happened_at: e.happened_at,
        });
    }
    rows.into_iter()
        .map(|f| {
            Ok(Fulfillment {
                id: f.id,
                order_id: f.order_id,
                status: shipment_status(&f.status)?,
                carrier: f.carrier,
                tracking_number: f.tracking_number,
                tracking_url: f.tracking_url,
                lines: lines.remove(&f.id).unwrap_or_default(),
                events: events.remove(&f.id).unwrap_or_default(),
                created_at: f.created_at,
                updated_at: f.updated_at,
            })
        })
        .collect()
}

fn shipment_status(text: &str) -> Result<ShipmentStatus, StoreError> {
    ShipmentStatus::parse(text)
        .ok_or_else(|| StoreError::Corrupt(format!("shipment status `{text}`")))
}

fn order(row: orders::Model) -> Result<Order, StoreError> {
    let c = currency(&row.currency)?;
    Ok(Order {
        id: row.id,
        number: row.number,
        channel_id: row.channel_id,
        cart_id: row.cart_id,
        checkout_key: row.checkout_key,
        customer_id: row.customer_id,
        company_id: row.company_id,
        company_location_id: row.company_location_id,
        email: row.email,
        status: OrderStatus::parse(&row.status)
            .ok_or_else(|| StoreError::Corrupt(format!("order status `{}`", row.status)))?,
        currency: c,
        subtotal: Money::new(row.subtotal_minor, c),
        discount_total: Money::new(row.discount_minor, c),
        shipping_total: Money::new(row.shipping_minor, c),
        tax_total: Money::new(row.tax_minor, c),
        total: Money::new(row.total_minor, c),
        prices_include_tax: row.prices_include_tax,
        shipping_address: row.shipping_address.as_deref().map(from_json).transpose()?,
        billing_address: row.billing_address.as_deref().map(from_json).transpose()?,
        delivery_handle: row.delivery_handle,
        delivery_title: row.delivery_title,
        pickup_location_id: row.pickup_location_id,
        payment_method: PaymentMethod::parse(&row.payment_method).ok_or_else(|| {
            StoreError::Corrupt(format!("payment method `{}`", row.payment_method))
        })?,
        payment_terms: row
            .payment_terms
            .as_deref()
            .map(|t| t.parse::<PaymentTerms>().map_err(|e| StoreError::Corrupt(e.to_string())))
            .transpose()?,
        note: row.note,
        discount_codes: from_json(&row.discount_codes)?,
        created_at: row.created_at,
        updated_at: row.updated_at,
        cancelled_at: row.cancelled_at,
        cancel_reason: row.cancel_reason,
    })
}

fn order_row(o: &Order) -> orders::Model {
    orders::Model {
        id: o.id,
        number: o.number,
        channel_id: o.channel_id,
        cart_id: o.cart_id,
        checkout_key: o.checkout_key.clone(),
        customer_id: o.customer_id,
        company_id: o.company_id,
        company_location_id: o.company_location_id,
        email: o.email.clone(),
        status: o.status.as_str().to_owned(),
        currency: o.currency.to_string(),
        subtotal_minor: o.subtotal.minor,
        discount_minor: o.discount_total.minor,
        shipping_minor: o.shipping_total.minor,
        tax_minor: o.tax_total.minor,
        total_minor: o.total.minor,
        prices_include_tax: o.prices_include_tax,
        shipping_address: o.shipping_address.as_ref().map(to_json),
        billing_address: o.billing_address.as_ref().map(to_json),
        delivery_handle: o.delivery_handle.clone(),
        delivery_title: o.delivery_title.clone(),
        pickup_location_id: o.pickup_location_id,
        payment_method: o.payment_method.as_str().to_owned(),
        payment_terms: o.payment_terms.map(|t| t.as_str().to_owned()),
        note: o.note.clone(),
        discount_codes: to_json(&o.discount_codes),
        created_at: o.created_at,
        updated_at: o.updated_at,
        cancelled_at: o.cancelled_at,
        cancel_reason: o.cancel_reason.clone(),
    }
}

fn order_line_row(l: &OrderLine) -> order_lines::Model {
    order_lines::Model {
        id: l.id,
        order_id: l.order_id,
        position: l.position,
        variant_id: l.variant_id,
        product_id: l.product_id,
        sku: l.sku.clone(),
        product_title: l.product_title.clone(),
        variant_title: l.variant_title.clone(),
        quantity: to_i32(l.quantity),
        unit_price_minor: l.unit_price.minor,
        subtotal_minor: l.subtotal.minor,
        discount_minor: l.discount.minor,
        tax_minor: l.tax.minor,
        total_minor: l.total.minor,
        fulfilled_quantity: to_i32(l.fulfilled_quantity),
    }
}

fn payment(row: payments::Model) -> Result<Payment, StoreError> {
    let c = currency(&row.currency)?;
    Ok(Payment {
        id: row.id,
        order_id: row.order_id,
        provider: PaymentMethod::parse(&row.provider)
            .ok_or_else(|| StoreError::Corrupt(format!("payment provider `{}`", row.provider)))?,
        status: PaymentStatus::parse(&row.status)
            .ok_or_else(|| StoreError::Corrupt(format!("payment status `{}`", row.status)))?,
        amount: Money::new(row.amount_minor, c),
        captured: Money::new(row.captured_minor, c),
        refunded: Money::new(row.refunded_minor, c),
        external_id: row.external_id,
        client_secret: row.client_secret,
        error: row.error,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

fn payment_row(p: &Payment) -> payments::Model {
    payments::Model {
        id: p.id,
        order_id: p.order_id,
        provider: p.provider.as_str().to_owned(),
        status: p.status.as_str().to_owned(),
        currency: p.amount.currency.to_string(),
        amount_minor: p.amount.minor,
        captured_minor: p.captured.minor,
        refunded_minor: p.refunded.minor,
        external_id: p.external_id.clone(),
        client_secret: p.client_secret.clone(),
        error: p.error.clone(),
        created_at: p.created_at,
        updated_at: p.updated_at,
    }
}
