//! The catalog: channels, brands, collections, products, options, variants, images.
//!
//! These are plain records shared by every layer, plus the validation rules that every write
//! path applies before anything reaches the database.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::money::{Currency, Money};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductStatus {
    Draft,
    Active,
    Archived,
}

impl ProductStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ProductStatus::Draft => "draft",
            ProductStatus::Active => "active",
            ProductStatus::Archived => "archived",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Draft, Self::Active, Self::Archived].into_iter().find(|s| s.as_str() == text)
    }
}

/// A storefront: one brand's site or a multi-brand marketplace.
#[derive(Clone, Debug, PartialEq)]
pub struct Channel {
    pub id: Uuid,
    pub handle: String,
    pub name: String,
    pub storefront_key: String,
    pub default_language: String,
    pub languages: Vec<String>,
    pub default_currency: Currency,
    pub currencies: Vec<Currency>,
    pub is_default: bool,
    /// Whether shoppers see stock counts (`quantityAvailable`), e.g. "only 2 left".
    pub show_stock_counts: bool,
    /// Whether entered prices include tax (consumer prices in Europe) or not (US, wholesale).
    pub prices_include_tax: bool,
    /// ISO 3166-1 country whose tax applies when the buyer's country is not known.
    pub tax_country: Option<String>,
    /// How buyers may pay on this channel (the card only when a card provider is configured).
    pub payment_methods: Vec<crate::payment::PaymentMethod>,
    pub brand_ids: Vec<Uuid>,
    /// Web origins whose pages may call the API with this channel's key (CORS): exact
    /// origins such as `https://maison-lune.example`, or `*` for any.
    pub allowed_origins: Vec<String>,
}

impl Channel {
    /// Whether a page served from `origin` may call the API with this channel's key.
    pub fn allows_origin(&self, origin: &str) -> bool {
        self.allowed_origins
            .iter()
            .any(|allowed| allowed == "*" || allowed.eq_ignore_ascii_case(origin))
    }

