//! GraphQL object types. Each wraps a domain record and resolves relations through the
//! request's DataLoaders.

pub mod cart;
pub mod catalog;
pub mod company;
pub mod identity;
pub mod inventory;
pub mod order;
pub mod pricing;
pub mod product;
pub mod scalars;
pub mod variant_fast;

pub use catalog::{Brand, Channel, Collection};
pub use identity::{ApiToken, Customer};
pub use product::{Image, Product, ProductVariant};

use async_graphql::{Context, Interface, ID};
use vitrine_domain::id::{GlobalId, NodeKind};

use crate::context::ContextExt;

pub fn gid(kind: NodeKind, id: uuid::Uuid) -> ID {
    ID(GlobalId::new(kind, id).to_string())
}

/// Any object with a global ID, for `node` and `nodes`.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "A globally unique, opaque identifier."))]
pub enum Node {
    Channel(Channel),
    Brand(Brand),
    Collection(Collection),
    Product(Product),
    ProductVariant(ProductVariant),
    Image(Image),
}

/// The text of `field` in the request's language, or `original` when it has no translation.
pub async fn translated(
    ctx: &Context<'_>,
    id: uuid::Uuid,
    field: &str,
    original: &str,
) -> async_graphql::Result<String> {
    let req = ctx.req();
    if !req.translating() {
        return Ok(original.to_owned());
    }
    let texts =
        req.loaders.translations.load_one(id).await.map_err(|e| crate::error::internal(&e))?;
    Ok(texts.and_then(|t| t.get(field).cloned()).unwrap_or_else(|| original.to_owned()))
}
