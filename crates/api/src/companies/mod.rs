//! B2B buyer companies: applications and reviews, locations, members and invitations, and
//! customer groups.

pub(crate) mod mutation;
pub(crate) mod query;
pub(crate) mod types;

pub use mutation::CompanyMutation;
pub use query::CompanyQuery;
