//! Reads the API needs that are no use case of their own: the batched lookups behind its
//! DataLoaders (brands, collections, variants, images, translations, stock levels) and the
//! parts of an order or a company that its objects resolve on demand.
//!
//! Who may see what is decided before these are called (the resolvers' guards, `OrderService`
//! and `CompanyService`); these only fetch.

use std::collections::HashMap;

use uuid::Uuid;
use vitrine_domain::catalog::{Brand, Collection, Image, Variant};
use vitrine_domain::company::CompanyLocation;
use vitrine_domain::inventory::Location;
use vitrine_domain::order::{Fulfillment, Order, OrderLine, Payment};
use vitrine_store::{CustomerRecord, InventoryLevelRecord, LevelQuery, Store, StoreError};

#[derive(Clone)]
pub struct Reads {
    store: Store,
}

impl Reads {
    pub(crate) fn new(store: Store) -> Self {
        Self { store }
    }

    /// Every brand, by name.
    pub async fn brands(&self) -> Result<Vec<Brand>, StoreError> {
        self.store.brands().await
    }

    pub async fn brands_by_ids(&self, ids: &[Uuid]) -> Result<Vec<Brand>, StoreError> {
        self.store.brands_by_ids(ids).await
    }

    /// Every collection, in merchandising order.
    pub async fn collections(&self) -> Result<Vec<Collection>, StoreError> {
        self.store.collections().await
    }

    pub async fn collection_by_handle(
        &self,
        handle: &str,
    ) -> Result<Option<Collection>, StoreError> {
        self.store.collection_by_handle(handle).await
    }

    pub async fn collections_by_ids(&self, ids: &[Uuid]) -> Result<Vec<Collection>, StoreError> {
        self.store.collections_by_ids(ids).await
    }

    pub async fn collections_by_parents(
        &self,
        parent_ids: &[Uuid],
    ) -> Result<Vec<Collection>, StoreError> {
        self.store.collections_by_parents(parent_ids).await
    }

    /// `(product, collection)` pairs of these products.
    pub async fn collection_ids_of_products(
        &self,
        product_ids: &[Uuid],
    ) -> Result<Vec<(Uuid, Uuid)>, StoreError> {
        self.store.collection_ids_of_products(product_ids).await
    }

    pub async fn variants_by_ids(&self, ids: &[Uuid]) -> Result<Vec<Variant>, StoreError> {
        self.store.variants_by_ids(ids).await
    }

    pub async fn images_by_ids(&self, ids: &[Uuid]) -> Result<Vec<Image>, StoreError> {
        self.store.images_by_ids(ids).await
    }

    /// `(object, field) -> text` in `language`.
    pub async fn translations(
        &self,
        resource_ids: &[Uuid],
        language: &str,
    ) -> Result<HashMap<(Uuid, String), String>, StoreError> {
        self.store.translations(resource_ids, language).await
    }

    /// Every stock level of these variants (a handful of locations each).
    pub async fn stock_of_variants(
        &self,
        variant_ids: &[Uuid],
    ) -> Result<Vec<InventoryLevelRecord>, StoreError> {
        let query = LevelQuery {
            variant_ids: Some(variant_ids.to_vec()),
            limit: u64::MAX >> 1,
            ..Default::default()
        };
        self.store.inventory_levels(&query).await
    }

    pub async fn locations(&self) -> Result<Vec<Location>, StoreError> {
        self.store.locations().await
    }

    pub async fn company_location(&self, id: Uuid) -> Result<Option<CompanyLocation>, StoreError> {
        self.store.company_location(id).await
    }

    /// Locations of these companies, in creation order.
    pub async fn company_locations(
        &self,
        company_ids: &[Uuid],
    ) -> Result<Vec<CompanyLocation>, StoreError> {
        self.store.company_locations(company_ids).await
    }

    pub async fn customers_by_ids(&self, ids: &[Uuid]) -> Result<Vec<CustomerRecord>, StoreError> {
        self.store.customers_by_ids(ids).await
    }

    /// An order as stored, for whoever was already allowed to see it.
    pub async fn order(&self, id: Uuid) -> Result<Option<Order>, StoreError> {
        self.store.order(id).await
    }

    pub async fn order_lines(&self, order_ids: &[Uuid]) -> Result<Vec<OrderLine>, StoreError> {
        self.store.order_lines(order_ids).await
    }

    pub async fn payments_of(&self, order_ids: &[Uuid]) -> Result<Vec<Payment>, StoreError> {
        self.store.payments_of(order_ids).await
    }

    pub async fn fulfillments_of(
        &self,
        order_ids: &[Uuid],
    ) -> Result<Vec<Fulfillment>, StoreError> {
        self.store.fulfillments_of(order_ids).await
    }
}
