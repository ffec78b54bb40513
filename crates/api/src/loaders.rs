//! Batched loads, so that a page of products with variants, images and prices costs a fixed
//! number of SQL statements whatever its size. One set of loaders per request.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use async_graphql::dataloader::{DataLoader, Loader};
use uuid::Uuid;
use vitrine_app::{Store, StoreError};
use vitrine_domain::catalog::{
    Brand, Collection, Image, PriceRange, Product, ProductOption, Variant, VariantPrice,
};

macro_rules! loader {
    ($name:ident, $value:ty, |$store:ident, $keys:ident| $body:expr) => {
        pub struct $name {
            store: Store,
        }

        impl Loader<Uuid> for $name {
            type Value = $value;
            type Error = Arc<StoreError>;

            async fn load(&self, $keys: &[Uuid]) -> Result<HashMap<Uuid, $value>, Self::Error> {
                let $store = &self.store;
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

loader!(ProductLoader, Product, |store, keys| store
    .products_by_ids(keys)
    .await
    .map(|rows| by_id(rows, |p| p.id)));
loader!(VariantLoader, Variant, |store, keys| store
    .variants_by_ids(keys)
    .await
    .map(|rows| by_id(rows, |v| v.id)));
loader!(BrandLoader, Brand, |store, keys| store
    .brands_by_ids(keys)
    .await
    .map(|rows| by_id(rows, |b| b.id)));
loader!(CollectionLoader, Collection, |store, keys| store
    .collections_by_ids(keys)
    .await
    .map(|rows| by_id(rows, |c| c.id)));
loader!(ImageLoader, Image, |store, keys| store
    .images_by_ids(keys)
    .await
    .map(|rows| by_id(rows, |i| i.id)));
loader!(VariantsOfProduct, Vec<Variant>, |store, keys| store
    .variants_of_products(keys)
    .await
    .map(|rows| group(rows, |v| v.product_id)));
loader!(OptionsOfProduct, Vec<ProductOption>, |store, keys| store
    .options_of_products(keys)
    .await
    .map(|rows| group(rows, |o| o.product_id)));
loader!(ImagesOfProduct, Vec<Image>, |store, keys| store
    .images_of_products(keys)
    .await
    .map(|rows| group(rows, |i| i.product_id)));
loader!(PricesOfVariant, Vec<VariantPrice>, |store, keys| store
    .prices_of_variants(keys)
    .await
    .map(|rows| group(rows, |p| p.variant_id)));
loader!(PriceRangesOfProduct, Vec<PriceRange>, |store, keys| store
    .price_ranges_of_products(keys)
    .await
    .map(|rows| group(rows, |r| r.product_id)));
loader!(ChildrenOfCollection, Vec<Collection>, |store, keys| store
    .collections_by_parents(keys)
    .await
    .map(|rows| group(rows, |c| c.parent_id.unwrap_or_default())));
loader!(CollectionsOfProduct, Vec<Uuid>, |store, keys| store
    .collection_ids_of_products(keys)
    .await
    .map(|pairs| {
        let mut map: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
        for (product, collection) in pairs {
            map.entry(product).or_default().push(collection);
        }
        map
    }));

/// Translated fields of objects in the request's language: id -> field -> text.
pub struct TranslationLoader {
    store: Store,
    language: String,
}

impl Loader<Uuid> for TranslationLoader {
    type Value = HashMap<String, String>;
    type Error = Arc<StoreError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = self.store.translations(keys, &self.language).await.map_err(Arc::new)?;
        let mut map: HashMap<Uuid, HashMap<String, String>> = HashMap::new();
        for ((id, field), text) in rows {
            map.entry(id).or_default().insert(field, text);
        }
        Ok(map)
    }
}

/// A request-scoped loader: a DataLoader that batches misses, in front of which sits a plain
/// map of what this request already has. A listing prefetches a whole page's relations into
/// that map (see `listing::prefetch`), so the many field resolvers of a page find their data
/// with one map lookup instead of going through the DataLoader's batching machinery.
pub struct Cached<L: Loader<Uuid>> {
    loader: DataLoader<L>,
    known: RwLock<HashMap<Uuid, L::Value>>,
}

impl<L: Loader<Uuid>> Cached<L> {
    fn new(loader: L) -> Self {
        Self {
            loader: DataLoader::new(loader, tokio::spawn).max_batch_size(1000),
            known: RwLock::default(),
        }
    }

    fn known(&self, id: &Uuid) -> Option<L::Value> {
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
    pub variants_of_product: Cached<VariantsOfProduct>,
    pub options_of_product: Cached<OptionsOfProduct>,
    pub images_of_product: Cached<ImagesOfProduct>,
    pub prices_of_variant: Cached<PricesOfVariant>,
    pub price_ranges_of_product: Cached<PriceRangesOfProduct>,
    pub collections_of_product: Cached<CollectionsOfProduct>,
    pub children_of_collection: Cached<ChildrenOfCollection>,
    pub translations: Cached<TranslationLoader>,
}

fn new_loader<T: Loader<Uuid>>(loader: T) -> Cached<T> {
    Cached::new(loader)
}

impl Loaders {
    pub fn new(store: Store, language: String) -> Self {
        let s = || store.clone();
        Self {
            product: new_loader(ProductLoader { store: s() }),
            variant: new_loader(VariantLoader { store: s() }),
            brand: new_loader(BrandLoader { store: s() }),
            collection: new_loader(CollectionLoader { store: s() }),
            image: new_loader(ImageLoader { store: s() }),
            variants_of_product: new_loader(VariantsOfProduct { store: s() }),
            options_of_product: new_loader(OptionsOfProduct { store: s() }),
            images_of_product: new_loader(ImagesOfProduct { store: s() }),
            prices_of_variant: new_loader(PricesOfVariant { store: s() }),
            price_ranges_of_product: new_loader(PriceRangesOfProduct { store: s() }),
            collections_of_product: new_loader(CollectionsOfProduct { store: s() }),
            children_of_collection: new_loader(ChildrenOfCollection { store: s() }),
            translations: new_loader(TranslationLoader { store: s(), language }),
        }
    }
}
