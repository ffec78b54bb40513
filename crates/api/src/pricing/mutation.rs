//! Price lists and their bulk prices, discounts and tax rates (`pricing:write`).

use async_graphql::{Context, Enum, InputObject, MaybeUndefined, Object, ID};
use chrono::{DateTime, Utc};
use vitrine_app::pricing::{
    DiscountInput as DiscountChanges, PriceListInput as PriceListChanges, PriceRow, SelectionInput,
    TargetInput, ValueInput,
};
use vitrine_app::AppError;
use vitrine_domain::access::Permission;
use vitrine_domain::id::NodeKind;

use crate::common::codes::CurrencyCode;
use crate::common::money::MoneyInput;
use crate::common::scalars::Decimal;
use crate::context::ContextExt;
use crate::error::into_payload;
use crate::mutate::{input_id, input_ids, maybe, payload};
use crate::pricing::types::{Discount, PriceList, TaxRate};

#[derive(InputObject, Clone)]
pub struct PriceListInput {
    pub name: Option<String>,
    /// Fixed once the list exists.
    pub currency: Option<CurrencyCode>,
    /// The list applies to members of these approved companies...
    pub company_ids: Option<Vec<ID>>,
    /// ...to customers in these groups...
    pub customer_group_ids: Option<Vec<ID>>,
    /// ...and to every buyer on these channels. The most specific match wins.
    pub channel_ids: Option<Vec<ID>>,
    pub starts_at: MaybeUndefined<DateTime<Utc>>,
    pub ends_at: MaybeUndefined<DateTime<Utc>>,
    /// Percent applied to base prices of variants the list gives no price: "-30" is 30%
    /// off. Null removes it.
    pub adjustment_percent: MaybeUndefined<Decimal>,
}

fn list_changes(input: PriceListInput) -> Result<PriceListChanges, AppError> {
    Ok(PriceListChanges {
        name: input.name,
        currency: input.currency.map(|c| c.name().to_owned()),
        company_ids: input
            .company_ids
            .map(|ids| input_ids(&ids, NodeKind::Company, "companyIds"))
            .transpose()?,
        customer_group_ids: input
            .customer_group_ids
            .map(|ids| input_ids(&ids, NodeKind::CustomerGroup, "customerGroupIds"))
            .transpose()?,
        channel_ids: input
            .channel_ids
            .map(|ids| input_ids(&ids, NodeKind::Channel, "channelIds"))
            .transpose()?,
        starts_at: maybe(input.starts_at),
        ends_at: maybe(input.ends_at),
        adjustment_percent: maybe(input.adjustment_percent).map(|p| p.map(|d| d.0)),
    })
}

#[derive(InputObject, Clone)]
pub struct QuantityPriceBreakInput {
    pub minimum_quantity: i32,
    pub price: Decimal,
}

