//! The query root: storefront reads plus a few guarded admin reads.

use async_graphql::connection::Connection;
use async_graphql::{Context, Object, ID};
use vitrine_domain::access::{Actor, Permission};
use vitrine_domain::id::{GlobalId, NodeKind};

use crate::connection::{slice_connection, KeysetCursor, OffsetCursor};
use crate::context::ContextExt;
use crate::error::{bad_input, internal, unauthenticated, ResultExt};
use crate::listing::{product_connection, ListingArgs, ProductFilter, ProductSortKeys};
use crate::types::catalog::product_visible;
use crate::types::{
    ApiToken, Brand, Channel, Collection, Customer, Image, Node, Product, ProductVariant,
};

/// The query root: the catalog and identity reads here, plus inventory reads.
#[derive(async_graphql::MergedObject, Default)]
pub struct Query(
    CatalogQuery,
    crate::inventory::InventoryQuery,
    crate::pricing::PricingQuery,
    crate::orders::OrderQuery,
);

#[derive(Default)]
pub struct CatalogQuery;

fn parse_id(id: &ID, kind: NodeKind) -> async_graphql::Result<uuid::Uuid> {
    GlobalId::parse_kind(id, kind).map_err(|e| bad_input(e.to_string()))
}

#[Object]
impl CatalogQuery {
    /// The storefront this request speaks to (from `X-Vitrine-Storefront`, else the default).
    async fn channel(&self, ctx: &Context<'_>) -> Channel {
        Channel(ctx.req().channel.clone())
    }

    /// Every channel. Needs `channels:write`.
    async fn channels(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Channel>> {
        ctx.require(Permission::ChannelsManage)?;
        let channels = ctx.app().catalog.channels().await.gql()?;
        Ok(channels.into_iter().map(|c| Channel(c.into())).collect())
    }

    /// Brands of the current channel (every brand for staff with `catalog:read`).
    async fn brands(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Brand>> {
        let req = ctx.req();
        let all = ctx.app().store.brands().await.gql()?;
        let admin = req.actor.has(Permission::CatalogRead);
        Ok(all
            .into_iter()
            .filter(|b| admin || req.channel.brand_ids.contains(&b.id))
            .map(Brand)
            .collect())
    }

    async fn brand(
        &self,
        ctx: &Context<'_>,
        handle: Option<String>,
        id: Option<ID>,
    ) -> async_graphql::Result<Option<Brand>> {
        let req = ctx.req();
        let wanted = id.map(|i| parse_id(&i, NodeKind::Brand)).transpose()?;
        let all = ctx.app().store.brands().await.gql()?;
        let admin = req.actor.has(Permission::CatalogRead);
        Ok(all
            .into_iter()
            .filter(|b| admin || req.channel.brand_ids.contains(&b.id))
            .find(|b| Some(b.id) == wanted || handle.as_deref() == Some(b.handle.as_str()))
            .map(Brand))
    }

    #[graphql(complexity = "first.or(last).unwrap_or(20).max(1) as usize * child_complexity")]
    async fn collections(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<OffsetCursor, Collection>> {
        let all = ctx.app().store.collections().await.gql()?;
        slice_connection(ctx, all.into_iter().map(Collection).collect(), after, before, first, last)
    }

    async fn collection(
        &self,
        ctx: &Context<'_>,
        handle: Option<String>,
        id: Option<ID>,
    ) -> async_graphql::Result<Option<Collection>> {
        let store = &ctx.app().store;
        let found = match (handle, id) {
            (Some(h), None) => store.collection_by_handle(&h).await.gql()?,
            (None, Some(id)) => {
                let id = parse_id(&id, NodeKind::Collection)?;
                ctx.req().loaders.collection.load_one(id).await.map_err(|e| internal(&e))?
            }
            _ => return Err(bad_input("pass exactly one of `handle` and `id`")),
        };
        Ok(found.map(Collection))
    }

    /// Products of the current channel. `query` matches titles.
    #[graphql(complexity = "first.or(last).unwrap_or(20).max(1) as usize * child_complexity")]
    #[allow(clippy::too_many_arguments)]
    async fn products(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<ProductFilter>,
        query: Option<String>,
        sort_key: Option<ProductSortKeys>,
        #[graphql(default)] reverse: bool,
    ) -> async_graphql::Result<Connection<KeysetCursor, Product>> {
        let args = ListingArgs {
            first,
            after,
            last,
            before,
            sort: sort_key.unwrap_or(ProductSortKeys::Id).into(),
            reverse,
            filters: filter.into_iter().collect(),
            query,
            collection_id: None,
            brand_id: None,
        };
        product_connection(ctx, args).await
    }

    async fn product(
        &self,
        ctx: &Context<'_>,
        handle: Option<String>,
        id: Option<ID>,
    ) -> async_graphql::Result<Option<Product>> {
        let found = match (handle, id) {
            (Some(h), None) => ctx.app().catalog.product_view_by_handle(&h).await.gql()?,
            (None, Some(id)) => {
                let id = parse_id(&id, NodeKind::Product)?;
                ctx.req().loaders.product.load_one(id).await.map_err(|e| internal(&e))?
            }
            _ => return Err(bad_input("pass exactly one of `handle` and `id`")),
        };
        Ok(found.filter(|p| product_visible(ctx, &p.product)).map(Product))
    }

    async fn node(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Node>> {
        let gid = GlobalId::parse(&id).map_err(|e| bad_input(e.to_string()))?;
        load_node(ctx, gid).await
    }

    #[graphql(complexity = "ids.len().max(1) * child_complexity")]
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

    /// The signed-in customer.
    async fn customer(&self, ctx: &Context<'_>) -> async_graphql::Result<Customer> {
        let Actor::Customer { id } = ctx.req().actor else { return Err(unauthenticated()) };
        ctx.app().identity.customer(id).await.gql()?.map(Customer).ok_or_else(unauthenticated)
    }

    /// Integrator tokens (never their secrets). Needs an `owner` or `admin` staff user.
    async fn api_tokens(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ApiToken>> {
        ctx.require(Permission::ApiTokensManage)?;
        Ok(ctx.app().identity.api_tokens().await.gql()?.into_iter().map(ApiToken).collect())
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
            loaders.brand.load_one(gid.id).await.map_err(err)?.map(|b| Node::Brand(Brand(b)))
        }
        NodeKind::Collection => loaders
            .collection
            .load_one(gid.id)
            .await
            .map_err(err)?
            .map(|c| Node::Collection(Collection(c))),
        NodeKind::Image => {
            loaders.image.load_one(gid.id).await.map_err(err)?.map(|i| Node::Image(Image(i)))
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
