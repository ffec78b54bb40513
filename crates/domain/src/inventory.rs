//! Stock arithmetic: what a movement does to a variant's level at one location, which
//! locations an online order takes its units from, and how much a variant can sell online.
//!
//! The one invariant everything here guards: `available = on_hand - reserved` never goes below
//! zero, whichever path moves stock (a POS sale, a stock take, an online reservation, an admin).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Where stock is kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LocationKind {
    Warehouse,
    Shop,
}

impl LocationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LocationKind::Warehouse => "warehouse",
            LocationKind::Shop => "shop",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "warehouse" => Some(LocationKind::Warehouse),
            "shop" => Some(LocationKind::Shop),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct Address {
    pub address1: String,
    pub address2: Option<String>,
    pub city: String,
    pub zip: String,
    /// ISO 3166-1 alpha-2.
    pub country_code: String,
}

/// A shop or warehouse.
#[derive(Clone, Debug, PartialEq)]
pub struct Location {
    pub id: Uuid,
    pub name: String,
    pub kind: LocationKind,
    pub address: Address,
    /// Whether online orders may be fulfilled (shipped) from here.
    pub fulfills_online_orders: bool,
    /// Whether shoppers may collect orders here.
    pub pickup_enabled: bool,
    /// Among locations of the same kind, lower numbers give stock to online orders first.
    pub priority: i32,
    pub created_at: DateTime<Utc>,
}

/// A variant's stock at one location.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockLevel {
    pub on_hand: i64,
    /// Units committed to orders that are not fulfilled yet.
    pub reserved: i64,
    /// Units withheld from online sale (display pieces, a buffer against miscounts).
    pub safety_stock: i64,
}

impl StockLevel {
    pub fn available(&self) -> i64 {
        self.on_hand - self.reserved
    }

    /// What online orders may still take from this level.
    pub fn sellable_online(&self) -> i64 {
        (self.available() - self.safety_stock).max(0)
    }
}

/// One change to one level. Counts are in units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StockMovement {
    /// A relative change of what is on hand: a shop sale (-1), a delivery received (+12).
    Adjust { delta: i64 },
    /// An absolute count (a stock take). With `expected`, only if on hand still equals it.
    Set { quantity: i64, expected: Option<i64> },
    /// Units an online order takes from what may sell online.
    Reserve { quantity: i64 },
    /// Units an order no longer needs (cancelled).
    Release { quantity: i64 },
    /// Reserved units that left the building: both on hand and reserved go down.
    Fulfil { quantity: i64 },
    /// Changes how many units are withheld from online sale.
    SetSafetyStock { quantity: i64 },
}

