//! Catalog use cases: channels, brands, collections, products, variants, images, translations.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::Utc;
use uuid::Uuid;
use vitrine_domain::catalog::{
    self, is_web_url, slugify, validate_handle, validate_options, validate_selected_options,
    validate_sku, validate_title, variant_title, Brand, Channel, Collection, Image, Product,
    ProductOption, ProductStatus, SelectedOption, Seo, SizeChart, Spec, Variant, VariantPrice,
};
use vitrine_domain::id::{new_id, NodeKind};
use vitrine_domain::locale::is_language_tag;
use vitrine_domain::money::{Currency, Money};
use vitrine_domain::payment::PaymentMethod;
use vitrine_domain::product_view::ProductView;
use vitrine_store::{
    Page, ProductDraft, ProductListing, ProductRevision, Store, StoreError, VariantDraft,
};

use crate::error::{AppError, AppResult, ErrorCode, UserError};
use crate::product_views::ProductViews;

/// Fields of `productCreate` / `productUpdate`; `None` leaves a field unchanged on update.
#[derive(Clone, Debug, Default)]
pub struct ProductInput {
    pub title: Option<String>,
    pub handle: Option<String>,
    pub description: Option<String>,
    pub brand_id: Option<Uuid>,
    pub status: Option<ProductStatus>,
    pub product_type: Option<String>,
    pub tags: Option<Vec<String>>,
    pub specs: Option<Vec<Spec>>,
    pub size_chart: Option<SizeChart>,
    pub seo: Option<Seo>,
    pub collection_ids: Option<Vec<Uuid>>,
    /// Only on create: option names and their values.
    pub options: Vec<(String, Vec<String>)>,
}

/// One price of a variant input: amount and optional compare-at amount, as decimal strings.
#[derive(Clone, Debug)]
pub struct PriceInput {
    pub currency: String,
    pub amount: String,
    pub compare_at: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct VariantInput {
    /// Set on update, absent on create.
    pub id: Option<Uuid>,
    pub sku: Option<String>,
    pub barcode: Option<String>,
    pub weight_grams: Option<i32>,
    pub option_values: Option<Vec<SelectedOption>>,
    /// Replaces all prices of the variant when given.
    pub prices: Option<Vec<PriceInput>>,
    pub image_id: Option<Uuid>,
    /// Whether stock is counted. Quantities themselves move only through the inventory
    /// service, which keeps the ledger.
    pub inventory_tracked: Option<bool>,
}

/// An image to attach to a product.
#[derive(Clone, Debug, Default)]
pub struct NewImage {
    pub url: String,
    pub alt_text: Option<String>,
    pub width: Option<i32>,
    pub height: Option<i32>,
}

#[derive(Clone, Debug, Default)]
pub struct ChannelInput {
    pub handle: Option<String>,
    pub name: Option<String>,
    pub default_language: Option<String>,
    pub languages: Option<Vec<String>>,
    pub default_currency: Option<String>,
    pub currencies: Option<Vec<String>>,
    pub brand_ids: Option<Vec<Uuid>>,
    pub is_default: Option<bool>,
    pub show_stock_counts: Option<bool>,
    pub prices_include_tax: Option<bool>,
    /// `Some(None)` clears it.
    pub tax_country: Option<Option<String>>,
    /// Replaces the list; see `Channel::allowed_origins`.
    pub allowed_origins: Option<Vec<String>>,
}

#[derive(Clone, Debug, Default)]
pub struct CollectionInput {
    pub title: Option<String>,
    pub handle: Option<String>,
    pub description: Option<String>,
    /// `Some(None)` moves the collection to the top level.
    pub parent_id: Option<Option<Uuid>>,
    pub position: Option<i32>,
    pub image_url: Option<String>,
    pub seo: Option<Seo>,
}

#[derive(Clone)]
pub struct CatalogService {
    store: Store,
    views: Arc<ProductViews>,
}

/// The origins a channel lists, each checked, without repeats.
fn allowed_origins(origins: Vec<String>) -> AppResult<Vec<String>> {
    if origins.len() > catalog::MAX_ORIGINS {
        let message = format!("at most {} origins", catalog::MAX_ORIGINS);
        return Err(UserError::new(&["allowedOrigins"], ErrorCode::TooMany, message).into());
    }
    let mut checked: Vec<String> = vec![];
    let mut errors = vec![];
    for (i, origin) in origins.iter().enumerate() {
        match catalog::validate_origin(origin) {
            Ok(origin) if !checked.contains(&origin) => checked.push(origin),
            Ok(_) => {}
            Err(message) => errors.push(UserError::new(
                &["allowedOrigins", &i.to_string()],
                ErrorCode::Invalid,
                message,
            )),
        }
    }
    if errors.is_empty() {
        Ok(checked)
    } else {
        Err(AppError::User(errors))
    }
}

/// `url`, trimmed, if it is an http(s) URL or a path on this gateway.
fn web_url(field: &str, url: String) -> AppResult<String> {
    let url = url.trim().to_owned();
    if is_web_url(&url, true) {
        Ok(url)
    } else {
        Err(UserError::new(&[field], ErrorCode::Invalid, "an http(s) URL or an absolute path")
            .into())
    }
}

fn not_found(field: &str, what: &str) -> AppError {
    AppError::user(UserError::not_found(field, what))
}

fn currency(field: &[&str], code: &str) -> AppResult<Currency> {
    Currency::new(code).map_err(|e| UserError::new(field, ErrorCode::Invalid, e.to_string()).into())
}

/// Parses a row's prices; a currency may appear once.
fn parse_prices(variant_id: Uuid, prices: &[PriceInput]) -> Result<Vec<VariantPrice>, UserError> {
    let mut out: Vec<VariantPrice> = Vec::with_capacity(prices.len());
    for (i, p) in prices.iter().enumerate() {
        let at = |f: &str| vec!["prices".to_owned(), i.to_string(), f.to_owned()];
        let bad = |f: &str, m: String| UserError::new(&at(f), ErrorCode::Invalid, m);
        let c = Currency::new(&p.currency).map_err(|e| bad("currency", e.to_string()))?;
        if out.iter().any(|o| o.price.currency == c) {
            return Err(bad("currency", format!("{c} is listed twice")));
        }
        let price = Money::parse_price(&p.amount, c).map_err(|e| bad("amount", e.to_string()))?;
        let compare_at = p
            .compare_at
            .as_deref()
            .map(|a| Money::parse_price(a, c))
            .transpose()
            .map_err(|e| bad("compareAtAmount", e.to_string()))?;
        out.push(VariantPrice { variant_id, price, compare_at });
    }
    Ok(out)
}

impl CatalogService {
    pub fn new(store: Store, views: Arc<ProductViews>) -> Self {
        Self { store, views }
    }

