//! Stock locations, levels and changes as integrators (POS, ERP) and admins see them.

use std::sync::Arc;

use async_graphql::{Context, Enum, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use vitrine_app::inventory::AdjustmentGroup;
use vitrine_app::InventoryLevelRecord;
use vitrine_domain::access::Permission;
use vitrine_domain::id::NodeKind;
use vitrine_domain::inventory::{self as stock, LedgerEntry};

use crate::common::gid;
use crate::context::ContextExt;
use crate::error::ResultExt;

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "vitrine_domain::inventory::LocationKind")]
pub enum LocationKind {
    Warehouse,
    Shop,
}

#[derive(SimpleObject, Clone)]
#[graphql(name = "LocationAddress")]
pub struct LocationAddress {
    pub address1: String,
    pub address2: Option<String>,
    pub city: String,
    pub zip: String,
    /// ISO 3166-1 alpha-2.
    pub country_code: String,
}

/// A shop or warehouse holding stock.
pub struct Location(pub stock::Location);

#[Object]
impl Location {
    async fn id(&self) -> ID {
        gid(NodeKind::Location, self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn kind(&self) -> LocationKind {
        self.0.kind.into()
    }
    async fn address(&self) -> LocationAddress {
        let a = &self.0.address;
        LocationAddress {
            address1: a.address1.clone(),
            address2: a.address2.clone(),
            city: a.city.clone(),
            zip: a.zip.clone(),
            country_code: a.country_code.clone(),
        }
    }
    /// Whether online orders are shipped from here.
    async fn fulfills_online_orders(&self) -> bool {
        self.0.fulfills_online_orders
    }
    /// Whether shoppers can collect orders here.
    async fn pickup_enabled(&self) -> bool {
        self.0.pickup_enabled
    }
    /// Among locations of one kind, lower numbers give stock to online orders first
    /// (warehouses before shops).
    async fn priority(&self) -> i32 {
        self.0.priority
    }
}

async fn location_of(ctx: &Context<'_>, id: uuid::Uuid) -> async_graphql::Result<Option<Location>> {
    Ok(ctx.app().inventory.location(id).await.gql()?.map(Location))
}

/// A variant's stock at one location.
pub struct InventoryLevel(pub InventoryLevelRecord);

#[Object]
impl InventoryLevel {
    async fn sku(&self) -> &str {
        &self.0.sku
    }
    async fn variant_id(&self) -> ID {
        gid(NodeKind::ProductVariant, self.0.variant_id)
    }
    async fn location_id(&self) -> ID {
        gid(NodeKind::Location, self.0.location_id)
    }
    async fn location(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Location>> {
        location_of(ctx, self.0.location_id).await
    }
    /// Units physically here.
    async fn on_hand(&self) -> i64 {
        self.0.level.on_hand
    }
    /// Units committed to orders not fulfilled yet.
    async fn reserved(&self) -> i64 {
        self.0.level.reserved
    }
    /// `onHand - reserved`: what can still be sold here, in the shop or online.
    async fn available(&self) -> i64 {
        self.0.level.available()
    }
    /// Units withheld from online sale.
    async fn safety_stock(&self) -> i64 {
        self.0.level.safety_stock
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum InventoryChangeKind {
    /// A relative change (a shop sale, a delivery).
    Adjustment,
    /// An absolute count (a stock take).
    Count,
    /// Units reserved for an online order.
    Reservation,
    /// A reservation given back (a cancelled order).
    Release,
    /// Reserved units shipped: on hand and reserved both went down.
    Fulfilment,
    /// The safety stock changed.
    SafetyStock,
}

impl From<stock::MovementKind> for InventoryChangeKind {
    fn from(k: stock::MovementKind) -> Self {
        use stock::MovementKind as M;
        match k {
            M::Adjustment => InventoryChangeKind::Adjustment,
            M::Count => InventoryChangeKind::Count,
            M::Reservation => InventoryChangeKind::Reservation,
            M::Release => InventoryChangeKind::Release,
            M::Fulfilment => InventoryChangeKind::Fulfilment,
            M::SafetyStock => InventoryChangeKind::SafetyStock,
        }
    }
}

/// One line of the stock ledger: a change of one SKU at one location. Counts are shown to
/// callers with `inventory:read`; others (storefront subscribers) get `availableForSale` only.
pub struct InventoryChange(pub Arc<LedgerEntry>);

impl InventoryChange {
    fn counts<T>(&self, ctx: &Context<'_>, value: T) -> Option<T> {
        ctx.req().actor.has(Permission::InventoryRead).then_some(value)
    }
}

#[Object]
impl InventoryChange {
    /// The ledger position: pass it as `after` to `inventoryChanges` to resume from here.
    /// Needs `inventory:read` (positions tell how much stock moves).
    async fn cursor(&self, ctx: &Context<'_>) -> Option<String> {
        self.counts(ctx, self.0.seq.to_string())
    }
    /// The adjustment group (one call) the change belongs to. Needs `inventory:read`.
    async fn group_id(&self, ctx: &Context<'_>) -> Option<ID> {
        self.counts(ctx, gid(NodeKind::InventoryAdjustmentGroup, self.0.group_id))
    }
    async fn sku(&self) -> &str {
        &self.0.sku
    }
    async fn variant_id(&self) -> ID {
        gid(NodeKind::ProductVariant, self.0.variant_id)
    }
    async fn location_id(&self) -> ID {
        gid(NodeKind::Location, self.0.location_id)
    }
    /// What moved the stock (a sale is a `RESERVATION`). Needs `inventory:read`.
    async fn kind(&self, ctx: &Context<'_>) -> Option<InventoryChangeKind> {
        self.counts(ctx, self.0.kind.into())
    }
    /// Change of on hand. Needs `inventory:read`.
    async fn delta(&self, ctx: &Context<'_>) -> Option<i64> {
        self.counts(ctx, self.0.on_hand_delta())
    }
    /// Change of reserved. Needs `inventory:read`.
    async fn reserved_delta(&self, ctx: &Context<'_>) -> Option<i64> {
        self.counts(ctx, self.0.reserved_delta())
    }
    /// On hand after the change (Shopify's `quantityAfterChange`). Needs `inventory:read`.
    async fn quantity_after_change(&self, ctx: &Context<'_>) -> Option<i64> {
        self.counts(ctx, self.0.after.on_hand)
    }
    /// Reserved after the change. Needs `inventory:read`.
    async fn reserved(&self, ctx: &Context<'_>) -> Option<i64> {
        self.counts(ctx, self.0.after.reserved)
    }
    /// Available after the change. Needs `inventory:read`.
    async fn available(&self, ctx: &Context<'_>) -> Option<i64> {
        self.counts(ctx, self.0.after.available())
    }
    /// Safety stock after the change. Needs `inventory:read`.
    async fn safety_stock(&self, ctx: &Context<'_>) -> Option<i64> {
        self.counts(ctx, self.0.after.safety_stock)
    }
    /// Whether this location can still sell the SKU online after the change.
    async fn available_for_sale(&self) -> bool {
        self.0.after.sellable_online() > 0
    }
    /// Why stock moved. Needs `inventory:read`.
    async fn reason(&self, ctx: &Context<'_>) -> Option<&str> {
        self.counts(ctx, self.0.reason.as_str())
    }
    /// The document behind the change (a receipt, a delivery note). Needs `inventory:read`.
    async fn reference_document_uri(&self, ctx: &Context<'_>) -> Option<&str> {
        self.counts(ctx, self.0.reference_document_uri.as_deref()).flatten()
    }
    /// Who moved the stock: `staff:<id>`, `token:<id>` or `system:<what>`. Needs
    /// `inventory:read`.
    async fn actor(&self, ctx: &Context<'_>) -> Option<&str> {
        self.counts(ctx, self.0.actor.as_str())
    }
    /// The idempotency key the write came with. Needs `inventory:read`.
    async fn idempotency_key(&self, ctx: &Context<'_>) -> Option<&str> {
        self.counts(ctx, self.0.idempotency_key.as_deref()).flatten()
    }
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
}

/// The changes one stock call made.
pub struct InventoryAdjustmentGroup(pub AdjustmentGroup);

#[Object]
impl InventoryAdjustmentGroup {
    async fn id(&self) -> ID {
        gid(NodeKind::InventoryAdjustmentGroup, self.0.id)
    }
    async fn reason(&self) -> &str {
        &self.0.reason
    }
    async fn reference_document_uri(&self) -> Option<&str> {
        self.0.reference_document_uri.as_deref()
    }
    async fn created_at(&self) -> Option<DateTime<Utc>> {
        self.0.entries.first().map(|e| e.occurred_at)
    }
    /// True when the idempotency key had been used for this same request: nothing was changed
    /// again, and this is the first call's answer.
    async fn replayed(&self) -> bool {
        self.0.replayed
    }
    async fn changes(&self) -> Vec<InventoryChange> {
        self.0.entries.iter().cloned().map(|e| InventoryChange(Arc::new(e))).collect()
    }
}

/// Whether a variant can be collected at one shop (Shopify's `StoreAvailability`).
pub struct StoreAvailability {
    pub location: stock::Location,
    pub level: stock::StockLevel,
    /// An untracked variant is always available.
    pub tracked: bool,
}

#[Object]
impl StoreAvailability {
    /// In stock here for collection (units beyond the safety stock are free).
    async fn available(&self) -> bool {
        !self.tracked || self.level.sellable_online() > 0
    }
    async fn location(&self) -> Location {
        Location(self.location.clone())
    }
    /// When an order placed now is usually ready for collection; null when not in stock here.
    async fn pick_up_time(&self) -> Option<&'static str> {
        (!self.tracked || self.level.sellable_online() > 0).then_some("Usually ready in 2 hours")
    }
    /// Units free for collection here; null unless the channel shows stock counts or the
    /// caller has `inventory:read`.
    async fn quantity_available(&self, ctx: &Context<'_>) -> Option<i64> {
        let req = ctx.req();
        (req.channel.show_stock_counts || req.actor.has(Permission::InventoryRead))
            .then_some(self.level.sellable_online())
    }
}
