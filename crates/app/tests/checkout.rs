//! Checkout under concurrency, on SQLite and (when `VITRINE_TEST_DATABASE_URL` is set, always
//! on CI) PostgreSQL: the last units go to exactly as many buyers as there are units, a retried
//! checkout places one order, and cancelling or shipping moves the reserved stock.

mod support;

use std::sync::Arc;

use support::{databases, demo_app};
use uuid::Uuid;
use vitrine_app::cart::{BuyerIdentityInput, CartInput, LineInput};
use vitrine_app::checkout::CheckoutInput;
use vitrine_app::inventory::{QuantityCount, StockContext};
use vitrine_app::orders::FulfillmentInput;
use vitrine_app::{App, AppError, ErrorCode, LevelQuery, OrderFilter};
use vitrine_domain::access::{Actor, StaffRole};
use vitrine_domain::catalog::Channel;
use vitrine_domain::company::Address;
use vitrine_domain::inventory::LocationKind;
use vitrine_domain::order::{OrderStatus, ShipmentStatus};
use vitrine_domain::payment::PaymentMethod;

fn backend(db: &vitrine_store::testing::TestDatabase) -> &'static str {
    if db.is_postgres() {
        "postgres"
    } else {
        "sqlite"
    }
}

fn staff() -> Actor {
    Actor::Staff { id: Uuid::from_u128(7), role: StaffRole::Admin }
}

async fn marketplace(app: &App) -> Channel {
    let channels = app.store().channels().await.expect("channels");
    channels.into_iter().find(|c| c.handle == "marketplace").expect("marketplace channel")
}

/// A tracked variant with exactly `units` on hand, all in the warehouse.
async fn variant_with_stock(app: &App, units: i64) -> Uuid {
    let levels = app
        .inventory
        .levels(&LevelQuery { limit: 50, ..Default::default() })
        .await
        .expect("levels");
    let variant = levels[0].variant_id;
    stock(app, &[variant], units).await;
    variant
}

fn paris() -> Address {
    Address {
        address1: "1 rue de Rivoli".into(),
        city: "Paris".into(),
        zip: Some("75001".into()),
        country_code: "FR".into(),
        ..Address::default()
    }
}

async fn guest_cart(app: &App, channel: &Channel, variant: Uuid, quantity: u32) -> Uuid {
    guest_cart_of(app, channel, &[(variant, quantity)]).await
}

async fn guest_cart_of(app: &App, channel: &Channel, lines: &[(Uuid, u32)]) -> Uuid {
    let input = CartInput {
        lines: lines
            .iter()
            .map(|&(variant_id, quantity)| LineInput { variant_id, quantity, attributes: vec![] })
            .collect(),
        buyer_identity: BuyerIdentityInput {
            email: Some("guest@example.com".into()),
            ..Default::default()
        },
        shipping_address: Some(paris()),
        ..CartInput::default()
    };
    app.carts
        .create(&Actor::Anonymous, channel, channel.default_currency, input)
        .await
        .expect("cart")
        .id
}

/// Sets each variant's stock to `units` in the warehouse and none elsewhere.
async fn stock(app: &App, variants: &[Uuid], units: i64) {
    let locations = app.inventory.locations().await.expect("locations");
    let mut counts = vec![];
    for v in app.store().variants_by_ids(variants).await.expect("variants") {
        for l in &locations {
            counts.push(QuantityCount {
                sku: v.sku.clone(),
                location_id: l.id,
                quantity: if l.kind == LocationKind::Warehouse { units } else { 0 },
                change_from_quantity: None,
            });
        }
    }
    let context = StockContext {
        reason: "stock take".into(),
        reference_document_uri: None,
        idempotency_key: None,
    };
    app.inventory.set_quantities(&staff(), context, counts).await.expect("stock take");
}

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

