//! Orders after checkout (`orders:write`: fulfil, track, cancel, mark paid) and reordering
//! (whoever may see the order).

use async_graphql::{Context, InputObject, Object, ID};
use chrono::{DateTime, Utc};
use vitrine_app::orders::FulfillmentInput;
use vitrine_app::AppError;
use vitrine_domain::access::Permission;
use vitrine_domain::id::NodeKind;

use crate::cart::mutation::CartPayload;
use crate::cart::types::Cart;
use crate::context::ContextExt;
use crate::error::into_payload;
use crate::mutate::{input_id, payload};
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

payload!(OrderPayload { order: Option<Order> });

fn order_payload(
    result: Result<vitrine_app::OrderState, AppError>,
) -> async_graphql::Result<OrderPayload> {
    let (state, user_errors) = into_payload(result)?;
    Ok(OrderPayload { order: state.map(|s| Order(s.order)), user_errors })
}

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
        let result = async {
            let order_id = input_id(&input.order_id, NodeKind::Order, "orderId")?;
            let mut lines = vec![];
            for (i, l) in input.lines.into_iter().enumerate() {
                let row = vec!["lines".to_owned(), i.to_string()];
                let line = input_id(&l.order_line_id, NodeKind::OrderLine, "orderLineId").map_err(
                    |e| match e {
                        AppError::User(errs) => {
                            AppError::User(errs.into_iter().map(|u| u.at(&row)).collect())
                        }
                        other => other,
                    },
                )?;
                let quantity = u32::try_from(l.quantity).unwrap_or(0);
                lines.push((line, quantity));
            }
            let input = FulfillmentInput {
                lines,
                carrier: input.tracking_company,
                tracking_number: input.tracking_number,
                tracking_url: input.tracking_url,
            };
            ctx.app().orders.fulfill(actor, order_id, input).await
        }
        .await;
        order_payload(result)
    }

    /// Records a carrier tracking event; the last parcel delivered makes the order
    /// `DELIVERED`. Needs `orders:write`.
    async fn fulfillment_event_create(
        &self,
        ctx: &Context<'_>,
        input: FulfillmentEventInput,
    ) -> async_graphql::Result<OrderPayload> {
        let actor = ctx.require(Permission::OrdersWrite)?;
        let result = async {
            let id = input_id(&input.fulfillment_id, NodeKind::Fulfillment, "fulfillmentId")?;
            ctx.app()
                .orders
                .fulfillment_event(actor, id, input.status.into(), input.message, input.happened_at)
                .await
        }
        .await;
        order_payload(result)
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
        let result = async {
            let id = input_id(&id, NodeKind::Order, "id")?;
            ctx.app().orders.cancel(actor, id, reason).await
        }
        .await;
        order_payload(result)
    }

    /// Records that an invoice or bank transfer was paid. Needs `orders:write`.
    async fn order_mark_as_paid(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<OrderPayload> {
        let actor = ctx.require(Permission::OrdersWrite)?;
        let result = async {
            let id = input_id(&id, NodeKind::Order, "id")?;
            ctx.app().orders.mark_paid(actor, id).await
        }
        .await;
        order_payload(result)
    }

    /// A new cart with a past order's lines (those still sold here), for whoever may see the
    /// order.
    async fn order_reorder(
        &self,
        ctx: &Context<'_>,
        order_id: ID,
    ) -> async_graphql::Result<CartPayload> {
        let req = ctx.req();
        let result = async {
            let id = input_id(&order_id, NodeKind::Order, "orderId")?;
            let app = ctx.app();
            let Some(order) = app.orders.order(&req.actor, id).await? else {
                return Err(AppError::user(vitrine_app::UserError::not_found("orderId", "order")));
            };
            let lines = app.store.order_lines(&[order.id]).await?;
            let lines = lines.into_iter().map(|l| (l.variant_id, l.quantity)).collect();
            app.carts.reorder(&req.actor, &req.channel, order.currency, lines).await
        }
        .await;
        let (cart, user_errors) = into_payload(result)?;
        Ok(CartPayload { cart: cart.map(Cart::new), warnings: vec![], user_errors })
    }
}
