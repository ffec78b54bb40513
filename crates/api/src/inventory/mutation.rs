//! Stock writes for POS, ERP and admins (`inventory:write`) and location management
//! (`locations:write`). Bulk calls are all-or-nothing: one bad row rejects the call and every
//! bad row is reported with its index (`["input", "changes", "17", "delta"]`).

use async_graphql::{Context, InputObject, Object, ID};
use vitrine_app::inventory::{
    LocationInput as LocationChanges, QuantityChange, QuantityCount, SafetyStock, StockContext,
};
use vitrine_app::AppError;
use vitrine_domain::access::Permission;
use vitrine_domain::id::NodeKind;
use vitrine_domain::inventory::Address;

use crate::context::ContextExt;
use crate::error::into_payload;
use crate::inventory::types::{InventoryAdjustmentGroup, Location, LocationKind};
use crate::mutate::{input_id, payload};

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

payload!(InventoryAdjustQuantitiesPayload {
    inventory_adjustment_group: Option<InventoryAdjustmentGroup>,
});
payload!(InventorySetQuantitiesPayload {
    inventory_adjustment_group: Option<InventoryAdjustmentGroup>,
});
payload!(InventorySetSafetyStockPayload {
    inventory_adjustment_group: Option<InventoryAdjustmentGroup>,
});
payload!(LocationPayload { location: Option<Location> });

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
fn under_input(
    result: Result<vitrine_app::inventory::AdjustmentGroup, AppError>,
) -> Result<vitrine_app::inventory::AdjustmentGroup, AppError> {
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
        let result = async {
            let changes = parse_rows(input.changes, "changes", |c| {
                let location_id = input_id(&c.location_id, NodeKind::Location, "locationId")?;
                Ok(QuantityChange { sku: c.sku, location_id, delta: c.delta })
            })?;
            let context = StockContext {
                reason: input.reason,
                reference_document_uri: input.reference_document_uri,
                idempotency_key,
            };
            ctx.app().inventory.adjust_quantities(actor, context, changes).await
        }
        .await;
        let (group, user_errors) = into_payload(under_input(result))?;
        Ok(InventoryAdjustQuantitiesPayload {
            inventory_adjustment_group: group.map(InventoryAdjustmentGroup),
            user_errors,
        })
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
        let result = async {
            let counts = parse_rows(input.quantities, "quantities", |q| {
                let location_id = input_id(&q.location_id, NodeKind::Location, "locationId")?;
                Ok(QuantityCount {
                    sku: q.sku,
                    location_id,
                    quantity: q.quantity,
                    change_from_quantity: q.change_from_quantity,
                })
            })?;
            let context = StockContext {
                reason: input.reason,
                reference_document_uri: input.reference_document_uri,
                idempotency_key,
            };
            ctx.app().inventory.set_quantities(actor, context, counts).await
        }
        .await;
        let (group, user_errors) = into_payload(under_input(result))?;
        Ok(InventorySetQuantitiesPayload {
            inventory_adjustment_group: group.map(InventoryAdjustmentGroup),
            user_errors,
        })
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
        let result = async {
            let rows = parse_rows(input.quantities, "quantities", |q| {
                let location_id = input_id(&q.location_id, NodeKind::Location, "locationId")?;
                Ok(SafetyStock { sku: q.sku, location_id, safety_stock: q.safety_stock })
            })?;
            let context = StockContext {
                reason: input.reason,
                reference_document_uri: input.reference_document_uri,
                idempotency_key,
            };
            ctx.app().inventory.set_safety_stock(actor, context, rows).await
        }
        .await;
        let (group, user_errors) = into_payload(under_input(result))?;
        Ok(InventorySetSafetyStockPayload {
            inventory_adjustment_group: group.map(InventoryAdjustmentGroup),
            user_errors,
        })
    }

    /// Creates a stock location. Needs `locations:write`.
    async fn location_add(
        &self,
        ctx: &Context<'_>,
        input: LocationInput,
    ) -> async_graphql::Result<LocationPayload> {
        ctx.require(Permission::LocationsManage)?;
        let result = ctx.app().inventory.location_save(None, location_input(input)).await;
        let (location, user_errors) = into_payload(result)?;
        Ok(LocationPayload { location: location.map(Location), user_errors })
    }

    /// Changes a stock location; omitted fields keep their values. Needs `locations:write`.
    async fn location_edit(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: LocationInput,
    ) -> async_graphql::Result<LocationPayload> {
        ctx.require(Permission::LocationsManage)?;
        let result = async {
            let id = input_id(&id, NodeKind::Location, "id")?;
            ctx.app().inventory.location_save(Some(id), location_input(input)).await
        }
        .await;
        let (location, user_errors) = into_payload(result)?;
        Ok(LocationPayload { location: location.map(Location), user_errors })
    }
}

/// Parses every row, reporting the malformed ids of all rows at once.
fn parse_rows<I, T>(
    rows: Vec<I>,
    list: &str,
    parse: impl Fn(I) -> Result<T, AppError>,
) -> Result<Vec<T>, AppError> {
    let mut parsed = Vec::with_capacity(rows.len());
    let mut errors = Vec::new();
    for (i, row) in rows.into_iter().enumerate() {
        match parse(row) {
            Ok(row) => parsed.push(row),
            Err(AppError::User(found)) => {
                errors.extend(found.into_iter().map(|u| u.at(&[list.to_owned(), i.to_string()])))
            }
            Err(other) => return Err(other),
        }
    }
    if errors.is_empty() {
        Ok(parsed)
    } else {
        Err(AppError::User(errors))
    }
}
