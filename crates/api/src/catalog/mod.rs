//! The catalog: channels, brands, collections, products with their variants and images, and
//! their translations. Product listings (`listing`) and the fast path for plain variant
//! selections (`variant_fast`) live here too.

pub(crate) mod listing;
pub(crate) mod mutation;
pub(crate) mod product;
pub(crate) mod query;
pub(crate) mod types;
pub(crate) mod variant_fast;

pub use mutation::CatalogMutation;
pub use product::{Image, Product, ProductVariant};
pub use query::CatalogQuery;
pub use types::{Brand, Channel, Collection};
