//! Admin mutations over the catalog. Each needs `catalog:write` (channels: `channels:write`).

use async_graphql::{Context, InputObject, Object, ID};
use std::sync::Arc;
use vitrine_app::catalog::{
    ChannelInput, CollectionInput, NewImage, PriceInput, ProductInput, VariantInput,
};
use vitrine_domain::access::Permission;

use vitrine_app::ErrorCode;
use vitrine_domain::catalog::{self as domain, Seo, SizeChart, Spec};
use vitrine_domain::id::{GlobalId, NodeKind};
use vitrine_domain::product_view::ProductView;

use crate::catalog::product::SelectedOption;
use crate::catalog::{Brand, Channel, Collection, Image, Product, ProductVariant};
use crate::common::codes::{CountryCode, CurrencyCode, LanguageCode};
use crate::common::gid;
use crate::common::scalars::Decimal;
use crate::context::ContextExt;
use crate::mutate::{mutate, payload, read_input, InputReader};

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
    /// Web origins whose pages may call the API with this storefront key (CORS), such as
    /// `https://maison-lune.example`; `*` allows any. Replaces the list.
    pub allowed_origins: Option<Vec<String>>,
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

payload!(ProductCreatePayload { product: Option<Product> }
    from |view: Arc<ProductView>| { product: Some(Product(view)) });
payload!(ProductUpdatePayload { product: Option<Product> }
    from |view: Arc<ProductView>| { product: Some(Product(view)) });
payload!(ProductDeletePayload { deleted_product_id: Option<ID> }
    from |id: ID| { deleted_product_id: Some(id) });
payload!(ProductVariantsBulkCreatePayload {
    product: Option<Product>,
    product_variants: Option<Vec<ProductVariant>>,
} from |changed: VariantsChanged| {
    product_variants: Some(changed.variants()),
    product: Some(Product(changed.view)),
});
payload!(ProductVariantsBulkUpdatePayload {
    product: Option<Product>,
    product_variants: Option<Vec<ProductVariant>>,
} from |changed: VariantsChanged| {
    product_variants: Some(changed.variants()),
    product: Some(Product(changed.view)),
});
payload!(ProductImagesAddPayload { images: Option<Vec<Image>> }
    from |images: Vec<domain::Image>| { images: Some(images.into_iter().map(Image).collect()) });
payload!(ProductImageDeletePayload { deleted_image_id: Option<ID> }
    from |id: ID| { deleted_image_id: Some(id) });
payload!(ChannelPayload { channel: Option<Channel> }
    from |channel: domain::Channel| { channel: Some(Channel(channel.into())) });
payload!(BrandPayload { brand: Option<Brand> }
    from |brand: domain::Brand| { brand: Some(Brand(brand)) });
payload!(CollectionPayload { collection: Option<Collection> }
    from |collection: domain::Collection| { collection: Some(Collection(collection)) });
payload!(CollectionDeletePayload { deleted_collection_id: Option<ID> }
    from |id: ID| { deleted_collection_id: Some(id) });
payload!(TranslationsRegisterPayload { translations: Option<Vec<Translation>> }
    from |registered: Vec<Translation>| { translations: Some(registered) });
payload!(TranslationsRemovePayload { removed_count: Option<i32> }
    from |removed: u64| { removed_count: Some(i32::try_from(removed).unwrap_or(i32::MAX)) });

/// A product after a bulk variant change, and the variants the change wrote.
pub struct VariantsChanged {
    view: Arc<ProductView>,
    changed: Vec<domain::Variant>,
}

impl VariantsChanged {
    fn variants(&self) -> Vec<ProductVariant> {
        self.changed.iter().filter_map(|v| ProductVariant::of(self.view.clone(), v.id)).collect()
    }
}

fn seo(input: Option<SeoInput>) -> Option<Seo> {
    input.map(|s| Seo { title: s.title, description: s.description })
}

