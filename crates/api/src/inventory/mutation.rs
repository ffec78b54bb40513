//! Stock writes for POS, ERP and admins (`inventory:write`) and location management
//! (`locations:write`). Bulk calls are all-or-nothing: one bad row rejects the call and every
//! bad row is reported with its index (`["input", "changes", "17", "delta"]`).

use async_graphql::{Context, InputObject, Object, ID};
use vitrine_app::inventory::AdjustmentGroup;
use vitrine_app::inventory::{
    LocationInput as LocationChanges, QuantityChange, QuantityCount, SafetyStock, StockContext,
};
use vitrine_app::AppError;
use vitrine_domain::access::Permission;
use vitrine_domain::id::NodeKind;
use vitrine_domain::inventory::{Address, Location as DomainLocation};

use crate::context::ContextExt;
use crate::inventory::types::{InventoryAdjustmentGroup, Location, LocationKind};
use crate::mutate::{mutate, payload, read_input};

#[derive(InputObject, Clone)]
pub struct InventoryChangeInput {
    pub sku: String,
    pub location_id: ID,
    /// Units to add (a delivery) or remove (a sale: -1). Never 0.
    pub delta: i64,
}

#[derive(InputObject, Clone)]
pub struct InventoryAdjustQuantitiesInput {
    /// Why stock moves, e.g. `sale`, `return`, `delivery`, `damaged`.
    pub reason: String,
    /// The document behind the change: a POS receipt, an ERP delivery note.
    pub reference_document_uri: Option<String>,
    /// At most 10,000 rows.
    pub changes: Vec<InventoryChangeInput>,
}

#[derive(InputObject, Clone)]
pub struct InventoryQuantityInput {
    pub sku: String,
    pub location_id: ID,
    /// The counted quantity on hand.
    pub quantity: i64,
    /// When given, the count is written only if on hand still equals this value; otherwise the
    /// row fails with `CHANGE_FROM_QUANTITY_STALE` and the message carries the current value.
    pub change_from_quantity: Option<i64>,
}

#[derive(InputObject, Clone)]
pub struct InventorySetQuantitiesInput {
    pub reason: String,
    pub reference_document_uri: Option<String>,
    /// At most 10,000 rows; each SKU and location once.
    pub quantities: Vec<InventoryQuantityInput>,
}

#[derive(InputObject, Clone)]
pub struct InventorySafetyStockInput {
    pub sku: String,
    pub location_id: ID,
    /// Units withheld from online sale at this location.
    pub safety_stock: i64,
}

#[derive(InputObject, Clone)]
pub struct InventorySetSafetyStockInput {
    pub reason: String,
    pub reference_document_uri: Option<String>,
    pub quantities: Vec<InventorySafetyStockInput>,
}

#[derive(InputObject, Clone)]
pub struct LocationAddressInput {
    pub address1: String,
    pub address2: Option<String>,
    pub city: String,
    pub zip: String,
    /// ISO 3166-1 alpha-2, e.g. `FR`.
    pub country_code: String,
}

#[derive(InputObject, Clone)]
pub struct LocationInput {
    pub name: Option<String>,
    pub kind: Option<LocationKind>,
    pub address: Option<LocationAddressInput>,
    pub fulfills_online_orders: Option<bool>,
    pub pickup_enabled: Option<bool>,
    pub priority: Option<i32>,
}

payload!(InventoryAdjustQuantitiesPayload { inventory_adjustment_group: Option<InventoryAdjustmentGroup> }
    from |group: AdjustmentGroup| { inventory_adjustment_group: Some(InventoryAdjustmentGroup(group)) });
payload!(InventorySetQuantitiesPayload { inventory_adjustment_group: Option<InventoryAdjustmentGroup> }
    from |group: AdjustmentGroup| { inventory_adjustment_group: Some(InventoryAdjustmentGroup(group)) });
payload!(InventorySetSafetyStockPayload { inventory_adjustment_group: Option<InventoryAdjustmentGroup> }
    from |group: AdjustmentGroup| { inventory_adjustment_group: Some(InventoryAdjustmentGroup(group)) });
payload!(LocationPayload { location: Option<Location> }
    from |location: DomainLocation| { location: Some(Location(location)) });

fn location_input(input: LocationInput) -> LocationChanges {
    LocationChanges {
        name: input.name,
        kind: input.kind.map(Into::into),
        address: input.address.map(|a| Address {
            address1: a.address1,
            address2: a.address2,
            city: a.city,
            zip: a.zip,
            country_code: a.country_code,
        }),
        fulfills_online_orders: input.fulfills_online_orders,
        pickup_enabled: input.pickup_enabled,
        priority: input.priority,
    }
}

