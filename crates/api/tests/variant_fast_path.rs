//! `ProductVariant` resolves plain selections on a fast path; whatever the selection, the
//! answer must be the one the derived resolvers give. An inline fragment makes a selection
//! not plain, so wrapping the same fields in one forces the derived path.

mod support;

use support::{demo_gateway, run, VARIANT_FIELDS as FIELDS};
use vitrine_store::testing::TestDatabase;

#[tokio::test]
async fn plain_variant_selections_answer_as_the_derived_resolvers_do() {
    let db = TestDatabase::sqlite();
    let (_, schema) = demo_gateway(&db, None).await;
    // Translated titles and options take the derived path by design.
    for (context, plain) in [
        ("", true),
        ("@inContext(country: GB)", true),
        ("@inContext(language: FR, country: US)", false),
    ] {
        let page = |selection: &str| {
            format!(
                "query {context} {{ collection(handle: \"women\") {{ products(first: 30) {{ nodes {{
                    variants(first: 30) {{ nodes {{ {selection} }} }}
                    selectedOrFirstAvailableVariant {{ {selection} }} }} }} }} }}"
            )
        };
        let before = vitrine_api::plain_variant_selections();
        let fast = run(&schema, &page(FIELDS)).await;
        let taken = vitrine_api::plain_variant_selections() - before;
        if plain {
            assert!(taken > 30, "the plain selection took the fast path ({taken} variants)");
        } else {
            assert_eq!(taken, 0, "translated variants take the derived path");
        }
        let before = vitrine_api::plain_variant_selections();
        let derived = run(&schema, &page(&format!("... on ProductVariant {{ {FIELDS} }}"))).await;
        assert_eq!(vitrine_api::plain_variant_selections(), before, "a fragment is not plain");
        assert_eq!(fast, derived, "{context}");
        let first = &fast["collection"]["products"]["nodes"][0]["variants"]["nodes"][0];
        assert!(first["sku"].is_string() && first["price"]["amount"].is_string(), "{first}");
    }
}
