//! What the current buyer pays, resolved once per request; the B2B and pricing reads.
//!
//! The buyer's pricing context (their company, groups, the price lists and automatic
//! promotions that may apply) is loaded on first use and shared by every price of the
//! request; list entries for variants are batched by a DataLoader. When nothing but base
//! prices applies (`BuyerPricing::is_plain`), variant prices take the fast path as before.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::connection::{Connection, Edge};
use async_graphql::dataloader::Loader;
use async_graphql::{Context, InputObject, Object, SimpleObject, ID};
use uuid::Uuid;
use vitrine_app::pricing::{BuyerPricing, PricingService, QuoteLine};
use vitrine_app::{App, AppError};
use vitrine_domain::access::Permission;
use vitrine_domain::id::{GlobalId, NodeKind};
use vitrine_domain::money::Money;
use vitrine_domain::pricing::{ItemFacts, Offer, PriceListEntry};
use vitrine_domain::product_view::ProductView;

use crate::codes::CountryCode;
use crate::context::{ContextExt, RequestContext};
use crate::error::{
    bad_input, forbidden, internal, into_payload, to_gql, unauthenticated, ResultExt, UserError,
};
use crate::loaders::Cached;
use crate::types::company::{Company, CompanyStatus};
use crate::types::pricing::{CustomerGroup, Discount, PriceList, PriceQuote, TaxRate};

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
                let buyer = app
                    .pricing
                    .buyer_pricing(&self.actor, &self.channel, &currencies)
                    .await
                    .map_err(to_gql)?;
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

fn parse_id(id: &ID, kind: NodeKind) -> async_graphql::Result<Uuid> {
    GlobalId::parse_kind(id, kind).map_err(|e| bad_input(e.to_string()))
}

#[derive(InputObject, Clone)]
pub struct PriceQuoteLineInput {
    /// A `ProductVariant` id.
    pub merchandise_id: ID,
    #[graphql(default = 1)]
    pub quantity: i32,
}

#[derive(SimpleObject, Default)]
pub struct PriceQuotePayload {
    pub quote: Option<PriceQuote>,
    pub user_errors: Vec<UserError>,
}

#[derive(Default)]
pub struct PricingQuery;

#[Object]
impl PricingQuery {
    /// What these lines cost the current buyer now (their company's or group's prices,
    /// volume tiers, running promotions and `discountCodes`, taxes of `countryCode`, else
    /// `@inContext(country:)`, else the channel's tax country): the cart's and checkout's
    /// numbers. Lines that break a quantity rule are priced and carry `quantityError`.
    #[graphql(complexity = "lines.len().max(1) * child_complexity")]
    async fn price_quote(
        &self,
        ctx: &Context<'_>,
        lines: Vec<PriceQuoteLineInput>,
        discount_codes: Option<Vec<String>>,
        country_code: Option<CountryCode>,
        province_code: Option<String>,
    ) -> async_graphql::Result<PriceQuotePayload> {
        let req = ctx.req();
        let app = ctx.app();
        let pricing = req.pricing(app).await?;
        let discount_codes = discount_codes.unwrap_or_default();
        let result = async {
            let mut parsed = Vec::with_capacity(lines.len());
            let mut errors = vec![];
            for (i, line) in lines.iter().enumerate() {
                let row = i.to_string();
                match GlobalId::parse_kind(&line.merchandise_id, NodeKind::ProductVariant) {
                    Ok(gid) => parsed.push(QuoteLine {
                        variant_id: gid,
                        quantity: u32::try_from(line.quantity).unwrap_or(0),
                    }),
                    Err(e) => errors.push(vitrine_app::UserError::new(
                        &["lines", &row, "merchandiseId"],
                        vitrine_app::ErrorCode::Invalid,
                        e.to_string(),
                    )),
                }
            }
            if !errors.is_empty() {
                return Err(AppError::User(errors));
            }
            let country = country_code.or(req.country).map(CountryCode::name);
            app.pricing
                .quote(
                    &pricing.buyer,
                    &req.channel,
                    req.currency,
                    &parsed,
                    &discount_codes,
                    country,
                    province_code.as_deref().map(str::trim).filter(|p| !p.is_empty()),
                )
                .await
        }
        .await;
        let (quote, user_errors) = into_payload(result)?;
        // Each code once, compared as the engine compares them.
        let mut seen = std::collections::HashSet::new();
        let mut codes: Vec<String> = Vec::new();
        for code in discount_codes {
            let code = code.trim().to_owned();
            if !code.is_empty() && seen.insert(code.to_lowercase()) {
                codes.push(code);
            }
        }
        Ok(PriceQuotePayload { quote: quote.map(|quote| PriceQuote { quote, codes }), user_errors })
    }

