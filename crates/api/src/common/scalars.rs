//! Scalars storefront clients know from Shopify: `Decimal`, `URL`, `HTML`.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};

/// A decimal number as a string, e.g. "129.00". Money amounts are exact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decimal(pub String);

#[Scalar(name = "Decimal")]
impl ScalarType for Decimal {
    fn parse(value: Value) -> InputValueResult<Self> {
        match value {
            Value::String(s) => Ok(Decimal(s)),
            Value::Number(n) => Ok(Decimal(n.to_string())),
            other => Err(InputValueError::expected_type(other)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.clone())
    }
}

/// An RFC 3986 URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url(pub String);

#[Scalar(name = "URL")]
impl ScalarType for Url {
    fn parse(value: Value) -> InputValueResult<Self> {
        match value {
            Value::String(s) => Ok(Url(s)),
            other => Err(InputValueError::expected_type(other)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.clone())
    }
}

/// A string of HTML.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Html(pub String);

#[Scalar(name = "HTML")]
impl ScalarType for Html {
    fn parse(value: Value) -> InputValueResult<Self> {
        match value {
            Value::String(s) => Ok(Html(s)),
            other => Err(InputValueError::expected_type(other)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.clone())
    }
}

/// Plain text as one HTML paragraph per line, escaped.
pub fn text_to_html(text: &str) -> Html {
    let escaped = text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    Html(escaped.lines().filter(|l| !l.trim().is_empty()).map(|l| format!("<p>{l}</p>")).collect())
}
