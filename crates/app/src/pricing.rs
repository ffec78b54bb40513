//! Pricing use cases: what the current buyer pays (product pages, quotes, later the cart and
//! checkout, all through [`BuyerPricing`] and the domain's engine), and the admin side:
//! price lists and their bulk prices, discounts, tax rates.
//!
//! Reads are bounded: a buyer's pricing context is at most five queries (membership, groups,
//! their price lists in two; the channel's lists and automatic promotions come from a
//! short-lived cache), and a quote of any number of lines adds a fixed handful (variants,
//! products, list entries, discounts, usage, collections, tax rate).

use crate::Caller;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;
use vitrine_domain::access::Actor;
use vitrine_domain::cart::MAX_LINE_QUANTITY;
use vitrine_domain::catalog::{in_shown_currency, Channel, ProductStatus, VariantPrice};
use vitrine_domain::company::Membership;
use vitrine_domain::money::{Currency, Money};
use vitrine_domain::pricing::{
    applicable_price_lists, displayed_price, price_basket, resolve_offer, Basket, BasketLine,
    Buyer, Discount, DiscountTarget, DiscountValue, ItemFacts, ItemSelection, Offer, Percent,
    PriceBreak, PriceList, PriceListEntry, PricedBasket, PricedLine, PricingRuleError,
    QuantityRule, QuantityViolation, TaxContext, MAX_CODE_CHARS, MAX_ENTERED_CODES,
};
use vitrine_store::{IdempotencyKey, PricesWriteOutcome, Store, TaxRateRecord};

use crate::error::{AppError, AppResult, ErrorCode, UserError};
use crate::inventory::{actor_label, MAX_ROWS};
use crate::product_views::ProductViews;
use crate::short_cache::ShortCache;

const NAME_MAX: usize = 255;
const MAX_KEY_LEN: usize = 255;
/// Lines one quote may hold (a large B2B quick order).
pub const MAX_QUOTE_LINES: usize = 500;
/// Companies, groups or channels one price list may be scoped to.
pub const MAX_SCOPE_IDS: usize = 1_000;

/// Why a line breaks its quantity rule, as a user error's code and message.
pub fn quantity_violation(v: QuantityViolation) -> (ErrorCode, String) {
    match v {
        QuantityViolation::BelowMinimum { minimum } => {
            (ErrorCode::BelowMinimum, format!("the minimum order quantity is {minimum}"))
        }
        QuantityViolation::NotMultipleOfIncrement { increment } => {
            (ErrorCode::NotMultipleOfIncrement, format!("order in multiples of {increment}"))
        }
        QuantityViolation::AboveMaximum { maximum } => {
            (ErrorCode::AboveMaximum, format!("at most {maximum} per order"))
        }
    }
}

fn not_found(field: &str, what: &str) -> AppError {
    AppError::user(UserError::not_found(field, what))
}

fn rule_error(field: &[String], e: PricingRuleError) -> UserError {
    UserError::new(field, ErrorCode::Invalid, e.to_string())
}

/// Everything about the current buyer that prices depend on, loaded once per request.
#[derive(Clone, Debug)]
pub struct BuyerPricing {
    pub buyer: Buyer,
    /// The buyer's company, approved or not.
    pub membership: Option<Membership>,
    /// Price lists that apply to the buyer now, in the currencies asked for.
    pub lists: Vec<PriceList>,
    /// Automatic discounts of the buyer's channel (any window; the engine checks).
    pub automatic: Vec<Discount>,
    pub now: DateTime<Utc>,
}

impl BuyerPricing {
    /// True when base prices are what the buyer pays: no price list applies and no
    /// automatic promotion reduces items. Most anonymous requests; they skip all lookups.
    pub fn is_plain(&self) -> bool {
        self.lists.is_empty()
            && !self.automatic.iter().any(|d| matches!(d.target, DiscountTarget::Items(_)))
    }

    /// The applicable lists with the currency of each, for loading their entries.
    pub fn list_currencies(&self) -> Vec<(Uuid, Currency)> {
        self.lists.iter().map(|l| (l.id, l.currency)).collect()
    }

    /// Whether any automatic item promotion selects by collection (then product pages need
    /// the product's collections).
    pub fn needs_collections(&self) -> bool {
        self.automatic.iter().any(Discount::selects_collections)
    }

    /// The offer for one variant in `currency`. `base` is the variant's base prices in every
    /// currency; `entries` its entries in any applicable list.
    pub fn offer(
        &self,
        variant_id: Uuid,
        base: &[VariantPrice],
        currency: Currency,
        entries: &[PriceListEntry],
    ) -> Option<Offer> {
        let base_price =
            base.iter().find(|p| p.price.currency == currency).map(|p| (p.price, p.compare_at));
        let lists = applicable_price_lists(&self.lists, &self.buyer, currency, self.now);
        let mine: Vec<&PriceListEntry> =
            entries.iter().filter(|e| e.variant_id == variant_id).collect();
        resolve_offer(variant_id, base_price, &lists, &mine)
    }

    /// The currency a variant is shown in: the request's when the variant has a base price
    /// or a price from an applicable list in it (an explicit entry, or an adjustment of a base
    /// price), else the channel's default (as for base prices).
    pub fn shown_currency(
        &self,
        variant_id: Uuid,
        base: &[VariantPrice],
        entries: &[PriceListEntry],
        requested: Currency,
        channel_default: Currency,
    ) -> Currency {
        let listed = self.lists.iter().filter(|l| l.currency == requested).any(|l| {
            entries
                .iter()
                .any(|e| e.price_list_id == l.id && e.variant_id == variant_id && e.price.is_some())
        });
        if listed {
            return requested;
        }
        in_shown_currency(base, |p| p.price.currency, requested, channel_default)
            .map_or(requested, |p| p.price.currency)
    }

    /// What the product page shows for `offer`: price and compare-at after the running
    /// automatic promotion.
    pub fn displayed(&self, offer: &Offer, item: &ItemFacts) -> (Money, Option<Money>) {
        displayed_price(offer, item, &self.automatic, self.buyer.channel_id, self.now)
    }
}

/// A line of a quote as asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuoteLine {
    pub variant_id: Uuid,
    pub quantity: u32,
}

/// Why an asked line has no price for this buyer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unsold {
    /// No such variant, or its product is not active or not sold on the channel.
    NotSold,
    /// Sold here, but without a price in the quote's currency.
    NoPrice,
}

