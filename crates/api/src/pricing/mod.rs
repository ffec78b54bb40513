//! What a buyer pays: the request's buyer pricing (`buyer`), price quotes, price lists,
//! discounts and tax rates.

pub(crate) mod buyer;
pub(crate) mod mutation;
pub(crate) mod query;
pub(crate) mod types;

pub use mutation::PricingMutation;
pub use query::{PricingAdminQuery, PricingQuery};
