//! Admin mutations over the catalog. Each needs `catalog:write` (channels: `channels:write`).

use async_graphql::{Context, InputObject, Object, ID};
use vitrine_app::catalog::{
    ChannelInput, CollectionInput, NewImage, PriceInput, ProductInput, VariantInput,
};
use vitrine_app::AppError;
use vitrine_domain::access::Permission;
use vitrine_domain::catalog::{Seo, SizeChart, Spec};
use vitrine_domain::id::{GlobalId, NodeKind};

use crate::catalog::product::SelectedOption;
use crate::catalog::{Brand, Channel, Collection, Image, Product, ProductVariant};
use crate::common::codes::{CountryCode, CurrencyCode, LanguageCode};
use crate::common::gid;
use crate::common::scalars::Decimal;
use crate::context::ContextExt;
use crate::error::into_payload;
use crate::mutate::{input_id, input_ids, payload};

#[derive(InputObject, Clone)]
#[graphql(name = "SEOInput")]
pub struct SeoInput {
    pub title: Option<String>,
    pub description: Option<String>,
}

#[derive(InputObject, Clone)]
pub struct SpecInput {
    pub name: String,
    pub value: String,
}

#[derive(InputObject, Clone)]
pub struct SizeChartInput {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

#[derive(InputObject, Clone)]
pub struct OptionCreateInput {
    pub name: String,
    pub values: Vec<String>,
}

#[derive(InputObject, Clone)]
pub struct VariantPriceInput {
    pub amount: Decimal,
    pub currency_code: CurrencyCode,
    pub compare_at_amount: Option<Decimal>,
}

#[derive(InputObject, Clone, Default)]
pub struct ProductVariantsBulkInput {
    /// Required by `productVariantsBulkUpdate`, ignored by create.
    pub id: Option<ID>,
    pub sku: Option<String>,
    pub barcode: Option<String>,
    pub weight_grams: Option<i32>,
    pub option_values: Option<Vec<SelectedOption>>,
    /// Replaces every base price of the variant.
    pub prices: Option<Vec<VariantPriceInput>>,
    pub image_id: Option<ID>,
    /// Whether stock is counted (default true). Quantities are set through
    /// `inventorySetQuantities` and `inventoryAdjustQuantities`, which keep the stock ledger.
    pub inventory_tracked: Option<bool>,
}

#[derive(InputObject, Clone, Default)]
pub struct ProductCreateInput {
    pub title: Option<String>,
    pub handle: Option<String>,
    pub description: Option<String>,
    pub brand_id: Option<ID>,
    pub status: Option<crate::catalog::product::ProductStatus>,
    pub product_type: Option<String>,
    pub tags: Option<Vec<String>>,
    pub specs: Option<Vec<SpecInput>>,
    pub size_chart: Option<SizeChartInput>,
    pub seo: Option<SeoInput>,
    pub collection_ids: Option<Vec<ID>>,
    pub product_options: Option<Vec<OptionCreateInput>>,
    pub variants: Option<Vec<ProductVariantsBulkInput>>,
}

#[derive(InputObject, Clone)]
pub struct ProductUpdateInput {
    pub id: ID,
    pub title: Option<String>,
    pub handle: Option<String>,
    pub description: Option<String>,
    pub brand_id: Option<ID>,
    pub status: Option<crate::catalog::product::ProductStatus>,
    pub product_type: Option<String>,
    pub tags: Option<Vec<String>>,
    pub specs: Option<Vec<SpecInput>>,
    pub size_chart: Option<SizeChartInput>,
    pub seo: Option<SeoInput>,
    /// Replaces the collections the product is in.
    pub collection_ids: Option<Vec<ID>>,
}

#[derive(InputObject)]
pub struct ProductDeleteInput {
    pub id: ID,
}

#[derive(InputObject)]
pub struct ImageInput {
    pub url: String,
    pub alt_text: Option<String>,
    pub width: Option<i32>,
    pub height: Option<i32>,
}

#[derive(InputObject)]
pub struct ChannelCreateInput {
    pub name: Option<String>,
    pub handle: Option<String>,
    pub default_language: Option<LanguageCode>,
    pub languages: Option<Vec<LanguageCode>>,
    pub default_currency: Option<CurrencyCode>,
    pub currencies: Option<Vec<CurrencyCode>>,
    pub brand_ids: Option<Vec<ID>>,
    /// Makes this the channel of requests without a storefront key.
    pub is_default: Option<bool>,
    /// Lets shoppers see stock counts (`quantityAvailable`), e.g. to show "only 2 left".
    pub show_stock_counts: Option<bool>,
    /// Whether entered prices include tax; true (European consumer prices) by default.
    pub prices_include_tax: Option<bool>,
    /// The country whose tax rate applies when the buyer's country is not known.
    pub tax_country: Option<CountryCode>,
}

#[derive(InputObject)]
pub struct BrandInput {
    pub name: Option<String>,
    pub handle: Option<String>,
    pub description: Option<String>,
}

#[derive(InputObject)]
pub struct CollectionCreateInput {
    pub title: Option<String>,
    pub handle: Option<String>,
    pub description: Option<String>,
    pub parent_id: Option<ID>,
    pub position: Option<i32>,
    pub image_url: Option<String>,
    pub seo: Option<SeoInput>,
}

#[derive(InputObject)]
pub struct TranslationInput {
    /// The field, e.g. `title`, `description`, `seoTitle`.
    pub key: String,
    /// A language code such as `fr` or `pt-BR`.
    pub locale: String,
    pub value: String,
}

/// A registered translation.
#[derive(async_graphql::SimpleObject, Clone)]
pub struct Translation {
    pub key: String,
    pub locale: String,
    pub value: String,
}

payload!(ProductCreatePayload { product: Option<Product> });
payload!(ProductUpdatePayload { product: Option<Product> });
payload!(ProductDeletePayload { deleted_product_id: Option<ID> });
payload!(ProductVariantsBulkCreatePayload { product: Option<Product>, product_variants: Option<Vec<ProductVariant>> });
payload!(ProductVariantsBulkUpdatePayload { product: Option<Product>, product_variants: Option<Vec<ProductVariant>> });
payload!(ProductImagesAddPayload { images: Option<Vec<Image>> });
payload!(ProductImageDeletePayload { deleted_image_id: Option<ID> });
payload!(ChannelPayload { channel: Option<Channel> });
payload!(BrandPayload { brand: Option<Brand> });
payload!(CollectionPayload { collection: Option<Collection> });
payload!(CollectionDeletePayload { deleted_collection_id: Option<ID> });
payload!(TranslationsRegisterPayload { translations: Option<Vec<Translation>> });
payload!(TranslationsRemovePayload { removed_count: Option<i32> });

fn seo(input: Option<SeoInput>) -> Option<Seo> {
    input.map(|s| Seo { title: s.title, description: s.description })
}

fn variant_input(row: ProductVariantsBulkInput, index: usize) -> Result<VariantInput, AppError> {
    let at = |e: AppError| match e {
        AppError::User(errors) => AppError::User(
            errors.into_iter().map(|u| u.at(&["variants".to_owned(), index.to_string()])).collect(),
        ),
        other => other,
    };
    Ok(VariantInput {
        id: row
            .id
            .as_ref()
            .map(|id| input_id(id, NodeKind::ProductVariant, "id"))
            .transpose()
            .map_err(at)?,
        sku: row.sku,
        barcode: row.barcode,
        weight_grams: row.weight_grams,
        option_values: row.option_values.map(|v| v.into_iter().map(Into::into).collect()),
        prices: row.prices.map(|prices| {
            prices
                .into_iter()
                .map(|p| PriceInput {
                    currency: p.currency_code.name().to_owned(),
                    amount: p.amount.0,
                    compare_at: p.compare_at_amount.map(|d| d.0),
                })
                .collect()
        }),
        image_id: row
            .image_id
            .as_ref()
            .map(|id| input_id(id, NodeKind::Image, "imageId"))
            .transpose()
            .map_err(at)?,
        inventory_tracked: row.inventory_tracked,
    })
}

fn variant_inputs(rows: Vec<ProductVariantsBulkInput>) -> Result<Vec<VariantInput>, AppError> {
    rows.into_iter().enumerate().map(|(i, r)| variant_input(r, i)).collect()
}

/// The product fields that `productCreate` and `productUpdate` share.
struct ProductFields {
    title: Option<String>,
    handle: Option<String>,
    description: Option<String>,
    brand_id: Option<ID>,
    status: Option<crate::catalog::product::ProductStatus>,
    product_type: Option<String>,
    tags: Option<Vec<String>>,
    specs: Option<Vec<SpecInput>>,
    size_chart: Option<SizeChartInput>,
    seo: Option<SeoInput>,
    collection_ids: Option<Vec<ID>>,
}

fn product_input(f: ProductFields) -> Result<ProductInput, AppError> {
    Ok(ProductInput {
        title: f.title,
        handle: f.handle,
        description: f.description,
        brand_id: f
            .brand_id
            .as_ref()
            .map(|b| input_id(b, NodeKind::Brand, "brandId"))
            .transpose()?,
        status: f.status.map(Into::into),
        product_type: f.product_type,
        tags: f.tags,
        specs: f
            .specs
            .map(|s| s.into_iter().map(|s| Spec { name: s.name, value: s.value }).collect()),
        size_chart: f.size_chart.map(|c| SizeChart { headers: c.headers, rows: c.rows }),
        seo: seo(f.seo),
        collection_ids: f
            .collection_ids
            .map(|ids| input_ids(&ids, NodeKind::Collection, "collectionIds"))
            .transpose()?,
        options: vec![],
    })
}

enum Bulk {
    Create,
    Update,
}

type BulkOutcome = (Option<Product>, Option<Vec<ProductVariant>>, Vec<crate::error::UserError>);

/// The shared body of `productVariantsBulkCreate` and `productVariantsBulkUpdate`.
async fn variants_bulk(
    ctx: &Context<'_>,
    product_id: &ID,
    variants: Vec<ProductVariantsBulkInput>,
    mode: Bulk,
) -> async_graphql::Result<BulkOutcome> {
    let result = async {
        let id = input_id(product_id, NodeKind::Product, "productId")?;
        let rows = variant_inputs(variants)?;
        let catalog = &ctx.app().catalog;
        let changed = match mode {
            Bulk::Create => catalog.variants_bulk_create(id, rows).await?,
            Bulk::Update => catalog.variants_bulk_update(id, rows).await?,
        };
        Ok((catalog.product_view(id).await?, changed))
    }
    .await;
    let (done, user_errors) = into_payload(result)?;
    let (product, variants) = done.map_or((None, None), |(view, changed)| {
        let variants =
            changed.iter().filter_map(|v| ProductVariant::of(view.clone(), v.id)).collect();
        (Some(Product(view)), Some(variants))
    });
    Ok((product, variants, user_errors))
}

#[derive(Default)]
pub struct CatalogMutation;

#[Object]
impl CatalogMutation {
    /// Creates a product. Only `title` is required; a new product starts as a DRAFT.
    /// Needs `catalog:write`.
    async fn product_create(
        &self,
        ctx: &Context<'_>,
        input: ProductCreateInput,
    ) -> async_graphql::Result<ProductCreatePayload> {
        ctx.require(Permission::CatalogWrite)?;
        let result = async {
            let mut product = product_input(ProductFields {
                title: input.title,
                handle: input.handle,
                description: input.description,
                brand_id: input.brand_id,
                status: input.status,
                product_type: input.product_type,
                tags: input.tags,
                specs: input.specs,
                size_chart: input.size_chart,
                seo: input.seo,
                collection_ids: input.collection_ids,
            })?;
            product.options = input
                .product_options
                .unwrap_or_default()
                .into_iter()
                .map(|o| (o.name, o.values))
                .collect();
            let variants = variant_inputs(input.variants.unwrap_or_default())?;
            let catalog = &ctx.app().catalog;
            let created = catalog.product_create(product, variants).await?;
            catalog.product_view(created.id).await
        }
        .await;
        let (product, user_errors) = into_payload(result)?;
        Ok(ProductCreatePayload { product: product.map(Product), user_errors })
    }

