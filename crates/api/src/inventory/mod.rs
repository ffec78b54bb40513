//! Stock per variant and location: reads, the ledger feed and the `inventoryChanged`
//! subscription, stock writes for POS and ERP, and locations.

pub(crate) mod mutation;
pub(crate) mod query;
pub(crate) mod types;

pub use mutation::InventoryMutation;
pub use query::{InventoryQuery, InventorySubscription};
