//! A gateway over the demo catalog, executed in process, for the API's tests and benches.

// Each test binary compiles its own copy and uses only part of it.
#![allow(dead_code)]

use async_graphql::Request;
use serde_json::Value;
use vitrine_api::Gateway;
use vitrine_app::identity::Secret;
use vitrine_app::{App, Settings, Store};
use vitrine_store::testing::TestDatabase;

/// A variant selection that the fast path takes when written plainly; the fast-path tests
/// compare it with the same fields behind a fragment (the derived path).
pub const VARIANT_FIELDS: &str = "id sku title availableForSale __typename
    selectedOptions { name value __typename }
    price { amount currencyCode } compareAtPrice { currencyCode amount __typename }
    cheap: price { amount }";

/// One gateway over `db`, loading the demo catalog if the database is empty (several gateways
/// on one database stand for several replicas). `cache_bytes` overrides the read cache budget.
pub async fn demo_gateway(db: &TestDatabase, cache_bytes: Option<u64>) -> (App, Gateway) {
    demo_gateway_with_limits(db, cache_bytes, vitrine_api::Limits::default()).await
}

/// [`demo_gateway`] with other limits.
pub async fn demo_gateway_with_limits(
    db: &TestDatabase,
    cache_bytes: Option<u64>,
    limits: vitrine_api::Limits,
) -> (App, Gateway) {
    let store = Store::connect(&db.url).await.expect("connect");
    store.migrate().await.expect("migrate");
    if store.product_count().await.expect("count") == 0 {
        vitrine_app::demo::load_demo(&store).await.expect("demo");
    }
    let mut settings = Settings::new(Secret::new(vec![7; 32]));
    if let Some(bytes) = cache_bytes {
        settings.product_cache_bytes = bytes;
    }
    let app = App::new(store, settings);
    let gateway = vitrine_api::build_schema(
        app.clone(),
        limits,
        vitrine_api::PublicUrl("http://127.0.0.1:8080".into()),
    );
    (app, gateway)
}

/// Runs an anonymous request on the default channel; it must succeed.
pub async fn run(gateway: &Gateway, query: &str) -> Value {
    let request = vitrine_api::prepare_request(gateway, Request::new(query), None, None)
        .await
        .expect("prepare");
    let response = gateway.execute(request).await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    response.data.into_json().expect("json")
}

/// Runs an anonymous request with `variables` on the default channel and returns the whole
/// response as JSON (`data`, `errors`, `extensions`).
pub async fn respond(gateway: &Gateway, query: &str, variables: Value) -> Value {
    respond_as(gateway, query, variables, None, None).await
}

/// [`respond`] with a bearer credential and a storefront key; a request they make fail comes
/// back as `{"errors": [...]}`, as the HTTP layer sends it.
pub async fn respond_as(
    gateway: &Gateway,
    query: &str,
    variables: Value,
    bearer: Option<&str>,
    key: Option<&str>,
) -> Value {
    let request = Request::new(query).variables(async_graphql::Variables::from_json(variables));
    match vitrine_api::prepare_request(gateway, request, bearer, key).await {
        Ok(request) => serde_json::to_value(gateway.execute(request).await).expect("json"),
        Err(error) => serde_json::json!({ "errors": [error] }),
    }
}

/// The `extensions.code` of the first error, if any.
pub fn first_code(response: &Value) -> Option<&str> {
    response["errors"][0]["extensions"]["code"].as_str()
}
