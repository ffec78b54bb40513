//! Inventory under concurrency, on SQLite and (when `VITRINE_TEST_DATABASE_URL` is set, always
//! on CI) PostgreSQL: retried POS deltas, online reservations racing shop sales, and the live
//! feed. Each test gets its own fresh database with the demo catalog.

mod support;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use support::{backend_tests, demo_app, staff, TestShop};
use uuid::Uuid;
use vitrine_app::identity::Secret;
use vitrine_app::inventory::{QuantityChange, QuantityCount, StockContext};
use vitrine_app::{App, AppError, ErrorCode, LedgerQuery, LevelQuery, Settings, Store};
use vitrine_domain::access::Actor;
use vitrine_domain::inventory::{LedgerEntry, Location, LocationKind};
use vitrine_store::testing::TestDatabase;

fn pos() -> Actor {
    Actor::Integrator { token_id: Uuid::from_u128(42), permissions: vec![] }
}

fn context(reason: &str, key: Option<String>) -> StockContext {
    StockContext { reason: reason.to_owned(), reference_document_uri: None, idempotency_key: key }
}

/// The demo's locations: the warehouse and the shop that ship online, the pickup-only shop.
async fn locations(app: &App) -> (Location, Location, Location) {
    let all = app.inventory.locations().await.expect("locations");
    let warehouse = all.iter().find(|l| l.kind == LocationKind::Warehouse).expect("warehouse");
    let shipping_shop = all
        .iter()
        .find(|l| l.kind == LocationKind::Shop && l.fulfills_online_orders)
        .expect("shop that ships");
    let pickup_shop = all.iter().find(|l| !l.fulfills_online_orders).expect("pickup-only shop");
    (warehouse.clone(), shipping_shop.clone(), pickup_shop.clone())
}

/// `n` SKUs with their variant ids.
async fn skus(app: &App, n: u64) -> Vec<(String, Uuid)> {
    let levels = app
        .inventory
        .levels(&LevelQuery { limit: n * 4, ..Default::default() })
        .await
        .expect("levels");
    let mut skus: Vec<(String, Uuid)> = levels.into_iter().map(|l| (l.sku, l.variant_id)).collect();
    skus.dedup();
    skus.truncate(n as usize);
    assert_eq!(skus.len(), n as usize);
    skus
}

async fn set(app: &App, counts: Vec<QuantityCount>) {
    app.inventory.set_quantities(&staff(), context("stock take", None), counts).await.expect("set");
}

fn count(sku: &str, location: Uuid, quantity: i64) -> QuantityCount {
    QuantityCount {
        sku: sku.to_owned(),
        location_id: location,
        quantity,
        change_from_quantity: None,
    }
}

/// Every ledger entry, oldest first.
async fn ledger(store: &Store) -> Vec<LedgerEntry> {
    let mut all = Vec::new();
    loop {
        let after = all.last().map_or(0, |e: &LedgerEntry| e.seq);
        let page = store
            .ledger_entries(&LedgerQuery { after, limit: 5000, ..Default::default() })
            .await
            .expect("ledger");
        if page.is_empty() {
            return all;
        }
        all.extend(page);
    }
}

/// A small deterministic PRNG (splitmix64), so failures replay.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[derive(Clone)]
enum Op {
    /// A POS delta sent with an idempotency key (duplicates reuse key and payload).
    Delta { key: String, sku: usize, location: Uuid, delta: i64 },
    /// An online checkout reserving one unit.
    Checkout { sku: usize },
}

