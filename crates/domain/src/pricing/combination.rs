//! How combinable promotions stack: per line the best item-level discount, then the best order
//! discount on what remains.

use uuid::Uuid;

use crate::money::Currency;

use super::discount_amounts::{allocate, order_amount};
use super::promotions::{Discount, DiscountTarget, LineFacts};

/// Per line, the discounts taking something off it and how much.
pub(super) type Allocations = Vec<Vec<(Uuid, i64)>>;

pub(super) fn allocations_total(allocations: &Allocations) -> i64 {
    allocations.iter().flatten().fold(0i64, |acc, (_, a)| acc.saturating_add(*a))
}

/// All eligible combinable discounts together: per line the best item-level or
/// buy-x-get-y discount, then the best order discount on what remains.
pub(super) fn combine(
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

#[cfg(test)]
// Amounts in tests are written as euros_cents: `100_00` is 100.00.
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use super::*;
    use crate::pricing::fixtures::*;
    use crate::pricing::CodeRejection;

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
}