    /// Changes a product's own fields; omitted fields keep their values.
    /// Needs `catalog:write`.
    async fn product_update(
        &self,
        ctx: &Context<'_>,
        input: ProductUpdateInput,
    ) -> async_graphql::Result<ProductUpdatePayload> {
        ctx.require(Permission::CatalogWrite)?;
        let result = async {
            let id = input_id(&input.id, NodeKind::Product, "id")?;
            let product = product_input(ProductFields {
                title: input.title,
                handle: input.handle,
                description: input.description,
                brand_id: input.brand_id,
                status: input.status,
                product_type: input.product_type,
                tags: input.tags,
                specs: input.specs,
                size_chart: input.size_chart,
                seo: input.seo,
                collection_ids: input.collection_ids,
            })?;
            let catalog = &ctx.app().catalog;
            catalog.product_update(id, product).await?;
            catalog.product_view(id).await
        }
        .await;
        let (product, user_errors) = into_payload(result)?;
        Ok(ProductUpdatePayload { product: product.map(Product), user_errors })
    }

    /// Deletes a product with its variants, prices, images and translations.
    /// Needs `catalog:write`.
    async fn product_delete(
        &self,
        ctx: &Context<'_>,
        input: ProductDeleteInput,
    ) -> async_graphql::Result<ProductDeletePayload> {
        ctx.require(Permission::CatalogWrite)?;
        let result = async {
            let id = input_id(&input.id, NodeKind::Product, "id")?;
            ctx.app().catalog.product_delete(id).await.map(|_| gid(NodeKind::Product, id))
        }
        .await;
        let (deleted, user_errors) = into_payload(result)?;
        Ok(ProductDeletePayload { deleted_product_id: deleted, user_errors })
    }

