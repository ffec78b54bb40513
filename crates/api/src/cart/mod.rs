//! Carts in Shopify's Storefront API shapes: open to anyone holding the cart's id (a
//! customer's cart only to that customer).

pub(crate) mod mutation;
pub(crate) mod query;
pub(crate) mod types;

pub use mutation::CartMutation;
pub use query::CartQuery;