    // ---- reads ----------------------------------------------------------------------------

    pub async fn channels(&self) -> AppResult<Vec<Channel>> {
        Ok(self.store.channels().await?)
    }

    /// A page of products, whole, from the read cache where it is current.
    pub async fn list_products(
        &self,
        listing: &ProductListing,
    ) -> AppResult<Page<Arc<ProductView>>> {
        let page = self.store.list_products(listing).await?;
        let listed: Vec<ProductRevision> = page.items.iter().map(|(p, _)| *p).collect();
        let mut views: HashMap<Uuid, Arc<ProductView>> =
            self.views.current(&listed).await?.into_iter().map(|v| (v.product.id, v)).collect();
        let items = page
            .items
            .into_iter()
            .filter_map(|(p, sort)| Some((views.remove(&p.id)?, sort)))
            .collect();
        Ok(Page { items, has_more: page.has_more })
    }

    /// The read cache of whole products, for batched loads.
    pub fn views(&self) -> &Arc<ProductViews> {
        &self.views
    }

    /// Whole products by id, in the given order; unknown ids are left out.
    pub async fn product_views(&self, ids: &[Uuid]) -> AppResult<Vec<Arc<ProductView>>> {
        Ok(self.views.by_ids(ids).await?)
    }

    pub async fn product_view_by_handle(
        &self,
        handle: &str,
    ) -> AppResult<Option<Arc<ProductView>>> {
        Ok(self.views.by_handle(handle).await?)
    }

    /// The whole product, as a mutation returns it after its change.
    pub async fn product_view(&self, id: Uuid) -> AppResult<Arc<ProductView>> {
        self.views.by_ids(&[id]).await?.into_iter().next().ok_or_else(|| not_found("id", "product"))
    }

    // ---- channels -------------------------------------------------------------------------

    /// Makes sure requests without a storefront key have a channel to see: an empty
    /// database gets a "Default" channel carrying every brand.
    pub async fn ensure_default_channel(&self) -> AppResult<()> {
        if !self.store.channels().await?.is_empty() {
            return Ok(());
        }
        let brand_ids = self.store.brands().await?.into_iter().map(|b| b.id).collect();
        let input = ChannelInput {
            name: Some("Default".to_owned()),
            handle: Some("default".to_owned()),
            brand_ids: Some(brand_ids),
            is_default: Some(true),
            ..ChannelInput::default()
        };
        self.channel_save(None, input).await.map(|_| ())
    }

