//! Product listings: filters, sort keys and keyset-paginated connections, shared by
//! `products`, `collection.products` and `brand.products`.

use async_graphql::connection::{Connection, CursorType, Edge};
use async_graphql::{Context, Enum, InputObject};
use uuid::Uuid;
use vitrine_app::store_listing::{PageDirection, ProductListing, ProductSort};
use vitrine_domain::access::Permission;
use vitrine_domain::catalog::ProductStatus;
use vitrine_domain::money::Money;

use crate::connection::{page_size, KeysetCursor};
use crate::context::ContextExt;
use crate::error::{bad_input, ResultExt};
use crate::types::product::SelectedOption;
use crate::types::Product;

/// Sort orders of `products`. Only keys that really sort are offered.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProductSortKeys {
    Title,
    Price,
    CreatedAt,
    UpdatedAt,
    Id,
}

/// Sort orders of `collection.products`.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProductCollectionSortKeys {
    /// The order staff arranged the collection in.
    CollectionDefault,
    Manual,
    Title,
    Price,
    Created,
    Id,
}

#[derive(InputObject, Clone, Debug, Default)]
pub struct PriceRangeFilter {
    /// Lowest price, in the request's currency.
    pub min: Option<f64>,
    pub max: Option<f64>,
}

/// Filters for product listings. Within `variantOption`, values of the same option widen the
/// result (size M or L); everything else narrows it.
#[derive(InputObject, Clone, Debug, Default)]
pub struct ProductFilter {
    pub available: Option<bool>,
    pub price: Option<PriceRangeFilter>,
    /// Brand handles.
    pub brand: Option<Vec<String>>,
    /// Brand name, as Shopify's `productVendor`.
    pub product_vendor: Option<String>,
    /// A collection handle.
    pub collection: Option<String>,
    pub product_type: Option<String>,
    pub tag: Option<String>,
    pub variant_option: Option<Vec<SelectedOption>>,
}

impl ProductSortKeys {
    fn sort(self) -> ProductSort {
        match self {
            ProductSortKeys::Title => ProductSort::Title,
            ProductSortKeys::Price => ProductSort::Price,
            ProductSortKeys::CreatedAt => ProductSort::CreatedAt,
            ProductSortKeys::UpdatedAt => ProductSort::UpdatedAt,
            ProductSortKeys::Id => ProductSort::Id,
        }
    }
}

impl ProductCollectionSortKeys {
    pub fn sort(self) -> ProductSort {
        match self {
            ProductCollectionSortKeys::CollectionDefault | ProductCollectionSortKeys::Manual => {
                ProductSort::CollectionPosition
            }
            ProductCollectionSortKeys::Title => ProductSort::Title,
            ProductCollectionSortKeys::Price => ProductSort::Price,
            ProductCollectionSortKeys::Created => ProductSort::CreatedAt,
            ProductCollectionSortKeys::Id => ProductSort::Id,
        }
    }
}

impl From<ProductSortKeys> for ProductSort {
    fn from(k: ProductSortKeys) -> Self {
        k.sort()
    }
}

fn sort_name(sort: ProductSort) -> &'static str {
    match sort {
        ProductSort::Id => "ID",
        ProductSort::Title => "TITLE",
        ProductSort::CreatedAt => "CREATED_AT",
        ProductSort::UpdatedAt => "UPDATED_AT",
        ProductSort::Price => "PRICE",
        ProductSort::CollectionPosition => "POSITION",
    }
}

/// The arguments every product connection takes.
pub struct ListingArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
    pub sort: ProductSort,
    pub reverse: bool,
    pub filters: Vec<ProductFilter>,
    pub query: Option<String>,
    pub collection_id: Option<Uuid>,
    pub brand_id: Option<Uuid>,
}

fn to_minor(ctx: &Context<'_>, amount: f64) -> async_graphql::Result<i64> {
    if !amount.is_finite() || amount < 0.0 {
        return Err(bad_input("price filter bounds must be non-negative numbers"));
    }
    let currency = ctx.req().currency;
    let text = format!("{amount:.*}", currency.exponent() as usize);
    Money::parse(&text, currency).map(|m| m.minor).map_err(|e| bad_input(e.to_string()))
}

