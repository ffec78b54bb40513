//! The query-cost limit and the bounds on a response hold against documents written to get
//! around them: huge page sizes, skipped aliases, long lists, free `__typename`s, fragment
//! bombs, self-multiplying introspection, oversized responses and floods of errors.

mod support;

use serde_json::{json, Value};
use support::{demo_gateway, demo_gateway_with_limits, first_code, respond};
use vitrine_api::{Gateway, Limits};
use vitrine_store::testing::TestDatabase;

async fn gateway() -> (TestDatabase, Gateway) {
    let db = TestDatabase::sqlite();
    let (_, gateway) = demo_gateway(&db, None).await;
    (db, gateway)
}

fn cost(response: &Value) -> u64 {
    response["extensions"]["cost"]["requestedQueryCost"].as_u64().expect("cost reported")
}

/// The women's collection filtered by `filters`.
async fn women_filtered(gateway: &Gateway, filters: Value) -> Value {
    let query = "query($f: [ProductFilter!]!) {
        collection(handle: \"women\") { products(first: 5, filters: $f) { nodes { id } } } }";
    respond(gateway, query, json!({ "f": filters })).await
}

fn assert_refused(response: &Value, code: &str) {
    assert_eq!(first_code(response), Some(code), "{response}");
    assert!(response.get("data").is_none_or(Value::is_null), "no data: {response}");
}

#[tokio::test]
async fn page_sizes_over_the_cap_are_refused_before_any_cost_is_computed() {
    let (_db, gateway) = gateway().await;
    let huge = "{ collections(first: 1073741824) { nodes { products(first: 1073741824) {
        nodes { variants(first: 1073741824) { nodes { id } } } } } } }";
    let refused = respond(&gateway, huge, json!({})).await;
    assert_refused(&refused, "BAD_USER_INPUT");
    assert!(refused["errors"][0]["message"].as_str().is_some_and(|m| m.contains("capped at 250")));
    // Refused by the document walk, before costing: the resolver's own cap would come with
    // a cost.
    assert!(refused["extensions"]["cost"].is_null(), "{refused}");

    let by_variable = respond(
        &gateway,
        "query($n: Int) { products(first: $n) { nodes { id } } }",
        json!({ "n": 251 }),
    )
    .await;
    assert_refused(&by_variable, "BAD_USER_INPUT");
    assert!(by_variable["extensions"]["cost"].is_null(), "{by_variable}");
    let negative = respond(&gateway, "{ products(last: -1) { nodes { id } } }", json!({})).await;
    assert_refused(&negative, "BAD_USER_INPUT");
    assert!(negative["extensions"]["cost"].is_null(), "{negative}");
}

#[tokio::test]
async fn skipped_aliases_cannot_hide_the_cost_of_what_runs() {
    let (_db, gateway) = gateway().await;
    let costly = "products(first: 250) { nodes { variants(first: 250) { nodes { id sku } } } }";
    let alone = respond(&gateway, &format!("{{ {costly} }}"), json!({})).await;
    assert_refused(&alone, "MAX_COST_EXCEEDED");

    let skipped = format!(
        "{{ a: {costly} b: {costly} c: collections(first: 250) @skip(if: true) {{
            nodes {{ products(first: 250) {{ nodes {{ variants(first: 250) {{ nodes {{ id }} }} }} }} }} }} }}"
    );
    let padded = respond(&gateway, &skipped, json!({})).await;
    assert_refused(&padded, "MAX_COST_EXCEEDED");
    assert!(cost(&padded) > 125_000, "{padded}");
}

#[tokio::test]
async fn skip_and_include_are_costed_as_they_will_run() {
    let (_db, gateway) = gateway().await;
    let query = "query($heavy: Boolean!) {
        channel { name }
        products(first: 250) @include(if: $heavy) { nodes { variants(first: 250) { nodes { id } } } }
        brands @skip(if: $heavy) { name } }";
    let light = respond(&gateway, query, json!({ "heavy": false })).await;
    assert!(light["errors"].is_null(), "{light}");
    assert!(light["data"]["brands"].is_array(), "{light}");
    assert!(cost(&light) < 100, "only what runs is costed: {light}");

    let heavy = respond(&gateway, query, json!({ "heavy": true })).await;
    assert_refused(&heavy, "MAX_COST_EXCEEDED");

    // A skipped field is still validated as the document was sent.
    let invalid =
        respond(&gateway, "{ channel { name } products @skip(if: true) { nope } }", json!({}))
            .await;
    assert!(
        invalid["errors"][0]["message"].as_str().is_some_and(|m| m.contains("nope")),
        "{invalid}"
    );
}