/// Guest checkouts of these carts, all started at once.
fn check_out_at_once(
    app: &Arc<App>,
    channel: &Arc<Channel>,
    carts: Vec<Uuid>,
) -> Vec<tokio::task::JoinHandle<Result<vitrine_app::checkout::Placed, AppError>>> {
    carts
        .into_iter()
        .map(|cart| {
            let (app, channel) = (app.clone(), channel.clone());
            tokio::spawn(async move {
                app.orders.checkout(&Actor::Anonymous, &channel, manual(cart, None)).await
            })
        })
        .collect()
}

fn manual(cart_id: Uuid, key: Option<&str>) -> CheckoutInput {
    CheckoutInput {
        cart_id,
        method: PaymentMethod::Manual,
        payment_token: None,
        idempotency_key: key.map(str::to_owned),
        expected_total: None,
    }
}

async fn reserved_and_on_hand(app: &App, variant: Uuid) -> (i64, i64) {
    let levels = app
        .inventory
        .levels(&LevelQuery { variant_ids: Some(vec![variant]), limit: 10, ..Default::default() })
        .await
        .expect("levels");
    (levels.iter().map(|l| l.level.reserved).sum(), levels.iter().map(|l| l.level.on_hand).sum())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_checkouts_for_ten_units_place_exactly_ten_orders() {
    for db in databases().await {
        let app = Arc::new(demo_app(&db).await);
        let channel = Arc::new(marketplace(&app).await);
        let variant = variant_with_stock(&app, 10).await;
        let mut carts = Vec::with_capacity(200);
        for _ in 0..200 {
            carts.push(guest_cart(&app, &channel, variant, 1).await);
        }
        let tasks = check_out_at_once(&app, &channel, carts);
        let mut placed = vec![];
        let mut refused = 0;
        for task in tasks {
            match task.await.expect("task") {
                Ok(p) => placed.push(p.order),
                Err(AppError::User(errors)) => {
                    assert_eq!(errors.len(), 1, "{} {errors:?}", backend(&db));
                    assert_eq!(
                        errors[0].code,
                        ErrorCode::InsufficientStock,
                        "{} {errors:?}",
                        backend(&db)
                    );
                    refused += 1;
                }
                Err(other) => panic!("{}: {other:?}", backend(&db)),
            }
        }
        assert_eq!((placed.len(), refused), (10, 190), "{}", backend(&db));
        let mut numbers: Vec<i64> = placed.iter().map(|o| o.number).collect();
        numbers.sort_unstable();
        assert_eq!(
            numbers,
            (1001..=1010).collect::<Vec<_>>(),
            "{}: numbers follow each other",
            backend(&db)
        );
        assert_eq!(reserved_and_on_hand(&app, variant).await, (10, 10), "{}", backend(&db));
        let variants = app.store().variants_by_ids(&[variant]).await.expect("variant");
        assert_eq!(variants[0].inventory_quantity, 0, "{}: nothing left online", backend(&db));
        let all = app.orders.orders_page(&OrderFilter::default(), None, 500).await.expect("orders");
        assert_eq!(all.len(), 10, "{}", backend(&db));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_checkout_retried_with_its_key_places_one_order() {
    for db in databases().await {
        let app = Arc::new(demo_app(&db).await);
        let channel = Arc::new(marketplace(&app).await);
        let variant = variant_with_stock(&app, 50).await;
        let cart = guest_cart(&app, &channel, variant, 2).await;
        let tasks: Vec<_> = (0..5)
            .map(|_| {
                let (app, channel) = (app.clone(), channel.clone());
                tokio::spawn(async move {
                    app.orders
                        .checkout(&Actor::Anonymous, &channel, manual(cart, Some("double-click")))
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
        assert_eq!(numbers.len(), 1, "{}: one order for five calls", backend(&db));
        assert_eq!(first, 1, "{}: one call placed it, the others replayed it", backend(&db));
        assert_eq!(reserved_and_on_hand(&app, variant).await, (2, 50), "{}", backend(&db));
        let other_key =
            app.orders.checkout(&Actor::Anonymous, &channel, manual(cart, Some("another"))).await;
        match other_key {
            Err(AppError::User(errors)) => assert_eq!(errors[0].code, ErrorCode::AlreadyCompleted),
            other => panic!("{}: {other:?}", backend(&db)),
        }
    }
}

#[tokio::test]
async fn cancelling_releases_stock_and_shipping_takes_it_off_hand() {
    for db in databases().await {
        let app = demo_app(&db).await;
        let channel = marketplace(&app).await;
        let variant = variant_with_stock(&app, 5).await;

        let cart = guest_cart(&app, &channel, variant, 2).await;
        let order = app
            .orders
            .checkout(&Actor::Anonymous, &channel, manual(cart, None))
            .await
            .expect("placed")
            .order;
        assert_eq!(
            order.status,
            OrderStatus::PendingPayment,
            "{}: a transfer is awaited",
            backend(&db)
        );
        assert_eq!(reserved_and_on_hand(&app, variant).await, (2, 5));
        let cancelled = app
            .orders
            .cancel(&staff(), order.id, Some("changed mind".into()))
            .await
            .expect("cancel");
        assert_eq!(cancelled.order.status, OrderStatus::Cancelled);
        assert_eq!(reserved_and_on_hand(&app, variant).await, (0, 5), "{}: released", backend(&db));
        match app.orders.cancel(&staff(), order.id, None).await {
            Err(AppError::User(e)) => assert_eq!(e[0].code, ErrorCode::InvalidTransition),
            other => panic!("{other:?}"),
        }

        let cart = guest_cart(&app, &channel, variant, 3).await;
        let order = app
            .orders
            .checkout(&Actor::Anonymous, &channel, manual(cart, None))
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
            reserved_and_on_hand(&app, variant).await,
            (2, 4),
            "{}: one unit left",
            backend(&db)
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
        assert_eq!(reserved_and_on_hand(&app, variant).await, (0, 2));
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
            backend(&db)
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
        assert_eq!(done.order.status, OrderStatus::Delivered, "{}", backend(&db));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_last_units_of_two_sizes_sold_at_once_leave_the_product_sold_out() {
    for db in databases().await {
        let app = Arc::new(demo_app(&db).await);
        let channel = Arc::new(marketplace(&app).await);
        for (product, variants) in products_with_sizes(&app, 5).await {
            stock(&app, &variants, 0).await;
            stock(&app, &variants[..2], 1).await;
            let mut carts = vec![];
            for &variant in &variants[..2] {
                carts.push(guest_cart(&app, &channel, variant, 1).await);
            }
            for task in check_out_at_once(&app, &channel, carts) {
                task.await.expect("task").expect("each size had one unit");
            }
            let now = app.store().products_by_ids(&[product]).await.expect("product");
            assert!(!now[0].available_for_sale, "{}: every size is sold", backend(&db));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn carts_naming_the_same_products_in_opposite_orders_all_check_out() {
    for db in databases().await {
        let app = Arc::new(demo_app(&db).await);
        let channel = Arc::new(marketplace(&app).await);
        let products = products_with_sizes(&app, 2).await;
        let (a, b) = (products[0].1[0], products[1].1[0]);
        stock(&app, &[a, b], 100).await;
        let mut carts = vec![];
        for n in 0..40 {
            let lines = if n % 2 == 0 { [(a, 1), (b, 1)] } else { [(b, 1), (a, 1)] };
            carts.push(guest_cart_of(&app, &channel, &lines).await);
        }
        let tasks = check_out_at_once(&app, &channel, carts);
        for task in tasks {
            // A deadlock between two of them would surface here as a database error.
            task.await.expect("task").unwrap_or_else(|e| panic!("{}: {e:?}", backend(&db)));
        }
        assert_eq!(reserved_and_on_hand(&app, a).await, (40, 100), "{}", backend(&db));
        assert_eq!(reserved_and_on_hand(&app, b).await, (40, 100), "{}", backend(&db));
    }
}
