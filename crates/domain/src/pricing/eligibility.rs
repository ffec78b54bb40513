//! Whether a promotion may apply to a basket, how entered codes are matched, and which reason
//! a refused code is given.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::basket::Basket;
use super::promotions::{CodeRejection, Discount};
use super::window::in_window;

pub(super) fn normalize_code(code: &str) -> String {
    code.trim().to_lowercase()
}

/// The entered codes as typed with their normalized form, without blanks and repeats.
pub fn entered_codes(codes: &[String]) -> Vec<(String, String)> {
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
pub(super) fn rejection_progress(reason: CodeRejection) -> u8 {
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
pub(super) fn is_live(discount: &Discount, channel_id: Uuid, now: DateTime<Utc>) -> bool {
    discount.active
        && in_window(discount.starts_at, discount.ends_at, now)
        && (discount.channel_ids.is_empty() || discount.channel_ids.contains(&channel_id))
}

/// Every condition except reducing a line (the code was entered already).
pub(super) fn conditions_met(
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

#[cfg(test)]
// Amounts in tests are written as euros_cents: `100_00` is 100.00.
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::money::Money;
    use crate::pricing::fixtures::*;
    use crate::pricing::{price_basket, DiscountTarget, DiscountUsage, DiscountValue, ScopeMatch};

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
}