    /// Adds variants; new option values extend the product's options. One bad row rejects
    /// the whole call, with a userError per bad row (`["variants", "3", "sku"]`).
    /// Needs `catalog:write`.
    async fn product_variants_bulk_create(
        &self,
        ctx: &Context<'_>,
        product_id: ID,
        variants: Vec<ProductVariantsBulkInput>,
    ) -> async_graphql::Result<ProductVariantsBulkCreatePayload> {
        ctx.require(Permission::CatalogWrite)?;
        let (product, product_variants, user_errors) =
            variants_bulk(ctx, &product_id, variants, Bulk::Create).await?;
        Ok(ProductVariantsBulkCreatePayload { product, product_variants, user_errors })
    }

    /// Changes variants by id; omitted fields keep their values. All or nothing.
    /// Needs `catalog:write`.
    async fn product_variants_bulk_update(
        &self,
        ctx: &Context<'_>,
        product_id: ID,
        variants: Vec<ProductVariantsBulkInput>,
    ) -> async_graphql::Result<ProductVariantsBulkUpdatePayload> {
        ctx.require(Permission::CatalogWrite)?;
        let (product, product_variants, user_errors) =
            variants_bulk(ctx, &product_id, variants, Bulk::Update).await?;
        Ok(ProductVariantsBulkUpdatePayload { product, product_variants, user_errors })
    }

