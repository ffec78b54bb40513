//! Product listings: filters, sort keys and keyset-paginated connections, shared by
//! `products`, `collection.products` and `brand.products`.

use std::sync::Arc;

use async_graphql::connection::{Connection, CursorType, Edge};
use async_graphql::{Context, Enum, InputObject};
use uuid::Uuid;
use vitrine_app::store_listing::{PageDirection, ProductListing, ProductSort, SortValue};
use vitrine_domain::access::Permission;
use vitrine_domain::catalog::{
    ProductStatus, MAX_FILTERS, MAX_FILTER_VALUES, MAX_OPTIONS, MAX_SEARCH_CHARS, MAX_TITLE_LEN,
};
use vitrine_domain::money::Money;
use vitrine_domain::product_view::ProductView;

use crate::catalog::product::SelectedOption;
use crate::catalog::Product;
use crate::connection::{page_size, KeysetCursor};
use crate::context::ContextExt;
use crate::error::{bad_input, ResultExt};

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

/// Search texts and filter lists within the domain's bounds, so that no listing builds a
/// statement the database refuses.
fn check_listing_input(args: &ListingArgs) -> async_graphql::Result<()> {
    if args.query.as_ref().is_some_and(|q| q.chars().count() > MAX_SEARCH_CHARS) {
        return Err(bad_input(format!("`query` is limited to {MAX_SEARCH_CHARS} characters")));
    }
    if args.filters.len() > MAX_FILTERS {
        return Err(bad_input(format!("at most {MAX_FILTERS} filters at a time")));
    }
    let values: usize = args
        .filters
        .iter()
        .map(|f| {
            f.variant_option.as_ref().map_or(0, Vec::len) + f.brand.as_ref().map_or(0, Vec::len)
        })
        .sum();
    if values > MAX_FILTER_VALUES {
        return Err(bad_input(format!(
            "filters name at most {MAX_FILTER_VALUES} option values and brands together"
        )));
    }
    let texts = args.filters.iter().flat_map(|f| {
        let options = f.variant_option.iter().flatten().flat_map(|o| [&o.name, &o.value]);
        let brands = f.brand.iter().flatten();
        let single = [&f.product_vendor, &f.collection, &f.product_type, &f.tag];
        options.chain(brands).chain(single.into_iter().flatten())
    });
    for text in texts {
        if text.chars().count() > MAX_TITLE_LEN {
            return Err(bad_input(format!(
                "a filter value is limited to {MAX_TITLE_LEN} characters"
            )));
        }
    }
    Ok(())
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
    check_listing_input(&args)?;
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
            let brands = app.reads.brands().await.gql()?;
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
            match app.reads.collection_by_handle(&handle).await.gql()? {
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
    let mut option_names: Vec<&str> =
        listing.option_values.iter().map(|(n, _)| n.as_str()).collect();
    option_names.sort_unstable();
    option_names.dedup();
    // No product has more options than the domain allows, so such a filter matches nothing.
    if listing.statuses.is_empty() || option_names.len() > MAX_OPTIONS {
        return Ok(Connection::new(false, false));
    }
    let page = app.catalog.list_products(&listing).await.gql()?;
    let (has_previous, has_next) = match listing.direction {
        PageDirection::Forward => (listing.cursor.is_some(), page.has_more),
        PageDirection::Backward => (page.has_more, listing.cursor.is_some()),
    };
    prefetch_brands(ctx, &page.items).await?;
    let mut connection = Connection::new(has_previous, has_next);
    connection.edges.extend(page.items.into_iter().map(|(view, value)| {
        let cursor =
            KeysetCursor { sort: sort_name(args.sort).to_owned(), value, id: view.product.id };
        Edge::new(cursor, Product(view))
    }));
    Ok(connection)
}

/// Products come whole from the read cache; only their brands live elsewhere. When the
/// selection asks for them, one statement loads the page's brands before the field
/// resolvers run, so that none of them waits out the DataLoader's batching delay.
async fn prefetch_brands(
    ctx: &Context<'_>,
    items: &[(Arc<ProductView>, SortValue)],
) -> async_graphql::Result<()> {
    let look = ctx.look_ahead();
    let (nodes, edges) = (look.field("nodes"), look.field("edges").field("node"));
    let wants = |field: &str| nodes.field(field).exists() || edges.field(field).exists();
    if !(wants("brand") || wants("vendor")) {
        return Ok(());
    }
    let mut ids: Vec<Uuid> = items.iter().filter_map(|(v, _)| v.product.brand_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let brands = ctx.app().reads.brands_by_ids(&ids).await.gql()?;
    ctx.req().loaders.brand.feed_many(brands.into_iter().map(|b| (b.id, b))).await;
    Ok(())
}