/// Runs a listing for the caller: storefront callers see active products of their channel's
/// brands; staff with `catalog:read` see every product in every status.
pub async fn product_connection(
    ctx: &Context<'_>,
    args: ListingArgs,
) -> async_graphql::Result<Connection<KeysetCursor, Product>> {
    let req = ctx.req();
    let app = ctx.app();
    let limit = page_size(ctx, args.first, args.last)?;
    let admin = req.actor.has(Permission::CatalogRead);
    let mut listing = ProductListing {
        statuses: if admin {
            vec![ProductStatus::Draft, ProductStatus::Active, ProductStatus::Archived]
        } else {
            vec![ProductStatus::Active]
        },
        channel_brand_ids: (!admin).then(|| req.channel.brand_ids.clone()),
        brand_ids: args.brand_id.map(|b| vec![b]),
        collection_id: args.collection_id,
        option_values: vec![],
        currency: req.currency,
        price_min: None,
        price_max: None,
        available: None,
        title_contains: args.query.filter(|q| !q.trim().is_empty()),
        tag: None,
        product_type: None,
        sort: args.sort,
        reverse: args.reverse,
        direction: if args.last.is_some() {
            PageDirection::Backward
        } else {
            PageDirection::Forward
        },
        cursor: None,
        limit: limit as u64,
    };
    if args.sort == ProductSort::CollectionPosition && listing.collection_id.is_none() {
        return Err(bad_input("this sort key needs a collection"));
    }
    let mut brand_filter: Option<Vec<Uuid>> = None;
    for filter in args.filters {
        if let Some(a) = filter.available {
            listing.available = Some(a);
        }
        if let Some(price) = filter.price {
            if let Some(min) = price.min {
                listing.price_min = Some(to_minor(ctx, min)?);
            }
            if let Some(max) = price.max {
                listing.price_max = Some(to_minor(ctx, max)?);
            }
        }
        if filter.brand.is_some() || filter.product_vendor.is_some() {
            let brands = app.store.brands().await.gql()?;
            let handles = filter.brand.unwrap_or_default();
            let ids = brands
                .iter()
                .filter(|b| {
                    handles.contains(&b.handle)
                        || filter.product_vendor.as_deref() == Some(b.name.as_str())
                })
                .map(|b| b.id);
            brand_filter.get_or_insert_with(Vec::new).extend(ids);
        }
        if let Some(handle) = filter.collection {
            match app.store.collection_by_handle(&handle).await.gql()? {
                Some(c) if listing.collection_id.is_none_or(|id| id == c.id) => {
                    listing.collection_id = Some(c.id)
                }
                // A collection that does not exist, or a second one, matches nothing.
                _ => listing.statuses.clear(),
            }
        }
        if let Some(t) = filter.product_type {
            listing.product_type = Some(t);
        }
        if let Some(t) = filter.tag {
            listing.tag = Some(t);
        }
        for option in filter.variant_option.unwrap_or_default() {
            listing.option_values.push((option.name, option.value));
        }
    }
    if let Some(ids) = brand_filter {
        listing.brand_ids = Some(match listing.brand_ids.take() {
            Some(scoped) => ids.into_iter().filter(|id| scoped.contains(id)).collect(),
            None => ids,
        });
    }
    let cursor_text = if args.last.is_some() { args.before } else { args.after };
    if let Some(text) = cursor_text {
        let cursor = KeysetCursor::decode_cursor(&text).map_err(bad_input)?;
        if cursor.sort != sort_name(args.sort) {
            return Err(bad_input("this cursor belongs to another sort order"));
        }
        listing.cursor = Some((cursor.value, cursor.id));
    }
    if listing.statuses.is_empty() {
        return Ok(Connection::new(false, false));
    }
    let page = app.catalog.list_products(&listing).await.gql()?;
    let (has_previous, has_next) = match listing.direction {
        PageDirection::Forward => (listing.cursor.is_some(), page.has_more),
        PageDirection::Backward => (page.has_more, listing.cursor.is_some()),
    };
    let products: Vec<&vitrine_domain::catalog::Product> =
        page.items.iter().map(|(p, _)| p).collect();
    prefetch(ctx, &products).await?;
    let mut connection = Connection::new(has_previous, has_next);
    connection.edges.extend(page.items.into_iter().map(|(product, value)| {
        let cursor = KeysetCursor { sort: sort_name(args.sort).to_owned(), value, id: product.id };
        Edge::new(cursor, Product(product))
    }));
    Ok(connection)
}