    /// Whether shoppers of this channel see `product`: it is active and of one of the
    /// channel's brands. Staff with `catalog:read` see more; that is the caller's to decide.
    pub fn shows(&self, product: &Product) -> bool {
        product.status == ProductStatus::Active
            && product.brand_id.is_some_and(|b| self.brand_ids.contains(&b))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Brand {
    pub id: Uuid,
    pub handle: String,
    pub name: String,
    pub description: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Seo {
    pub title: Option<String>,
    pub description: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Collection {
    pub id: Uuid,
    pub handle: String,
    pub title: String,
    pub description: String,
    pub parent_id: Option<Uuid>,
    pub position: i32,
    pub image_url: Option<String>,
    pub seo: Seo,
    pub updated_at: DateTime<Utc>,
}

/// Orders of a collection list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CollectionSort {
    /// The display order staff set (`position`, then title).
    Position,
    Id,
    Title,
    UpdatedAt,
}

/// Sorts `collections` by `sort`, ties broken by id so that pages never overlap.
pub fn sort_collections(collections: &mut [Collection], sort: CollectionSort, reverse: bool) {
    collections.sort_by(|a, b| {
        let order = match sort {
            CollectionSort::Position => {
                a.position.cmp(&b.position).then_with(|| a.title.cmp(&b.title))
            }
            CollectionSort::Id => std::cmp::Ordering::Equal,
            CollectionSort::Title => a.title.to_lowercase().cmp(&b.title.to_lowercase()),
            CollectionSort::UpdatedAt => a.updated_at.cmp(&b.updated_at),
        };
        order.then_with(|| a.id.cmp(&b.id))
    });
    if reverse {
        collections.reverse();
    }
}

/// A product attribute such as "Material: wool".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spec {
    pub name: String,
    pub value: String,
}

/// A size table: one header row, then one row per size.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SizeChart {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Product {
    pub id: Uuid,
    pub handle: String,
    pub title: String,
    pub description: String,
    pub brand_id: Option<Uuid>,
    pub status: ProductStatus,
    pub product_type: String,
    pub tags: Vec<String>,
    pub specs: Vec<Spec>,
    pub size_chart: Option<SizeChart>,
    pub seo: Seo,
    pub available_for_sale: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProductOption {
    pub id: Uuid,
    pub product_id: Uuid,
    pub name: String,
    pub position: i32,
    pub values: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SelectedOption {
    pub name: String,
    pub value: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    pub id: Uuid,
    pub product_id: Uuid,
    pub sku: String,
    pub title: String,
    pub barcode: Option<String>,
    pub weight_grams: Option<i32>,
    pub selected_options: Vec<SelectedOption>,
    pub position: i32,
    pub image_id: Option<Uuid>,
    /// Whether stock is counted; an untracked variant is always available.
    pub inventory_tracked: bool,
    pub inventory_quantity: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Variant {
    pub fn available_for_sale(&self) -> bool {
        !self.inventory_tracked || self.inventory_quantity > 0
    }
}

/// A variant's base price in one currency.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VariantPrice {
    pub variant_id: Uuid,
    pub price: Money,
    pub compare_at: Option<Money>,
}

/// The cheapest and dearest variant of a product in one currency, kept per product so that
/// listings can filter and sort by price without touching variants.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PriceRange {
    pub product_id: Uuid,
    pub min: Money,
    pub max: Money,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Image {
    pub id: Uuid,
    pub product_id: Uuid,
    pub url: String,
    pub alt_text: Option<String>,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub position: i32,
}

/// A translated text of one field of one object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Translation {
    pub resource_id: Uuid,
    pub language: String,
    pub field: String,
    pub value: String,
}

/// Fields that can carry translations, per kind of object.
pub fn translatable_fields(kind: crate::id::NodeKind) -> &'static [&'static str] {
    use crate::id::NodeKind;
    match kind {
        NodeKind::Product => &["title", "description", "seo_title", "seo_description"],
        NodeKind::Collection => &["title", "description", "seo_title", "seo_description"],
        NodeKind::Brand => &["name", "description"],
        NodeKind::ProductOption => &["name"],
        _ => &[],
    }
}

/// Translation keys of option values start with this, followed by the value as written in
/// the default language: `value:Navy`.
pub const OPTION_VALUE_KEY: &str = "value:";

/// The translation key of one value of a product option.
pub fn option_value_key(value: &str) -> String {
    format!("{OPTION_VALUE_KEY}{value}")
}

/// Translation keys of a product's specs and size chart, followed by the spec name or the
/// header as written in the default language: `spec_name:Material`, `spec_value:Material`,
/// `size_chart_header:Waist (cm)`.
pub const SPEC_NAME_KEY: &str = "spec_name:";
pub const SPEC_VALUE_KEY: &str = "spec_value:";
pub const SIZE_CHART_HEADER_KEY: &str = "size_chart_header:";

pub fn spec_name_key(name: &str) -> String {
    format!("{SPEC_NAME_KEY}{name}")
}

pub fn spec_value_key(name: &str) -> String {
    format!("{SPEC_VALUE_KEY}{name}")
}

pub fn size_chart_header_key(header: &str) -> String {
    format!("{SIZE_CHART_HEADER_KEY}{header}")
}

/// Whether objects of `kind` accept translations under `key`: the fields
/// `translatable_fields` lists; on product options, each of their values; on products, each
/// spec's name and value and each size-chart header.
pub fn is_translatable_key(kind: crate::id::NodeKind, key: &str) -> bool {
    use crate::id::NodeKind;
    let keyed = |prefixes: &[&str]| {
        prefixes.iter().any(|p| key.strip_prefix(p).is_some_and(|rest| !rest.is_empty()))
    };
    translatable_fields(kind).contains(&key)
        || match kind {
            NodeKind::ProductOption => keyed(&[OPTION_VALUE_KEY]),
            NodeKind::Product => keyed(&[SPEC_NAME_KEY, SPEC_VALUE_KEY, SIZE_CHART_HEADER_KEY]),
            _ => false,
        }
}

/// A catalog rule that an input broke. `field` names the offending input field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Invalid {
    pub field: Vec<String>,
    pub code: InvalidCode,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvalidCode {
    Blank,
    TooLong,
    Invalid,
    Taken,
    TooMany,
}

impl Invalid {
    pub fn new(field: &[&str], code: InvalidCode, message: impl Into<String>) -> Self {
        Self {
            field: field.iter().map(|s| (*s).to_owned()).collect(),
            code,
            message: message.into(),
        }
    }
}

pub const MAX_TITLE_LEN: usize = 255;
pub const MAX_HANDLE_LEN: usize = 255;
pub const MAX_SKU_LEN: usize = 64;
pub const MAX_OPTIONS: usize = 3;
/// Longest URL stored (images, tracking links).
pub const MAX_URL_LEN: usize = 2048;

/// Whether `url` is one a browser may safely load or follow: an `http(s)` URL with a host, or
/// (when `paths` allows) an absolute path on this gateway. Never `javascript:`, `data:` or
/// anything else a page would run.
pub fn is_web_url(url: &str, paths: bool) -> bool {
    if url.is_empty()
        || url.len() > MAX_URL_LEN
        || url.chars().any(|c| c.is_control() || c.is_whitespace())
    {
        return false;
    }
    let lower = url.to_ascii_lowercase();
    match lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://")) {
        Some(rest) => !rest.is_empty() && !rest.starts_with('/'),
        None => paths && url.starts_with('/') && !url.starts_with("//"),
    }
}

