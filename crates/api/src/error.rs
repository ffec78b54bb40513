//! Where application errors become GraphQL errors or `userErrors`, once for the whole API.

use async_graphql::{Enum, ErrorExtensions, SimpleObject};
use vitrine_app::AppError;

/// Stable codes of `UserError`. Clients branch on these, never on messages.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "vitrine_app::ErrorCode")]
pub enum ErrorCode {
    Blank,
    TooLong,
    Invalid,
    Taken,
    TooMany,
    NotFound,
    InvalidCredentials,
    InvalidToken,
    RateLimited,
    PasswordTooShort,
    /// Not enough stock available for the change or the order.
    InsufficientStock,
    /// A compare-and-set count found another quantity than `changeFromQuantity`; the message
    /// carries the current one, so re-read and retry.
    ChangeFromQuantityStale,
    /// A count lower than what is reserved for orders.
    BelowReserved,
    /// Releasing or fulfilling more than is reserved.
    NotReserved,
    /// An idempotency key sent again with a different request.
    IdempotencyKeyReused,
    /// Fewer units than the variant's minimum order quantity.
    BelowMinimum,
    /// A quantity that is not a multiple of the variant's order increment (packs of 6).
    NotMultipleOfIncrement,
    /// More units than the variant's maximum per order.
    AboveMaximum,
    /// The cart was already checked out; its order is in the message.
    AlreadyCompleted,
    /// The payment provider declined or failed the payment; nothing was ordered.
    PaymentDeclined,
    /// Unpaid invoices plus this order would pass the company's credit limit.
    CreditLimitExceeded,
    /// The payment method is not offered to this buyer on this channel.
    PaymentMethodUnavailable,
    /// The cart's total changed since the buyer saw it (`expectedTotalAmount`); the cart shows the new one.
    PriceChanged,
    /// The order's status does not allow this (e.g. cancelling a shipped order).
    InvalidTransition,
    /// No such delivery option for this cart's address and contents.
    DeliveryUnavailable,
    /// A discount reached its usage limit since the cart was priced.
    DiscountLimitReached,
    NotPermitted,
}

/// A business failure of a mutation: which input field, why, and a stable code.
#[derive(SimpleObject, Clone, Debug)]
pub struct UserError {
    pub field: Option<Vec<String>>,
    pub message: String,
    pub code: Option<ErrorCode>,
}

impl From<vitrine_app::UserError> for UserError {
    fn from(e: vitrine_app::UserError) -> Self {
        Self {
            field: if e.field.is_empty() { None } else { Some(e.field) },
            message: e.message,
            code: Some(e.code.into()),
        }
    }
}

pub fn gql_error(code: &'static str, message: impl Into<String>) -> async_graphql::Error {
    async_graphql::Error::new(message).extend_with(|_, e| e.set("code", code))
}

pub fn unauthenticated() -> async_graphql::Error {
    gql_error("UNAUTHENTICATED", "sign in or send a valid API token to use this field")
}

pub fn forbidden() -> async_graphql::Error {
    gql_error("FORBIDDEN", "your credentials do not allow this field")
}

pub fn bad_input(message: impl Into<String>) -> async_graphql::Error {
    gql_error("BAD_USER_INPUT", message)
}

/// Internal causes are logged, never returned.
pub fn internal(err: &dyn std::fmt::Display) -> async_graphql::Error {
    tracing::error!(error = %err, "request failed");
    gql_error("INTERNAL_SERVER_ERROR", "internal error")
}

pub fn to_gql(err: AppError) -> async_graphql::Error {
    match err {
        AppError::User(errors) => match errors.first() {
            Some(e) if e.code == vitrine_app::ErrorCode::RateLimited => {
                gql_error("RATE_LIMITED", e.message.clone())
            }
            Some(e) => bad_input(e.message.clone()),
            None => bad_input("invalid input"),
        },
        AppError::Unauthenticated => unauthenticated(),
        AppError::Forbidden => forbidden(),
        AppError::Store(e) => internal(&e),
    }
}

pub trait ResultExt<T> {
    fn gql(self) -> async_graphql::Result<T>;
}

impl<T> ResultExt<T> for Result<T, AppError> {
    fn gql(self) -> async_graphql::Result<T> {
        self.map_err(to_gql)
    }
}

impl<T> ResultExt<T> for Result<T, vitrine_app::StoreError> {
    fn gql(self) -> async_graphql::Result<T> {
        self.map_err(|e| internal(&e))
    }
}
