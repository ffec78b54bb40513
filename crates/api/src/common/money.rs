//! Money in and out: `MoneyV2` as Shopify shapes it, and `MoneyInput`.

use async_graphql::{InputObject, SimpleObject};
use vitrine_app::ErrorCode;
use vitrine_domain::money::{Currency, Money};

use crate::common::codes::CurrencyCode;
use crate::common::scalars::Decimal;
use crate::mutate::InputReader;

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

impl MoneyInput {
    /// The amount in its currency; a bad currency or amount is reported under `field`.
    pub(crate) fn read(self, r: &mut InputReader, field: &str) -> Option<Money> {
        let currency = match Currency::new(self.currency_code.name()) {
            Ok(currency) => currency,
            Err(e) => {
                r.reject(&[field], ErrorCode::Invalid, e.to_string());
                return None;
            }
        };
        match Money::parse(&self.amount.0, currency) {
            Ok(money) => Some(money),
            Err(e) => {
                r.reject(&[field, "amount"], ErrorCode::Invalid, e.to_string());
                None
            }
        }
    }
}