impl StockMovement {
    /// The ledger's name for the movement.
    pub fn kind(&self) -> MovementKind {
        match self {
            StockMovement::Adjust { .. } => MovementKind::Adjustment,
            StockMovement::Set { .. } => MovementKind::Count,
            StockMovement::Reserve { .. } => MovementKind::Reservation,
            StockMovement::Release { .. } => MovementKind::Release,
            StockMovement::Fulfil { .. } => MovementKind::Fulfilment,
            StockMovement::SetSafetyStock { .. } => MovementKind::SafetyStock,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MovementKind {
    Adjustment,
    Count,
    Reservation,
    Release,
    Fulfilment,
    SafetyStock,
}

impl MovementKind {
    pub const ALL: [MovementKind; 6] = [
        MovementKind::Adjustment,
        MovementKind::Count,
        MovementKind::Reservation,
        MovementKind::Release,
        MovementKind::Fulfilment,
        MovementKind::SafetyStock,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MovementKind::Adjustment => "adjustment",
            MovementKind::Count => "count",
            MovementKind::Reservation => "reservation",
            MovementKind::Release => "release",
            MovementKind::Fulfilment => "fulfilment",
            MovementKind::SafetyStock => "safety_stock",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// What a buyer asking for more than can be sold is told. The count is given only where the
/// channel shows stock counts: elsewhere a message must not reveal what the fields hide.
pub fn shortage_message(available: i64, show_counts: bool) -> String {
    if show_counts {
        format!("only {} available", available.max(0))
    } else {
        "not enough in stock".to_owned()
    }
}

/// The most units one level may count. GraphQL's `Int` is 32 bits: counts above it could not
/// be shown, so stock is bounded well below.
pub const MAX_UNITS: i64 = 1_000_000_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StockError {
    #[error("a level counts at most {MAX_UNITS} units")]
    TooMany,
    #[error("only {available} available")]
    InsufficientStock { available: i64 },
    #[error("the quantity is {current}, not the expected one")]
    ChangedMeanwhile { current: i64 },
    #[error("{reserved} units are reserved for orders; the count cannot be lower")]
    BelowReserved { reserved: i64 },
    #[error("only {reserved} units are reserved")]
    NotReserved { reserved: i64 },
    #[error("quantities must not be negative")]
    Negative,
    #[error("the quantity must be positive")]
    NotPositive,
}

/// The level after `movement`, or why it may not happen.
pub fn apply_movement(
    level: StockLevel,
    movement: StockMovement,
) -> Result<StockLevel, StockError> {
    let mut next = level;
    match movement {
        StockMovement::Adjust { delta } => {
            next.on_hand = level.on_hand.checked_add(delta).ok_or(StockError::TooMany)?;
            if next.on_hand > MAX_UNITS {
                return Err(StockError::TooMany);
            }
            if delta < 0 && next.available() < 0 {
                return Err(StockError::InsufficientStock { available: level.available() });
            }
        }
        StockMovement::Set { quantity, expected } => {
            if expected.is_some_and(|e| e != level.on_hand) {
                return Err(StockError::ChangedMeanwhile { current: level.on_hand });
            }
            if quantity < 0 {
                return Err(StockError::Negative);
            }
            if quantity > MAX_UNITS {
                return Err(StockError::TooMany);
            }
            if quantity < level.reserved {
                return Err(StockError::BelowReserved { reserved: level.reserved });
            }
            next.on_hand = quantity;
        }
        StockMovement::Reserve { quantity } => {
            if quantity <= 0 {
                return Err(StockError::NotPositive);
            }
            if quantity > level.sellable_online() {
                return Err(StockError::InsufficientStock { available: level.sellable_online() });
            }
            next.reserved += quantity;
        }
        StockMovement::Release { quantity } | StockMovement::Fulfil { quantity } => {
            if quantity <= 0 {
                return Err(StockError::NotPositive);
            }
            if quantity > level.reserved {
                return Err(StockError::NotReserved { reserved: level.reserved });
            }
            next.reserved -= quantity;
            if matches!(movement, StockMovement::Fulfil { .. }) {
                next.on_hand -= quantity;
            }
        }
        StockMovement::SetSafetyStock { quantity } => {
            if quantity < 0 {
                return Err(StockError::Negative);
            }
            if quantity > MAX_UNITS {
                return Err(StockError::TooMany);
            }
            next.safety_stock = quantity;
        }
    }
    Ok(next)
}

/// A location's offer of one variant to an online order.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AllocationCandidate {
    pub location_id: Uuid,
    pub kind: LocationKind,
    pub priority: i32,
    pub fulfills_online_orders: bool,
    pub level: StockLevel,
}

/// Where an online order takes `quantity` units of one variant from: warehouses before shops,
/// then by priority (lower first), then by location id so that the choice is deterministic;
/// each location gives what it can sell online before the next is asked. Locations that do not
/// ship online orders give nothing. Fails, taking nothing, when all of them together have less.
pub fn allocate_online_order(
    candidates: &[AllocationCandidate],
    quantity: i64,
) -> Result<Vec<(Uuid, i64)>, StockError> {
    if quantity <= 0 {
        return Err(StockError::NotPositive);
    }
    let mut ordered: Vec<&AllocationCandidate> =
        candidates.iter().filter(|c| c.fulfills_online_orders).collect();
    ordered.sort_by_key(|c| (c.kind != LocationKind::Warehouse, c.priority, c.location_id));
    let total: i64 = ordered.iter().map(|c| c.level.sellable_online()).sum();
    if total < quantity {
        return Err(StockError::InsufficientStock { available: total });
    }
    let mut remaining = quantity;
    let mut taken = Vec::new();
    for c in ordered {
        if remaining == 0 {
            break;
        }
        let take = c.level.sellable_online().min(remaining);
        if take > 0 {
            taken.push((c.location_id, take));
            remaining -= take;
        }
    }
    Ok(taken)
}

/// How many units of a variant may sell online: the sum over the locations that ship online
/// orders. This is what the storefront's availability is computed from.
pub fn online_quantity<'a>(levels: impl IntoIterator<Item = (&'a StockLevel, bool)>) -> i64 {
    levels.into_iter().filter(|(_, ships)| *ships).map(|(l, _)| l.sellable_online()).sum()
}

/// What a variant is, as far as stock is concerned.
#[derive(Clone, Debug, PartialEq)]
pub struct StockItem {
    pub variant_id: Uuid,
    pub product_id: Uuid,
    pub sku: String,
    /// The variant's quantity for online sale as last computed (`online_quantity`).
    pub online_quantity: i64,
}

/// A level before and after one movement.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LevelChange {
    pub variant_id: Uuid,
    pub location_id: Uuid,
    pub kind: MovementKind,
    pub before: StockLevel,
    pub after: StockLevel,
}

/// The current stock of some variants at every location, inside the write that will change it.
/// A planner applies movements to it; the store then persists the changes it recorded, so the
/// rules stay here and the SQL stays in the store.
#[derive(Clone, Debug, Default)]
pub struct StockSnapshot {
    locations: Vec<Location>,
    items: Vec<StockItem>,
    item_by_variant: HashMap<Uuid, usize>,
    item_by_sku: HashMap<String, usize>,
    levels: HashMap<(Uuid, Uuid), StockLevel>,
    changes: Vec<LevelChange>,
}

impl StockSnapshot {
    pub fn new(
        locations: Vec<Location>,
        items: Vec<StockItem>,
        levels: impl IntoIterator<Item = ((Uuid, Uuid), StockLevel)>,
    ) -> Self {
        let item_by_variant =
            items.iter().enumerate().map(|(i, item)| (item.variant_id, i)).collect();
        let item_by_sku = items.iter().enumerate().map(|(i, item)| (item.sku.clone(), i)).collect();
        Self {
            locations,
            items,
            item_by_variant,
            item_by_sku,
            levels: levels.into_iter().collect(),
            changes: vec![],
        }
    }