    /// Buyer companies, oldest first. Needs `companies:read`.
    async fn companies(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        status: Option<CompanyStatus>,
    ) -> async_graphql::Result<Connection<String, Company>> {
        ctx.require(Permission::CompaniesRead)?;
        let limits = ctx.data_unchecked::<crate::connection::Limits>();
        let limit = first.unwrap_or(50).clamp(1, limits.max_page_size as i32) as u64;
        let after_id = match after {
            Some(cursor) => Some(parse_id(&ID(cursor), NodeKind::Company)?),
            None => None,
        };
        let mut rows = ctx
            .app()
            .companies
            .companies_page(status.map(Into::into), after_id, limit)
            .await
            .gql()?;
        let more = rows.len() as u64 > limit;
        rows.truncate(limit as usize);
        let mut connection = Connection::new(after_id.is_some(), more);
        connection
            .edges
            .extend(rows.into_iter().map(|c| {
                Edge::new(GlobalId::new(NodeKind::Company, c.id).to_string(), Company(c))
            }));
        Ok(connection)
    }

    /// A company, for staff with `companies:read` and for its own members.
    async fn company(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Company>> {
        let actor = &ctx.req().actor;
        if actor.is_anonymous() {
            return Err(unauthenticated());
        }
        let id = parse_id(&id, NodeKind::Company)?;
        let app = ctx.app();
        if !app.companies.may_see(actor, id).await.gql()? {
            // The same answer whether or not the company exists.
            return Err(forbidden());
        }
        Ok(app.companies.company(id).await.gql()?.map(Company))
    }

    /// Needs `customers:read`.
    async fn customer_groups(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<CustomerGroup>> {
        ctx.require(Permission::CustomersRead)?;
        Ok(ctx
            .app()
            .companies
            .customer_groups()
            .await
            .gql()?
            .into_iter()
            .map(CustomerGroup)
            .collect())
    }

    /// Every price list. Needs `pricing:read`.
    async fn price_lists(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<PriceList>> {
        ctx.require(Permission::PricingRead)?;
        Ok(ctx.app().pricing.price_lists().await.gql()?.into_iter().map(PriceList).collect())
    }

    /// Needs `pricing:read`.
    async fn price_list(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<PriceList>> {
        ctx.require(Permission::PricingRead)?;
        let id = parse_id(&id, NodeKind::PriceList)?;
        Ok(ctx.app().pricing.price_list(id).await.gql()?.map(PriceList))
    }

    /// Every discount, newest first. Needs `pricing:read`.
    async fn discounts(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Discount>> {
        ctx.require(Permission::PricingRead)?;
        Ok(ctx.app().pricing.discounts().await.gql()?.into_iter().map(Discount).collect())
    }

    /// Needs `pricing:read`.
    async fn discount(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Discount>> {
        ctx.require(Permission::PricingRead)?;
        let id = parse_id(&id, NodeKind::Discount)?;
        Ok(ctx.app().pricing.discount(id).await.gql()?.map(Discount))
    }

    /// Needs `pricing:read`.
    async fn tax_rates(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<TaxRate>> {
        ctx.require(Permission::PricingRead)?;
        Ok(ctx.app().pricing.tax_rates().await.gql()?.into_iter().map(TaxRate).collect())
    }
}
