//! The tax in a line total, for tax-inclusive and tax-exclusive channels (step 5 of the
//! resolution order).

use crate::money::Money;

use super::percent::{Percent, WHOLE};
use super::rounding::{div_round_half_up, saturate};

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

#[cfg(test)]
// Amounts in tests are written as euros_cents: `100_00` is 100.00.
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::money::Currency;
    use crate::pricing::fixtures::*;
    use crate::pricing::price_basket;

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
}
