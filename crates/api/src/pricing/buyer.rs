//! What the current buyer pays, resolved once per request.
//!
//! The buyer's pricing context (their company, groups, the price lists and automatic
//! promotions that may apply) is loaded on first use and shared by every price of the
//! request; list entries for variants are batched by a DataLoader. When nothing but base
//! prices applies (`BuyerPricing::is_plain`), variant prices take the fast path as before.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use async_graphql::Context;
use uuid::Uuid;
use vitrine_app::pricing::{BuyerPricing, PricingService};
use vitrine_app::{App, AppError};
use vitrine_domain::money::Money;
use vitrine_domain::pricing::{ItemFacts, Offer, PriceListEntry};
use vitrine_domain::product_view::ProductView;

use crate::context::{ContextExt, RequestContext};
use crate::error::{internal, to_gql};
use crate::loaders::Cached;

/// The buyer's pricing context and a batched loader of list entries by variant.
pub struct Pricing {
    pub buyer: Arc<BuyerPricing>,
    entries: Cached<EntriesLoader>,
}

pub struct EntriesLoader {
    service: PricingService,
    buyer: Arc<BuyerPricing>,
}

impl Loader<Uuid> for EntriesLoader {
    type Value = Vec<PriceListEntry>;
    type Error = Arc<AppError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = self.service.entries(&self.buyer, keys).await.map_err(Arc::new)?;
        // Every key gets an answer, none included, so that later lookups know it was asked.
        let mut map: HashMap<Uuid, Vec<PriceListEntry>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            map.entry(row.variant_id).or_default().push(row);
        }
        Ok(map)
    }
}

impl RequestContext {
    /// The buyer's pricing context, loaded on first use.
    pub async fn pricing(&self, app: &App) -> async_graphql::Result<&Arc<Pricing>> {
        self.pricing
            .get_or_try_init(|| async {
                let mut currencies = vec![self.currency];
                if self.channel.default_currency != self.currency {
                    currencies.push(self.channel.default_currency);
                }
                let buyer =
                    app.pricing.buyer_pricing(self.caller(), &currencies).await.map_err(to_gql)?;
                let buyer = Arc::new(buyer);
                let entries = Cached::new(EntriesLoader {
                    service: app.pricing.clone(),
                    buyer: buyer.clone(),
                });
                Ok::<_, async_graphql::Error>(Arc::new(Pricing { buyer, entries }))
            })
            .await
    }

    /// True once the pricing context is loaded and says base prices apply unchanged.
    pub fn plain_pricing(&self) -> bool {
        self.pricing.get().is_some_and(|p| p.buyer.is_plain())
    }
}

/// A variant's price for the request's buyer.
pub struct ShownPrice {
    pub offer: Offer,
    pub price: Money,
    pub compare_at: Option<Money>,
}

impl Pricing {
    /// Loads, in one batch per request, what the prices of `view`'s variants need beyond the
    /// buyer's context: their list entries and, when a promotion selects by collection, the
    /// product's collections. Afterwards [`Pricing::shown_now`] answers without waiting.
    pub async fn prefetch(
        &self,
        req: &RequestContext,
        view: &ProductView,
    ) -> async_graphql::Result<()> {
        if !self.buyer.lists.is_empty() {
            self.entries
                .load_many(view.variants.iter().map(|v| v.id))
                .await
                .map_err(|e| internal(&e))?;
        }
        if self.buyer.needs_collections() {
            req.loaders
                .collections_of_product
                .load_one(view.product.id)
                .await
                .map_err(|e| internal(&e))?;
        }
        Ok(())
    }

    /// The price of `view.variants[index]` if everything it needs is already loaded; `None`
    /// when something must still be fetched (then ask [`variant_price`]).
    pub fn shown_now(
        &self,
        req: &RequestContext,
        view: &ProductView,
        index: usize,
    ) -> Option<Option<ShownPrice>> {
        let buyer = &self.buyer;
        let variant = &view.variants[index];
        let entries =
            if buyer.lists.is_empty() { Vec::new() } else { self.entries.known(&variant.id)? };
        let collection_ids = if buyer.needs_collections() {
            req.loaders.collections_of_product.known(&view.product.id)?
        } else {
            Vec::new()
        };
        Some(self.resolve(req, view, index, &entries, collection_ids))
    }

    fn resolve(
        &self,
        req: &RequestContext,
        view: &ProductView,
        index: usize,
        entries: &[PriceListEntry],
        collection_ids: Vec<Uuid>,
    ) -> Option<ShownPrice> {
        let buyer = &self.buyer;
        let variant = &view.variants[index];
        let base = &view.variant_prices[index];
        let currency = buyer.shown_currency(
            variant.id,
            base,
            entries,
            req.currency,
            req.channel.default_currency,
        );
        let offer = buyer.offer(variant.id, base, currency, entries)?;
        let item = ItemFacts {
            product_id: view.product.id,
            brand_id: view.product.brand_id,
            collection_ids,
        };
        let (price, compare_at) = buyer.displayed(&offer, &item);
        Some(ShownPrice { offer, price, compare_at })
    }
}

/// Resolves what the buyer pays for `variant` (index in `view`) and what the product page
/// shows.
pub async fn variant_price(
    ctx: &Context<'_>,
    view: &ProductView,
    index: usize,
) -> async_graphql::Result<Option<ShownPrice>> {
    let req = ctx.req();
    let pricing = req.pricing(ctx.app()).await?;
    if let Some(shown) = pricing.shown_now(req, view, index) {
        return Ok(shown);
    }
    // Both loaders answer every key, so after the prefetch everything is known.
    pricing.prefetch(req, view).await?;
    pricing.shown_now(req, view, index).ok_or_else(|| internal(&"prices were not loaded"))
}

/// The prices the buyer sees for a product's variants, and their compare-at prices, in one
/// currency (for the product's ranges); `None` when the buyer's prices are the base prices (the stored
/// ranges then hold).
pub async fn buyer_price_ranges(
    ctx: &Context<'_>,
    view: &ProductView,
) -> async_graphql::Result<Option<(Vec<Money>, Vec<Money>)>> {
    let req = ctx.req();
    let pricing = req.pricing(ctx.app()).await?;
    if pricing.buyer.is_plain() {
        return Ok(None);
    }
    // One batch for the whole product rather than one per variant.
    pricing.prefetch(req, view).await?;
    let mut prices = Vec::with_capacity(view.variants.len());
    let mut compare_at = Vec::new();
    for index in 0..view.variants.len() {
        if let Some(shown) = variant_price(ctx, view, index).await? {
            prices.push(shown.price);
            compare_at.extend(shown.compare_at);
        }
    }
    // A range is in one currency: the request's when any variant is shown in it, else the
    // channel's default.
    let currency = if prices.iter().any(|p| p.currency == req.currency) {
        req.currency
    } else {
        req.channel.default_currency
    };
    prices.retain(|p| p.currency == currency);
    compare_at.retain(|p| p.currency == currency);
    Ok(Some((prices, compare_at)))
}
