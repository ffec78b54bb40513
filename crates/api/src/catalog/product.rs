//! `Product`, `ProductVariant`, `ProductOption`, `Image`, `MoneyV2` and price ranges.

use std::sync::Arc;

use async_graphql::connection::Connection;
use async_graphql::{Context, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use uuid::Uuid;
use vitrine_domain::access::Permission;
use vitrine_domain::catalog::{self, SelectedOption as DomainSelected};
use vitrine_domain::id::NodeKind;
use vitrine_domain::money::Money;
use vitrine_domain::product_view::ProductView;

use crate::catalog::types::{Brand, Collection};
use crate::common::money::MoneyV2;
use crate::common::scalars::{text_to_html, Html, Url};
use crate::common::{gid, translated};
use crate::connection::{slice_connection, OffsetCursor};
use crate::context::ContextExt;
use crate::error::internal;
use crate::pricing::types::{QuantityPriceBreak, QuantityRule};

#[derive(SimpleObject, Clone, Debug)]
pub struct ProductPriceRange {
    pub min_variant_price: MoneyV2,
    pub max_variant_price: MoneyV2,
}

#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "SEO")]
pub struct Seo {
    pub title: Option<String>,
    pub description: Option<String>,
}

impl Seo {
    /// The SEO texts of object `id` in the request's language.
    pub async fn translated(
        ctx: &Context<'_>,
        id: uuid::Uuid,
        seo: &catalog::Seo,
    ) -> async_graphql::Result<Self> {
        let title = match &seo.title {
            Some(t) => Some(translated(ctx, id, "seo_title", t).await?),
            None => None,
        };
        let description = match &seo.description {
            Some(d) => Some(translated(ctx, id, "seo_description", d).await?),
            None => None,
        };
        Ok(Seo { title, description })
    }
}

/// A product attribute such as "Material: wool".
#[derive(SimpleObject, Clone, Debug)]
pub struct Spec {
    pub name: String,
    pub value: String,
}

/// A size table: a header row, then one row per size.
#[derive(SimpleObject, Clone, Debug)]
pub struct SizeChart {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

#[derive(SimpleObject, InputObject, Clone, Debug)]
#[graphql(input_name = "SelectedOptionInput")]
pub struct SelectedOption {
    pub name: String,
    pub value: String,
}

impl From<DomainSelected> for SelectedOption {
    fn from(s: DomainSelected) -> Self {
        Self { name: s.name, value: s.value }
    }
}

impl From<SelectedOption> for DomainSelected {
    fn from(s: SelectedOption) -> Self {
        Self { name: s.name, value: s.value }
    }
}

#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "vitrine_domain::catalog::ProductStatus")]
pub enum ProductStatus {
    Draft,
    Active,
    Archived,
}

/// The variant price the request's buyer sees (see `catalog::in_shown_currency`).
fn pick_price(
    ctx: &Context<'_>,
    prices: &[catalog::VariantPrice],
) -> Option<catalog::VariantPrice> {
    let req = ctx.req();
    catalog::in_shown_currency(
        prices,
        |p| p.price.currency,
        req.currency,
        req.channel.default_currency,
    )
}

/// A product: what a shopper browses; its variants are what they buy.
///
/// Wraps the whole product from the read cache, so that its options, variants, prices and
/// images resolve without a query.
#[derive(Clone)]
pub struct Product(pub Arc<ProductView>);

/// The text of `field` of object `id` (the product or one of its options) in the request's
/// language, or `original` when nobody translated it.
fn text_in_language<'a>(
    ctx: &Context<'_>,
    view: &'a ProductView,
    id: Uuid,
    field: &str,
    original: &'a str,
) -> &'a str {
    match shown_language(ctx) {
        Some(language) => view.translation(language, id, field).unwrap_or(original),
        None => original,
    }
}

impl Product {
    fn record(&self) -> &catalog::Product {
        &self.0.product
    }