/// An asked line left out of the basket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnsoldLine {
    /// Its position in the lines asked.
    pub index: usize,
    pub variant_id: Uuid,
    pub reason: Unsold,
}

impl UnsoldLine {
    /// The error for the line's merchandise, relative to the line (`["merchandiseId"]`).
    pub fn user_error(&self, currency: Currency) -> UserError {
        match self.reason {
            Unsold::NotSold => UserError::not_found("merchandiseId", "variant"),
            Unsold::NoPrice => UserError::new(
                &["merchandiseId"],
                ErrorCode::Invalid,
                format!("this variant is not sold in {currency}"),
            ),
        }
    }
}

/// A priced basket and what it was priced with.
#[derive(Clone, Debug, PartialEq)]
pub struct Quote {
    pub currency: Currency,
    /// The lines that have a price, in the order asked.
    pub basket: PricedBasket,
    /// For each basket line, its position in the lines asked.
    pub asked_index: Vec<usize>,
    /// The lines asked that are not in the basket, in the order asked.
    pub unsold: Vec<UnsoldLine>,
    /// The country taxes were looked up for (the buyer's, else the channel's), if any; a
    /// country without a rate is taxed at zero.
    pub tax_country: Option<String>,
    pub tax_rate: Percent,
    pub prices_include_tax: bool,
    /// What the cart and the order's line snapshots need of each priced variant.
    pub items: HashMap<Uuid, QuotedItem>,
}

impl Quote {
    /// The basket line of the asked line at `index`, unless that line is unsold.
    pub fn line_asked_at(&self, index: usize) -> Option<&PricedLine> {
        let position = self.asked_index.iter().position(|i| *i == index)?;
        self.basket.lines.get(position)
    }
}

/// A priced variant as the catalog describes it now (default language).
#[derive(Clone, Debug, PartialEq)]
pub struct QuotedItem {
    pub product_id: Uuid,
    pub product_title: String,
    pub variant_title: String,
    pub sku: String,
    pub weight_grams: u64,
    pub inventory_tracked: bool,
    /// Units available online now.
    pub available: i64,
}

#[derive(Clone, Debug, Default)]
pub struct PriceListInput {
    pub name: Option<String>,
    pub currency: Option<String>,
    pub company_ids: Option<Vec<Uuid>>,
    pub customer_group_ids: Option<Vec<Uuid>>,
    pub channel_ids: Option<Vec<Uuid>>,
    pub starts_at: Option<Option<DateTime<Utc>>>,
    pub ends_at: Option<Option<DateTime<Utc>>>,
    /// Decimal percent ("-30"); `Some(None)` removes the adjustment.
    pub adjustment_percent: Option<Option<String>>,
}

/// One row of `priceListPricesSet`.
#[derive(Clone, Debug, Default)]
pub struct PriceRow {
    pub variant_id: Uuid,
    pub price: Option<String>,
    pub compare_at_price: Option<String>,
    pub minimum: Option<i32>,
    pub increment: Option<i32>,
    pub maximum: Option<i32>,
    pub breaks: Vec<(i32, String)>,
}

/// What `prices_set` did.
#[derive(Clone, Debug, PartialEq)]
pub struct PricesSet {
    pub price_list: PriceList,
    pub written: usize,
    pub removed: usize,
    /// True when an earlier call with the same idempotency key did the work.
    pub replayed: bool,
}

#[derive(Clone, Debug, Default)]
pub struct SelectionInput {
    pub product_ids: Vec<Uuid>,
    pub collection_ids: Vec<Uuid>,
    pub brand_ids: Vec<Uuid>,
}

#[derive(Clone, Debug)]
pub enum TargetInput {
    Order,
    Items(SelectionInput),
    BuyXGetY { buy: SelectionInput, buy_quantity: i32, get: SelectionInput, get_quantity: i32 },
}

#[derive(Clone, Debug)]
pub enum ValueInput {
    /// Decimal percent off ("20").
    Percentage(String),
    /// Amount and currency.
    FixedAmount(String, String),
}

#[derive(Clone, Debug, Default)]
pub struct DiscountInput {
    pub title: Option<String>,
    /// `Some(None)` makes it automatic.
    pub code: Option<Option<String>>,
    pub value: Option<ValueInput>,
    pub target: Option<TargetInput>,
    /// Amount and currency; `Some(None)` removes it.
    pub minimum_subtotal: Option<Option<(String, String)>>,
    pub starts_at: Option<Option<DateTime<Utc>>>,
    pub ends_at: Option<Option<DateTime<Utc>>>,
    pub usage_limit: Option<Option<i32>>,
    pub usage_limit_per_customer: Option<Option<i32>>,
    pub combinable: Option<bool>,
    pub channel_ids: Option<Vec<Uuid>>,
    pub active: Option<bool>,
}

#[derive(Clone)]
pub struct PricingService {
    store: Store,
    views: Arc<ProductViews>,
    channel_rules: Arc<ShortCache<Uuid, Arc<ChannelRules>>>,
    tax_rates: Arc<ShortCache<TaxPlace, Option<TaxRateRecord>>>,
}

/// `(country, region)`.
type TaxPlace = (String, Option<String>);

/// What applies to everyone on a channel: its price lists and automatic promotions. Public
/// offers, read by nearly every storefront request, so cached in process for
/// [`CHANNEL_RULES_TTL`] (as are tax rates); this process's own pricing writes clear the
/// cache at once, other replicas' writes are seen within the TTL. Company and group prices
/// are never cached.
#[derive(Debug)]
struct ChannelRules {
    lists: Vec<PriceList>,
    automatic: Vec<Discount>,
}

pub const CHANNEL_RULES_TTL: Duration = Duration::from_secs(2);

fn parse_currency(field: &[&str], code: &str) -> Result<Currency, UserError> {
    Currency::new(code).map_err(|e| UserError::new(field, ErrorCode::Invalid, e.to_string()))
}

fn parse_amount(field: &[String], amount: &str, currency: Currency) -> Result<Money, UserError> {
    Money::parse_price(amount, currency)
        .map_err(|e| UserError::new(field, ErrorCode::Invalid, e.to_string()))
}

fn count(field: &[String], n: i32, least: i32) -> Result<u32, UserError> {
    if n < least {
        return Err(UserError::new(field, ErrorCode::Invalid, format!("must be at least {least}")));
    }
    u32::try_from(n).map_err(|_| UserError::new(field, ErrorCode::Invalid, "out of range"))
}

