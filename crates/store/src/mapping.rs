//! Conversions between entity rows and domain records.

use serde::de::DeserializeOwned;
use serde::Serialize;
use vitrine_domain::catalog::{
    Brand, Channel, Collection, Image, Product, ProductOption, ProductStatus, Seo, Variant,
    VariantPrice,
};
use vitrine_domain::money::{Currency, Money};
use vitrine_domain::payment::PaymentMethod;

use crate::entity::*;
use crate::StoreError;

pub(crate) fn to_json<T: Serialize>(value: &T) -> String {
    // Serialising plain records to a string cannot fail.
    serde_json::to_string(value).unwrap_or_default()
}

pub(crate) fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn currency(code: &str) -> Result<Currency, StoreError> {
    Currency::new(code).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn join_list<T: ToString>(items: &[T]) -> String {
    items.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
}

pub(crate) fn split_list(text: &str) -> Vec<String> {
    text.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

pub(crate) fn channel(
    row: channels::Model,
    brand_ids: Vec<uuid::Uuid>,
) -> Result<Channel, StoreError> {
    Ok(Channel {
        id: row.id,
        handle: row.handle,
        name: row.name,
        storefront_key: row.storefront_key,
        default_language: row.default_language,
        languages: split_list(&row.languages),
        default_currency: currency(&row.default_currency)?,
        currencies: split_list(&row.currencies)
            .iter()
            .map(|c| currency(c))
            .collect::<Result<_, _>>()?,
        is_default: row.is_default,
        show_stock_counts: row.show_stock_counts,
        prices_include_tax: row.prices_include_tax,
        tax_country: row.tax_country,
        payment_methods: split_list(&row.payment_methods)
            .iter()
            .filter_map(|m| PaymentMethod::parse(m))
            .collect(),
        brand_ids,
        allowed_origins: split_list(&row.allowed_origins),
    })
}

pub(crate) fn brand(row: brands::Model) -> Brand {
    Brand { id: row.id, handle: row.handle, name: row.name, description: row.description }
}

pub(crate) fn collection(row: collections::Model) -> Collection {
    Collection {
        id: row.id,
        handle: row.handle,
        title: row.title,
        description: row.description,
        parent_id: row.parent_id,
        position: row.position,
        image_url: row.image_url,
        seo: Seo { title: row.seo_title, description: row.seo_description },
        updated_at: row.updated_at,
    }
}

pub(crate) fn product(row: products::Model) -> Result<Product, StoreError> {
    Ok(Product {
        id: row.id,
        handle: row.handle,
        title: row.title,
        description: row.description,
        brand_id: row.brand_id,
        status: ProductStatus::parse(&row.status)
            .ok_or_else(|| StoreError::Corrupt(format!("product status {}", row.status)))?,
        product_type: row.product_type,
        tags: from_json(&row.tags)?,
        specs: from_json(&row.specs)?,
        size_chart: row.size_chart.as_deref().map(from_json).transpose()?,
        seo: Seo { title: row.seo_title, description: row.seo_description },
        available_for_sale: row.available_for_sale,
        created_at: row.created_at,
        updated_at: row.updated_at,
        published_at: row.published_at,
    })
}

pub(crate) fn product_row(p: &Product) -> products::Model {
    products::Model {
        id: p.id,
        handle: p.handle.clone(),
        title: p.title.clone(),
        description: p.description.clone(),
        brand_id: p.brand_id,
        status: p.status.as_str().to_owned(),
        product_type: p.product_type.clone(),
        tags: to_json(&p.tags),
        specs: to_json(&p.specs),
        size_chart: p.size_chart.as_ref().map(to_json),
        seo_title: p.seo.title.clone(),
        seo_description: p.seo.description.clone(),
        available_for_sale: p.available_for_sale,
        created_at: p.created_at,
        updated_at: p.updated_at,
        published_at: p.published_at,
        revision: 0,
        stock_revision: 0,
    }
}

pub(crate) fn option(row: product_options::Model) -> Result<ProductOption, StoreError> {
    Ok(ProductOption {
        id: row.id,
        product_id: row.product_id,
        name: row.name,
        position: row.position,
        values: from_json(&row.option_values)?,
    })
}

pub(crate) fn option_row(o: &ProductOption) -> product_options::Model {
    product_options::Model {
        id: o.id,
        product_id: o.product_id,
        name: o.name.clone(),
        position: o.position,
        option_values: to_json(&o.values),
    }
}

pub(crate) fn variant(row: product_variants::Model) -> Result<Variant, StoreError> {
    Ok(Variant {
        id: row.id,
        product_id: row.product_id,
        sku: row.sku,
        title: row.title,
        barcode: row.barcode,
        weight_grams: row.weight_grams,
        selected_options: from_json(&row.selected_options)?,
        position: row.position,
        image_id: row.image_id,
        inventory_tracked: row.inventory_tracked,
        inventory_quantity: row.inventory_quantity,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

pub(crate) fn variant_row(v: &Variant) -> product_variants::Model {
    product_variants::Model {
        id: v.id,
        product_id: v.product_id,
        sku: v.sku.clone(),
        title: v.title.clone(),
        barcode: v.barcode.clone(),
        weight_grams: v.weight_grams,
        selected_options: to_json(&v.selected_options),
        position: v.position,
        image_id: v.image_id,
        inventory_tracked: v.inventory_tracked,
        inventory_quantity: v.inventory_quantity,
        created_at: v.created_at,
        updated_at: v.updated_at,
    }
}

pub(crate) fn variant_price(row: variant_prices::Model) -> Result<VariantPrice, StoreError> {
    let c = currency(&row.currency)?;
    Ok(VariantPrice {
        variant_id: row.variant_id,
        price: Money::new(row.amount, c),
        compare_at: row.compare_at_amount.map(|a| Money::new(a, c)),
    })
}

pub(crate) fn variant_price_row(p: &VariantPrice) -> variant_prices::Model {
    variant_prices::Model {
        variant_id: p.variant_id,
        currency: p.price.currency.to_string(),
        amount: p.price.minor,
        compare_at_amount: p.compare_at.map(|m| m.minor),
    }
}

pub(crate) fn image(row: product_images::Model) -> Image {
    Image {
        id: row.id,
        product_id: row.product_id,
        url: row.url,
        alt_text: row.alt_text,
        width: row.width,
        height: row.height,
        position: row.position,
    }
}

pub(crate) fn image_row(i: &Image) -> product_images::Model {
    product_images::Model {
        id: i.id,
        product_id: i.product_id,
        url: i.url.clone(),
        alt_text: i.alt_text.clone(),
        width: i.width,
        height: i.height,
        position: i.position,
    }
}
