//! The schema is an artifact: `schema.graphql` at the repository root must match the code.
//! Regenerate it with `cargo run -- schema > schema.graphql`.

#[test]
fn schema_graphql_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../schema.graphql");
    let on_disk = std::fs::read_to_string(path).unwrap_or_default();
    let current = vitrine_api::sdl();
    if on_disk != current {
        panic!("schema.graphql is out of date: run `cargo run -- schema > schema.graphql` and commit it");
    }
}

#[test]
fn schema_offers_the_storefront_names_clients_rely_on() {
    let sdl = vitrine_api::sdl();
    for needle in [
        "type Product implements Node",
        "type ProductVariant implements Node",
        "type MoneyV2",
        "enum CurrencyCode",
        "enum CountryCode",
        "enum LanguageCode",
        "enum ProductSortKeys",
        "enum ProductCollectionSortKeys",
        "directive @inContext(language: LanguageCode, country: CountryCode) on QUERY | MUTATION",
        "type PageInfo",
        "productVariantsBulkCreate(",
        "customerAccessTokenRenew(",
        "apiTokenCreate(",
    ] {
        assert!(sdl.contains(needle), "schema lacks `{needle}`");
    }
}
