//! The order lifecycle as a pure state machine: which transitions exist, and which are errors.
//!
//! ```text
//! pending_payment ──pay / accept terms──▶ processing ──ship some──▶ partially_fulfilled
//!        │                                    │   ╲                       │
//!        │                                    │    ╲──ship all──▶ fulfilled ◀──ship rest──┘
//!        │                                    │                      │
//!        └──────────cancel──────────▶ cancelled ◀──cancel (nothing shipped)
//!                                                                    ▼
//!                                                                delivered
//! ```
//!
//! Cancelling is possible until something ships; what has shipped is returned, not cancelled.

use std::fmt;

/// Where an order is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    /// Placed; waiting for the payment (a card authorisation, a bank transfer).
    PendingPayment,
    /// Paid, or accepted on payment terms: to be fulfilled.
    Processing,
    /// Some lines shipped.
    PartiallyFulfilled,
    /// Every line shipped.
    Fulfilled,
    /// The carrier delivered everything.
    Delivered,
    Cancelled,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 6] = [
        OrderStatus::PendingPayment,
        OrderStatus::Processing,
        OrderStatus::PartiallyFulfilled,
        OrderStatus::Fulfilled,
        OrderStatus::Delivered,
        OrderStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::PendingPayment => "pending_payment",
            OrderStatus::Processing => "processing",
            OrderStatus::PartiallyFulfilled => "partially_fulfilled",
            OrderStatus::Fulfilled => "fulfilled",
            OrderStatus::Delivered => "delivered",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// No transition leaves these.
    pub fn is_final(self) -> bool {
        matches!(self, OrderStatus::Delivered | OrderStatus::Cancelled)
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What happens to an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderEvent {
    /// The payment was captured or authorised, or the company's terms accepted the order.
    PaymentSecured,
    /// A fulfilment shipped some lines; `all_shipped` when nothing is left to ship.
    Shipped {
        all_shipped: bool,
    },
    /// The carrier delivered the last parcel.
    Delivered,
    Cancel,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("an order that is {from} cannot take `{event:?}`")]
pub struct IllegalTransition {
    pub from: OrderStatus,
    pub event: OrderEvent,
}

/// The status after `event`, or why it cannot happen.
pub fn transition(from: OrderStatus, event: OrderEvent) -> Result<OrderStatus, IllegalTransition> {
    use OrderEvent as E;
    use OrderStatus as S;
    let to = match (from, event) {
        (S::PendingPayment, E::PaymentSecured) => S::Processing,
        (S::Processing | S::PartiallyFulfilled, E::Shipped { all_shipped: false }) => {
            S::PartiallyFulfilled
        }
        (S::Processing | S::PartiallyFulfilled, E::Shipped { all_shipped: true }) => S::Fulfilled,
        (S::Fulfilled, E::Delivered) => S::Delivered,
        (S::PendingPayment | S::Processing, E::Cancel) => S::Cancelled,
        _ => return Err(IllegalTransition { from, event }),
    };
    Ok(to)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn event() -> impl Strategy<Value = OrderEvent> {
        prop_oneof![
            Just(OrderEvent::PaymentSecured),
            any::<bool>().prop_map(|all_shipped| OrderEvent::Shipped { all_shipped }),
            Just(OrderEvent::Delivered),
            Just(OrderEvent::Cancel),
        ]
    }

    #[test]
    fn a_paid_order_ships_in_parts_then_is_delivered() {
        let mut status = OrderStatus::PendingPayment;
        for event in [
            OrderEvent::PaymentSecured,
            OrderEvent::Shipped { all_shipped: false },
            OrderEvent::Shipped { all_shipped: true },
            OrderEvent::Delivered,
        ] {
            status = transition(status, event).expect("legal");
        }
        assert_eq!(status, OrderStatus::Delivered);
    }

    #[test]
    fn an_order_cannot_be_cancelled_once_something_shipped() {
        let shipped =
            transition(OrderStatus::Processing, OrderEvent::Shipped { all_shipped: false })
                .expect("legal");
        assert_eq!(
            transition(shipped, OrderEvent::Cancel),
            Err(IllegalTransition { from: shipped, event: OrderEvent::Cancel })
        );
    }

    #[test]
    fn an_unpaid_order_cannot_ship() {
        let ship = OrderEvent::Shipped { all_shipped: true };
        assert!(transition(OrderStatus::PendingPayment, ship).is_err());
    }

    #[test]
    fn statuses_round_trip_through_their_names() {
        for status in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(OrderStatus::parse("shipped"), None);
    }

    proptest! {
        #[test]
        fn final_statuses_never_change(events in proptest::collection::vec(event(), 0..12)) {
            let mut status = OrderStatus::PendingPayment;
            let mut finished: Option<OrderStatus> = None;
            for event in events {
                if let Ok(next) = transition(status, event) {
                    prop_assert!(!status.is_final(), "{status} moved to {next}");
                    status = next;
                }
                if let Some(done) = finished {
                    prop_assert_eq!(status, done);
                }
                if status.is_final() {
                    finished = Some(status);
                }
            }
        }

        #[test]
        fn delivered_orders_were_paid_and_shipped(events in proptest::collection::vec(event(), 0..12)) {
            let mut status = OrderStatus::PendingPayment;
            let mut paid = false;
            let mut shipped_all = false;
            for event in events {
                if let Ok(next) = transition(status, event) {
                    paid |= event == OrderEvent::PaymentSecured;
                    shipped_all |= event == OrderEvent::Shipped { all_shipped: true };
                    status = next;
                }
            }
            if status == OrderStatus::Delivered {
                prop_assert!(paid && shipped_all);
            }
        }
    }
}
