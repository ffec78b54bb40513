//! How a buyer pays.

use async_graphql::Enum;
use vitrine_domain::payment::PaymentMethod as DomainMethod;

/// How a buyer pays.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaymentMethod {
    /// A card, through the card provider (Stripe).
    Card,
    /// On the company's payment terms.
    Invoice,
    /// Bank transfer, marked paid by staff.
    Manual,
}

impl From<DomainMethod> for PaymentMethod {
    fn from(m: DomainMethod) -> Self {
        match m {
            DomainMethod::Card => Self::Card,
            DomainMethod::Invoice => Self::Invoice,
            DomainMethod::Manual => Self::Manual,
        }
    }
}

impl From<PaymentMethod> for DomainMethod {
    fn from(m: PaymentMethod) -> Self {
        match m {
            PaymentMethod::Card => Self::Card,
            PaymentMethod::Invoice => Self::Invoice,
            PaymentMethod::Manual => Self::Manual,
        }
    }
}
