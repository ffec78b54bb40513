//! How a buyer pays.

use async_graphql::Enum;

/// How a buyer pays.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "vitrine_domain::payment::PaymentMethod")]
pub enum PaymentMethod {
    /// A card, through the card provider (Stripe).
    Card,
    /// On the company's payment terms.
    Invoice,
    /// Bank transfer, marked paid by staff.
    Manual,
}