#[tokio::test]
async fn list_arguments_are_capped_and_costed_by_length() {
    let (_db, gateway) = gateway().await;
    let ids: Vec<String> = (0..10_001).map(|i| format!("gid://vitrine/Product/{i:08}")).collect();
    let refused =
        respond(&gateway, "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", json!({ "ids": ids }))
            .await;
    assert_refused(&refused, "BAD_USER_INPUT");
    assert!(refused["errors"][0]["message"].as_str().is_some_and(|m| m.contains("10001")));

    let filters: Vec<Value> = (0..3_000).map(|i| json!({ "tag": format!("t{i}") })).collect();
    let counted = women_filtered(&gateway, json!(filters)).await;
    assert!(cost(&counted) >= 3_000, "each filter costs: {counted}");
}

#[tokio::test]
async fn typename_costs_like_any_field() {
    let (_db, gateway) = gateway().await;
    let aliases: String = (0..2_000).map(|i| format!("t{i}: __typename ")).collect();
    let limits = Limits { max_cost: 1_000, ..Limits::default() };
    let db = TestDatabase::sqlite();
    let (_, strict) = demo_gateway_with_limits(&db, None, limits).await;
    let refused = respond(&strict, &format!("{{ {aliases} }}"), json!({})).await;
    assert_refused(&refused, "MAX_COST_EXCEEDED");
    let counted = respond(&gateway, &format!("{{ {aliases} }}"), json!({})).await;
    assert_eq!(cost(&counted), 2_000, "{}", counted["extensions"]);
}

#[tokio::test]
async fn a_fragment_bomb_is_refused_without_walking_it() {
    let (_db, gateway) = gateway().await;
    // Each fragment spreads the next twice: 2^40 selections in under a kilobyte.
    let mut document = String::from("{ ...F0 }\n");
    for i in 0..40 {
        document
            .push_str(&format!("fragment F{i} on Query {{ a: ...F{n} b: ...F{n} }}\n", n = i + 1));
    }
    document.push_str("fragment F40 on Query { __typename }\n");
    // Aliases on spreads are not GraphQL; write the two spreads plainly.
    let document = document.replace("a: ...", "...").replace("b: ...", "...");
    let refused = respond(&gateway, &document, json!({})).await;
    assert_refused(&refused, "MAX_COST_EXCEEDED");
}

/// The introspection query GraphiQL and code generators send (graphql-js's shape).
const FULL_INTROSPECTION: &str = "query IntrospectionQuery { __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } } } }
  fragment FullType on __Type { kind name description
    fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef }
      isDeprecated deprecationReason }
    inputFields { ...InputValue } interfaces { ...TypeRef }
    enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
    possibleTypes { ...TypeRef } }
  fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
  fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name
    ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }";

#[tokio::test]
async fn graphiql_introspection_runs_and_self_multiplying_introspection_is_refused() {
    let (_db, gateway) = gateway().await;
    let full = respond(&gateway, FULL_INTROSPECTION, json!({})).await;
    assert!(full["errors"].is_null(), "{}", full["errors"]);
    assert!(full["data"]["__schema"]["types"].as_array().is_some_and(|t| t.len() > 50));

    let nested =
        "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }";
    assert_refused(&respond(&gateway, nested, json!({})).await, "INTROSPECTION_LIMIT");
    let through_args =
        "{ __type(name: \"Query\") { fields { args { type { inputFields { name } } } } } }";
    assert_refused(&respond(&gateway, through_args, json!({})).await, "INTROSPECTION_LIMIT");
    let twice = "{ a: __schema { types { name } } b: __schema { types { name } } }";
    assert_refused(&respond(&gateway, twice, json!({})).await, "INTROSPECTION_LIMIT");
    let lookups: String =
        (0..21).map(|i| format!("t{i}: __type(name: \"Product\") {{ name }} ")).collect();
    assert_refused(
        &respond(&gateway, &format!("{{ {lookups} }}"), json!({})).await,
        "INTROSPECTION_LIMIT",
    );
}

#[tokio::test]
async fn a_response_larger_than_the_limit_is_refused_with_a_clear_error() {
    let db = TestDatabase::sqlite();
    let limits = Limits { max_response_bytes: 20_000, ..Limits::default() };
    let (_, gateway) = demo_gateway_with_limits(&db, None, limits).await;
    let small = respond(&gateway, "{ products(first: 2) { nodes { id } } }", json!({})).await;
    assert!(small["data"]["products"].is_object(), "{small}");
    let large = respond(
        &gateway,
        "{ products(first: 100) { nodes { id title description handle vendor } } }",
        json!({}),
    )
    .await;
    assert_refused(&large, "RESPONSE_TOO_LARGE");
}

