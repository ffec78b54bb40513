//! The pricing engine: what a buyer pays for a variant, in a quantity, at a moment, in a
//! currency; and what a whole basket of lines costs after promotions and taxes.
//!
//! Pure: callers load price lists, entries, discounts and the tax rate, then ask. The same
//! inputs always give the same answer, so the product page, the cart and checkout agree.
//!
//! # Resolution order (stated here, property-tested below)
//!
//! 1. **Price lists that apply**: active at `now` (`starts_at <= now < ends_at`, open ends
//!    allowed), in the shown currency, and in scope for the buyer. A list's scope matches
//!    when the buyer's approved company is in `company_ids`, or one of the buyer's customer
//!    groups is in `customer_group_ids`, or the channel is in `channel_ids`. Its
//!    specificity is the most specific scope that matched: company > customer group >
//!    channel.
//! 2. **The offer for a variant**: among applicable lists that give the variant a price
//!    (an entry with a price, or an `adjustment_percent` of the base price, entries without
//!    a price falling back to the adjustment), the most specific wins; among equally
//!    specific ones, the lowest unit price at quantity 1; then the smallest list id. The
//!    winning list also supplies the quantity rule and volume tiers. No list: the variant's
//!    base price in that currency, default quantity rule, no tiers.
//! 3. **Volume tiers**: the unit price for quantity `q` is the price of the tier with the
//!    greatest `minimum_quantity <= q`, else the offer's price.
//! 4. **Promotions** (see [`price_basket`]): never on lines priced by a company-specific
//!    list (negotiated prices are not discounted further).
//! 5. **Taxes**: one rate per basket (the buyer's country, region if known). Tax is
//!    computed per line on the line's total after discounts and rounded half up (away from
//!    zero) to the currency's minor unit; the basket's tax is the sum of its lines'.
//!    Tax-inclusive channels: `tax = total * rate / (1 + rate)` and the total already holds
//!    it; exclusive ones: `tax = total * rate`, added to the total.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::money::{Currency, Money};

/// A percentage in millionths of the whole: 20% is `200_000`, 8.875% is `88_750`. Negative
/// for price-list reductions (`-30` percent = 30% off).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Percent(pub i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PricingRuleError {
    #[error("`{0}` is not a percentage with at most 4 decimals")]
    InvalidPercent(String),
    #[error("the minimum must be at least 1")]
    MinimumBelowOne,
    #[error("the increment must be at least 1")]
    IncrementBelowOne,
    #[error("the minimum must be a multiple of the increment")]
    MinimumNotMultipleOfIncrement,
    #[error("the maximum must be a multiple of the increment and at least the minimum")]
    InvalidMaximum,
    #[error("tier {index}: minimum quantity must be greater than 1, above the previous tier's, and a multiple of the increment")]
    InvalidBreak { index: usize },
    #[error("prices must be in the price list's currency {0}")]
    WrongCurrency(Currency),
    #[error("the end of the validity window must be after its start")]
    InvalidWindow,
    #[error("prices must not be negative")]
    NegativePrice,
}

impl Percent {
    pub const ZERO: Percent = Percent(0);

    /// Parses "20", "-30", "8.875", "5.5" (at most 4 decimals).
    ///
    /// Surrounding whitespace is ignored and ".5" reads as 0.5 (as [`Money::parse`] does);
    /// a trailing dot ("12."), a `+` sign, exponents and a fifth decimal (even a zero) are
    /// errors.
    pub fn parse(text: &str) -> Result<Self, PricingRuleError> {
        let invalid = || PricingRuleError::InvalidPercent(text.to_owned());
        let trimmed = text.trim();
        let (negative, digits) = match trimmed.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let (whole, fraction) = match digits.split_once('.') {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (digits, None),
        };
        let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
        let fraction_ok = match fraction {
            Some(f) => !f.is_empty() && f.len() <= PERCENT_DECIMALS && all_digits(f),
            None => true,
        };
        if (whole.is_empty() && fraction.is_none()) || !all_digits(whole) || !fraction_ok {
            return Err(invalid());
        }
        let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| invalid())? };
        let mut fraction_units: i64 = 0;
        let mut scale = PER_PERCENT;
        for b in fraction.unwrap_or("").bytes() {
            scale /= 10;
            fraction_units += i64::from(b - b'0') * scale;
        }
        let value = whole
            .checked_mul(PER_PERCENT)
            .and_then(|w| w.checked_add(fraction_units))
            .ok_or_else(invalid)?;
        Ok(Percent(if negative { -value } else { value }))
    }

    /// Back to a decimal string without trailing zeros ("20", "8.875", "-30").
    pub fn to_decimal_string(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let per_percent = PER_PERCENT.unsigned_abs();
        let (whole, fraction) = (abs / per_percent, abs % per_percent);
        if fraction == 0 {
            return format!("{sign}{whole}");
        }
        let fraction = format!("{fraction:0width$}", width = PERCENT_DECIMALS);
        format!("{sign}{whole}.{}", fraction.trim_end_matches('0'))
    }
}

/// Millionths of the whole in one percent.
const PER_PERCENT: i64 = 10_000;
/// Decimals a percentage may be written with (one millionth of the whole).
const PERCENT_DECIMALS: usize = 4;
/// The whole, in millionths.
const WHOLE: i128 = 1_000_000;

/// Divides rounding half up (away from zero): the one rounding rule of the engine.
///
/// Total for every input: a zero denominator gives 0 and the one overflowing quotient
/// (`i128::MIN / -1`) saturates.
pub fn div_round_half_up(numerator: i128, denominator: i128) -> i128 {
    if denominator == 0 {
        return 0;
    }
    let negative = (numerator < 0) != (denominator < 0);
    let (n, d) = (numerator.unsigned_abs(), denominator.unsigned_abs());
    let (mut quotient, remainder) = (n / d, n % d);
    // `remainder >= d / 2`, without overflowing `2 * remainder`.
    if remainder >= d - remainder {
        quotient += 1;
    }
    if negative {
        0i128.checked_sub_unsigned(quotient).unwrap_or(i128::MIN)
    } else {
        i128::try_from(quotient).unwrap_or(i128::MAX)
    }
}

/// An `i128` intermediate back to minor units, saturating.
fn saturate(value: i128) -> i64 {
    i64::try_from(value).unwrap_or(if value < 0 { i64::MIN } else { i64::MAX })
}

/// `amount * percent`, rounded half up to the minor unit.
fn percent_of(amount: i128, percent: Percent) -> i128 {
    div_round_half_up(amount.saturating_mul(i128::from(percent.0)), WHOLE)
}

/// `starts_at <= now < ends_at`, open ends allowed.
fn in_window(
    starts_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    starts_at.is_none_or(|s| s <= now) && ends_at.is_none_or(|e| now < e)
}

/// How many units may be ordered: at least `minimum`, in multiples of `increment`, at most
/// `maximum`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuantityRule {
    pub minimum: u32,
    pub increment: u32,
    pub maximum: Option<u32>,
}

impl Default for QuantityRule {
    fn default() -> Self {
        Self { minimum: 1, increment: 1, maximum: None }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuantityViolation {
    BelowMinimum { minimum: u32 },
    NotMultipleOfIncrement { increment: u32 },
    AboveMaximum { maximum: u32 },
}

impl QuantityRule {
    /// Rules as merchants write them must be satisfiable: minimum >= 1, increment >= 1,
    /// minimum and maximum multiples of the increment, maximum >= minimum.
    pub fn validate(&self) -> Result<(), PricingRuleError> {
        if self.minimum < 1 {
            return Err(PricingRuleError::MinimumBelowOne);
        }
        if self.increment < 1 {
            return Err(PricingRuleError::IncrementBelowOne);
        }
        if !self.minimum.is_multiple_of(self.increment) {
            return Err(PricingRuleError::MinimumNotMultipleOfIncrement);
        }
        if let Some(maximum) = self.maximum {
            if maximum < self.minimum || !maximum.is_multiple_of(self.increment) {
                return Err(PricingRuleError::InvalidMaximum);
            }
        }
        Ok(())
    }

    /// Whether `quantity` may be ordered; the first rule broken, checked in the order
    /// minimum, increment, maximum.
    ///
    /// An (invalid) increment of 0 is not checked rather than divided by.
    pub fn check(&self, quantity: u32) -> Result<(), QuantityViolation> {
        if quantity < self.minimum {
            return Err(QuantityViolation::BelowMinimum { minimum: self.minimum });
        }
        if quantity.checked_rem(self.increment).is_some_and(|r| r != 0) {
            return Err(QuantityViolation::NotMultipleOfIncrement { increment: self.increment });
        }
        match self.maximum {
            Some(maximum) if quantity > maximum => Err(QuantityViolation::AboveMaximum { maximum }),
            _ => Ok(()),
        }
    }
}

/// A volume tier: from `minimum_quantity` units on, each costs `price`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceBreak {
    pub minimum_quantity: u32,
    pub price: Money,
}

/// How specific a price list's match to the buyer is; more specific wins.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ScopeMatch {
    Channel = 1,
    CustomerGroup = 2,
    Company = 3,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PriceList {
    pub id: Uuid,
    pub name: String,
    pub currency: Currency,
    pub channel_ids: Vec<Uuid>,
    pub customer_group_ids: Vec<Uuid>,
    pub company_ids: Vec<Uuid>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    /// Applied to the variant's base price in the list's currency where the list has no
    /// explicit price: `-30` is 30% off. `None`: only explicit prices.
    pub adjustment: Option<Percent>,
}

impl PriceList {
    /// Whether the list is valid at `now`: `starts_at <= now < ends_at`.
    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        in_window(self.starts_at, self.ends_at, now)
    }

    /// The most specific scope that matches `buyer`, if any.
    pub fn scope_for(&self, buyer: &Buyer) -> Option<ScopeMatch> {
        if buyer.company_id.is_some_and(|c| self.company_ids.contains(&c)) {
            Some(ScopeMatch::Company)
        } else if buyer.customer_group_ids.iter().any(|g| self.customer_group_ids.contains(g)) {
            Some(ScopeMatch::CustomerGroup)
        } else if self.channel_ids.contains(&buyer.channel_id) {
            Some(ScopeMatch::Channel)
        } else {
            None
        }
    }
}

/// One variant's terms in one price list.
#[derive(Clone, Debug, PartialEq)]
pub struct PriceListEntry {
    pub price_list_id: Uuid,
    pub variant_id: Uuid,
    /// `None`: the list's adjustment of the base price (if it has one) gives the price.
    pub price: Option<Money>,
    pub compare_at: Option<Money>,
    pub rule: QuantityRule,
    /// Sorted by `minimum_quantity`, ascending.
    pub breaks: Vec<PriceBreak>,
}

impl PriceListEntry {
    /// Checks an entry about to be written to a list in `currency`: the rule, the tiers
    /// (strictly ascending minimum quantities above 1, multiples of the increment) and that
    /// every amount is in the list's currency.
    ///
    /// Amounts must also not be negative ([`PricingRuleError::NegativePrice`]). The rule is
    /// checked first, then the price and compare-at, then each tier in order.
    pub fn validate(&self, currency: Currency) -> Result<(), PricingRuleError> {
        self.rule.validate()?;
        let check_amount = |amount: Money| {
            if amount.currency != currency {
                Err(PricingRuleError::WrongCurrency(currency))
            } else if amount.minor < 0 {
                Err(PricingRuleError::NegativePrice)
            } else {
                Ok(())
            }
        };
        self.price.into_iter().chain(self.compare_at).try_for_each(check_amount)?;
        let mut previous: Option<u32> = None;
        for (index, tier) in self.breaks.iter().enumerate() {
            let q = tier.minimum_quantity;
            if q <= 1 || previous.is_some_and(|p| q <= p) || !q.is_multiple_of(self.rule.increment)
            {
                return Err(PricingRuleError::InvalidBreak { index });
            }
            check_amount(tier.price)?;
            previous = Some(q);
        }
        Ok(())
    }
}

/// Who is buying, as far as prices care. `company_id` is set only for members of an
/// approved company.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Buyer {
    pub channel_id: Uuid,
    pub customer_id: Option<Uuid>,
    pub customer_group_ids: Vec<Uuid>,
    pub company_id: Option<Uuid>,
}

/// The lists that apply to `buyer` in `currency` at `now`, with how they matched, in a
/// deterministic order (by id).
pub fn applicable_price_lists<'a>(
    lists: &'a [PriceList],
    buyer: &Buyer,
    currency: Currency,
    now: DateTime<Utc>,
) -> Vec<(&'a PriceList, ScopeMatch)> {
    let mut applicable: Vec<_> = lists
        .iter()
        .filter(|l| l.currency == currency && l.is_active(now))
        .filter_map(|l| l.scope_for(buyer).map(|scope| (l, scope)))
        .collect();
    applicable.sort_by_key(|(l, _)| l.id);
    applicable
}

