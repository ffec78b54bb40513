//! Batched loads, so that a page of products with variants, images and prices costs a fixed
//! number of SQL statements whatever its size. One set of loaders per request.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use async_graphql::dataloader::{DataLoader, Loader};
use uuid::Uuid;
use vitrine_app::product_views::ProductViews;
use vitrine_app::reads::Reads;
use vitrine_app::{InventoryLevelRecord, StoreError};
use vitrine_domain::catalog::{Brand, Collection, Image, Variant};
use vitrine_domain::company::CompanyLocation;
use vitrine_domain::inventory::Location;
use vitrine_domain::product_view::ProductView;

macro_rules! loader {
    ($name:ident, $value:ty, |$reads:ident, $keys:ident| $body:expr) => {
        pub struct $name {
            reads: Reads,
        }

        impl Loader<Uuid> for $name {
            type Value = $value;
            type Error = Arc<StoreError>;

            async fn load(&self, $keys: &[Uuid]) -> Result<HashMap<Uuid, $value>, Self::Error> {
                let $reads = &self.reads;
                $body.map_err(Arc::new)
            }
        }
    };
}

/// Groups rows by the id `key` picks, keeping their order.
fn group<T>(rows: Vec<T>, key: impl Fn(&T) -> Uuid) -> HashMap<Uuid, Vec<T>> {
    let mut map: HashMap<Uuid, Vec<T>> = HashMap::new();
    for row in rows {
        map.entry(key(&row)).or_default().push(row);
    }
    map
}

fn by_id<T>(rows: Vec<T>, key: impl Fn(&T) -> Uuid) -> HashMap<Uuid, T> {
    rows.into_iter().map(|r| (key(&r), r)).collect()
}

loader!(VariantLoader, Variant, |reads, keys| reads
    .variants_by_ids(keys)
    .await
    .map(|rows| by_id(rows, |v| v.id)));
loader!(StockOfVariant, Vec<InventoryLevelRecord>, |reads, keys| reads
    .stock_of_variants(keys)
    .await
    .map(|rows| group(rows, |l| l.variant_id)));
// Every stock location, under the one key `Uuid::nil()`: read once per request.
loader!(AllLocations, Vec<Location>, |reads, keys| reads
    .locations()
    .await
    .map(|rows| keys.iter().map(|k| (*k, rows.clone())).collect()));
loader!(LocationsOfCompany, Vec<CompanyLocation>, |reads, keys| reads
    .company_locations(keys)
    .await
    .map(|rows| group(rows, |l| l.company_id)));
loader!(BrandLoader, Brand, |reads, keys| reads
    .brands_by_ids(keys)
    .await
    .map(|rows| by_id(rows, |b| b.id)));
loader!(CollectionLoader, Collection, |reads, keys| reads
    .collections_by_ids(keys)
    .await
    .map(|rows| by_id(rows, |c| c.id)));
loader!(ImageLoader, Image, |reads, keys| reads
    .images_by_ids(keys)
    .await
    .map(|rows| by_id(rows, |i| i.id)));
loader!(ChildrenOfCollection, Vec<Collection>, |reads, keys| reads
    .collections_by_parents(keys)
    .await
    .map(|rows| group(rows, |c| c.parent_id.unwrap_or_default())));
loader!(CollectionsOfProduct, Vec<Uuid>, |reads, keys| reads
    .collection_ids_of_products(keys)
    .await
    .map(|pairs| {
        // Every product asked gets an answer, none included, so that `Cached::known` can
        // tell "in no collection" from "not loaded yet".
        let mut map: HashMap<Uuid, Vec<Uuid>> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for (product, collection) in pairs {
            map.entry(product).or_default().push(collection);
        }
        map
    }));

/// Whole products from the process-wide read cache (one light query for their revisions).
pub struct ProductLoader {
    views: Arc<ProductViews>,
}

impl Loader<Uuid> for ProductLoader {
    type Value = Arc<ProductView>;
    type Error = Arc<StoreError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let views = self.views.by_ids(keys).await.map_err(Arc::new)?;
        Ok(views.into_iter().map(|v| (v.product.id, v)).collect())
    }
}

/// Translated fields of objects in the request's language: id -> field -> text.
pub struct TranslationLoader {
    reads: Reads,
    language: String,
}