fn variant_inputs(r: &mut InputReader, rows: Vec<ProductVariantsBulkInput>) -> Vec<VariantInput> {
    r.rows("variants", rows, |r, row| VariantInput {
        id: r.optional_id(row.id.as_ref(), NodeKind::ProductVariant, "id"),
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
        image_id: r.optional_id(row.image_id.as_ref(), NodeKind::Image, "imageId"),
        inventory_tracked: row.inventory_tracked,
    })
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

fn product_input(r: &mut InputReader, f: ProductFields) -> ProductInput {
    ProductInput {
        title: f.title,
        handle: f.handle,
        description: f.description,
        brand_id: r.optional_id(f.brand_id.as_ref(), NodeKind::Brand, "brandId"),
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
            .map(|ids| r.ids(&ids, NodeKind::Collection, "collectionIds")),
        options: vec![],
    }
}

/// Any object's global id (translations apply to several kinds).
fn resource_id(r: &mut InputReader, id: &ID) -> GlobalId {
    GlobalId::parse(id).unwrap_or_else(|e| {
        r.reject(&["resourceId"], ErrorCode::Invalid, e.to_string());
        GlobalId::new(NodeKind::Product, uuid::Uuid::nil())
    })
}

enum Bulk {
    Create,
    Update,
}

/// The shared body of `productVariantsBulkCreate` and `productVariantsBulkUpdate`.
async fn variants_bulk<P>(
    ctx: &Context<'_>,
    product_id: &ID,
    variants: Vec<ProductVariantsBulkInput>,
    mode: Bulk,
) -> async_graphql::Result<P>
where
    P: crate::mutate::Rejectable + From<VariantsChanged>,
{
    let input = read_input(|r| {
        (r.id(product_id, NodeKind::Product, "productId"), variant_inputs(r, variants))
    });
    mutate(ctx, input, async |_, (id, rows)| {
        let catalog = &ctx.app().catalog;
        let changed = match mode {
            Bulk::Create => catalog.variants_bulk_create(id, rows).await?,
            Bulk::Update => catalog.variants_bulk_update(id, rows).await?,
        };
        Ok(VariantsChanged { view: catalog.product_view(id).await?, changed })
    })
    .await
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
        let input = read_input(|r| {
            let mut product = product_input(
                r,
                ProductFields {
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
                },
            );
            product.options = input
                .product_options
                .unwrap_or_default()
                .into_iter()
                .map(|o| (o.name, o.values))
                .collect();
            (product, variant_inputs(r, input.variants.unwrap_or_default()))
        });
        mutate(ctx, input, async |_, (product, variants)| {
            let catalog = &ctx.app().catalog;
            let created = catalog.product_create(product, variants).await?;
            catalog.product_view(created.id).await
        })
        .await
    }

    /// Changes a product's own fields; omitted fields keep their values.
    /// Needs `catalog:write`.
    async fn product_update(
        &self,
        ctx: &Context<'_>,
        input: ProductUpdateInput,
    ) -> async_graphql::Result<ProductUpdatePayload> {
        ctx.require(Permission::CatalogWrite)?;
        let input = read_input(|r| {
            let id = r.id(&input.id, NodeKind::Product, "id");
            let fields = ProductFields {
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
            };
            (id, product_input(r, fields))
        });
        mutate(ctx, input, async |_, (id, product)| {
            let catalog = &ctx.app().catalog;
            catalog.product_update(id, product).await?;
            catalog.product_view(id).await
        })
        .await
    }

    /// Deletes a product with its variants, prices, images and translations.
    /// Needs `catalog:write`.
    async fn product_delete(
        &self,
        ctx: &Context<'_>,
        input: ProductDeleteInput,
    ) -> async_graphql::Result<ProductDeletePayload> {
        ctx.require(Permission::CatalogWrite)?;
        let id = read_input(|r| r.id(&input.id, NodeKind::Product, "id"));
        mutate(ctx, id, async |_, id| {
            ctx.app().catalog.product_delete(id).await.map(|()| gid(NodeKind::Product, id))
        })
        .await
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
        variants_bulk(ctx, &product_id, variants, Bulk::Create).await
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
        variants_bulk(ctx, &product_id, variants, Bulk::Update).await
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
        let id = read_input(|r| r.id(&product_id, NodeKind::Product, "productId"));
        mutate(ctx, id, async |_, id| {
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
        })
        .await
    }

    /// Deletes an image; variants that showed it show none.
    /// Needs `catalog:write`.
    async fn product_image_delete(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<ProductImageDeletePayload> {
        ctx.require(Permission::CatalogWrite)?;
        let uuid = read_input(|r| r.id(&id, NodeKind::Image, "id"));
        mutate(ctx, uuid, async |_, uuid| {
            ctx.app().catalog.image_delete(uuid).await.map(|()| gid(NodeKind::Image, uuid))
        })
        .await
    }

    /// Creates a storefront channel with a new public storefront key.
    /// Needs `channels:write`.
    async fn channel_create(
        &self,
        ctx: &Context<'_>,
        input: ChannelCreateInput,
    ) -> async_graphql::Result<ChannelPayload> {
        ctx.require(Permission::ChannelsManage)?;
        channel_save(ctx, None, input).await
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
        channel_save(ctx, Some(id), input).await
    }

    /// Creates a brand; the handle is derived from the name unless given.
    /// Needs `catalog:write`.
    async fn brand_create(
        &self,
        ctx: &Context<'_>,
        input: BrandInput,
    ) -> async_graphql::Result<BrandPayload> {
        ctx.require(Permission::CatalogWrite)?;
        mutate(ctx, Ok(input), async |_, i| {
            ctx.app().catalog.brand_save(None, i.name, i.handle, i.description).await
        })
        .await
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
        let id = read_input(|r| r.id(&id, NodeKind::Brand, "id"));
        mutate(ctx, id, async |_, id| {
            ctx.app()
                .catalog
                .brand_save(Some(id), input.name, input.handle, input.description)
                .await
        })
        .await
    }

    /// Creates a collection, at the top level or under `parentId`.
    /// Needs `catalog:write`.
    async fn collection_create(
        &self,
        ctx: &Context<'_>,
        input: CollectionCreateInput,
    ) -> async_graphql::Result<CollectionPayload> {
        ctx.require(Permission::CatalogWrite)?;
        collection_save(ctx, None, input).await
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
        collection_save(ctx, Some(id), input).await
    }

    /// Deletes a collection; its children move up one level and its products stay.
    /// Needs `catalog:write`.
    async fn collection_delete(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<CollectionDeletePayload> {
        ctx.require(Permission::CatalogWrite)?;
        let uuid = read_input(|r| r.id(&id, NodeKind::Collection, "id"));
        mutate(ctx, uuid, async |_, uuid| {
            ctx.app()
                .catalog
                .collection_delete(uuid)
                .await
                .map(|()| gid(NodeKind::Collection, uuid))
        })
        .await
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
        let input = read_input(|r| {
            let id = r.id(&id, NodeKind::Collection, "id");
            (id, r.ids(&product_ids, NodeKind::Product, "productIds"))
        });
        mutate(ctx, input, async |_, (id, products)| {
            ctx.app().catalog.collection_add_products(id, &products).await
        })
        .await
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
        let input = read_input(|r| {
            let id = r.id(&id, NodeKind::Collection, "id");
            (id, r.ids(&product_ids, NodeKind::Product, "productIds"))
        });
        mutate(ctx, input, async |_, (id, products)| {
            ctx.app().catalog.collection_remove_products(id, &products).await
        })
        .await
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
        let gid = read_input(|r| self::resource_id(r, &resource_id));
        mutate(ctx, gid, async |_, gid| {
            let registered: Vec<Translation> = translations
                .iter()
                .map(|t| Translation {
                    key: t.key.clone(),
                    locale: t.locale.clone(),
                    value: t.value.clone(),
                })
                .collect();
            let entries = translations.into_iter().map(|t| (t.locale, t.key, t.value)).collect();
            ctx.app().catalog.translations_register(gid.kind, gid.id, entries).await?;
            Ok(registered)
        })
        .await
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
        let gid = read_input(|r| self::resource_id(r, &resource_id));
        mutate(ctx, gid, async |_, gid| {
            let catalog = &ctx.app().catalog;
            catalog.translations_remove(gid.kind, gid.id, locales, translation_keys).await
        })
        .await
    }
}

async fn channel_save(
    ctx: &Context<'_>,
    id: Option<ID>,
    input: ChannelCreateInput,
) -> async_graphql::Result<ChannelPayload> {
    let input = read_input(|r| {
        let id = r.optional_id(id.as_ref(), NodeKind::Channel, "id");
        let channel = ChannelInput {
            handle: input.handle,
            name: input.name,
            default_language: input.default_language.map(LanguageCode::tag),
            languages: input.languages.map(|l| l.into_iter().map(LanguageCode::tag).collect()),
            default_currency: input.default_currency.map(|c| c.name().to_owned()),
            currencies: input
                .currencies
                .map(|c| c.into_iter().map(|c| c.name().to_owned()).collect()),
            brand_ids: input.brand_ids.map(|ids| r.ids(&ids, NodeKind::Brand, "brandIds")),
            is_default: input.is_default,
            show_stock_counts: input.show_stock_counts,
            prices_include_tax: input.prices_include_tax,
            tax_country: input.tax_country.map(|c| Some(c.name().to_owned())),
            allowed_origins: input.allowed_origins,
        };
        (id, channel)
    });
    mutate(ctx, input, async |_, (id, channel)| {
        let saved = ctx.app().catalog.channel_save(id, channel).await?;
        if let Some(cache) = ctx.data_opt::<crate::ChannelCacheHandle>() {
            cache.invalidate();
        }
        Ok(saved)
    })
    .await
}

async fn collection_save(
    ctx: &Context<'_>,
    id: Option<ID>,
    input: CollectionCreateInput,
) -> async_graphql::Result<CollectionPayload> {
    let input = read_input(|r| {
        let id = r.optional_id(id.as_ref(), NodeKind::Collection, "id");
        let parent = r.optional_id(input.parent_id.as_ref(), NodeKind::Collection, "parentId");
        let collection = CollectionInput {
            title: input.title,
            handle: input.handle,
            description: input.description,
            parent_id: parent.map(Some),
            position: input.position,
            image_url: input.image_url,
            seo: seo(input.seo),
        };
        (id, collection)
    });
    mutate(ctx, input, async |_, (id, collection)| {
        ctx.app().catalog.collection_save(id, collection).await
    })
    .await
}
