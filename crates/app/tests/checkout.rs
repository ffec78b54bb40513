//! Checkout under concurrency, on SQLite and (when `VITRINE_TEST_DATABASE_URL` is set, always
//! on CI) PostgreSQL: the last units go to exactly as many buyers as there are units, a retried
//! checkout places one order, and cancelling or shipping moves the reserved stock.

mod support;

use std::sync::Arc;
use vitrine_app::Caller;

use support::{backend_tests, manual, staff, TestShop};
use uuid::Uuid;
use vitrine_app::orders::FulfillmentInput;
use vitrine_app::{App, AppError, ErrorCode, LevelQuery, OrderFilter};
use vitrine_domain::access::Actor;
use vitrine_domain::order::{OrderStatus, ShipmentStatus};

/// Demo products whose variants are all tracked, with at least two variants: their ids.
async fn products_with_sizes(app: &App, n: usize) -> Vec<(Uuid, Vec<Uuid>)> {
    let levels = app
        .inventory
        .levels(&LevelQuery { limit: 2000, ..Default::default() })
        .await
        .expect("levels");
    let mut products: Vec<Uuid> = vec![];
    for v in app
        .store()
        .variants_by_ids(&levels.iter().map(|l| l.variant_id).collect::<Vec<_>>())
        .await
        .expect("variants")
    {
        if !products.contains(&v.product_id) {
            products.push(v.product_id);
        }
    }
    let mut found = vec![];
    for product in products {
        let variants = app.store().variants_of_products(&[product]).await.expect("variants");
        if variants.len() >= 2 && variants.iter().all(|v| v.inventory_tracked) {
            found.push((product, variants.iter().map(|v| v.id).collect()));
        }
        if found.len() == n {
            break;
        }
    }
    assert_eq!(found.len(), n, "the demo catalog has {n} such products");
    found
}

/// Guest checkouts of these carts on the marketplace, all started at once.
fn check_out_at_once(
    shop: &TestShop,
    carts: Vec<Uuid>,
) -> Vec<tokio::task::JoinHandle<Result<vitrine_app::checkout::Placed, AppError>>> {
    let channel = Arc::new(shop.marketplace.clone());
    carts
        .into_iter()
        .map(|cart| {
            let (app, channel) = (shop.app.clone(), channel.clone());
            tokio::spawn(async move {
                app.orders
                    .checkout(Caller::new(&Actor::Anonymous, &channel), manual(cart, None))
                    .await
            })
        })
        .collect()
}

async fn reserved_and_on_hand(app: &App, variant: Uuid) -> (i64, i64) {
    let levels = app
        .inventory
        .levels(&LevelQuery { variant_ids: Some(vec![variant]), limit: 10, ..Default::default() })
        .await
        .expect("levels");
    (levels.iter().map(|l| l.level.reserved).sum(), levels.iter().map(|l| l.level.on_hand).sum())
}

