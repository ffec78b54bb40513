//! The product read cache: repeated pages skip the database, and a write through any replica
//! is visible on the next read of every other.

mod support;

use support::{demo_gateway, run};
use vitrine_app::catalog::{PriceInput, ProductInput, VariantInput};
use vitrine_store::backend_tests;
use vitrine_store::testing::TestDatabase;

const PAGE: &str = "{ collection(handle: \"women\") { products(first: 50) { nodes {
  id title vendor options { name values } images(first: 5) { nodes { url } }
  variants(first: 30) { nodes { id sku availableForSale price { amount } } } } } } }";

backend_tests! {
    #[tokio::test]
    async fn a_repeated_page_reads_only_its_listing_from_the_database(db: TestDatabase) {
        let (app, schema) = demo_gateway(&db, None).await;
        let first = run(&schema, PAGE).await;
        let before = app.store().query_count();
        let again = run(&schema, PAGE).await;
        let statements = app.store().query_count() - before;
        assert_eq!(first, again);
        // The collection, the page's ids and revisions, and the page's brands (for `vendor`).
        assert!(statements <= 3, "a warm page of 50 took {statements} statements");
    }

    #[tokio::test]
    async fn a_write_through_another_replica_is_seen_on_the_next_read(db: TestDatabase) {
        let (_, reader) = demo_gateway(&db, None).await;
        let (writer, _) = demo_gateway(&db, None).await;
        let query = "{ products(first: 1) { nodes { id handle title
            variants(first: 1) { nodes { id sku price { amount currencyCode } } } } } }";
        let before = run(&reader, query).await;
        let product = &before["products"]["nodes"][0];
        let handle = product["handle"].as_str().expect("handle");
        let by_handle = format!("{{ product(handle: \"{handle}\") {{ title }} }}");
        run(&reader, &by_handle).await;

        let id = writer
            .catalog
            .product_view_by_handle(handle)
            .await
            .expect("read")
            .expect("exists")
            .product
            .id;
        let variant = writer.catalog.product_view(id).await.expect("view").variants[0].id;
        let retitled = ProductInput { title: Some("Renamed coat".into()), ..Default::default() };
        writer.catalog.product_update(id, retitled).await.expect("update");
        let currency = product["variants"]["nodes"][0]["price"]["currencyCode"]
            .as_str()
            .expect("currency")
            .to_owned();
        let repriced = VariantInput {
            id: Some(variant),
            prices: Some(vec![PriceInput { currency, amount: "12.34".into(), compare_at: None }]),
            ..Default::default()
        };
        writer.catalog.variants_bulk_update(id, vec![repriced]).await.expect("reprice");

        let after = run(&reader, query).await;
        let product = &after["products"]["nodes"][0];
        assert_eq!(product["title"], "Renamed coat");
        assert_eq!(product["variants"]["nodes"][0]["price"]["amount"], "12.34");
        assert_eq!(run(&reader, &by_handle).await["product"]["title"], "Renamed coat");
    }
}

#[tokio::test]
async fn the_cache_stays_within_its_memory_budget_and_pages_stay_whole() {
    let db = TestDatabase::sqlite();
    let budget = 200_000;
    let (app, schema) = demo_gateway(&db, Some(budget)).await;
    let mut after = String::new();
    let mut seen = 0;
    loop {
        let query = format!(
            "{{ products(first: 50{after}) {{ pageInfo {{ hasNextPage endCursor }}
                nodes {{ variants(first: 1) {{ nodes {{ sku }} }} }} }} }}"
        );
        let page = run(&schema, &query).await;
        let nodes = page["products"]["nodes"].as_array().expect("nodes").clone();
        assert!(nodes.iter().all(|n| n["variants"]["nodes"][0]["sku"].is_string()));
        seen += nodes.len();
        assert!(app.catalog.views().cached_bytes() <= budget);
        let info = &page["products"]["pageInfo"];
        if info["hasNextPage"] != true {
            break;
        }
        after = format!(", after: \"{}\"", info["endCursor"].as_str().expect("cursor"));
    }
    assert!(seen > 300, "walked the whole demo catalog ({seen})");
}