/// Most origins one channel lists.
pub const MAX_ORIGINS: usize = 20;

/// An origin as browsers send it: `http(s)://host[:port]`, no path, no trailing slash; or `*`.
pub fn validate_origin(origin: &str) -> Result<String, String> {
    let origin = origin.trim();
    if origin == "*" {
        return Ok(origin.to_owned());
    }
    let lower = origin.to_ascii_lowercase();
    let host = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"));
    let valid = host.is_some_and(|h| {
        !h.is_empty()
            && h.len() <= 253
            && h.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
    });
    if valid {
        Ok(lower)
    } else {
        Err(format!(
            "`{origin}` is not an origin such as https://shop.example or http://localhost:5173"
        ))
    }
}

/// Longest search text a listing accepts.
pub const MAX_SEARCH_CHARS: usize = 500;
/// Filters one listing accepts, and values (option values, brand handles) across them.
pub const MAX_FILTERS: usize = 20;
pub const MAX_FILTER_VALUES: usize = 100;

/// A non-blank text of bounded length, trimmed.
pub fn validate_title(field: &str, title: &str) -> Result<String, Invalid> {
    let title = title.trim();
    if title.is_empty() {
        return Err(Invalid::new(&[field], InvalidCode::Blank, format!("{field} can't be blank")));
    }
    if title.chars().count() > MAX_TITLE_LEN {
        return Err(Invalid::new(
            &[field],
            InvalidCode::TooLong,
            format!("{field} is longer than {MAX_TITLE_LEN} characters"),
        ));
    }
    Ok(title.to_owned())
}

/// Handles are URL segments: lower-case letters, digits and single hyphens.
pub fn validate_handle(handle: &str) -> Result<(), Invalid> {
    let ok = !handle.is_empty()
        && handle.len() <= MAX_HANDLE_LEN
        && handle.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !handle.starts_with('-')
        && !handle.ends_with('-')
        && !handle.contains("--");
    if ok {
        Ok(())
    } else {
        Err(Invalid::new(
            &["handle"],
            InvalidCode::Invalid,
            "handle may contain only lower-case letters, digits and single hyphens",
        ))
    }
}