/// One variant's price and rules in a list, as Shopify's `priceListFixedPricesAdd` rows plus
/// quantity rules and tiers.
#[derive(InputObject, Clone)]
pub struct PriceListPriceInput {
    pub variant_id: ID,
    /// In the list's currency; may be left out when the list has an adjustment.
    pub price: Option<Decimal>,
    pub compare_at_price: Option<Decimal>,
    /// Minimum order quantity (1 by default).
    pub minimum: Option<i32>,
    /// Order in multiples of this (1 by default).
    pub increment: Option<i32>,
    pub maximum: Option<i32>,
    #[graphql(default)]
    pub breaks: Vec<QuantityPriceBreakInput>,
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiscountTargetInputKind {
    Order,
    Items,
    BuyXGetY,
}

#[derive(InputObject, Clone, Default)]
pub struct DiscountItemsInput {
    #[graphql(default)]
    pub product_ids: Vec<ID>,
    #[graphql(default)]
    pub collection_ids: Vec<ID>,
    #[graphql(default)]
    pub brand_ids: Vec<ID>,
}

#[derive(InputObject, Clone)]
pub struct DiscountTargetInput {
    pub kind: DiscountTargetInputKind,
    /// `ITEMS`: the items reduced; `BUY_X_GET_Y`: the items given. Empty: everything.
    pub items: Option<DiscountItemsInput>,
    /// `BUY_X_GET_Y`: the items to buy.
    pub buy_items: Option<DiscountItemsInput>,
    pub buy_quantity: Option<i32>,
    pub get_quantity: Option<i32>,
}

/// Exactly one of the two.
#[derive(InputObject, Clone)]
pub struct DiscountValueInput {
    /// Percent off, e.g. "20"; 100 makes buy-X-get-Y items free.
    pub percentage: Option<Decimal>,
    pub fixed_amount: Option<MoneyInput>,
}

#[derive(InputObject, Clone)]
pub struct DiscountInput {
    pub title: Option<String>,
    /// Null makes the discount automatic.
    pub code: MaybeUndefined<String>,
    pub value: Option<DiscountValueInput>,
    pub target: Option<DiscountTargetInput>,
    pub minimum_subtotal: MaybeUndefined<MoneyInput>,
    pub starts_at: MaybeUndefined<DateTime<Utc>>,
    pub ends_at: MaybeUndefined<DateTime<Utc>>,
    pub usage_limit: MaybeUndefined<i32>,
    pub usage_limit_per_customer: MaybeUndefined<i32>,
    /// Whether it applies together with other combinable discounts (false by default).
    pub combinable: Option<bool>,
    /// Empty: every channel.
    pub channel_ids: Option<Vec<ID>>,
    pub active: Option<bool>,
}

fn selection(input: Option<DiscountItemsInput>, field: &str) -> Result<SelectionInput, AppError> {
    let input = input.unwrap_or_default();
    Ok(SelectionInput {
        product_ids: input_ids(&input.product_ids, NodeKind::Product, field)?,
        collection_ids: input_ids(&input.collection_ids, NodeKind::Collection, field)?,
        brand_ids: input_ids(&input.brand_ids, NodeKind::Brand, field)?,
    })
}

fn invalid(field: &str, message: &str) -> AppError {
    AppError::user(vitrine_app::UserError::new(&[field], vitrine_app::ErrorCode::Invalid, message))
}

fn discount_changes(input: DiscountInput) -> Result<DiscountChanges, AppError> {
    let value = match input.value {
        None => None,
        Some(DiscountValueInput { percentage: Some(p), fixed_amount: None }) => {
            Some(ValueInput::Percentage(p.0))
        }
        Some(DiscountValueInput { percentage: None, fixed_amount: Some(m) }) => {
            Some(ValueInput::FixedAmount(m.amount.0, m.currency_code.name().to_owned()))
        }
        Some(_) => return Err(invalid("value", "give exactly one of percentage and fixedAmount")),
    };
    let target = match input.target {
        None => None,
        Some(t) => Some(match t.kind {
            DiscountTargetInputKind::Order => TargetInput::Order,
            DiscountTargetInputKind::Items => TargetInput::Items(selection(t.items, "target")?),
            DiscountTargetInputKind::BuyXGetY => TargetInput::BuyXGetY {
                buy: selection(t.buy_items, "target")?,
                buy_quantity: t.buy_quantity.unwrap_or(1),
                get: selection(t.items, "target")?,
                get_quantity: t.get_quantity.unwrap_or(1),
            },
        }),
    };
    Ok(DiscountChanges {
        title: input.title,
        code: maybe(input.code),
        value,
        target,
        minimum_subtotal: maybe(input.minimum_subtotal)
            .map(|m| m.map(|m| (m.amount.0, m.currency_code.name().to_owned()))),
        starts_at: maybe(input.starts_at),
        ends_at: maybe(input.ends_at),
        usage_limit: maybe(input.usage_limit),
        usage_limit_per_customer: maybe(input.usage_limit_per_customer),
        combinable: input.combinable,
        channel_ids: input
            .channel_ids
            .map(|ids| input_ids(&ids, NodeKind::Channel, "channelIds"))
            .transpose()?,
        active: input.active,
    })
}

#[derive(InputObject, Clone)]
pub struct TaxRateInput {
    pub country_code: Option<crate::common::codes::CountryCode>,
    /// A region of the country ("NY", "BY"); null for the whole country.
    pub province_code: MaybeUndefined<String>,
    pub name: Option<String>,
    /// Percent, e.g. "20" or "8.875".
    pub rate: Option<Decimal>,
}

payload!(PriceListPayload { price_list: Option<PriceList> });
payload!(
    /// How many rows were written and removed; `replayed` when an earlier call with the same
    /// idempotency key did the work (nothing was written again).
    PriceListPricesSetPayload {
        price_list: Option<PriceList>,
        written_count: i32,
        removed_count: i32,
        replayed: bool,
    }
);
payload!(DiscountPayload { discount: Option<Discount> });
payload!(TaxRatePayload { tax_rate: Option<TaxRate> });
payload!(TaxRateDeletePayload { deleted_tax_rate_id: Option<ID> });

#[derive(Default)]
pub struct PricingMutation;

#[Object]
impl PricingMutation {
    /// Needs `pricing:write`.
    async fn price_list_create(
        &self,
        ctx: &Context<'_>,
        input: PriceListInput,
    ) -> async_graphql::Result<PriceListPayload> {
        ctx.require(Permission::PricingWrite)?;
        let result =
            async { ctx.app().pricing.price_list_save(None, list_changes(input)?).await }.await;
        let (list, user_errors) = into_payload(result)?;
        Ok(PriceListPayload { price_list: list.map(PriceList), user_errors })
    }