    pub async fn channel_save(&self, id: Option<Uuid>, input: ChannelInput) -> AppResult<Channel> {
        let existing = match id {
            Some(id) => Some(
                self.store
                    .channels()
                    .await?
                    .into_iter()
                    .find(|c| c.id == id)
                    .ok_or_else(|| not_found("id", "channel"))?,
            ),
            None => None,
        };
        let name = match (&input.name, &existing) {
            (Some(n), _) => validate_title("name", n)?,
            (None, Some(c)) => c.name.clone(),
            (None, None) => {
                return Err(
                    UserError::new(&["name"], ErrorCode::Blank, "name can't be blank").into()
                )
            }
        };
        let handle = input
            .handle
            .clone()
            .or_else(|| existing.as_ref().map(|c| c.handle.clone()))
            .unwrap_or_else(|| slugify(&name));
        validate_handle(&handle)?;
        let languages = input
            .languages
            .or_else(|| existing.as_ref().map(|c| c.languages.clone()))
            .unwrap_or_else(|| vec!["en".to_owned()]);
        let languages: Vec<String> =
            languages.iter().map(|l| l.to_lowercase().replace('_', "-")).collect();
        if languages.is_empty() || languages.iter().any(|l| !is_language_tag(l)) {
            return Err(UserError::new(
                &["languages"],
                ErrorCode::Invalid,
                "languages must be ISO 639-1 codes",
            )
            .into());
        }
        let default_language = input
            .default_language
            .map(|l| l.to_lowercase().replace('_', "-"))
            .or_else(|| existing.as_ref().map(|c| c.default_language.clone()))
            .unwrap_or_else(|| languages[0].clone());
        if !languages.contains(&default_language) {
            return Err(UserError::new(
                &["defaultLanguage"],
                ErrorCode::Invalid,
                "the default language must be one of the channel's languages",
            )
            .into());
        }
        let currencies = match input.currencies {
            Some(list) => {
                list.iter().map(|c| currency(&["currencies"], c)).collect::<AppResult<Vec<_>>>()?
            }
            None => existing
                .as_ref()
                .map(|c| c.currencies.clone())
                .unwrap_or_else(|| Currency::new("EUR").into_iter().collect()),
        };
        let default_currency = match input.default_currency {
            Some(c) => currency(&["defaultCurrency"], &c)?,
            None => existing
                .as_ref()
                .map(|c| c.default_currency)
                .or_else(|| currencies.first().copied())
                .ok_or_else(|| {
                    UserError::new(&["currencies"], ErrorCode::Blank, "a channel needs a currency")
                })?,
        };
        if !currencies.contains(&default_currency) {
            return Err(UserError::new(
                &["defaultCurrency"],
                ErrorCode::Invalid,
                "the default currency must be one of the channel's currencies",
            )
            .into());
        }
        let brand_ids = input
            .brand_ids
            .or_else(|| existing.as_ref().map(|c| c.brand_ids.clone()))
            .unwrap_or_default();
        let tax_country = match input.tax_country {
            Some(Some(code)) => {
                let code = code.trim().to_ascii_uppercase();
                if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
                    return Err(UserError::new(
                        &["taxCountry"],
                        ErrorCode::Invalid,
                        "the tax country must be an ISO 3166-1 alpha-2 code",
                    )
                    .into());
                }
                Some(code)
            }
            Some(None) => None,
            None => existing.as_ref().and_then(|c| c.tax_country.clone()),
        };
        let known = self.store.brands_by_ids(&brand_ids).await?;
        if known.len() != brand_ids.len() {
            return Err(not_found("brandIds", "brand"));
        }
        let allowed_origins = match input.allowed_origins {
            Some(origins) => allowed_origins(origins)?,
            None => existing.as_ref().map(|c| c.allowed_origins.clone()).unwrap_or_default(),
        };
        let channel = Channel {
            id: existing.as_ref().map_or_else(new_id, |c| c.id),
            handle,
            name,
            storefront_key: existing
                .as_ref()
                .map_or_else(new_storefront_key, |c| c.storefront_key.clone()),
            default_language,
            languages,
            default_currency,
            currencies,
            is_default: input
                .is_default
                .or_else(|| existing.as_ref().map(|c| c.is_default))
                .unwrap_or(false),
            show_stock_counts: input
                .show_stock_counts
                .or_else(|| existing.as_ref().map(|c| c.show_stock_counts))
                .unwrap_or(false),
            prices_include_tax: input
                .prices_include_tax
                .or_else(|| existing.as_ref().map(|c| c.prices_include_tax))
                .unwrap_or(true),
            tax_country,
            payment_methods: existing
                .as_ref()
                .map_or_else(|| PaymentMethod::ALL.to_vec(), |c| c.payment_methods.clone()),
            brand_ids,
            allowed_origins,
        };
        self.store.save_channel(&channel).await?;
        Ok(channel)
    }

    // ---- brands ---------------------------------------------------------------------------

    pub async fn brand_save(
        &self,
        id: Option<Uuid>,
        name: Option<String>,
        handle: Option<String>,
        description: Option<String>,
    ) -> AppResult<Brand> {
        let existing = match id {
            Some(id) => Some(
                self.store
                    .brands_by_ids(&[id])
                    .await?
                    .into_iter()
                    .next()
                    .ok_or_else(|| not_found("id", "brand"))?,
            ),
            None => None,
        };
        let name = match (name, &existing) {
            (Some(n), _) => validate_title("name", &n)?,
            (None, Some(b)) => b.name.clone(),
            (None, None) => {
                return Err(
                    UserError::new(&["name"], ErrorCode::Blank, "name can't be blank").into()
                )
            }
        };
        let handle = handle
            .or_else(|| existing.as_ref().map(|b| b.handle.clone()))
            .unwrap_or_else(|| slugify(&name));
        validate_handle(&handle)?;
        let brand = Brand {
            id: existing.as_ref().map_or_else(new_id, |b| b.id),
            handle,
            name,
            description: description
                .or_else(|| existing.map(|b| b.description))
                .unwrap_or_default(),
        };
        self.store.save_brand(&brand).await?;
        Ok(brand)
    }

    // ---- collections ----------------------------------------------------------------------

