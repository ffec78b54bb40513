//! A product with everything a shopper sees of it, as one immutable value that read caches
//! can share between requests.

use uuid::Uuid;

use crate::catalog::{
    option_value_key, variant_title, Image, PriceRange, Product, ProductOption, SelectedOption,
    Translation, Variant, VariantPrice,
};

/// A product, its options, variants with their prices, images, price ranges and the
/// translations of its texts in every language.
///
/// `revision` is the product's revision when the view was read. Every write that changes
/// any part of the view bumps the product's revision in the same transaction, so a view is
/// current exactly when its revision equals the one in the database. Stock writes are the
/// exception: they change only the stock figures (`Variant::inventory_quantity`,
/// `Product::available_for_sale`) and bump `stock_revision` instead, so that a sale refreshes
/// those figures and not the whole product (see [`ProductView::with_stock`]).
#[derive(Clone, Debug, PartialEq)]
pub struct ProductView {
    pub revision: i64,
    pub stock_revision: i64,
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
    /// This view with the stock figures read at `stock_revision`; variants not in
    /// `quantities` keep theirs.
    pub fn with_stock(
        &self,
        stock_revision: i64,
        available_for_sale: bool,
        quantities: &[(Uuid, i32)],
    ) -> ProductView {
        let mut view = self.clone();
        view.stock_revision = stock_revision;
        view.product.available_for_sale = available_for_sale;
        for variant in &mut view.variants {
            if let Some((_, q)) = quantities.iter().find(|(id, _)| *id == variant.id) {
                variant.inventory_quantity = *q;
            }
        }
        view
    }

    /// The text of `field` of object `id` (the product or one of its options) in `language`,
    /// if someone translated it.
    pub fn translation(&self, language: &str, id: Uuid, field: &str) -> Option<&str> {
        self.translations
            .iter()
            .find(|t| t.resource_id == id && t.field == field && t.language == language)
            .map(|t| t.value.as_str())
    }

    /// A variant's option, named and valued in `language` where translations exist.
    pub fn selected_option_in(&self, language: &str, selected: &SelectedOption) -> SelectedOption {
        let option = self.options.iter().find(|o| o.name.eq_ignore_ascii_case(&selected.name));
        let Some(option) = option else { return selected.clone() };
        SelectedOption {
            name: self.translation(language, option.id, "name").unwrap_or(&option.name).to_owned(),
            value: self.option_value_in(language, option, &selected.value).to_owned(),
        }
    }

    /// The options of `variants[index]` in `language`.
    pub fn selected_options_in(&self, language: &str, index: usize) -> Vec<SelectedOption> {
        let selected = &self.variants[index].selected_options;
        selected.iter().map(|s| self.selected_option_in(language, s)).collect()
    }

    /// The title of `variants[index]` in `language`: a generated title ("M / Navy") is rebuilt
    /// from the translated values; a title staff typed stays as typed.
    pub fn variant_title_in(&self, language: &str, index: usize) -> String {
        let variant = &self.variants[index];
        if variant.title != variant_title(&variant.selected_options) {
            return variant.title.clone();
        }
        variant_title(&self.selected_options_in(language, index))
    }

    /// The first variant having every one of `wanted` (names compared case-insensitively).
    /// With a `language`, a name or value may also be given as shown in that language.
    pub fn variant_matching(
        &self,
        language: Option<&str>,
        wanted: &[SelectedOption],
    ) -> Option<usize> {
        self.variants.iter().position(|v| {
            wanted.iter().all(|w| {
                v.selected_options.iter().any(|stored| {
                    let matches = |s: &SelectedOption| {
                        s.name.eq_ignore_ascii_case(&w.name) && s.value == w.value
                    };
                    matches(stored)
                        || language.is_some_and(|l| {
                            let shown = self.selected_option_in(l, stored);
                            (stored.name.eq_ignore_ascii_case(&w.name)
                                || shown.name.eq_ignore_ascii_case(&w.name))
                                && (stored.value == w.value || shown.value == w.value)
                        })
                })
            })
        })
    }