fn check_window(
    starts_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
    errors: &mut Vec<UserError>,
) {
    if let (Some(s), Some(e)) = (starts_at, ends_at) {
        if e <= s {
            errors.push(UserError::new(&["endsAt"], ErrorCode::Invalid, "must be after startsAt"));
        }
    }
}

fn name(field: &str, text: &str, errors: &mut Vec<UserError>) -> String {
    let text = text.trim();
    if text.is_empty() {
        errors.push(UserError::new(
            &[field],
            ErrorCode::Blank,
            format!("{field} must not be blank"),
        ));
    } else if text.chars().count() > NAME_MAX {
        errors.push(UserError::new(
            &[field],
            ErrorCode::TooLong,
            format!("at most {NAME_MAX} characters"),
        ));
    }
    text.to_owned()
}

/// What a bulk price request asked, so that a key reused for something else is caught.
fn fingerprint(list_id: Uuid, rows: &[PriceRow], remove: &[Uuid]) -> String {
    let mut hash = Sha256::new();
    hash.update(list_id.as_bytes());
    for r in rows {
        hash.update([0]);
        hash.update(
            format!(
                "{}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
                r.variant_id,
                r.price,
                r.compare_at_price,
                r.minimum,
                r.increment,
                r.maximum,
                r.breaks
            )
            .as_bytes(),
        );
    }
    for id in remove {
        hash.update([1]);
        hash.update(id.as_bytes());
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

impl PricingService {
    /// Which of `variant_ids` the channel sells: their product is one it shows. Read from the
    /// product cache, like a quote.
    pub async fn sold_on(
        &self,
        channel: &Channel,
        variant_ids: &[Uuid],
    ) -> AppResult<std::collections::HashSet<Uuid>> {
        let views = self.views.of_variants(variant_ids).await?;
        Ok(views
            .iter()
            .filter(|v| channel.shows(&v.product))
            .flat_map(|v| v.variants.iter().map(|variant| variant.id))
            .collect())
    }

    pub fn new(store: Store, views: Arc<ProductViews>) -> Self {
        Self {
            store,
            views,
            channel_rules: Arc::new(ShortCache::new(CHANNEL_RULES_TTL)),
            tax_rates: Arc::new(ShortCache::new(CHANNEL_RULES_TTL)),
        }
    }

    /// Forgets cached channel rules and tax rates after a pricing write.
    fn invalidate(&self) {
        self.channel_rules.clear();
        self.tax_rates.clear();
    }

    async fn channel_rules(&self, channel_id: Uuid) -> AppResult<Arc<ChannelRules>> {
        self.channel_rules
            .get_or_load(channel_id, || async {
                let lists = self.store.price_lists_for(&[channel_id], &[]).await?;
                let automatic = self
                    .store
                    .candidate_discounts(&[])
                    .await?
                    .into_iter()
                    .filter(|d| d.code.is_none())
                    .filter(|d| d.channel_ids.is_empty() || d.channel_ids.contains(&channel_id))
                    .collect();
                Ok(Arc::new(ChannelRules { lists, automatic }))
            })
            .await
    }

    // ---- the buyer's prices ---------------------------------------------------------------

    /// Loads who the buyer is (company, groups) and the rules that may apply to them in
    /// `currencies` on `channel`.
    pub async fn buyer_pricing(
        &self,
        caller: Caller<'_>,
        currencies: &[Currency],
    ) -> AppResult<BuyerPricing> {
        let now = Utc::now();
        let mut buyer = Buyer { channel_id: caller.channel.id, ..Buyer::default() };
        let mut membership = None;
        if let Actor::Customer { id } = caller.actor {
            buyer.customer_id = Some(*id);
            membership = self.store.membership(*id).await?;
            buyer.company_id =
                membership.as_ref().filter(|m| m.company.is_approved()).map(|m| m.company.id);
            buyer.customer_group_ids = self.store.customer_group_ids(*id).await?;
        }
        let rules = self.channel_rules(caller.channel.id).await?;
        let mut lists: Vec<PriceList> =
            rules.lists.iter().filter(|l| currencies.contains(&l.currency)).cloned().collect();
        let mut targets: Vec<Uuid> = buyer.customer_group_ids.clone();
        targets.extend(buyer.company_id);
        if !targets.is_empty() {
            for list in self.store.price_lists_for(&targets, currencies).await? {
                match lists.iter_mut().find(|l| l.id == list.id) {
                    // A list scoped to the channel and to the buyer's group: both scopes.
                    Some(known) => {
                        known.customer_group_ids.extend(list.customer_group_ids);
                        known.company_ids.extend(list.company_ids);
                    }
                    None => lists.push(list),
                }
            }
        }
        lists.retain(|l| l.is_active(now) && l.scope_for(&buyer).is_some());
        lists.sort_by_key(|l| l.id);
        let automatic = rules.automatic.clone();
        Ok(BuyerPricing { buyer, membership, lists, automatic, now })
    }

    /// Entries of these variants in the buyer's applicable lists; one query.
    pub async fn entries(
        &self,
        pricing: &BuyerPricing,
        variant_ids: &[Uuid],
    ) -> AppResult<Vec<PriceListEntry>> {
        if pricing.lists.is_empty() {
            return Ok(vec![]);
        }
        Ok(self.store.price_list_entries(&pricing.list_currencies(), variant_ids).await?)
    }

    /// The tax of a basket for `country` (and `region`), else the channel's tax country.
    async fn tax_context(
        &self,
        channel: &Channel,
        country: Option<&str>,
        region: Option<&str>,
    ) -> AppResult<(TaxContext, Option<String>)> {
        // Codes as tax rates are stored: trimmed, upper case ("fr" is FR, "ny" is NY).
        let country = country
            .map(|c| c.trim().to_ascii_uppercase())
            .filter(|c| !c.is_empty())
            .or_else(|| channel.tax_country.clone());
        let region = region.map(|r| r.trim().to_ascii_uppercase());
        let Some(country) = country else {
            return Ok((
                TaxContext { rate: Percent::ZERO, prices_include_tax: channel.prices_include_tax },
                None,
            ));
        };
        let rate = self
            .tax_rates
            .get_or_load((country.clone(), region.clone()), || async {
                Ok::<_, AppError>(self.store.tax_rate_for(&country, region.as_deref()).await?)
            })
            .await?;
        Ok((
            TaxContext {
                rate: rate.map_or(Percent::ZERO, |r| r.rate),
                prices_include_tax: channel.prices_include_tax,
            },
            Some(country),
        ))
    }

    /// Prices lines for the buyer as the cart and checkout will: offers, tiers, promotions
    /// (automatic and `codes`), taxes. Quantity-rule breaches are reported per line, not
    /// refused, so that a cart can show them; unknown or unsold variants are refused.
    #[allow(clippy::too_many_arguments)]
    pub async fn quote(
        &self,
        pricing: &BuyerPricing,
        channel: &Channel,
        currency: Currency,
        lines: &[QuoteLine],
        codes: &[String],
        country: Option<&str>,
        region: Option<&str>,
    ) -> AppResult<Quote> {
        let quote =
            self.price_lines(pricing, channel, currency, lines, codes, country, region).await?;
        if quote.unsold.is_empty() {
            return Ok(quote);
        }
        Err(AppError::User(
            quote.unsold.iter().map(|u| u.user_error(currency).in_row("lines", u.index)).collect(),
        ))
    }

    /// Prices lines as [`Self::quote`] does, except that lines whose variant has no price for
    /// this buyer are left out of the basket and listed in [`Quote::unsold`] (a cart keeps
    /// them and shows them unavailable). Malformed input (quantities, codes) is refused.
    #[allow(clippy::too_many_arguments)]
    pub async fn price_lines(
        &self,
        pricing: &BuyerPricing,
        channel: &Channel,
        currency: Currency,
        lines: &[QuoteLine],
        codes: &[String],
        country: Option<&str>,
        region: Option<&str>,
    ) -> AppResult<Quote> {
        if lines.len() > MAX_QUOTE_LINES {
            return Err(AppError::user(UserError::new(
                &["lines"],
                ErrorCode::TooMany,
                format!("at most {MAX_QUOTE_LINES} lines"),
            )));
        }
        let mut errors = vec![];
        for (i, line) in lines.iter().enumerate() {
            let row = i.to_string();
            if line.quantity == 0 {
                errors.push(UserError::new(
                    &["lines", &row, "quantity"],
                    ErrorCode::Invalid,
                    "at least 1",
                ));
            } else if line.quantity > MAX_LINE_QUANTITY {
                errors.push(UserError::new(
                    &["lines", &row, "quantity"],
                    ErrorCode::TooMany,
                    format!("at most {MAX_LINE_QUANTITY} per line"),
                ));
            }
        }
        if codes.len() > MAX_ENTERED_CODES {
            errors.push(UserError::new(
                &["discountCodes"],
                ErrorCode::TooMany,
                format!("at most {MAX_ENTERED_CODES} codes"),
            ));
        } else {
            for (i, code) in codes.iter().enumerate() {
                if code.chars().count() > MAX_CODE_CHARS {
                    let row = i.to_string();
                    errors.push(UserError::new(
                        &["discountCodes", &row],
                        ErrorCode::TooLong,
                        format!("at most {MAX_CODE_CHARS} characters"),
                    ));
                }
            }
        }
        if !errors.is_empty() {
            return Err(AppError::User(errors));
        }
        let ids: Vec<Uuid> = lines.iter().map(|l| l.variant_id).collect();
        let views = self.views.of_variants(&ids).await?;
        let product_of: HashMap<Uuid, Uuid> = views
            .iter()
            .flat_map(|v| v.variants.iter().map(|variant| (variant.id, v.product.id)))
            .collect();
        let product_ids: Vec<Uuid> = views.iter().map(|v| v.product.id).collect();
        let views: HashMap<Uuid, _> = views.into_iter().map(|v| (v.product.id, v)).collect();
        let entries = self.entries(pricing, &ids).await?;

        // The engine judges each against the channel, window and limits.
        // Automatic promotions come with `pricing` (the channel's, cached briefly, exactly as
        // the product page shows them); codes are read fresh.
        let mut discounts = pricing.automatic.clone();
        discounts.extend(self.store.discounts_by_codes(codes).await?);
        discounts.sort_by_key(|d| d.id);
        let limited: Vec<Uuid> = discounts
            .iter()
            .filter(|d| d.usage_limit.is_some() || d.usage_limit_per_customer.is_some())
            .map(|d| d.id)
            .collect();
        let usage = self.store.discount_usage(&limited, pricing.buyer.customer_id).await?;
        let by_collection = discounts.iter().any(Discount::selects_collections);
        let mut collections: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
        if by_collection && !product_ids.is_empty() {
            for (product, collection) in self.store.collection_ids_of_products(&product_ids).await?
            {
                collections.entry(product).or_default().push(collection);
            }
        }

        let mut basket_lines = Vec::with_capacity(lines.len());
        let mut asked_index = Vec::with_capacity(lines.len());
        let mut unsold = vec![];
        let mut items = HashMap::with_capacity(lines.len());
        for (i, line) in lines.iter().enumerate() {
            let mut left_out =
                |reason| unsold.push(UnsoldLine { index: i, variant_id: line.variant_id, reason });
            let view = product_of.get(&line.variant_id).and_then(|p| views.get(p));
            // Shoppers may only price what their channel sells.
            let Some(view) = view.filter(|v| {
                v.product.status == ProductStatus::Active
                    && v.product.brand_id.is_some_and(|b| channel.brand_ids.contains(&b))
            }) else {
                left_out(Unsold::NotSold);
                continue;
            };
            let Some(index) = view.variants.iter().position(|v| v.id == line.variant_id) else {
                left_out(Unsold::NotSold);
                continue;
            };
            let base = &view.variant_prices[index];
            let Some(offer) = pricing.offer(line.variant_id, base, currency, &entries) else {
                left_out(Unsold::NoPrice);
                continue;
            };
            asked_index.push(i);
            let variant = &view.variants[index];
            items.insert(
                variant.id,
                QuotedItem {
                    product_id: view.product.id,
                    product_title: view.product.title.clone(),
                    variant_title: variant.title.clone(),
                    sku: variant.sku.clone(),
                    weight_grams: u64::try_from(variant.weight_grams.unwrap_or(0)).unwrap_or(0),
                    inventory_tracked: variant.inventory_tracked,
                    available: i64::from(variant.inventory_quantity),
                },
            );
            basket_lines.push(BasketLine {
                item: ItemFacts {
                    product_id: view.product.id,
                    brand_id: view.product.brand_id,
                    collection_ids: collections.get(&view.product.id).cloned().unwrap_or_default(),
                },
                offer,
                quantity: line.quantity,
            });
        }
        let (tax, tax_country) = self.tax_context(channel, country, region).await?;
        let basket = Basket {
            currency,
            channel_id: channel.id,
            customer_id: pricing.buyer.customer_id,
            lines: basket_lines,
            discounts: &discounts,
            codes: codes.to_vec(),
            usage: &usage,
            tax,
            now: pricing.now,
        };
        Ok(Quote {
            currency,
            basket: price_basket(&basket),
            asked_index,
            unsold,
            tax_country,
            tax_rate: tax.rate,
            prices_include_tax: tax.prices_include_tax,
            items,
        })
    }

    // ---- price lists ----------------------------------------------------------------------

    pub async fn price_lists(&self) -> AppResult<Vec<PriceList>> {
        Ok(self.store.price_lists().await?)
    }

    pub async fn price_list(&self, id: Uuid) -> AppResult<Option<PriceList>> {
        Ok(self.store.price_list(id).await?)
    }

    /// A page of a list's entries; one more than `limit` when more follow.
    pub async fn price_list_entries(
        &self,
        list: &PriceList,
        after: Option<Uuid>,
        limit: u64,
    ) -> AppResult<Vec<PriceListEntry>> {
        Ok(self.store.price_list_entries_page(list, after, limit).await?)
    }

    /// Checks that every id names an existing row; reports the missing ones at
    /// `[field, index]`.
    fn missing(field: &str, wanted: &[Uuid], found: &HashSet<Uuid>, errors: &mut Vec<UserError>) {
        for (i, id) in wanted.iter().enumerate() {
            if !found.contains(id) {
                let row = i.to_string();
                errors.push(UserError::new(&[field, &row], ErrorCode::NotFound, "not found"));
            }
        }
    }

    async fn check_scope_ids(
        &self,
        company_ids: &[Uuid],
        group_ids: &[Uuid],
        channel_ids: &[Uuid],
        errors: &mut Vec<UserError>,
    ) -> AppResult<()> {
        if !company_ids.is_empty() {
            let found = self.store.companies_by_ids(company_ids).await?;
            let found: HashSet<Uuid> = found.into_iter().map(|c| c.id).collect();
            Self::missing("companyIds", company_ids, &found, errors);
        }
        if !group_ids.is_empty() {
            let found: HashSet<Uuid> =
                self.store.customer_groups().await?.into_iter().map(|g| g.id).collect();
            Self::missing("customerGroupIds", group_ids, &found, errors);
        }
        if !channel_ids.is_empty() {
            let found: HashSet<Uuid> =
                self.store.channels().await?.into_iter().map(|c| c.id).collect();
            Self::missing("channelIds", channel_ids, &found, errors);
        }
        Ok(())
    }

    /// Creates a price list (`id` none) or changes one; fields left out keep their values.
    pub async fn price_list_save(
        &self,
        id: Option<Uuid>,
        input: PriceListInput,
    ) -> AppResult<PriceList> {
        let existing = match id {
            Some(id) => Some(
                self.store.price_list(id).await?.ok_or_else(|| not_found("id", "price list"))?,
            ),
            None => None,
        };
        let mut errors = vec![];
        let list_name = match (&input.name, &existing) {
            (Some(n), _) => name("name", n, &mut errors),
            (None, Some(l)) => l.name.clone(),
            (None, None) => name("name", "", &mut errors),
        };
        let currency = match (&input.currency, &existing) {
            (Some(c), _) => match parse_currency(&["currency"], c) {
                Ok(c) => Some(c),
                Err(e) => {
                    errors.push(e);
                    None
                }
            },
            (None, Some(l)) => Some(l.currency),
            (None, None) => {
                errors.push(UserError::new(
                    &["currency"],
                    ErrorCode::Blank,
                    "a price list needs a currency",
                ));
                None
            }
        };
        if let (Some(existing), Some(currency)) = (&existing, currency) {
            if existing.currency != currency {
                errors.push(UserError::new(
                    &["currency"],
                    ErrorCode::Invalid,
                    "the currency of a price list cannot change; create another list",
                ));
            }
        }
        let pick = |new: Option<Vec<Uuid>>, old: fn(&PriceList) -> &Vec<Uuid>| {
            new.or_else(|| existing.as_ref().map(|l| old(l).clone())).unwrap_or_default()
        };
        let distinct = |field: &str, mut ids: Vec<Uuid>, errors: &mut Vec<UserError>| {
            ids.sort_unstable();
            ids.dedup();
            if ids.len() > MAX_SCOPE_IDS {
                errors.push(UserError::new(
                    &[field],
                    ErrorCode::TooMany,
                    format!("at most {MAX_SCOPE_IDS}"),
                ));
                ids.truncate(MAX_SCOPE_IDS);
            }
            ids
        };
        let company_ids =
            distinct("companyIds", pick(input.company_ids, |l| &l.company_ids), &mut errors);
        let customer_group_ids = distinct(
            "customerGroupIds",
            pick(input.customer_group_ids, |l| &l.customer_group_ids),
            &mut errors,
        );
        let channel_ids =
            distinct("channelIds", pick(input.channel_ids, |l| &l.channel_ids), &mut errors);
        // Scopes add up (any match applies), so negotiated prices scoped to a company and a
        // channel would reach everyone on that channel: company lists stand alone.
        let for_others = !customer_group_ids.is_empty() || !channel_ids.is_empty();
        if !company_ids.is_empty() && for_others {
            errors.push(UserError::new(
                &["companyIds"],
                ErrorCode::Invalid,
                "a list for companies cannot also be for channels or customer groups (any \
                 match applies, so everyone on the channel would get the companies' prices)",
            ));
        }
        self.check_scope_ids(&company_ids, &customer_group_ids, &channel_ids, &mut errors).await?;
        let starts_at =
            input.starts_at.unwrap_or_else(|| existing.as_ref().and_then(|l| l.starts_at));
        let ends_at = input.ends_at.unwrap_or_else(|| existing.as_ref().and_then(|l| l.ends_at));
        check_window(starts_at, ends_at, &mut errors);
        let adjustment = match input.adjustment_percent {
            Some(Some(text)) => match Percent::parse(&text) {
                // Between -100% (free) and +1000%: anything else is a typo.
                Ok(p) if (-1_000_000..=10_000_000).contains(&p.0) => Some(p),
                Ok(_) => {
                    errors.push(UserError::new(
                        &["adjustmentPercent"],
                        ErrorCode::Invalid,
                        "must be between -100 and 1000",
                    ));
                    None
                }
                Err(e) => {
                    errors.push(rule_error(&["adjustmentPercent".to_owned()], e));
                    None
                }
            },
            Some(None) => None,
            None => existing.as_ref().and_then(|l| l.adjustment),
        };
        let Some(currency) = currency.filter(|_| errors.is_empty()) else {
            return Err(AppError::User(errors));
        };
        let list = PriceList {
            id: existing.as_ref().map_or_else(Uuid::now_v7, |l| l.id),
            name: list_name,
            currency,
            channel_ids,
            customer_group_ids,
            company_ids,
            starts_at,
            ends_at,
            adjustment,
        };
        self.store.save_price_list(&list).await?;
        self.invalidate();
        Ok(list)
    }

    /// Writes many prices of one list at once (an ERP sync): every row is checked first and
    /// one bad row writes nothing. With an idempotency key, a retry changes nothing.
    pub async fn prices_set(
        &self,
        actor: &Actor,
        list_id: Uuid,
        rows: Vec<PriceRow>,
        remove_variant_ids: Vec<Uuid>,
        idempotency_key: Option<String>,
    ) -> AppResult<PricesSet> {
        let list = self
            .store
            .price_list(list_id)
            .await?
            .ok_or_else(|| not_found("priceListId", "price list"))?;
        if rows.len() + remove_variant_ids.len() > MAX_ROWS {
            return Err(AppError::user(UserError::new(
                &["prices"],
                ErrorCode::TooMany,
                format!("at most {MAX_ROWS} rows per call"),
            )));
        }
        let key = idempotency_key.map(|k| k.trim().to_owned()).filter(|k| !k.is_empty());
        if key.as_ref().is_some_and(|k| k.len() > MAX_KEY_LEN) {
            return Err(AppError::user(UserError::new(
                &["idempotencyKey"],
                ErrorCode::TooLong,
                format!("at most {MAX_KEY_LEN} characters"),
            )));
        }
        let mut ids: Vec<Uuid> = rows.iter().map(|r| r.variant_id).collect();
        ids.extend(remove_variant_ids.iter().copied());
        let known: HashSet<Uuid> = if ids.is_empty() {
            HashSet::new()
        } else {
            self.store.variants_by_ids(&ids).await?.into_iter().map(|v| v.id).collect()
        };
        let mut errors = vec![];
        let mut seen = HashSet::new();
        let mut entries = Vec::with_capacity(rows.len());
        for (i, row) in rows.iter().enumerate() {
            let at = |f: &str| vec!["prices".to_owned(), i.to_string(), f.to_owned()];
            if !known.contains(&row.variant_id) {
                errors.push(UserError::not_found("variantId", "variant").in_row("prices", i));
                continue;
            }
            if !seen.insert(row.variant_id) {
                errors.push(UserError::new(
                    &at("variantId"),
                    ErrorCode::Taken,
                    "the variant appears twice in this call",
                ));
                continue;
            }
            match Self::entry(&list, row, &at) {
                Ok(entry) => entries.push(entry),
                Err(mut e) => errors.append(&mut e),
            }
        }
        for (i, id) in remove_variant_ids.iter().enumerate() {
            let row = i.to_string();
            if !known.contains(id) {
                errors.push(UserError::new(
                    &["removeVariantIds", &row],
                    ErrorCode::NotFound,
                    "not found",
                ));
            } else if seen.contains(id) {
                errors.push(UserError::new(
                    &["removeVariantIds", &row],
                    ErrorCode::Invalid,
                    "this variant is also in `prices`: set it or remove it, not both",
                ));
            }
        }
        if !errors.is_empty() {
            return Err(AppError::User(errors));
        }
        let fingerprint = fingerprint(list_id, &rows, &remove_variant_ids);
        let scope = format!("priceListPricesSet:{}", actor_label(actor));
        let idempotency = key.as_deref().map(|key| IdempotencyKey {
            scope: &scope,
            key,
            fingerprint: &fingerprint,
        });
        let outcome = self
            .store
            .set_price_list_prices(list_id, &entries, &remove_variant_ids, idempotency)
            .await?;
        match outcome {
            PricesWriteOutcome::KeyReused => Err(AppError::user(UserError::new(
                &["idempotencyKey"],
                ErrorCode::IdempotencyKeyReused,
                "this idempotency key was used for a different request",
            ))),
            PricesWriteOutcome::Written | PricesWriteOutcome::Replayed => Ok(PricesSet {
                price_list: list,
                written: entries.len(),
                removed: remove_variant_ids.len(),
                replayed: outcome == PricesWriteOutcome::Replayed,
            }),
        }
    }

    /// One row as an entry of `list`, or every problem with it.
    fn entry(
        list: &PriceList,
        row: &PriceRow,
        at: &dyn Fn(&str) -> Vec<String>,
    ) -> Result<PriceListEntry, Vec<UserError>> {
        let mut errors = vec![];
        let mut money = |field: &str, text: &Option<String>| {
            text.as_deref().and_then(|t| match parse_amount(&at(field), t, list.currency) {
                Ok(m) => Some(m),
                Err(e) => {
                    errors.push(e);
                    None
                }
            })
        };
        let price = money("price", &row.price);
        let compare_at = money("compareAtPrice", &row.compare_at_price);
        if row.price.is_none() && list.adjustment.is_none() {
            errors.push(UserError::new(
                &at("price"),
                ErrorCode::Blank,
                "a price is needed: this list has no adjustment to derive it",
            ));
        }
        let mut number = |field: &str, n: Option<i32>, least: i32| {
            n.and_then(|n| match count(&at(field), n, least) {
                Ok(n) => Some(n),
                Err(e) => {
                    errors.push(e);
                    None
                }
            })
        };
        let increment = number("increment", row.increment, 1).unwrap_or(1);
        // "Packs of 6" alone means at least one pack.
        let minimum = number("minimum", row.minimum, 1).unwrap_or(increment);
        let maximum = number("maximum", row.maximum, 1);
        // Each tier with its index in the input, so that errors point at what was sent.
        let mut breaks = Vec::with_capacity(row.breaks.len());
        for (j, (quantity, amount)) in row.breaks.iter().enumerate() {
            let field = |f: &str| {
                let mut path = at("breaks");
                path.push(j.to_string());
                path.push(f.to_owned());
                path
            };
            let quantity = count(&field("minimumQuantity"), *quantity, 2);
            let amount = parse_amount(&field("price"), amount, list.currency);
            match (quantity, amount) {
                (Ok(minimum_quantity), Ok(price)) => {
                    breaks.push((j, PriceBreak { minimum_quantity, price }))
                }
                (q, a) => {
                    errors.extend(q.err());
                    errors.extend(a.err());
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        breaks.sort_by_key(|(_, b)| b.minimum_quantity);
        let entry = PriceListEntry {
            price_list_id: list.id,
            variant_id: row.variant_id,
            price,
            compare_at,
            rule: QuantityRule { minimum, increment, maximum },
            breaks: breaks.iter().map(|(_, b)| *b).collect(),
        };
        entry.validate(list.currency).map_err(|e| {
            // Point at the input field the rule is about (tiers: as sent, not as sorted).
            let field = match e {
                PricingRuleError::MinimumBelowOne
                | PricingRuleError::MinimumNotMultipleOfIncrement => at("minimum"),
                PricingRuleError::IncrementBelowOne => at("increment"),
                PricingRuleError::InvalidMaximum => at("maximum"),
                PricingRuleError::InvalidBreak { index } => {
                    let mut path = at("breaks");
                    path.push(breaks.get(index).map_or(index, |(j, _)| *j).to_string());
                    path.push("minimumQuantity".to_owned());
                    path
                }
                PricingRuleError::WrongCurrency(_)
                | PricingRuleError::NegativePrice
                | PricingRuleError::InvalidPercent(_)
                | PricingRuleError::InvalidWindow => at("price"),
            };
            vec![rule_error(&field, e)]
        })?;
        Ok(entry)
    }

    // ---- discounts ------------------------------------------------------------------------

    pub async fn discounts(&self) -> AppResult<Vec<Discount>> {
        Ok(self.store.discounts().await?)
    }

    pub async fn discount(&self, id: Uuid) -> AppResult<Option<Discount>> {
        Ok(self.store.discount(id).await?)
    }

    async fn check_selection(
        &self,
        field: &str,
        s: &SelectionInput,
        errors: &mut Vec<UserError>,
    ) -> AppResult<ItemSelection> {
        let mut missing = |what: &str, wanted: &[Uuid], found: HashSet<Uuid>| {
            for (i, id) in wanted.iter().enumerate() {
                if !found.contains(id) {
                    let row = i.to_string();
                    errors.push(UserError::new(
                        &[field, what, &row],
                        ErrorCode::NotFound,
                        "not found",
                    ));
                }
            }
        };
        if !s.product_ids.is_empty() {
            let found = self.store.products_by_ids(&s.product_ids).await?;
            missing("productIds", &s.product_ids, found.into_iter().map(|p| p.id).collect());
        }
        if !s.collection_ids.is_empty() {
            let found = self.store.collections_by_ids(&s.collection_ids).await?;
            missing("collectionIds", &s.collection_ids, found.into_iter().map(|c| c.id).collect());
        }
        if !s.brand_ids.is_empty() {
            let found = self.store.brands_by_ids(&s.brand_ids).await?;
            missing("brandIds", &s.brand_ids, found.into_iter().map(|b| b.id).collect());
        }
        Ok(ItemSelection {
            product_ids: s.product_ids.clone(),
            collection_ids: s.collection_ids.clone(),
            brand_ids: s.brand_ids.clone(),
        })
    }

    /// Creates a discount (`id` none) or changes one; fields left out keep their values.
    pub async fn discount_save(
        &self,
        id: Option<Uuid>,
        input: DiscountInput,
    ) -> AppResult<Discount> {
        let existing = match id {
            Some(id) => {
                Some(self.store.discount(id).await?.ok_or_else(|| not_found("id", "discount"))?)
            }
            None => None,
        };
        let mut errors = vec![];
        let title = match (&input.title, &existing) {
            (Some(t), _) => name("title", t, &mut errors),
            (None, Some(d)) => d.title.clone(),
            (None, None) => name("title", "", &mut errors),
        };
        let code = match input.code {
            Some(Some(code)) => {
                let code = code.trim().to_owned();
                if code.is_empty() {
                    errors.push(UserError::new(
                        &["code"],
                        ErrorCode::Blank,
                        "a code must not be blank",
                    ));
                } else if code.chars().count() > MAX_CODE_CHARS
                    || code.chars().any(char::is_whitespace)
                {
                    errors.push(UserError::new(
                        &["code"],
                        ErrorCode::Invalid,
                        format!("at most {MAX_CODE_CHARS} characters, without spaces"),
                    ));
                }
                Some(code)
            }
            Some(None) => None,
            None => existing.as_ref().and_then(|d| d.code.clone()),
        };
        let value = match (input.value, &existing) {
            (Some(ValueInput::Percentage(text)), _) => match Percent::parse(&text) {
                Ok(p) if p.0 > 0 && p.0 <= 1_000_000 => Some(DiscountValue::Percentage(p)),
                Ok(_) => {
                    errors.push(UserError::new(
                        &["value", "percentage"],
                        ErrorCode::Invalid,
                        "a percentage above 0 and at most 100",
                    ));
                    None
                }
                Err(e) => {
                    errors.push(rule_error(&["value".to_owned(), "percentage".to_owned()], e));
                    None
                }
            },
            (Some(ValueInput::FixedAmount(amount, currency)), _) => {
                match parse_currency(&["value", "currencyCode"], &currency).and_then(|c| {
                    parse_amount(&["value".to_owned(), "amount".to_owned()], &amount, c)
                }) {
                    Ok(m) if m.minor > 0 => Some(DiscountValue::FixedAmount(m)),
                    Ok(_) => {
                        errors.push(UserError::new(
                            &["value", "amount"],
                            ErrorCode::Invalid,
                            "above 0",
                        ));
                        None
                    }
                    Err(e) => {
                        errors.push(e);
                        None
                    }
                }
            }
            (None, Some(d)) => Some(d.value),
            (None, None) => {
                errors.push(UserError::new(
                    &["value"],
                    ErrorCode::Blank,
                    "a discount needs a value",
                ));
                None
            }
        };
        let target = match (input.target, &existing) {
            (Some(TargetInput::Order), _) => DiscountTarget::Order,
            (Some(TargetInput::Items(s)), _) => {
                DiscountTarget::Items(self.check_selection("items", &s, &mut errors).await?)
            }
            (Some(TargetInput::BuyXGetY { buy, buy_quantity, get, get_quantity }), _) => {
                let buy = self.check_selection("buy", &buy, &mut errors).await?;
                let get = self.check_selection("get", &get, &mut errors).await?;
                let quantities =
                    count(&["buyQuantity".to_owned()], buy_quantity, 1).and_then(|b| {
                        count(&["getQuantity".to_owned()], get_quantity, 1).map(|g| (b, g))
                    });
                match quantities {
                    Ok((buy_quantity, get_quantity)) => {
                        DiscountTarget::BuyXGetY { buy, buy_quantity, get, get_quantity }
                    }
                    Err(e) => {
                        errors.push(e);
                        DiscountTarget::Order
                    }
                }
            }
            (None, Some(d)) => d.target.clone(),
            (None, None) => DiscountTarget::Order,
        };
        if matches!(target, DiscountTarget::BuyXGetY { .. })
            && matches!(value, Some(DiscountValue::FixedAmount(_)))
        {
            errors.push(UserError::new(
                &["value"],
                ErrorCode::Invalid,
                "buy X get Y takes a percentage off the Y items (100 for free)",
            ));
        }
        let minimum_subtotal = match input.minimum_subtotal {
            Some(Some((amount, currency))) => match parse_currency(
                &["minimumSubtotal", "currencyCode"],
                &currency,
            )
            .and_then(|c| {
                parse_amount(&["minimumSubtotal".to_owned(), "amount".to_owned()], &amount, c)
            }) {
                Ok(m) => Some(m),
                Err(e) => {
                    errors.push(e);
                    None
                }
            },
            Some(None) => None,
            None => existing.as_ref().and_then(|d| d.minimum_subtotal),
        };
        let starts_at =
            input.starts_at.unwrap_or_else(|| existing.as_ref().and_then(|d| d.starts_at));
        let ends_at = input.ends_at.unwrap_or_else(|| existing.as_ref().and_then(|d| d.ends_at));
        check_window(starts_at, ends_at, &mut errors);
        let mut limit = |field: &str, new: Option<Option<i32>>, old: Option<u32>| match new {
            Some(Some(n)) => count(&[field.to_owned()], n, 1).map_err(|e| errors.push(e)).ok(),
            Some(None) => None,
            None => old,
        };
        let usage_limit =
            limit("usageLimit", input.usage_limit, existing.as_ref().and_then(|d| d.usage_limit));
        let usage_limit_per_customer = limit(
            "usageLimitPerCustomer",
            input.usage_limit_per_customer,
            existing.as_ref().and_then(|d| d.usage_limit_per_customer),
        );
        let channel_ids = input
            .channel_ids
            .or_else(|| existing.as_ref().map(|d| d.channel_ids.clone()))
            .unwrap_or_default();
        self.check_scope_ids(&[], &[], &channel_ids, &mut errors).await?;
        let Some(value) = value.filter(|_| errors.is_empty()) else {
            return Err(AppError::User(errors));
        };
        let discount = Discount {
            id: existing.as_ref().map_or_else(Uuid::now_v7, |d| d.id),
            title,
            code,
            value,
            target,
            minimum_subtotal,
            starts_at,
            ends_at,
            usage_limit,
            usage_limit_per_customer,
            combinable: input
                .combinable
                .or_else(|| existing.as_ref().map(|d| d.combinable))
                .unwrap_or(false),
            channel_ids,
            active: input.active.or_else(|| existing.as_ref().map(|d| d.active)).unwrap_or(true),
        };
        self.store.save_discount(&discount).await?;
        self.invalidate();
        Ok(discount)
    }

    // ---- taxes ----------------------------------------------------------------------------

    pub async fn tax_rates(&self) -> AppResult<Vec<TaxRateRecord>> {
        Ok(self.store.tax_rates().await?)
    }

    /// Creates (`id` none) or changes the tax rate of a country, or of one of its regions.
    pub async fn tax_rate_save(
        &self,
        id: Option<Uuid>,
        country_code: Option<String>,
        region: Option<Option<String>>,
        rate_name: Option<String>,
        rate: Option<String>,
    ) -> AppResult<TaxRateRecord> {
        let existing = match id {
            Some(id) => Some(
                self.store.tax_rate_by_id(id).await?.ok_or_else(|| not_found("id", "tax rate"))?,
            ),
            None => None,
        };
        let mut errors = vec![];
        let country_code = country_code
            .map(|c| c.trim().to_ascii_uppercase())
            .or_else(|| existing.as_ref().map(|r| r.country_code.clone()))
            .unwrap_or_default();
        if country_code.len() != 2 || !country_code.bytes().all(|b| b.is_ascii_uppercase()) {
            errors.push(UserError::new(
                &["countryCode"],
                ErrorCode::Invalid,
                "a two-letter ISO 3166 country code, e.g. FR",
            ));
        }
        let region = match region {
            Some(r) => r.map(|r| r.trim().to_ascii_uppercase()).unwrap_or_default(),
            None => existing.as_ref().map(|r| r.region.clone()).unwrap_or_default(),
        };
        if region.chars().count() > 16 {
            errors.push(UserError::new(&["region"], ErrorCode::TooLong, "at most 16 characters"));
        }
        let rate_name = match (rate_name, &existing) {
            (Some(n), _) => name("name", &n, &mut errors),
            (None, Some(r)) => r.name.clone(),
            (None, None) => format!("VAT {country_code}"),
        };
        let rate = match (rate, &existing) {
            (Some(text), _) => match Percent::parse(&text) {
                Ok(p) if (0..=1_000_000).contains(&p.0) => p,
                Ok(_) => {
                    errors.push(UserError::new(&["rate"], ErrorCode::Invalid, "between 0 and 100"));
                    Percent::ZERO
                }
                Err(e) => {
                    errors.push(rule_error(&["rate".to_owned()], e));
                    Percent::ZERO
                }
            },
            (None, Some(r)) => r.rate,
            (None, None) => {
                errors.push(UserError::new(&["rate"], ErrorCode::Blank, "a tax rate needs a rate"));
                Percent::ZERO
            }
        };
        if !errors.is_empty() {
            return Err(AppError::User(errors));
        }
        let record = TaxRateRecord {
            id: existing.as_ref().map_or_else(Uuid::now_v7, |r| r.id),
            country_code,
            region,
            name: rate_name,
            rate,
            created_at: existing.as_ref().map_or_else(Utc::now, |r| r.created_at),
        };
        self.store.save_tax_rate(&record).await?;
        self.invalidate();
        Ok(record)
    }

    pub async fn tax_rate_delete(&self, id: Uuid) -> AppResult<()> {
        if self.store.delete_tax_rate(id).await? {
            self.invalidate();
            Ok(())
        } else {
            Err(not_found("id", "tax rate"))
        }
    }
}
