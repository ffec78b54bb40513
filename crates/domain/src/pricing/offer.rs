//! The offer for a variant: which applicable list wins, and the unit price its tiers give
//! (steps 2 and 3 of the resolution order).

use std::cmp::Ordering;

use uuid::Uuid;

use crate::money::Money;

use super::lists::{PriceList, PriceListEntry, ScopeMatch};
use super::percent::percent_of;
use super::quantity::{PriceBreak, QuantityRule};
use super::rounding::saturate;

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
///
/// [`applicable_price_lists`]: super::applicable_price_lists
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

#[cfg(test)]
// Amounts in tests are written as euros_cents: `100_00` is 100.00.
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::pricing::fixtures::*;
    use crate::pricing::{applicable_price_lists, BasketLine, Percent};

    fn resolve(
        base: Option<(i64, Option<i64>)>,
        lists: &[PriceList],
        entries: &[PriceListEntry],
    ) -> Option<Offer> {
        let applicable = applicable_price_lists(lists, &buyer(), eur(), now());
        let entries: Vec<&PriceListEntry> = entries.iter().collect();
        resolve_offer(id(VARIANT), base.map(|(p, c)| (m(p), c.map(m))), &applicable, &entries)
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

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

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
    }
}