    fn text<'a>(&'a self, ctx: &Context<'_>, field: &str, original: &'a str) -> &'a str {
        text_in_language(ctx, &self.0, self.0.product.id, field, original)
    }

    /// The translation under `key(name)` (`spec_value:Material`), else `original`.
    fn keyed_text(
        &self,
        ctx: &Context<'_>,
        key: fn(&str) -> String,
        name: &str,
        original: &str,
    ) -> String {
        let text = shown_language(ctx)
            .and_then(|language| self.0.translation(language, self.record().id, &key(name)));
        text.unwrap_or(original).to_owned()
    }

    fn variant_list(&self) -> Vec<ProductVariant> {
        (0..self.0.variants.len())
            .map(|index| ProductVariant { view: self.0.clone(), index })
            .collect()
    }
}

#[Object]
impl Product {
    pub(crate) async fn id(&self) -> ID {
        gid(NodeKind::Product, self.record().id)
    }

    async fn handle(&self) -> &str {
        &self.record().handle
    }

    async fn title(&self, ctx: &Context<'_>) -> &str {
        self.text(ctx, "title", &self.record().title)
    }

    /// Plain-text description.
    async fn description(&self, ctx: &Context<'_>) -> &str {
        self.text(ctx, "description", &self.record().description)
    }

    async fn description_html(&self, ctx: &Context<'_>) -> Html {
        text_to_html(self.text(ctx, "description", &self.record().description))
    }

    async fn available_for_sale(&self) -> bool {
        self.record().available_for_sale
    }

    async fn brand(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Brand>> {
        let Some(id) = self.record().brand_id else { return Ok(None) };
        Ok(ctx.req().loaders.brand.load_one(id).await.map_err(|e| internal(&e))?.map(Brand))
    }

    /// The brand's name, as Shopify's `vendor`.
    async fn vendor(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        let Some(id) = self.record().brand_id else { return Ok(String::new()) };
        let brand = ctx.req().loaders.brand.load_one(id).await.map_err(|e| internal(&e))?;
        Ok(brand.map(|b| b.name).unwrap_or_default())
    }

    async fn product_type(&self) -> &str {
        &self.record().product_type
    }

    async fn tags(&self) -> &[String] {
        &self.record().tags
    }

    /// Attributes such as "Material: wool", in the request's language where translated.
    async fn specs(&self, ctx: &Context<'_>) -> Vec<Spec> {
        let specs = &self.record().specs;
        specs
            .iter()
            .map(|s| Spec {
                name: self.keyed_text(ctx, catalog::spec_name_key, &s.name, &s.name),
                value: self.keyed_text(ctx, catalog::spec_value_key, &s.name, &s.value),
            })
            .collect()
    }

    /// Headers in the request's language where translated; the rows (sizes and measures)
    /// as entered.
    async fn size_chart(&self, ctx: &Context<'_>) -> Option<SizeChart> {
        self.record().size_chart.as_ref().map(|c| SizeChart {
            headers: c
                .headers
                .iter()
                .map(|h| self.keyed_text(ctx, catalog::size_chart_header_key, h, h))
                .collect(),
            rows: c.rows.clone(),
        })
    }

    async fn seo(&self, ctx: &Context<'_>) -> Seo {
        let seo = &self.record().seo;
        Seo {
            title: seo.title.as_deref().map(|t| self.text(ctx, "seo_title", t).to_owned()),
            description: seo
                .description
                .as_deref()
                .map(|d| self.text(ctx, "seo_description", d).to_owned()),
        }
    }

    /// Publication status; storefronts only ever see ACTIVE products.
    async fn status(&self) -> ProductStatus {
        self.record().status.into()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.record().created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.record().updated_at
    }

    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.record().published_at
    }

    async fn options(&self, first: Option<i32>) -> Vec<ProductOption> {
        let take = first.map_or(usize::MAX, |n| n.max(0) as usize);
        (0..self.0.options.len())
            .take(take)
            .map(|index| ProductOption { view: self.0.clone(), index })
            .collect()
    }

