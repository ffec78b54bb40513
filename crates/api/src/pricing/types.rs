//! Price lists, quantity rules and tiers, discounts, tax rates, customer groups, and price
//! quotes as the API shows them.

use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use vitrine_app::pricing::Quote;
use vitrine_app::TaxRateRecord;
use vitrine_domain::id::NodeKind;
use vitrine_domain::pricing::{
    self as engine, DiscountTarget, DiscountValue, ItemSelection, PriceBreak, PricedLine,
};

use crate::catalog::product::ProductVariant;
use crate::common::codes::CurrencyCode;
use crate::common::gid;
use crate::common::gids;
use crate::common::money::MoneyV2;
use crate::common::scalars::Decimal;
use crate::context::ContextExt;
use crate::error::internal;

/// How many units may be ordered, as Shopify's B2B `QuantityRule`.
#[derive(SimpleObject, Clone, Copy, Debug)]
pub struct QuantityRule {
    pub minimum: i32,
    /// Orders come in multiples of this (packs of 6).
    pub increment: i32,
    pub maximum: Option<i32>,
}

fn clamp(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

impl From<engine::QuantityRule> for QuantityRule {
    fn from(r: engine::QuantityRule) -> Self {
        Self {
            minimum: clamp(r.minimum),
            increment: clamp(r.increment),
            maximum: r.maximum.map(clamp),
        }
    }
}

/// A volume tier: from `minimumQuantity` units on, each costs `price`.
#[derive(SimpleObject, Clone, Debug)]
pub struct QuantityPriceBreak {
    pub minimum_quantity: i32,
    pub price: MoneyV2,
}

impl From<PriceBreak> for QuantityPriceBreak {
    fn from(b: PriceBreak) -> Self {
        Self { minimum_quantity: clamp(b.minimum_quantity), price: b.price.into() }
    }
}

/// Prices for a set of buyers: a channel, customer groups or specific companies.
#[derive(Clone)]
pub struct PriceList(pub engine::PriceList);

#[Object]
impl PriceList {
    async fn id(&self) -> ID {
        gid(NodeKind::PriceList, self.0.id)
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn currency(&self) -> Option<CurrencyCode> {
        CurrencyCode::from_currency(self.0.currency)
    }

    async fn company_ids(&self) -> Vec<ID> {
        gids(NodeKind::Company, &self.0.company_ids)
    }

    async fn customer_group_ids(&self) -> Vec<ID> {
        gids(NodeKind::CustomerGroup, &self.0.customer_group_ids)
    }

    async fn channel_ids(&self) -> Vec<ID> {
        gids(NodeKind::Channel, &self.0.channel_ids)
    }

    async fn starts_at(&self) -> Option<DateTime<Utc>> {
        self.0.starts_at
    }

    async fn ends_at(&self) -> Option<DateTime<Utc>> {
        self.0.ends_at
    }

    /// Applied to base prices of variants the list gives no price: "-30" is 30% off.
    async fn adjustment_percent(&self) -> Option<Decimal> {
        self.0.adjustment.map(|p| Decimal(p.to_decimal_string()))
    }

    /// The list's own prices and rules, by variant.
    #[graphql(complexity = "crate::cost::connection_cost(first, None, 50, child_complexity)")]
    async fn prices(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<String, PriceListPrice>> {
        let limits = ctx.data_unchecked::<crate::connection::Limits>();
        let limit = first.unwrap_or(50).clamp(1, limits.max_page_size as i32) as u64;
        let after_id = match after {
            Some(cursor) => Some(
                uuid::Uuid::parse_str(&cursor)
                    .map_err(|_| crate::error::bad_input("`after` is not a cursor of this list"))?,
            ),
            None => None,
        };
        let mut rows = ctx
            .app()
            .pricing
            .price_list_entries(&self.0, after_id, limit)
            .await
            .map_err(crate::error::to_gql)?;
        let more = rows.len() as u64 > limit;
        rows.truncate(limit as usize);
        let mut connection = Connection::new(after_id.is_some(), more);
        connection.edges.extend(rows.into_iter().map(|e| {
            async_graphql::connection::Edge::new(e.variant_id.to_string(), PriceListPrice(e))
        }));
        Ok(connection)
    }
}

/// One variant's price and rules in a price list.
#[derive(Clone)]
pub struct PriceListPrice(pub engine::PriceListEntry);

#[Object]
impl PriceListPrice {
    async fn variant_id(&self) -> ID {
        gid(NodeKind::ProductVariant, self.0.variant_id)
    }

    async fn variant(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ProductVariant>> {
        let loaders = &ctx.req().loaders;
        let Some(variant) =
            loaders.variant.load_one(self.0.variant_id).await.map_err(|e| internal(&e))?
        else {
            return Ok(None);
        };
        let product =
            loaders.product.load_one(variant.product_id).await.map_err(|e| internal(&e))?;
        Ok(product.and_then(|p| ProductVariant::of(p, variant.id)))
    }

    /// Null when the list's adjustment of the base price gives the price.
    async fn price(&self) -> Option<MoneyV2> {
        self.0.price.map(Into::into)
    }

    async fn compare_at_price(&self) -> Option<MoneyV2> {
        self.0.compare_at.map(Into::into)
    }

    async fn quantity_rule(&self) -> QuantityRule {
        self.0.rule.into()
    }

    async fn quantity_price_breaks(&self) -> Vec<QuantityPriceBreak> {
        self.0.breaks.iter().copied().map(Into::into).collect()
    }
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiscountTargetKind {
    /// Off the order's subtotal.
    Order,
    /// Off each unit of the selected items.
    Items,
    /// Buy some items, get others reduced or free.
    BuyXGetY,
}

/// Products, collections and brands a discount is about; all empty means everything.
#[derive(SimpleObject, Clone, Debug)]
pub struct DiscountItems {
    pub product_ids: Vec<ID>,
    pub collection_ids: Vec<ID>,
    pub brand_ids: Vec<ID>,
}

impl From<&ItemSelection> for DiscountItems {
    fn from(s: &ItemSelection) -> Self {
        Self {
            product_ids: gids(NodeKind::Product, &s.product_ids),
            collection_ids: gids(NodeKind::Collection, &s.collection_ids),
            brand_ids: gids(NodeKind::Brand, &s.brand_ids),
        }
    }
}

/// What a discount takes off: a percentage or a fixed amount.
#[derive(SimpleObject, Clone, Debug)]
pub struct DiscountAmount {
    pub percentage: Option<Decimal>,
    pub fixed_amount: Option<MoneyV2>,
}

/// A promotion: automatic, or applied with a code.
#[derive(Clone)]
pub struct Discount(pub engine::Discount);

#[Object]
impl Discount {
    async fn id(&self) -> ID {
        gid(NodeKind::Discount, self.0.id)
    }

    async fn title(&self) -> &str {
        &self.0.title
    }

    /// Null for an automatic discount.
    async fn code(&self) -> Option<&str> {
        self.0.code.as_deref()
    }

    async fn automatic(&self) -> bool {
        self.0.code.is_none()
    }

    async fn value(&self) -> DiscountAmount {
        match self.0.value {
            DiscountValue::Percentage(p) => DiscountAmount {
                percentage: Some(Decimal(p.to_decimal_string())),
                fixed_amount: None,
            },
            DiscountValue::FixedAmount(m) => {
                DiscountAmount { percentage: None, fixed_amount: Some(m.into()) }
            }
        }
    }

    async fn target(&self) -> DiscountTargetKind {
        match self.0.target {
            DiscountTarget::Order => DiscountTargetKind::Order,
            DiscountTarget::Items(_) => DiscountTargetKind::Items,
            DiscountTarget::BuyXGetY { .. } => DiscountTargetKind::BuyXGetY,
        }
    }

    /// The items reduced (`ITEMS`) or given (`BUY_X_GET_Y`).
    async fn items(&self) -> Option<DiscountItems> {
        match &self.0.target {
            DiscountTarget::Order => None,
            DiscountTarget::Items(s) => Some(s.into()),
            DiscountTarget::BuyXGetY { get, .. } => Some(get.into()),
        }
    }

    /// The items to buy (`BUY_X_GET_Y` only).
    async fn buy_items(&self) -> Option<DiscountItems> {
        match &self.0.target {
            DiscountTarget::BuyXGetY { buy, .. } => Some(buy.into()),
            _ => None,
        }
    }

    async fn buy_quantity(&self) -> Option<i32> {
        match self.0.target {
            DiscountTarget::BuyXGetY { buy_quantity, .. } => Some(clamp(buy_quantity)),
            _ => None,
        }
    }

    async fn get_quantity(&self) -> Option<i32> {
        match self.0.target {
            DiscountTarget::BuyXGetY { get_quantity, .. } => Some(clamp(get_quantity)),
            _ => None,
        }
    }

    async fn minimum_subtotal(&self) -> Option<MoneyV2> {
        self.0.minimum_subtotal.map(Into::into)
    }

    async fn starts_at(&self) -> Option<DateTime<Utc>> {
        self.0.starts_at
    }

    async fn ends_at(&self) -> Option<DateTime<Utc>> {
        self.0.ends_at
    }

    async fn usage_limit(&self) -> Option<i32> {
        self.0.usage_limit.map(clamp)
    }

    async fn usage_limit_per_customer(&self) -> Option<i32> {
        self.0.usage_limit_per_customer.map(clamp)
    }

    /// Whether it applies together with other combinable discounts; the engine otherwise
    /// picks whichever single discount or combination saves the buyer most.
    async fn combinable(&self) -> bool {
        self.0.combinable
    }

    /// Empty: every channel.
    async fn channel_ids(&self) -> Vec<ID> {
        gids(NodeKind::Channel, &self.0.channel_ids)
    }

    async fn active(&self) -> bool {
        self.0.active
    }
}

/// The tax rate of a country, or of one of its regions.
#[derive(Clone)]
pub struct TaxRate(pub TaxRateRecord);

#[Object]
impl TaxRate {
    async fn id(&self) -> ID {
        gid(NodeKind::TaxRate, self.0.id)
    }

    async fn country_code(&self) -> &str {
        &self.0.country_code
    }

    /// Null for the whole country.
    async fn province_code(&self) -> Option<&str> {
        (!self.0.region.is_empty()).then_some(self.0.region.as_str())
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Percent, e.g. "20" or "8.875".
    async fn rate(&self) -> Decimal {
        Decimal(self.0.rate.to_decimal_string())
    }
}

/// One discount's share of a line.
#[derive(SimpleObject, Clone, Debug)]
pub struct DiscountAllocation {
    pub discount_id: ID,
    pub title: String,
    pub code: Option<String>,
    pub amount: MoneyV2,
}

/// A priced line of a quote.
#[derive(Clone)]
pub struct PriceQuoteLine {
    pub line: PricedLine,
    pub discounts: Vec<DiscountAllocation>,
}

#[Object]
impl PriceQuoteLine {
    async fn merchandise_id(&self) -> ID {
        gid(NodeKind::ProductVariant, self.line.variant_id)
    }

    async fn quantity(&self) -> i32 {
        clamp(self.line.quantity)
    }

    /// After volume tiers, before discounts.
    async fn amount_per_quantity(&self) -> MoneyV2 {
        self.line.unit_price.into()
    }

    async fn compare_at_amount_per_quantity(&self) -> Option<MoneyV2> {
        self.line.compare_at.map(Into::into)
    }

    async fn subtotal_amount(&self) -> MoneyV2 {
        self.line.subtotal.into()
    }

    async fn discount_allocations(&self) -> &[DiscountAllocation] {
        &self.discounts
    }

    /// After discounts.
    async fn total_amount(&self) -> MoneyV2 {
        self.line.total.into()
    }

    async fn tax_amount(&self) -> MoneyV2 {
        self.line.tax.into()
    }

    /// The quantity rule this line breaks, if any: `BELOW_MINIMUM`,
    /// `NOT_MULTIPLE_OF_INCREMENT` or `ABOVE_MAXIMUM`. Checkout refuses such lines.
    async fn quantity_error(&self) -> Option<crate::error::UserError> {
        self.line.violation.map(|v| {
            let (code, message) = vitrine_app::pricing::quantity_violation(v);
            crate::error::UserError {
                field: Some(vec!["quantity".to_owned()]),
                message,
                code: Some(code.into()),
            }
        })
    }
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "vitrine_domain::pricing::CodeRejection")]
pub enum DiscountCodeRejection {
    Unknown,
    NotActive,
    UsageLimitReached,
    MinimumSubtotalNotReached,
    NoEligibleItems,
    NotCombinable,
    RequiresCustomer,
}

/// An entered code and whether it applies, as Shopify's `CartDiscountCode`.
#[derive(SimpleObject, Clone, Debug)]
pub struct QuoteDiscountCode {
    pub code: String,
    pub applicable: bool,
    pub reason: Option<DiscountCodeRejection>,
}

/// What lines cost this buyer now: the numbers the cart and checkout use.
#[derive(Clone)]
pub struct PriceQuote {
    pub quote: Quote,
    pub codes: Vec<String>,
}

#[Object]
impl PriceQuote {
    async fn lines(&self) -> Vec<PriceQuoteLine> {
        let applied = &self.quote.basket.applied;
        self.quote
            .basket
            .lines
            .iter()
            .map(|line| PriceQuoteLine {
                line: line.clone(),
                discounts: line
                    .discounts
                    .iter()
                    .map(|a| {
                        let d = applied.iter().find(|d| d.discount_id == a.discount_id);
                        DiscountAllocation {
                            discount_id: gid(NodeKind::Discount, a.discount_id),
                            title: d.map(|d| d.title.clone()).unwrap_or_default(),
                            code: d.and_then(|d| d.code.clone()),
                            amount: a.amount.into(),
                        }
                    })
                    .collect(),
            })
            .collect()
    }

    async fn subtotal_amount(&self) -> MoneyV2 {
        self.quote.basket.subtotal.into()
    }

    async fn total_discount_amount(&self) -> MoneyV2 {
        self.quote.basket.discount_total.into()
    }

    async fn total_tax_amount(&self) -> MoneyV2 {
        self.quote.basket.tax_total.into()
    }

    /// What the buyer pays (shipping comes with the cart).
    async fn total_amount(&self) -> MoneyV2 {
        self.quote.basket.total.into()
    }

    async fn prices_include_tax(&self) -> bool {
        self.quote.prices_include_tax
    }

    /// The country whose tax applied, if known.
    async fn tax_country_code(&self) -> Option<&str> {
        self.quote.tax_country.as_deref()
    }

    async fn tax_rate(&self) -> Decimal {
        Decimal(self.quote.tax_rate.to_decimal_string())
    }

    /// Discounts that apply, with their total.
    async fn discounts(&self) -> Vec<DiscountAllocation> {
        self.quote
            .basket
            .applied
            .iter()
            .map(|d| DiscountAllocation {
                discount_id: gid(NodeKind::Discount, d.discount_id),
                title: d.title.clone(),
                code: d.code.clone(),
                amount: d.amount.into(),
            })
            .collect()
    }

    /// Every code entered, and whether it applies.
    async fn discount_codes(&self) -> Vec<QuoteDiscountCode> {
        self.codes
            .iter()
            .map(|code| {
                let reason = self.quote.basket.code_rejection(code).map(Into::into);
                QuoteDiscountCode { code: code.clone(), applicable: reason.is_none(), reason }
            })
            .collect()
    }
}
