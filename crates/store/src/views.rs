//! Whole-product reads for the read cache (`ProductView`), and the revision bump every
//! product write makes so that cached views know when they are out of date.

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, Query};
use sea_orm::QuerySelect;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Value,
};
use uuid::Uuid;
use vitrine_domain::catalog::{PriceRange, Translation};
use vitrine_domain::money::Money;
use vitrine_domain::product_view::ProductView;

use crate::entity::*;
use crate::inventory::lock_products;
use crate::listing::Sql;
use crate::{mapping, ProductRevision, Store, StoreError};

/// A product's stock figures at one stock revision.
#[derive(Clone, Debug, PartialEq)]
pub struct ProductStock {
    pub product_id: Uuid,
    pub stock_revision: i64,
    pub available_for_sale: bool,
    pub variant_quantities: Vec<(Uuid, i32)>,
}

impl Store {
    /// The current revision of each of the given products that exists.
    pub async fn product_revisions(
        &self,
        ids: &[Uuid],
    ) -> Result<Vec<ProductRevision>, StoreError> {
        let rows: Vec<(Uuid, i64, i64)> = products::Entity::find()
            .select_only()
            .column(products::Column::Id)
            .column(products::Column::Revision)
            .column(products::Column::StockRevision)
            .filter(products::Column::Id.is_in(ids.to_vec()))
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(id, revision, stock_revision)| ProductRevision { id, revision, stock_revision })
            .collect())
    }

    /// The id and revision of the product with this handle.
    pub async fn product_revision_by_handle(
        &self,
        handle: &str,
    ) -> Result<Option<ProductRevision>, StoreError> {
        let row: Option<(Uuid, i64, i64)> = products::Entity::find()
            .select_only()
            .column(products::Column::Id)
            .column(products::Column::Revision)
            .column(products::Column::StockRevision)
            .filter(products::Column::Handle.eq(handle))
            .into_tuple()
            .one(&self.db)
            .await?;
        Ok(row.map(|(id, revision, stock_revision)| ProductRevision {
            id,
            revision,
            stock_revision,
        }))
    }

    /// The stock figures of the given products, read in one statement (so they are
    /// consistent with the stock revision beside them): what a cached view needs to catch up
    /// with stock writes.
    pub async fn product_stock(&self, ids: &[Uuid]) -> Result<Vec<ProductStock>, StoreError> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let mut sql = Sql::default();
        sql.push(
            &format!(
                "SELECT v.product_id, p.stock_revision, p.available_for_sale, v.id, \
                 v.inventory_quantity FROM product_variants v JOIN products p \
                 ON p.id = v.product_id WHERE v.product_id IN ({})",
                Sql::marks(ids.len())
            ),
            ids.iter().map(|id| Value::from(*id)).collect::<Vec<_>>(),
        );
        let rows = self.db.query_all(sql.statement(self.db.get_database_backend())).await?;
        let mut found: Vec<ProductStock> = Vec::new();
        let mut at: HashMap<Uuid, usize> = HashMap::new();
        for r in &rows {
            let product_id: Uuid = r.try_get("", "product_id")?;
            let i = match at.get(&product_id) {
                Some(&i) => i,
                None => {
                    found.push(ProductStock {
                        product_id,
                        stock_revision: r.try_get("", "stock_revision")?,
                        available_for_sale: r.try_get("", "available_for_sale")?,
                        variant_quantities: vec![],
                    });
                    at.insert(product_id, found.len() - 1);
                    found.len() - 1
                }
            };
            found[i]
                .variant_quantities
                .push((r.try_get("", "id")?, r.try_get("", "inventory_quantity")?));
        }
        Ok(found)
    }

    /// The products of the given variants, each with its revisions and its stock figures, read
    /// in one statement: all the read cache needs to serve a cart or a quote. Deleted variants
    /// are left out.
    pub async fn products_of_variants(
        &self,
        variant_ids: &[Uuid],
    ) -> Result<Vec<(ProductRevision, ProductStock)>, StoreError> {
        let mut found: Vec<(ProductRevision, ProductStock)> = Vec::new();
        let mut at: HashMap<Uuid, usize> = HashMap::new();
        for chunk in variant_ids.chunks(crate::INSERT_CHUNK) {
            let mut sql = Sql::default();
            sql.push(
                &format!(
                    "SELECT p.id AS product_id, p.revision, p.stock_revision, \
                     p.available_for_sale, v.id, v.inventory_quantity FROM products p \
                     JOIN product_variants v ON v.product_id = p.id WHERE p.id IN \
                     (SELECT product_id FROM product_variants WHERE id IN ({}))",
                    Sql::marks(chunk.len())
                ),
                chunk.iter().map(|id| Value::from(*id)).collect::<Vec<_>>(),
            );
            let rows = self.db.query_all(sql.statement(self.db.get_database_backend())).await?;
            for r in &rows {
                let product_id: Uuid = r.try_get("", "product_id")?;
                let i = match at.get(&product_id) {
                    Some(&i) => i,
                    None => {
                        let stock_revision = r.try_get("", "stock_revision")?;
                        found.push((
                            ProductRevision {
                                id: product_id,
                                revision: r.try_get("", "revision")?,
                                stock_revision,
                            },
                            ProductStock {
                                product_id,
                                stock_revision,
                                available_for_sale: r.try_get("", "available_for_sale")?,
                                variant_quantities: vec![],
                            },
                        ));
                        at.insert(product_id, found.len() - 1);
                        found.len() - 1
                    }
                };
                let variant: (Uuid, i32) =
                    (r.try_get("", "id")?, r.try_get("", "inventory_quantity")?);
                // Two chunks can name variants of one product: its rows come twice.
                if !found[i].1.variant_quantities.contains(&variant) {
                    found[i].1.variant_quantities.push(variant);
                }
            }
        }
        Ok(found)
    }

    /// Reads whole products: six statements for any number of them. The product rows are
    /// read first, so a view's revision is never newer than its contents; a write that lands
    /// in between makes the contents newer, which only means the view is refreshed once more
    /// than strictly needed.
    pub async fn product_views(&self, ids: &[Uuid]) -> Result<Vec<ProductView>, StoreError> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let rows = products::Entity::find()
            .filter(products::Column::Id.is_in(ids.to_vec()))
            .all(&self.db)
            .await?;
        if rows.is_empty() {
            return Ok(vec![]);
        }
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let variant_ids_of_products = Query::select()
            .column(product_variants::Column::Id)
            .from(product_variants::Entity)
            .and_where(product_variants::Column::ProductId.is_in(ids.clone()))
            .to_owned();
        let option_ids_of_products = Query::select()
            .column(product_options::Column::Id)
            .from(product_options::Entity)
            .and_where(product_options::Column::ProductId.is_in(ids.clone()))
            .to_owned();
        let (options, variants, prices, images, ranges, texts) = tokio::join!(
            self.options_of_products(&ids),
            self.variants_of_products(&ids),
            variant_prices::Entity::find()
                .filter(variant_prices::Column::VariantId.in_subquery(variant_ids_of_products))
                .all(&self.db),
            self.images_of_products(&ids),
            product_prices::Entity::find()
                .filter(product_prices::Column::ProductId.is_in(ids.clone()))
                .order_by_asc(product_prices::Column::Currency)
                .all(&self.db),
            translations::Entity::find()
                .filter(
                    Condition::any()
                        .add(translations::Column::ResourceId.is_in(ids.clone()))
                        .add(translations::Column::ResourceId.in_subquery(option_ids_of_products)),
                )
                .all(&self.db),
        );

        let mut views: Vec<ProductView> = Vec::with_capacity(rows.len());
        let mut index: HashMap<Uuid, usize> = HashMap::with_capacity(rows.len());
        for row in rows {
            index.insert(row.id, views.len());
            let (revision, stock_revision) = (row.revision, row.stock_revision);
            views.push(ProductView {
                revision,
                stock_revision,
                product: mapping::product(row)?,
                options: vec![],
                variants: vec![],
                variant_prices: vec![],
                images: vec![],
                price_ranges: vec![],
                translations: vec![],
            });
        }
        let mut option_owner: HashMap<Uuid, usize> = HashMap::new();
        for option in options? {
            let at = index[&option.product_id];
            option_owner.insert(option.id, at);
            views[at].options.push(option);
        }
        let mut variant_at: HashMap<Uuid, (usize, usize)> = HashMap::new();
        for variant in variants? {
            let at = index[&variant.product_id];
            let view = &mut views[at];
            variant_at.insert(variant.id, (at, view.variants.len()));
            view.variants.push(variant);
            view.variant_prices.push(vec![]);
        }
        for row in prices? {
            let price = mapping::variant_price(row)?;
            // A price written after the variants were read belongs to no view yet.
            if let Some((at, i)) = variant_at.get(&price.variant_id) {
                views[*at].variant_prices[*i].push(price);
            }
        }
        for image in images? {
            views[index[&image.product_id]].images.push(image);
        }
        for row in ranges? {
            let currency = mapping::currency(&row.currency)?;
            views[index[&row.product_id]].price_ranges.push(PriceRange {
                product_id: row.product_id,
                min: Money::new(row.min_amount, currency),
                max: Money::new(row.max_amount, currency),
            });
        }
        for row in texts? {
            let owner = index.get(&row.resource_id).or_else(|| option_owner.get(&row.resource_id));
            if let Some(at) = owner {
                views[*at].translations.push(Translation {
                    resource_id: row.resource_id,
                    language: row.language,
                    field: row.field,
                    value: row.content,
                });
            }
        }
        Ok(views)
    }
}

