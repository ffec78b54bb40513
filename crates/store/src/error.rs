use sea_orm::{DbErr, SqlErr};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique constraint refused the write; `field` names the input field that clashed.
    #[error("{field} is already taken")]
    Taken { field: &'static str },
    /// A stored value could not be read back (a bug or a hand-edited row).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(#[from] DbErr),
}

/// Unique columns and the input field each one stands for, so that a clash becomes a field
/// error in one place instead of in every caller.
const UNIQUE_FIELDS: [(&str, &str); 8] = [
    ("storefront_key", "storefrontKey"),
    ("handle", "handle"),
    ("sku", "sku"),
    ("email", "email"),
    ("token_hash", "token"),
    ("code_key", "code"),
    ("company_members", "customer"),
    ("tax_rates", "countryCode"),
];

impl StoreError {
    pub(crate) fn from_write(err: DbErr) -> Self {
        if let Some(SqlErr::UniqueConstraintViolation(message)) = err.sql_err() {
            for (column, field) in UNIQUE_FIELDS {
                if message.contains(column) {
                    return StoreError::Taken { field };
                }
            }
        }
        StoreError::Database(err)
    }
}