    /// Needs `pricing:write`.
    async fn price_list_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: PriceListInput,
    ) -> async_graphql::Result<PriceListPayload> {
        ctx.require(Permission::PricingWrite)?;
        let result = async {
            let id = input_id(&id, NodeKind::PriceList, "id")?;
            ctx.app().pricing.price_list_save(Some(id), list_changes(input)?).await
        }
        .await;
        let (list, user_errors) = into_payload(result)?;
        Ok(PriceListPayload { price_list: list.map(PriceList), user_errors })
    }

    /// Sets many prices of a list at once (an ERP or POS sync, up to 10,000 rows): every row
    /// is checked first and one bad row writes nothing (`["prices", "17", "price"]`). Rows
    /// replace a variant's earlier entry; `removeVariantIds` drop entries. With an
    /// `idempotencyKey`, a retry of the same request changes nothing.
    /// Needs `pricing:write`.
    async fn price_list_prices_set(
        &self,
        ctx: &Context<'_>,
        price_list_id: ID,
        prices: Vec<PriceListPriceInput>,
        #[graphql(default)] remove_variant_ids: Vec<ID>,
        idempotency_key: Option<String>,
    ) -> async_graphql::Result<PriceListPricesSetPayload> {
        let actor = ctx.require(Permission::PricingWrite)?;
        let result = async {
            let list_id = input_id(&price_list_id, NodeKind::PriceList, "priceListId")?;
            let mut rows = Vec::with_capacity(prices.len());
            let mut errors = vec![];
            for (i, p) in prices.into_iter().enumerate() {
                let variant_id =
                    match input_id(&p.variant_id, NodeKind::ProductVariant, "variantId") {
                        Ok(id) => id,
                        Err(AppError::User(e)) => {
                            let at = ["prices".to_owned(), i.to_string()];
                            errors.extend(e.into_iter().map(|e| e.at(&at)));
                            continue;
                        }
                        Err(other) => return Err(other),
                    };
                rows.push(PriceRow {
                    variant_id,
                    price: p.price.map(|d| d.0),
                    compare_at_price: p.compare_at_price.map(|d| d.0),
                    minimum: p.minimum,
                    increment: p.increment,
                    maximum: p.maximum,
                    breaks: p.breaks.into_iter().map(|b| (b.minimum_quantity, b.price.0)).collect(),
                });
            }
            if !errors.is_empty() {
                return Err(AppError::User(errors));
            }
            let remove =
                input_ids(&remove_variant_ids, NodeKind::ProductVariant, "removeVariantIds")?;
            ctx.app().pricing.prices_set(actor, list_id, rows, remove, idempotency_key).await
        }
        .await;
        let (set, user_errors) = into_payload(result)?;
        Ok(match set {
            Some(set) => PriceListPricesSetPayload {
                price_list: Some(PriceList(set.price_list)),
                written_count: i32::try_from(set.written).unwrap_or(i32::MAX),
                removed_count: i32::try_from(set.removed).unwrap_or(i32::MAX),
                replayed: set.replayed,
                user_errors,
            },
            None => PriceListPricesSetPayload { user_errors, ..Default::default() },
        })
    }