/// Marks products as changed: call it in the same transaction as the change.
pub(crate) async fn bump_revisions<C: ConnectionTrait>(
    db: &C,
    product_ids: &[Uuid],
) -> Result<(), StoreError> {
    if product_ids.is_empty() {
        return Ok(());
    }
    // In id order, as stock writes lock products: two writes each holding a row the other
    // wants would deadlock.
    lock_products(db, product_ids).await?;
    products::Entity::update_many()
        .col_expr(products::Column::Revision, Expr::col(products::Column::Revision).add(1))
        .filter(products::Column::Id.is_in(product_ids.to_vec()))
        .exec(db)
        .await?;
    Ok(())
}

/// Marks as changed the products that own the given translatable objects (a product itself
/// or one of its options). Objects of other kinds own no product and change nothing.
pub(crate) async fn bump_revisions_of_owners<C: ConnectionTrait>(
    db: &C,
    resource_ids: &[Uuid],
) -> Result<(), StoreError> {
    let owners_via_options = Query::select()
        .column(product_options::Column::ProductId)
        .from(product_options::Entity)
        .and_where(product_options::Column::Id.is_in(resource_ids.to_vec()))
        .to_owned();
    let owners: Vec<Uuid> = products::Entity::find()
        .select_only()
        .column(products::Column::Id)
        .filter(
            Condition::any()
                .add(products::Column::Id.is_in(resource_ids.to_vec()))
                .add(products::Column::Id.in_subquery(owners_via_options)),
        )
        .into_tuple()
        .all(db)
        .await?;
    bump_revisions(db, &owners).await
}
