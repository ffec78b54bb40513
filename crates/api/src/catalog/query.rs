//! Catalog reads: the channel, brands, collections and products.

use async_graphql::connection::Connection;
use async_graphql::{Context, Object, ID};
use vitrine_domain::access::Permission;
use vitrine_domain::catalog::{sort_collections, CollectionSort};
use vitrine_domain::id::{GlobalId, NodeKind};

use crate::catalog::listing::{product_connection, ListingArgs, ProductFilter, ProductSortKeys};
use crate::catalog::types::product_visible;
use crate::catalog::{Brand, Channel, Collection, Product};
use crate::connection::{slice_connection, KeysetCursor, OffsetCursor};
use crate::context::ContextExt;
use crate::error::{bad_input, internal, ResultExt};

/// Sort orders of `collections`, as Shopify names them.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "vitrine_domain::catalog::CollectionSort")]
pub enum CollectionSortKeys {
    /// The display order staff set.
    Position,
    Id,
    Title,
    UpdatedAt,
}

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
        let all = ctx.app().reads.brands().await.gql()?;
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
        let all = ctx.app().reads.brands().await.gql()?;
        let admin = req.actor.has(Permission::CatalogRead);
        Ok(all
            .into_iter()
            .filter(|b| admin || req.channel.brand_ids.contains(&b.id))
            .find(|b| Some(b.id) == wanted || handle.as_deref() == Some(b.handle.as_str()))
            .map(Brand))
    }

    /// Every collection, in the display order staff set unless `sortKey` says otherwise.
    #[graphql(complexity = "crate::cost::connection_cost(first, last, 20, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn collections(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        sort_key: Option<CollectionSortKeys>,
        #[graphql(default = false)] reverse: bool,
    ) -> async_graphql::Result<Connection<OffsetCursor, Collection>> {
        let mut all = ctx.app().reads.collections().await.gql()?;
        let sort = sort_key.map_or(CollectionSort::Position, Into::into);
        sort_collections(&mut all, sort, reverse);
        slice_connection(ctx, all.into_iter().map(Collection).collect(), after, before, first, last)
    }

    async fn collection(
        &self,
        ctx: &Context<'_>,
        handle: Option<String>,
        id: Option<ID>,
    ) -> async_graphql::Result<Option<Collection>> {
        let reads = &ctx.app().reads;
        let found = match (handle, id) {
            (Some(h), None) => reads.collection_by_handle(&h).await.gql()?,
            (None, Some(id)) => {
                let id = parse_id(&id, NodeKind::Collection)?;
                ctx.req().loaders.collection.load_one(id).await.map_err(|e| internal(&e))?
            }
            _ => return Err(bad_input("pass exactly one of `handle` and `id`")),
        };
        Ok(found.map(Collection))
    }

    /// Products of the current channel. `query` matches titles.
    #[graphql(complexity = "crate::cost::connection_cost(first, last, 20, child_complexity)")]
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
}
