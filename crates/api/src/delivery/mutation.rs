//! Delivery methods and the payment methods a channel offers (`channels:write`).

use async_graphql::{Context, InputObject, Object, OneofObject, ID};
use vitrine_app::delivery::{DeliveryMethodInput as AppMethodInput, RateInput};
use vitrine_app::AppError;
use vitrine_domain::access::Permission;
use vitrine_domain::id::NodeKind;

use crate::catalog::Channel;
use crate::checkout::types::PaymentMethod;
use crate::common::codes::{CountryCode, CurrencyCode};
use crate::common::money::MoneyInput;
use crate::common::scalars::Decimal;
use crate::context::ContextExt;
use crate::delivery::types::DeliveryMethod;
use crate::error::into_payload;
use crate::mutate::{input_id, input_ids, payload};

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

payload!(DeliveryMethodPayload { delivery_method: Option<DeliveryMethod> });
payload!(ChannelPaymentMethodsPayload { channel: Option<Channel> });
payload!(DeliveryMethodDeletePayload { deleted_id: Option<ID> });

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
