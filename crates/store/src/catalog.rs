//! Catalog reads (batched, for DataLoaders) and writes (one transaction each).

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ActiveValue, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use uuid::Uuid;
use vitrine_domain::catalog::{
    price_range, Brand, Channel, Collection, Image, Product, ProductOption, Variant, VariantPrice,
};
use vitrine_domain::money::Money;

use crate::entity::*;
use crate::inventory::lock_products;
use crate::mapping::{self, join_list};
use crate::views::{bump_revisions, bump_revisions_of_owners};
use crate::{Store, StoreError, INSERT_CHUNK};

/// A product with everything created along with it.
#[derive(Clone, Debug)]
pub struct ProductDraft {
    pub product: Product,
    pub options: Vec<ProductOption>,
    pub variants: Vec<VariantDraft>,
    pub images: Vec<Image>,
    pub collection_ids: Vec<Uuid>,
}

/// A variant with its base prices, one per currency.
#[derive(Clone, Debug)]
pub struct VariantDraft {
    pub variant: Variant,
    pub prices: Vec<VariantPrice>,
}

async fn insert_chunked<E, C>(db: &C, rows: Vec<E::Model>) -> Result<(), StoreError>
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel>,
    C: ConnectionTrait,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<E::ActiveModel> =
            rows.by_ref().take(INSERT_CHUNK).map(IntoActiveModel::into_active_model).collect();
        E::insert_many(chunk).exec_without_returning(db).await.map_err(StoreError::from_write)?;
    }
    Ok(())
}

impl Store {
    // ---- channels -------------------------------------------------------------------------

    pub async fn channels(&self) -> Result<Vec<Channel>, StoreError> {
        let rows =
            channels::Entity::find().order_by_asc(channels::Column::Handle).all(&self.db).await?;
        let links = channel_brands::Entity::find().all(&self.db).await?;
        let mut brands: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
        for link in links {
            brands.entry(link.channel_id).or_default().push(link.brand_id);
        }
        rows.into_iter()
            .map(|row| {
                let ids = brands.remove(&row.id).unwrap_or_default();
                mapping::channel(row, ids)
            })
            .collect()
    }