/// Derives a handle from a title: "Robe Été 2026!" becomes "robe-ete-2026".
pub fn slugify(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    for ch in title.chars().flat_map(fold_accent) {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out.truncate(MAX_HANDLE_LEN - 12);
    if out.is_empty() {
        out.push_str("item");
    }
    out
}

fn fold_accent(ch: char) -> impl Iterator<Item = char> {
    let folded: &str = match ch {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => "a",
        'ç' | 'Ç' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => "i",
        'ñ' | 'Ñ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' => "o",
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => "u",
        'ß' => "ss",
        'œ' | 'Œ' => "oe",
        'æ' | 'Æ' => "ae",
        _ => "",
    };
    let mut buf = [0u8; 4];
    let text =
        if folded.is_empty() { ch.encode_utf8(&mut buf).to_owned() } else { folded.to_owned() };
    text.chars().collect::<Vec<_>>().into_iter()
}

pub fn validate_sku(sku: &str) -> Result<String, Invalid> {
    let sku = sku.trim();
    if sku.is_empty() {
        return Err(Invalid::new(&["sku"], InvalidCode::Blank, "sku can't be blank"));
    }
    if sku.len() > MAX_SKU_LEN || sku.chars().any(char::is_whitespace) {
        return Err(Invalid::new(
            &["sku"],
            InvalidCode::Invalid,
            format!("sku must be at most {MAX_SKU_LEN} characters without spaces"),
        ));
    }
    Ok(sku.to_owned())
}

/// Checks product options: at most three, named uniquely, each with distinct values.
pub fn validate_options(options: &[(String, Vec<String>)]) -> Result<(), Invalid> {
    if options.len() > MAX_OPTIONS {
        return Err(Invalid::new(
            &["options"],
            InvalidCode::TooMany,
            format!("a product has at most {MAX_OPTIONS} options"),
        ));
    }
    let mut names = HashSet::new();
    for (name, values) in options {
        validate_title("options", name)?;
        if !names.insert(name.to_lowercase()) {
            return Err(Invalid::new(
                &["options"],
                InvalidCode::Taken,
                format!("option `{name}` is listed twice"),
            ));
        }
        let mut seen = HashSet::new();
        if values.iter().any(|v| v.trim().is_empty() || !seen.insert(v)) {
            return Err(Invalid::new(
                &["options"],
                InvalidCode::Invalid,
                format!("values of option `{name}` must be non-blank and distinct"),
            ));
        }
    }
    Ok(())
}

/// Checks that a variant names exactly one value of each product option, in option order,
/// and returns its selected options in that order.
pub fn validate_selected_options(
    options: &[ProductOption],
    given: &[SelectedOption],
) -> Result<Vec<SelectedOption>, Invalid> {
    let invalid = |message: String| Invalid::new(&["optionValues"], InvalidCode::Invalid, message);
    if given.len() != options.len() {
        return Err(invalid(format!(
            "a variant of this product takes {} option value(s), {} given",
            options.len(),
            given.len()
        )));
    }
    let mut ordered = Vec::with_capacity(options.len());
    for option in options {
        let chosen = given
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(&option.name))
            .ok_or_else(|| invalid(format!("no value given for option `{}`", option.name)))?;
        if !option.values.iter().any(|v| v == &chosen.value) {
            return Err(invalid(format!(
                "`{}` is not a value of option `{}`",
                chosen.value, option.name
            )));
        }
        ordered.push(SelectedOption { name: option.name.clone(), value: chosen.value.clone() });
    }
    Ok(ordered)
}

/// A variant's display title, as storefronts expect: "M / Navy", or "Default Title".
pub fn variant_title(selected: &[SelectedOption]) -> String {
    if selected.is_empty() {
        return "Default Title".to_owned();
    }
    selected.iter().map(|s| s.value.as_str()).collect::<Vec<_>>().join(" / ")
}

/// Picks, among items priced in several currencies, the one a buyer sees: in the buyer's
/// currency, else in the channel's default currency. A price in any other currency is never
/// shown, since the channel does not sell in it.
pub fn in_shown_currency<T: Copy>(
    items: &[T],
    currency_of: impl Fn(&T) -> Currency,
    buyer: Currency,
    channel_default: Currency,
) -> Option<T> {
    let find = |c: Currency| items.iter().find(|i| currency_of(i) == c).copied();
    find(buyer).or_else(|| find(channel_default))
}

