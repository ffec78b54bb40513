//! The product listing query behind `products`, `collection.products` and admin lists:
//! visibility, filters, sort keys and keyset pagination in one statement.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{
    ColumnTrait, EntityTrait, FromQueryResult, Order, QueryFilter, QueryOrder, QueryResult,
    QuerySelect,
};
use uuid::Uuid;
use vitrine_domain::catalog::{Product, ProductStatus};
use vitrine_domain::money::Currency;

use crate::entity::products;
use crate::mapping;
use crate::{Store, StoreError};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProductSort {
    Id,
    Title,
    CreatedAt,
    UpdatedAt,
    /// Cheapest variant price in the listing's currency; products without one sort last.
    Price,
    /// The order products were placed in within the listing's collection.
    CollectionPosition,
}

/// Where a row sits in its sort order; cursors carry it with the row's id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SortValue {
    None,
    Text(String),
    Time(DateTime<Utc>),
    Int(i64),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageDirection {
    /// `first`/`after`.
    Forward,
    /// `last`/`before`.
    Backward,
}

#[derive(Clone, Debug)]
pub struct ProductListing {
    /// Statuses to include; storefronts see only active products.
    pub statuses: Vec<ProductStatus>,
    /// Brands the caller's channel carries; `None` means every brand (admin views).
    pub channel_brand_ids: Option<Vec<Uuid>>,
    pub brand_ids: Option<Vec<Uuid>>,
    pub collection_id: Option<Uuid>,
    /// (option name, value) pairs: values of one option widen, different options narrow.
    pub option_values: Vec<(String, String)>,
    pub currency: Currency,
    pub price_min: Option<i64>,
    pub price_max: Option<i64>,
    pub available: Option<bool>,
    pub title_contains: Option<String>,
    pub tag: Option<String>,
    pub product_type: Option<String>,
    pub sort: ProductSort,
    pub reverse: bool,
    pub direction: PageDirection,
    pub cursor: Option<(SortValue, Uuid)>,
    pub limit: u64,
}

pub struct Page<T> {
    /// Rows in display order, each with its sort position.
    pub items: Vec<(T, SortValue)>,
    /// Whether more rows lie beyond the page in the direction of travel.
    pub has_more: bool,
}

const NO_PRICE: i64 = i64::MAX;

struct Row {
    product: products::Model,
    sort_int: Option<i64>,
}

impl FromQueryResult for Row {
    fn from_query_result(res: &QueryResult, pre: &str) -> Result<Self, sea_orm::DbErr> {
        Ok(Row {
            product: products::Model::from_query_result(res, pre)?,
            sort_int: res.try_get(pre, "sort_int").ok(),
        })
    }
}

fn sort_expr(listing: &ProductListing, pg: bool) -> SimpleExpr {
    match listing.sort {
        ProductSort::Id => Expr::col((products::Entity, products::Column::Id)).into(),
        ProductSort::Title => Expr::col((products::Entity, products::Column::Title)).into(),
        ProductSort::CreatedAt => Expr::col((products::Entity, products::Column::CreatedAt)).into(),
        ProductSort::UpdatedAt => Expr::col((products::Entity, products::Column::UpdatedAt)).into(),
        ProductSort::Price => custom(
            pg,
            &format!(
                "COALESCE((SELECT pp.min_amount FROM product_prices pp \
                 WHERE pp.product_id = products.id AND pp.currency = ?), {NO_PRICE})"
            ),
            [listing.currency.to_string()],
        ),
        ProductSort::CollectionPosition => custom(
            pg,
            "COALESCE((SELECT pc.position FROM product_collections pc \
             WHERE pc.product_id = products.id AND pc.collection_id = ?), 0)",
            [listing.collection_id.unwrap_or_default()],
        ),
    }
}

/// A custom SQL fragment written with `?` placeholders, which sea-query passes through as-is;
/// PostgreSQL wants them numbered (`$1`, `$2`, renumbered within the whole statement).
fn custom<V, I>(pg: bool, sql: &str, values: I) -> SimpleExpr
where
    V: Into<sea_orm::Value>,
    I: IntoIterator<Item = V>,
{
    if !pg {
        return Expr::cust_with_values(sql, values);
    }
    let mut numbered = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for ch in sql.chars() {
        if ch == '?' {
            n += 1;
            numbered.push_str(&format!("${n}"));
        } else {
            numbered.push(ch);
        }
    }
    Expr::cust_with_values(numbered, values)
}

fn escape_like(text: &str) -> String {
    text.chars().filter(|c| !matches!(c, '%' | '_' | '\\')).collect::<String>().to_lowercase()
}