/// Points the app's row paths (`["changes", "3", "sku"]`) under `input`, as the argument is named.
fn under_input<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    result.map_err(|e| match e {
        AppError::User(errors) => AppError::User(
            errors
                .into_iter()
                .map(|u| {
                    if u.field.first().is_some_and(|f| f == "idempotencyKey") {
                        u
                    } else {
                        u.at(&["input".to_owned()])
                    }
                })
                .collect(),
        ),
        other => other,
    })
}

fn stock_context(
    reason: String,
    reference_document_uri: Option<String>,
    idempotency_key: Option<String>,
) -> StockContext {
    StockContext { reason, reference_document_uri, idempotency_key }
}

#[derive(Default)]
pub struct InventoryMutation;

#[Object]
impl InventoryMutation {
    /// Relative stock changes, e.g. a shop sale of one unit (`delta: -1`). A change that would
    /// make `available` negative fails with `INSUFFICIENT_STOCK`. With `idempotencyKey`, a
    /// retry of the same request changes nothing and returns the first answer (`replayed`).
    /// Needs `inventory:write`.
    async fn inventory_adjust_quantities(
        &self,
        ctx: &Context<'_>,
        input: InventoryAdjustQuantitiesInput,
        idempotency_key: Option<String>,
    ) -> async_graphql::Result<InventoryAdjustQuantitiesPayload> {
        let actor = ctx.require(Permission::InventoryWrite)?;
        let changes = read_input(|r| {
            r.within(&["input"], |r| {
                r.rows("changes", input.changes, |r, c| QuantityChange {
                    location_id: r.id(&c.location_id, NodeKind::Location, "locationId"),
                    sku: c.sku,
                    delta: c.delta,
                })
            })
        });
        let context = stock_context(input.reason, input.reference_document_uri, idempotency_key);
        mutate(ctx, changes, async |_, changes| {
            under_input(ctx.app().inventory.adjust_quantities(actor, context, changes).await)
        })
        .await
    }

    /// Absolute counts (a stock take). Rows with `changeFromQuantity` are compare-and-set.
    /// Same idempotency rules as `inventoryAdjustQuantities`. Needs `inventory:write`.
    async fn inventory_set_quantities(
        &self,
        ctx: &Context<'_>,
        input: InventorySetQuantitiesInput,
        idempotency_key: Option<String>,
    ) -> async_graphql::Result<InventorySetQuantitiesPayload> {
        let actor = ctx.require(Permission::InventoryWrite)?;
        let counts = read_input(|r| {
            r.within(&["input"], |r| {
                r.rows("quantities", input.quantities, |r, q| QuantityCount {
                    location_id: r.id(&q.location_id, NodeKind::Location, "locationId"),
                    sku: q.sku,
                    quantity: q.quantity,
                    change_from_quantity: q.change_from_quantity,
                })
            })
        });
        let context = stock_context(input.reason, input.reference_document_uri, idempotency_key);
        mutate(ctx, counts, async |_, counts| {
            under_input(ctx.app().inventory.set_quantities(actor, context, counts).await)
        })
        .await
    }

    /// Sets the units each level withholds from online sale (shop display pieces, a buffer
    /// against miscounts); they stay sellable in the shop. Needs `inventory:write`.
    async fn inventory_set_safety_stock(
        &self,
        ctx: &Context<'_>,
        input: InventorySetSafetyStockInput,
        idempotency_key: Option<String>,
    ) -> async_graphql::Result<InventorySetSafetyStockPayload> {
        let actor = ctx.require(Permission::InventoryWrite)?;
        let rows = read_input(|r| {
            r.within(&["input"], |r| {
                r.rows("quantities", input.quantities, |r, q| SafetyStock {
                    location_id: r.id(&q.location_id, NodeKind::Location, "locationId"),
                    sku: q.sku,
                    safety_stock: q.safety_stock,
                })
            })
        });
        let context = stock_context(input.reason, input.reference_document_uri, idempotency_key);
        mutate(ctx, rows, async |_, rows| {
            under_input(ctx.app().inventory.set_safety_stock(actor, context, rows).await)
        })
        .await
    }

    /// Creates a stock location. Needs `locations:write`.
    async fn location_add(
        &self,
        ctx: &Context<'_>,
        input: LocationInput,
    ) -> async_graphql::Result<LocationPayload> {
        ctx.require(Permission::LocationsManage)?;
        mutate(ctx, Ok(location_input(input)), async |_, input| {
            ctx.app().inventory.location_save(None, input).await
        })
        .await
    }

    /// Changes a stock location; omitted fields keep their values. Needs `locations:write`.
    async fn location_edit(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: LocationInput,
    ) -> async_graphql::Result<LocationPayload> {
        ctx.require(Permission::LocationsManage)?;
        let id = read_input(|r| r.id(&id, NodeKind::Location, "id"));
        mutate(ctx, id, async |_, id| {
            ctx.app().inventory.location_save(Some(id), location_input(input)).await
        })
        .await
    }
}
