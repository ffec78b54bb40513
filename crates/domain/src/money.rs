//! Money as integer minor units plus an ISO 4217 currency; never floats.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An ISO 4217 currency code such as `EUR`, validated to three upper-case ASCII letters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("`{0}` is not an ISO 4217 currency code")]
    InvalidCurrency(String),
    #[error("`{0}` is not a decimal amount")]
    InvalidAmount(String),
    #[error("`{amount}` has more decimals than {currency} allows ({allowed})")]
    TooManyDecimals { amount: String, currency: Currency, allowed: u32 },
    #[error("amount is out of range")]
    Overflow,
    #[error("amount must not be negative")]
    Negative,
}

impl Currency {
    pub fn new(code: &str) -> Result<Self, MoneyError> {
        let bytes = code.as_bytes();
        if bytes.len() != 3 || !bytes.iter().all(u8::is_ascii_uppercase) {
            return Err(MoneyError::InvalidCurrency(code.to_owned()));
        }
        Ok(Self([bytes[0], bytes[1], bytes[2]]))
    }

    pub fn as_str(&self) -> &str {
        // The constructor only admits ASCII letters.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// Number of decimal places of the currency's minor unit.
    pub fn exponent(&self) -> u32 {
        match self.as_str() {
            "JPY" | "KRW" | "CLP" | "ISK" | "VND" | "XAF" | "XOF" | "HUF" => 0,
            "BHD" | "KWD" | "OMR" | "JOD" | "TND" => 3,
            _ => 2,
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Currency {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl TryFrom<String> for Currency {
    type Error = MoneyError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::new(&value)
    }
}

impl From<Currency> for String {
    fn from(value: Currency) -> Self {
        value.as_str().to_owned()
    }
}

/// An amount of money in the minor unit of its currency (cents for EUR).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// Parses a decimal string ("129.00", "129.5", "129") in the given currency.
    /// More decimals than the currency has is an error rather than a silent rounding.
    pub fn parse(amount: &str, currency: Currency) -> Result<Self, MoneyError> {
        let invalid = || MoneyError::InvalidAmount(amount.to_owned());
        let text = amount.trim();
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, fraction) = match digits.split_once('.') {
            Some((w, f)) => (w, f),
            None => (digits, ""),
        };
        if whole.is_empty() && fraction.is_empty()
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !fraction.bytes().all(|b| b.is_ascii_digit())
            || (digits.contains('.') && fraction.is_empty())
        {
            return Err(invalid());
        }
        let exponent = currency.exponent();
        let significant = fraction.trim_end_matches('0');
        if significant.len() > exponent as usize {
            return Err(MoneyError::TooManyDecimals {
                amount: amount.to_owned(),
                currency,
                allowed: exponent,
            });
        }
        let scale = 10i64.pow(exponent);
        let whole: i64 =
            if whole.is_empty() { 0 } else { whole.parse().map_err(|_| MoneyError::Overflow)? };
        let mut frac_minor: i64 = 0;
        for (i, b) in significant.bytes().enumerate() {
            frac_minor += i64::from(b - b'0') * 10i64.pow(exponent - 1 - i as u32);
        }
        let minor = whole
            .checked_mul(scale)
            .and_then(|w| w.checked_add(frac_minor))
            .ok_or(MoneyError::Overflow)?;
        Ok(Self::new(if negative { -minor } else { minor }, currency))
    }

    /// Like [`Money::parse`] but refuses negative amounts, as prices must be.
    pub fn parse_price(amount: &str, currency: Currency) -> Result<Self, MoneyError> {
        let money = Self::parse(amount, currency)?;
        if money.minor < 0 {
            return Err(MoneyError::Negative);
        }
        Ok(money)
    }

    /// The amount as a decimal string with exactly the currency's number of decimals.
    pub fn to_decimal_string(&self) -> String {
        let exponent = self.currency.exponent();
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        if exponent == 0 {
            return format!("{sign}{abs}");
        }
        let scale = 10u64.pow(exponent);
        format!("{sign}{}.{:0width$}", abs / scale, abs % scale, width = exponent as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur() -> Currency {
        Currency::new("EUR").expect("valid")
    }

    #[test]
    fn parses_and_prints_two_decimal_currencies() {
        assert_eq!(Money::parse("129.5", eur()).map(|m| m.minor), Ok(12950));
        assert_eq!(Money::parse("129", eur()).map(|m| m.minor), Ok(12900));
        assert_eq!(Money::parse(".5", eur()).map(|m| m.minor), Ok(50));
        assert_eq!(Money::new(12950, eur()).to_decimal_string(), "129.50");
        assert_eq!(Money::new(-5, eur()).to_decimal_string(), "-0.05");
    }

    #[test]
    fn zero_decimal_currencies_have_no_fraction() {
        let jpy = Currency::new("JPY").expect("valid");
        assert_eq!(Money::parse("1500", jpy).map(|m| m.minor), Ok(1500));
        assert_eq!(Money::new(1500, jpy).to_decimal_string(), "1500");
        assert!(matches!(Money::parse("1500.5", jpy), Err(MoneyError::TooManyDecimals { .. })));
    }

    #[test]
    fn rejects_amounts_that_are_not_decimals() {
        for bad in ["", "abc", "1.2.3", "1e5", "12.", "1,50", "--1"] {
            assert!(Money::parse(bad, eur()).is_err(), "{bad:?} must be rejected");
        }
        assert_eq!(Money::parse("12.345", eur()).map(|m| m.minor).ok(), None);
        assert_eq!(Money::parse("12.340", eur()).map(|m| m.minor), Ok(1234));
    }

    #[test]
    fn prices_cannot_be_negative() {
        assert_eq!(Money::parse_price("-1", eur()), Err(MoneyError::Negative));
    }

    #[test]
    fn overflow_is_an_error_not_a_wraparound() {
        assert_eq!(Money::parse("99999999999999999999", eur()), Err(MoneyError::Overflow));
    }

    #[test]
    fn currency_codes_are_three_upper_case_letters() {
        assert!(Currency::new("eur").is_err());
        assert!(Currency::new("EURO").is_err());
        assert_eq!(eur().as_str(), "EUR");
    }
}
