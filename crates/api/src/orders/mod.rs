//! Orders after checkout: reads, the `orderUpdated` subscription, fulfilment, tracking,
//! cancellation, payments and reordering.

pub(crate) mod mutation;
pub(crate) mod query;
pub(crate) mod subscription;
pub(crate) mod types;

pub use mutation::OrderMutation;
pub use query::OrderQuery;
pub use subscription::OrderSubscription;
