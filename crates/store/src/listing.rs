//! The product listing query behind `products`, `collection.products` and admin lists:
//! visibility, filters, sort keys and keyset pagination in one statement.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, QueryResult, Statement, Value};
use uuid::Uuid;
use vitrine_domain::catalog::ProductStatus;
use vitrine_domain::money::Currency;

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

/// A product and the revision of it that a read saw. Listings return these, and callers take
/// the products themselves from the read cache, so that a listing reads only what it sorts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProductRevision {
    pub id: Uuid,
    pub revision: i64,
    pub stock_revision: i64,
}

struct Row {
    id: Uuid,
    revision: i64,
    stock_revision: i64,
    title: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    sort_int: Option<i64>,
}

impl FromQueryResult for Row {
    fn from_query_result(res: &QueryResult, pre: &str) -> Result<Self, sea_orm::DbErr> {
        Ok(Row {
            id: res.try_get(pre, "id")?,
            revision: res.try_get(pre, "revision")?,
            stock_revision: res.try_get(pre, "stock_revision")?,
            title: res.try_get(pre, "title")?,
            created_at: res.try_get(pre, "created_at")?,
            updated_at: res.try_get(pre, "updated_at")?,
            sort_int: res.try_get(pre, "sort_int").ok(),
        })
    }
}

/// SQL text with `?` placeholders and the values they stand for, in order.
#[derive(Default)]
pub(crate) struct Sql {
    text: String,
    values: Vec<Value>,
}

impl Sql {
    pub(crate) fn push(&mut self, fragment: &str, values: impl IntoIterator<Item = Value>) {
        self.text.push_str(fragment);
        self.values.extend(values);
    }

    /// `?, ?, ?` for a list, so that `IN (...)` takes its values bound.
    pub(crate) fn marks(n: usize) -> String {
        vec!["?"; n].join(", ")
    }

    /// PostgreSQL numbers its placeholders; SQLite takes `?` as written.
    pub(crate) fn statement(self, backend: DbBackend) -> Statement {
        let text = if backend == DbBackend::Postgres {
            let mut numbered = String::with_capacity(self.text.len() + 16);
            let mut n = 0;
            for ch in self.text.chars() {
                if ch == '?' {
                    n += 1;
                    numbered.push('$');
                    numbered.push_str(&n.to_string());
                } else {
                    numbered.push(ch);
                }
            }
            numbered
        } else {
            self.text
        };
        Statement::from_sql_and_values(backend, text, self.values)
    }
}

/// `text` as a literal inside a `LIKE … ESCAPE '\'` pattern: `%`, `_` and the escape
/// character itself match only themselves.
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