impl Loader<Uuid> for TranslationLoader {
    type Value = HashMap<String, String>;
    type Error = Arc<StoreError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = self.reads.translations(keys, &self.language).await.map_err(Arc::new)?;
        let mut map: HashMap<Uuid, HashMap<String, String>> = HashMap::new();
        for ((id, field), text) in rows {
            map.entry(id).or_default().insert(field, text);
        }
        Ok(map)
    }
}

/// A request-scoped loader: a DataLoader that batches misses, in front of which sits a plain
/// map of what this request already has, so that repeated lookups of the same object skip
/// the DataLoader's batching machinery.
pub struct Cached<L: Loader<Uuid>> {
    loader: DataLoader<L>,
    known: RwLock<HashMap<Uuid, L::Value>>,
}

impl<L: Loader<Uuid>> Cached<L> {
    pub(crate) fn new(loader: L) -> Self {
        Self {
            loader: DataLoader::new(loader, tokio::spawn).max_batch_size(1000),
            known: RwLock::default(),
        }
    }

    /// What this request already loaded for `id`, without waiting.
    pub(crate) fn known(&self, id: &Uuid) -> Option<L::Value> {
        self.known.read().ok()?.get(id).cloned()
    }

    fn remember(&self, values: impl IntoIterator<Item = (Uuid, L::Value)>) {
        if let Ok(mut known) = self.known.write() {
            known.extend(values);
        }
    }

    pub async fn load_one(&self, id: Uuid) -> Result<Option<L::Value>, L::Error> {
        if let Some(value) = self.known(&id) {
            return Ok(Some(value));
        }
        let value = self.loader.load_one(id).await?;
        if let Some(v) = &value {
            self.remember([(id, v.clone())]);
        }
        Ok(value)
    }

    pub async fn load_many(
        &self,
        ids: impl IntoIterator<Item = Uuid>,
    ) -> Result<HashMap<Uuid, L::Value>, L::Error> {
        let mut found = HashMap::new();
        let mut missing = Vec::new();
        for id in ids {
            match self.known(&id) {
                Some(v) => {
                    found.insert(id, v);
                }
                None => missing.push(id),
            }
        }
        if !missing.is_empty() {
            let loaded = self.loader.load_many(missing).await?;
            self.remember(loaded.iter().map(|(k, v)| (*k, v.clone())));
            found.extend(loaded);
        }
        Ok(found)
    }

    /// Records values fetched elsewhere, so that later lookups of these ids cost no query.
    pub async fn feed_many(&self, values: impl IntoIterator<Item = (Uuid, L::Value)>) {
        self.remember(values);
    }
}

pub struct Loaders {
    pub product: Cached<ProductLoader>,
    pub variant: Cached<VariantLoader>,
    pub brand: Cached<BrandLoader>,
    pub collection: Cached<CollectionLoader>,
    pub image: Cached<ImageLoader>,
    pub collections_of_product: Cached<CollectionsOfProduct>,
    pub children_of_collection: Cached<ChildrenOfCollection>,
    pub translations: Cached<TranslationLoader>,
    pub stock_of_variant: Cached<StockOfVariant>,
    pub all_locations: Cached<AllLocations>,
    pub locations_of_company: Cached<LocationsOfCompany>,
}

fn new_loader<T: Loader<Uuid>>(loader: T) -> Cached<T> {
    Cached::new(loader)
}

impl Loaders {
    pub fn new(reads: Reads, views: Arc<ProductViews>, language: String) -> Self {
        let s = || reads.clone();
        Self {
            product: new_loader(ProductLoader { views }),
            variant: new_loader(VariantLoader { reads: s() }),
            brand: new_loader(BrandLoader { reads: s() }),
            collection: new_loader(CollectionLoader { reads: s() }),
            image: new_loader(ImageLoader { reads: s() }),
            collections_of_product: new_loader(CollectionsOfProduct { reads: s() }),
            children_of_collection: new_loader(ChildrenOfCollection { reads: s() }),
            translations: new_loader(TranslationLoader { reads: s(), language }),
            stock_of_variant: new_loader(StockOfVariant { reads: s() }),
            all_locations: new_loader(AllLocations { reads: s() }),
            locations_of_company: new_loader(LocationsOfCompany { reads: s() }),
        }
    }
}