    /// Appends images to a product, after its existing ones.
    /// Needs `catalog:write`.
    async fn product_images_add(
        &self,
        ctx: &Context<'_>,
        product_id: ID,
        images: Vec<ImageInput>,
    ) -> async_graphql::Result<ProductImagesAddPayload> {
        ctx.require(Permission::CatalogWrite)?;
        let result = async {
            let id = input_id(&product_id, NodeKind::Product, "productId")?;
            let rows = images
                .into_iter()
                .map(|i| NewImage {
                    url: i.url,
                    alt_text: i.alt_text,
                    width: i.width,
                    height: i.height,
                })
                .collect();
            ctx.app().catalog.images_add(id, rows).await
        }
        .await;
        let (images, user_errors) = into_payload(result)?;
        Ok(ProductImagesAddPayload {
            images: images.map(|i| i.into_iter().map(Image).collect()),
            user_errors,
        })
    }

    /// Deletes an image; variants that showed it show none.
    /// Needs `catalog:write`.
    async fn product_image_delete(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<ProductImageDeletePayload> {
        ctx.require(Permission::CatalogWrite)?;
        let result = async {
            let uuid = input_id(&id, NodeKind::Image, "id")?;
            ctx.app().catalog.image_delete(uuid).await.map(|_| gid(NodeKind::Image, uuid))
        }
        .await;
        let (deleted, user_errors) = into_payload(result)?;
        Ok(ProductImageDeletePayload { deleted_image_id: deleted, user_errors })
    }

    /// Creates a storefront channel with a new public storefront key.
    /// Needs `channels:write`.
    async fn channel_create(
        &self,
        ctx: &Context<'_>,
        input: ChannelCreateInput,
    ) -> async_graphql::Result<ChannelPayload> {
        ctx.require(Permission::ChannelsManage)?;
        self.channel_save(ctx, None, input).await
    }

    /// Changes a channel; omitted fields keep their values.
    /// Needs `channels:write`.
    async fn channel_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: ChannelCreateInput,
    ) -> async_graphql::Result<ChannelPayload> {
        ctx.require(Permission::ChannelsManage)?;
        self.channel_save(ctx, Some(id), input).await
    }

