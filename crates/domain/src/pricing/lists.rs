//! Price lists: their scopes, validity windows and entries, and which of them apply to a
//! buyer (step 1 of the resolution order).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::money::{Currency, Money};

use super::error::PricingRuleError;
use super::percent::Percent;
use super::quantity::{PriceBreak, QuantityRule};
use super::window::in_window;

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

#[cfg(test)]
// Amounts in tests are written as euros_cents: `100_00` is 100.00.
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use super::*;
    use crate::pricing::fixtures::*;

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
}
