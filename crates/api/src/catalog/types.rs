//! `Channel`, `Brand` and `Collection`.

use std::sync::Arc;

use async_graphql::connection::Connection;
use async_graphql::{Context, Object, ID};
use chrono::{DateTime, Utc};
use vitrine_domain::access::Permission;
use vitrine_domain::catalog;
use vitrine_domain::id::NodeKind;

use crate::catalog::listing::{
    product_connection, ListingArgs, ProductCollectionSortKeys, ProductFilter, ProductSortKeys,
};
use crate::catalog::product::Seo;
use crate::catalog::Product;
use crate::common::codes::{CountryCode, CurrencyCode, LanguageCode};
use crate::common::scalars::{text_to_html, Html, Url};
use crate::common::{gid, translated};
use crate::connection::KeysetCursor;
use crate::context::ContextExt;
use crate::error::internal;

/// A storefront: one brand's site or a multi-brand marketplace.
#[derive(Clone)]
pub struct Channel(pub Arc<catalog::Channel>);

#[Object]
impl Channel {
    pub(crate) async fn id(&self) -> ID {
        gid(NodeKind::Channel, self.0.id)
    }

    async fn handle(&self) -> &str {
        &self.0.handle
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The public key a storefront sends as `X-Vitrine-Storefront`.
    async fn storefront_key(&self) -> &str {
        &self.0.storefront_key
    }

    async fn default_language(&self) -> Option<LanguageCode> {
        LanguageCode::from_tag(&self.0.default_language)
    }

    async fn languages(&self) -> Vec<LanguageCode> {
        self.0.languages.iter().filter_map(|l| LanguageCode::from_tag(l)).collect()
    }

    async fn default_currency(&self) -> Option<CurrencyCode> {
        CurrencyCode::from_currency(self.0.default_currency)
    }

    async fn currencies(&self) -> Vec<CurrencyCode> {
        self.0.currencies.iter().filter_map(|c| CurrencyCode::from_currency(*c)).collect()
    }

    /// Whether requests without a storefront key see this channel.
    async fn is_default(&self) -> bool {
        self.0.is_default
    }

    /// Whether shoppers on this storefront see stock counts (`quantityAvailable`).
    async fn show_stock_counts(&self) -> bool {
        self.0.show_stock_counts
    }

    /// Web origins whose pages may call the API with this storefront key (CORS); `*` is any.
    async fn allowed_origins(&self) -> &[String] {
        &self.0.allowed_origins
    }

    /// Whether prices on this storefront include tax.
    async fn prices_include_tax(&self) -> bool {
        self.0.prices_include_tax
    }

    /// The country whose tax applies when the buyer's is not known.
    async fn tax_country(&self) -> Option<CountryCode> {
        self.0.tax_country.as_deref().and_then(CountryCode::from_name)
    }

    async fn brands(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Brand>> {
        let found = ctx
            .req()
            .loaders
            .brand
            .load_many(self.0.brand_ids.iter().copied())
            .await
            .map_err(|e| internal(&e))?;
        let mut brands: Vec<Brand> = found.into_values().map(Brand).collect();
        brands.sort_by(|a, b| a.0.name.cmp(&b.0.name));
        Ok(brands)
    }
}

#[derive(Clone)]
pub struct Brand(pub catalog::Brand);

#[Object]
impl Brand {
    pub(crate) async fn id(&self) -> ID {
        gid(NodeKind::Brand, self.0.id)
    }

    async fn handle(&self) -> &str {
        &self.0.handle
    }

    async fn name(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        translated(ctx, self.0.id, "name", &self.0.name).await
    }

    async fn description(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        translated(ctx, self.0.id, "description", &self.0.description).await
    }

    #[graphql(complexity = "crate::cost::connection_cost(first, last, 20, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn products(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        sort_key: Option<ProductSortKeys>,
        #[graphql(default)] reverse: bool,
        #[graphql(default)] filters: Vec<ProductFilter>,
    ) -> async_graphql::Result<Connection<KeysetCursor, Product>> {
        let args = ListingArgs {
            first,
            after,
            last,
            before,
            sort: sort_key.unwrap_or(ProductSortKeys::Id).into(),
            reverse,
            filters,
            query: None,
            collection_id: None,
            brand_id: Some(self.0.id),
        };
        product_connection(ctx, args).await
    }
}

/// A group of products; collections form a tree and a product can sit in several.
#[derive(Clone)]
pub struct Collection(pub catalog::Collection);

#[Object]
impl Collection {
    pub(crate) async fn id(&self) -> ID {
        gid(NodeKind::Collection, self.0.id)
    }

    async fn handle(&self) -> &str {
        &self.0.handle
    }

    async fn title(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        translated(ctx, self.0.id, "title", &self.0.title).await
    }

    async fn description(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        translated(ctx, self.0.id, "description", &self.0.description).await
    }

    async fn description_html(&self, ctx: &Context<'_>) -> async_graphql::Result<Html> {
        Ok(text_to_html(&translated(ctx, self.0.id, "description", &self.0.description).await?))
    }

    async fn image_url(&self) -> Option<Url> {
        self.0.image_url.clone().map(Url)
    }

    async fn seo(&self, ctx: &Context<'_>) -> async_graphql::Result<Seo> {
        Seo::translated(ctx, self.0.id, &self.0.seo).await
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    async fn parent(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Collection>> {
        let Some(id) = self.0.parent_id else { return Ok(None) };
        Ok(ctx
            .req()
            .loaders
            .collection
            .load_one(id)
            .await
            .map_err(|e| internal(&e))?
            .map(Collection))
    }

    /// Sub-collections, in their display order.
    async fn children(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Collection>> {
        let children = ctx
            .req()
            .loaders
            .children_of_collection
            .load_one(self.0.id)
            .await
            .map_err(|e| internal(&e))?;
        Ok(children.unwrap_or_default().into_iter().map(Collection).collect())
    }

    #[graphql(complexity = "crate::cost::connection_cost(first, last, 20, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn products(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        sort_key: Option<ProductCollectionSortKeys>,
        #[graphql(default)] reverse: bool,
        #[graphql(default)] filters: Vec<ProductFilter>,
    ) -> async_graphql::Result<Connection<KeysetCursor, Product>> {
        let args = ListingArgs {
            first,
            after,
            last,
            before,
            sort: sort_key.unwrap_or(ProductCollectionSortKeys::CollectionDefault).sort(),
            reverse,
            filters,
            query: None,
            collection_id: Some(self.0.id),
            brand_id: None,
        };
        product_connection(ctx, args).await
    }
}

/// Whether the caller may see this product: storefronts see active products of their
/// channel's brands, staff and integrators with `catalog:read` see everything.
pub fn product_visible(ctx: &Context<'_>, product: &catalog::Product) -> bool {
    let req = ctx.req();
    if req.actor.has(Permission::CatalogRead) {
        return true;
    }
    req.channel.shows(product)
}
