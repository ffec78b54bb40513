//! Orders after checkout (`orders:write`: fulfil, track, cancel, mark paid) and reordering
//! (whoever may see the order).

use async_graphql::{Context, InputObject, Object, ID};
use chrono::{DateTime, Utc};
use vitrine_app::orders::FulfillmentInput;
use vitrine_app::OrderState;
use vitrine_domain::access::Permission;
use vitrine_domain::id::NodeKind;

use crate::cart::mutation::CartPayload;
use crate::context::ContextExt;
use crate::mutate::{mutate, payload, read_input};
use crate::orders::types::{FulfillmentEventStatus, Order};

#[derive(InputObject, Clone)]
pub struct FulfillmentLineInput {
    pub order_line_id: ID,
    pub quantity: i32,
}

#[derive(InputObject, Clone)]
pub struct FulfillmentCreateInput {
    pub order_id: ID,
    /// Empty or absent: everything left to ship.
    #[graphql(default)]
    pub lines: Vec<FulfillmentLineInput>,
    pub tracking_company: Option<String>,
    pub tracking_number: Option<String>,
    pub tracking_url: Option<String>,
}

#[derive(InputObject, Clone)]
pub struct FulfillmentEventInput {
    pub fulfillment_id: ID,
    pub status: FulfillmentEventStatus,
    pub message: Option<String>,
    /// When the carrier saw it; now by default.
    pub happened_at: Option<DateTime<Utc>>,
}

payload!(OrderPayload { order: Option<Order> } from |state: OrderState| { order: Some(Order(state.order)) });

#[derive(Default)]
pub struct OrderMutation;

#[Object]
impl OrderMutation {
    /// Ships lines from where their stock was reserved, with the parcel's tracking. A card
    /// authorised at checkout is captured now (unless configured to capture at checkout).
    /// Needs `orders:write`.
    async fn fulfillment_create(
        &self,
        ctx: &Context<'_>,
        input: FulfillmentCreateInput,
    ) -> async_graphql::Result<OrderPayload> {
        let actor = ctx.require(Permission::OrdersWrite)?;
        let input = read_input(|r| {
            let order_id = r.id(&input.order_id, NodeKind::Order, "orderId");
            let lines = r.rows("lines", input.lines, |r, l| {
                (
                    r.id(&l.order_line_id, NodeKind::OrderLine, "orderLineId"),
                    r.quantity(l.quantity, "quantity"),
                )
            });
            let fulfilment = FulfillmentInput {
                lines,
                carrier: input.tracking_company,
                tracking_number: input.tracking_number,
                tracking_url: input.tracking_url,
            };
            (order_id, fulfilment)
        });
        mutate(ctx, input, async |_, (order_id, fulfilment)| {
            ctx.app().orders.fulfill(actor, order_id, fulfilment).await
        })
        .await
    }

    /// Records a carrier tracking event; the last parcel delivered makes the order
    /// `DELIVERED`. Needs `orders:write`.
    async fn fulfillment_event_create(
        &self,
        ctx: &Context<'_>,
        input: FulfillmentEventInput,
    ) -> async_graphql::Result<OrderPayload> {
        let actor = ctx.require(Permission::OrdersWrite)?;
        let id =
            read_input(|r| r.id(&input.fulfillment_id, NodeKind::Fulfillment, "fulfillmentId"));
        mutate(ctx, id, async |_, id| {
            let status = input.status.into();
            ctx.app()
                .orders
                .fulfillment_event(actor, id, status, input.message, input.happened_at)
                .await
        })
        .await
    }

    /// Cancels an order nothing of which has shipped: the payment is voided or refunded and
    /// the reserved stock goes back on sale. Needs `orders:write`.
    async fn order_cancel(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: Option<String>,
    ) -> async_graphql::Result<OrderPayload> {
        let actor = ctx.require(Permission::OrdersWrite)?;
        let id = read_input(|r| r.id(&id, NodeKind::Order, "id"));
        mutate(ctx, id, async |_, id| ctx.app().orders.cancel(actor, id, reason).await).await
    }

    /// Records that an invoice or bank transfer was paid. Needs `orders:write`.
    async fn order_mark_as_paid(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<OrderPayload> {
        let actor = ctx.require(Permission::OrdersWrite)?;
        let id = read_input(|r| r.id(&id, NodeKind::Order, "id"));
        mutate(ctx, id, async |_, id| ctx.app().orders.mark_paid(actor, id).await).await
    }

    /// A new cart with a past order's lines (those still sold here), for whoever may see the
    /// order.
    async fn order_reorder(
        &self,
        ctx: &Context<'_>,
        order_id: ID,
    ) -> async_graphql::Result<CartPayload> {
        let id = read_input(|r| r.id(&order_id, NodeKind::Order, "orderId"));
        mutate(ctx, id, async |caller, id| ctx.app().orders.reorder(caller, id).await).await
    }
}
