//! `ProductVariant` resolves plain selections on a fast path; whatever the selection, the
//! answer must be the one the derived resolvers give. An inline fragment makes a selection
//! not plain, so wrapping the same fields in one forces the derived path.

use async_graphql::Request;
use serde_json::Value;
use vitrine_app::identity::Secret;
use vitrine_app::{App, Settings, Store};
use vitrine_store::testing::TestDatabase;

const FIELDS: &str = "id sku title availableForSale __typename
    selectedOptions { name value __typename }
    price { amount currencyCode } compareAtPrice { currencyCode amount __typename }
    cheap: price { amount }";

async fn run(schema: &vitrine_api::Gateway, query: &str) -> Value {
    let request = vitrine_api::prepare_request(schema, Request::new(query), None, None)
        .await
        .expect("prepare");
    let response = schema.execute(request).await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    response.data.into_json().expect("json")
}

#[tokio::test]
async fn plain_variant_selections_answer_as_the_derived_resolvers_do() {
    let db = TestDatabase::sqlite();
    let store = Store::connect(&db.url).await.expect("connect");
    store.migrate().await.expect("migrate");
    vitrine_app::demo::load_demo(&store).await.expect("demo");
    let app = App::new(store, Settings::new(Secret::new(vec![7; 32])));
    let schema = vitrine_api::build_schema(
        app,
        vitrine_api::Limits::default(),
        vitrine_api::PublicUrl(String::new()),
    );
    for context in ["", "@inContext(country: GB)", "@inContext(language: FR, country: US)"] {
        let page = |selection: &str| {
            format!(
                "query {context} {{ collection(handle: \"women\") {{ products(first: 30) {{ nodes {{
                    variants(first: 30) {{ nodes {{ {selection} }} }}
                    selectedOrFirstAvailableVariant {{ {selection} }} }} }} }} }}"
            )
        };
        let fast = run(&schema, &page(FIELDS)).await;
        let derived = run(&schema, &page(&format!("... on ProductVariant {{ {FIELDS} }}"))).await;
        assert_eq!(fast, derived, "{context}");
        let first = &fast["collection"]["products"]["nodes"][0]["variants"]["nodes"][0];
        assert!(first["sku"].is_string() && first["price"]["amount"].is_string(), "{first}");
    }
}
