//! Pricing a whole basket, the entry point of cart and checkout: unit prices, promotions and
//! taxes line by line, and the basket's totals.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::money::{Currency, Money};

use super::combination::{allocations_total, combine};
use super::discount_amounts::standalone_amounts;
use super::eligibility::{conditions_met, entered_codes, normalize_code, rejection_progress};
use super::offer::Offer;
use super::promotions::{CodeRejection, Discount, DiscountUsage, ItemFacts, LineFacts};
use super::quantity::QuantityViolation;
use super::tax::TaxContext;

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

impl PricedBasket {
    /// Why the entered `code` does not apply, matched as the engine matches codes (case and
    /// surrounding blanks ignored); `None` when it applies.
    pub fn code_rejection(&self, code: &str) -> Option<CodeRejection> {
        let code = normalize_code(code);
        self.rejected_codes.iter().find(|(c, _)| normalize_code(c) == code).map(|(_, r)| *r)
    }
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

#[cfg(test)]
// Amounts in tests are written as euros_cents: `100_00` is 100.00.
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::pricing::fixtures::*;
    use crate::pricing::{
        DiscountTarget, DiscountValue, ItemSelection, Percent, PriceBreak, QuantityRule, ScopeMatch,
    };

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

    #[test]
    fn a_rejected_code_is_found_whatever_its_case_and_blanks() {
        let d = [with_code(percent_off(1, "10", everything()), "SPRING")];
        let priced = price(vec![line(1, 10_00, 1)], &d, &[" nope "]);
        assert_eq!(priced.code_rejection("NOPE"), Some(CodeRejection::Unknown));
        assert_eq!(priced.code_rejection(" Nope"), Some(CodeRejection::Unknown));
        assert_eq!(priced.code_rejection("spring"), None, "a code never entered is not rejected");
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
    }
}
