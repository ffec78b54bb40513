//! Turning a cart into an order, and how a buyer pays.

pub(crate) mod mutation;
pub(crate) mod types;

pub use mutation::CheckoutMutation;