    /// A promotion: automatic (no code) or with a code. Needs `pricing:write`.
    async fn discount_create(
        &self,
        ctx: &Context<'_>,
        input: DiscountInput,
    ) -> async_graphql::Result<DiscountPayload> {
        ctx.require(Permission::PricingWrite)?;
        let result =
            async { ctx.app().pricing.discount_save(None, discount_changes(input)?).await }.await;
        let (discount, user_errors) = into_payload(result)?;
        Ok(DiscountPayload { discount: discount.map(Discount), user_errors })
    }

    /// Needs `pricing:write`.
    async fn discount_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: DiscountInput,
    ) -> async_graphql::Result<DiscountPayload> {
        ctx.require(Permission::PricingWrite)?;
        let result = async {
            let id = input_id(&id, NodeKind::Discount, "id")?;
            ctx.app().pricing.discount_save(Some(id), discount_changes(input)?).await
        }
        .await;
        let (discount, user_errors) = into_payload(result)?;
        Ok(DiscountPayload { discount: discount.map(Discount), user_errors })
    }

    /// The tax rate of a country, or of one of its regions. Needs `pricing:write`.
    async fn tax_rate_create(
        &self,
        ctx: &Context<'_>,
        input: TaxRateInput,
    ) -> async_graphql::Result<TaxRatePayload> {
        ctx.require(Permission::PricingWrite)?;
        let result = ctx
            .app()
            .pricing
            .tax_rate_save(
                None,
                Some(input.country_code.map(|c| c.name().to_owned()).unwrap_or_default()),
                maybe(input.province_code),
                input.name,
                input.rate.map(|r| r.0),
            )
            .await;
        let (rate, user_errors) = into_payload(result)?;
        Ok(TaxRatePayload { tax_rate: rate.map(TaxRate), user_errors })
    }

    /// Needs `pricing:write`.
    async fn tax_rate_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: TaxRateInput,
    ) -> async_graphql::Result<TaxRatePayload> {
        ctx.require(Permission::PricingWrite)?;
        let result = async {
            let id = input_id(&id, NodeKind::TaxRate, "id")?;
            ctx.app()
                .pricing
                .tax_rate_save(
                    Some(id),
                    input.country_code.map(|c| c.name().to_owned()),
                    maybe(input.province_code),
                    input.name,
                    input.rate.map(|r| r.0),
                )
                .await
        }
        .await;
        let (rate, user_errors) = into_payload(result)?;
        Ok(TaxRatePayload { tax_rate: rate.map(TaxRate), user_errors })
    }

    /// Needs `pricing:write`.
    async fn tax_rate_delete(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<TaxRateDeletePayload> {
        ctx.require(Permission::PricingWrite)?;
        let result = async {
            let uuid = input_id(&id, NodeKind::TaxRate, "id")?;
            ctx.app().pricing.tax_rate_delete(uuid).await
        }
        .await;
        let (deleted, user_errors) = into_payload(result)?;
        Ok(TaxRateDeletePayload { deleted_tax_rate_id: deleted.map(|()| id), user_errors })
    }
}
