//! Orders after checkout (`orders:write`: fulfil, track, cancel, mark paid), reordering
//! (whoever may see the order), delivery methods and channels' payment methods
//! (`channels:write`).

use async_graphql::{Context, InputObject, Object, OneofObject, ID};
use chrono::{DateTime, Utc};
use vitrine_app::delivery::{DeliveryMethodInput as AppMethodInput, RateInput};
use vitrine_app::orders::FulfillmentInput;
use vitrine_app::AppError;
use vitrine_domain::access::Permission;
use vitrine_domain::delivery::{DeliveryMethod as DomainMethod, DeliveryRate};
use vitrine_domain::id::NodeKind;

use super::{input_id, input_ids, payload};
use crate::codes::{CountryCode, CurrencyCode};
use crate::context::ContextExt;
use crate::error::into_payload;
use crate::mutation::cart::CartPayload;
use crate::mutation::company::MoneyInput;
use crate::types::cart::{Cart, PaymentMethod};
use crate::types::gid;
use crate::types::order::{FulfillmentEventStatus, Order};
use crate::types::product::MoneyV2;
use crate::types::scalars::Decimal;
use crate::types::Channel;

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

#[derive(InputObject, Clone)]
pub struct WeightBandInput {
    pub up_to_grams: u64,
    pub price: Decimal,
}

#[derive(OneofObject, Clone)]
pub enum DeliveryRateInput {
    Flat(MoneyInput),
    ByWeight(WeightRateInput),
    /// Collection in a shop (a location with pickup enabled); free.
    PickupLocationId(ID),
}

#[derive(InputObject, Clone)]
pub struct WeightRateInput {
    pub currency_code: CurrencyCode,
    pub bands: Vec<WeightBandInput>,
}

#[derive(InputObject, Clone)]
pub struct DeliveryMethodInput {
    /// What storefronts select it by: `standard`, `express`, `pickup-milano`.
    pub handle: String,
    pub title: String,
    /// Empty: every channel.
    #[graphql(default)]
    pub channel_ids: Vec<ID>,
    /// Empty: everywhere (collection ignores it).
    #[graphql(default)]
    pub countries: Vec<CountryCode>,
    pub rate: DeliveryRateInput,
    /// Free from this subtotal (after discounts), in its currency.
    pub free_above: Option<MoneyInput>,
}

/// A delivery method as staff set it up.
pub struct DeliveryMethod(pub DomainMethod);

