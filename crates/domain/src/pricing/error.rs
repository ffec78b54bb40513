//! Why a pricing rule as a merchant wrote it is refused.

use crate::money::Currency;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PricingRuleError {
    #[error("`{0}` is not a percentage with at most 4 decimals")]
    InvalidPercent(String),
    #[error("the minimum must be at least 1")]
    MinimumBelowOne,
    #[error("the increment must be at least 1")]
    IncrementBelowOne,
    #[error("the minimum must be a multiple of the increment")]
    MinimumNotMultipleOfIncrement,
    #[error("the maximum must be a multiple of the increment and at least the minimum")]
    InvalidMaximum,
    #[error("tier {index}: minimum quantity must be greater than 1, above the previous tier's, and a multiple of the increment")]
    InvalidBreak { index: usize },
    #[error("prices must be in the price list's currency {0}")]
    WrongCurrency(Currency),
    #[error("the end of the validity window must be after its start")]
    InvalidWindow,
    #[error("prices must not be negative")]
    NegativePrice,
}
