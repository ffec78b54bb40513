//! A product with everything a shopper sees of it, as one immutable value that read caches
//! can share between requests.

use uuid::Uuid;

use crate::catalog::{
    Image, PriceRange, Product, ProductOption, Translation, Variant, VariantPrice,
};

/// A product, its options, variants with their prices, images, price ranges and the
/// translations of its texts in every language.
///
/// `revision` is the product's revision when the view was read. Every write that changes
/// any part of the view bumps the product's revision in the same transaction, so a view is
/// current exactly when its revision equals the one in the database.
#[derive(Clone, Debug, PartialEq)]
pub struct ProductView {
    pub revision: i64,
    pub product: Product,
    pub options: Vec<ProductOption>,
    /// In display order.
    pub variants: Vec<Variant>,
    /// Base prices of `variants[i]` in every currency, at index `i`.
    pub variant_prices: Vec<Vec<VariantPrice>>,
    /// In display order.
    pub images: Vec<Image>,
    /// One per currency the product is priced in.
    pub price_ranges: Vec<PriceRange>,
    /// Of the product and of its options.
    pub translations: Vec<Translation>,
}

impl ProductView {
    /// The text of `field` of object `id` (the product or one of its options) in `language`,
    /// if someone translated it.
    pub fn translation(&self, language: &str, id: Uuid, field: &str) -> Option<&str> {
        self.translations
            .iter()
            .find(|t| t.resource_id == id && t.field == field && t.language == language)
            .map(|t| t.value.as_str())
    }

    /// The index of a variant in `variants`.
    pub fn variant_index(&self, id: Uuid) -> Option<usize> {
        self.variants.iter().position(|v| v.id == id)
    }

    pub fn image(&self, id: Uuid) -> Option<&Image> {
        self.images.iter().find(|i| i.id == id)
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::catalog::{ProductStatus, Seo};

    fn view() -> ProductView {
        let now = Utc::now();
        ProductView {
            revision: 3,
            product: Product {
                id: Uuid::from_u128(1),
                handle: "coat".into(),
                title: "Coat".into(),
                description: String::new(),
                brand_id: None,
                status: ProductStatus::Active,
                product_type: String::new(),
                tags: vec![],
                specs: vec![],
                size_chart: None,
                seo: Seo::default(),
                available_for_sale: true,
                created_at: now,
                updated_at: now,
                published_at: None,
            },
            options: vec![],
            variants: vec![],
            variant_prices: vec![],
            images: vec![],
            price_ranges: vec![],
            translations: vec![Translation {
                resource_id: Uuid::from_u128(1),
                language: "fr".into(),
                field: "title".into(),
                value: "Manteau".into(),
            }],
        }
    }

    #[test]
    fn translation_matches_object_field_and_language() {
        let v = view();
        let id = Uuid::from_u128(1);
        assert_eq!(v.translation("fr", id, "title"), Some("Manteau"));
        assert_eq!(v.translation("it", id, "title"), None);
        assert_eq!(v.translation("fr", id, "description"), None);
        assert_eq!(v.translation("fr", Uuid::from_u128(2), "title"), None);
    }
}