/// What one variant costs the buyer before promotions.
#[derive(Clone, Debug, PartialEq)]
pub struct Offer {
    pub variant_id: Uuid,
    /// The winning list, `None` for the base price.
    pub price_list_id: Option<Uuid>,
    pub scope: Option<ScopeMatch>,
    /// Unit price for quantities below the first tier.
    pub price: Money,
    pub compare_at: Option<Money>,
    pub rule: QuantityRule,
    pub breaks: Vec<PriceBreak>,
}

impl Offer {
    /// The unit price for `quantity` units (tiers applied).
    pub fn unit_price(&self, quantity: u32) -> Money {
        self.breaks
            .iter()
            .filter(|b| b.minimum_quantity <= quantity)
            .max_by_key(|b| b.minimum_quantity)
            .map_or(self.price, |b| b.price)
    }

    /// Whether promotions may reduce this offer (not when a company-specific list set it).
    pub fn is_discountable(&self) -> bool {
        self.scope != Some(ScopeMatch::Company)
    }
}

/// Resolves the offer for one variant. `base` is the variant's base price (and compare-at)
/// in the shown currency, if it has one; `lists` come from [`applicable_price_lists`];
/// `entries` are this variant's entries in any of those lists. `None` when nothing prices
/// the variant in that currency.
///
/// A list prices the variant with its entry's price, else (entry without a price, or no
/// entry) with its `adjustment` of `base` when both exist in the list's currency. The
/// winner's entry, if any, supplies the compare-at, quantity rule and tiers; a list that
/// priced the variant by adjustment without an entry gives the default rule and no tiers.
///
/// Compare-at of an adjustment-priced offer whose entry sets none: the base price when the
/// adjustment lowers it (so shoppers see the reduction), else the base compare-at if it is
/// above the adjusted price, else none. Adjusted prices are rounded half up and never
/// below zero. Entries of other variants or lists, and entry prices in another currency
/// than their list's, are ignored.
pub fn resolve_offer(
    variant_id: Uuid,
    base: Option<(Money, Option<Money>)>,
    lists: &[(&PriceList, ScopeMatch)],
    entries: &[&PriceListEntry],
) -> Option<Offer> {
    let base = base
        .map(|(price, compare_at)| (price, compare_at.filter(|c| c.currency == price.currency)));
    let mut best: Option<Offer> = None;
    for &(list, scope) in lists {
        let entry = entries
            .iter()
            .copied()
            .find(|e| e.price_list_id == list.id && e.variant_id == variant_id);
        let (price, compare_at) = match entry.and_then(|e| e.price) {
            Some(price) => (price, entry.and_then(|e| e.compare_at)),
            None => {
                let (Some(adjustment), Some((base_price, base_compare_at))) =
                    (list.adjustment, base)
                else {
                    continue;
                };
                if base_price.currency != list.currency {
                    continue;
                }
                let adjusted = i128::from(base_price.minor)
                    .saturating_add(percent_of(i128::from(base_price.minor), adjustment));
                let price = Money::new(saturate(adjusted.max(0)), list.currency);
                let fallback = if price.minor < base_price.minor {
                    Some(base_price)
                } else {
                    base_compare_at.filter(|c| c.minor > price.minor)
                };
                (price, entry.and_then(|e| e.compare_at).or(fallback))
            }
        };
        if price.currency != list.currency {
            continue;
        }
        let candidate = Offer {
            variant_id,
            price_list_id: Some(list.id),
            scope: Some(scope),
            price,
            compare_at: compare_at.filter(|c| c.currency == price.currency),
            rule: entry.map(|e| e.rule).unwrap_or_default(),
            breaks: entry.map(|e| e.breaks.clone()).unwrap_or_default(),
        };
        if best.as_ref().is_none_or(|b| offer_precedence(&candidate, b) == Ordering::Less) {
            best = Some(candidate);
        }
    }
    best.or_else(|| {
        base.map(|(price, compare_at)| Offer {
            variant_id,
            price_list_id: None,
            scope: None,
            price,
            compare_at,
            rule: QuantityRule::default(),
            breaks: Vec::new(),
        })
    })
}

/// `Less` when `a` beats `b`: more specific scope, then lower unit price at quantity 1, then
/// smaller list id.
fn offer_precedence(a: &Offer, b: &Offer) -> Ordering {
    b.scope
        .cmp(&a.scope)
        .then_with(|| a.unit_price(1).minor.cmp(&b.unit_price(1).minor))
        .then_with(|| a.price_list_id.cmp(&b.price_list_id))
}

/// What a promotion takes off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiscountValue {
    /// Positive: `200_000` takes 20% off.
    Percentage(Percent),
    /// On items: off each unit, at most the unit's price. On the order: once, at most the
    /// discountable subtotal.
    FixedAmount(Money),
}

/// Which items a promotion is about: empty lists on all three mean every item.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ItemSelection {
    pub product_ids: Vec<Uuid>,
    pub collection_ids: Vec<Uuid>,
    pub brand_ids: Vec<Uuid>,
}

impl ItemSelection {
    /// Every item when all three lists are empty; else items of a listed product, of a
    /// listed brand, or in a listed collection.
    pub fn matches(&self, item: &ItemFacts) -> bool {
        if self.product_ids.is_empty()
            && self.collection_ids.is_empty()
            && self.brand_ids.is_empty()
        {
            return true;
        }
        self.product_ids.contains(&item.product_id)
            || item.brand_id.is_some_and(|b| self.brand_ids.contains(&b))
            || item.collection_ids.iter().any(|c| self.collection_ids.contains(c))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiscountTarget {
    /// Off the order's discountable subtotal, allocated to lines pro rata.
    Order,
    /// Off each unit of matching items.
    Items(ItemSelection),
    /// For every `buy_quantity` units bought from `buy`, `get_quantity` units from `get`
    /// get the discount's value (100% is free). The cheapest qualifying units are the ones
    /// discounted.
    ///
    /// Only units of discountable lines count. The number of sets is the largest `k` such
    /// that `k * buy_quantity` "buy" units and `k * get_quantity` "get" units can be taken
    /// as distinct units (a unit matching both selections counts as one or the other, never
    /// both): buy 2 get 1 on one item discounts 1 unit of 3, 1 of 5 and 2 of 6. The
    /// `k * get_quantity` discounted units are the cheapest get-units (ties: earlier line)
    /// that still leave enough units to buy. A zero `buy_quantity` or `get_quantity`
    /// discounts nothing.
    BuyXGetY { buy: ItemSelection, buy_quantity: u32, get: ItemSelection, get_quantity: u32 },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Discount {
    pub id: Uuid,
    pub title: String,
    /// `None`: automatic (applies without a code).
    pub code: Option<String>,
    pub value: DiscountValue,
    pub target: DiscountTarget,
    /// The basket's subtotal before discounts must reach this.
    pub minimum_subtotal: Option<Money>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub usage_limit: Option<u32>,
    pub usage_limit_per_customer: Option<u32>,
    /// Whether it may apply together with other combinable discounts.
    pub combinable: bool,
    /// Empty: every channel.
    pub channel_ids: Vec<Uuid>,
    pub active: bool,
}

impl Discount {
    /// Whether it picks items by collection: then pricing needs the items' collections.
    pub fn selects_collections(&self) -> bool {
        match &self.target {
            DiscountTarget::Order => false,
            DiscountTarget::Items(s) => !s.collection_ids.is_empty(),
            DiscountTarget::BuyXGetY { buy, get, .. } => {
                !buy.collection_ids.is_empty() || !get.collection_ids.is_empty()
            }
        }
    }
}

/// How often a discount was used, overall and by this buyer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DiscountUsage {
    pub total: u32,
    pub by_customer: u32,
}

/// Why an entered code does not apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeRejection {
    Unknown,
    NotActive,
    UsageLimitReached,
    MinimumSubtotalNotReached,
    NoEligibleItems,
    /// Valid, but the combination rules chose a better set without it.
    NotCombinable,
    /// A per-customer limit and nobody signed in.
    RequiresCustomer,
}

/// Catalog facts promotions select on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ItemFacts {
    pub product_id: Uuid,
    pub brand_id: Option<Uuid>,
    pub collection_ids: Vec<Uuid>,
}

/// The tax setting of a basket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaxContext {
    pub rate: Percent,
    pub prices_include_tax: bool,
}

impl TaxContext {
    pub const NONE: TaxContext = TaxContext { rate: Percent::ZERO, prices_include_tax: false };

    /// The tax in a line total, rounded half up to the minor unit.
    pub fn tax_of(&self, line_total: Money) -> Money {
        let rate = i128::from(self.rate.0);
        let total = i128::from(line_total.minor);
        let tax = if rate == 0 {
            0
        } else if self.prices_include_tax {
            div_round_half_up(total.saturating_mul(rate), WHOLE.saturating_add(rate))
        } else {
            div_round_half_up(total.saturating_mul(rate), WHOLE)
        };
        Money::new(saturate(tax), line_total.currency)
    }
}

/// One line to price.
#[derive(Clone, Debug, PartialEq)]
pub struct BasketLine {
    pub item: ItemFacts,
    pub offer: Offer,
    pub quantity: u32,
}

/// Everything a basket's price depends on.
#[derive(Clone, Debug, PartialEq)]
pub struct Basket<'a> {
    pub currency: Currency,
    pub channel_id: Uuid,
    pub customer_id: Option<Uuid>,
    pub lines: Vec<BasketLine>,
    /// Every discount that might apply: automatic ones and those whose codes were entered.
    pub discounts: &'a [Discount],
    /// Codes the buyer entered, as typed (matched case-insensitively).
    pub codes: Vec<String>,
    pub usage: &'a HashMap<Uuid, DiscountUsage>,
    pub tax: TaxContext,
    pub now: DateTime<Utc>,
}

