//! `node(id:)` and `nodes(ids:)`: any object by its global id, with that type's visibility rules.

use async_graphql::{Context, Interface, Object, ID};
use vitrine_domain::access::Permission;
use vitrine_domain::id::{GlobalId, NodeKind};

use crate::catalog::types::product_visible;
use crate::catalog::{Brand, Channel, Collection, Image, Product, ProductVariant};
use crate::context::ContextExt;
use crate::error::{bad_input, internal, ResultExt};

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

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    async fn node(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Node>> {
        let gid = GlobalId::parse(&id).map_err(|e| bad_input(e.to_string()))?;
        load_node(ctx, gid).await
    }

    #[graphql(complexity = "crate::cost::list_cost(ids.len(), child_complexity)")]
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        ids: Vec<ID>,
    ) -> async_graphql::Result<Vec<Option<Node>>> {
        let max = ctx.data_unchecked::<crate::connection::Limits>().max_page_size;
        if ids.len() > max {
            return Err(bad_input(format!("at most {max} ids at a time")));
        }
        let gids = ids
            .iter()
            .map(|id| GlobalId::parse(id).map_err(|e| bad_input(e.to_string())))
            .collect::<Result<Vec<_>, _>>()?;
        let nodes = futures_join(ctx, gids).await?;
        Ok(nodes)
    }
}

async fn futures_join(
    ctx: &Context<'_>,
    gids: Vec<GlobalId>,
) -> async_graphql::Result<Vec<Option<Node>>> {
    let futures = gids.into_iter().map(|gid| load_node(ctx, gid));
    let results = async_graphql::futures_util::future::join_all(futures).await;
    results.into_iter().collect()
}

async fn load_node(ctx: &Context<'_>, gid: GlobalId) -> async_graphql::Result<Option<Node>> {
    let loaders = &ctx.req().loaders;
    let err = |e: std::sync::Arc<vitrine_app::StoreError>| internal(&e);
    Ok(match gid.kind {
        NodeKind::Product => loaders
            .product
            .load_one(gid.id)
            .await
            .map_err(err)?
            .filter(|p| product_visible(ctx, &p.product))
            .map(|p| Node::Product(Product(p))),
        NodeKind::ProductVariant => {
            let Some(variant) = loaders.variant.load_one(gid.id).await.map_err(err)? else {
                return Ok(None);
            };
            let product = loaders.product.load_one(variant.product_id).await.map_err(err)?;
            product
                .filter(|p| product_visible(ctx, &p.product))
                .and_then(|p| ProductVariant::of(p, variant.id))
                .map(Node::ProductVariant)
        }
        NodeKind::Brand => {
            // As `brands`: a storefront sees its channel's brands.
            let req = ctx.req();
            let visible =
                req.actor.has(Permission::CatalogRead) || req.channel.brand_ids.contains(&gid.id);
            if !visible {
                return Ok(None);
            }
            loaders.brand.load_one(gid.id).await.map_err(err)?.map(|b| Node::Brand(Brand(b)))
        }
        NodeKind::Collection => loaders
            .collection
            .load_one(gid.id)
            .await
            .map_err(err)?
            .map(|c| Node::Collection(Collection(c))),
        NodeKind::Image => {
            // An image is seen by whoever sees its product.
            let Some(image) = loaders.image.load_one(gid.id).await.map_err(err)? else {
                return Ok(None);
            };
            let product = loaders.product.load_one(image.product_id).await.map_err(err)?;
            product.filter(|p| product_visible(ctx, &p.product)).map(|_| Node::Image(Image(image)))
        }
        NodeKind::Channel => {
            let req = ctx.req();
            if req.channel.id == gid.id {
                Some(Node::Channel(Channel(req.channel.clone())))
            } else if req.actor.has(Permission::ChannelsManage) {
                let all = ctx.app().catalog.channels().await.gql()?;
                all.into_iter().find(|c| c.id == gid.id).map(|c| Node::Channel(Channel(c.into())))
            } else {
                None
            }
        }
        _ => None,
    })
}
