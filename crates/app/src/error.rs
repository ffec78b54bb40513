//! Errors of the use cases. Business failures are [`UserError`]s with a stable code, which the
//! API returns in `userErrors`; the rest become GraphQL errors with `extensions.code`.

use vitrine_domain::catalog::{Invalid, InvalidCode};
use vitrine_store::StoreError;

/// Stable codes a client can branch on. Documented in the schema as the `ErrorCode` enum.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
    /// A compare-and-set count found another quantity than `changeFromQuantity`.
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
    /// The caller's role does not allow this (a company viewer ordering).
    NotPermitted,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserError {
    /// Path to the input field at fault, e.g. `["variants", "3", "sku"]`.
    pub field: Vec<String>,
    pub code: ErrorCode,
    pub message: String,
}

impl UserError {
    /// The one way to build a user error: the path to the field at fault (names and row
    /// indexes as text, `&["lines", "3", "quantity"]` or owned segments), its code, a message.
    pub fn new<S: AsRef<str>>(field: &[S], code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            field: field.iter().map(|s| s.as_ref().to_owned()).collect(),
            code,
            message: message.into(),
        }
    }

    /// Prefixes the field path, e.g. to point at one row of a bulk input.
    pub fn at<S: AsRef<str>>(mut self, prefix: &[S]) -> Self {
        let mut field: Vec<String> = prefix.iter().map(|s| s.as_ref().to_owned()).collect();
        field.append(&mut self.field);
        self.field = field;
        self
    }

    /// Points the error at row `index` of the list input `list`: `quantity` becomes
    /// `lines.3.quantity`.
    pub fn in_row(self, list: &str, index: usize) -> Self {
        self.at(&[list.to_owned(), index.to_string()])
    }

    pub fn not_found(field: &str, what: &str) -> Self {
        Self::new(&[field], ErrorCode::NotFound, format!("{what} not found"))
    }
}

impl From<Invalid> for UserError {
    fn from(e: Invalid) -> Self {
        let code = match e.code {
            InvalidCode::Blank => ErrorCode::Blank,
            InvalidCode::TooLong => ErrorCode::TooLong,
            InvalidCode::Invalid => ErrorCode::Invalid,
            InvalidCode::Taken => ErrorCode::Taken,
            InvalidCode::TooMany => ErrorCode::TooMany,
        };
        Self { field: e.field, code, message: e.message }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The input broke a rule; nothing was written.
    #[error("invalid input")]
    User(Vec<UserError>),
    #[error("authentication required")]
    Unauthenticated,
    #[error("not allowed")]
    Forbidden,
    #[error(transparent)]
    Store(StoreError),
}

impl AppError {
    pub fn user(error: UserError) -> Self {
        AppError::User(vec![error])
    }
}

impl From<UserError> for AppError {
    fn from(e: UserError) -> Self {
        AppError::user(e)
    }
}

impl From<Invalid> for AppError {
    fn from(e: Invalid) -> Self {
        AppError::user(e.into())
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Taken { field } => AppError::user(UserError::new(
                &[field],
                ErrorCode::Taken,
                format!("{field} is already taken"),
            )),
            other => AppError::Store(other),
        }
    }
}

pub type AppResult<T> = Result<T, AppError>;