backend_tests! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn ten_thousand_retried_pos_deltas_and_checkouts_end_with_exact_quantities(
        demo: TestShop,
    ) {
        let app = &demo.app;
        let (warehouse, shop, _) = locations(app).await;
        let skus = skus(app, 20).await;
        const START: i64 = 100_000;
        let mut counts = Vec::new();
        for (sku, _) in &skus {
            counts.push(count(sku, warehouse.id, START));
            counts.push(count(sku, shop.id, START));
        }
        set(app, counts).await;

        // 9,000 distinct deltas, 1,000 resent with the same key, 200 checkouts, shuffled.
        let mut rng = Rng(0x1_2345);
        let mut ops = Vec::new();
        let mut expected: HashMap<(usize, Uuid), i64> = HashMap::new();
        for n in 0..9_000 {
            let sku = rng.below(skus.len() as u64) as usize;
            let location = if rng.below(2) == 0 { warehouse.id } else { shop.id };
            let magnitude = 1 + rng.below(5) as i64;
            let delta = if rng.below(2) == 0 { magnitude } else { -magnitude };
            *expected.entry((sku, location)).or_default() += delta;
            ops.push(Op::Delta { key: format!("pos-{n}"), sku, location, delta });
        }
        for _ in 0..1_000 {
            let again = ops[rng.below(9_000) as usize].clone();
            ops.push(again);
        }
        let mut reserved: HashMap<usize, i64> = HashMap::new();
        for _ in 0..200 {
            let sku = rng.below(skus.len() as u64) as usize;
            *reserved.entry(sku).or_default() += 1;
            ops.push(Op::Checkout { sku });
        }
        for i in (1..ops.len()).rev() {
            ops.swap(i, rng.below(i as u64 + 1) as usize);
        }

        let queue = Arc::new(std::sync::Mutex::new(ops));
        let skus = Arc::new(skus);
        let mut workers = Vec::new();
        for _ in 0..16 {
            let (app, queue, skus) = (app.clone(), queue.clone(), skus.clone());
            workers.push(tokio::spawn(async move {
                loop {
                    let Some(op) = queue.lock().expect("queue").pop() else { return };
                    match op {
                        Op::Delta { key, sku, location, delta } => {
                            let change = QuantityChange {
                                sku: skus[sku].0.clone(),
                                location_id: location,
                                delta,
                            };
                            app.inventory
                                .adjust_quantities(&pos(), context("sale", Some(key)), vec![change])
                                .await
                                .expect("every delta fits in the stock");
                        }
                        Op::Checkout { sku } => {
                            app.inventory
                                .reserve_online_order(
                                    &staff(),
                                    context("order", None),
                                    vec![(skus[sku].1, 1)],
                                )
                                .await
                                .expect("plenty of stock");
                        }
                    }
                }
            }));
        }
        for w in workers {
            w.await.expect("worker");
        }

        let levels = app
            .inventory
            .levels(&LevelQuery { limit: 10_000, ..Default::default() })
            .await
            .expect("levels");
        let level = |variant: Uuid, location: Uuid| {
            levels
                .iter()
                .find(|l| l.variant_id == variant && l.location_id == location)
                .map(|l| l.level)
        };
        for (i, (_, variant)) in skus.iter().enumerate() {
            for location in [warehouse.id, shop.id] {
                let l = level(*variant, location).expect("level");
                assert_eq!(l.on_hand, START + expected.get(&(i, location)).copied().unwrap_or(0));
            }
            let w = level(*variant, warehouse.id).expect("warehouse level");
            assert_eq!(w.reserved, reserved.get(&i).copied().unwrap_or(0), "warehouse ships first");
        }
        // The ledger explains every level: its deltas add up to what is there.
        let mut sums: HashMap<(Uuid, Uuid), (i64, i64)> = HashMap::new();
        for e in ledger(app.store()).await {
            let s = sums.entry((e.variant_id, e.location_id)).or_default();
            s.0 += e.on_hand_delta();
            s.1 += e.reserved_delta();
        }
        for l in &levels {
            assert_eq!(
                sums.get(&(l.variant_id, l.location_id)).copied().unwrap_or_default(),
                (l.level.on_hand, l.level.reserved),
                "{}",
                l.sku
            );
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_last_unit_goes_to_either_the_shop_sale_or_the_online_order_never_both(
        demo: TestShop,
    ) {
        let app = &demo.app;
        let (warehouse, shop, _) = locations(app).await;
        let skus = skus(app, 10).await;
        for (sku, variant) in skus.iter() {
            set(app, vec![count(sku, warehouse.id, 1), count(sku, shop.id, 0)]).await;
            let sale = {
                let app = app.clone();
                let change =
                    QuantityChange { sku: sku.clone(), location_id: warehouse.id, delta: -1 };
                tokio::spawn(async move {
                    app.inventory
                        .adjust_quantities(&pos(), context("sale", None), vec![change])
                        .await
                })
            };
            let order = {
                let (app, variant) = (app.clone(), *variant);
                tokio::spawn(async move {
                    app.inventory
                        .reserve_online_order(&staff(), context("order", None), vec![(variant, 1)])
                        .await
                })
            };
            let results = [sale.await.expect("sale task"), order.await.expect("order task")];
            let winners = results.iter().filter(|r| r.is_ok()).count();
            assert_eq!(winners, 1, "exactly one buyer gets the last unit");
            let loser = results.into_iter().find_map(Result::err).expect("a loser");
            let AppError::User(errors) = loser else { panic!("a user error, got {loser:?}") };
            assert_eq!(errors[0].code, ErrorCode::InsufficientStock);
            let level = app
                .inventory
                .levels(&LevelQuery {
                    location_id: Some(warehouse.id),
                    skus: Some(vec![sku.clone()]),
                    limit: 1,
                    ..Default::default()
                })
                .await
                .expect("level");
            assert_eq!(level[0].level.available(), 0);
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_subscriber_sees_every_change_once_and_in_order(demo: TestShop) {
        let app = &demo.app;
        let (warehouse, shop, _) = locations(app).await;
        let skus = skus(app, 3).await;
        let mut counts = Vec::new();
        for (sku, _) in &skus {
            counts.push(count(sku, warehouse.id, 1_000));
            counts.push(count(sku, shop.id, 1_000));
        }
        set(app, counts).await;
        let mut subscription = app.inventory.feed().subscribe(None).await.expect("subscribe");

        let mut tasks = Vec::new();
        for n in 0..300usize {
            let app = app.clone();
            let change = QuantityChange {
                sku: skus[n % 3].0.clone(),
                location_id: if n % 2 == 0 { warehouse.id } else { shop.id },
                delta: if n % 5 == 0 { 2 } else { -1 },
            };
            tasks.push(tokio::spawn(async move {
                app.inventory.adjust_quantities(&pos(), context("sale", None), vec![change]).await
            }));
        }
        for t in tasks {
            t.await.expect("task").expect("adjusted");
        }

        let mut seen: Vec<Arc<LedgerEntry>> = Vec::new();
        while seen.len() < 300 {
            let next = tokio::time::timeout(Duration::from_secs(20), subscription.next())
                .await
                .expect("every change arrives")
                .expect("feed open");
            seen.push(next);
        }
        let extra = tokio::time::timeout(Duration::from_millis(1500), subscription.next()).await;
        assert!(extra.is_err(), "nothing is delivered twice");
        assert!(seen.windows(2).all(|w| w[0].seq < w[1].seq), "in ledger order");
        let mut last: HashMap<(Uuid, Uuid), i64> = HashMap::new();
        for e in &seen {
            if let Some(previous) = last.insert((e.variant_id, e.location_id), e.after.on_hand) {
                assert_eq!(e.before.on_hand, previous, "no change of {} is skipped", e.sku);
            }
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn fulfilment_decrements_on_hand_and_cancellation_releases_the_reservation(
        demo: TestShop,
    ) {
        let app = &demo.app;
        let (warehouse, shop, _) = locations(app).await;
        let skus = skus(app, 1).await;
        let (sku, variant) = skus[0].clone();
        set(app, vec![count(&sku, warehouse.id, 2), count(&sku, shop.id, 3)]).await;

        // 4 units: the warehouse's 2 first, then 2 from the shop that ships.
        let reserved = app
            .inventory
            .reserve_online_order(&staff(), context("order #1001", None), vec![(variant, 4)])
            .await
            .expect("reserved");
        let taken: Vec<(Uuid, i64)> =
            reserved.entries.iter().map(|e| (e.location_id, e.reserved_delta())).collect();
        assert_eq!(taken, vec![(warehouse.id, 2), (shop.id, 2)]);
        let too_many = app
            .inventory
            .reserve_online_order(&staff(), context("order #1002", None), vec![(variant, 2)])
            .await;
        assert!(
            matches!(too_many, Err(AppError::User(ref e)) if e[0].code == ErrorCode::InsufficientStock)
        );

        // The warehouse ships its 2; the customer cancels the rest.
        app.inventory
            .settle_reservations(
                &staff(),
                context("shipped #1001", None),
                vec![(variant, warehouse.id, 2)],
                true,
            )
            .await
            .expect("fulfilled");
        app.inventory
            .settle_reservations(
                &staff(),
                context("cancelled #1001", None),
                vec![(variant, shop.id, 2)],
                false,
            )
            .await
            .expect("released");
        let over = app
            .inventory
            .settle_reservations(
                &staff(),
                context("again", None),
                vec![(variant, shop.id, 1)],
                false,
            )
            .await;
        assert!(matches!(over, Err(AppError::User(ref e)) if e[0].code == ErrorCode::NotReserved));

        let levels = app
            .inventory
            .levels(&LevelQuery { skus: Some(vec![sku.clone()]), limit: 10, ..Default::default() })
            .await
            .expect("levels");
        let at = |location: Uuid| {
            levels.iter().find(|l| l.location_id == location).expect("level").level
        };
        assert_eq!((at(warehouse.id).on_hand, at(warehouse.id).reserved), (0, 0));
        assert_eq!((at(shop.id).on_hand, at(shop.id).reserved), (3, 0));
    }
}

/// Two gateway replicas on one database: a subscriber on one hears the other's writes (through
/// Redis when `VITRINE_TEST_REDIS_URL` is set, as on CI; else through the feed's poll).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_on_one_replica_hears_writes_made_on_another() {
    let db = TestDatabase::sqlite();
    let writer = demo_app(&db).await;
    let mut settings = Settings::new(Secret::new(vec![7; 32]));
    settings.redis_url = std::env::var("VITRINE_TEST_REDIS_URL").ok();
    let store = Store::connect(&db.url).await.expect("connect");
    let reader = App::new(store, settings.clone());
    let writer = App::new(writer.store().clone(), settings);
    let (warehouse, _, _) = locations(&writer).await;
    let skus = skus(&writer, 1).await;
    let mut subscription = reader.inventory.feed().subscribe(None).await.expect("subscribe");
    // Give the reader's Redis listener a moment to subscribe before the write is announced.
    tokio::time::sleep(Duration::from_millis(300)).await;
    writer
        .inventory
        .adjust_quantities(
            &pos(),
            context("sale", Some("replica-test".to_owned())),
            vec![QuantityChange { sku: skus[0].0.clone(), location_id: warehouse.id, delta: 5 }],
        )
        .await
        .expect("adjusted");
    let heard = tokio::time::timeout(Duration::from_secs(10), subscription.next())
        .await
        .expect("the change reaches the other replica")
        .expect("feed open");
    assert_eq!(heard.sku, skus[0].0);
    assert_eq!(heard.idempotency_key.as_deref(), Some("replica-test"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_resuming_after_a_cursor_replays_the_ledger_in_order_then_goes_live() {
    let db = TestDatabase::sqlite();
    let app = demo_app(&db).await;
    let ledger = ledger(app.store()).await;
    assert!(ledger.len() > 2_500, "the demo's opening stock fills more than two pages");
    let resume_after = ledger[ledger.len() - 2_500].seq;
    let mut subscription =
        app.inventory.feed().subscribe(Some(resume_after)).await.expect("subscribe");
    for expected in &ledger[ledger.len() - 2_499..] {
        let got = subscription.next().await.expect("feed open");
        assert_eq!(got.seq, expected.seq);
    }
    let (warehouse, _, _) = locations(&app).await;
    let skus = skus(&app, 1).await;
    app.inventory
        .adjust_quantities(
            &pos(),
            context("delivery", None),
            vec![QuantityChange { sku: skus[0].0.clone(), location_id: warehouse.id, delta: 3 }],
        )
        .await
        .expect("adjusted");
    let live = tokio::time::timeout(Duration::from_secs(10), subscription.next())
        .await
        .expect("the live change follows the replay")
        .expect("feed open");
    assert_eq!((live.sku.as_str(), live.on_hand_delta()), (skus[0].0.as_str(), 3));
}