    /// The variant a product page opens on: the one matching `wanted` if any was asked for,
    /// else the first available for sale, else the first.
    pub fn selected_or_first_available(
        &self,
        language: Option<&str>,
        wanted: &[SelectedOption],
    ) -> Option<usize> {
        let matching = (!wanted.is_empty()).then(|| self.variant_matching(language, wanted));
        matching
            .flatten()
            .or_else(|| self.variants.iter().position(Variant::available_for_sale))
            .or_else(|| (!self.variants.is_empty()).then_some(0))
    }

    /// One value of one of this product's options, in `language` where translated.
    pub fn option_value_in<'a>(
        &'a self,
        language: &str,
        option: &ProductOption,
        value: &'a str,
    ) -> &'a str {
        self.translation(language, option.id, &option_value_key(value)).unwrap_or(value)
    }

    /// Roughly how many bytes the view occupies in memory, for caches that budget by size.
    /// Counts the records and the text they own; allocator overhead is not included.
    pub fn approximate_size(&self) -> usize {
        use std::mem::size_of;
        let product = &self.product;
        let texts = |items: &[String]| items.iter().map(String::len).sum::<usize>();
        let mut bytes = size_of::<Self>()
            + product.handle.len()
            + product.title.len()
            + product.description.len()
            + product.product_type.len()
            + texts(&product.tags)
            + product.specs.iter().map(|s| s.name.len() + s.value.len() + 48).sum::<usize>()
            + product.seo.title.as_ref().map_or(0, String::len)
            + product.seo.description.as_ref().map_or(0, String::len);
        if let Some(chart) = &product.size_chart {
            bytes +=
                texts(&chart.headers) + chart.rows.iter().map(|r| texts(r) + 24).sum::<usize>();
        }
        bytes += self
            .options
            .iter()
            .map(|o| size_of::<ProductOption>() + o.name.len() + texts(&o.values))
            .sum::<usize>();
        bytes += self
            .variants
            .iter()
            .map(|v| {
                size_of::<Variant>()
                    + v.sku.len()
                    + v.title.len()
                    + v.barcode.as_ref().map_or(0, String::len)
                    + v.selected_options
                        .iter()
                        .map(|s| size_of::<SelectedOption>() + s.name.len() + s.value.len())
                        .sum::<usize>()
            })
            .sum::<usize>();
        bytes += self
            .variant_prices
            .iter()
            .map(|p| 24 + p.len() * size_of::<VariantPrice>())
            .sum::<usize>();
        bytes += self
            .images
            .iter()
            .map(|i| size_of::<Image>() + i.url.len() + i.alt_text.as_ref().map_or(0, String::len))
            .sum::<usize>();
        bytes += self.price_ranges.len() * size_of::<PriceRange>();
        bytes += self
            .translations
            .iter()
            .map(|t| size_of::<Translation>() + t.language.len() + t.field.len() + t.value.len())
            .sum::<usize>();
        bytes
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
            stock_revision: 0,
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
    fn selected_options_translate_through_their_option() {
        let mut v = view();
        let option = ProductOption {
            id: Uuid::from_u128(7),
            product_id: v.product.id,
            name: "Color".into(),
            position: 1,
            values: vec!["Navy".into(), "Black".into()],
        };
        v.options.push(option.clone());
        let text = |field: &str, value: &str| Translation {
            resource_id: option.id,
            language: "fr".into(),
            field: field.into(),
            value: value.into(),
        };
        v.translations.push(text("name", "Couleur"));
        v.translations.push(text(&option_value_key("Navy"), "Marine"));
        let navy = SelectedOption { name: "color".into(), value: "Navy".into() };
        let french = v.selected_option_in("fr", &navy);
        assert_eq!((french.name.as_str(), french.value.as_str()), ("Couleur", "Marine"));
        let black = SelectedOption { name: "Color".into(), value: "Black".into() };
        assert_eq!(v.selected_option_in("fr", &black).value, "Black", "untranslated stays");
        assert_eq!(v.selected_option_in("it", &navy).value, "Navy");
    }

    /// A view with a Color option translated into French and two variants, Navy (sold out)
    /// and Black.
    fn with_colours() -> ProductView {
        let mut v = view();
        let option = ProductOption {
            id: Uuid::from_u128(7),
            product_id: v.product.id,
            name: "Color".into(),
            position: 1,
            values: vec!["Navy".into(), "Black".into()],
        };
        for (field, text) in [("name", "Couleur"), ("value:Navy", "Marine")] {
            v.translations.push(Translation {
                resource_id: option.id,
                language: "fr".into(),
                field: field.into(),
                value: text.into(),
            });
        }
        v.options.push(option);
        for (n, colour, stock) in [(10, "Navy", 0), (11, "Black", 5)] {
            let selected = vec![SelectedOption { name: "Color".into(), value: colour.into() }];
            v.variants.push(Variant {
                id: Uuid::from_u128(n),
                product_id: v.product.id,
                sku: format!("SKU-{colour}"),
                title: variant_title(&selected),
                barcode: None,
                weight_grams: None,
                selected_options: selected,
                position: 0,
                image_id: None,
                inventory_tracked: true,
                inventory_quantity: stock,
                created_at: v.product.created_at,
                updated_at: v.product.created_at,
            });
            v.variant_prices.push(vec![]);
        }
        v
    }

    fn wanted(name: &str, value: &str) -> Vec<SelectedOption> {
        vec![SelectedOption { name: name.into(), value: value.into() }]
    }

    #[test]
    fn variants_match_stored_options_and_shown_ones_only_when_translating() {
        let v = with_colours();
        assert_eq!(v.variant_matching(None, &wanted("color", "Black")), Some(1));
        assert_eq!(v.variant_matching(None, &wanted("Couleur", "Marine")), None);
        assert_eq!(v.variant_matching(Some("fr"), &wanted("Couleur", "Marine")), Some(0));
        assert_eq!(v.variant_matching(Some("fr"), &wanted("Color", "Navy")), Some(0));
        assert_eq!(v.variant_matching(Some("fr"), &wanted("Color", "Mauve")), None);
    }

    #[test]
    fn a_page_opens_on_the_match_else_the_first_available_else_the_first() {
        let mut v = with_colours();
        assert_eq!(v.selected_or_first_available(None, &wanted("Color", "Navy")), Some(0));
        assert_eq!(v.selected_or_first_available(None, &[]), Some(1), "Navy is sold out");
        v.variants[1].inventory_quantity = 0;
        assert_eq!(v.selected_or_first_available(None, &wanted("Color", "Mauve")), Some(0));
        v.variants.clear();
        assert_eq!(v.selected_or_first_available(None, &[]), None);
    }

    #[test]
    fn generated_variant_titles_follow_the_language_and_typed_ones_stay() {
        let mut v = with_colours();
        assert_eq!(v.variant_title_in("fr", 0), "Marine");
        assert_eq!(v.variant_title_in("fr", 1), "Black");
        v.variants[0].title = "Navy, limited edition".into();
        assert_eq!(v.variant_title_in("fr", 0), "Navy, limited edition");
    }

    #[test]
    fn approximate_size_grows_with_content() {
        let small = view();
        let mut large = view();
        large.product.description = "x".repeat(10_000);
        assert!(small.approximate_size() > std::mem::size_of::<ProductView>());
        assert!(large.approximate_size() >= small.approximate_size() + 10_000);
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

    #[test]
    fn with_stock_replaces_only_the_stock_figures() {
        let v = with_colours();
        let first = v.variants[0].id;
        let fresh = v.with_stock(7, false, &[(first, 0)]);
        assert_eq!(fresh.stock_revision, 7);
        assert!(!fresh.product.available_for_sale);
        assert_eq!(fresh.variants[0].inventory_quantity, 0);
        assert_eq!(fresh.variants[1].inventory_quantity, v.variants[1].inventory_quantity);
        assert_eq!(fresh.revision, v.revision);
        assert_eq!(fresh.product.title, v.product.title);
    }
}
