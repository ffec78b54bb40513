//! Percentages, kept in millionths of the whole so that rates such as 8.875% are exact.

use serde::{Deserialize, Serialize};

use super::error::PricingRuleError;
use super::rounding::div_round_half_up;

/// A percentage in millionths of the whole: 20% is `200_000`, 8.875% is `88_750`. Negative
/// for price-list reductions (`-30` percent = 30% off).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Percent(pub i64);

impl Percent {
    pub const ZERO: Percent = Percent(0);

    /// Parses "20", "-30", "8.875", "5.5" (at most 4 decimals).
    ///
    /// Surrounding whitespace is ignored and ".5" reads as 0.5 (as [`Money::parse`] does);
    /// a trailing dot ("12."), a `+` sign, exponents and a fifth decimal (even a zero) are
    /// errors.
    ///
    /// [`Money::parse`]: crate::money::Money::parse
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
pub(super) const WHOLE: i128 = 1_000_000;

/// `amount * percent`, rounded half up to the minor unit.
pub(super) fn percent_of(amount: i128, percent: Percent) -> i128 {
    div_round_half_up(amount.saturating_mul(i128::from(percent.0)), WHOLE)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::pricing::PricingRuleError;

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

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn percent_text_round_trips(millionths in -1_000_000_000_000_000i64..1_000_000_000_000_000) {
            let text = Percent(millionths).to_decimal_string();
            prop_assert_eq!(Percent::parse(&text), Ok(Percent(millionths)));
        }
    }
}