    /// Creates or replaces a channel and its brand list.
    pub async fn save_channel(&self, channel: &Channel) -> Result<(), StoreError> {
        let txn = self.db.begin().await?;
        if channel.is_default {
            channels::Entity::update_many()
                .col_expr(channels::Column::IsDefault, Expr::value(false))
                .filter(channels::Column::Id.ne(channel.id))
                .exec(&txn)
                .await?;
        }
        let row = channels::Model {
            id: channel.id,
            handle: channel.handle.clone(),
            name: channel.name.clone(),
            storefront_key: channel.storefront_key.clone(),
            default_language: channel.default_language.clone(),
            languages: channel.languages.join(","),
            default_currency: channel.default_currency.to_string(),
            currencies: join_list(&channel.currencies),
            is_default: channel.is_default,
            created_at: Utc::now(),
            show_stock_counts: channel.show_stock_counts,
            prices_include_tax: channel.prices_include_tax,
            tax_country: channel.tax_country.clone(),
            payment_methods: join_list(&channel.payment_methods),
            allowed_origins: channel.allowed_origins.join(","),
        };
        channels::Entity::insert(row.into_active_model())
            .on_conflict(
                OnConflict::column(channels::Column::Id)
                    .update_columns([
                        channels::Column::Handle,
                        channels::Column::Name,
                        channels::Column::StorefrontKey,
                        channels::Column::DefaultLanguage,
                        channels::Column::Languages,
                        channels::Column::DefaultCurrency,
                        channels::Column::Currencies,
                        channels::Column::IsDefault,
                        channels::Column::ShowStockCounts,
                        channels::Column::PricesIncludeTax,
                        channels::Column::PaymentMethods,
                        channels::Column::TaxCountry,
                        channels::Column::AllowedOrigins,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await
            .map_err(StoreError::from_write)?;
        channel_brands::Entity::delete_many()
            .filter(channel_brands::Column::ChannelId.eq(channel.id))
            .exec(&txn)
            .await?;
        let links = channel
            .brand_ids
            .iter()
            .map(|b| channel_brands::Model { channel_id: channel.id, brand_id: *b })
            .collect();
        insert_chunked::<channel_brands::Entity, _>(&txn, links).await?;
        txn.commit().await?;
        Ok(())
    }

    // ---- brands ---------------------------------------------------------------------------

    pub async fn brands(&self) -> Result<Vec<Brand>, StoreError> {
        let rows = brands::Entity::find().order_by_asc(brands::Column::Name).all(&self.db).await?;
        Ok(rows.into_iter().map(mapping::brand).collect())
    }

    pub async fn brands_by_ids(&self, ids: &[Uuid]) -> Result<Vec<Brand>, StoreError> {
        let rows = brands::Entity::find()
            .filter(brands::Column::Id.is_in(ids.to_vec()))
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(mapping::brand).collect())
    }

    pub async fn save_brand(&self, brand: &Brand) -> Result<(), StoreError> {
        let row = brands::Model {
            id: brand.id,
            handle: brand.handle.clone(),
            name: brand.name.clone(),
            description: brand.description.clone(),
            created_at: Utc::now(),
        };
        brands::Entity::insert(row.into_active_model())
            .on_conflict(
                OnConflict::column(brands::Column::Id)
                    .update_columns([
                        brands::Column::Handle,
                        brands::Column::Name,
                        brands::Column::Description,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await
            .map_err(StoreError::from_write)?;
        Ok(())
    }

    // ---- collections ----------------------------------------------------------------------

    pub async fn collections(&self) -> Result<Vec<Collection>, StoreError> {
        let rows = collections::Entity::find()
            .order_by_asc(collections::Column::Position)
            .order_by_asc(collections::Column::Title)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(mapping::collection).collect())
    }

    pub async fn collections_by_ids(&self, ids: &[Uuid]) -> Result<Vec<Collection>, StoreError> {
        let rows = collections::Entity::find()
            .filter(collections::Column::Id.is_in(ids.to_vec()))
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(mapping::collection).collect())
    }

    /// Children of the given collections, in display order.
    pub async fn collections_by_parents(
        &self,
        parent_ids: &[Uuid],
    ) -> Result<Vec<Collection>, StoreError> {
        let rows = collections::Entity::find()
            .filter(collections::Column::ParentId.is_in(parent_ids.to_vec()))
            .order_by_asc(collections::Column::Position)
            .order_by_asc(collections::Column::Title)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(mapping::collection).collect())
    }

    pub async fn collection_by_handle(
        &self,
        handle: &str,
    ) -> Result<Option<Collection>, StoreError> {
        let row = collections::Entity::find()
            .filter(collections::Column::Handle.eq(handle))
            .one(&self.db)
            .await?;
        Ok(row.map(mapping::collection))
    }

    pub async fn save_collection(&self, c: &Collection) -> Result<(), StoreError> {
        let row = collections::Model {
            id: c.id,
            handle: c.handle.clone(),
            title: c.title.clone(),
            description: c.description.clone(),
            parent_id: c.parent_id,
            position: c.position,
            image_url: c.image_url.clone(),
            seo_title: c.seo.title.clone(),
            seo_description: c.seo.description.clone(),
            created_at: c.updated_at,
            updated_at: c.updated_at,
        };
        use collections::Column as C;
        collections::Entity::insert(row.into_active_model())
            .on_conflict(
                OnConflict::column(C::Id)
                    .update_columns([
                        C::Handle,
                        C::Title,
                        C::Description,
                        C::ParentId,
                        C::Position,
                        C::ImageUrl,
                        C::SeoTitle,
                        C::SeoDescription,
                        C::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await
            .map_err(StoreError::from_write)?;
        Ok(())
    }

    /// Deletes a collection; its children move up to its parent and products stay.
    pub async fn delete_collection(&self, id: Uuid) -> Result<(), StoreError> {
        let txn = self.db.begin().await?;
        let row =
            collections::Entity::find_by_id(id).one(&txn).await?.ok_or(StoreError::NotFound)?;
        collections::Entity::update_many()
            .col_expr(collections::Column::ParentId, Expr::value(row.parent_id))
            .filter(collections::Column::ParentId.eq(id))
            .exec(&txn)
            .await?;
        product_collections::Entity::delete_many()
            .filter(product_collections::Column::CollectionId.eq(id))
            .exec(&txn)
            .await?;
        collections::Entity::delete_by_id(id).exec(&txn).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Adds products to a collection, after those it already holds; already present ones stay.
    pub async fn add_collection_products(
        &self,
        collection_id: Uuid,
        product_ids: &[Uuid],
    ) -> Result<(), StoreError> {
        let txn = self.db.begin().await?;
        let last: Option<i32> = product_collections::Entity::find()
            .select_only()
            .column_as(product_collections::Column::Position.max(), "max")
            .filter(product_collections::Column::CollectionId.eq(collection_id))
            .into_tuple::<Option<i32>>()
            .one(&txn)
            .await?
            .flatten();
        let mut position = last.unwrap_or(0);
        for chunk in product_ids.chunks(INSERT_CHUNK) {
            let rows: Vec<_> = chunk
                .iter()
                .map(|p| {
                    position += 1;
                    product_collections::Model { collection_id, product_id: *p, position }
                        .into_active_model()
                })
                .collect();
            product_collections::Entity::insert_many(rows)
                .on_conflict(
                    OnConflict::columns([
                        product_collections::Column::CollectionId,
                        product_collections::Column::ProductId,
                    ])
                    .do_nothing()
                    .to_owned(),
                )
                .do_nothing()
                .exec_without_returning(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    pub async fn remove_collection_products(
        &self,
        collection_id: Uuid,
        product_ids: &[Uuid],
    ) -> Result<(), StoreError> {
        product_collections::Entity::delete_many()
            .filter(product_collections::Column::CollectionId.eq(collection_id))
            .filter(product_collections::Column::ProductId.is_in(product_ids.to_vec()))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// (product id, collection id) pairs for the given products.
    pub async fn collection_ids_of_products(
        &self,
        product_ids: &[Uuid],
    ) -> Result<Vec<(Uuid, Uuid)>, StoreError> {
        let rows = product_collections::Entity::find()
            .filter(product_collections::Column::ProductId.is_in(product_ids.to_vec()))
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|r| (r.product_id, r.collection_id)).collect())
    }

    // ---- products -------------------------------------------------------------------------

    pub async fn products_by_ids(&self, ids: &[Uuid]) -> Result<Vec<Product>, StoreError> {
        let rows = products::Entity::find()
            .filter(products::Column::Id.is_in(ids.to_vec()))
            .all(&self.db)
            .await?;
        rows.into_iter().map(mapping::product).collect()
    }

    pub async fn product_by_handle(&self, handle: &str) -> Result<Option<Product>, StoreError> {
        let row = products::Entity::find()
            .filter(products::Column::Handle.eq(handle))
            .one(&self.db)
            .await?;
        row.map(mapping::product).transpose()
    }

    pub async fn product_count(&self) -> Result<u64, StoreError> {
        use sea_orm::PaginatorTrait;
        Ok(products::Entity::find().count(&self.db).await?)
    }

    /// Inserts many products with their options, variants, prices, images and collection
    /// memberships in one transaction. A clash (handle, SKU) rolls the whole batch back.
    pub async fn insert_products(&self, drafts: Vec<ProductDraft>) -> Result<(), StoreError> {
        let txn = self.db.begin().await?;
        let mut products = Vec::new();
        let mut options = Vec::new();
        let mut variants = Vec::new();
        let mut option_values = Vec::new();
        let mut prices = Vec::new();
        let mut ranges = Vec::new();
        let mut images = Vec::new();
        let mut memberships = Vec::new();
        for draft in &drafts {
            products.push(mapping::product_row(&draft.product));
            options.extend(draft.options.iter().map(mapping::option_row));
            images.extend(draft.images.iter().map(mapping::image_row));
            for (i, c) in draft.collection_ids.iter().enumerate() {
                memberships.push(product_collections::Model {
                    collection_id: *c,
                    product_id: draft.product.id,
                    position: i32::try_from(i).unwrap_or(i32::MAX),
                });
            }
            for v in &draft.variants {
                variants.push(mapping::variant_row(&v.variant));
                option_values.extend(option_value_rows(&v.variant));
                prices.extend(v.prices.iter().map(mapping::variant_price_row));
            }
            ranges.extend(price_range_rows(
                draft.product.id,
                draft.variants.iter().flat_map(|v| &v.prices),
            ));
        }
        // The counters start at the column defaults; leaving them out also lets this run
        // against a schema from before they existed (the migration tests do).
        for chunk in products.chunks(INSERT_CHUNK) {
            let rows = chunk.iter().map(|p| {
                let mut row = p.clone().into_active_model();
                row.revision = ActiveValue::NotSet;
                row.stock_revision = ActiveValue::NotSet;
                row
            });
            products::Entity::insert_many(rows)
                .exec_without_returning(&txn)
                .await
                .map_err(StoreError::from_write)?;
        }
        insert_chunked::<product_options::Entity, _>(&txn, options).await?;
        insert_chunked::<product_variants::Entity, _>(&txn, variants).await?;
        insert_chunked::<variant_option_values::Entity, _>(&txn, option_values).await?;
        insert_chunked::<variant_prices::Entity, _>(&txn, prices).await?;
        insert_chunked::<product_prices::Entity, _>(&txn, ranges).await?;
        insert_chunked::<product_images::Entity, _>(&txn, images).await?;
        insert_chunked::<product_collections::Entity, _>(&txn, memberships).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Saves a product's own fields (not its variants).
    pub async fn update_product(&self, p: &Product) -> Result<(), StoreError> {
        let mut row = mapping::product_row(p).into_active_model().reset_all();
        row.revision = ActiveValue::NotSet;
        row.stock_revision = ActiveValue::NotSet;
        // Stock writes own availability: the figure `p` carries was read before this write and
        // could undo a concurrent sale's.
        row.available_for_sale = ActiveValue::NotSet;
        let txn = self.db.begin().await?;
        match products::Entity::update(row).exec(&txn).await {
            Ok(_) => {}
            Err(sea_orm::DbErr::RecordNotUpdated) => return Err(StoreError::NotFound),
            Err(e) => return Err(StoreError::from_write(e)),
        }
        bump_revisions(&txn, &[p.id]).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Replaces the collections a product belongs to.
    pub async fn set_product_collections(
        &self,
        product_id: Uuid,
        collection_ids: &[Uuid],
    ) -> Result<(), StoreError> {
        let txn = self.db.begin().await?;
        product_collections::Entity::delete_many()
            .filter(product_collections::Column::ProductId.eq(product_id))
            .exec(&txn)
            .await?;
        let rows = collection_ids
            .iter()
            .map(|c| product_collections::Model {
                collection_id: *c,
                product_id,
                position: i32::MAX / 2,
            })
            .collect();
        insert_chunked::<product_collections::Entity, _>(&txn, rows).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Deletes a product and everything that hangs off it.
    pub async fn delete_product(&self, id: Uuid) -> Result<(), StoreError> {
        let txn = self.db.begin().await?;
        // Its levels go below; no stock write may recreate one in between.
        lock_products(&txn, &[id]).await?;
        let deleted = products::Entity::delete_by_id(id).exec(&txn).await?;
        if deleted.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        let variant_ids: Vec<Uuid> = product_variants::Entity::find()
            .select_only()
            .column(product_variants::Column::Id)
            .filter(product_variants::Column::ProductId.eq(id))
            .into_tuple()
            .all(&txn)
            .await?;
        variant_prices::Entity::delete_many()
            .filter(variant_prices::Column::VariantId.is_in(variant_ids.clone()))
            .exec(&txn)
            .await?;
        // The ledger keeps the product's stock history; only the current levels go.
        inventory_levels::Entity::delete_many()
            .filter(inventory_levels::Column::VariantId.is_in(variant_ids.clone()))
            .exec(&txn)
            .await?;
        let mut owned: Vec<Uuid> = variant_ids;
        owned.push(id);
        translations::Entity::delete_many()
            .filter(translations::Column::ResourceId.is_in(owned))
            .exec(&txn)
            .await?;
        product_variants::Entity::delete_many()
            .filter(product_variants::Column::ProductId.eq(id))
            .exec(&txn)
            .await?;
        variant_option_values::Entity::delete_many()
            .filter(variant_option_values::Column::ProductId.eq(id))
            .exec(&txn)
            .await?;
        product_options::Entity::delete_many()
            .filter(product_options::Column::ProductId.eq(id))
            .exec(&txn)
            .await?;
        product_prices::Entity::delete_many()
            .filter(product_prices::Column::ProductId.eq(id))
            .exec(&txn)
            .await?;
        product_images::Entity::delete_many()
            .filter(product_images::Column::ProductId.eq(id))
            .exec(&txn)
            .await?;
        product_collections::Entity::delete_many()
            .filter(product_collections::Column::ProductId.eq(id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(())
    }

    // ---- options, variants, prices --------------------------------------------------------

    pub async fn options_of_products(
        &self,
        product_ids: &[Uuid],
    ) -> Result<Vec<ProductOption>, StoreError> {
        let rows = product_options::Entity::find()
            .filter(product_options::Column::ProductId.is_in(product_ids.to_vec()))
            .order_by_asc(product_options::Column::Position)
            .all(&self.db)
            .await?;
        rows.into_iter().map(mapping::option).collect()
    }

    pub async fn variants_of_products(
        &self,
        product_ids: &[Uuid],
    ) -> Result<Vec<Variant>, StoreError> {
        let rows = product_variants::Entity::find()
            .filter(product_variants::Column::ProductId.is_in(product_ids.to_vec()))
            .order_by_asc(product_variants::Column::Position)
            .all(&self.db)
            .await?;
        rows.into_iter().map(mapping::variant).collect()
    }

    pub async fn variants_by_ids(&self, ids: &[Uuid]) -> Result<Vec<Variant>, StoreError> {
        let rows = product_variants::Entity::find()
            .filter(product_variants::Column::Id.is_in(ids.to_vec()))
            .all(&self.db)
            .await?;
        rows.into_iter().map(mapping::variant).collect()
    }

    /// Base prices of the given variants, in every currency.
    pub async fn prices_of_variants(
        &self,
        variant_ids: &[Uuid],
    ) -> Result<Vec<VariantPrice>, StoreError> {
        let rows = variant_prices::Entity::find()
            .filter(variant_prices::Column::VariantId.is_in(variant_ids.to_vec()))
            .all(&self.db)
            .await?;
        rows.into_iter().map(mapping::variant_price).collect()
    }

    /// Writes a product's options and a set of its variants (new or changed) with their prices,
    /// then refreshes the product's price ranges and availability, all in one transaction.
    pub async fn save_variants(
        &self,
        product_id: Uuid,
        options: &[ProductOption],
        variants: &[VariantDraft],
    ) -> Result<(), StoreError> {
        let txn = self.db.begin().await?;
        // Availability is recomputed below from the variants' stock; locking the product as
        // stock writes do keeps one from slipping in between the read and the write.
        lock_products(&txn, &[product_id]).await?;
        for o in options {
            product_options::Entity::insert(mapping::option_row(o).into_active_model())
                .on_conflict(
                    OnConflict::column(product_options::Column::Id)
                        .update_columns([
                            product_options::Column::Name,
                            product_options::Column::OptionValues,
                        ])
                        .to_owned(),
                )
                .exec_without_returning(&txn)
                .await?;
        }
        for draft in variants {
            let v = &draft.variant;
            use product_variants::Column as C;
            product_variants::Entity::insert(mapping::variant_row(v).into_active_model())
                .on_conflict(
                    OnConflict::column(C::Id)
                        .update_columns([
                            C::Sku,
                            C::Title,
                            C::Barcode,
                            C::WeightGrams,
                            C::SelectedOptions,
                            C::Position,
                            C::ImageId,
                            C::InventoryTracked,
                            // Not the quantity: stock writes own it (see inventory.rs).
                            C::UpdatedAt,
                        ])
                        .to_owned(),
                )
                .exec_without_returning(&txn)
                .await
                .map_err(StoreError::from_write)?;
            variant_option_values::Entity::delete_many()
                .filter(variant_option_values::Column::VariantId.eq(v.id))
                .exec(&txn)
                .await?;
            insert_chunked::<variant_option_values::Entity, _>(&txn, option_value_rows(v)).await?;
            variant_prices::Entity::delete_many()
                .filter(variant_prices::Column::VariantId.eq(v.id))
                .exec(&txn)
                .await?;
            insert_chunked::<variant_prices::Entity, _>(
                &txn,
                draft.prices.iter().map(mapping::variant_price_row).collect(),
            )
            .await?;
        }
        refresh_product_summary(&txn, product_id).await?;
        txn.commit().await?;
        Ok(())
    }

    // ---- images ---------------------------------------------------------------------------

    pub async fn images_of_products(&self, product_ids: &[Uuid]) -> Result<Vec<Image>, StoreError> {
        let rows = product_images::Entity::find()
            .filter(product_images::Column::ProductId.is_in(product_ids.to_vec()))
            .order_by_asc(product_images::Column::Position)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(mapping::image).collect())
    }

    pub async fn images_by_ids(&self, ids: &[Uuid]) -> Result<Vec<Image>, StoreError> {
        let rows = product_images::Entity::find()
            .filter(product_images::Column::Id.is_in(ids.to_vec()))
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(mapping::image).collect())
    }

    pub async fn insert_images(&self, images: &[Image]) -> Result<(), StoreError> {
        let txn = self.db.begin().await?;
        insert_chunked::<product_images::Entity, _>(
            &txn,
            images.iter().map(mapping::image_row).collect(),
        )
        .await?;
        let mut owners: Vec<Uuid> = images.iter().map(|i| i.product_id).collect();
        owners.dedup();
        bump_revisions(&txn, &owners).await?;
        txn.commit().await?;
        Ok(())
    }

    pub async fn delete_image(&self, id: Uuid) -> Result<(), StoreError> {
        let txn = self.db.begin().await?;
        let Some(image) = product_images::Entity::find_by_id(id).one(&txn).await? else {
            return Err(StoreError::NotFound);
        };
        product_images::Entity::delete_by_id(id).exec(&txn).await?;
        bump_revisions(&txn, &[image.product_id]).await?;
        product_variants::Entity::update_many()
            .col_expr(product_variants::Column::ImageId, Expr::value(Option::<Uuid>::None))
            .filter(product_variants::Column::ImageId.eq(id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(())
    }

    // ---- translations ---------------------------------------------------------------------

    /// Translations of the given objects in one language: (object id, field) -> text.
    pub async fn translations(
        &self,
        resource_ids: &[Uuid],
        language: &str,
    ) -> Result<HashMap<(Uuid, String), String>, StoreError> {
        let rows = translations::Entity::find()
            .filter(translations::Column::ResourceId.is_in(resource_ids.to_vec()))
            .filter(translations::Column::Language.eq(language))
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|r| ((r.resource_id, r.field), r.content)).collect())
    }

    /// Registers translations of one object; an existing text for the same field and language
    /// is replaced.
    pub async fn save_translations(
        &self,
        resource_id: Uuid,
        entries: &[(String, String, String)],
    ) -> Result<(), StoreError> {
        let txn = self.db.begin().await?;
        for (language, field, content) in entries {
            let row = translations::Model {
                resource_id,
                language: language.clone(),
                field: field.clone(),
                content: content.clone(),
            };
            translations::Entity::insert(row.into_active_model())
                .on_conflict(
                    OnConflict::columns([
                        translations::Column::ResourceId,
                        translations::Column::Language,
                        translations::Column::Field,
                    ])
                    .update_column(translations::Column::Content)
                    .to_owned(),
                )
                .exec_without_returning(&txn)
                .await?;
        }
        bump_revisions_of_owners(&txn, &[resource_id]).await?;
        txn.commit().await?;
        Ok(())
    }

    pub async fn insert_translations(
        &self,
        rows: Vec<(Uuid, String, String, String)>,
    ) -> Result<(), StoreError> {
        let mut owners: Vec<Uuid> = rows.iter().map(|r| r.0).collect();
        owners.sort_unstable();
        owners.dedup();
        let rows = rows
            .into_iter()
            .map(|(resource_id, language, field, content)| translations::Model {
                resource_id,
                language,
                field,
                content,
            })
            .collect();
        let txn = self.db.begin().await?;
        insert_chunked::<translations::Entity, _>(&txn, rows).await?;
        for chunk in owners.chunks(INSERT_CHUNK) {
            bump_revisions_of_owners(&txn, chunk).await?;
        }
        txn.commit().await?;
        Ok(())
    }

    pub async fn remove_translations(
        &self,
        resource_id: Uuid,
        languages: &[String],
        fields: &[String],
    ) -> Result<u64, StoreError> {
        let txn = self.db.begin().await?;
        let result = translations::Entity::delete_many()
            .filter(translations::Column::ResourceId.eq(resource_id))
            .filter(translations::Column::Language.is_in(languages.to_vec()))
            .filter(translations::Column::Field.is_in(fields.to_vec()))
            .exec(&txn)
            .await?;
        bump_revisions_of_owners(&txn, &[resource_id]).await?;
        txn.commit().await?;
        Ok(result.rows_affected)
    }
}

fn option_value_rows(v: &Variant) -> Vec<variant_option_values::Model> {
    v.selected_options
        .iter()
        .map(|s| variant_option_values::Model {
            variant_id: v.id,
            product_id: v.product_id,
            name: s.name.clone(),
            option_value: s.value.clone(),
        })
        .collect()
}

fn price_range_rows<'a>(
    product_id: Uuid,
    prices: impl Iterator<Item = &'a VariantPrice>,
) -> Vec<product_prices::Model> {
    let mut by_currency: HashMap<String, Vec<Money>> = HashMap::new();
    for p in prices {
        by_currency.entry(p.price.currency.to_string()).or_default().push(p.price);
    }
    let mut rows: Vec<_> = by_currency
        .into_iter()
        .filter_map(|(currency, amounts)| {
            let range = price_range(product_id, &amounts)?;
            Some(product_prices::Model {
                product_id,
                currency,
                min_amount: range.min.minor,
                max_amount: range.max.minor,
            })
        })
        .collect();
    rows.sort_by(|a, b| a.currency.cmp(&b.currency));
    rows
}

/// Recomputes the denormalised price ranges and availability of one product from its variants.
async fn refresh_product_summary<C: ConnectionTrait>(
    db: &C,
    product_id: Uuid,
) -> Result<(), StoreError> {
    let variants: Vec<Variant> = product_variants::Entity::find()
        .filter(product_variants::Column::ProductId.eq(product_id))
        .all(db)
        .await?
        .into_iter()
        .map(mapping::variant)
        .collect::<Result<_, _>>()?;
    let ids: Vec<Uuid> = variants.iter().map(|v| v.id).collect();
    let prices: Vec<VariantPrice> = variant_prices::Entity::find()
        .filter(variant_prices::Column::VariantId.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(mapping::variant_price)
        .collect::<Result<_, _>>()?;
    product_prices::Entity::delete_many()
        .filter(product_prices::Column::ProductId.eq(product_id))
        .exec(db)
        .await?;
    insert_chunked::<product_prices::Entity, _>(db, price_range_rows(product_id, prices.iter()))
        .await?;
    let available = variants.iter().any(Variant::available_for_sale);
    products::Entity::update_many()
        .col_expr(products::Column::AvailableForSale, Expr::value(available))
        .col_expr(products::Column::UpdatedAt, Expr::value(Utc::now()))
        .col_expr(products::Column::Revision, Expr::col(products::Column::Revision).add(1))
        .filter(products::Column::Id.eq(product_id))
        .exec(db)
        .await?;
    Ok(())
}

impl Store {
    pub async fn option_by_id(&self, id: Uuid) -> Result<Option<ProductOption>, StoreError> {
        let row = product_options::Entity::find_by_id(id).one(&self.db).await?;
        row.map(mapping::option).transpose()
    }
}