    pub async fn collection_save(
        &self,
        id: Option<Uuid>,
        input: CollectionInput,
    ) -> AppResult<Collection> {
        let existing = match id {
            Some(id) => Some(
                self.store
                    .collections_by_ids(&[id])
                    .await?
                    .into_iter()
                    .next()
                    .ok_or_else(|| not_found("id", "collection"))?,
            ),
            None => None,
        };
        let title = match (&input.title, &existing) {
            (Some(t), _) => validate_title("title", t)?,
            (None, Some(c)) => c.title.clone(),
            (None, None) => {
                return Err(
                    UserError::new(&["title"], ErrorCode::Blank, "title can't be blank").into()
                )
            }
        };
        let handle = input
            .handle
            .clone()
            .or_else(|| existing.as_ref().map(|c| c.handle.clone()))
            .unwrap_or_else(|| slugify(&title));
        validate_handle(&handle)?;
        let id = existing.as_ref().map_or_else(new_id, |c| c.id);
        let parent_id = match input.parent_id {
            Some(parent) => parent,
            None => existing.as_ref().and_then(|c| c.parent_id),
        };
        if let Some(parent) = parent_id {
            self.check_parent(id, parent).await?;
        }
        let collection = Collection {
            id,
            handle,
            title,
            description: input
                .description
                .or_else(|| existing.as_ref().map(|c| c.description.clone()))
                .unwrap_or_default(),
            parent_id,
            position: input.position.or_else(|| existing.as_ref().map(|c| c.position)).unwrap_or(0),
            image_url: match input.image_url {
                Some(url) => Some(web_url("imageUrl", url)?),
                None => existing.as_ref().and_then(|c| c.image_url.clone()),
            },
            seo: input.seo.or_else(|| existing.as_ref().map(|c| c.seo.clone())).unwrap_or_default(),
            updated_at: Utc::now(),
        };
        self.store.save_collection(&collection).await?;
        Ok(collection)
    }

    /// A collection cannot become its own ancestor.
    async fn check_parent(&self, id: Uuid, parent: Uuid) -> AppResult<()> {
        let all: HashMap<Uuid, Option<Uuid>> =
            self.store.collections().await?.into_iter().map(|c| (c.id, c.parent_id)).collect();
        if !all.contains_key(&parent) {
            return Err(not_found("parentId", "parent collection"));
        }
        let mut cursor = Some(parent);
        while let Some(c) = cursor {
            if c == id {
                return Err(UserError::new(
                    &["parentId"],
                    ErrorCode::Invalid,
                    "a collection cannot be nested inside itself",
                )
                .into());
            }
            cursor = all.get(&c).copied().flatten();
        }
        Ok(())
    }

    pub async fn collection_delete(&self, id: Uuid) -> AppResult<()> {
        self.store.delete_collection(id).await.map_err(|e| match e {
            StoreError::NotFound => not_found("id", "collection"),
            other => other.into(),
        })
    }

    /// Appends products to a collection and returns the collection.
    pub async fn collection_add_products(
        &self,
        id: Uuid,
        product_ids: &[Uuid],
    ) -> AppResult<Collection> {
        let collection = self.require_collection(id).await?;
        self.require_products(product_ids).await?;
        self.store.add_collection_products(id, product_ids).await?;
        Ok(collection)
    }

    /// Takes products out of a collection and returns the collection.
    pub async fn collection_remove_products(
        &self,
        id: Uuid,
        product_ids: &[Uuid],
    ) -> AppResult<Collection> {
        let collection = self.require_collection(id).await?;
        self.store.remove_collection_products(id, product_ids).await?;
        Ok(collection)
    }