#[Object]
impl DeliveryMethod {
    async fn id(&self) -> ID {
        gid(NodeKind::DeliveryMethod, self.0.id)
    }
    async fn handle(&self) -> &str {
        &self.0.handle
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn channel_ids(&self) -> Vec<ID> {
        self.0.channel_ids.iter().map(|id| gid(NodeKind::Channel, *id)).collect()
    }
    async fn countries(&self) -> &[String] {
        &self.0.countries
    }
    /// `FLAT`, `BY_WEIGHT` or `PICKUP`.
    async fn kind(&self) -> &str {
        match self.0.rate {
            DeliveryRate::Flat(_) => "FLAT",
            DeliveryRate::ByWeight(_) => "BY_WEIGHT",
            DeliveryRate::Pickup { .. } => "PICKUP",
        }
    }
    async fn flat_price(&self) -> Option<MoneyV2> {
        match self.0.rate {
            DeliveryRate::Flat(m) => Some(m.into()),
            _ => None,
        }
    }
    async fn pickup_location_id(&self) -> Option<ID> {
        match self.0.rate {
            DeliveryRate::Pickup { location_id } => Some(gid(NodeKind::Location, location_id)),
            _ => None,
        }
    }
    async fn free_above(&self) -> Option<MoneyV2> {
        self.0.free_above.map(Into::into)
    }
}

payload!(OrderPayload { order: Option<Order> });
payload!(DeliveryMethodPayload { delivery_method: Option<DeliveryMethod> });
payload!(DeliveryMethodDeletePayload { deleted_id: Option<ID> });
payload!(ChannelPaymentMethodsPayload { channel: Option<Channel> });

fn order_payload(
    result: Result<vitrine_app::OrderState, AppError>,
) -> async_graphql::Result<OrderPayload> {
    let (state, user_errors) = into_payload(result)?;
    Ok(OrderPayload { order: state.map(|s| Order(s.order)), user_errors })
}

fn method_input(input: DeliveryMethodInput) -> Result<AppMethodInput, AppError> {
    let rate = match input.rate {
        DeliveryRateInput::Flat(m) => {
            RateInput::Flat { amount: m.amount.0, currency: m.currency_code.name().to_owned() }
        }
        DeliveryRateInput::ByWeight(w) => RateInput::ByWeight {
            currency: w.currency_code.name().to_owned(),
            bands: w.bands.into_iter().map(|b| (b.up_to_grams, b.price.0)).collect(),
        },
        DeliveryRateInput::PickupLocationId(id) => RateInput::Pickup {
            location_id: input_id(&id, NodeKind::Location, "pickupLocationId")?,
        },
    };
    Ok(AppMethodInput {
        handle: input.handle,
        title: input.title,
        channel_ids: input_ids(&input.channel_ids, NodeKind::Channel, "channelIds")?,
        countries: input.countries.into_iter().map(|c| c.name().to_owned()).collect(),
        rate,
        free_above: input.free_above.map(|m| (m.amount.0, m.currency_code.name().to_owned())),
    })
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

    /// Needs `channels:write`.
    async fn delivery_method_create(
        &self,
        ctx: &Context<'_>,
        input: DeliveryMethodInput,
    ) -> async_graphql::Result<DeliveryMethodPayload> {
        ctx.require(Permission::ChannelsManage)?;
        let result = async { ctx.app().delivery.save(None, method_input(input)?).await }.await;
        let (method, user_errors) = into_payload(result)?;
        Ok(DeliveryMethodPayload { delivery_method: method.map(DeliveryMethod), user_errors })
    }

    /// Replaces a method. Needs `channels:write`.
    async fn delivery_method_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: DeliveryMethodInput,
    ) -> async_graphql::Result<DeliveryMethodPayload> {
        ctx.require(Permission::ChannelsManage)?;
        let result = async {
            let id = input_id(&id, NodeKind::DeliveryMethod, "id")?;
            ctx.app().delivery.save(Some(id), method_input(input)?).await
        }
        .await;
        let (method, user_errors) = into_payload(result)?;
        Ok(DeliveryMethodPayload { delivery_method: method.map(DeliveryMethod), user_errors })
    }

    /// Needs `channels:write`.
    async fn delivery_method_delete(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<DeliveryMethodDeletePayload> {
        ctx.require(Permission::ChannelsManage)?;
        let result = async {
            let uuid = input_id(&id, NodeKind::DeliveryMethod, "id")?;
            ctx.app().delivery.delete(uuid).await
        }
        .await;
        let (done, user_errors) = into_payload(result)?;
        Ok(DeliveryMethodDeletePayload { deleted_id: done.map(|()| id), user_errors })
    }

    /// Which payment methods a channel offers. Needs `channels:write`.
    async fn channel_payment_methods_update(
        &self,
        ctx: &Context<'_>,
        channel_id: ID,
        methods: Vec<PaymentMethod>,
    ) -> async_graphql::Result<ChannelPaymentMethodsPayload> {
        ctx.require(Permission::ChannelsManage)?;
        let result = async {
            let id = input_id(&channel_id, NodeKind::Channel, "channelId")?;
            ctx.app()
                .delivery
                .channel_payment_methods_set(id, methods.into_iter().map(Into::into).collect())
                .await
        }
        .await;
        let (channel, user_errors) = into_payload(result)?;
        if channel.is_some() {
            if let Some(cache) = ctx.data_opt::<crate::ChannelCacheHandle>() {
                cache.invalidate();
            }
        }
        Ok(ChannelPaymentMethodsPayload {
            channel: channel.map(|c| Channel(c.into())),
            user_errors,
        })
    }
}
