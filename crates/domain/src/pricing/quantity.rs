//! How many units may be ordered, and the volume tiers that change the unit price.

use serde::{Deserialize, Serialize};

use crate::money::Money;

use super::error::PricingRuleError;

/// How many units may be ordered: at least `minimum`, in multiples of `increment`, at most
/// `maximum`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuantityRule {
    pub minimum: u32,
    pub increment: u32,
    pub maximum: Option<u32>,
}

impl Default for QuantityRule {
    fn default() -> Self {
        Self { minimum: 1, increment: 1, maximum: None }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuantityViolation {
    BelowMinimum { minimum: u32 },
    NotMultipleOfIncrement { increment: u32 },
    AboveMaximum { maximum: u32 },
}

impl QuantityRule {
    /// Rules as merchants write them must be satisfiable: minimum >= 1, increment >= 1,
    /// minimum and maximum multiples of the increment, maximum >= minimum.
    pub fn validate(&self) -> Result<(), PricingRuleError> {
        if self.minimum < 1 {
            return Err(PricingRuleError::MinimumBelowOne);
        }
        if self.increment < 1 {
            return Err(PricingRuleError::IncrementBelowOne);
        }
        if !self.minimum.is_multiple_of(self.increment) {
            return Err(PricingRuleError::MinimumNotMultipleOfIncrement);
        }
        if let Some(maximum) = self.maximum {
            if maximum < self.minimum || !maximum.is_multiple_of(self.increment) {
                return Err(PricingRuleError::InvalidMaximum);
            }
        }
        Ok(())
    }

    /// Whether `quantity` may be ordered; the first rule broken, checked in the order
    /// minimum, increment, maximum.
    ///
    /// An (invalid) increment of 0 is not checked rather than divided by.
    pub fn check(&self, quantity: u32) -> Result<(), QuantityViolation> {
        if quantity < self.minimum {
            return Err(QuantityViolation::BelowMinimum { minimum: self.minimum });
        }
        if quantity.checked_rem(self.increment).is_some_and(|r| r != 0) {
            return Err(QuantityViolation::NotMultipleOfIncrement { increment: self.increment });
        }
        match self.maximum {
            Some(maximum) if quantity > maximum => Err(QuantityViolation::AboveMaximum { maximum }),
            _ => Ok(()),
        }
    }
}

/// A volume tier: from `minimum_quantity` units on, each costs `price`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceBreak {
    pub minimum_quantity: u32,
    pub price: Money,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::PricingRuleError;

    #[test]
    fn quantity_rules_must_be_satisfiable() {
        let rule = |minimum, increment, maximum| QuantityRule { minimum, increment, maximum };
        assert_eq!(QuantityRule::default().validate(), Ok(()));
        assert_eq!(rule(6, 6, Some(24)).validate(), Ok(()));
        assert_eq!(rule(0, 1, None).validate(), Err(PricingRuleError::MinimumBelowOne));
        assert_eq!(rule(1, 0, None).validate(), Err(PricingRuleError::IncrementBelowOne));
        assert_eq!(
            rule(4, 6, None).validate(),
            Err(PricingRuleError::MinimumNotMultipleOfIncrement)
        );
        assert_eq!(rule(6, 6, Some(20)).validate(), Err(PricingRuleError::InvalidMaximum));
        assert_eq!(rule(12, 6, Some(6)).validate(), Err(PricingRuleError::InvalidMaximum));
        assert_eq!(rule(6, 6, Some(6)).validate(), Ok(()));
    }

    #[test]
    fn quantity_check_reports_minimum_then_increment_then_maximum() {
        let rule = QuantityRule { minimum: 6, increment: 6, maximum: Some(24) };
        assert_eq!(rule.check(3), Err(QuantityViolation::BelowMinimum { minimum: 6 }));
        assert_eq!(rule.check(0), Err(QuantityViolation::BelowMinimum { minimum: 6 }));
        assert_eq!(rule.check(8), Err(QuantityViolation::NotMultipleOfIncrement { increment: 6 }));
        assert_eq!(rule.check(25), Err(QuantityViolation::NotMultipleOfIncrement { increment: 6 }));
        assert_eq!(rule.check(30), Err(QuantityViolation::AboveMaximum { maximum: 24 }));
        assert_eq!(rule.check(6), Ok(()));
        assert_eq!(rule.check(24), Ok(()));
        let broken = QuantityRule { minimum: 1, increment: 0, maximum: None };
        assert_eq!(broken.check(7), Ok(()), "an increment of 0 is not divided by");
    }
}
