//! Buy x, get y: how many sets a basket holds and which of its units are discounted.

use crate::money::Currency;

use super::discount_amounts::units_discount;
use super::promotions::{DiscountValue, ItemSelection, LineFacts};

/// See [`DiscountTarget::BuyXGetY`].
///
/// [`DiscountTarget::BuyXGetY`]: super::DiscountTarget::BuyXGetY
pub(super) fn buy_x_get_y(
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

#[cfg(test)]
// Amounts in tests are written as euros_cents: `100_00` is 100.00.
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use super::*;
    use crate::pricing::fixtures::*;

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
}