    #[graphql(complexity = "crate::cost::connection_cost(first, last, 20, child_complexity)")]
    async fn variants(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<OffsetCursor, ProductVariant>> {
        // Loaded before the variants resolve, so that their plain selections can take the
        // fast path with their prices at hand.
        let req = ctx.req();
        req.pricing(ctx.app()).await?.prefetch(req, &self.0).await?;
        slice_connection(ctx, self.variant_list(), after, before, first, last)
    }

    #[graphql(complexity = "crate::cost::connection_cost(first, last, 20, child_complexity)")]
    async fn images(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<OffsetCursor, Image>> {
        let images = self.0.images.iter().cloned().map(Image).collect();
        slice_connection(ctx, images, after, before, first, last)
    }

    async fn featured_image(&self) -> Option<Image> {
        self.0.images.first().cloned().map(Image)
    }

    #[graphql(complexity = "crate::cost::connection_cost(first, last, 20, child_complexity)")]
    async fn collections(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<Connection<OffsetCursor, Collection>> {
        let loaders = &ctx.req().loaders;
        let ids = loaders
            .collections_of_product
            .load_one(self.record().id)
            .await
            .map_err(|e| internal(&e))?
            .unwrap_or_default();
        let found =
            loaders.collection.load_many(ids.iter().copied()).await.map_err(|e| internal(&e))?;
        let collections =
            ids.iter().filter_map(|id| found.get(id).cloned()).map(Collection).collect();
        slice_connection(ctx, collections, after, before, first, last)
    }

    /// Cheapest and dearest variant in the request's currency, at the current buyer's prices.
    async fn price_range(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<ProductPriceRange>> {
        if let Some((prices, _)) = crate::pricing::buyer::buyer_price_ranges(ctx, &self.0).await? {
            return Ok(catalog::price_range(self.record().id, &prices).map(|r| {
                ProductPriceRange {
                    min_variant_price: r.min.into(),
                    max_variant_price: r.max.into(),
                }
            }));
        }
        let req = ctx.req();
        let pick = catalog::in_shown_currency(
            &self.0.price_ranges,
            |r| r.min.currency,
            req.currency,
            req.channel.default_currency,
        );
        Ok(pick.map(|r| ProductPriceRange {
            min_variant_price: r.min.into(),
            max_variant_price: r.max.into(),
        }))
    }

    /// Range of compare-at prices of the variants that have one.
    async fn compare_at_price_range(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<ProductPriceRange>> {
        if let Some((_, compare_at)) =
            crate::pricing::buyer::buyer_price_ranges(ctx, &self.0).await?
        {
            return Ok(catalog::price_range(self.record().id, &compare_at).map(|r| {
                ProductPriceRange {
                    min_variant_price: r.min.into(),
                    max_variant_price: r.max.into(),
                }
            }));
        }
        let picked: Vec<Money> = self
            .0
            .variant_prices
            .iter()
            .filter_map(|p| pick_price(ctx, p))
            .filter_map(|p| p.compare_at)
            .collect();
        Ok(catalog::price_range(self.record().id, &picked).map(|r| ProductPriceRange {
            min_variant_price: r.min.into(),
            max_variant_price: r.max.into(),
        }))
    }

    /// The variant with exactly these options, if any. Values may be given in the channel's
    /// default language or in the request's.
    async fn variant_by_selected_options(
        &self,
        ctx: &Context<'_>,
        selected_options: Vec<SelectedOption>,
    ) -> Option<ProductVariant> {
        let wanted: Vec<DomainSelected> = selected_options.into_iter().map(Into::into).collect();
        let index = self.0.variant_matching(shown_language(ctx), &wanted)?;
        Some(ProductVariant { view: self.0.clone(), index })
    }

    /// The variant matching the given options, else the first available, else the first.
    async fn selected_or_first_available_variant(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] selected_options: Vec<SelectedOption>,
    ) -> Option<ProductVariant> {
        let wanted: Vec<DomainSelected> = selected_options.into_iter().map(Into::into).collect();
        let index = self.0.selected_or_first_available(shown_language(ctx), &wanted)?;
        Some(ProductVariant { view: self.0.clone(), index })
    }
}

/// The request's language when texts are translated, `None` when they are shown as stored.
fn shown_language<'a>(ctx: &'a Context<'_>) -> Option<&'a str> {
    let req = ctx.req();
    req.translating().then_some(req.language.as_str())
}

/// An option of a product (Size, Color), with its values.
#[derive(Clone)]
pub struct ProductOption {
    view: Arc<ProductView>,
    index: usize,
}

/// One value of a product option.
#[derive(SimpleObject, Clone)]
pub struct ProductOptionValue {
    pub name: String,
}

impl ProductOption {
    fn record(&self) -> &catalog::ProductOption {
        &self.view.options[self.index]
    }

    fn values_in_language<'a>(&'a self, ctx: &'a Context<'_>) -> impl Iterator<Item = &'a str> {
        let language = shown_language(ctx);
        let option = self.record();
        option.values.iter().map(move |v| match language {
            Some(language) => self.view.option_value_in(language, option, v),
            None => v.as_str(),
        })
    }
}

#[Object]
impl ProductOption {
    pub(crate) async fn id(&self) -> ID {
        gid(NodeKind::ProductOption, self.record().id)
    }

    async fn name(&self, ctx: &Context<'_>) -> &str {
        let option = self.record();
        text_in_language(ctx, &self.view, option.id, "name", &option.name)
    }

    /// In the request's language, where translated.
    async fn values(&self, ctx: &Context<'_>) -> Vec<String> {
        self.values_in_language(ctx).map(str::to_owned).collect()
    }

    async fn option_values(&self, ctx: &Context<'_>) -> Vec<ProductOptionValue> {
        self.values_in_language(ctx).map(|v| ProductOptionValue { name: v.to_owned() }).collect()
    }
}

/// A purchasable version of a product (a size in a colour).
#[derive(Clone)]
pub struct ProductVariant {
    pub(crate) view: Arc<ProductView>,
    pub(crate) index: usize,
}

impl ProductVariant {
    /// Variant `id` of a whole product, if it has it.
    pub fn of(view: Arc<ProductView>, id: Uuid) -> Option<Self> {
        let index = view.variant_index(id)?;
        Some(Self { view, index })
    }

    pub(crate) fn variant(&self) -> &catalog::Variant {
        &self.view.variants[self.index]
    }

    /// The `Node` interface's field, in the form its derived resolver calls.
    pub(crate) async fn id(&self, _ctx: &Context<'_>) -> async_graphql::Result<ID> {
        Ok(gid(NodeKind::ProductVariant, self.variant().id))
    }

    pub(crate) fn prices(&self) -> &[catalog::VariantPrice] {
        &self.view.variant_prices[self.index]
    }
}

/// `ProductVariant` as the schema declares it, with every field's resolver. `ProductVariant`
/// delegates to it, except for plain selections, which `variant_fast` resolves directly.
#[derive(Clone)]
pub(crate) struct VariantFields(pub(crate) ProductVariant);

#[Object(name = "ProductVariant")]
impl VariantFields {
    async fn id(&self) -> ID {
        gid(NodeKind::ProductVariant, self.0.variant().id)
    }

    /// "M / Navy", with option values in the request's language.
    async fn title(&self, ctx: &Context<'_>) -> String {
        match shown_language(ctx) {
            Some(language) => self.0.view.variant_title_in(language, self.0.index),
            None => self.0.variant().title.clone(),
        }
    }

    async fn sku(&self) -> &str {
        &self.0.variant().sku
    }

    async fn barcode(&self) -> Option<&str> {
        self.0.variant().barcode.as_deref()
    }

    async fn weight_grams(&self) -> Option<i32> {
        self.0.variant().weight_grams
    }

    async fn available_for_sale(&self) -> bool {
        self.0.variant().available_for_sale()
    }

    /// The shops where this variant can be collected, and whether it is in stock there.
    async fn store_availability(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<OffsetCursor, crate::inventory::types::StoreAvailability>>
    {
        let loaders = &ctx.req().loaders;
        let variant = self.0.variant();
        let levels =
            loaders.stock_of_variant.load_one(variant.id).await.map_err(|e| internal(&e))?;
        let all = loaders
            .all_locations
            .load_one(Uuid::nil())
            .await
            .map_err(|e| internal(&e))?
            .unwrap_or_default();
        let tracked = variant.inventory_tracked;
        let shops: Vec<crate::inventory::types::StoreAvailability> = all
            .into_iter()
            .filter(|l| l.pickup_enabled)
            .map(|location| {
                let level = levels
                    .iter()
                    .flatten()
                    .find(|l| l.location_id == location.id)
                    .map(|l| l.level)
                    .unwrap_or_default();
                crate::inventory::types::StoreAvailability { location, level, tracked }
            })
            .collect();
        slice_connection(ctx, shops, after, None, first, None)
    }

    /// Units that can sell online; null unless the channel shows stock counts
    /// (`showStockCounts`) or the caller has `catalog:read`.
    async fn quantity_available(&self, ctx: &Context<'_>) -> Option<i32> {
        let req = ctx.req();
        (req.channel.show_stock_counts || req.actor.has(Permission::CatalogRead))
            .then_some(self.0.variant().inventory_quantity)
    }

    /// Option names and values, in the request's language where translated.
    async fn selected_options(&self, ctx: &Context<'_>) -> Vec<SelectedOption> {
        let selected = match shown_language(ctx) {
            Some(language) => self.0.view.selected_options_in(language, self.0.index),
            None => self.0.variant().selected_options.clone(),
        };
        selected.into_iter().map(Into::into).collect()
    }

    /// What the current buyer pays for one unit, in the request's currency: their company's
    /// or group's price list, else the channel's, else the base price; after the running
    /// automatic promotion.
    async fn price(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<MoneyV2>> {
        let shown = crate::pricing::buyer::variant_price(ctx, &self.0.view, self.0.index).await?;
        Ok(shown.map(|p| p.price.into()))
    }

    /// The price before the running promotion, or the list's compare-at price.
    async fn compare_at_price(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<MoneyV2>> {
        let shown = crate::pricing::buyer::variant_price(ctx, &self.0.view, self.0.index).await?;
        Ok(shown.and_then(|p| p.compare_at).map(Into::into))
    }

    /// How many units the current buyer may order: minimum, increment, maximum.
    async fn quantity_rule(&self, ctx: &Context<'_>) -> async_graphql::Result<QuantityRule> {
        let shown = crate::pricing::buyer::variant_price(ctx, &self.0.view, self.0.index).await?;
        Ok(shown.map(|p| p.offer.rule).unwrap_or_default().into())
    }

    /// Volume tiers for the current buyer, by ascending minimum quantity.
    async fn quantity_price_breaks(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<OffsetCursor, QuantityPriceBreak>> {
        let shown = crate::pricing::buyer::variant_price(ctx, &self.0.view, self.0.index).await?;
        let breaks = shown
            .map(|p| p.offer.breaks.into_iter().map(QuantityPriceBreak::from).collect())
            .unwrap_or_default();
        slice_connection(ctx, breaks, after, None, first, None)
    }

    /// Base prices in every currency. Needs `catalog:read`.
    async fn prices(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<VariantPrice>> {
        ctx.require(Permission::CatalogRead)?;
        Ok(self.0.view.variant_prices[self.0.index]
            .iter()
            .map(|p| VariantPrice {
                price: p.price.into(),
                compare_at_price: p.compare_at.map(Into::into),
            })
            .collect())
    }

    async fn image(&self) -> Option<Image> {
        let id = self.0.variant().image_id?;
        self.0.view.image(id).cloned().map(Image)
    }

    async fn product(&self) -> Product {
        Product(self.0.view.clone())
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.variant().created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.variant().updated_at
    }
}

/// A base price of a variant in one currency.
#[derive(SimpleObject, Clone)]
pub struct VariantPrice {
    pub price: MoneyV2,
    pub compare_at_price: Option<MoneyV2>,
}

#[derive(Clone)]
pub struct Image(pub catalog::Image);

#[Object]
impl Image {
    pub(crate) async fn id(&self) -> ID {
        gid(NodeKind::Image, self.0.id)
    }

    /// Absolute URL; images the gateway serves itself are resolved against its public URL.
    async fn url(&self, ctx: &Context<'_>) -> Url {
        if self.0.url.starts_with('/') {
            let base = ctx.data_opt::<PublicUrl>().map_or("", |p| p.0.as_str());
            Url(format!("{base}{}", self.0.url))
        } else {
            Url(self.0.url.clone())
        }
    }

    async fn alt_text(&self) -> Option<&str> {
        self.0.alt_text.as_deref()
    }

    async fn width(&self) -> Option<i32> {
        self.0.width
    }

    async fn height(&self) -> Option<i32> {
        self.0.height
    }
}

/// The gateway's own public base URL, e.g. `http://127.0.0.1:8080`.
#[derive(Clone, Debug)]
pub struct PublicUrl(pub String);
