//! The README is part of the contract: every GraphQL snippet in it runs against the schema as
//! it is (parses, validates, stays within the limits), and its list of API-token scopes is
//! the list the code accepts.

mod support;

use async_graphql::Request;
use vitrine_domain::access::Permission;
use vitrine_store::testing::TestDatabase;

const README: &str = include_str!("../../../README.md");

/// The bodies of the README's ```graphql blocks.
fn graphql_snippets() -> Vec<&'static str> {
    README.split("```graphql\n").skip(1).filter_map(|rest| rest.split("\n```").next()).collect()
}

#[tokio::test]
async fn every_graphql_snippet_in_the_readme_runs_against_the_schema() {
    let db = TestDatabase::sqlite();
    let (app, gateway) = support::demo_gateway(&db, None).await;
    let snippets = graphql_snippets();
    // The SKUs the examples name are the demo's.
    let skus: Vec<String> = snippets
        .iter()
        .flat_map(|s| s.split("sku: \"").skip(1))
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect();
    let found = app.store().variant_ids_by_skus(&skus).await.expect("lookup");
    for sku in &skus {
        assert!(found.iter().any(|(s, _)| s == sku), "the demo has no SKU `{sku}`");
    }
    assert!(snippets.len() >= 5, "found {} snippets", snippets.len());
    for snippet in snippets {
        let request = vitrine_api::prepare_request(&gateway, Request::new(snippet), None, None)
            .await
            .expect("prepare");
        // `Err` is a document refused before execution: it does not parse or validate, or
        // breaks a limit. Errors while running (a guarded field, anonymously) are fine here.
        if let Err(refused) = gateway.execute_checked(request).await {
            panic!("a README snippet is refused: {:?}\n{snippet}", refused.errors);
        }
    }
}

#[test]
fn the_readme_lists_every_api_token_scope() {
    let sentence = README
        .split("Scopes: ")
        .nth(1)
        .and_then(|rest| rest.split(". ").next())
        .expect("the README's list of scopes");
    let mut listed: Vec<&str> = sentence.split('`').skip(1).step_by(2).collect();
    let mut scopes = Permission::all_scopes();
    listed.sort_unstable();
    scopes.sort_unstable();
    assert_eq!(listed, scopes);
}
