//! Buyer prices on `ProductVariant`'s fast path. Its own test binary: the fast path's
//! counter is process-wide, and `cargo test` runs a binary's tests on parallel threads.

mod support;

use support::{demo_gateway, run, VARIANT_FIELDS as FIELDS};
use vitrine_store::testing::TestDatabase;

/// With a channel price list and a promotion on a collection, the fast path answers with the
/// buyer's prices, as the engine (the derived path) does.
#[tokio::test]
async fn buyer_prices_on_the_fast_path_answer_as_the_engine_does() {
    use vitrine_app::pricing::{DiscountInput, PriceListInput, PriceRow, SelectionInput};
    use vitrine_app::pricing::{TargetInput, ValueInput};
    use vitrine_domain::access::{Actor, StaffRole};

    let db = TestDatabase::sqlite();
    let (app, schema) = demo_gateway(&db, None).await;
    let staff = Actor::Staff { id: uuid::Uuid::nil(), role: StaffRole::Owner };
    let channels = app.catalog.channels().await.expect("channels");
    let marketplace = channels.iter().find(|c| c.is_default).expect("default channel");
    let women = app.store().collections().await.expect("collections");
    let women = women.iter().find(|c| c.handle == "women").expect("women");
    let page = |selection: &str| {
        format!(
            "{{ collection(handle: \"women\") {{ products(first: 30) {{ nodes {{
                variants(first: 30) {{ nodes {{ {selection} }} }} }} }} }} }}"
        )
    };
    let base = run(&schema, &page(FIELDS)).await;
    let first = &base["collection"]["products"]["nodes"][0]["variants"]["nodes"][0];
    let variant_id =
        vitrine_domain::id::GlobalId::parse(first["id"].as_str().expect("id")).expect("gid").id;

    let list = app
        .pricing
        .price_list_save(
            None,
            PriceListInput {
                name: Some("Marketplace EUR".into()),
                currency: Some("EUR".into()),
                channel_ids: Some(vec![marketplace.id]),
                ..PriceListInput::default()
            },
        )
        .await
        .expect("list");
    let row = PriceRow { variant_id, price: Some("10.00".into()), ..PriceRow::default() };
    app.pricing.prices_set(&staff, list.id, vec![row], vec![], None).await.expect("prices");
    let sale = DiscountInput {
        title: Some("Women's sale".into()),
        value: Some(ValueInput::Percentage("25".into())),
        target: Some(TargetInput::Items(SelectionInput {
            collection_ids: vec![women.id],
            ..SelectionInput::default()
        })),
        ..DiscountInput::default()
    };
    app.pricing.discount_save(None, sale).await.expect("discount");

    let before = vitrine_api::plain_variant_selections();
    let fast = run(&schema, &page(FIELDS)).await;
    assert!(vitrine_api::plain_variant_selections() - before > 30, "the fast path was taken");
    let derived = run(&schema, &page(&format!("... on ProductVariant {{ {FIELDS} }}"))).await;
    assert_eq!(fast, derived);
    let first = &fast["collection"]["products"]["nodes"][0]["variants"]["nodes"][0];
    assert_eq!(first["price"]["amount"], "7.50", "the list's 10.00, 25% off: {first}");
    assert_eq!(first["compareAtPrice"]["amount"], "10.00");
    let second = &fast["collection"]["products"]["nodes"][0]["variants"]["nodes"][1];
    let second_base = &base["collection"]["products"]["nodes"][0]["variants"]["nodes"][1];
    assert_ne!(second["price"], second_base["price"], "the sale reduces every piece");
}
