//! DataLoaders keep the SQL of a page constant: a page of 50 products with their options,
//! images, variants and prices costs as many statements as a page of 5.

mod support;

use async_graphql::Request;
use vitrine_store::backend_tests;
use vitrine_store::testing::TestDatabase;

const PAGE: &str =
    "query($n: Int) { collection(handle: \"women\") { title products(first: $n) { nodes {
  id handle title vendor options { name values } priceRange { minVariantPrice { amount } }
  images(first: 5) { nodes { url altText } }
  variants(first: 30) { nodes { id sku availableForSale selectedOptions { name value }
    price { amount currencyCode } compareAtPrice { amount } image { url } } } } } } }";

async fn statements_for_page(db: &TestDatabase, size: i32) -> u64 {
    let (app, schema) = support::demo_gateway(db, None).await;
    let store = app.store();
    let request = Request::new(PAGE)
        .variables(async_graphql::Variables::from_json(serde_json::json!({ "n": size })));
    // Channels are cached after the first request; warm the cache so it does not count.
    let warm =
        vitrine_api::prepare_request(&schema, Request::new("{ channel { id } }"), None, None)
            .await
            .expect("prepare");
    let _ = schema.execute(warm).await;
    let request =
        vitrine_api::prepare_request(&schema, request, None, None).await.expect("prepare");
    let before = store.query_count();
    let response = schema.execute(request).await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    let nodes = response.data.into_json().expect("json")["collection"]["products"]["nodes"]
        .as_array()
        .map(Vec::len);
    assert_eq!(nodes, Some(usize::try_from(size).unwrap_or_default()));
    store.query_count() - before
}

backend_tests! {
    #[tokio::test]
    async fn a_page_of_fifty_products_costs_as_many_statements_as_a_page_of_five(db: TestDatabase) {
        let small = statements_for_page(&db, 5).await;
        let large = statements_for_page(&db, 50).await;
        println!("statements: page of 5 = {small}, page of 50 = {large}");
        assert_eq!(small, large, "statement count must not grow with the page");
        assert!(large <= 12, "a collection page takes {large} statements");
    }
}