impl Store {
    /// One page of products. Fetches one row more than asked to learn whether more follow.
    pub async fn list_products(
        &self,
        listing: &ProductListing,
    ) -> Result<Page<Product>, StoreError> {
        use products::Column as C;
        let pg = self.is_postgres();
        let mut query = products::Entity::find();
        let statuses: Vec<&str> = listing.statuses.iter().map(|s| s.as_str()).collect();
        query = query.filter(C::Status.is_in(statuses));
        if let Some(ids) = &listing.channel_brand_ids {
            query = query.filter(C::BrandId.is_in(ids.clone()));
        }
        if let Some(ids) = &listing.brand_ids {
            query = query.filter(C::BrandId.is_in(ids.clone()));
        }
        if let Some(collection) = listing.collection_id {
            query = query.filter(custom(pg,
                "products.id IN (SELECT pc.product_id FROM product_collections pc WHERE pc.collection_id = ?)",
                [collection],
            ));
        }
        let mut names: Vec<&str> = listing.option_values.iter().map(|(n, _)| n.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        for name in names {
            let values: Vec<String> = listing
                .option_values
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
                .collect();
            let marks = vec!["?"; values.len()].join(", ");
            let mut params: Vec<sea_orm::Value> = vec![name.into()];
            params.extend(values.into_iter().map(sea_orm::Value::from));
            query = query.filter(custom(
                pg,
                &format!(
                    "products.id IN (SELECT vo.product_id FROM variant_option_values vo \
                     WHERE vo.name = ? AND vo.option_value IN ({marks}))"
                ),
                params,
            ));
        }
        if listing.price_min.is_some() || listing.price_max.is_some() {
            query = query.filter(custom(
                pg,
                "products.id IN (SELECT v.product_id FROM product_variants v \
                 JOIN variant_prices vp ON vp.variant_id = v.id \
                 WHERE vp.currency = ? AND vp.amount >= ? AND vp.amount <= ?)",
                [
                    sea_orm::Value::from(listing.currency.to_string()),
                    listing.price_min.unwrap_or(0).into(),
                    listing.price_max.unwrap_or(i64::MAX).into(),
                ],
            ));
        }
        if let Some(available) = listing.available {
            query = query.filter(C::AvailableForSale.eq(available));
        }
        if let Some(text) = &listing.title_contains {
            query = query.filter(custom(
                pg,
                "LOWER(products.title) LIKE ?",
                [format!("%{}%", escape_like(text))],
            ));
        }
        if let Some(tag) = &listing.tag {
            query = query.filter(C::Tags.like(format!("%{}%", mapping::to_json(tag))));
        }
        if let Some(kind) = &listing.product_type {
            query = query.filter(C::ProductType.eq(kind.clone()));
        }

        let descending = listing.reverse != (listing.direction == PageDirection::Backward);
        let order = if descending { Order::Desc } else { Order::Asc };
        let sort = sort_expr(listing, pg);
        if let Some((value, id)) = &listing.cursor {
            let id_col = Expr::col((products::Entity, C::Id));
            let keyset: SimpleExpr = match (listing.sort, value) {
                (ProductSort::Id, _) => {
                    if descending {
                        id_col.lt(*id)
                    } else {
                        id_col.gt(*id)
                    }
                }
                (_, SortValue::Text(t)) => keyset(sort.clone(), descending, t.clone().into(), *id),
                (_, SortValue::Time(t)) => keyset(sort.clone(), descending, (*t).into(), *id),
                (_, SortValue::Int(n)) => keyset(sort.clone(), descending, (*n).into(), *id),
                (_, SortValue::None) => id_col.gt(*id),
            };
            query = query.filter(keyset);
        }
        let with_int = matches!(listing.sort, ProductSort::Price | ProductSort::CollectionPosition);
        if with_int {
            query = query.expr_as(sort.clone(), "sort_int");
        }
        let rows: Vec<Row> = query
            .order_by(sort, order.clone())
            .order_by(C::Id, order)
            .limit(listing.limit + 1)
            .into_model::<Row>()
            .all(&self.db)
            .await?;
        let has_more = rows.len() as u64 > listing.limit;
        let mut items = Vec::with_capacity(rows.len());
        for row in rows.into_iter().take(listing.limit as usize) {
            let product = mapping::product(row.product)?;
            let value = match listing.sort {
                ProductSort::Id => SortValue::None,
                ProductSort::Title => SortValue::Text(product.title.clone()),
                ProductSort::CreatedAt => SortValue::Time(product.created_at),
                ProductSort::UpdatedAt => SortValue::Time(product.updated_at),
                ProductSort::Price | ProductSort::CollectionPosition => {
                    SortValue::Int(row.sort_int.unwrap_or(NO_PRICE))
                }
            };
            items.push((product, value));
        }
        if listing.direction == PageDirection::Backward {
            items.reverse();
        }
        Ok(Page { items, has_more })
    }
}

/// `(sort op value) OR (sort = value AND id op last_id)`, with `op` `>` ascending, `<` descending.
fn keyset(sort: SimpleExpr, descending: bool, value: sea_orm::Value, id: Uuid) -> SimpleExpr {
    let id_col = Expr::col((products::Entity, products::Column::Id));
    let (beyond, id_beyond) = if descending {
        (Expr::expr(sort.clone()).lt(value.clone()), id_col.lt(id))
    } else {
        (Expr::expr(sort.clone()).gt(value.clone()), id_col.gt(id))
    };
    beyond.or(Expr::expr(sort).eq(value).and(id_beyond))
}
