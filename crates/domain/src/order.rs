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

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::company::{Address, PaymentTerms};
use crate::money::{Currency, Money};
use crate::payment::{PaymentMethod, PaymentStatus};

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

// ---- records ----------------------------------------------------------------------------------

/// A placed order. Lines are snapshots: what the buyer saw and paid, whatever the catalog
/// says later.
#[derive(Clone, Debug, PartialEq)]
pub struct Order {
    pub id: Uuid,
    /// Human-facing, increasing: 1001, 1002, ...
    pub number: i64,
    pub channel_id: Uuid,
    pub cart_id: Uuid,
    pub checkout_key: Option<String>,
    pub customer_id: Option<Uuid>,
    pub company_id: Option<Uuid>,
    pub company_location_id: Option<Uuid>,
    pub email: String,
    pub status: OrderStatus,
    pub currency: Currency,
    pub subtotal: Money,
    pub discount_total: Money,
    pub shipping_total: Money,
    pub tax_total: Money,
    pub total: Money,
    pub prices_include_tax: bool,
    pub shipping_address: Option<Address>,
    pub billing_address: Option<Address>,
    pub delivery_handle: Option<String>,
    pub delivery_title: Option<String>,
    pub pickup_location_id: Option<Uuid>,
    pub payment_method: PaymentMethod,
    pub payment_terms: Option<PaymentTerms>,
    pub note: String,
    pub discount_codes: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancel_reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct OrderLine {
    pub id: Uuid,
    pub order_id: Uuid,
    pub position: i32,
    pub variant_id: Uuid,
    pub product_id: Uuid,
    pub sku: String,
    pub product_title: String,
    pub variant_title: String,
    pub quantity: u32,
    /// After tiers, before discounts.
    pub unit_price: Money,
    pub subtotal: Money,
    pub discount: Money,
    pub tax: Money,
    pub total: Money,
    pub fulfilled_quantity: u32,
}

/// Units of a line reserved at one location: shipped from there, or released on cancel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allocation {
    pub id: Uuid,
    pub order_id: Uuid,
    pub variant_id: Uuid,
    pub location_id: Uuid,
    pub quantity: u32,
    pub fulfilled: u32,
    pub released: u32,
}

impl Allocation {
    pub fn open(&self) -> u32 {
        self.quantity.saturating_sub(self.fulfilled + self.released)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Payment {
    pub id: Uuid,
    pub order_id: Uuid,
    pub provider: PaymentMethod,
    pub status: PaymentStatus,
    pub amount: Money,
    pub captured: Money,
    pub refunded: Money,
    /// The provider's reference (a Stripe PaymentIntent id).
    pub external_id: Option<String>,
    /// For the buyer's browser when the card needs an action (3-D Secure).
    pub client_secret: Option<String>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Carrier statuses a fulfilment goes through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ShipmentStatus {
    /// Handed over, nothing heard yet.
    Confirmed,
    InTransit,
    OutForDelivery,
    Delivered,
    /// The carrier could not deliver; it will try again or return it.
    AttemptedDelivery,
}

impl ShipmentStatus {
    pub const ALL: [ShipmentStatus; 5] = [
        ShipmentStatus::Confirmed,
        ShipmentStatus::InTransit,
        ShipmentStatus::OutForDelivery,
        ShipmentStatus::Delivered,
        ShipmentStatus::AttemptedDelivery,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ShipmentStatus::Confirmed => "confirmed",
            ShipmentStatus::InTransit => "in_transit",
            ShipmentStatus::OutForDelivery => "out_for_delivery",
            ShipmentStatus::Delivered => "delivered",
            ShipmentStatus::AttemptedDelivery => "attempted_delivery",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Fulfillment {
    pub id: Uuid,
    pub order_id: Uuid,
    pub status: ShipmentStatus,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub tracking_url: Option<String>,
    /// `(order line id, quantity)`.
    pub lines: Vec<(Uuid, u32)>,
    pub events: Vec<FulfillmentEvent>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FulfillmentEvent {
    pub id: Uuid,
    pub fulfillment_id: Uuid,
    pub status: ShipmentStatus,
    pub message: Option<String>,
    pub happened_at: DateTime<Utc>,
}

/// Whether an order whose fulfilments have these statuses is delivered: every unit shipped
/// and every parcel delivered.
pub fn all_delivered(all_shipped: bool, parcels: &[ShipmentStatus]) -> bool {
    all_shipped && !parcels.is_empty() && parcels.iter().all(|s| *s == ShipmentStatus::Delivered)
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