impl Store {
    /// One page of products. Fetches one row more than asked to learn whether more follow.
    ///
    /// Written as plain SQL so that its plan is evident: listings by id, title or date walk an
    /// index on `(status, key, id)`; a collection in its own order walks
    /// `product_collections (collection_id, position)` first (`CROSS JOIN` keeps SQLite from
    /// reordering the join) and looks products up by key.
    pub async fn list_products(
        &self,
        listing: &ProductListing,
    ) -> Result<Page<ProductRevision>, StoreError> {
        let backend = self.db.get_database_backend();
        let by_position =
            listing.sort == ProductSort::CollectionPosition && listing.collection_id.is_some();
        let sort_column = match listing.sort {
            ProductSort::Id => "p.id".to_owned(),
            ProductSort::Title => "p.title".to_owned(),
            ProductSort::CreatedAt => "p.created_at".to_owned(),
            ProductSort::UpdatedAt => "p.updated_at".to_owned(),
            ProductSort::CollectionPosition if by_position => "pc.position".to_owned(),
            ProductSort::CollectionPosition => "0".to_owned(),
            // Products without a price in the currency sort last.
            ProductSort::Price => format!(
                "COALESCE((SELECT pp.min_amount FROM product_prices pp \
                 WHERE pp.product_id = p.id AND pp.currency = ?), {NO_PRICE})"
            ),
        };
        // Equal to p.id, but naming the joined column lets SQLite walk
        // (collection_id, position, product_id) without sorting.
        let tie_column = if by_position { "pc.product_id" } else { "p.id" };
        let sort_values = || -> Vec<Value> {
            if listing.sort == ProductSort::Price {
                vec![listing.currency.to_string().into()]
            } else {
                vec![]
            }
        };

        let mut sql = Sql::default();
        sql.push(
            "SELECT p.id, p.revision, p.stock_revision, p.title, p.created_at, p.updated_at",
            [],
        );
        if matches!(listing.sort, ProductSort::Price | ProductSort::CollectionPosition) {
            sql.push(&format!(", CAST({sort_column} AS BIGINT) AS sort_int"), sort_values());
        }
        match listing.collection_id {
            Some(collection) if by_position => sql.push(
                " FROM product_collections pc CROSS JOIN products p WHERE p.id = pc.product_id AND pc.collection_id = ?",
                [collection.into()],
            ),
            Some(collection) => sql.push(
                " FROM products p WHERE p.id IN (SELECT pc.product_id FROM product_collections pc WHERE pc.collection_id = ?)",
                [collection.into()],
            ),
            None => sql.push(" FROM products p WHERE 1 = 1", []),
        }
        let statuses: Vec<Value> = listing.statuses.iter().map(|s| s.as_str().into()).collect();
        sql.push(&format!(" AND p.status IN ({})", Sql::marks(statuses.len())), statuses);
        for ids in [&listing.channel_brand_ids, &listing.brand_ids].into_iter().flatten() {
            if ids.is_empty() {
                sql.push(" AND 1 = 0", []);
            } else {
                // On SQLite a unary `+` keeps the planner from preferring the brand index over
                // the sort order (PostgreSQL plans by statistics and has no `+` for uuids).
                let plus = if backend == DbBackend::Sqlite { "+" } else { "" };
                sql.push(
                    &format!(" AND {plus}p.brand_id IN ({})", Sql::marks(ids.len())),
                    ids.iter().map(|id| (*id).into()),
                );
            }
        }
        let mut names: Vec<&str> = listing.option_values.iter().map(|(n, _)| n.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        for name in names {
            let values: Vec<Value> = listing
                .option_values
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, v)| v.clone().into())
                .collect();
            sql.push(" AND p.id IN (SELECT vo.product_id FROM variant_option_values vo WHERE vo.name = ?", [name.into()]);
            sql.push(&format!(" AND vo.option_value IN ({}))", Sql::marks(values.len())), values);
        }
        if listing.price_min.is_some() || listing.price_max.is_some() {
            sql.push(
                " AND p.id IN (SELECT v.product_id FROM product_variants v \
                 JOIN variant_prices vp ON vp.variant_id = v.id \
                 WHERE vp.currency = ? AND vp.amount >= ? AND vp.amount <= ?)",
                [
                    listing.currency.to_string().into(),
                    listing.price_min.unwrap_or(0).into(),
                    listing.price_max.unwrap_or(i64::MAX).into(),
                ],
            );
        }
        if let Some(available) = listing.available {
            sql.push(" AND p.available_for_sale = ?", [available.into()]);
        }
        if let Some(text) = &listing.title_contains {
            let pattern = format!("%{}%", escape_like(&text.to_lowercase()));
            sql.push(" AND LOWER(p.title) LIKE ? ESCAPE '\\'", [pattern.into()]);
        }
        if let Some(tag) = &listing.tag {
            let pattern = format!("%{}%", escape_like(&mapping::to_json(tag)));
            sql.push(" AND p.tags LIKE ? ESCAPE '\\'", [pattern.into()]);
        }
        if let Some(kind) = &listing.product_type {
            sql.push(" AND p.product_type = ?", [kind.clone().into()]);
        }

        let descending = listing.reverse != (listing.direction == PageDirection::Backward);
        let (op, direction) = if descending { ("<", "DESC") } else { (">", "ASC") };
        if let Some((value, id)) = &listing.cursor {
            let value: Option<Value> = match value {
                SortValue::None => None,
                SortValue::Text(t) => Some(t.clone().into()),
                SortValue::Time(t) => Some((*t).into()),
                SortValue::Int(n) => Some((*n).into()),
            };
            match value {
                Some(value) if listing.sort != ProductSort::Id => {
                    sql.push(
                        &format!(" AND ({sort_column} {op} ?"),
                        sort_values().into_iter().chain([value.clone()]),
                    );
                    sql.push(
                        &format!(" OR ({sort_column} = ?"),
                        sort_values().into_iter().chain([value]),
                    );
                    sql.push(&format!(" AND {tie_column} {op} ?))"), [(*id).into()]);
                }
                _ => sql.push(&format!(" AND p.id {op} ?"), [(*id).into()]),
            }
        }
        if listing.sort == ProductSort::Id {
            sql.push(&format!(" ORDER BY p.id {direction}"), []);
        } else {
            sql.push(
                &format!(" ORDER BY {sort_column} {direction}, {tie_column} {direction}"),
                sort_values(),
            );
        }
        sql.push(" LIMIT ?", [i64::try_from(listing.limit + 1).unwrap_or(i64::MAX).into()]);

        let rows = Row::find_by_statement(sql.statement(backend)).all(&self.db).await?;
        let has_more = rows.len() as u64 > listing.limit;
        let mut items = Vec::with_capacity(rows.len());
        for row in rows.into_iter().take(listing.limit as usize) {
            let value = match listing.sort {
                ProductSort::Id => SortValue::None,
                ProductSort::Title => SortValue::Text(row.title),
                ProductSort::CreatedAt => SortValue::Time(row.created_at),
                ProductSort::UpdatedAt => SortValue::Time(row.updated_at),
                ProductSort::Price | ProductSort::CollectionPosition => {
                    SortValue::Int(row.sort_int.unwrap_or(NO_PRICE))
                }
            };
            items.push((
                ProductRevision {
                    id: row.id,
                    revision: row.revision,
                    stock_revision: row.stock_revision,
                },
                value,
            ));
        }
        if listing.direction == PageDirection::Backward {
            items.reverse();
        }
        Ok(Page { items, has_more })
    }
}