#[tokio::test]
async fn errors_returned_are_capped() {
    let (_db, gateway) = gateway().await;
    let aliases: String = (0..120)
        .map(|i| format!("p{i}: product(id: \"gid://vitrine/Nope/{i}\") {{ id }} "))
        .collect();
    let response = respond(&gateway, &format!("{{ {aliases} }}"), json!({})).await;
    let errors = response["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 51, "{response}");
    assert_eq!(errors[50]["extensions"]["code"], "TOO_MANY_ERRORS");
}

#[test]
fn connection_costs_saturate_instead_of_wrapping() {
    let cap = vitrine_api::FIELD_COST_CAP;
    assert_eq!(vitrine_api::connection_cost(Some(i32::MAX), None, 20, usize::MAX), cap);
    assert_eq!(vitrine_api::connection_cost(Some(-5), None, 20, 7), 7, "a negative size costs one");
    assert_eq!(vitrine_api::list_cost(usize::MAX, usize::MAX), cap);
    assert_eq!(vitrine_api::connection_cost(None, Some(10), 20, 3), 30);
}

#[tokio::test]
async fn long_texts_and_long_filter_lists_are_input_errors() {
    let (_db, gateway) = gateway().await;
    let long = "x".repeat(49_999);
    let search = respond(
        &gateway,
        "query($q: String) { products(first: 5, query: $q) { nodes { id } } }",
        json!({ "q": long }),
    )
    .await;
    assert_eq!(first_code(&search), Some("BAD_USER_INPUT"), "{}", search["errors"]);

    let options: Vec<Value> =
        (0..992).map(|i| json!({ "name": format!("option {i}"), "value": "x" })).collect();
    let filtered = women_filtered(&gateway, json!([{ "variantOption": options }])).await;
    assert_eq!(first_code(&filtered), Some("BAD_USER_INPUT"), "{}", filtered["errors"]);

    let tags: Vec<Value> = (0..100).map(|i| json!({ "tag": format!("t{i}") })).collect();
    let many = women_filtered(&gateway, json!(tags)).await;
    assert_eq!(first_code(&many), Some("BAD_USER_INPUT"), "{}", many["errors"]);
}

#[tokio::test]
async fn wildcards_in_a_tag_filter_match_only_themselves() {
    let (_db, gateway) = gateway().await;
    let count = |tag: &'static str| {
        let gateway = &gateway;
        async move {
            let r = respond(
                gateway,
                "query($t: String) { products(first: 250, filter: { tag: $t }) { nodes { id } } }",
                json!({ "t": tag }),
            )
            .await;
            r["data"]["products"]["nodes"].as_array().map(Vec::len).unwrap_or_else(|| panic!("{r}"))
        }
    };
    assert!(count("wool").await > 0, "the filter finds a tag the demo has");
    assert_eq!(count("%").await, 0, "`%` is a character, not a wildcard");
    assert_eq!(count("wo_l").await, 0, "`_` is a character, not a wildcard");
}

#[tokio::test]
async fn an_offset_cursor_far_past_the_end_does_not_wrap_to_the_first_page() {
    use base64::Engine;
    let (_db, gateway) = gateway().await;
    let cursor =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("o:{}", usize::MAX));
    let query = "query($c: String) { products(first: 1) { nodes { variants(first: 5, after: $c) { nodes { id } } } } }";
    let first_page = respond(&gateway, query, json!({ "c": null })).await;
    let variants = &first_page["data"]["products"]["nodes"][0]["variants"]["nodes"];
    assert!(variants.as_array().is_some_and(|v| !v.is_empty()), "{first_page}");
    let r = respond(&gateway, query, json!({ "c": cursor })).await;
    assert!(r["errors"].is_null(), "{r}");
    assert_eq!(r["data"]["products"]["nodes"][0]["variants"]["nodes"], json!([]), "{r}");
}

#[tokio::test]
async fn a_non_null_variable_refuses_an_explicit_null() {
    let (_db, gateway) = gateway().await;
    for query in [
        "query($n: Int!) { products(first: $n) { nodes { id } } }",
        "query($n: Int! = 2) { products(first: $n) { nodes { id } } }",
    ] {
        let r = respond(&gateway, query, json!({ "n": null })).await;
        assert_refused(&r, "BAD_USER_INPUT");
    }
    let nullable = respond(
        &gateway,
        "query($n: Int) { products(first: $n) { nodes { id } } }",
        json!({ "n": null }),
    )
    .await;
    assert!(nullable["errors"].is_null(), "{nullable}");
}
