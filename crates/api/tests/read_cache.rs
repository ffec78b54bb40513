//! The product read cache: repeated pages skip the database, and a write through any replica
//! is visible on the next read of every other.

use async_graphql::Request;
use serde_json::Value;
use vitrine_api::Gateway;
use vitrine_app::catalog::{PriceInput, ProductInput, VariantInput};
use vitrine_app::identity::Secret;
use vitrine_app::{App, Settings, Store};
use vitrine_store::testing::TestDatabase;

const PAGE: &str = "{ collection(handle: \"women\") { products(first: 50) { nodes {
  id title vendor options { name values } images(first: 5) { nodes { url } }
  variants(first: 30) { nodes { id sku availableForSale price { amount } } } } } } }";

/// One gateway replica over the shared database.
async fn replica(db: &TestDatabase) -> (App, Gateway) {
    let store = Store::connect(&db.url).await.expect("connect");
    store.migrate().await.expect("migrate");
    if store.product_count().await.expect("count") == 0 {
        vitrine_app::demo::load_demo(&store).await.expect("demo");
    }
    let app = App::new(store, Settings::new(Secret::new(vec![7; 32])));
    let schema = vitrine_api::build_schema(
        app.clone(),
        vitrine_api::Limits::default(),
        vitrine_api::PublicUrl(String::new()),
    );
    (app, schema)
}

async fn run(schema: &Gateway, query: &str) -> Value {
    let request = vitrine_api::prepare_request(schema, Request::new(query), None, None)
        .await
        .expect("prepare");
    let response = schema.execute(request).await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    response.data.into_json().expect("json")
}

#[tokio::test]
async fn a_repeated_page_reads_only_its_listing_from_the_database() {
    for db in TestDatabase::all().await.expect("test databases") {
        let (app, schema) = replica(&db).await;
        let first = run(&schema, PAGE).await;
        let before = app.store.query_count();
        let again = run(&schema, PAGE).await;
        let statements = app.store.query_count() - before;
        assert_eq!(first, again);
        // The collection, the page's ids and revisions, and the page's brands (for `vendor`).
        assert!(statements <= 3, "a warm page of 50 took {statements} statements");
    }
}

#[tokio::test]
async fn a_write_through_another_replica_is_seen_on_the_next_read() {
    for db in TestDatabase::all().await.expect("test databases") {
        let (_, reader) = replica(&db).await;
        let (writer, _) = replica(&db).await;
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
