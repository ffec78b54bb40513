//! Inventory use cases: locations, stock adjustments and counts from POS and ERP systems
//! (idempotent, compare-and-set), online reservations, and the live feed of every change.
//!
//! Bulk calls are all-or-nothing: one bad row rejects the whole call, every bad row is
//! reported (`["changes", "17", "delta"]`), and nothing is written. A refused call records no
//! idempotency key, so it may be retried with the same key once fixed.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::Utc;
use sha2::{Digest, Sha256};
use uuid::Uuid;
use vitrine_domain::access::Actor;
use vitrine_domain::inventory::{
    allocate_online_order, Address, LedgerEntry, Location, LocationKind, StockError, StockMovement,
    StockSnapshot,
};
use vitrine_store::{
    IdempotencyKey, InventoryLevelRecord, LedgerQuery, LevelQuery, StockWrite, StockWriteOutcome,
    Store,
};

use crate::error::{AppError, AppResult, ErrorCode, UserError};
use crate::feed::InventoryFeed;

/// Rows accepted in one bulk call.
pub const MAX_ROWS: usize = 10_000;
const MAX_KEY_LEN: usize = 255;
const MAX_REASON_LEN: usize = 255;

#[derive(Clone, Debug, Default)]
pub struct LocationInput {
    pub name: Option<String>,
    pub kind: Option<LocationKind>,
    pub address: Option<Address>,
    pub fulfills_online_orders: Option<bool>,
    pub pickup_enabled: Option<bool>,
    pub priority: Option<i32>,
}

#[derive(Clone, Debug)]
pub struct QuantityChange {
    pub sku: String,
    pub location_id: Uuid,
    pub delta: i64,
}

#[derive(Clone, Debug)]
pub struct QuantityCount {
    pub sku: String,
    pub location_id: Uuid,
    pub quantity: i64,
    /// Write only if on hand still equals this (compare-and-set).
    pub change_from_quantity: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct SafetyStock {
    pub sku: String,
    pub location_id: Uuid,
    pub safety_stock: i64,
}

/// Who and why, for the ledger.
#[derive(Clone, Debug)]
pub struct StockContext {
    pub reason: String,
    pub reference_document_uri: Option<String>,
    pub idempotency_key: Option<String>,
}

/// The result of one stock call: its ledger entries, in order.
#[derive(Clone, Debug, PartialEq)]
pub struct AdjustmentGroup {
    pub id: Uuid,
    pub reason: String,
    pub reference_document_uri: Option<String>,
    pub entries: Vec<LedgerEntry>,
    /// True when an earlier call with the same idempotency key did the work.
    pub replayed: bool,
}

#[derive(Clone)]
pub struct InventoryService {
    store: Store,
    feed: Arc<InventoryFeed>,
}

impl InventoryService {
    pub fn new(store: Store, feed: Arc<InventoryFeed>) -> Self {
        Self { store, feed }
    }

    pub fn feed(&self) -> &Arc<InventoryFeed> {
        &self.feed
    }

    // ---- locations ----------------------------------------------------------------------------

    pub async fn locations(&self) -> AppResult<Vec<Location>> {
        Ok(self.store.locations().await?)
    }

    pub async fn location(&self, id: Uuid) -> AppResult<Option<Location>> {
        Ok(self.store.locations().await?.into_iter().find(|l| l.id == id))
    }

