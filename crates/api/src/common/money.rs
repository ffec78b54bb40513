//! Money in and out: `MoneyV2` as Shopify shapes it, and `MoneyInput`.

use async_graphql::{InputObject, SimpleObject};
use vitrine_domain::money::Money;

use crate::common::codes::CurrencyCode;
use crate::common::scalars::Decimal;

/// An amount of money in a currency, as Shopify's `MoneyV2`.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "MoneyV2")]
pub struct MoneyV2 {
    pub amount: Decimal,
    pub currency_code: CurrencyCode,
}

impl From<Money> for MoneyV2 {
    fn from(m: Money) -> Self {
        Self {
            amount: Decimal(m.to_decimal_string()),
            // Stored currencies are validated on write against the same list.
            currency_code: CurrencyCode::from_currency(m.currency).unwrap_or(CurrencyCode::EUR),
        }
    }
}

#[derive(InputObject, Clone)]
pub struct MoneyInput {
    pub amount: Decimal,
    pub currency_code: CurrencyCode,
}

impl MoneyInput {
    pub(crate) fn parts(self) -> (String, String) {
        (self.amount.0, self.currency_code.name().to_owned())
    }
}