/// The price range of a product in one currency from its variants' prices.
pub fn price_range(product_id: Uuid, prices: &[Money]) -> Option<PriceRange> {
    let first = *prices.first()?;
    let (min, max) = prices.iter().fold((first, first), |(lo, hi), p| {
        (if p.minor < lo.minor { *p } else { lo }, if p.minor > hi.minor { *p } else { hi })
    });
    Some(PriceRange { product_id, min, max })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn option(name: &str, values: &[&str]) -> ProductOption {
        ProductOption {
            id: Uuid::nil(),
            product_id: Uuid::nil(),
            name: name.to_owned(),
            position: 1,
            values: values.iter().map(|v| (*v).to_owned()).collect(),
        }
    }

    fn sel(name: &str, value: &str) -> SelectedOption {
        SelectedOption { name: name.to_owned(), value: value.to_owned() }
    }

    #[test]
    fn slugify_folds_accents_and_punctuation() {
        assert_eq!(slugify("Robe Été 2026!"), "robe-ete-2026");
        assert_eq!(slugify("  --  "), "item");
        assert_eq!(slugify("Straße & Co"), "strasse-co");
    }

    #[test]
    fn collections_sort_by_the_key_asked_with_ties_broken_by_id() {
        let at = |minute: u32| {
            chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 1, 1, 0, minute, 0)
                .single()
                .expect("date")
        };
        let collection = |n: u128, title: &str, position: i32, minute: u32| Collection {
            id: Uuid::from_u128(n),
            handle: title.to_lowercase(),
            title: title.into(),
            description: String::new(),
            parent_id: None,
            position,
            image_url: None,
            seo: Seo::default(),
            updated_at: at(minute),
        };
        let mut list = vec![
            collection(3, "men", 2, 5),
            collection(1, "Women", 1, 9),
            collection(2, "Bags", 1, 1),
        ];
        let order = |list: &[Collection]| list.iter().map(|c| c.id.as_u128()).collect::<Vec<_>>();
        sort_collections(&mut list, CollectionSort::Title, false);
        assert_eq!(order(&list), [2, 3, 1], "titles ignore case");
        sort_collections(&mut list, CollectionSort::Position, false);
        assert_eq!(order(&list), [2, 1, 3]);
        sort_collections(&mut list, CollectionSort::UpdatedAt, true);
        assert_eq!(order(&list), [1, 3, 2]);
        sort_collections(&mut list, CollectionSort::Id, false);
        assert_eq!(order(&list), [1, 2, 3]);
    }

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        assert_eq!(
            validate_origin(" https://Maison-Lune.example "),
            Ok("https://maison-lune.example".into())
        );
        assert_eq!(validate_origin("http://localhost:5173"), Ok("http://localhost:5173".into()));
        assert_eq!(validate_origin("*"), Ok("*".into()));
        for bad in [
            "https://shop.example/",
            "shop.example",
            "javascript:alert(1)",
            "https://",
            "https://a b",
        ] {
            assert!(validate_origin(bad).is_err(), "{bad}");
        }
        let channel = |origins: &[&str]| Channel {
            allowed_origins: origins.iter().map(|o| (*o).to_owned()).collect(),
            ..test_channel()
        };
        assert!(channel(&["https://shop.example"]).allows_origin("https://shop.example"));
        assert!(!channel(&["https://shop.example"]).allows_origin("https://evil.example"));
        assert!(channel(&["*"]).allows_origin("https://anyone.example"));
        assert!(!channel(&[]).allows_origin("https://shop.example"));
    }

    fn test_channel() -> Channel {
        Channel {
            id: Uuid::nil(),
            handle: "c".into(),
            name: "C".into(),
            storefront_key: "sf_c".into(),
            default_language: "en".into(),
            languages: vec!["en".into()],
            default_currency: crate::money::Currency::new("EUR").expect("EUR"),
            currencies: vec![],
            is_default: false,
            show_stock_counts: false,
            prices_include_tax: true,
            tax_country: None,
            payment_methods: vec![],
            brand_ids: vec![],
            allowed_origins: vec![],
        }
    }

    #[test]
    fn only_http_urls_and_gateway_paths_are_web_urls() {
        for ok in ["https://cdn.example.com/a.jpg", "HTTP://example.com", "/placeholder/x.svg"] {
            assert!(is_web_url(ok, true), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,<script>",
            "//evil.example/x",
            "https://",
            "https:///path",
            "https://exa mple.com",
            "ftp://example.com/a",
            "",
        ] {
            assert!(!is_web_url(bad, true), "{bad}");
        }
        assert!(!is_web_url("/placeholder/x.svg", false), "a path is not a link to follow");
    }

    #[test]
    fn handles_are_url_safe() {
        assert!(validate_handle("wool-coat-2").is_ok());
        for bad in ["", "Wool", "wool coat", "-wool", "wool-", "wool--coat", "wöol"] {
            assert!(validate_handle(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn titles_are_trimmed_and_required() {
        assert_eq!(validate_title("title", "  Coat "), Ok("Coat".to_owned()));
        assert_eq!(validate_title("title", "   ").map_err(|e| e.code), Err(InvalidCode::Blank));
        assert_eq!(
            validate_title("title", &"x".repeat(256)).map_err(|e| e.code),
            Err(InvalidCode::TooLong)
        );
    }

    #[test]
    fn skus_have_no_spaces() {
        assert!(validate_sku("COAT-M-NAVY").is_ok());
        assert!(validate_sku("COAT M").is_err());
        assert!(validate_sku(" ").is_err());
    }

    #[test]
    fn options_are_limited_to_three_with_distinct_values() {
        let o = |n: &str| (n.to_owned(), vec!["a".to_owned()]);
        assert!(validate_options(&[o("Size"), o("Color"), o("Material")]).is_ok());
        assert!(validate_options(&[o("Size"), o("Color"), o("Material"), o("Fit")]).is_err());
        assert!(validate_options(&[o("Size"), o("size")]).is_err());
        assert!(
            validate_options(&[("Size".to_owned(), vec!["M".to_owned(), "M".to_owned()])]).is_err()
        );
    }

    #[test]
    fn selected_options_follow_product_option_order() {
        let options = [option("Size", &["S", "M"]), option("Color", &["Navy"])];
        let ordered =
            validate_selected_options(&options, &[sel("color", "Navy"), sel("Size", "M")])
                .expect("valid");
        assert_eq!(ordered, vec![sel("Size", "M"), sel("Color", "Navy")]);
        assert_eq!(variant_title(&ordered), "M / Navy");
    }

    #[test]
    fn selected_options_must_name_known_values() {
        let options = [option("Size", &["S", "M"])];
        assert!(validate_selected_options(&options, &[sel("Size", "XL")]).is_err());
        assert!(validate_selected_options(&options, &[]).is_err());
        assert_eq!(variant_title(&[]), "Default Title");
    }

    #[test]
    fn prices_show_in_the_buyer_currency_else_the_channel_default_never_another() {
        let c = |code: &str| Currency::new(code).expect("valid");
        let prices =
            [Money::new(100, c("GBP")), Money::new(200, c("EUR")), Money::new(300, c("CHF"))];
        let pick = |buyer: &str| {
            in_shown_currency(&prices, |m| m.currency, c(buyer), c("EUR")).map(|m| m.minor)
        };
        assert_eq!(pick("GBP"), Some(100));
        assert_eq!(pick("USD"), Some(200));
        assert_eq!(in_shown_currency(&prices[2..], |m| m.currency, c("USD"), c("EUR")), None);
    }

    #[test]
    fn keyed_translations_belong_to_options_and_products_only() {
        use crate::id::NodeKind;
        assert!(is_translatable_key(NodeKind::ProductOption, &option_value_key("Navy")));
        assert!(is_translatable_key(NodeKind::ProductOption, "name"));
        assert!(!is_translatable_key(NodeKind::ProductOption, "value:"));
        assert!(!is_translatable_key(NodeKind::Product, &option_value_key("Navy")));
        assert!(is_translatable_key(NodeKind::Product, "title"));
        assert!(is_translatable_key(NodeKind::Product, "spec_value:Material"));
        assert!(is_translatable_key(NodeKind::Product, "size_chart_header:Waist (cm)"));
        assert!(!is_translatable_key(NodeKind::Product, "spec_name:"));
        assert!(!is_translatable_key(NodeKind::Collection, "spec_name:Material"));
    }

    #[test]
    fn price_range_spans_cheapest_to_dearest() {
        let eur = Currency::new("EUR").expect("valid");
        let prices = [Money::new(500, eur), Money::new(200, eur), Money::new(900, eur)];
        let range = price_range(Uuid::nil(), &prices).expect("non-empty");
        assert_eq!((range.min.minor, range.max.minor), (200, 900));
        assert!(price_range(Uuid::nil(), &[]).is_none());
    }
}
