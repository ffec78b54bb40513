//! Delivery methods and what they cost, and the payment methods a channel offers.

pub(crate) mod mutation;
pub(crate) mod query;
pub(crate) mod types;

pub use mutation::DeliveryMutation;
pub use query::DeliveryQuery;
