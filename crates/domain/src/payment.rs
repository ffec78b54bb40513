//! How orders are paid: the methods a channel offers and where a payment stands.

use std::fmt;

/// How the buyer pays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PaymentMethod {
    /// A card through the card provider: authorised at checkout, captured at once or on
    /// fulfilment.
    Card,
    /// On the company's payment terms (net 30, net 60), within its credit limit.
    Invoice,
    /// Bank transfer: paid when staff mark it so.
    Manual,
}

impl PaymentMethod {
    pub const ALL: [PaymentMethod; 3] =
        [PaymentMethod::Card, PaymentMethod::Invoice, PaymentMethod::Manual];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Card => "card",
            PaymentMethod::Invoice => "invoice",
            PaymentMethod::Manual => "manual",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == text)
    }
}

impl fmt::Display for PaymentMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a payment stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PaymentStatus {
    /// Waiting: for a bank transfer, the invoice's due date, or the buyer's card action.
    Pending,
    /// The card provider holds the amount; capture takes it.
    Authorized,
    /// Paid.
    Captured,
    /// Paid, then partly given back.
    PartiallyRefunded,
    Refunded,
    /// Authorisation released, or an unpaid payment called off.
    Voided,
    /// Declined or errored.
    Failed,
}

impl PaymentStatus {
    pub const ALL: [PaymentStatus; 7] = [
        PaymentStatus::Pending,
        PaymentStatus::Authorized,
        PaymentStatus::Captured,
        PaymentStatus::PartiallyRefunded,
        PaymentStatus::Refunded,
        PaymentStatus::Voided,
        PaymentStatus::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Pending => "pending",
            PaymentStatus::Authorized => "authorized",
            PaymentStatus::Captured => "captured",
            PaymentStatus::PartiallyRefunded => "partially_refunded",
            PaymentStatus::Refunded => "refunded",
            PaymentStatus::Voided => "voided",
            PaymentStatus::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether money is (or will surely be) there: the order may be fulfilled.
    pub fn secures_order(self) -> bool {
        matches!(self, PaymentStatus::Authorized | PaymentStatus::Captured)
    }
}

impl fmt::Display for PaymentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What cancelling an order does to its payment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CancelPayment {
    /// Nothing was taken: release the authorisation, or call off the unpaid invoice/transfer.
    Void,
    /// Money was taken: give it back.
    Refund,
    /// Nothing to do (already voided, failed or refunded).
    Nothing,
}

pub fn on_cancel(status: PaymentStatus) -> CancelPayment {
    match status {
        PaymentStatus::Pending | PaymentStatus::Authorized => CancelPayment::Void,
        PaymentStatus::Captured | PaymentStatus::PartiallyRefunded => CancelPayment::Refund,
        PaymentStatus::Refunded | PaymentStatus::Voided | PaymentStatus::Failed => {
            CancelPayment::Nothing
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for m in PaymentMethod::ALL {
            assert_eq!(PaymentMethod::parse(m.as_str()), Some(m));
        }
        for s in PaymentStatus::ALL {
            assert_eq!(PaymentStatus::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn cancelling_refunds_only_what_was_taken() {
        assert_eq!(on_cancel(PaymentStatus::Authorized), CancelPayment::Void);
        assert_eq!(on_cancel(PaymentStatus::Pending), CancelPayment::Void);
        assert_eq!(on_cancel(PaymentStatus::Captured), CancelPayment::Refund);
        assert_eq!(on_cancel(PaymentStatus::Refunded), CancelPayment::Nothing);
    }
}