    /// Creates a location (`id` none) or changes one; fields left out keep their values.
    pub async fn location_save(
        &self,
        id: Option<Uuid>,
        input: LocationInput,
    ) -> AppResult<Location> {
        let mut location = match id {
            Some(id) => self
                .location(id)
                .await?
                .ok_or_else(|| AppError::user(UserError::not_found("id", "location")))?,
            None => Location {
                id: Uuid::now_v7(),
                name: String::new(),
                kind: LocationKind::Shop,
                address: Address::default(),
                fulfills_online_orders: false,
                pickup_enabled: false,
                priority: 0,
                created_at: Utc::now(),
            },
        };
        let mut errors = Vec::new();
        if let Some(name) = input.name {
            location.name = name.trim().to_owned();
        }
        if location.name.is_empty() {
            errors.push(UserError::new(&["name"], ErrorCode::Blank, "a location needs a name"));
        } else if location.name.chars().count() > 255 {
            errors.push(UserError::new(&["name"], ErrorCode::TooLong, "at most 255 characters"));
        }
        if let Some(kind) = input.kind {
            location.kind = kind;
        }
        if let Some(address) = input.address {
            location.address = address;
        }
        let code = &location.address.country_code;
        if !(code.len() == 2 && code.chars().all(|c| c.is_ascii_uppercase())) {
            errors.push(UserError::new(
                &["address", "countryCode"],
                ErrorCode::Invalid,
                "a two-letter ISO 3166 country code, e.g. FR",
            ));
        }
        if let Some(v) = input.fulfills_online_orders {
            location.fulfills_online_orders = v;
        }
        if let Some(v) = input.pickup_enabled {
            location.pickup_enabled = v;
        }
        if let Some(v) = input.priority {
            location.priority = v;
        }
        if !errors.is_empty() {
            return Err(AppError::User(errors));
        }
        self.store.save_location(&location).await?;
        Ok(location)
    }

    // ---- reads --------------------------------------------------------------------------------

    pub async fn levels(&self, query: &LevelQuery) -> AppResult<Vec<InventoryLevelRecord>> {
        Ok(self.store.inventory_levels(query).await?)
    }

    pub async fn changes(&self, query: &LedgerQuery) -> AppResult<Vec<LedgerEntry>> {
        Ok(self.store.ledger_entries(query).await?)
    }

    // ---- writes -------------------------------------------------------------------------------

    /// Relative changes of what is on hand (a shop sale is -1).
    pub async fn adjust_quantities(
        &self,
        actor: &Actor,
        context: StockContext,
        changes: Vec<QuantityChange>,
    ) -> AppResult<AdjustmentGroup> {
        check_rows(changes.len(), "changes")?;
        let fingerprint = fingerprint(
            "adjust",
            &context,
            changes.iter().map(|c| format!("{}|{}|{}", c.sku, c.location_id, c.delta)),
        );
        let skus = distinct_skus(changes.iter().map(|c| &c.sku));
        self.write(
            "inventoryAdjustQuantities",
            actor,
            &context,
            &fingerprint,
            &skus,
            &[],
            |snapshot| {
                plan_rows(
                    snapshot,
                    &changes,
                    "changes",
                    |c| (&c.sku, c.location_id),
                    |snapshot, variant, location, change| {
                        if change.delta == 0 {
                            return Err(UserError::new(
                                &["delta"],
                                ErrorCode::Invalid,
                                "a change of 0 changes nothing",
                            ));
                        }
                        let movement = StockMovement::Adjust { delta: change.delta };
                        snapshot
                            .apply(variant, location, movement)
                            .map(drop)
                            .map_err(|e| stock_error(e, "delta"))
                    },
                )
            },
        )
        .await
    }

    /// Absolute counts (a stock take), each optionally compare-and-set.
    pub async fn set_quantities(
        &self,
        actor: &Actor,
        context: StockContext,
        counts: Vec<QuantityCount>,
    ) -> AppResult<AdjustmentGroup> {
        check_rows(counts.len(), "quantities")?;
        let fingerprint = fingerprint(
            "set",
            &context,
            counts.iter().map(|c| {
                format!("{}|{}|{}|{:?}", c.sku, c.location_id, c.quantity, c.change_from_quantity)
            }),
        );
        let skus = distinct_skus(counts.iter().map(|c| &c.sku));
        self.write(
            "inventorySetQuantities",
            actor,
            &context,
            &fingerprint,
            &skus,
            &[],
            |snapshot| {
                let mut seen = HashSet::new();
                plan_rows(
                    snapshot,
                    &counts,
                    "quantities",
                    |c| (&c.sku, c.location_id),
                    |snapshot, variant, location, count| {
                        if !seen.insert((variant, location)) {
                            return Err(UserError::new(
                                &["sku"],
                                ErrorCode::Invalid,
                                "this SKU and location are counted twice",
                            ));
                        }
                        if snapshot.level(variant, location).on_hand == count.quantity
                            && count.change_from_quantity.is_none_or(|e| e == count.quantity)
                        {
                            // Already right: no ledger line for a count that changes nothing.
                            return Ok(());
                        }
                        let movement = StockMovement::Set {
                            quantity: count.quantity,
                            expected: count.change_from_quantity,
                        };
                        snapshot
                            .apply(variant, location, movement)
                            .map(drop)
                            .map_err(|e| stock_error(e, "quantity"))
                    },
                )
            },
        )
        .await
    }

