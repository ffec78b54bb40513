//! What order changes write to the stock ledger: every ledger line an order causes, at
//! checkout and on later changes, carries the same reference to that order, so that the
//! ledger of one order can be found by one reference.

mod support;

use support::{databases, demo_app, guest_cart, marketplace, set_stock, staff, tracked_variants};
use vitrine_app::checkout::CheckoutInput;
use vitrine_app::orders::FulfillmentInput;
use vitrine_app::LedgerQuery;
use vitrine_domain::access::Actor;
use vitrine_domain::inventory::LedgerEntry;
use vitrine_domain::payment::PaymentMethod;

fn manual(cart_id: uuid::Uuid) -> CheckoutInput {
    CheckoutInput {
        cart_id,
        method: PaymentMethod::Manual,
        payment_token: None,
        idempotency_key: None,
        expected_total: None,
    }
}

async fn ledger_after(app: &vitrine_app::App, after: i64) -> Vec<LedgerEntry> {
    app.inventory
        .changes(&LedgerQuery { after, limit: 1_000, ..LedgerQuery::default() })
        .await
        .expect("ledger")
}

fn references(entries: &[LedgerEntry]) -> Vec<Option<&str>> {
    entries.iter().map(|e| e.reference_document_uri.as_deref()).collect()
}

#[tokio::test]
async fn checkout_and_later_changes_of_an_order_write_one_ledger_reference() {
    for db in databases().await {
        let app = demo_app(&db).await;
        let channel = marketplace(&app).await;
        let [shipped, cancelled] = tracked_variants(&app, &channel, 2).await[..] else {
            unreachable!()
        };
        set_stock(&app, &[shipped, cancelled], 10).await;

        let head = app.store().ledger_head().await.expect("head");
        let cart = guest_cart(&app, &channel, &[(shipped, 2)]).await;
        let order =
            app.orders.checkout(&Actor::Anonymous, &channel, manual(cart)).await.expect("placed");
        let order = order.order;
        let at_checkout = ledger_after(&app, head).await;
        assert!(!at_checkout.is_empty(), "checkout reserves stock");
        let reference = at_checkout[0].reference_document_uri.clone().expect("a reference");
        assert!(reference.contains(&order.id.to_string()), "{reference} names the order");

        let head = app.store().ledger_head().await.expect("head");
        app.orders.mark_paid(&staff(), order.id).await.expect("paid");
        app.orders.fulfill(&staff(), order.id, FulfillmentInput::default()).await.expect("shipped");
        let on_fulfilment = ledger_after(&app, head).await;
        assert!(!on_fulfilment.is_empty(), "shipping takes stock off hand");
        assert_eq!(
            references(&on_fulfilment),
            vec![Some(reference.as_str()); on_fulfilment.len()],
            "fulfilment refers to the order as checkout did"
        );

        let cart = guest_cart(&app, &channel, &[(cancelled, 1)]).await;
        let head = app.store().ledger_head().await.expect("head");
        let order = app
            .orders
            .checkout(&Actor::Anonymous, &channel, manual(cart))
            .await
            .expect("placed")
            .order;
        app.orders.cancel(&staff(), order.id, None).await.expect("cancelled");
        let entries = ledger_after(&app, head).await;
        assert!(entries.len() >= 2, "a reservation and its release");
        let first = entries[0].reference_document_uri.clone();
        assert_eq!(references(&entries), vec![first.as_deref(); entries.len()]);
        assert_ne!(first.as_deref(), Some(reference.as_str()), "another order, another reference");
    }
}
