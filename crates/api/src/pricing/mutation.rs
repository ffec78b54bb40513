//! Price lists and their bulk prices, discounts and tax rates (`pricing:write`).

use async_graphql::{Context, Enum, InputObject, MaybeUndefined, Object, ID};
use chrono::{DateTime, Utc};
use vitrine_app::pricing::PricesSet;
use vitrine_app::pricing::{
    DiscountInput as DiscountChanges, PriceListInput as PriceListChanges, PriceRow, SelectionInput,
    TargetInput, ValueInput,
};
use vitrine_app::{ErrorCode, TaxRateRecord};
use vitrine_domain::access::Permission;
use vitrine_domain::id::NodeKind;
use vitrine_domain::pricing::{Discount as DomainDiscount, PriceList as DomainPriceList};

use crate::common::codes::CurrencyCode;
use crate::common::money::MoneyInput;
use crate::common::scalars::Decimal;
use crate::context::ContextExt;
use crate::mutate::{maybe, mutate, payload, read_input, InputReader};
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

fn list_changes(r: &mut InputReader, input: PriceListInput) -> PriceListChanges {
    PriceListChanges {
        name: input.name,
        currency: input.currency.map(|c| c.name().to_owned()),
        company_ids: input.company_ids.map(|ids| r.ids(&ids, NodeKind::Company, "companyIds")),
        customer_group_ids: input
            .customer_group_ids
            .map(|ids| r.ids(&ids, NodeKind::CustomerGroup, "customerGroupIds")),
        channel_ids: input.channel_ids.map(|ids| r.ids(&ids, NodeKind::Channel, "channelIds")),
        starts_at: maybe(input.starts_at),
        ends_at: maybe(input.ends_at),
        adjustment_percent: maybe(input.adjustment_percent).map(|p| p.map(|d| d.0)),
    }
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

fn selection(
    r: &mut InputReader,
    input: Option<DiscountItemsInput>,
    field: &str,
) -> SelectionInput {
    let input = input.unwrap_or_default();
    r.within(&[field], |r| SelectionInput {
        product_ids: r.ids(&input.product_ids, NodeKind::Product, "productIds"),
        collection_ids: r.ids(&input.collection_ids, NodeKind::Collection, "collectionIds"),
        brand_ids: r.ids(&input.brand_ids, NodeKind::Brand, "brandIds"),
    })
}

fn discount_changes(r: &mut InputReader, input: DiscountInput) -> DiscountChanges {
    let value = match input.value {
        None => None,
        Some(DiscountValueInput { percentage: Some(p), fixed_amount: None }) => {
            Some(ValueInput::Percentage(p.0))
        }
        Some(DiscountValueInput { percentage: None, fixed_amount: Some(m) }) => {
            Some(ValueInput::FixedAmount(m.amount.0, m.currency_code.name().to_owned()))
        }
        Some(_) => {
            r.reject(
                &["value"],
                ErrorCode::Invalid,
                "give exactly one of percentage and fixedAmount",
            );
            None
        }
    };
    let target = input.target.map(|t| {
        r.within(&["target"], |r| match t.kind {
            DiscountTargetInputKind::Order => TargetInput::Order,
            DiscountTargetInputKind::Items => TargetInput::Items(selection(r, t.items, "items")),
            DiscountTargetInputKind::BuyXGetY => TargetInput::BuyXGetY {
                buy: selection(r, t.buy_items, "buyItems"),
                buy_quantity: t.buy_quantity.unwrap_or(1),
                get: selection(r, t.items, "items"),
                get_quantity: t.get_quantity.unwrap_or(1),
            },
        })
    });
    DiscountChanges {
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
        channel_ids: input.channel_ids.map(|ids| r.ids(&ids, NodeKind::Channel, "channelIds")),
        active: input.active,
    }
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

payload!(PriceListPayload { price_list: Option<PriceList> }
    from |list: DomainPriceList| { price_list: Some(PriceList(list)) });
payload!(
    /// How many rows were written and removed; `replayed` when an earlier call with the same
    /// idempotency key did the work (nothing was written again).
    PriceListPricesSetPayload {
        price_list: Option<PriceList>,
        written_count: i32,
        removed_count: i32,
        replayed: bool,
    }
    from |set: PricesSet| {
        price_list: Some(PriceList(set.price_list)),
        written_count: i32::try_from(set.written).unwrap_or(i32::MAX),
        removed_count: i32::try_from(set.removed).unwrap_or(i32::MAX),
        replayed: set.replayed,
    }
);
payload!(DiscountPayload { discount: Option<Discount> }
    from |discount: DomainDiscount| { discount: Some(Discount(discount)) });
payload!(TaxRatePayload { tax_rate: Option<TaxRate> }
    from |rate: TaxRateRecord| { tax_rate: Some(TaxRate(rate)) });
payload!(TaxRateDeletePayload { deleted_tax_rate_id: Option<ID> }
    from |id: ID| { deleted_tax_rate_id: Some(id) });

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
        let input = read_input(|r| list_changes(r, input));
        mutate(ctx, input, async |_, input| ctx.app().pricing.price_list_save(None, input).await)
            .await
    }

    /// Needs `pricing:write`.
    async fn price_list_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: PriceListInput,
    ) -> async_graphql::Result<PriceListPayload> {
        ctx.require(Permission::PricingWrite)?;
        let input = read_input(|r| (r.id(&id, NodeKind::PriceList, "id"), list_changes(r, input)));
        mutate(ctx, input, async |_, (id, input)| {
            ctx.app().pricing.price_list_save(Some(id), input).await
        })
        .await
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
        let input = read_input(|r| {
            let list_id = r.id(&price_list_id, NodeKind::PriceList, "priceListId");
            let rows = r.rows("prices", prices, |r, p| PriceRow {
                variant_id: r.id(&p.variant_id, NodeKind::ProductVariant, "variantId"),
                price: p.price.map(|d| d.0),
                compare_at_price: p.compare_at_price.map(|d| d.0),
                minimum: p.minimum,
                increment: p.increment,
                maximum: p.maximum,
                breaks: p.breaks.into_iter().map(|b| (b.minimum_quantity, b.price.0)).collect(),
            });
            let remove = r.ids(&remove_variant_ids, NodeKind::ProductVariant, "removeVariantIds");
            (list_id, rows, remove)
        });
        mutate(ctx, input, async |_, (list_id, rows, remove)| {
            ctx.app().pricing.prices_set(actor, list_id, rows, remove, idempotency_key).await
        })
        .await
    }

    /// A promotion: automatic (no code) or with a code. Needs `pricing:write`.
    async fn discount_create(
        &self,
        ctx: &Context<'_>,
        input: DiscountInput,
    ) -> async_graphql::Result<DiscountPayload> {
        ctx.require(Permission::PricingWrite)?;
        let input = read_input(|r| discount_changes(r, input));
        mutate(ctx, input, async |_, input| ctx.app().pricing.discount_save(None, input).await)
            .await
    }

    /// Needs `pricing:write`.
    async fn discount_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: DiscountInput,
    ) -> async_graphql::Result<DiscountPayload> {
        ctx.require(Permission::PricingWrite)?;
        let input =
            read_input(|r| (r.id(&id, NodeKind::Discount, "id"), discount_changes(r, input)));
        mutate(ctx, input, async |_, (id, input)| {
            ctx.app().pricing.discount_save(Some(id), input).await
        })
        .await
    }

    /// The tax rate of a country, or of one of its regions. Needs `pricing:write`.
    async fn tax_rate_create(
        &self,
        ctx: &Context<'_>,
        input: TaxRateInput,
    ) -> async_graphql::Result<TaxRatePayload> {
        ctx.require(Permission::PricingWrite)?;
        mutate(ctx, Ok(input), async |_, input| {
            let country = input.country_code.map(|c| c.name().to_owned()).unwrap_or_default();
            let (region, rate) = (maybe(input.province_code), input.rate.map(|r| r.0));
            ctx.app().pricing.tax_rate_save(None, Some(country), region, input.name, rate).await
        })
        .await
    }

    /// Needs `pricing:write`.
    async fn tax_rate_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: TaxRateInput,
    ) -> async_graphql::Result<TaxRatePayload> {
        ctx.require(Permission::PricingWrite)?;
        let id = read_input(|r| r.id(&id, NodeKind::TaxRate, "id"));
        mutate(ctx, id, async |_, id| {
            let country = input.country_code.map(|c| c.name().to_owned());
            let (region, rate) = (maybe(input.province_code), input.rate.map(|r| r.0));
            ctx.app().pricing.tax_rate_save(Some(id), country, region, input.name, rate).await
        })
        .await
    }

    /// Needs `pricing:write`.
    async fn tax_rate_delete(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<TaxRateDeletePayload> {
        ctx.require(Permission::PricingWrite)?;
        let uuid = read_input(|r| r.id(&id, NodeKind::TaxRate, "id"));
        mutate(ctx, uuid, async |_, uuid| {
            ctx.app().pricing.tax_rate_delete(uuid).await.map(|()| id)
        })
        .await
    }
}