    /// Sets how many units each level withholds from online sale (display pieces, a buffer).
    pub async fn set_safety_stock(
        &self,
        actor: &Actor,
        context: StockContext,
        rows: Vec<SafetyStock>,
    ) -> AppResult<AdjustmentGroup> {
        check_rows(rows.len(), "quantities")?;
        let fingerprint = fingerprint(
            "safety",
            &context,
            rows.iter().map(|r| format!("{}|{}|{}", r.sku, r.location_id, r.safety_stock)),
        );
        let skus = distinct_skus(rows.iter().map(|r| &r.sku));
        self.write(
            "inventorySetSafetyStock",
            actor,
            &context,
            &fingerprint,
            &skus,
            &[],
            |snapshot| {
                plan_rows(
                    snapshot,
                    &rows,
                    "quantities",
                    |r| (&r.sku, r.location_id),
                    |snapshot, variant, location, row| {
                        let movement = StockMovement::SetSafetyStock { quantity: row.safety_stock };
                        snapshot
                            .apply(variant, location, movement)
                            .map(drop)
                            .map_err(|e| stock_error(e, "safetyStock"))
                    },
                )
            },
        )
        .await
    }

    /// Reserves stock for an online order, taking each line from the locations the allocation
    /// rule picks (`vitrine_domain::inventory::allocate_online_order`). All lines or none.
    pub async fn reserve_online_order(
        &self,
        actor: &Actor,
        context: StockContext,
        lines: Vec<(Uuid, i64)>,
    ) -> AppResult<AdjustmentGroup> {
        check_rows(lines.len(), "lines")?;
        let fingerprint =
            fingerprint("reserve", &context, lines.iter().map(|(v, q)| format!("{v}|{q}")));
        let ids: Vec<Uuid> = lines.iter().map(|l| l.0).collect();
        self.write("reserveOnlineOrder", actor, &context, &fingerprint, &[], &ids, |snapshot| {
            plan_online_reservation(snapshot, &lines)
        })
        .await
    }

