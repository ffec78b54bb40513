//! What every feature shares: ISO codes, scalars, money, addresses, global ids and `node`.

pub(crate) mod address;
pub(crate) mod codes;
pub(crate) mod money;
pub(crate) mod node;
pub(crate) mod scalars;

use async_graphql::{Context, ID};
pub use node::NodeQuery;
use vitrine_domain::id::{GlobalId, NodeKind};

use crate::context::ContextExt;

pub fn gid(kind: NodeKind, id: uuid::Uuid) -> ID {
    ID(GlobalId::new(kind, id).to_string())
}

pub fn gids(kind: NodeKind, ids: &[uuid::Uuid]) -> Vec<ID> {
    ids.iter().map(|id| gid(kind, *id)).collect()
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