backend_tests! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn two_hundred_checkouts_for_ten_units_place_exactly_ten_orders(shop: TestShop) {
        let app = &shop.app;
        let variant = shop.variant_with_stock(10).await;
        let mut carts = Vec::with_capacity(200);
        for _ in 0..200 {
            carts.push(shop.guest_cart(variant, 1).await);
        }
        let tasks = check_out_at_once(&shop, carts);
        let mut placed = vec![];
        let mut refused = 0;
        for task in tasks {
            match task.await.expect("task") {
                Ok(p) => placed.push(p.order),
                Err(AppError::User(errors)) => {
                    assert_eq!(errors.len(), 1, "{} {errors:?}", shop.backend());
                    assert_eq!(
                        errors[0].code,
                        ErrorCode::InsufficientStock,
                        "{} {errors:?}",
                        shop.backend()
                    );
                    refused += 1;
                }
                Err(other) => panic!("{}: {other:?}", shop.backend()),
            }
        }
        assert_eq!((placed.len(), refused), (10, 190), "{}", shop.backend());
        let mut numbers: Vec<i64> = placed.iter().map(|o| o.number).collect();
        numbers.sort_unstable();
        assert_eq!(
            numbers,
            (1001..=1010).collect::<Vec<_>>(),
            "{}: numbers follow each other",
            shop.backend()
        );
        assert_eq!(reserved_and_on_hand(app, variant).await, (10, 10), "{}", shop.backend());
        let variants = app.store().variants_by_ids(&[variant]).await.expect("variant");
        assert_eq!(variants[0].inventory_quantity, 0, "{}: nothing left online", shop.backend());
        let all = app.orders.orders_page(&OrderFilter::default(), None, 500).await.expect("orders");
        assert_eq!(all.len(), 10, "{}", shop.backend());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_checkout_retried_with_its_key_places_one_order(shop: TestShop) {
        let app = &shop.app;
        let channel = &shop.marketplace;
        let variant = shop.variant_with_stock(50).await;
        let cart = shop.guest_cart(variant, 2).await;
        let tasks: Vec<_> = (0..5)
            .map(|_| {
                let (app, channel) = (app.clone(), channel.clone());
                tokio::spawn(async move {
                    app.orders
                        .checkout(Caller::new(&Actor::Anonymous, &channel), manual(cart, Some("double-click")))
                        .await
                })
            })
            .collect();
        let mut numbers = vec![];
        let mut first = 0;
        for task in tasks {
            let placed = task.await.expect("task").expect("placed or replayed");
            numbers.push(placed.order.number);
            first += usize::from(!placed.replayed);
        }
        numbers.dedup();
        assert_eq!(numbers.len(), 1, "{}: one order for five calls", shop.backend());
        assert_eq!(first, 1, "{}: one call placed it, the others replayed it", shop.backend());
        assert_eq!(reserved_and_on_hand(app, variant).await, (2, 50), "{}", shop.backend());
        let other_key =
            app.orders.checkout(Caller::new(&Actor::Anonymous, channel), manual(cart, Some("another"))).await;
        match other_key {
            Err(AppError::User(errors)) => assert_eq!(errors[0].code, ErrorCode::AlreadyCompleted),
            other => panic!("{}: {other:?}", shop.backend()),
        }
    }

    #[tokio::test]
    async fn cancelling_releases_stock_and_shipping_takes_it_off_hand(shop: TestShop) {
        let app = &shop.app;
        let channel = &shop.marketplace;
        let variant = shop.variant_with_stock(5).await;

        let cart = shop.guest_cart(variant, 2).await;
        let order = app
            .orders
            .checkout(Caller::new(&Actor::Anonymous, channel), manual(cart, None))
            .await
            .expect("placed")
            .order;
        assert_eq!(
            order.status,
            OrderStatus::PendingPayment,
            "{}: a transfer is awaited",
            shop.backend()
        );
        assert_eq!(reserved_and_on_hand(app, variant).await, (2, 5));
        let cancelled = app
            .orders
            .cancel(&staff(), order.id, Some("changed mind".into()))
            .await
            .expect("cancel");
        assert_eq!(cancelled.order.status, OrderStatus::Cancelled);
        assert_eq!(
            reserved_and_on_hand(app, variant).await,
            (0, 5),
            "{}: released",
            shop.backend()
        );
        match app.orders.cancel(&staff(), order.id, None).await {
            Err(AppError::User(e)) => assert_eq!(e[0].code, ErrorCode::InvalidTransition),
            other => panic!("{other:?}"),
        }

        let cart = shop.guest_cart(variant, 3).await;
        let order = app
            .orders
            .checkout(Caller::new(&Actor::Anonymous, channel), manual(cart, None))
            .await
            .expect("placed")
            .order;
        let paid = app.orders.mark_paid(&staff(), order.id).await.expect("paid");
        assert_eq!(paid.order.status, OrderStatus::Processing);
        let line = paid.lines[0].id;
        let partly = app
            .orders
            .fulfill(
                &staff(),
                order.id,
                FulfillmentInput { lines: vec![(line, 1)], ..Default::default() },
            )
            .await
            .expect("ship one");
        assert_eq!(partly.order.status, OrderStatus::PartiallyFulfilled);
        assert_eq!(
            reserved_and_on_hand(app, variant).await,
            (2, 4),
            "{}: one unit left",
            shop.backend()
        );
        match app
            .orders
            .fulfill(
                &staff(),
                order.id,
                FulfillmentInput { lines: vec![(line, 3)], ..Default::default() },
            )
            .await
        {
            Err(AppError::User(e)) => assert_eq!(e[0].code, ErrorCode::TooMany, "{e:?}"),
            other => panic!("{other:?}"),
        }
        let shipped = app
            .orders
            .fulfill(
                &staff(),
                order.id,
                FulfillmentInput { carrier: Some("Colissimo".into()), ..Default::default() },
            )
            .await
            .expect("ship the rest");
        assert_eq!(shipped.order.status, OrderStatus::Fulfilled);
        assert_eq!(reserved_and_on_hand(app, variant).await, (0, 2));
        match app.orders.cancel(&staff(), order.id, None).await {
            Err(AppError::User(e)) => assert_eq!(e[0].code, ErrorCode::InvalidTransition),
            other => panic!("{other:?}"),
        }
        let parcels: Vec<Uuid> = shipped.fulfillments.iter().map(|f| f.id).collect();
        let after_first = app
            .orders
            .fulfillment_event(&staff(), parcels[0], ShipmentStatus::Delivered, None, None)
            .await
            .expect("first parcel");
        assert_eq!(
            after_first.order.status,
            OrderStatus::Fulfilled,
            "{}: one parcel still travels",
            shop.backend()
        );
        let done = app
            .orders
            .fulfillment_event(
                &staff(),
                parcels[1],
                ShipmentStatus::Delivered,
                Some("left with the concierge".into()),
                None,
            )
            .await
            .expect("second parcel");
        assert_eq!(done.order.status, OrderStatus::Delivered, "{}", shop.backend());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn the_last_units_of_two_sizes_sold_at_once_leave_the_product_sold_out(shop: TestShop) {
        let app = &shop.app;
        for (product, variants) in products_with_sizes(app, 5).await {
            shop.stock(&variants, 0).await;
            shop.stock(&variants[..2], 1).await;
            let mut carts = vec![];
            for &variant in &variants[..2] {
                carts.push(shop.guest_cart(variant, 1).await);
            }
            for task in check_out_at_once(&shop, carts) {
                task.await.expect("task").expect("each size had one unit");
            }
            let now = app.store().products_by_ids(&[product]).await.expect("product");
            assert!(!now[0].available_for_sale, "{}: every size is sold", shop.backend());
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn carts_naming_the_same_products_in_opposite_orders_all_check_out(shop: TestShop) {
        let app = &shop.app;
        let products = products_with_sizes(app, 2).await;
        let (a, b) = (products[0].1[0], products[1].1[0]);
        shop.stock(&[a, b], 100).await;
        let mut carts = vec![];
        for n in 0..40 {
            let lines = if n % 2 == 0 { [(a, 1), (b, 1)] } else { [(b, 1), (a, 1)] };
            carts.push(shop.guest_cart_of(&lines).await);
        }
        let tasks = check_out_at_once(&shop, carts);
        for task in tasks {
            // A deadlock between two of them would surface here as a database error.
            task.await.expect("task").unwrap_or_else(|e| panic!("{}: {e:?}", shop.backend()));
        }
        assert_eq!(reserved_and_on_hand(app, a).await, (40, 100), "{}", shop.backend());
        assert_eq!(reserved_and_on_hand(app, b).await, (40, 100), "{}", shop.backend());
    }
}
