//! Delivery methods and the payment methods a channel offers (`channels:write`).

use async_graphql::{Context, InputObject, Object, OneofObject, ID};
use vitrine_app::delivery::{DeliveryMethodInput as AppMethodInput, RateInput};
use vitrine_domain::access::Permission;
use vitrine_domain::catalog::Channel as DomainChannel;
use vitrine_domain::delivery::DeliveryMethod as DomainMethod;
use vitrine_domain::id::NodeKind;

use crate::catalog::Channel;
use crate::checkout::types::PaymentMethod;
use crate::common::codes::{CountryCode, CurrencyCode};
use crate::common::money::MoneyInput;
use crate::common::scalars::Decimal;
use crate::context::ContextExt;
use crate::delivery::types::DeliveryMethod;
use crate::mutate::{mutate, payload, read_input, InputReader};

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

payload!(DeliveryMethodPayload { delivery_method: Option<DeliveryMethod> }
    from |method: DomainMethod| { delivery_method: Some(DeliveryMethod(method)) });
payload!(ChannelPaymentMethodsPayload { channel: Option<Channel> }
    from |channel: DomainChannel| { channel: Some(Channel(channel.into())) });
payload!(DeliveryMethodDeletePayload { deleted_id: Option<ID> }
    from |id: ID| { deleted_id: Some(id) });

fn method_input(r: &mut InputReader, input: DeliveryMethodInput) -> AppMethodInput {
    let rate = match input.rate {
        DeliveryRateInput::Flat(m) => {
            RateInput::Flat { amount: m.amount.0, currency: m.currency_code.name().to_owned() }
        }
        DeliveryRateInput::ByWeight(w) => RateInput::ByWeight {
            currency: w.currency_code.name().to_owned(),
            bands: w.bands.into_iter().map(|b| (b.up_to_grams, b.price.0)).collect(),
        },
        DeliveryRateInput::PickupLocationId(id) => {
            RateInput::Pickup { location_id: r.id(&id, NodeKind::Location, "pickupLocationId") }
        }
    };
    AppMethodInput {
        handle: input.handle,
        title: input.title,
        channel_ids: r.ids(&input.channel_ids, NodeKind::Channel, "channelIds"),
        countries: input.countries.into_iter().map(|c| c.name().to_owned()).collect(),
        rate,
        free_above: input.free_above.map(|m| (m.amount.0, m.currency_code.name().to_owned())),
    }
}

#[derive(Default)]
pub struct DeliveryMutation;

#[Object]
impl DeliveryMutation {
    /// Needs `channels:write`.
    async fn delivery_method_create(
        &self,
        ctx: &Context<'_>,
        input: DeliveryMethodInput,
    ) -> async_graphql::Result<DeliveryMethodPayload> {
        ctx.require(Permission::ChannelsManage)?;
        let input = read_input(|r| method_input(r, input));
        mutate(ctx, input, async |_, input| ctx.app().delivery.save(None, input).await).await
    }

    /// Replaces a method. Needs `channels:write`.
    async fn delivery_method_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: DeliveryMethodInput,
    ) -> async_graphql::Result<DeliveryMethodPayload> {
        ctx.require(Permission::ChannelsManage)?;
        let input =
            read_input(|r| (r.id(&id, NodeKind::DeliveryMethod, "id"), method_input(r, input)));
        mutate(ctx, input, async |_, (id, input)| ctx.app().delivery.save(Some(id), input).await)
            .await
    }

    /// Needs `channels:write`.
    async fn delivery_method_delete(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<DeliveryMethodDeletePayload> {
        ctx.require(Permission::ChannelsManage)?;
        let uuid = read_input(|r| r.id(&id, NodeKind::DeliveryMethod, "id"));
        mutate(ctx, uuid, async |_, uuid| ctx.app().delivery.delete(uuid).await.map(|()| id)).await
    }

    /// Which payment methods a channel offers. Needs `channels:write`.
    async fn channel_payment_methods_update(
        &self,
        ctx: &Context<'_>,
        channel_id: ID,
        methods: Vec<PaymentMethod>,
    ) -> async_graphql::Result<ChannelPaymentMethodsPayload> {
        ctx.require(Permission::ChannelsManage)?;
        let id = read_input(|r| r.id(&channel_id, NodeKind::Channel, "channelId"));
        mutate(ctx, id, async |_, id| {
            let methods = methods.into_iter().map(Into::into).collect();
            let channel = ctx.app().delivery.channel_payment_methods_set(id, methods).await?;
            if let Some(cache) = ctx.data_opt::<crate::ChannelCacheHandle>() {
                cache.invalidate();
            }
            Ok(channel)
        })
        .await
    }
}