    async fn require_collection(&self, id: Uuid) -> AppResult<Collection> {
        self.store
            .collections_by_ids(&[id])
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| not_found("id", "collection"))
    }

    async fn require_products(&self, ids: &[Uuid]) -> AppResult<()> {
        let found = self.store.products_by_ids(ids).await?;
        if found.len() != ids.iter().collect::<std::collections::HashSet<_>>().len() {
            return Err(not_found("productIds", "product"));
        }
        Ok(())
    }

    async fn require_collections(&self, ids: &[Uuid]) -> AppResult<()> {
        let found = self.store.collections_by_ids(ids).await?;
        if found.len() != ids.iter().collect::<std::collections::HashSet<_>>().len() {
            return Err(not_found("collectionIds", "collection"));
        }
        Ok(())
    }

    // ---- products -------------------------------------------------------------------------

    /// Creates a draft product. Only a title is required; the handle is derived from it and
    /// made unique with a numeric suffix when another product already has it.
    pub async fn product_create(
        &self,
        input: ProductInput,
        variants: Vec<VariantInput>,
    ) -> AppResult<Product> {
        let title = validate_title("title", input.title.as_deref().unwrap_or_default())?;
        let handle = match &input.handle {
            Some(h) => {
                validate_handle(h)?;
                h.clone()
            }
            None => self.free_handle(&slugify(&title)).await?,
        };
        if let Some(brand) = input.brand_id {
            if self.store.brands_by_ids(&[brand]).await?.is_empty() {
                return Err(not_found("brandId", "brand"));
            }
        }
        let collection_ids = input.collection_ids.clone().unwrap_or_default();
        self.require_collections(&collection_ids).await?;
        validate_options(&input.options)?;
        let now = Utc::now();
        let status = input.status.unwrap_or(ProductStatus::Draft);
        let mut product = Product {
            id: new_id(),
            handle,
            title,
            description: input.description.unwrap_or_default(),
            brand_id: input.brand_id,
            status,
            product_type: input.product_type.unwrap_or_default(),
            tags: clean_tags(input.tags.unwrap_or_default()),
            specs: input.specs.unwrap_or_default(),
            size_chart: input.size_chart,
            seo: input.seo.unwrap_or_default(),
            available_for_sale: false,
            created_at: now,
            updated_at: now,
            published_at: (status == ProductStatus::Active).then_some(now),
        };
        let mut options: Vec<ProductOption> = input
            .options
            .iter()
            .enumerate()
            .map(|(i, (name, values))| ProductOption {
                id: new_id(),
                product_id: product.id,
                name: name.trim().to_owned(),
                position: i32::try_from(i + 1).unwrap_or(i32::MAX),
                values: values.iter().map(|v| v.trim().to_owned()).collect(),
            })
            .collect();
        let drafts = build_variants(product.id, &mut options, &[], variants, "variants")?;
        product.available_for_sale = drafts.iter().any(|d| d.variant.available_for_sale());
        let draft = ProductDraft {
            product: product.clone(),
            options,
            variants: drafts,
            images: vec![],
            collection_ids,
        };
        self.store.insert_products(vec![draft]).await?;
        Ok(product)
    }

    async fn free_handle(&self, base: &str) -> AppResult<String> {
        if self.store.product_by_handle(base).await?.is_none() {
            return Ok(base.to_owned());
        }
        for n in 2..50 {
            let candidate = format!("{base}-{n}");
            if self.store.product_by_handle(&candidate).await?.is_none() {
                return Ok(candidate);
            }
        }
        Ok(format!("{base}-{}", &new_id().simple().to_string()[..8]))
    }

    pub async fn product(&self, id: Uuid) -> AppResult<Product> {
        self.store
            .products_by_ids(&[id])
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| not_found("id", "product"))
    }

    pub async fn product_update(&self, id: Uuid, input: ProductInput) -> AppResult<Product> {
        let mut p = self.product(id).await?;
        if let Some(title) = &input.title {
            p.title = validate_title("title", title)?;
        }
        if let Some(handle) = input.handle {
            validate_handle(&handle)?;
            p.handle = handle;
        }
        if let Some(d) = input.description {
            p.description = d;
        }
        if let Some(brand) = input.brand_id {
            if self.store.brands_by_ids(&[brand]).await?.is_empty() {
                return Err(not_found("brandId", "brand"));
            }
            p.brand_id = Some(brand);
        }
        if let Some(status) = input.status {
            if status == ProductStatus::Active && p.published_at.is_none() {
                p.published_at = Some(Utc::now());
            }
            p.status = status;
        }
        if let Some(t) = input.product_type {
            p.product_type = t;
        }
        if let Some(tags) = input.tags {
            p.tags = clean_tags(tags);
        }
        if let Some(specs) = input.specs {
            p.specs = specs;
        }
        if input.size_chart.is_some() {
            p.size_chart = input.size_chart;
        }
        if let Some(seo) = input.seo {
            p.seo = seo;
        }
        if !input.options.is_empty() {
            return Err(UserError::new(
                &["options"],
                ErrorCode::Invalid,
                "options are set on creation; add values through productVariantsBulkCreate",
            )
            .into());
        }
        if let Some(ids) = &input.collection_ids {
            self.require_collections(ids).await?;
        }
        p.updated_at = Utc::now();
        self.store.update_product(&p).await?;
        if let Some(ids) = input.collection_ids {
            self.store.set_product_collections(p.id, &ids).await?;
        }
        Ok(p)
    }

    pub async fn product_delete(&self, id: Uuid) -> AppResult<()> {
        self.store.delete_product(id).await.map_err(|e| match e {
            StoreError::NotFound => not_found("id", "product"),
            other => other.into(),
        })
    }

    /// Adds variants. Option values that the product does not have yet are appended to its
    /// options. Any invalid row rejects the whole call, with errors pointing at each bad row.
    pub async fn variants_bulk_create(
        &self,
        product_id: Uuid,
        variants: Vec<VariantInput>,
    ) -> AppResult<Vec<Variant>> {
        self.product(product_id).await.map_err(|_| not_found("productId", "product"))?;
        let mut options = self.store.options_of_products(&[product_id]).await?;
        let existing = self.store.variants_of_products(&[product_id]).await?;
        let drafts = build_variants(product_id, &mut options, &existing, variants, "variants")?;
        self.store.save_variants(product_id, &options, &drafts).await?;
        Ok(drafts.into_iter().map(|d| d.variant).collect())
    }

    /// Changes variants by id; fields left out keep their values. All-or-nothing like create.
    pub async fn variants_bulk_update(
        &self,
        product_id: Uuid,
        updates: Vec<VariantInput>,
    ) -> AppResult<Vec<Variant>> {
        self.product(product_id).await.map_err(|_| not_found("productId", "product"))?;
        let options = self.store.options_of_products(&[product_id]).await?;
        let existing = self.store.variants_of_products(&[product_id]).await?;
        let prices = self
            .store
            .prices_of_variants(&existing.iter().map(|v| v.id).collect::<Vec<_>>())
            .await?;
        let mut errors = Vec::new();
        let mut drafts: Vec<VariantDraft> = Vec::new();
        for (i, input) in updates.into_iter().enumerate() {
            let row = vec!["variants".to_owned(), i.to_string()];
            let Some(mut v) = input.id.and_then(|id| existing.iter().find(|v| v.id == id).cloned())
            else {
                errors.push(UserError::not_found("id", "variant of this product").at(&row));
                continue;
            };
            match apply_variant_input(&mut v, &input, &options) {
                Ok(()) => {}
                Err(e) => {
                    errors.push(e.at(&row));
                    continue;
                }
            }
            let variant_prices = match &input.prices {
                Some(p) => match parse_prices(v.id, p) {
                    Ok(p) => p,
                    Err(e) => {
                        errors.push(e.at(&row));
                        continue;
                    }
                },
                None => prices.iter().filter(|p| p.variant_id == v.id).copied().collect(),
            };
            v.updated_at = Utc::now();
            drafts.push(VariantDraft { variant: v, prices: variant_prices });
        }
        check_unique_combinations(&existing, &drafts, &mut errors);
        if !errors.is_empty() {
            return Err(AppError::User(errors));
        }
        self.store.save_variants(product_id, &options, &drafts).await?;
        Ok(drafts.into_iter().map(|d| d.variant).collect())
    }

    // ---- images ---------------------------------------------------------------------------

    pub async fn images_add(
        &self,
        product_id: Uuid,
        images: Vec<NewImage>,
    ) -> AppResult<Vec<Image>> {
        self.product(product_id).await.map_err(|_| not_found("productId", "product"))?;
        let existing = self.store.images_of_products(&[product_id]).await?;
        let last = existing.iter().map(|i| i.position).max().unwrap_or(0);
        let mut out = Vec::new();
        for (i, image) in images.into_iter().enumerate() {
            let url = image.url.trim().to_owned();
            if !is_web_url(&url, true) {
                return Err(AppError::user(
                    UserError::new(
                        &["url"],
                        ErrorCode::Invalid,
                        "url must be an http(s) URL or an absolute path",
                    )
                    .at(&["images".to_owned(), i.to_string()]),
                ));
            }
            let position = last.saturating_add(i32::try_from(i + 1).unwrap_or(i32::MAX));
            out.push(Image {
                id: new_id(),
                product_id,
                url,
                alt_text: image.alt_text,
                width: image.width,
                height: image.height,
                position,
            });
        }
        self.store.insert_images(&out).await?;
        Ok(out)
    }

    pub async fn image_delete(&self, id: Uuid) -> AppResult<()> {
        self.store.delete_image(id).await.map_err(|e| match e {
            StoreError::NotFound => not_found("id", "image"),
            other => other.into(),
        })
    }

    // ---- translations ---------------------------------------------------------------------

    /// Registers translated texts of one object: (language, field, text) triples.
    pub async fn translations_register(
        &self,
        kind: NodeKind,
        resource_id: Uuid,
        entries: Vec<(String, String, String)>,
    ) -> AppResult<()> {
        let fields = catalog::translatable_fields(kind);
        if fields.is_empty() {
            return Err(UserError::new(
                &["resourceId"],
                ErrorCode::Invalid,
                format!("{} has no translatable fields", kind.as_str()),
            )
            .into());
        }
        self.require_resource(kind, resource_id).await?;
        // What keyed translations may name: an option's values; a product's spec names and
        // size-chart headers.
        let (option_values, spec_names, headers) = match kind {
            NodeKind::ProductOption => {
                let values = self.store.option_by_id(resource_id).await?.map(|o| o.values);
                (values.unwrap_or_default(), vec![], vec![])
            }
            NodeKind::Product => {
                let product = self.product(resource_id).await?;
                let names = product.specs.into_iter().map(|s| s.name).collect();
                (vec![], names, product.size_chart.map(|c| c.headers).unwrap_or_default())
            }
            _ => (vec![], vec![], vec![]),
        };
        let mut clean = Vec::with_capacity(entries.len());
        for (i, (language, field, text)) in entries.into_iter().enumerate() {
            let row = vec!["translations".to_owned(), i.to_string()];
            let language = language.to_lowercase().replace('_', "-");
            if !is_language_tag(&language) {
                return Err(AppError::user(
                    UserError::new(
                        &["locale"],
                        ErrorCode::Invalid,
                        "locale must be an ISO 639-1 code",
                    )
                    .at(&row),
                ));
            }
            let field = stored_key(&field);
            if !catalog::is_translatable_key(kind, &field) {
                let mut keys = fields.join(", ");
                match kind {
                    NodeKind::ProductOption => keys.push_str(", value:<an option value>"),
                    NodeKind::Product => keys.push_str(
                        ", spec_name:<spec>, spec_value:<spec>, size_chart_header:<header>",
                    ),
                    _ => {}
                }
                return Err(AppError::user(
                    UserError::new(
                        &["key"],
                        ErrorCode::Invalid,
                        format!("translatable keys are: {keys}"),
                    )
                    .at(&row),
                ));
            }
            let named = [
                (catalog::OPTION_VALUE_KEY, &option_values, "value of this option"),
                (catalog::SPEC_NAME_KEY, &spec_names, "spec of this product"),
                (catalog::SPEC_VALUE_KEY, &spec_names, "spec of this product"),
                (catalog::SIZE_CHART_HEADER_KEY, &headers, "size-chart header of this product"),
            ];
            for (prefix, known, what) in named {
                if let Some(name) = field.strip_prefix(prefix) {
                    if !known.iter().any(|k| k == name) {
                        return Err(AppError::user(UserError::not_found("key", what).at(&row)));
                    }
                }
            }
            clean.push((language, field, text));
        }
        Ok(self.store.save_translations(resource_id, &clean).await?)
    }

    pub async fn translations_remove(
        &self,
        kind: NodeKind,
        resource_id: Uuid,
        languages: Vec<String>,
        keys: Vec<String>,
    ) -> AppResult<u64> {
        self.require_resource(kind, resource_id).await?;
        let languages: Vec<String> =
            languages.iter().map(|l| l.to_lowercase().replace('_', "-")).collect();
        let keys: Vec<String> = keys.iter().map(|k| stored_key(k)).collect();
        Ok(self.store.remove_translations(resource_id, &languages, &keys).await?)
    }

    async fn require_resource(&self, kind: NodeKind, id: Uuid) -> AppResult<()> {
        let found = match kind {
            NodeKind::Product => !self.store.products_by_ids(&[id]).await?.is_empty(),
            NodeKind::Collection => !self.store.collections_by_ids(&[id]).await?.is_empty(),
            NodeKind::Brand => !self.store.brands_by_ids(&[id]).await?.is_empty(),
            NodeKind::ProductOption => self.store.option_by_id(id).await?.is_some(),
            _ => false,
        };
        if found {
            Ok(())
        } else {
            Err(not_found("resourceId", kind.as_str()))
        }
    }
}