    pub fn location(&self, id: Uuid) -> Option<&Location> {
        self.locations.iter().find(|l| l.id == id)
    }

    pub fn item_by_sku(&self, sku: &str) -> Option<&StockItem> {
        self.item_by_sku.get(sku).map(|&i| &self.items[i])
    }

    pub fn item(&self, variant_id: Uuid) -> Option<&StockItem> {
        self.item_by_variant.get(&variant_id).map(|&i| &self.items[i])
    }

    pub fn items(&self) -> &[StockItem] {
        &self.items
    }

    /// A variant's level at a location; a level never written is all zeros.
    pub fn level(&self, variant_id: Uuid, location_id: Uuid) -> StockLevel {
        self.levels.get(&(variant_id, location_id)).copied().unwrap_or_default()
    }

    /// Applies a movement to the working copy, recording the change; nothing is recorded when
    /// the movement is refused.
    pub fn apply(
        &mut self,
        variant_id: Uuid,
        location_id: Uuid,
        movement: StockMovement,
    ) -> Result<LevelChange, StockError> {
        let before = self.level(variant_id, location_id);
        let after = apply_movement(before, movement)?;
        let change = LevelChange { variant_id, location_id, kind: movement.kind(), before, after };
        self.levels.insert((variant_id, location_id), after);
        self.changes.push(change);
        Ok(change)
    }

    /// The candidates for an online order of one variant, at every location.
    pub fn allocation_candidates(&self, variant_id: Uuid) -> Vec<AllocationCandidate> {
        self.locations
            .iter()
            .map(|l| AllocationCandidate {
                location_id: l.id,
                kind: l.kind,
                priority: l.priority,
                fulfills_online_orders: l.fulfills_online_orders,
                level: self.level(variant_id, l.id),
            })
            .collect()
    }

    /// A variant's quantity for online sale in the working copy.
    pub fn online_quantity(&self, variant_id: Uuid) -> i64 {
        online_quantity(self.locations.iter().filter_map(|l| {
            Some((self.levels.get(&(variant_id, l.id))?, l.fulfills_online_orders))
        }))
    }