/// Loads the relations a page's selection asks for, one statement per relation for the whole
/// page, straight from the store and concurrently, then feeds them into the request's loader
/// caches (with empty entries for objects that have none). The field resolvers then find
/// everything cached: the statement count of a page does not depend on its size, and no
/// loader has to wait out its batching delay.
async fn prefetch(
    ctx: &Context<'_>,
    products: &[&vitrine_domain::catalog::Product],
) -> async_graphql::Result<()> {
    if products.is_empty() {
        return Ok(());
    }
    let look = ctx.look_ahead();
    let (nodes, edges) = (look.field("nodes"), look.field("edges").field("node"));
    let wants = |field: &str| nodes.field(field).exists() || edges.field(field).exists();
    let wants_in = |field: &str, inner: &str| {
        [nodes.field(field), edges.field(field)].iter().any(|f| {
            f.field(inner).exists()
                || f.field("nodes").field(inner).exists()
                || f.field("edges").field("node").field(inner).exists()
        })
    };
    let req = ctx.req();
    let store = &ctx.app().store;
    let loaders = &req.loaders;
    let ids: Vec<Uuid> = products.iter().map(|p| p.id).collect();
    let brand_ids: Vec<Uuid> = products.iter().filter_map(|p| p.brand_id).collect();

    let variant_fields = [
        "variants",
        "selectedOrFirstAvailableVariant",
        "variantBySelectedOptions",
        "compareAtPriceRange",
    ];
    let want_variants = variant_fields.iter().any(|f| wants(f));
    let want_prices = wants("compareAtPriceRange")
        || variant_fields.iter().any(|f| {
            wants_in(f, "price") || wants_in(f, "compareAtPrice") || wants_in(f, "prices")
        });
    let want_all_prices = variant_fields.iter().any(|f| wants_in(f, "prices"));
    let want_variant_images = variant_fields.iter().any(|f| wants_in(f, "image"));
    let want_options = wants("options");
    let want_images = wants("images") || wants("featuredImage");
    let want_ranges = wants("priceRange");
    let want_brands = wants("brand") || wants("vendor");

    let (variants, options, images, ranges, brands) = tokio::join!(
        async {
            if want_variants {
                Some(store.variants_of_products(&ids).await)
            } else {
                None
            }
        },
        async {
            if want_options {
                Some(store.options_of_products(&ids).await)
            } else {
                None
            }
        },
        async {
            if want_images {
                Some(store.images_of_products(&ids).await)
            } else {
                None
            }
        },
        async {
            if want_ranges {
                Some(store.price_ranges_of_products(&ids).await)
            } else {
                None
            }
        },
        async {
            if want_brands {
                Some(store.brands_by_ids(&brand_ids).await)
            } else {
                None
            }
        },
    );
    let mut translated: Vec<Uuid> = if req.translating() { ids.clone() } else { vec![] };
    if let Some(rows) = options {
        let rows = rows.gql()?;
        translated.extend(rows.iter().map(|o| o.id));
        feed_groups(&loaders.options_of_product, &ids, rows, |o| o.product_id).await;
    }
    if let Some(rows) = images {
        feed_groups(&loaders.images_of_product, &ids, rows.gql()?, |i| i.product_id).await;
    }
    if let Some(rows) = ranges {
        feed_groups(&loaders.price_ranges_of_product, &ids, rows.gql()?, |r| r.product_id).await;
    }
    if let Some(rows) = brands {
        loaders.brand.feed_many(rows.gql()?.into_iter().map(|b| (b.id, b))).await;
    }
    if let Some(rows) = variants {
        let rows = rows.gql()?;
        let variant_ids: Vec<Uuid> = rows.iter().map(|v| v.id).collect();
        let image_ids: Vec<Uuid> = rows.iter().filter_map(|v| v.image_id).collect();
        let (prices, variant_images) = tokio::join!(
            async {
                if want_all_prices {
                    Some(store.prices_of_variants(&variant_ids).await)
                } else if want_prices {
                    // Storefront fields only ever show these two currencies.
                    let currencies =
                        [req.currency.to_string(), req.channel.default_currency.to_string()];
                    Some(store.prices_of_variants_in(&variant_ids, &currencies).await)
                } else {
                    None
                }
            },
            async {
                if want_variant_images && !image_ids.is_empty() {
                    Some(store.images_by_ids(&image_ids).await)
                } else {
                    None
                }
            },
        );
        if let Some(prices) = prices {
            feed_groups(&loaders.prices_of_variant, &variant_ids, prices.gql()?, |p| p.variant_id)
                .await;
        }
        if let Some(found) = variant_images {
            loaders.image.feed_many(found.gql()?.into_iter().map(|i| (i.id, i))).await;
        }
        feed_groups(&loaders.variants_of_product, &ids, rows, |v| v.product_id).await;
    }
    if !translated.is_empty() {
        let texts = store.translations(&translated, &req.language).await.gql()?;
        let mut by_id: std::collections::HashMap<Uuid, std::collections::HashMap<String, String>> =
            translated.iter().map(|id| (*id, Default::default())).collect();
        for ((id, field), text) in texts {
            by_id.entry(id).or_default().insert(field, text);
        }
        loaders.translations.feed_many(by_id).await;
    }
    Ok(())
}

/// Feeds rows grouped by owner into a loader, with an empty list for owners that have none,
/// so that no later lookup misses the cache.
async fn feed_groups<L, T>(
    loader: &crate::loaders::Cached<L>,
    owners: &[Uuid],
    rows: Vec<T>,
    owner: impl Fn(&T) -> Uuid,
) where
    L: async_graphql::dataloader::Loader<Uuid, Value = Vec<T>>,
    T: Clone + Send + Sync + 'static,
{
    let mut groups: std::collections::HashMap<Uuid, Vec<T>> =
        owners.iter().map(|id| (*id, Vec::new())).collect();
    for row in rows {
        groups.entry(owner(&row)).or_default().push(row);
    }
    loader.feed_many(groups).await;
}
