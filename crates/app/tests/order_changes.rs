//! What happens to an order after checkout: every ledger line it causes, at checkout and on
//! later changes, carries the same reference to it, so that the ledger of one order can be
//! found by one reference; and reordering copies what is still sold into a new cart.

mod support;

use support::{backend_tests, manual, staff, TestShop};
use vitrine_app::orders::FulfillmentInput;
use vitrine_app::Caller;
use vitrine_app::LedgerQuery;
use vitrine_domain::access::Actor;
use vitrine_domain::inventory::LedgerEntry;

impl TestShop {
    async fn ledger_after(&self, after: i64) -> Vec<LedgerEntry> {
        self.app
            .inventory
            .changes(&LedgerQuery { after, limit: 1_000, ..LedgerQuery::default() })
            .await
            .expect("ledger")
    }
}

fn references(entries: &[LedgerEntry]) -> Vec<Option<&str>> {
    entries.iter().map(|e| e.reference_document_uri.as_deref()).collect()
}

backend_tests! {
    async fn checkout_and_later_changes_of_an_order_write_one_ledger_reference(shop: TestShop) {
        let (app, channel) = (&shop.app, &shop.marketplace);
        let [shipped, cancelled] = shop.tracked_variants(2).await[..] else { unreachable!() };
        shop.stock(&[shipped, cancelled], 10).await;

        let head = app.store().ledger_head().await.expect("head");
        let cart = shop.guest_cart(shipped, 2).await;
        let order = app
            .orders
            .checkout(Caller::new(&Actor::Anonymous, channel), manual(cart, None))
            .await
            .expect("placed")
            .order;
        let at_checkout = shop.ledger_after(head).await;
        assert!(!at_checkout.is_empty(), "checkout reserves stock");
        let reference = at_checkout[0].reference_document_uri.clone().expect("a reference");
        assert!(reference.contains(&order.id.to_string()), "{reference} names the order");
        assert_eq!(
            references(&at_checkout),
            vec![Some(reference.as_str()); at_checkout.len()],
            "every line of the checkout refers to the order"
        );

        let head = app.store().ledger_head().await.expect("head");
        app.orders.mark_paid(&staff(), order.id).await.expect("paid");
        app.orders.fulfill(&staff(), order.id, FulfillmentInput::default()).await.expect("shipped");
        let on_fulfilment = shop.ledger_after(head).await;
        assert!(!on_fulfilment.is_empty(), "shipping takes stock off hand");
        assert_eq!(
            references(&on_fulfilment),
            vec![Some(reference.as_str()); on_fulfilment.len()],
            "fulfilment refers to the order as checkout did"
        );

        let cart = shop.guest_cart(cancelled, 1).await;
        let head = app.store().ledger_head().await.expect("head");
        let order = app
            .orders
            .checkout(Caller::new(&Actor::Anonymous, channel), manual(cart, None))
            .await
            .expect("placed")
            .order;
        app.orders.cancel(&staff(), order.id, None).await.expect("cancelled");
        let entries = shop.ledger_after(head).await;
        assert!(entries.len() >= 2, "a reservation and its release");
        let first = entries[0].reference_document_uri.clone();
        assert_eq!(references(&entries), vec![first.as_deref(); entries.len()]);
        assert_ne!(first.as_deref(), Some(reference.as_str()), "another order, another reference");
        let first = first.expect("a reference");
        assert!(first.contains(&order.id.to_string()), "{first} names the cancelled order");
    }

    async fn reordering_copies_the_lines_still_sold_into_a_new_cart(shop: TestShop) {
        let (app, channel) = (&shop.app, &shop.marketplace);
        let [kept, gone] = shop.tracked_variants(2).await[..] else { unreachable!() };
        shop.stock(&[kept, gone], 10).await;
        let cart = shop.guest_cart_of(&[(kept, 2), (gone, 1)]).await;
        let order = app
            .orders
            .checkout(Caller::new(&Actor::Anonymous, channel), manual(cart, None))
            .await
            .expect("placed")
            .order;
        shop.archive_product_of(gone).await;

        let again = app.orders.reorder(Caller::new(&staff(), channel), order.id).await.expect("reordered");
        assert_ne!(again.id, cart, "a new cart");
        let lines: Vec<_> = again.lines.iter().map(|l| (l.variant_id, l.quantity)).collect();
        assert_eq!(lines, vec![(kept, 2)], "the archived line is left out");
        let customer = vitrine_domain::access::Actor::Customer { id: uuid::Uuid::from_u128(9) };
        let refused = app.orders.reorder(Caller::new(&customer, channel), order.id).await;
        assert!(
            matches!(refused, Err(vitrine_app::AppError::User(ref e)) if e[0].code == vitrine_app::ErrorCode::NotFound),
            "a stranger's reorder finds no order: {refused:?}"
        );
    }
}
