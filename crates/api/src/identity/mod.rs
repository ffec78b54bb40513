//! Who is calling: customer and staff sign-in, customer accounts, integrators' API tokens.

pub(crate) mod mutation;
pub(crate) mod query;
pub(crate) mod types;

pub use mutation::IdentityMutation;
pub use query::IdentityQuery;
pub use types::{ApiToken, Customer};