/// The stored form of a translation key: field names arrive camelCase (`seoTitle`) and are
/// stored snake_case; keyed ones (`value:Sky Blue`, `spec_name:Material`) are kept as written.
fn stored_key(key: &str) -> String {
    if key.contains(':') {
        key.to_owned()
    } else {
        to_snake(key)
    }
}

fn to_snake(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    for ch in key.chars() {
        if ch.is_ascii_uppercase() {
            out.push('_');
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

fn clean_tags(tags: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> =
        tags.into_iter().map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).collect();
    out.sort();
    out.dedup();
    out
}

fn new_storefront_key() -> String {
    format!("sf_{}", new_id().simple())
}

fn apply_variant_input(
    v: &mut Variant,
    input: &VariantInput,
    options: &[ProductOption],
) -> Result<(), UserError> {
    if let Some(sku) = &input.sku {
        v.sku = validate_sku(sku)?;
    }
    if let Some(values) = &input.option_values {
        v.selected_options = validate_selected_options(options, values)?;
        v.title = variant_title(&v.selected_options);
    }
    if input.barcode.is_some() {
        v.barcode = input.barcode.clone();
    }
    if let Some(w) = input.weight_grams {
        if w < 0 {
            return Err(UserError::new(
                &["weightGrams"],
                ErrorCode::Invalid,
                "weight cannot be negative",
            ));
        }
        v.weight_grams = Some(w);
    }
    if input.image_id.is_some() {
        v.image_id = input.image_id;
    }
    if let Some(t) = input.inventory_tracked {
        v.inventory_tracked = t;
    }
    Ok(())
}

/// Validates new variant rows against the product's options (extending them with new values)
/// and against each other. Returns every row's errors at once.
fn build_variants(
    product_id: Uuid,
    options: &mut [ProductOption],
    existing: &[Variant],
    inputs: Vec<VariantInput>,
    path: &str,
) -> AppResult<Vec<VariantDraft>> {
    let mut errors = Vec::new();
    let mut drafts = Vec::new();
    let now = Utc::now();
    let first_position = existing.iter().map(|v| v.position).max().unwrap_or(0);
    for (i, input) in inputs.into_iter().enumerate() {
        let row = vec![path.to_owned(), i.to_string()];
        let given = input.option_values.clone().unwrap_or_default();
        // Shopify-style: a variant may introduce a new value of an existing option.
        for g in &given {
            if let Some(o) = options.iter_mut().find(|o| o.name.eq_ignore_ascii_case(&g.name)) {
                if !g.value.trim().is_empty() && !o.values.contains(&g.value) {
                    o.values.push(g.value.clone());
                }
            }
        }
        let Some(sku) = input.sku.clone() else {
            errors.push(UserError::new(&["sku"], ErrorCode::Blank, "sku can't be blank").at(&row));
            continue;
        };
        let id = new_id();
        let mut v = Variant {
            id,
            product_id,
            sku,
            title: String::new(),
            barcode: None,
            weight_grams: None,
            selected_options: vec![],
            position: first_position + i32::try_from(i + 1).unwrap_or(i32::MAX / 2),
            image_id: None,
            inventory_tracked: true,
            inventory_quantity: 0,
            created_at: now,
            updated_at: now,
        };
        let mut with_options = input.clone();
        with_options.option_values = Some(given);
        if let Err(e) = apply_variant_input(&mut v, &with_options, options) {
            errors.push(e.at(&row));
            continue;
        }
        match parse_prices(id, input.prices.as_deref().unwrap_or_default()) {
            Ok(prices) => drafts.push(VariantDraft { variant: v, prices }),
            Err(e) => errors.push(e.at(&row)),
        }
    }
    check_unique_combinations(existing, &drafts, &mut errors);
    if errors.is_empty() {
        Ok(drafts)
    } else {
        Err(AppError::User(errors))
    }
}

/// No two variants of a product may share SKU or option values.
fn check_unique_combinations(
    existing: &[Variant],
    drafts: &[VariantDraft],
    errors: &mut Vec<UserError>,
) {
    let changed: std::collections::HashSet<Uuid> = drafts.iter().map(|d| d.variant.id).collect();
    let mut seen_options: Vec<&Vec<SelectedOption>> =
        existing.iter().filter(|v| !changed.contains(&v.id)).map(|v| &v.selected_options).collect();
    let mut seen_skus: Vec<&str> =
        existing.iter().filter(|v| !changed.contains(&v.id)).map(|v| v.sku.as_str()).collect();
    for (i, d) in drafts.iter().enumerate() {
        let row = vec!["variants".to_owned(), i.to_string()];
        if seen_options.contains(&&d.variant.selected_options) {
            errors.push(
                UserError::new(
                    &["optionValues"],
                    ErrorCode::Taken,
                    format!("a variant `{}` already exists", d.variant.title),
                )
                .at(&row),
            );
        }
        if seen_skus.contains(&d.variant.sku.as_str()) {
            errors.push(
                UserError::new(
                    &["sku"],
                    ErrorCode::Taken,
                    format!("sku `{}` is already taken", d.variant.sku),
                )
                .at(&row),
            );
        }
        seen_options.push(&d.variant.selected_options);
        seen_skus.push(&d.variant.sku);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(name: &str, value: &str) -> SelectedOption {
        SelectedOption { name: name.to_owned(), value: value.to_owned() }
    }

    fn size_option() -> Vec<ProductOption> {
        vec![ProductOption {
            id: Uuid::nil(),
            product_id: Uuid::nil(),
            name: "Size".to_owned(),
            position: 1,
            values: vec!["S".to_owned()],
        }]
    }

    fn input(sku: &str, size: &str, price: &str) -> VariantInput {
        VariantInput {
            sku: Some(sku.to_owned()),
            option_values: Some(vec![sel("Size", size)]),
            prices: Some(vec![PriceInput {
                currency: "EUR".to_owned(),
                amount: price.to_owned(),
                compare_at: None,
            }]),
            ..VariantInput::default()
        }
    }

    fn user_errors(result: AppResult<Vec<VariantDraft>>) -> Vec<UserError> {
        match result {
            Err(AppError::User(errors)) => errors,
            other => panic!("expected user errors, got {other:?}"),
        }
    }

    #[test]
    fn new_option_values_extend_the_product_options() {
        let mut options = size_option();
        let drafts = build_variants(
            Uuid::nil(),
            &mut options,
            &[],
            vec![input("A", "S", "10"), input("B", "M", "12.50")],
            "variants",
        )
        .expect("valid rows");
        assert_eq!(options[0].values, vec!["S".to_owned(), "M".to_owned()]);
        assert_eq!(drafts[1].prices[0].price.minor, 1250);
        assert_eq!(drafts[1].variant.title, "M");
    }

    #[test]
    fn bulk_create_reports_every_bad_row_by_index() {
        let mut options = size_option();
        let errors = user_errors(build_variants(
            Uuid::nil(),
            &mut options,
            &[],
            vec![input("A", "S", "10"), input("B C", "M", "10"), input("D", "L", "1.234")],
            "variants",
        ));
        let fields: Vec<Vec<String>> = errors.iter().map(|e| e.field.clone()).collect();
        assert!(fields.contains(&vec!["variants".to_owned(), "1".to_owned(), "sku".to_owned()]));
        assert!(fields.contains(&vec![
            "variants".to_owned(),
            "2".to_owned(),
            "prices".to_owned(),
            "0".to_owned(),
            "amount".to_owned()
        ]));
    }

    #[test]
    fn duplicate_skus_and_option_combinations_are_rejected() {
        let mut options = size_option();
        let errors = user_errors(build_variants(
            Uuid::nil(),
            &mut options,
            &[],
            vec![input("A", "S", "10"), input("A", "S", "10")],
            "variants",
        ));
        let codes: Vec<ErrorCode> = errors.iter().map(|e| e.code).collect();
        assert_eq!(codes, vec![ErrorCode::Taken, ErrorCode::Taken]);
    }

    #[test]
    fn camel_case_keys_map_to_stored_fields() {
        assert_eq!(to_snake("seoTitle"), "seo_title");
        assert_eq!(to_snake("title"), "title");
    }
}
