//! The storefront's read cache: whole products (`ProductView`) shared by every request, so
//! that a page of fifty products costs a listing query and fifty map lookups instead of six
//! statements and thousands of decoded rows.
//!
//! Entries are keyed by product id and carry the revision they were read at. Callers always
//! learn a product's current revision from the database first (a listing row, or one light
//! query), and a cached view is used only when its revision matches; so a write through any
//! gateway replica is seen by every other replica on its next read, with no invalidation
//! messages. This is a data cache, not a response cache: every request is still executed.
//!
//! Stock writes bump a separate stock revision: a cached view that is behind only on stock
//! gets its stock figures refreshed with one light query instead of being read again whole,
//! so that a product selling many times a second stays cached.

use std::collections::HashMap;
use std::sync::Arc;

use quick_cache::sync::Cache;
use quick_cache::Weighter;
use uuid::Uuid;
use vitrine_domain::product_view::ProductView;
use vitrine_store::{ProductRevision, ProductStock, Store, StoreError};

pub struct ProductViews {
    store: Store,
    cache: Cache<Uuid, Arc<ProductView>, BySize>,
}

/// Weighs a cached product by its approximate size in bytes, so that the cache's budget is
/// memory, whatever the products look like.
#[derive(Clone)]
struct BySize;

impl Weighter<Uuid, Arc<ProductView>> for BySize {
    fn weight(&self, _id: &Uuid, view: &Arc<ProductView>) -> u64 {
        // A zero weight would never be evicted.
        view.approximate_size().max(1) as u64
    }
}

/// A demo product (a dozen variants, three currencies, two translations) weighs ~12 KB.
const TYPICAL_PRODUCT_BYTES: u64 = 12_000;

impl ProductViews {
    /// A cache holding products up to about `budget_bytes` (their approximate size); the
    /// least useful go first (S3-FIFO).
    pub fn new(store: Store, budget_bytes: u64) -> Self {
        let budget = budget_bytes.max(TYPICAL_PRODUCT_BYTES);
        let items = usize::try_from(budget / TYPICAL_PRODUCT_BYTES).unwrap_or(usize::MAX);
        Self { store, cache: Cache::with_weighter(items, budget, BySize) }
    }

    /// The approximate bytes the cached products take, never above the budget.
    pub fn cached_bytes(&self) -> u64 {
        self.cache.weight()
    }

    /// Views of the given products, at least as new as the given revisions, in the given
    /// order. Products deleted meanwhile are left out.
    pub async fn current(
        &self,
        wanted: &[ProductRevision],
    ) -> Result<Vec<Arc<ProductView>>, StoreError> {
        self.current_with(wanted, HashMap::new()).await
    }

    /// Current views of the products of the given variants, in no particular order; unknown
    /// variants are left out. One statement when the products are cached, even when their
    /// stock moved since.
    pub async fn of_variants(
        &self,
        variant_ids: &[Uuid],
    ) -> Result<Vec<Arc<ProductView>>, StoreError> {
        if variant_ids.is_empty() {
            return Ok(vec![]);
        }
        let found = self.store.products_of_variants(variant_ids).await?;
        let revisions: Vec<ProductRevision> = found.iter().map(|(r, _)| *r).collect();
        let stock = found.into_iter().map(|(r, s)| (r.id, s)).collect();
        self.current_with(&revisions, stock).await
    }

    /// As [`Self::current`], with the stock figures of some products already read beside
    /// their revisions.
    async fn current_with(
        &self,
        wanted: &[ProductRevision],
        mut known_stock: HashMap<Uuid, ProductStock>,
    ) -> Result<Vec<Arc<ProductView>>, StoreError> {
        let mut found: Vec<Option<Arc<ProductView>>> = Vec::with_capacity(wanted.len());
        let mut missing: Vec<Uuid> = Vec::new();
        let mut stock_behind: HashMap<Uuid, Arc<ProductView>> = HashMap::new();
        for w in wanted {
            let mut hit = self.cache.get(&w.id).filter(|v| v.revision >= w.revision);
            match &hit {
                None => missing.push(w.id),
                Some(view) if view.stock_revision < w.stock_revision => {
                    stock_behind.insert(w.id, view.clone());
                    hit = None;
                }
                Some(_) => {}
            }
            found.push(hit);
        }
        if !stock_behind.is_empty() {
            let mut stocks = vec![];
            let mut unread: Vec<Uuid> = vec![];
            for id in stock_behind.keys() {
                match known_stock.remove(id) {
                    Some(stock) => stocks.push(stock),
                    None => unread.push(*id),
                }
            }
            if !unread.is_empty() {
                stocks.extend(self.store.product_stock(&unread).await?);
            }
            let mut refreshed: HashMap<Uuid, Arc<ProductView>> = HashMap::new();
            for stock in stocks {
                if let Some(cached) = stock_behind.get(&stock.product_id) {
                    let view = Arc::new(cached.with_stock(
                        stock.stock_revision,
                        stock.available_for_sale,
                        &stock.variant_quantities,
                    ));
                    self.remember(&view);
                    refreshed.insert(stock.product_id, view);
                }
            }
            for (slot, w) in found.iter_mut().zip(wanted) {
                if slot.is_none() && stock_behind.contains_key(&w.id) {
                    match refreshed.get(&w.id) {
                        Some(view) => *slot = Some(view.clone()),
                        // Its variants are gone: read it whole below.
                        None => missing.push(w.id),
                    }
                }
            }
        }
        if !missing.is_empty() {
            let mut loaded: HashMap<Uuid, Arc<ProductView>> = HashMap::new();
            for view in self.store.product_views(&missing).await? {
                let view = Arc::new(view);
                self.remember(&view);
                loaded.insert(view.product.id, view);
            }
            for (slot, w) in found.iter_mut().zip(wanted) {
                if slot.is_none() {
                    *slot = loaded.get(&w.id).cloned();
                }
            }
        }
        Ok(found.into_iter().flatten().collect())
    }

    /// Current views of the given products, in the given order; unknown ids are left out.
    pub async fn by_ids(&self, ids: &[Uuid]) -> Result<Vec<Arc<ProductView>>, StoreError> {
        let mut revisions = self.store.product_revisions(ids).await?;
        let order: HashMap<Uuid, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        revisions.sort_by_key(|r| order.get(&r.id).copied().unwrap_or(usize::MAX));
        self.current(&revisions).await
    }

    pub async fn by_handle(&self, handle: &str) -> Result<Option<Arc<ProductView>>, StoreError> {
        let Some(revision) = self.store.product_revision_by_handle(handle).await? else {
            return Ok(None);
        };
        Ok(self.current(&[revision]).await?.into_iter().next())
    }

    /// Keeps a view unless a newer one of the same product got there first (two requests can
    /// read the same product concurrently, around a write).
    fn remember(&self, view: &Arc<ProductView>) {
        match self.cache.get(&view.product.id) {
            Some(cached)
                if (cached.revision, cached.stock_revision)
                    > (view.revision, view.stock_revision) => {}
            _ => self.cache.insert(view.product.id, view.clone()),
        }
    }
}