    /// Creates a brand; the handle is derived from the name unless given.
    /// Needs `catalog:write`.
    async fn brand_create(
        &self,
        ctx: &Context<'_>,
        input: BrandInput,
    ) -> async_graphql::Result<BrandPayload> {
        ctx.require(Permission::CatalogWrite)?;
        let (brand, user_errors) = into_payload(
            ctx.app().catalog.brand_save(None, input.name, input.handle, input.description).await,
        )?;
        Ok(BrandPayload { brand: brand.map(Brand), user_errors })
    }

    /// Changes a brand; omitted fields keep their values.
    /// Needs `catalog:write`.
    async fn brand_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: BrandInput,
    ) -> async_graphql::Result<BrandPayload> {
        ctx.require(Permission::CatalogWrite)?;
        let result = async {
            let id = input_id(&id, NodeKind::Brand, "id")?;
            ctx.app()
                .catalog
                .brand_save(Some(id), input.name, input.handle, input.description)
                .await
        }
        .await;
        let (brand, user_errors) = into_payload(result)?;
        Ok(BrandPayload { brand: brand.map(Brand), user_errors })
    }

    /// Creates a collection, at the top level or under `parentId`.
    /// Needs `catalog:write`.
    async fn collection_create(
        &self,
        ctx: &Context<'_>,
        input: CollectionCreateInput,
    ) -> async_graphql::Result<CollectionPayload> {
        ctx.require(Permission::CatalogWrite)?;
        self.collection_save(ctx, None, input).await
    }

    /// Changes a collection; a collection cannot move under itself.
    /// Needs `catalog:write`.
    async fn collection_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: CollectionCreateInput,
    ) -> async_graphql::Result<CollectionPayload> {
        ctx.require(Permission::CatalogWrite)?;
        self.collection_save(ctx, Some(id), input).await
    }

    /// Deletes a collection; its children move up one level and its products stay.
    /// Needs `catalog:write`.
    async fn collection_delete(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<CollectionDeletePayload> {
        ctx.require(Permission::CatalogWrite)?;
        let result = async {
            let uuid = input_id(&id, NodeKind::Collection, "id")?;
            ctx.app().catalog.collection_delete(uuid).await.map(|_| gid(NodeKind::Collection, uuid))
        }
        .await;
        let (deleted, user_errors) = into_payload(result)?;
        Ok(CollectionDeletePayload { deleted_collection_id: deleted, user_errors })
    }

    /// Appends products to a collection (manual order); present ones stay.
    /// Needs `catalog:write`.
    async fn collection_add_products(
        &self,
        ctx: &Context<'_>,
        id: ID,
        product_ids: Vec<ID>,
    ) -> async_graphql::Result<CollectionPayload> {
        ctx.require(Permission::CatalogWrite)?;
        let result = async {
            let uuid = input_id(&id, NodeKind::Collection, "id")?;
            let products = input_ids(&product_ids, NodeKind::Product, "productIds")?;
            ctx.app().catalog.collection_add_products(uuid, &products).await
        }
        .await;
        let (collection, user_errors) = into_payload(result)?;
        Ok(CollectionPayload { collection: collection.map(Collection), user_errors })
    }

    /// Takes products out of a collection.
    /// Needs `catalog:write`.
    async fn collection_remove_products(
        &self,
        ctx: &Context<'_>,
        id: ID,
        product_ids: Vec<ID>,
    ) -> async_graphql::Result<CollectionPayload> {
        ctx.require(Permission::CatalogWrite)?;
        let result = async {
            let uuid = input_id(&id, NodeKind::Collection, "id")?;
            let products = input_ids(&product_ids, NodeKind::Product, "productIds")?;
            ctx.app().catalog.collection_remove_products(uuid, &products).await
        }
        .await;
        let (collection, user_errors) = into_payload(result)?;
        Ok(CollectionPayload { collection: collection.map(Collection), user_errors })
    }

    /// Registers translated texts of a product, collection, brand or product option. Keys
    /// are field names (`title`, `seoTitle`, ...), or name what they translate: an option's
    /// values `value:Navy`; a product's specs `spec_name:Material`, `spec_value:Material` and
    /// size-chart headers `size_chart_header:Waist (cm)`. Needs `catalog:write`.
    async fn translations_register(
        &self,
        ctx: &Context<'_>,
        resource_id: ID,
        translations: Vec<TranslationInput>,
    ) -> async_graphql::Result<TranslationsRegisterPayload> {
        ctx.require(Permission::CatalogWrite)?;
        let registered: Vec<Translation> = translations
            .iter()
            .map(|t| Translation {
                key: t.key.clone(),
                locale: t.locale.clone(),
                value: t.value.clone(),
            })
            .collect();
        let result = async {
            let gid = GlobalId::parse(&resource_id).map_err(|e| {
                AppError::user(vitrine_app::UserError::new(
                    &["resourceId"],
                    vitrine_app::ErrorCode::Invalid,
                    e.to_string(),
                ))
            })?;
            let entries = translations.into_iter().map(|t| (t.locale, t.key, t.value)).collect();
            ctx.app().catalog.translations_register(gid.kind, gid.id, entries).await
        }
        .await;
        let (done, user_errors) = into_payload(result)?;
        Ok(TranslationsRegisterPayload { translations: done.map(|_| registered), user_errors })
    }

    /// Removes translations of the given keys in the given locales.
    /// Needs `catalog:write`.
    async fn translations_remove(
        &self,
        ctx: &Context<'_>,
        resource_id: ID,
        translation_keys: Vec<String>,
        locales: Vec<String>,
    ) -> async_graphql::Result<TranslationsRemovePayload> {
        ctx.require(Permission::CatalogWrite)?;
        let result = async {
            let gid = GlobalId::parse(&resource_id).map_err(|e| {
                AppError::user(vitrine_app::UserError::new(
                    &["resourceId"],
                    vitrine_app::ErrorCode::Invalid,
                    e.to_string(),
                ))
            })?;
            ctx.app().catalog.translations_remove(gid.kind, gid.id, locales, translation_keys).await
        }
        .await;
        let (removed, user_errors) = into_payload(result)?;
        Ok(TranslationsRemovePayload {
            removed_count: removed.map(|n| i32::try_from(n).unwrap_or(i32::MAX)),
            user_errors,
        })
    }
}

