//! The engine's one rounding rule, and the way back from wide intermediates to minor units.

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
pub(super) fn saturate(value: i128) -> i64 {
    i64::try_from(value).unwrap_or(if value < 0 { i64::MIN } else { i64::MAX })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

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

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

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