    /// Releases (cancellation) or fulfils (shipment) reserved units at given locations.
    pub async fn settle_reservations(
        &self,
        actor: &Actor,
        context: StockContext,
        lines: Vec<(Uuid, Uuid, i64)>,
        fulfil: bool,
    ) -> AppResult<AdjustmentGroup> {
        check_rows(lines.len(), "lines")?;
        let fingerprint = fingerprint(
            if fulfil { "fulfil" } else { "release" },
            &context,
            lines.iter().map(|(v, l, q)| format!("{v}|{l}|{q}")),
        );
        let ids: Vec<Uuid> = lines.iter().map(|l| l.0).collect();
        let scope = if fulfil { "fulfilReservations" } else { "releaseReservations" };
        self.write(scope, actor, &context, &fingerprint, &[], &ids, |snapshot| {
            let mut errors = Vec::new();
            for (i, (variant_id, location_id, quantity)) in lines.iter().enumerate() {
                let row = ["lines".to_owned(), i.to_string()];
                if snapshot.item(*variant_id).is_none() {
                    errors.push(UserError::not_found("variantId", "variant").at(&row));
                    continue;
                }
                let movement = if fulfil {
                    StockMovement::Fulfil { quantity: *quantity }
                } else {
                    StockMovement::Release { quantity: *quantity }
                };
                if let Err(e) = snapshot.apply(*variant_id, *location_id, movement) {
                    errors.push(stock_error(e, "quantity").at(&row));
                }
            }
            if errors.is_empty() {
                Ok(())
            } else {
                Err(errors)
            }
        })
        .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn write(
        &self,
        operation: &str,
        actor: &Actor,
        context: &StockContext,
        fingerprint: &str,
        skus: &[String],
        variant_ids: &[Uuid],
        plan: impl FnOnce(&mut StockSnapshot) -> Result<(), Vec<UserError>>,
    ) -> AppResult<AdjustmentGroup> {
        let reason = context.reason.trim();
        if reason.is_empty() {
            return Err(AppError::user(UserError::new(
                &["reason"],
                ErrorCode::Blank,
                "say why stock moves, e.g. sale, restock, stock take, damaged",
            )));
        }
        if reason.chars().count() > MAX_REASON_LEN {
            return Err(AppError::user(UserError::new(
                &["reason"],
                ErrorCode::TooLong,
                "at most 255 characters",
            )));
        }
        let actor_name = actor_label(actor);
        let scope = format!("{operation}:{actor_name}");
        let key = match &context.idempotency_key {
            Some(k) if k.is_empty() || k.len() > MAX_KEY_LEN => {
                return Err(AppError::user(UserError::new(
                    &["idempotencyKey"],
                    ErrorCode::Invalid,
                    "an idempotency key has 1 to 255 characters",
                )))
            }
            Some(k) => Some(IdempotencyKey { scope: &scope, key: k, fingerprint }),
            None => None,
        };
        let group_id = Uuid::now_v7();
        let write = StockWrite {
            group_id,
            skus,
            variant_ids,
            reason,
            reference_document_uri: context.reference_document_uri.as_deref(),
            actor: &actor_name,
            idempotency: key,
        };
        let outcome = self.store.write_stock(write, plan).await?;
        let (entries, replayed) = match outcome {
            StockWriteOutcome::Written(entries) => {
                self.feed.notify_local_write();
                (entries, false)
            }
            StockWriteOutcome::Replayed(entries) => (entries, true),
            StockWriteOutcome::Refused(errors) => return Err(AppError::User(errors)),
            StockWriteOutcome::KeyReused => {
                return Err(AppError::user(UserError::new(
                    &["idempotencyKey"],
                    ErrorCode::IdempotencyKeyReused,
                    "this idempotency key was used for a different request",
                )))
            }
        };
        let id = entries.first().map_or(group_id, |e| e.group_id);
        Ok(AdjustmentGroup {
            id,
            reason: entries.first().map_or_else(|| reason.to_owned(), |e| e.reason.clone()),
            reference_document_uri: entries.first().map_or_else(
                || context.reference_document_uri.clone(),
                |e| e.reference_document_uri.clone(),
            ),
            entries,
            replayed,
        })
    }
}

fn check_rows(n: usize, field: &str) -> AppResult<()> {
    if n == 0 {
        return Err(AppError::user(UserError::new(
            &[field],
            ErrorCode::Blank,
            "give at least one row",
        )));
    }
    if n > MAX_ROWS {
        return Err(AppError::user(UserError::new(
            &[field],
            ErrorCode::TooMany,
            format!("at most {MAX_ROWS} rows per call"),
        )));
    }
    Ok(())
}

fn distinct_skus<'a>(skus: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut all: Vec<String> = skus.cloned().collect();
    all.sort();
    all.dedup();
    all
}

/// Applies `apply_row` to each row whose SKU and location exist, collecting every row's
/// errors under its path (`["changes", "3", "sku"]`); any error refuses the whole call.
fn plan_rows<R>(
    snapshot: &mut StockSnapshot,
    rows: &[R],
    list: &str,
    locate: impl Fn(&R) -> (&String, Uuid),
    mut apply_row: impl FnMut(&mut StockSnapshot, Uuid, Uuid, &R) -> Result<(), UserError>,
) -> Result<(), Vec<UserError>> {
    let mut errors = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let at = [list.to_owned(), i.to_string()];
        let (sku, location_id) = locate(row);
        let item = snapshot.item_by_sku(sku).map(|item| item.variant_id);
        if item.is_none() {
            errors.push(UserError::not_found("sku", "variant with this SKU").at(&at));
        }
        let location = snapshot.location(location_id).map(|l| l.id);
        if location.is_none() {
            errors.push(UserError::not_found("locationId", "location").at(&at));
        }
        let (Some(variant), Some(location)) = (item, location) else { continue };
        if let Err(e) = apply_row(snapshot, variant, location, row) {
            errors.push(e.at(&at));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Reserves each line's units at the locations the allocation rule picks; every line's
/// problem is reported at `["lines", i, "quantity"]`.
pub(crate) fn plan_online_reservation(
    snapshot: &mut StockSnapshot,
    lines: &[(Uuid, i64)],
) -> Result<(), Vec<UserError>> {
    reserve_online(snapshot, lines)
        .map_err(|errors| errors.into_iter().map(|(i, e)| e.in_row("lines", i)).collect())
}

/// As [`plan_online_reservation`], each problem with the index of its line and a path
/// relative to the line, for callers whose lines are not an input list (checkout).
pub(crate) fn reserve_online(
    snapshot: &mut StockSnapshot,
    lines: &[(Uuid, i64)],
) -> Result<(), Vec<(usize, UserError)>> {
    let mut errors = Vec::new();
    for (i, (variant_id, quantity)) in lines.iter().enumerate() {
        if snapshot.item(*variant_id).is_none() {
            errors.push((i, UserError::not_found("variantId", "variant")));
            continue;
        }
        match allocate_online_order(&snapshot.allocation_candidates(*variant_id), *quantity) {
            Ok(taken) => {
                for (location_id, q) in taken {
                    if let Err(e) = snapshot.apply(
                        *variant_id,
                        location_id,
                        StockMovement::Reserve { quantity: q },
                    ) {
                        errors.push((i, stock_error(e, "quantity")));
                    }
                }
            }
            Err(e) => errors.push((i, stock_error(e, "quantity"))),
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn stock_error(e: StockError, field: &str) -> UserError {
    let (code, field) = match e {
        StockError::InsufficientStock { .. } => (ErrorCode::InsufficientStock, field),
        StockError::ChangedMeanwhile { .. } => {
            (ErrorCode::ChangeFromQuantityStale, "changeFromQuantity")
        }
        StockError::BelowReserved { .. } => (ErrorCode::BelowReserved, field),
        StockError::NotReserved { .. } => (ErrorCode::NotReserved, field),
        StockError::Negative | StockError::NotPositive => (ErrorCode::Invalid, field),
        StockError::TooMany => (ErrorCode::AboveMaximum, field),
    };
    UserError::new(&[field], code, e.to_string())
}

/// How the ledger names who moved stock; also scopes idempotency keys per caller.
pub fn actor_label(actor: &Actor) -> String {
    match actor {
        Actor::Anonymous => "anonymous".to_owned(),
        Actor::Customer { id } => format!("customer:{id}"),
        Actor::Staff { id, .. } => format!("staff:{id}"),
        Actor::Integrator { token_id, .. } => format!("token:{token_id}"),
    }
}

/// What a request asked, so that a key reused for something else is caught.
fn fingerprint(
    operation: &str,
    context: &StockContext,
    rows: impl Iterator<Item = String>,
) -> String {
    let mut hash = Sha256::new();
    hash.update(operation.as_bytes());
    hash.update([0]);
    hash.update(context.reason.trim().as_bytes());
    hash.update([0]);
    hash.update(context.reference_document_uri.as_deref().unwrap_or("").as_bytes());
    for row in rows {
        hash.update([0]);
        hash.update(row.as_bytes());
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}