impl CatalogMutation {
    async fn channel_save(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        input: ChannelCreateInput,
    ) -> async_graphql::Result<ChannelPayload> {
        let result = async {
            let id = id.as_ref().map(|i| input_id(i, NodeKind::Channel, "id")).transpose()?;
            let input = ChannelInput {
                handle: input.handle,
                name: input.name,
                default_language: input.default_language.map(LanguageCode::tag),
                languages: input.languages.map(|l| l.into_iter().map(LanguageCode::tag).collect()),
                default_currency: input.default_currency.map(|c| c.name().to_owned()),
                currencies: input
                    .currencies
                    .map(|c| c.into_iter().map(|c| c.name().to_owned()).collect()),
                brand_ids: input
                    .brand_ids
                    .map(|ids| input_ids(&ids, NodeKind::Brand, "brandIds"))
                    .transpose()?,
                is_default: input.is_default,
                show_stock_counts: input.show_stock_counts,
                prices_include_tax: input.prices_include_tax,
                tax_country: input.tax_country.map(|c| Some(c.name().to_owned())),
            };
            ctx.app().catalog.channel_save(id, input).await
        }
        .await;
        let (channel, user_errors) = into_payload(result)?;
        if channel.is_some() {
            if let Some(cache) = ctx.data_opt::<crate::ChannelCacheHandle>() {
                cache.invalidate();
            }
        }
        Ok(ChannelPayload { channel: channel.map(|c| Channel(c.into())), user_errors })
    }

    async fn collection_save(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        input: CollectionCreateInput,
    ) -> async_graphql::Result<CollectionPayload> {
        let result = async {
            let id = id.as_ref().map(|i| input_id(i, NodeKind::Collection, "id")).transpose()?;
            let parent = input
                .parent_id
                .as_ref()
                .map(|p| input_id(p, NodeKind::Collection, "parentId"))
                .transpose()?;
            let input = CollectionInput {
                title: input.title,
                handle: input.handle,
                description: input.description,
                parent_id: parent.map(Some),
                position: input.position,
                image_url: input.image_url,
                seo: seo(input.seo),
            };
            ctx.app().catalog.collection_save(id, input).await
        }
        .await;
        let (collection, user_errors) = into_payload(result)?;
        Ok(CollectionPayload { collection: collection.map(Collection), user_errors })
    }
}
