//! What one promotion takes off each line on its own, and how an order discount is split over
//! the lines.

use crate::money::Currency;

use super::buy_x_get_y::buy_x_get_y;
use super::percent::percent_of;
use super::promotions::{Discount, DiscountTarget, DiscountValue, LineFacts};
use super::rounding::saturate;

/// What `value` takes off `units` units at `unit` each (an item discount), between 0 and
/// their price.
pub(super) fn units_discount(
    value: DiscountValue,
    unit: i64,
    units: u64,
    currency: Currency,
) -> i64 {
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
pub(super) fn order_amount(value: DiscountValue, bases: &[i64], currency: Currency) -> i64 {
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
pub(super) fn allocate(amount: i64, bases: &[i64]) -> Vec<i64> {
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
pub(super) fn standalone_amounts(
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

#[cfg(test)]
// Amounts in tests are written as euros_cents: `100_00` is 100.00.
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use super::*;
    use crate::pricing::fixtures::*;
    use crate::pricing::{DiscountAllocation, Percent};

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
}