/// One discount's share of a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DiscountAllocation {
    pub discount_id: Uuid,
    pub amount: Money,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PricedLine {
    pub variant_id: Uuid,
    pub quantity: u32,
    /// After tiers, before discounts.
    pub unit_price: Money,
    pub compare_at: Option<Money>,
    /// `unit_price * quantity`.
    pub subtotal: Money,
    pub discounts: Vec<DiscountAllocation>,
    /// `subtotal - sum(discounts)`, never negative.
    pub total: Money,
    pub tax: Money,
    pub violation: Option<QuantityViolation>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AppliedDiscount {
    pub discount_id: Uuid,
    pub title: String,
    pub code: Option<String>,
    pub amount: Money,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PricedBasket {
    pub lines: Vec<PricedLine>,
    /// Sum of line subtotals.
    pub subtotal: Money,
    pub discount_total: Money,
    /// Sum of line taxes.
    pub tax_total: Money,
    /// Sum of line totals, plus `tax_total` when prices exclude tax.
    pub total: Money,
    pub applied: Vec<AppliedDiscount>,
    /// Entered codes that do not apply, with why, in the order entered.
    pub rejected_codes: Vec<(String, CodeRejection)>,
}

/// Prices a basket.
///
/// Promotion rules: a discount is eligible when active, in its window, for this channel,
/// under its usage limits, its minimum subtotal reached and (for codes) its code entered;
/// it must reduce at least one discountable line. Then the engine takes whichever is worth
/// more to the buyer: all eligible combinable discounts together (per line the single
/// best item-level or buy-x-get-y discount, then the best order-level discount on what
/// remains), or the single best non-combinable discount. Ties go to the combination, then
/// to the smallest discount id.
///
/// Details:
/// - A line's unit price is `offer.unit_price(quantity)` (a negative one counts as 0); a
///   quantity breaking the offer's rule is reported in `violation` and the line is still
///   priced. Offers are expected in `basket.currency` (resolve them for that currency).
/// - Codes match case-insensitively, ignoring surrounding whitespace; blank codes are
///   ignored and repeated codes reported once. The usage limits are reached when the
///   recorded uses are at the limit; a per-customer limit needs `customer_id`. A minimum
///   subtotal or fixed amount in another currency than the basket's makes the discount
///   ineligible (`MinimumSubtotalNotReached`, resp. `NoEligibleItems`).
/// - Item percentage: rounded half up per line on the line subtotal; item fixed amount: at
///   most the unit price, per unit. Order discounts are allocated pro rata to the lines'
///   remaining totals by the largest-remainder method (ties: earlier line), so the shares
///   add up exactly.
/// - Per line, the best combinable item or buy-x-get-y discount is the one taking most off
///   that line (ties: smallest id); the best order discount is the one taking most off
///   what remains (ties: smallest id).
/// - `applied` lists discounts with a non-zero amount, by id. An entered code is rejected
///   with the first condition it fails, in the order `NotActive`, `UsageLimitReached` /
///   `RequiresCustomer`, `MinimumSubtotalNotReached`, `NoEligibleItems`, and
///   `NotCombinable` when eligible but not applied; a code shared by several discounts is
///   rejected only if none applies, with the reason of the one that got furthest.
pub fn price_basket(basket: &Basket<'_>) -> PricedBasket {
    let currency = basket.currency;
    let lines: Vec<LineFacts<'_>> = basket
        .lines
        .iter()
        .map(|l| {
            let unit = l.offer.unit_price(l.quantity).minor.max(0);
            LineFacts {
                item: &l.item,
                unit,
                quantity: l.quantity,
                subtotal: unit.saturating_mul(i64::from(l.quantity)),
                discountable: l.offer.is_discountable(),
            }
        })
        .collect();
    let subtotal = lines.iter().fold(0i64, |acc, l| acc.saturating_add(l.subtotal));

    let entered = entered_codes(&basket.codes);
    let mut discounts: Vec<&Discount> = basket.discounts.iter().collect();
    discounts.sort_by_key(|d| d.id);

    // Every discount that is automatic or whose code was entered, with its standalone
    // per-line amounts when eligible.
    let mut considered: Vec<(&Discount, Result<Vec<i64>, CodeRejection>)> = Vec::new();
    for &discount in &discounts {
        if let Some(code) = &discount.code {
            let code = normalize_code(code);
            if !entered.iter().any(|(_, normalized)| *normalized == code) {
                continue;
            }
        }
        let status = conditions_met(discount, basket, subtotal).and_then(|()| {
            let amounts = standalone_amounts(discount, &lines, currency);
            if amounts.iter().any(|&a| a > 0) {
                Ok(amounts)
            } else {
                Err(CodeRejection::NoEligibleItems)
            }
        });
        considered.push((discount, status));
    }
    let eligible: Vec<(&Discount, &Vec<i64>)> =
        considered.iter().filter_map(|(d, s)| s.as_ref().ok().map(|a| (*d, a))).collect();

    let combination = combine(&eligible, &lines, currency);
    let mut chosen = combination;
    let mut chosen_total = allocations_total(&chosen);
    for &(discount, amounts) in eligible.iter().filter(|(d, _)| !d.combinable) {
        let total = amounts.iter().fold(0i64, |acc, &a| acc.saturating_add(a));
        if total > chosen_total {
            chosen = amounts
                .iter()
                .map(|&a| if a > 0 { vec![(discount.id, a)] } else { Vec::new() })
                .collect();
            chosen_total = total;
        }
    }

    let money = |minor: i64| Money::new(minor, currency);
    let mut applied_amounts: BTreeMap<Uuid, i64> = BTreeMap::new();
    let mut priced_lines = Vec::with_capacity(lines.len());
    for ((line, facts), allocations) in basket.lines.iter().zip(&lines).zip(&chosen) {
        let mut discount_sum = 0i64;
        for &(id, amount) in allocations {
            discount_sum = discount_sum.saturating_add(amount);
            let entry = applied_amounts.entry(id).or_insert(0);
            *entry = entry.saturating_add(amount);
        }
        let total = money(facts.subtotal.saturating_sub(discount_sum).max(0));
        priced_lines.push(PricedLine {
            variant_id: line.offer.variant_id,
            quantity: line.quantity,
            unit_price: money(facts.unit),
            compare_at: line.offer.compare_at,
            subtotal: money(facts.subtotal),
            discounts: allocations
                .iter()
                .map(|&(discount_id, amount)| DiscountAllocation {
                    discount_id,
                    amount: money(amount),
                })
                .collect(),
            total,
            tax: basket.tax.tax_of(total),
            violation: line.offer.rule.check(line.quantity).err(),
        });
    }

    let sum = |f: fn(&PricedLine) -> i64| {
        priced_lines.iter().fold(0i64, |acc, l| acc.saturating_add(f(l)))
    };
    let discount_total = priced_lines
        .iter()
        .flat_map(|l| &l.discounts)
        .fold(0i64, |acc, a| acc.saturating_add(a.amount.minor));
    let tax_total = sum(|l| l.tax.minor);
    let lines_total = sum(|l| l.total.minor);
    let lines_subtotal = sum(|l| l.subtotal.minor);
    let total = if basket.tax.prices_include_tax {
        lines_total
    } else {
        lines_total.saturating_add(tax_total)
    };

    let applied: Vec<AppliedDiscount> = applied_amounts
        .iter()
        .filter(|(_, &amount)| amount != 0)
        .filter_map(|(id, &amount)| {
            let discount = discounts.iter().find(|d| d.id == *id)?;
            Some(AppliedDiscount {
                discount_id: *id,
                title: discount.title.clone(),
                code: discount.code.clone(),
                amount: money(amount),
            })
        })
        .collect();

    let rejected_codes = entered
        .iter()
        .filter_map(|(typed, normalized)| {
            let mut with_code = considered.iter().filter(|(d, _)| {
                d.code.as_deref().is_some_and(|c| normalize_code(c) == *normalized)
            });
            let rejection = with_code.try_fold(None, |worst: Option<CodeRejection>, (d, s)| {
                let reason = match s {
                    _ if applied.iter().any(|a| a.discount_id == d.id) => return Err(()),
                    Ok(_) => CodeRejection::NotCombinable,
                    Err(reason) => *reason,
                };
                Ok(Some(match worst {
                    Some(w) if rejection_progress(w) >= rejection_progress(reason) => w,
                    _ => reason,
                }))
            });
            match rejection {
                Err(()) => None,
                Ok(None) => Some((typed.clone(), CodeRejection::Unknown)),
                Ok(Some(reason)) => Some((typed.clone(), reason)),
            }
        })
        .collect();

    PricedBasket {
        lines: priced_lines,
        subtotal: money(lines_subtotal),
        discount_total: money(discount_total),
        tax_total: money(tax_total),
        total: money(total),
        applied,
        rejected_codes,
    }
}

/// What the promotion rules need of a basket line.
struct LineFacts<'a> {
    item: &'a ItemFacts,
    /// Unit price after tiers, never negative.
    unit: i64,
    quantity: u32,
    subtotal: i64,
    discountable: bool,
}

/// Per line, the discounts taking something off it and how much.
type Allocations = Vec<Vec<(Uuid, i64)>>;

fn allocations_total(allocations: &Allocations) -> i64 {
    allocations.iter().flatten().fold(0i64, |acc, (_, a)| acc.saturating_add(*a))
}

fn normalize_code(code: &str) -> String {
    code.trim().to_lowercase()
}

/// The entered codes as typed with their normalized form, without blanks and repeats.
fn entered_codes(codes: &[String]) -> Vec<(String, String)> {
    let mut entered: Vec<(String, String)> = Vec::new();
    for code in codes {
        let normalized = normalize_code(code);
        if !normalized.is_empty() && !entered.iter().any(|(_, n)| *n == normalized) {
            entered.push((code.clone(), normalized));
        }
    }
    entered
}

/// How far a discount got through the eligibility checks when it was rejected.
fn rejection_progress(reason: CodeRejection) -> u8 {
    match reason {
        CodeRejection::Unknown => 0,
        CodeRejection::NotActive => 1,
        CodeRejection::UsageLimitReached | CodeRejection::RequiresCustomer => 2,
        CodeRejection::MinimumSubtotalNotReached => 3,
        CodeRejection::NoEligibleItems => 4,
        CodeRejection::NotCombinable => 5,
    }
}

/// Active, in its window, for this channel.
fn is_live(discount: &Discount, channel_id: Uuid, now: DateTime<Utc>) -> bool {
    discount.active
        && in_window(discount.starts_at, discount.ends_at, now)
        && (discount.channel_ids.is_empty() || discount.channel_ids.contains(&channel_id))
}

/// Every condition except reducing a line (the code was entered already).
fn conditions_met(
    discount: &Discount,
    basket: &Basket<'_>,
    subtotal: i64,
) -> Result<(), CodeRejection> {
    if !is_live(discount, basket.channel_id, basket.now) {
        return Err(CodeRejection::NotActive);
    }
    let usage = basket.usage.get(&discount.id).copied().unwrap_or_default();
    if discount.usage_limit.is_some_and(|limit| usage.total >= limit) {
        return Err(CodeRejection::UsageLimitReached);
    }
    if let Some(limit) = discount.usage_limit_per_customer {
        if basket.customer_id.is_none() {
            return Err(CodeRejection::RequiresCustomer);
        }
        if usage.by_customer >= limit {
            return Err(CodeRejection::UsageLimitReached);
        }
    }
    if let Some(minimum) = discount.minimum_subtotal {
        if minimum.currency != basket.currency || subtotal < minimum.minor {
            return Err(CodeRejection::MinimumSubtotalNotReached);
        }
    }
    Ok(())
}

/// What `value` takes off `units` units at `unit` each (an item discount), between 0 and
/// their price.
fn units_discount(value: DiscountValue, unit: i64, units: u64, currency: Currency) -> i64 {
    let price = i128::from(unit).saturating_mul(i128::from(units));
    let amount = match value {
        DiscountValue::Percentage(percent) => percent_of(price, percent),
        DiscountValue::FixedAmount(amount) if amount.currency == currency => {
            i128::from(amount.minor.clamp(0, unit)).saturating_mul(i128::from(units))
        }
        DiscountValue::FixedAmount(_) => 0,
    };
    saturate(amount.clamp(0, price.max(0)))
}

/// What an order discount takes off in total from lines with these remaining `bases`.
fn order_amount(value: DiscountValue, bases: &[i64], currency: Currency) -> i64 {
    let total: i128 = bases.iter().map(|&b| i128::from(b.max(0))).sum();
    let amount = match value {
        DiscountValue::Percentage(percent) => percent_of(total, percent),
        DiscountValue::FixedAmount(amount) if amount.currency == currency => {
            i128::from(amount.minor)
        }
        DiscountValue::FixedAmount(_) => 0,
    };
    saturate(amount.clamp(0, total))
}

/// Splits `amount` (at most the sum of `bases`) pro rata to `bases`, by the largest
/// remainder method: shares sum exactly to `amount`, none exceeds its base, ties of
/// remainders favour the earlier line.
fn allocate(amount: i64, bases: &[i64]) -> Vec<i64> {
    let bases: Vec<i128> = bases.iter().map(|&b| i128::from(b.max(0))).collect();
    let total: i128 = bases.iter().sum();
    let amount = i128::from(amount.max(0)).min(total);
    if amount == 0 {
        return vec![0; bases.len()];
    }
    let mut shares: Vec<i128> = Vec::with_capacity(bases.len());
    let mut remainders: Vec<(i128, usize)> = Vec::with_capacity(bases.len());
    for (index, &base) in bases.iter().enumerate() {
        let product = amount.saturating_mul(base);
        shares.push(product / total);
        remainders.push((product % total, index));
    }
    let mut leftover = amount - shares.iter().sum::<i128>();
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(remainder, index) in &remainders {
        if leftover <= 0 || remainder == 0 {
            break;
        }
        shares[index] += 1;
        leftover -= 1;
    }
    shares.into_iter().map(saturate).collect()
}

/// What `discount` alone takes off each line (order discounts: allocated).
fn standalone_amounts(
    discount: &Discount,
    lines: &[LineFacts<'_>],
    currency: Currency,
) -> Vec<i64> {
    match &discount.target {
        DiscountTarget::Order => {
            let bases: Vec<i64> =
                lines.iter().map(|l| if l.discountable { l.subtotal } else { 0 }).collect();
            allocate(order_amount(discount.value, &bases, currency), &bases)
        }
        DiscountTarget::Items(selection) => lines
            .iter()
            .map(|l| {
                if l.discountable && selection.matches(l.item) {
                    units_discount(discount.value, l.unit, u64::from(l.quantity), currency)
                } else {
                    0
                }
            })
            .collect(),
        DiscountTarget::BuyXGetY { buy, buy_quantity, get, get_quantity } => {
            buy_x_get_y(discount.value, (buy, *buy_quantity), (get, *get_quantity), lines, currency)
        }
    }
}

/// See [`DiscountTarget::BuyXGetY`].
fn buy_x_get_y(
    value: DiscountValue,
    (buy, buy_quantity): (&ItemSelection, u32),
    (get, get_quantity): (&ItemSelection, u32),
    lines: &[LineFacts<'_>],
    currency: Currency,
) -> Vec<i64> {
    let mut amounts = vec![0; lines.len()];
    if buy_quantity == 0 || get_quantity == 0 {
        return amounts;
    }
    let (buy_quantity, get_quantity) = (u128::from(buy_quantity), u128::from(get_quantity));
    // Units that can only be bought, only be got, or be either.
    let (mut buy_only, mut get_only, mut both) = (0u128, 0u128, 0u128);
    let roles: Vec<(bool, bool)> = lines
        .iter()
        .map(|l| {
            if !l.discountable || l.quantity == 0 {
                return (false, false);
            }
            let role = (buy.matches(l.item), get.matches(l.item));
            let units = u128::from(l.quantity);
            match role {
                (true, true) => both += units,
                (true, false) => buy_only += units,
                (false, true) => get_only += units,
                (false, false) => {}
            }
            role
        })
        .collect();
    // The largest number of sets whose buy and get units can be distinct.
    let feasible = |sets: u128| {
        (sets * buy_quantity).saturating_sub(buy_only)
            + (sets * get_quantity).saturating_sub(get_only)
            <= both
    };
    let (mut low, mut high) = (0u128, (buy_only + both) / buy_quantity);
    while low < high {
        let middle = low + (high - low).div_ceil(2);
        if feasible(middle) {
            low = middle;
        } else {
            high = middle - 1;
        }
    }
    let sets = low;
    let mut to_discount = sets * get_quantity;
    // Units matching both selections that may be given away and still leave enough to buy.
    let mut both_spare = (buy_only + both).saturating_sub(sets * buy_quantity);
    let mut order: Vec<usize> = (0..lines.len()).filter(|&i| roles[i].1).collect();
    order.sort_by_key(|&i| (lines[i].unit, i));
    for index in order {
        if to_discount == 0 {
            break;
        }
        let line = &lines[index];
        let mut units = to_discount.min(u128::from(line.quantity));
        if roles[index].0 {
            units = units.min(both_spare);
            both_spare -= units;
        }
        to_discount -= units;
        let units = u64::try_from(units).unwrap_or(u64::MAX);
        amounts[index] = units_discount(value, line.unit, units, currency);
    }
    amounts
}

/// All eligible combinable discounts together: per line the best item-level or
/// buy-x-get-y discount, then the best order discount on what remains.
fn combine(
    eligible: &[(&Discount, &Vec<i64>)],
    lines: &[LineFacts<'_>],
    currency: Currency,
) -> Allocations {
    let combinable = || eligible.iter().filter(|(d, _)| d.combinable);
    let mut allocations: Allocations = vec![Vec::new(); lines.len()];
    let mut remaining: Vec<i64> =
        lines.iter().map(|l| if l.discountable { l.subtotal } else { 0 }).collect();
    for (index, line_allocations) in allocations.iter_mut().enumerate() {
        let mut best: Option<(Uuid, i64)> = None;
        for (discount, amounts) in combinable() {
            if discount.target == DiscountTarget::Order {
                continue;
            }
            let amount = amounts.get(index).copied().unwrap_or(0);
            // `eligible` is sorted by id: the first of equal amounts is kept.
            if amount > 0 && best.is_none_or(|(_, b)| amount > b) {
                best = Some((discount.id, amount));
            }
        }
        if let Some((id, amount)) = best {
            remaining[index] = remaining[index].saturating_sub(amount).max(0);
            line_allocations.push((id, amount));
        }
    }
    let mut best_order: Option<(Uuid, i64)> = None;
    for (discount, _) in combinable() {
        if discount.target != DiscountTarget::Order {
            continue;
        }
        let amount = order_amount(discount.value, &remaining, currency);
        if amount > 0 && best_order.is_none_or(|(_, b)| amount > b) {
            best_order = Some((discount.id, amount));
        }
    }
    if let Some((id, amount)) = best_order {
        for (line_allocations, share) in allocations.iter_mut().zip(allocate(amount, &remaining)) {
            if share > 0 {
                line_allocations.push((id, share));
            }
        }
    }
    allocations
}

/// What the product page shows: the offer's price for one unit after the best automatic
/// item-level discount (no code, no minimum subtotal, no usage limit, percentage or fixed
/// amount) that
/// applies to the item now in this channel; `compare_at` then shows the undiscounted price
/// (or the offer's compare-at if higher). Returns `(price, compare_at)`.
pub fn displayed_price(
    offer: &Offer,
    item: &ItemFacts,
    discounts: &[Discount],
    channel_id: Uuid,
    now: DateTime<Utc>,
) -> (Money, Option<Money>) {
    let price = offer.unit_price(1);
    let best = if offer.is_discountable() {
        discounts
            .iter()
            .filter(|d| {
                // Usage-limited promotions stay off the page: it cannot know whether one is
                // used up, and must not show a price the cart then refuses.
                d.code.is_none()
                    && d.minimum_subtotal.is_none()
                    && d.usage_limit.is_none()
                    && d.usage_limit_per_customer.is_none()
                    && is_live(d, channel_id, now)
                    && matches!(&d.target, DiscountTarget::Items(s) if s.matches(item))
            })
            .map(|d| (units_discount(d.value, price.minor.max(0), 1, price.currency), d.id))
            .filter(|&(reduction, _)| reduction > 0)
            .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)))
    } else {
        None
    };
    match best {
        None => (price, offer.compare_at),
        Some((reduction, _)) => {
            let discounted =
                Money::new(price.minor.saturating_sub(reduction).max(0), price.currency);
            let compare_at = match offer.compare_at {
                Some(c) if c.currency == price.currency && c.minor > price.minor => c,
                _ => price,
            };
            (discounted, Some(compare_at))
        }
    }
}

#[cfg(test)]
// Amounts in tests are written as euros_cents: `100_00` is 100.00.
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // ---- fixtures ----

    const CHANNEL: u128 = 0xC0;
    const OTHER_CHANNEL: u128 = 0xC9;
    const GROUP: u128 = 0x60;
    const COMPANY: u128 = 0xC0C0;
    const CUSTOMER: u128 = 0xCC;
    const VARIANT: u128 = 0x7A;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn eur() -> Currency {
        Currency::new("EUR").expect("valid")
    }

    fn usd() -> Currency {
        Currency::new("USD").expect("valid")
    }

    fn m(minor: i64) -> Money {
        Money::new(minor, eur())
    }

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(seconds, 0).expect("valid")
    }

    fn now() -> DateTime<Utc> {
        at(1_000_000)
    }

    fn pct(text: &str) -> Percent {
        Percent::parse(text).expect("valid percent")
    }

    fn buyer() -> Buyer {
        Buyer {
            channel_id: id(CHANNEL),
            customer_id: Some(id(CUSTOMER)),
            customer_group_ids: vec![id(GROUP)],
            company_id: Some(id(COMPANY)),
        }
    }

    fn list(n: u128) -> PriceList {
        PriceList {
            id: id(n),
            name: format!("list {n}"),
            currency: eur(),
            channel_ids: Vec::new(),
            customer_group_ids: Vec::new(),
            company_ids: Vec::new(),
            starts_at: None,
            ends_at: None,
            adjustment: None,
        }
    }

    fn scoped_list(n: u128, scope: ScopeMatch) -> PriceList {
        let mut l = list(n);
        match scope {
            ScopeMatch::Channel => l.channel_ids.push(id(CHANNEL)),
            ScopeMatch::CustomerGroup => l.customer_group_ids.push(id(GROUP)),
            ScopeMatch::Company => l.company_ids.push(id(COMPANY)),
        }
        l
    }

    fn entry(list: u128, price: Option<i64>) -> PriceListEntry {
        PriceListEntry {
            price_list_id: id(list),
            variant_id: id(VARIANT),
            price: price.map(m),
            compare_at: None,
            rule: QuantityRule::default(),
            breaks: Vec::new(),
        }
    }

    fn resolve(
        base: Option<(i64, Option<i64>)>,
        lists: &[PriceList],
        entries: &[PriceListEntry],
    ) -> Option<Offer> {
        let applicable = applicable_price_lists(lists, &buyer(), eur(), now());
        let entries: Vec<&PriceListEntry> = entries.iter().collect();
        resolve_offer(id(VARIANT), base.map(|(p, c)| (m(p), c.map(m))), &applicable, &entries)
    }

    fn offer(price: i64) -> Offer {
        Offer {
            variant_id: id(VARIANT),
            price_list_id: None,
            scope: None,
            price: m(price),
            compare_at: None,
            rule: QuantityRule::default(),
            breaks: Vec::new(),
        }
    }

    fn item(product: u128) -> ItemFacts {
        ItemFacts { product_id: id(product), brand_id: None, collection_ids: Vec::new() }
    }

    fn line(product: u128, unit: i64, quantity: u32) -> BasketLine {
        let mut offer = offer(unit);
        offer.variant_id = id(product + 0x1000);
        BasketLine { item: item(product), offer, quantity }
    }

    fn products(ids: &[u128]) -> ItemSelection {
        ItemSelection { product_ids: ids.iter().map(|&n| id(n)).collect(), ..Default::default() }
    }

    fn discount(n: u128, value: DiscountValue, target: DiscountTarget) -> Discount {
        Discount {
            id: id(n),
            title: format!("discount {n}"),
            code: None,
            value,
            target,
            minimum_subtotal: None,
            starts_at: None,
            ends_at: None,
            usage_limit: None,
            usage_limit_per_customer: None,
            combinable: true,
            channel_ids: Vec::new(),
            active: true,
        }
    }

    fn percent_off(n: u128, percent: &str, target: DiscountTarget) -> Discount {
        discount(n, DiscountValue::Percentage(pct(percent)), target)
    }

    fn amount_off(n: u128, minor: i64, target: DiscountTarget) -> Discount {
        discount(n, DiscountValue::FixedAmount(m(minor)), target)
    }

    fn with_code(mut d: Discount, code: &str) -> Discount {
        d.code = Some(code.to_owned());
        d
    }

    fn everything() -> DiscountTarget {
        DiscountTarget::Items(ItemSelection::default())
    }

    fn bxgy(
        buy: ItemSelection,
        buy_quantity: u32,
        get: ItemSelection,
        get_quantity: u32,
    ) -> DiscountTarget {
        DiscountTarget::BuyXGetY { buy, buy_quantity, get, get_quantity }
    }

    fn basket<'a>(
        lines: Vec<BasketLine>,
        discounts: &'a [Discount],
        usage: &'a HashMap<Uuid, DiscountUsage>,
    ) -> Basket<'a> {
        Basket {
            currency: eur(),
            channel_id: id(CHANNEL),
            customer_id: Some(id(CUSTOMER)),
            lines,
            discounts,
            codes: Vec::new(),
            usage,
            tax: TaxContext::NONE,
            now: now(),
        }
    }

    fn price(lines: Vec<BasketLine>, discounts: &[Discount], codes: &[&str]) -> PricedBasket {
        let usage = HashMap::new();
        let mut b = basket(lines, discounts, &usage);
        b.codes = codes.iter().map(|c| (*c).to_owned()).collect();
        price_basket(&b)
    }

    fn line_discounts(priced: &PricedBasket) -> Vec<i64> {
        priced.lines.iter().map(|l| l.subtotal.minor - l.total.minor).collect()
    }

    fn applied_ids(priced: &PricedBasket) -> Vec<Uuid> {
        priced.applied.iter().map(|a| a.discount_id).collect()
    }

    // ---- percentages and rounding ----

    #[test]
    fn percent_is_millionths_of_the_whole() {
        assert_eq!(Percent::parse("20"), Ok(Percent(200_000)));
        assert_eq!(Percent::parse("8.875"), Ok(Percent(88_750)));
        assert_eq!(Percent::parse("-30"), Ok(Percent(-300_000)));
        assert_eq!(Percent::parse("5.5"), Ok(Percent(55_000)));
        assert_eq!(Percent::parse("0.0001"), Ok(Percent(1)));
        assert_eq!(Percent::parse("100"), Ok(Percent(1_000_000)));
        assert_eq!(Percent::parse("-0"), Ok(Percent(0)));
    }

    #[test]
    fn percent_rejects_text_that_is_not_a_plain_decimal_with_at_most_4_decimals() {
        for bad in ["", " ", "abc", "1e3", "12.", "1.23456", "5.00000", "+5", "-", ".", "1.2.3"] {
            assert_eq!(
                Percent::parse(bad),
                Err(PricingRuleError::InvalidPercent(bad.to_owned())),
                "{bad:?} must be rejected"
            );
        }
        assert!(Percent::parse("99999999999999999999").is_err(), "overflow is an error");
    }

    #[test]
    fn percent_prints_without_trailing_zeros() {
        assert_eq!(Percent(200_000).to_decimal_string(), "20");
        assert_eq!(Percent(88_750).to_decimal_string(), "8.875");
        assert_eq!(Percent(-300_000).to_decimal_string(), "-30");
        assert_eq!(Percent(0).to_decimal_string(), "0");
        assert_eq!(Percent(-5_000).to_decimal_string(), "-0.5");
        assert_eq!(Percent(1).to_decimal_string(), "0.0001");
        assert_eq!(Percent(i64::MIN).to_decimal_string(), "-922337203685477.5808");
    }

    #[test]
    fn rounding_half_up_at_the_half_cent() {
        assert_eq!(div_round_half_up(25, 10), 3);
        assert_eq!(div_round_half_up(24, 10), 2);
        assert_eq!(div_round_half_up(-25, 10), -3);
        assert_eq!(div_round_half_up(-24, 10), -2);
        assert_eq!(div_round_half_up(25, -10), -3);
        assert_eq!(div_round_half_up(-25, -10), 3);
        // x.5 minor units up, x.4999 down.
        assert_eq!(div_round_half_up(5_000, 10_000), 1);
        assert_eq!(div_round_half_up(4_999, 10_000), 0);
        assert_eq!(div_round_half_up(-5_000, 10_000), -1);
        assert_eq!(div_round_half_up(-4_999, 10_000), 0);
    }

    #[test]
    fn rounding_never_panics() {
        assert_eq!(div_round_half_up(7, 0), 0);
        assert_eq!(div_round_half_up(i128::MIN, -1), i128::MAX);
        assert_eq!(div_round_half_up(i128::MIN, 1), i128::MIN);
        assert_eq!(div_round_half_up(i128::MAX, i128::MIN), -1);
    }

    #[test]
    fn item_discount_of_half_a_cent_rounds_up_and_just_below_rounds_down() {
        // 0.01% of 50.00 is half a cent: one cent off.
        let d = [discount(1, DiscountValue::Percentage(Percent(100)), everything())];
        let priced = price(vec![line(1, 50_00, 1)], &d, &[]);
        assert_eq!(priced.discount_total, m(1));
        assert_eq!(priced.total, m(49_99));
        // 0.01% of 49.99 is 0.4999 cents: nothing off.
        let priced = price(vec![line(1, 49_99, 1)], &d, &[]);
        assert_eq!(priced.discount_total, m(0));
        assert!(priced.applied.is_empty());
    }

    // ---- quantity rules and entries ----

    #[test]
    fn quantity_rules_must_be_satisfiable() {
        let rule = |minimum, increment, maximum| QuantityRule { minimum, increment, maximum };
        assert_eq!(QuantityRule::default().validate(), Ok(()));
        assert_eq!(rule(6, 6, Some(24)).validate(), Ok(()));
        assert_eq!(rule(0, 1, None).validate(), Err(PricingRuleError::MinimumBelowOne));
        assert_eq!(rule(1, 0, None).validate(), Err(PricingRuleError::IncrementBelowOne));
        assert_eq!(
            rule(4, 6, None).validate(),
            Err(PricingRuleError::MinimumNotMultipleOfIncrement)
        );
        assert_eq!(rule(6, 6, Some(20)).validate(), Err(PricingRuleError::InvalidMaximum));
        assert_eq!(rule(12, 6, Some(6)).validate(), Err(PricingRuleError::InvalidMaximum));
        assert_eq!(rule(6, 6, Some(6)).validate(), Ok(()));
    }

    #[test]
    fn quantity_check_reports_minimum_then_increment_then_maximum() {
        let rule = QuantityRule { minimum: 6, increment: 6, maximum: Some(24) };
        assert_eq!(rule.check(3), Err(QuantityViolation::BelowMinimum { minimum: 6 }));
        assert_eq!(rule.check(0), Err(QuantityViolation::BelowMinimum { minimum: 6 }));
        assert_eq!(rule.check(8), Err(QuantityViolation::NotMultipleOfIncrement { increment: 6 }));
        assert_eq!(rule.check(25), Err(QuantityViolation::NotMultipleOfIncrement { increment: 6 }));
        assert_eq!(rule.check(30), Err(QuantityViolation::AboveMaximum { maximum: 24 }));
        assert_eq!(rule.check(6), Ok(()));
        assert_eq!(rule.check(24), Ok(()));
        let broken = QuantityRule { minimum: 1, increment: 0, maximum: None };
        assert_eq!(broken.check(7), Ok(()), "an increment of 0 is not divided by");
    }

    #[test]
    fn entries_are_checked_against_their_lists_currency_rule_and_tiers() {
        let mut e = entry(1, Some(10_00));
        e.compare_at = Some(m(12_00));
        e.rule = QuantityRule { minimum: 2, increment: 2, maximum: None };
        e.breaks = vec![
            PriceBreak { minimum_quantity: 10, price: m(9_00) },
            PriceBreak { minimum_quantity: 20, price: m(8_00) },
        ];
        assert_eq!(e.validate(eur()), Ok(()));
        assert_eq!(e.validate(usd()), Err(PricingRuleError::WrongCurrency(usd())));

        let mut bad = e.clone();
        bad.compare_at = Some(Money::new(12_00, usd()));
        assert_eq!(bad.validate(eur()), Err(PricingRuleError::WrongCurrency(eur())));

        let mut bad = e.clone();
        bad.price = Some(m(-1));
        assert_eq!(bad.validate(eur()), Err(PricingRuleError::NegativePrice));

        let mut bad = e.clone();
        bad.breaks[1].minimum_quantity = 10;
        assert_eq!(bad.validate(eur()), Err(PricingRuleError::InvalidBreak { index: 1 }));

        let mut bad = e.clone();
        bad.breaks[0].minimum_quantity = 9;
        assert_eq!(bad.validate(eur()), Err(PricingRuleError::InvalidBreak { index: 0 }));

        let mut bad = e.clone();
        bad.rule = QuantityRule::default();
        bad.breaks[0].minimum_quantity = 1;
        assert_eq!(bad.validate(eur()), Err(PricingRuleError::InvalidBreak { index: 0 }));

        let mut bad = e.clone();
        bad.breaks[1].price = Money::new(8_00, usd());
        assert_eq!(bad.validate(eur()), Err(PricingRuleError::WrongCurrency(eur())));

        let mut bad = e.clone();
        bad.breaks[1].price = m(-8_00);
        assert_eq!(bad.validate(eur()), Err(PricingRuleError::NegativePrice));

        let mut bad = e;
        bad.rule.increment = 0;
        assert_eq!(bad.validate(eur()), Err(PricingRuleError::IncrementBelowOne));

        assert_eq!(entry(1, None).validate(eur()), Ok(()), "no price: the adjustment gives it");
    }

    // ---- price lists ----

    #[test]
    fn price_list_window_includes_its_start_and_excludes_its_end() {
        let mut l = list(1);
        assert!(l.is_active(now()), "open ends");
        l.starts_at = Some(at(100));
        l.ends_at = Some(at(200));
        assert!(!l.is_active(at(99)));
        assert!(l.is_active(at(100)));
        assert!(l.is_active(at(199)));
        assert!(!l.is_active(at(200)));
    }

    #[test]
    fn scope_is_company_then_customer_group_then_channel() {
        let mut l = list(1);
        l.channel_ids = vec![id(CHANNEL)];
        l.customer_group_ids = vec![id(GROUP)];
        l.company_ids = vec![id(COMPANY)];
        assert_eq!(l.scope_for(&buyer()), Some(ScopeMatch::Company));
        let unapproved = Buyer { company_id: None, ..buyer() };
        assert_eq!(l.scope_for(&unapproved), Some(ScopeMatch::CustomerGroup));
        let no_group = Buyer { customer_group_ids: Vec::new(), ..unapproved.clone() };
        assert_eq!(l.scope_for(&no_group), Some(ScopeMatch::Channel));
        let elsewhere = Buyer { channel_id: id(OTHER_CHANNEL), ..no_group };
        assert_eq!(l.scope_for(&elsewhere), None);
        assert_eq!(list(2).scope_for(&buyer()), None, "a list without scopes matches nobody");
    }

    #[test]
    fn applicable_lists_are_active_in_the_currency_in_scope_and_sorted_by_id() {
        let mut expired = scoped_list(1, ScopeMatch::Channel);
        expired.ends_at = Some(now());
        let mut dollars = scoped_list(2, ScopeMatch::Channel);
        dollars.currency = usd();
        let other_company = {
            let mut l = list(3);
            l.company_ids = vec![id(0xBAD)];
            l
        };
        let lists = [
            scoped_list(9, ScopeMatch::Channel),
            expired,
            dollars,
            other_company,
            scoped_list(5, ScopeMatch::Company),
        ];
        let applicable: Vec<_> = applicable_price_lists(&lists, &buyer(), eur(), now())
            .into_iter()
            .map(|(l, s)| (l.id, s))
            .collect();
        assert_eq!(applicable, vec![(id(5), ScopeMatch::Company), (id(9), ScopeMatch::Channel)]);
    }

    #[test]
    fn company_list_beats_cheaper_channel_list() {
        let lists = [scoped_list(1, ScopeMatch::Channel), scoped_list(2, ScopeMatch::Company)];
        let entries = [entry(1, Some(5_00)), entry(2, Some(9_00))];
        let offer = resolve(Some((10_00, None)), &lists, &entries).expect("priced");
        assert_eq!(offer.price_list_id, Some(id(2)));
        assert_eq!(offer.scope, Some(ScopeMatch::Company));
        assert_eq!(offer.price, m(9_00));
        assert!(!offer.is_discountable());
    }

    #[test]
    fn customer_group_list_beats_channel_list() {
        let lists =
            [scoped_list(1, ScopeMatch::Channel), scoped_list(2, ScopeMatch::CustomerGroup)];
        let entries = [entry(1, Some(5_00)), entry(2, Some(9_00))];
        let offer = resolve(Some((10_00, None)), &lists, &entries).expect("priced");
        assert_eq!(offer.price_list_id, Some(id(2)));
        assert!(offer.is_discountable());
    }

    #[test]
    fn cheapest_of_equally_specific_lists_wins_then_the_smallest_id() {
        let lists = [
            scoped_list(3, ScopeMatch::Channel),
            scoped_list(2, ScopeMatch::Channel),
            scoped_list(1, ScopeMatch::Channel),
        ];
        let entries = [entry(3, Some(7_00)), entry(2, Some(8_00)), entry(1, Some(8_00))];
        let offer = resolve(None, &lists, &entries).expect("priced");
        assert_eq!((offer.price_list_id, offer.price), (Some(id(3)), m(7_00)));

        let entries = [entry(3, Some(8_00)), entry(2, Some(8_00)), entry(1, Some(9_00))];
        let offer = resolve(None, &lists, &entries).expect("priced");
        assert_eq!((offer.price_list_id, offer.price), (Some(id(2)), m(8_00)));
    }

    #[test]
    fn adjustment_of_minus_30_percent_on_100_gives_70_showing_the_base_as_compare_at() {
        let mut l = scoped_list(1, ScopeMatch::CustomerGroup);
        l.adjustment = Some(pct("-30"));
        let offer = resolve(Some((100_00, None)), &[l], &[]).expect("priced");
        assert_eq!(offer.price, m(70_00));
        assert_eq!(offer.compare_at, Some(m(100_00)));
        assert_eq!(offer.price_list_id, Some(id(1)));
        assert_eq!(offer.rule, QuantityRule::default());
        assert!(offer.breaks.is_empty());
    }

    #[test]
    fn adjustments_round_half_up_and_never_go_below_zero() {
        let mut l = scoped_list(1, ScopeMatch::Channel);
        l.adjustment = Some(pct("-50"));
        // The reduction is rounded half up (away from zero): -2.5 cents -> -3 cents.
        let offer = resolve(Some((5, None)), std::slice::from_ref(&l), &[]).expect("priced");
        assert_eq!(offer.price, m(2));
        l.adjustment = Some(pct("-150"));
        let offer = resolve(Some((10_00, None)), &[l], &[]).expect("priced");
        assert_eq!(offer.price, m(0));
    }

    #[test]
    fn raising_adjustment_keeps_a_base_compare_at_only_above_the_new_price() {
        let mut l = scoped_list(1, ScopeMatch::Channel);
        l.adjustment = Some(pct("10"));
        let offer =
            resolve(Some((100_00, Some(120_00))), std::slice::from_ref(&l), &[]).expect("priced");
        assert_eq!((offer.price, offer.compare_at), (m(110_00), Some(m(120_00))));
        let offer = resolve(Some((100_00, Some(105_00))), &[l], &[]).expect("priced");
        assert_eq!((offer.price, offer.compare_at), (m(110_00), None));
    }

    #[test]
    fn entry_without_price_falls_back_to_the_adjustment_and_keeps_its_rule_and_tiers() {
        let mut l = scoped_list(1, ScopeMatch::Channel);
        l.adjustment = Some(pct("-10"));
        let mut e = entry(1, None);
        e.rule = QuantityRule { minimum: 2, increment: 2, maximum: None };
        e.breaks = vec![PriceBreak { minimum_quantity: 10, price: m(80_00) }];
        e.compare_at = Some(m(150_00));
        let offer = resolve(Some((100_00, None)), &[l], std::slice::from_ref(&e)).expect("priced");
        assert_eq!(offer.price, m(90_00));
        assert_eq!(offer.rule, e.rule);
        assert_eq!(offer.breaks, e.breaks);
        assert_eq!(offer.compare_at, Some(m(150_00)), "the entry's compare-at wins");
    }

    #[test]
    fn entry_without_price_in_a_list_without_adjustment_does_not_price_the_variant() {
        let lists = [scoped_list(1, ScopeMatch::Company)];
        let offer = resolve(Some((10_00, Some(12_00))), &lists, &[entry(1, None)]).expect("base");
        assert_eq!(offer.price_list_id, None);
        assert_eq!(offer.scope, None);
        assert_eq!((offer.price, offer.compare_at), (m(10_00), Some(m(12_00))));
        assert!(offer.is_discountable());
    }

    #[test]
    fn adjustment_without_a_base_price_does_not_price_the_variant() {
        let mut l = scoped_list(1, ScopeMatch::Channel);
        l.adjustment = Some(pct("-10"));
        assert_eq!(resolve(None, &[l], &[]), None);
    }

    #[test]
    fn base_price_when_no_list_applies_and_nothing_without_base() {
        let resolved = resolve(Some((10_00, None)), &[], &[]).expect("base");
        assert_eq!(resolved, offer(10_00));
        assert_eq!(resolve(None, &[], &[]), None);
        // An entry of a list that does not apply to the buyer is ignored.
        let lists = [list(1)];
        assert_eq!(resolve(None, &lists, &[entry(1, Some(1_00))]), None);
    }

    #[test]
    fn tiers_apply_from_their_minimum_quantity() {
        let mut o = offer(10_00);
        o.breaks = vec![
            PriceBreak { minimum_quantity: 10, price: m(9_00) },
            PriceBreak { minimum_quantity: 50, price: m(8_00) },
        ];
        assert_eq!(o.unit_price(1), m(10_00));
        assert_eq!(o.unit_price(9), m(10_00));
        assert_eq!(o.unit_price(10), m(9_00));
        assert_eq!(o.unit_price(49), m(9_00));
        assert_eq!(o.unit_price(50), m(8_00));
        assert_eq!(o.unit_price(u32::MAX), m(8_00));
        let priced = price(vec![BasketLine { item: item(1), offer: o, quantity: 12 }], &[], &[]);
        assert_eq!(priced.lines[0].unit_price, m(9_00));
        assert_eq!(priced.lines[0].subtotal, m(108_00));
    }

    // ---- selections and taxes ----

    #[test]
    fn item_selection_matches_a_product_a_brand_or_a_collection() {
        let facts = ItemFacts {
            product_id: id(1),
            brand_id: Some(id(2)),
            collection_ids: vec![id(3), id(4)],
        };
        assert!(ItemSelection::default().matches(&facts), "empty selects everything");
        assert!(products(&[1]).matches(&facts));
        assert!(!products(&[9]).matches(&facts));
        let brand = ItemSelection { brand_ids: vec![id(2)], ..Default::default() };
        assert!(brand.matches(&facts));
        assert!(!brand.matches(&item(1)), "no brand");
        let collection = ItemSelection { collection_ids: vec![id(4)], ..Default::default() };
        assert!(collection.matches(&facts));
        let other = ItemSelection {
            product_ids: vec![id(9)],
            brand_ids: vec![id(9)],
            collection_ids: vec![id(9)],
        };
        assert!(!other.matches(&facts));
    }

    #[test]
    fn tax_inclusive_line_of_1_19_at_19_percent_holds_0_19_tax() {
        let tax = TaxContext { rate: pct("19"), prices_include_tax: true };
        assert_eq!(tax.tax_of(m(1_19)), m(19));
        // 100.00 * 0.19 / 1.19 = 15.966...
        assert_eq!(tax.tax_of(m(100_00)), m(15_97));
        assert_eq!(tax.tax_of(m(0)), m(0));
    }

    #[test]
    fn tax_rounds_half_up_at_the_half_cent() {
        let exclusive = TaxContext { rate: pct("10"), prices_include_tax: false };
        assert_eq!(exclusive.tax_of(m(5)), m(1), "0.5 cents");
        assert_eq!(exclusive.tax_of(m(4)), m(0), "0.4 cents");
        assert_eq!(exclusive.tax_of(m(19_99)), m(2_00), "199.9 cents");
        let exclusive = TaxContext { rate: Percent(4_999), prices_include_tax: false };
        assert_eq!(exclusive.tax_of(m(1_00)), m(0), "0.4999 cents");
        let inclusive = TaxContext { rate: pct("100"), prices_include_tax: true };
        assert_eq!(inclusive.tax_of(m(1)), m(1), "half of a cent");
        assert_eq!(inclusive.tax_of(m(3)), m(2), "1.5 cents");
        let inclusive = TaxContext { rate: pct("25"), prices_include_tax: true };
        assert_eq!(inclusive.tax_of(m(2)), m(0), "0.4 cents");
        assert_eq!(inclusive.tax_of(m(3)), m(1), "0.6 cents");
        assert_eq!(TaxContext::NONE.tax_of(m(10_00)), m(0));
        let yen = Money::new(1_000, Currency::new("JPY").expect("valid"));
        let tax = TaxContext { rate: pct("10"), prices_include_tax: true };
        assert_eq!(tax.tax_of(yen), Money::new(91, yen.currency), "same currency as the total");
    }

    #[test]
    fn exclusive_tax_is_added_to_the_total_and_inclusive_tax_is_not() {
        let usage = HashMap::new();
        let mut b = basket(vec![line(1, 10_00, 2), line(2, 5, 1)], &[], &usage);
        b.tax = TaxContext { rate: pct("10"), prices_include_tax: false };
        let priced = price_basket(&b);
        assert_eq!(priced.lines.iter().map(|l| l.tax).collect::<Vec<_>>(), vec![m(2_00), m(1)]);
        assert_eq!(priced.tax_total, m(2_01));
        assert_eq!(priced.total, m(22_06));
        b.tax.prices_include_tax = true;
        let priced = price_basket(&b);
        // 20.00 / 11 = 1.818..., 0.05 / 11 = 0.0045...
        assert_eq!(priced.tax_total, m(1_82));
        assert_eq!(priced.total, m(20_05));
    }

    // ---- baskets ----

    #[test]
    fn empty_basket_costs_nothing_in_its_currency() {
        let usage = HashMap::new();
        let mut b = basket(Vec::new(), &[], &usage);
        b.currency = usd();
        let priced = price_basket(&b);
        let zero = Money::new(0, usd());
        assert!(priced.lines.is_empty() && priced.applied.is_empty());
        assert_eq!(
            (priced.subtotal, priced.discount_total, priced.tax_total, priced.total),
            (zero, zero, zero, zero)
        );
    }

    #[test]
    fn line_breaking_its_quantity_rule_is_still_priced_and_flagged() {
        let mut l = line(1, 2_00, 5);
        l.offer.rule = QuantityRule { minimum: 6, increment: 6, maximum: None };
        let priced = price(vec![l], &[], &[]);
        assert_eq!(priced.lines[0].violation, Some(QuantityViolation::BelowMinimum { minimum: 6 }));
        assert_eq!(priced.total, m(10_00));
    }

    #[test]
    fn percentage_item_discount_applies_per_line() {
        let d = [percent_off(1, "10", DiscountTarget::Items(products(&[1])))];
        let priced = price(vec![line(1, 9_99, 3), line(2, 5_00, 1)], &d, &[]);
        // 10% of 29.97 = 2.997 -> 3.00.
        assert_eq!(line_discounts(&priced), vec![3_00, 0]);
        assert_eq!(
            priced.lines[0].discounts,
            vec![DiscountAllocation { discount_id: id(1), amount: m(3_00) }]
        );
        assert_eq!(priced.discount_total, m(3_00));
        assert_eq!(priced.total, m(31_97));
        assert_eq!(priced.applied.len(), 1);
        assert_eq!(priced.applied[0].amount, m(3_00));
    }

    #[test]
    fn fixed_item_discount_is_at_most_the_unit_price_per_unit() {
        let d = [amount_off(1, 3_00, everything())];
        let priced = price(vec![line(1, 10_00, 2), line(2, 2_00, 3)], &d, &[]);
        assert_eq!(line_discounts(&priced), vec![6_00, 6_00]);
        assert_eq!(priced.lines[1].total, m(0));
    }

    #[test]
    fn percentage_code_rejected_below_minimum_subtotal() {
        let mut d = with_code(percent_off(1, "10", everything()), "SAVE10");
        d.minimum_subtotal = Some(m(50_00));
        let d = [d];
        let priced = price(vec![line(1, 49_99, 1)], &d, &["save10"]);
        assert_eq!(
            priced.rejected_codes,
            vec![("save10".to_owned(), CodeRejection::MinimumSubtotalNotReached)]
        );
        assert_eq!(priced.total, m(49_99));
        // Exactly at the minimum it applies.
        let priced = price(vec![line(1, 25_00, 2)], &d, &["save10"]);
        assert!(priced.rejected_codes.is_empty());
        assert_eq!(priced.total, m(45_00));
        assert_eq!(priced.applied[0].code.as_deref(), Some("SAVE10"));
    }

    #[test]
    fn minimum_subtotal_counts_company_priced_lines_and_other_currencies_never_reach_it() {
        let mut d = percent_off(1, "10", everything());
        d.minimum_subtotal = Some(m(50_00));
        let mut company = line(2, 45_00, 1);
        company.offer.scope = Some(ScopeMatch::Company);
        let priced = price(vec![line(1, 10_00, 1), company], std::slice::from_ref(&d), &[]);
        assert_eq!(line_discounts(&priced), vec![1_00, 0]);

        d.minimum_subtotal = Some(Money::new(1, usd()));
        let d = [with_code(d, "X")];
        let priced = price(vec![line(1, 100_00, 1)], &d, &["x"]);
        assert_eq!(
            priced.rejected_codes,
            vec![("x".to_owned(), CodeRejection::MinimumSubtotalNotReached)]
        );
    }

    #[test]
    fn codes_match_case_insensitively_once_and_unknown_ones_are_reported() {
        let d = [with_code(amount_off(1, 1_00, DiscountTarget::Order), "Welcome")];
        let priced =
            price(vec![line(1, 10_00, 1)], &d, &["NOPE", " wElCoMe ", "WELCOME", "", "nope"]);
        assert_eq!(applied_ids(&priced), vec![id(1)]);
        assert_eq!(priced.total, m(9_00));
        assert_eq!(priced.rejected_codes, vec![("NOPE".to_owned(), CodeRejection::Unknown)]);
    }

    #[test]
    fn code_discounts_need_their_code() {
        let d = [with_code(amount_off(1, 1_00, DiscountTarget::Order), "WELCOME")];
        let priced = price(vec![line(1, 10_00, 1)], &d, &[]);
        assert!(priced.applied.is_empty());
        assert!(priced.rejected_codes.is_empty());
    }

    #[test]
    fn inactive_out_of_window_or_other_channel_codes_are_not_active() {
        let base = with_code(percent_off(1, "10", everything()), "X");
        let mut variants = Vec::new();
        let mut d = base.clone();
        d.active = false;
        variants.push(d);
        let mut d = base.clone();
        d.starts_at = Some(at(now().timestamp() + 1));
        variants.push(d);
        let mut d = base.clone();
        d.ends_at = Some(now());
        variants.push(d);
        let mut d = base.clone();
        d.channel_ids = vec![id(OTHER_CHANNEL)];
        variants.push(d);
        for d in variants {
            let priced = price(vec![line(1, 10_00, 1)], std::slice::from_ref(&d), &["x"]);
            assert_eq!(
                priced.rejected_codes,
                vec![("x".to_owned(), CodeRejection::NotActive)],
                "{d:?}"
            );
            assert_eq!(priced.total, m(10_00));
        }
        let mut d = base;
        d.channel_ids = vec![id(OTHER_CHANNEL), id(CHANNEL)];
        d.starts_at = Some(now());
        let priced = price(vec![line(1, 10_00, 1)], &[d], &["x"]);
        assert_eq!(priced.total, m(9_00));
    }

    #[test]
    fn usage_limits_are_reached_at_the_limit_and_per_customer_limits_need_a_customer() {
        let mut d = with_code(percent_off(1, "10", everything()), "X");
        d.usage_limit = Some(100);
        d.usage_limit_per_customer = Some(1);
        let d = [d];
        let run = |total: u32, by_customer: u32, customer: Option<Uuid>| {
            let usage = HashMap::from([(id(1), DiscountUsage { total, by_customer })]);
            let mut b = basket(vec![line(1, 10_00, 1)], &d, &usage);
            b.codes = vec!["x".to_owned()];
            b.customer_id = customer;
            price_basket(&b).rejected_codes
        };
        let rejected = |reason| vec![("x".to_owned(), reason)];
        assert_eq!(run(99, 0, Some(id(CUSTOMER))), Vec::new());
        assert_eq!(run(100, 0, Some(id(CUSTOMER))), rejected(CodeRejection::UsageLimitReached));
        assert_eq!(run(5, 1, Some(id(CUSTOMER))), rejected(CodeRejection::UsageLimitReached));
        assert_eq!(run(5, 0, None), rejected(CodeRejection::RequiresCustomer));
    }

    #[test]
    fn code_that_reduces_nothing_has_no_eligible_items() {
        let d = [
            with_code(percent_off(1, "10", DiscountTarget::Items(products(&[9]))), "A"),
            with_code(
                discount(
                    2,
                    DiscountValue::FixedAmount(Money::new(5_00, usd())),
                    DiscountTarget::Order,
                ),
                "B",
            ),
        ];
        let priced = price(vec![line(1, 10_00, 1)], &d, &["a", "b"]);
        assert_eq!(
            priced.rejected_codes,
            vec![
                ("a".to_owned(), CodeRejection::NoEligibleItems),
                ("b".to_owned(), CodeRejection::NoEligibleItems)
            ]
        );
    }

    #[test]
    fn buy_two_get_one_free_discounts_cheapest_unit() {
        let d =
            [percent_off(1, "100", bxgy(ItemSelection::default(), 2, ItemSelection::default(), 1))];
        let priced = price(vec![line(1, 30_00, 1), line(2, 10_00, 1), line(3, 20_00, 1)], &d, &[]);
        assert_eq!(line_discounts(&priced), vec![0, 10_00, 0]);
        assert_eq!(priced.total, m(50_00));
    }

    #[test]
    fn buy_two_get_one_needs_three_distinct_units_per_free_one() {
        let d = [percent_off(1, "100", bxgy(products(&[1]), 2, products(&[1]), 1))];
        for (quantity, free) in [(2, 0), (3, 1), (5, 1), (6, 2), (8, 2), (9, 3)] {
            let priced = price(vec![line(1, 4_00, quantity)], &d, &[]);
            assert_eq!(priced.discount_total, m(free * 4_00), "{quantity} units");
        }
    }

    #[test]
    fn buy_x_get_y_between_different_items_discounts_the_cheapest_get_units() {
        // Buy 2 shirts, get a pair of socks half price; socks at 3.00 and 2.00.
        let d = [percent_off(1, "50", bxgy(products(&[1]), 2, products(&[2, 3]), 1))];
        let lines = vec![line(1, 20_00, 4), line(2, 3_00, 5), line(3, 2_00, 1)];
        let priced = price(lines, &d, &[]);
        // Two sets: the 2.00 pair and one 3.00 pair at half price.
        assert_eq!(line_discounts(&priced), vec![0, 1_50, 1_00]);
    }

    #[test]
    fn buy_x_get_y_leaves_enough_units_to_buy_when_selections_overlap() {
        // Everything counts as bought; only product 2 may be got. 3 units of product 2
        // alone make one set: 2 bought, 1 free.
        let d = [percent_off(1, "100", bxgy(ItemSelection::default(), 2, products(&[2]), 1))];
        let priced = price(vec![line(2, 5_00, 3)], &d, &[]);
        assert_eq!(priced.discount_total, m(5_00));
        // With product 1 to buy, both cheap units of product 2 can be free... only one set
        // per 2 bought: 2 of product 1 + 2 of product 2 give 1 set (4 units < 2 * 3).
        let priced = price(vec![line(1, 9_00, 2), line(2, 5_00, 2)], &d, &[]);
        assert_eq!(line_discounts(&priced), vec![0, 5_00]);
        let priced = price(vec![line(1, 9_00, 4), line(2, 5_00, 2)], &d, &[]);
        assert_eq!(line_discounts(&priced), vec![0, 10_00]);
    }

    #[test]
    fn order_discount_is_split_pro_rata_and_adds_up_exactly() {
        let d = [amount_off(1, 1_00, DiscountTarget::Order)];
        let priced = price(vec![line(1, 1_00, 1), line(2, 1_00, 1), line(3, 1_00, 1)], &d, &[]);
        assert_eq!(line_discounts(&priced), vec![34, 33, 33]);
        assert_eq!(priced.discount_total, m(1_00));
        let d = [percent_off(1, "10", DiscountTarget::Order)];
        let priced = price(vec![line(1, 3_33, 1), line(2, 6_67, 1)], &d, &[]);
        assert_eq!(line_discounts(&priced), vec![33, 67]);
        // A fixed amount larger than the order takes the whole order.
        let d = [amount_off(1, 100_00, DiscountTarget::Order)];
        let priced = price(vec![line(1, 3_00, 1), line(2, 7_00, 1)], &d, &[]);
        assert_eq!(line_discounts(&priced), vec![3_00, 7_00]);
        assert_eq!(priced.total, m(0));
    }

    #[test]
    fn combination_takes_the_best_item_discount_per_line_then_the_best_order_discount_on_the_rest()
    {
        let d = [
            percent_off(1, "10", everything()),
            percent_off(2, "50", DiscountTarget::Items(products(&[2]))),
            amount_off(3, 2_00, DiscountTarget::Order),
            percent_off(4, "5", DiscountTarget::Order),
        ];
        let priced = price(vec![line(1, 10_00, 1), line(2, 10_00, 1)], &d, &[]);
        // Line 1: 10% (1.00); line 2: 50% (5.00). Remaining 9.00 + 5.00 = 14.00: 2.00 off
        // beats 5% (0.70), split 9:5 -> 1.29 / 0.71 (largest remainder).
        assert_eq!(
            priced.lines[0]
                .discounts
                .iter()
                .map(|a| (a.discount_id, a.amount.minor))
                .collect::<Vec<_>>(),
            vec![(id(1), 1_00), (id(3), 1_29)]
        );
        assert_eq!(
            priced.lines[1]
                .discounts
                .iter()
                .map(|a| (a.discount_id, a.amount.minor))
                .collect::<Vec<_>>(),
            vec![(id(2), 5_00), (id(3), 71)]
        );
        assert_eq!(applied_ids(&priced), vec![id(1), id(2), id(3)]);
        assert_eq!(priced.applied[2].amount, m(2_00));
        assert_eq!(priced.discount_total, m(8_00));
        assert_eq!(priced.total, m(12_00));
    }

    #[test]
    fn equally_good_item_discounts_on_a_line_go_to_the_smallest_id() {
        let d = [percent_off(7, "10", everything()), amount_off(3, 1_00, everything())];
        let priced = price(vec![line(1, 10_00, 1)], &d, &[]);
        assert_eq!(applied_ids(&priced), vec![id(3)]);
    }

    #[test]
    fn non_combinable_discount_wins_only_when_worth_more() {
        let mut exclusive = with_code(amount_off(9, 3_00, DiscountTarget::Order), "SOLO");
        exclusive.combinable = false;
        let combinable = percent_off(1, "20", everything());
        let discounts = [combinable, exclusive];
        // 20% of 10.00 = 2.00 < 3.00: the exclusive code wins alone.
        let priced = price(vec![line(1, 10_00, 1)], &discounts, &["solo"]);
        assert_eq!(applied_ids(&priced), vec![id(9)]);
        assert_eq!(priced.total, m(7_00));
        assert!(priced.rejected_codes.is_empty());
        // 20% of 20.00 = 4.00 > 3.00: the combination wins, the code is not combinable.
        let priced = price(vec![line(1, 20_00, 1)], &discounts, &["solo"]);
        assert_eq!(applied_ids(&priced), vec![id(1)]);
        assert_eq!(priced.total, m(16_00));
        assert_eq!(priced.rejected_codes, vec![("solo".to_owned(), CodeRejection::NotCombinable)]);
    }

    #[test]
    fn equal_worth_goes_to_the_combination_then_to_the_smallest_id() {
        let mut a = amount_off(5, 2_00, DiscountTarget::Order);
        a.combinable = false;
        let mut b = amount_off(4, 2_00, DiscountTarget::Order);
        b.combinable = false;
        let c = percent_off(6, "20", everything());
        let priced = price(vec![line(1, 10_00, 1)], &[a.clone(), b.clone(), c], &[]);
        assert_eq!(applied_ids(&priced), vec![id(6)]);
        let priced = price(vec![line(1, 10_00, 1)], &[a, b], &[]);
        assert_eq!(applied_ids(&priced), vec![id(4)]);
    }

    #[test]
    fn company_priced_lines_get_no_promotion() {
        let mut negotiated = line(1, 10_00, 1);
        negotiated.offer.scope = Some(ScopeMatch::Company);
        negotiated.offer.price_list_id = Some(id(0xAB));
        let mut group = line(2, 10_00, 1);
        group.offer.scope = Some(ScopeMatch::CustomerGroup);
        let d = [
            percent_off(1, "10", everything()),
            amount_off(2, 5_00, DiscountTarget::Order),
            percent_off(3, "100", bxgy(ItemSelection::default(), 1, ItemSelection::default(), 1)),
        ];
        let priced = price(vec![negotiated.clone(), group], &d, &[]);
        assert!(priced.lines[0].discounts.is_empty());
        assert_eq!(priced.lines[0].total, m(10_00));
        assert!(priced.lines[1].total.minor < 10_00);

        let d = [with_code(percent_off(1, "10", everything()), "X")];
        let priced = price(vec![negotiated], &d, &["x"]);
        assert_eq!(priced.rejected_codes, vec![("x".to_owned(), CodeRejection::NoEligibleItems)]);
        assert_eq!(priced.total, m(10_00));
    }

    // ---- the product page ----

    #[test]
    fn product_page_shows_the_best_automatic_item_discount() {
        let d = [
            percent_off(2, "10", everything()),
            amount_off(1, 2_50, DiscountTarget::Items(products(&[1]))),
            amount_off(3, 2_50, everything()),
            percent_off(4, "50", DiscountTarget::Items(products(&[9]))),
        ];
        let o = Offer { compare_at: Some(m(12_00)), ..offer(20_00) };
        assert_eq!(
            displayed_price(&o, &item(1), &d, id(CHANNEL), now()),
            (m(17_50), Some(m(20_00)))
        );
        let o = Offer { compare_at: Some(m(30_00)), ..offer(20_00) };
        assert_eq!(
            displayed_price(&o, &item(1), &d, id(CHANNEL), now()),
            (m(17_50), Some(m(30_00)))
        );
        // Never below zero.
        let d = [amount_off(1, 50_00, everything())];
        assert_eq!(
            displayed_price(&offer(20_00), &item(1), &d, id(CHANNEL), now()),
            (m(0), Some(m(20_00)))
        );
    }

    #[test]
    fn product_page_ignores_codes_minimums_orders_other_channels_and_negotiated_prices() {
        let mut minimum = percent_off(2, "20", everything());
        minimum.minimum_subtotal = Some(m(1));
        let mut elsewhere = percent_off(3, "20", everything());
        elsewhere.channel_ids = vec![id(OTHER_CHANNEL)];
        let mut inactive = percent_off(4, "20", everything());
        inactive.active = false;
        let mut later = percent_off(5, "20", everything());
        later.starts_at = Some(at(now().timestamp() + 1));
        let d = [
            with_code(percent_off(1, "20", everything()), "X"),
            minimum,
            elsewhere,
            inactive,
            later,
            percent_off(6, "20", DiscountTarget::Order),
            percent_off(7, "20", bxgy(ItemSelection::default(), 1, ItemSelection::default(), 1)),
            discount(8, DiscountValue::FixedAmount(Money::new(1_00, usd())), everything()),
        ];
        let o = Offer { compare_at: Some(m(25_00)), ..offer(20_00) };
        assert_eq!(
            displayed_price(&o, &item(1), &d, id(CHANNEL), now()),
            (m(20_00), Some(m(25_00)))
        );
        let negotiated = Offer { scope: Some(ScopeMatch::Company), ..offer(20_00) };
        let d = [percent_off(1, "20", everything())];
        assert_eq!(
            displayed_price(&negotiated, &item(1), &d, id(CHANNEL), now()),
            (m(20_00), None)
        );
    }

    // ---- properties ----

    fn arb_selection() -> impl Strategy<Value = ItemSelection> {
        (
            proptest::collection::vec(1u128..5, 0..3),
            proptest::collection::vec(1u128..3, 0..2),
            proptest::collection::vec(1u128..3, 0..2),
        )
            .prop_map(|(products, brands, collections)| ItemSelection {
                product_ids: products.into_iter().map(id).collect(),
                brand_ids: brands.into_iter().map(|n| id(0xB0 + n)).collect(),
                collection_ids: collections.into_iter().map(|n| id(0xD0 + n)).collect(),
            })
    }

    fn arb_scope() -> impl Strategy<Value = Option<ScopeMatch>> {
        prop_oneof![
            Just(None),
            Just(Some(ScopeMatch::Channel)),
            Just(Some(ScopeMatch::CustomerGroup)),
            Just(Some(ScopeMatch::Company)),
        ]
    }

    fn arb_line() -> impl Strategy<Value = BasketLine> {
        (
            1u128..5,
            proptest::option::of(1u128..3),
            proptest::option::of(1u128..3),
            0i64..5_000,
            0u32..12,
            arb_scope(),
            proptest::option::of((2u32..6, 0i64..5_000)),
        )
            .prop_map(|(product, brand, collection, price, quantity, scope, tier)| {
                let mut l = line(product, price, quantity);
                l.item.brand_id = brand.map(|n| id(0xB0 + n));
                l.item.collection_ids = collection.map(|n| id(0xD0 + n)).into_iter().collect();
                l.offer.scope = scope;
                l.offer.breaks = tier
                    .map(|(minimum_quantity, price)| PriceBreak {
                        minimum_quantity,
                        price: m(price),
                    })
                    .into_iter()
                    .collect();
                l
            })
    }

    fn arb_value() -> impl Strategy<Value = DiscountValue> {
        prop_oneof![
            4 => (0i64..=1_000_000).prop_map(|p| DiscountValue::Percentage(Percent(p))),
            4 => (0i64..3_000).prop_map(|a| DiscountValue::FixedAmount(m(a))),
            1 => Just(DiscountValue::FixedAmount(Money::new(1_00, usd()))),
        ]
    }

    fn arb_target() -> impl Strategy<Value = DiscountTarget> {
        prop_oneof![
            Just(DiscountTarget::Order),
            arb_selection().prop_map(DiscountTarget::Items),
            (arb_selection(), 1u32..4, arb_selection(), 1u32..3)
                .prop_map(|(buy, bq, get, gq)| bxgy(buy, bq, get, gq)),
        ]
    }

    fn arb_discounts() -> impl Strategy<Value = Vec<Discount>> {
        let spec = (
            arb_value(),
            arb_target(),
            proptest::option::weighted(0.35, prop_oneof![Just("A"), Just("b")]),
            proptest::option::weighted(0.3, 0i64..10_000),
            any::<bool>(),
            proptest::bool::weighted(0.9),
            proptest::option::weighted(0.2, 0u32..4),
            proptest::option::weighted(0.2, 0u32..3),
            proptest::bool::weighted(0.15),
        );
        proptest::collection::vec(spec, 0..6).prop_map(|specs| {
            specs
                .into_iter()
                .enumerate()
                .map(
                    |(i, (value, target, code, minimum, combinable, active, limit, per, other))| {
                        let mut d = discount(1 + i as u128, value, target);
                        d.code = code.map(str::to_owned);
                        d.minimum_subtotal = minimum.map(m);
                        d.combinable = combinable;
                        d.active = active;
                        d.usage_limit = limit;
                        d.usage_limit_per_customer = per;
                        if other {
                            d.channel_ids = vec![id(OTHER_CHANNEL)];
                        }
                        d
                    },
                )
                .collect()
        })
    }

    #[derive(Clone, Debug)]
    struct Scenario {
        lines: Vec<BasketLine>,
        discounts: Vec<Discount>,
        codes: Vec<String>,
        usage: HashMap<Uuid, DiscountUsage>,
        signed_in: bool,
        tax: TaxContext,
    }

    fn arb_scenario() -> impl Strategy<Value = Scenario> {
        (
            proptest::collection::vec(arb_line(), 0..6),
            arb_discounts(),
            proptest::collection::vec(prop_oneof![Just("a"), Just("B"), Just("zz")], 0..3),
            proptest::collection::vec((0u32..3, 0u32..3), 6),
            any::<bool>(),
            (0i64..=300_000, any::<bool>()),
        )
            .prop_map(|(lines, discounts, codes, usage, signed_in, (rate, inclusive))| {
                Scenario {
                    lines,
                    discounts,
                    codes: codes.into_iter().map(str::to_owned).collect(),
                    usage: usage
                        .into_iter()
                        .enumerate()
                        .map(|(i, (total, by_customer))| {
                            (id(1 + i as u128), DiscountUsage { total, by_customer })
                        })
                        .collect(),
                    signed_in,
                    tax: TaxContext { rate: Percent(rate), prices_include_tax: inclusive },
                }
            })
    }

    fn price_scenario(s: &Scenario, discounts: &[Discount]) -> PricedBasket {
        let mut b = basket(s.lines.clone(), discounts, &s.usage);
        b.codes = s.codes.clone();
        b.customer_id = s.signed_in.then(|| id(CUSTOMER));
        b.tax = s.tax;
        price_basket(&b)
    }

    /// A list for the resolution property: which scope it matches (0: none, 4: dollars),
    /// whether it is active, its adjustment, and this variant's entry in it.
    type ListSpec = (u8, bool, Option<i64>, Option<(Option<i64>, Option<(u32, i64)>)>);

    fn arb_list_spec() -> impl Strategy<Value = ListSpec> {
        (
            0u8..5,
            proptest::bool::weighted(0.8),
            proptest::option::of(-600_000i64..200_000),
            proptest::option::of((
                proptest::option::of(0i64..5_000),
                proptest::option::of((2u32..6, 0i64..5_000)),
            )),
        )
    }

    fn build_lists(specs: &[ListSpec]) -> (Vec<PriceList>, Vec<PriceListEntry>) {
        let mut lists = Vec::new();
        let mut entries = Vec::new();
        for (i, (scope, active, adjustment, entry_spec)) in specs.iter().enumerate() {
            let n = 100 + i as u128;
            let mut l = match scope {
                1 | 4 => scoped_list(n, ScopeMatch::Channel),
                2 => scoped_list(n, ScopeMatch::CustomerGroup),
                3 => scoped_list(n, ScopeMatch::Company),
                _ => list(n),
            };
            if *scope == 4 {
                l.currency = usd();
            }
            if !active {
                l.ends_at = Some(now());
            }
            l.adjustment = adjustment.map(Percent);
            if let Some((price, tier)) = entry_spec {
                let mut e = entry(n, *price);
                e.breaks = tier
                    .map(|(minimum_quantity, p)| PriceBreak { minimum_quantity, price: m(p) })
                    .into_iter()
                    .collect();
                entries.push(e);
            }
            lists.push(l);
        }
        (lists, entries)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn the_same_basket_prices_the_same_whatever_the_order_of_discounts(
            (scenario, shuffled) in arb_scenario().prop_flat_map(|s| {
                let discounts = s.discounts.clone();
                (Just(s), Just(discounts).prop_shuffle())
            }),
        ) {
            let priced = price_scenario(&scenario, &scenario.discounts);
            prop_assert_eq!(&priced, &price_scenario(&scenario, &scenario.discounts));
            prop_assert_eq!(&priced, &price_scenario(&scenario, &shuffled));
        }

        #[test]
        fn basket_totals_add_up_and_nothing_goes_negative(scenario in arb_scenario()) {
            let priced = price_scenario(&scenario, &scenario.discounts);
            let sum = |f: &dyn Fn(&PricedLine) -> i64| priced.lines.iter().map(f).sum::<i64>();
            let allocated: i64 =
                priced.lines.iter().flat_map(|l| &l.discounts).map(|a| a.amount.minor).sum();
            let tax_added = if scenario.tax.prices_include_tax { 0 } else { priced.tax_total.minor };
            prop_assert_eq!(priced.subtotal.minor, sum(&|l| l.subtotal.minor));
            prop_assert_eq!(priced.tax_total.minor, sum(&|l| l.tax.minor));
            prop_assert_eq!(priced.total.minor, sum(&|l| l.total.minor) + tax_added);
            prop_assert_eq!(priced.discount_total.minor, allocated);
            prop_assert_eq!(
                priced.discount_total.minor,
                priced.applied.iter().map(|a| a.amount.minor).sum::<i64>()
            );
            prop_assert!(priced.discount_total.minor <= priced.subtotal.minor);
            prop_assert!(priced.total.minor >= 0);
            prop_assert!(priced.applied.windows(2).all(|w| w[0].discount_id < w[1].discount_id));
            prop_assert!(priced.applied.iter().all(|a| a.amount.minor > 0));
            for (priced_line, line) in priced.lines.iter().zip(&scenario.lines) {
                let discounts: i64 = priced_line.discounts.iter().map(|a| a.amount.minor).sum();
                prop_assert!(priced_line.total.minor >= 0);
                prop_assert_eq!(priced_line.total.minor, priced_line.subtotal.minor - discounts);
                prop_assert!(priced_line.discounts.iter().all(|a| a.amount.minor > 0));
                prop_assert!(0 <= priced_line.tax.minor && priced_line.tax.minor <= priced_line.total.minor);
                prop_assert_eq!(priced_line.unit_price, line.offer.unit_price(line.quantity));
                if !line.offer.is_discountable() {
                    prop_assert!(priced_line.discounts.is_empty());
                }
            }
        }

        #[test]
        fn the_most_specific_list_that_prices_the_variant_wins_whatever_the_order(
            (specs, order) in proptest::collection::vec(arb_list_spec(), 0..6).prop_flat_map(|specs| {
                let order: Vec<usize> = (0..specs.len()).collect();
                (Just(specs), Just(order).prop_shuffle())
            }),
            base in proptest::option::of(0i64..5_000),
        ) {
            let (lists, entries) = build_lists(&specs);
            let base = base.map(|b| (m(b), None));
            let applicable = applicable_price_lists(&lists, &buyer(), eur(), now());
            let entry_refs: Vec<&PriceListEntry> = entries.iter().collect();
            let offer = resolve_offer(id(VARIANT), base, &applicable, &entry_refs);

            let shuffled: Vec<PriceList> = order.iter().map(|&i| lists[i].clone()).collect();
            let applicable_shuffled = applicable_price_lists(&shuffled, &buyer(), eur(), now());
            let reversed: Vec<&PriceListEntry> = entries.iter().rev().collect();
            prop_assert_eq!(
                &offer,
                &resolve_offer(id(VARIANT), base, &applicable_shuffled, &reversed)
            );

            let prices = |l: &PriceList| {
                let e = entries.iter().find(|e| e.price_list_id == l.id);
                e.and_then(|e| e.price).is_some() || (l.adjustment.is_some() && base.is_some())
            };
            let pricing: Vec<(&PriceList, ScopeMatch)> =
                applicable.iter().copied().filter(|(l, _)| prices(l)).collect();
            match pricing.iter().map(|(_, s)| *s).max() {
                Some(best) => {
                    let offer = offer.expect("a list prices the variant");
                    prop_assert_eq!(offer.scope, Some(best));
                    let winner = pricing.iter().find(|(l, _)| Some(l.id) == offer.price_list_id);
                    prop_assert!(winner.is_some_and(|(_, s)| *s == best));
                }
                None => {
                    prop_assert_eq!(offer.as_ref().map(|o| o.price), base.map(|b| b.0));
                    prop_assert!(offer.is_none_or(|o| o.price_list_id.is_none() && o.scope.is_none()));
                }
            }
        }

        #[test]
        fn unit_price_is_the_price_of_the_greatest_tier_reached(
            price in 0i64..10_000,
            tiers in proptest::collection::btree_map(2u32..60, 0i64..10_000, 0..5),
            quantity in 0u32..80,
        ) {
            let mut o = offer(price);
            o.breaks = tiers
                .iter()
                .map(|(&minimum_quantity, &p)| PriceBreak { minimum_quantity, price: m(p) })
                .collect();
            let expected = o
                .breaks
                .iter()
                .rev()
                .find(|b| b.minimum_quantity <= quantity)
                .map_or(m(price), |b| b.price);
            prop_assert_eq!(o.unit_price(quantity), expected);
            o.breaks.reverse();
            prop_assert_eq!(o.unit_price(quantity), expected, "order of tiers");
        }

        #[test]
        fn percent_text_round_trips(millionths in -1_000_000_000_000_000i64..1_000_000_000_000_000) {
            let text = Percent(millionths).to_decimal_string();
            prop_assert_eq!(Percent::parse(&text), Ok(Percent(millionths)));
        }

        #[test]
        fn division_rounds_to_the_nearest_and_half_away_from_zero(
            numerator in -1_000_000_000_000i128..1_000_000_000_000,
            denominator in prop_oneof![-1_000_000i128..0, 1i128..1_000_000],
        ) {
            let q = div_round_half_up(numerator, denominator);
            let error = 2 * (numerator - q * denominator).abs();
            prop_assert!(error <= denominator.abs());
            if error == denominator.abs() {
                prop_assert!((q * denominator).abs() > numerator.abs(), "half away from zero");
            }
        }
    }
}