    pub fn changes(&self) -> &[LevelChange] {
        &self.changes
    }
}

/// One line of the stock ledger: a movement as it happened.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LedgerEntry {
    /// Position in the ledger; the changes feed's cursor. Strictly increasing in commit order.
    pub seq: i64,
    /// The call (an adjustment group, a reservation) the entry belongs to.
    pub group_id: Uuid,
    pub variant_id: Uuid,
    pub sku: String,
    pub location_id: Uuid,
    pub kind: MovementKind,
    pub before: StockLevel,
    pub after: StockLevel,
    pub reason: String,
    pub reference_document_uri: Option<String>,
    /// Who moved the stock: `staff:<id>`, `token:<id>`, `system:…`.
    pub actor: String,
    /// The key the caller sent with the write, if any.
    pub idempotency_key: Option<String>,
    pub occurred_at: DateTime<Utc>,
}

impl LedgerEntry {
    pub fn on_hand_delta(&self) -> i64 {
        self.after.on_hand - self.before.on_hand
    }

    pub fn reserved_delta(&self) -> i64 {
        self.after.reserved - self.before.reserved
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn level(on_hand: i64, reserved: i64, safety_stock: i64) -> StockLevel {
        StockLevel { on_hand, reserved, safety_stock }
    }

    #[test]
    fn a_sale_of_the_last_available_unit_succeeds_and_the_next_is_refused() {
        let l =
            apply_movement(level(3, 2, 0), StockMovement::Adjust { delta: -1 }).expect("allowed");
        assert_eq!(l.available(), 0);
        assert_eq!(
            apply_movement(l, StockMovement::Adjust { delta: -1 }),
            Err(StockError::InsufficientStock { available: 0 })
        );
    }

    #[test]
    fn no_level_counts_more_than_a_graphql_int_can_show() {
        let full = level(MAX_UNITS, 0, 0);
        assert_eq!(
            apply_movement(full, StockMovement::Adjust { delta: 1 }),
            Err(StockError::TooMany)
        );
        let huge = StockMovement::Set { quantity: MAX_UNITS + 1, expected: None };
        assert_eq!(apply_movement(level(0, 0, 0), huge), Err(StockError::TooMany));
        let safety = StockMovement::SetSafetyStock { quantity: MAX_UNITS + 1 };
        assert_eq!(apply_movement(level(0, 0, 0), safety), Err(StockError::TooMany));
        let wrap = StockMovement::Adjust { delta: i64::MAX };
        assert_eq!(apply_movement(level(5, 0, 0), wrap), Err(StockError::TooMany));
        assert!(MAX_UNITS < i64::from(i32::MAX));
    }

    #[test]
    fn a_count_with_a_stale_expected_quantity_reports_the_current_one() {
        let r =
            apply_movement(level(7, 0, 0), StockMovement::Set { quantity: 5, expected: Some(6) });
        assert_eq!(r, Err(StockError::ChangedMeanwhile { current: 7 }));
        let l =
            apply_movement(level(7, 0, 0), StockMovement::Set { quantity: 5, expected: Some(7) });
        assert_eq!(l.expect("allowed").on_hand, 5);
    }

    #[test]
    fn a_count_below_what_is_reserved_is_refused() {
        let r = apply_movement(level(7, 4, 0), StockMovement::Set { quantity: 3, expected: None });
        assert_eq!(r, Err(StockError::BelowReserved { reserved: 4 }));
    }

    #[test]
    fn online_reservations_leave_the_safety_stock_alone() {
        let l = level(5, 0, 2);
        assert_eq!(
            apply_movement(l, StockMovement::Reserve { quantity: 4 }),
            Err(StockError::InsufficientStock { available: 3 })
        );
        assert_eq!(
            apply_movement(l, StockMovement::Reserve { quantity: 3 }).expect("allowed").reserved,
            3
        );
    }

    #[test]
    fn fulfilment_turns_a_reservation_into_a_decrement() {
        let l =
            apply_movement(level(5, 2, 0), StockMovement::Fulfil { quantity: 2 }).expect("allowed");
        assert_eq!(l, level(3, 0, 0));
        assert_eq!(
            apply_movement(l, StockMovement::Release { quantity: 1 }),
            Err(StockError::NotReserved { reserved: 0 })
        );
    }

    fn candidate(
        id: u128,
        kind: LocationKind,
        priority: i32,
        ships: bool,
        on_hand: i64,
    ) -> AllocationCandidate {
        AllocationCandidate {
            location_id: Uuid::from_u128(id),
            kind,
            priority,
            fulfills_online_orders: ships,
            level: level(on_hand, 0, 0),
        }
    }

    #[test]
    fn online_orders_take_from_the_warehouse_first_then_shops_that_ship() {
        let candidates = [
            candidate(1, LocationKind::Shop, 0, true, 5),
            candidate(2, LocationKind::Shop, 1, false, 50),
            candidate(3, LocationKind::Warehouse, 9, true, 2),
        ];
        let taken = allocate_online_order(&candidates, 4).expect("allowed");
        assert_eq!(taken, vec![(Uuid::from_u128(3), 2), (Uuid::from_u128(1), 2)]);
        assert_eq!(
            allocate_online_order(&candidates, 8),
            Err(StockError::InsufficientStock { available: 7 })
        );
    }

    fn arb_level() -> impl Strategy<Value = StockLevel> {
        (0i64..50, 0i64..50, 0i64..5).prop_map(|(a, r, s)| level(a + r, r, s))
    }

    fn arb_movement() -> impl Strategy<Value = StockMovement> {
        prop_oneof![
            (-60i64..60).prop_map(|delta| StockMovement::Adjust { delta }),
            (-5i64..100, proptest::option::of(0i64..100))
                .prop_map(|(quantity, expected)| StockMovement::Set { quantity, expected }),
            (-2i64..30).prop_map(|quantity| StockMovement::Reserve { quantity }),
            (-2i64..30).prop_map(|quantity| StockMovement::Release { quantity }),
            (-2i64..30).prop_map(|quantity| StockMovement::Fulfil { quantity }),
            (-2i64..10).prop_map(|quantity| StockMovement::SetSafetyStock { quantity }),
        ]
    }

    proptest! {
        #[test]
        fn no_sequence_of_movements_makes_available_or_reserved_negative(
            start in arb_level(),
            movements in proptest::collection::vec(arb_movement(), 0..40),
        ) {
            let mut l = start;
            for m in movements {
                if let Ok(next) = apply_movement(l, m) {
                    l = next;
                }
                prop_assert!(l.available() >= 0);
                prop_assert!(l.reserved >= 0);
                prop_assert!(l.on_hand >= 0);
            }
        }

        #[test]
        fn allocation_takes_exactly_the_quantity_within_what_each_location_may_sell(
            levels in proptest::collection::vec((arb_level(), any::<bool>(), any::<bool>(), 0i32..3), 0..6),
            quantity in 1i64..120,
        ) {
            let candidates: Vec<_> = levels
                .iter()
                .enumerate()
                .map(|(i, (l, warehouse, ships, priority))| AllocationCandidate {
                    location_id: Uuid::from_u128(i as u128 + 1),
                    kind: if *warehouse { LocationKind::Warehouse } else { LocationKind::Shop },
                    priority: *priority,
                    fulfills_online_orders: *ships,
                    level: *l,
                })
                .collect();
            let sellable = online_quantity(candidates.iter().map(|c| (&c.level, c.fulfills_online_orders)));
            match allocate_online_order(&candidates, quantity) {
                Ok(taken) => {
                    prop_assert!(sellable >= quantity);
                    prop_assert_eq!(taken.iter().map(|(_, q)| q).sum::<i64>(), quantity);
                    for (id, q) in taken {
                        let c = candidates.iter().find(|c| c.location_id == id).expect("allowed");
                        prop_assert!(c.fulfills_online_orders);
                        prop_assert!(q > 0 && q <= c.level.sellable_online());
                    }
                }
                Err(StockError::InsufficientStock { available }) => {
                    prop_assert_eq!(available, sellable);
                    prop_assert!(sellable < quantity);
                }
                Err(other) => prop_assert!(false, "unexpected {other:?}"),
            }
        }
    }
}
