//! Store behaviour on every backend: SQLite always, PostgreSQL when
//! `VITRINE_TEST_DATABASE_URL` is set (and always on CI).

use chrono::{Duration, TimeZone, Utc};
use uuid::Uuid;
use vitrine_domain::catalog::{
    Brand, Product, ProductOption, ProductStatus, SelectedOption, Seo, Variant, VariantPrice,
};
use vitrine_domain::money::{Currency, Money};
use vitrine_store::testing::TestDatabase;
use vitrine_store::{
    PageDirection, ProductDraft, ProductListing, ProductSort, RefreshOutcome, SortValue, Store,
    StoreError, SubjectKind, VariantDraft,
};

fn eur() -> Currency {
    Currency::new("EUR").expect("valid currency")
}

async fn migrated(db: &TestDatabase) -> Store {
    let store = Store::connect(&db.url).await.expect("connect");
    store.migrate().await.expect("migrate");
    store
}

/// A product with one variant per size, priced `base + size index`.
fn draft(n: u32, brand: Uuid, title: &str, base_price: i64) -> ProductDraft {
    let id = Uuid::now_v7();
    let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().expect("valid date")
        + Duration::minutes(i64::from(n));
    let product = Product {
        id,
        handle: format!("product-{n}"),
        title: title.to_owned(),
        description: String::new(),
        brand_id: Some(brand),
        status: ProductStatus::Active,
        product_type: "Coat".to_owned(),
        tags: vec!["wool".to_owned()],
        specs: vec![],
        size_chart: None,
        seo: Seo::default(),
        available_for_sale: true,
        created_at: at,
        updated_at: at,
        published_at: Some(at),
    };
    let sizes = ["S", "M"];
    let option = ProductOption {
        id: Uuid::now_v7(),
        product_id: id,
        name: "Size".to_owned(),
        position: 1,
        values: sizes.iter().map(|s| (*s).to_owned()).collect(),
    };
    let variants = sizes
        .iter()
        .enumerate()
        .map(|(i, size)| {
            let variant_id = Uuid::now_v7();
            VariantDraft {
                variant: Variant {
                    id: variant_id,
                    product_id: id,
                    sku: format!("P{n}-{size}"),
                    title: (*size).to_owned(),
                    barcode: None,
                    weight_grams: None,
                    selected_options: vec![SelectedOption {
                        name: "Size".to_owned(),
                        value: (*size).to_owned(),
                    }],
                    position: i32::try_from(i).unwrap_or_default(),
                    image_id: None,
                    inventory_tracked: true,
                    inventory_quantity: 3,
                    created_at: at,
                    updated_at: at,
                },
                prices: vec![VariantPrice {
                    variant_id,
                    price: Money::new(base_price + i64::try_from(i).unwrap_or_default(), eur()),
                    compare_at: None,
                }],
            }
        })
        .collect();
    ProductDraft {
        product,
        options: vec![option],
        variants,
        images: vec![],
        collection_ids: vec![],
    }
}

fn listing(sort: ProductSort, reverse: bool, limit: u64) -> ProductListing {
    ProductListing {
        statuses: vec![ProductStatus::Active],
        channel_brand_ids: None,
        brand_ids: None,
        collection_id: None,
        option_values: vec![],
        currency: eur(),
        price_min: None,
        price_max: None,
        available: None,
        title_contains: None,
        tag: None,
        product_type: None,
        sort,
        reverse,
        direction: PageDirection::Forward,
        cursor: None,
        limit,
    }
}

async fn seeded(db: &TestDatabase) -> (Store, Uuid) {
    let store = migrated(db).await;
    let brand = Brand {
        id: Uuid::now_v7(),
        handle: "lune".to_owned(),
        name: "Lune".to_owned(),
        description: String::new(),
    };
    store.save_brand(&brand).await.expect("brand");
    // Titles and prices repeat so that pagination must break ties by id.
    let titles = ["Coat", "Anorak", "Blazer", "Coat", "Anorak", "Duffle", "Blazer", "Coat"];
    let drafts = titles
        .iter()
        .enumerate()
        .map(|(i, t)| {
            draft(u32::try_from(i).unwrap_or_default(), brand.id, t, 100 * (i as i64 % 3))
        })
        .collect();
    store.insert_products(drafts).await.expect("insert");
    (store, brand.id)
}

/// Walks every page and returns the product ids in the order seen.
async fn walk(store: &Store, mut l: ProductListing) -> Vec<Uuid> {
    let mut seen = Vec::new();
    for _ in 0..100 {
        let page = store.list_products(&l).await.expect("list");
        let last = page.items.last().map(|(p, v)| (v.clone(), p.id));
        seen.extend(page.items.iter().map(|(p, _)| p.id));
        if !page.has_more {
            return seen;
        }
        l.cursor = last;
    }
    panic!("pagination did not end for {:?}: {seen:?}", l.sort);
}

#[tokio::test]
async fn keyset_pagination_visits_every_product_once_in_sort_order() {
    for db in TestDatabase::all().await.expect("test databases") {
        let (store, _) = seeded(&db).await;
        for sort in
            [ProductSort::Id, ProductSort::Title, ProductSort::CreatedAt, ProductSort::Price]
        {
            for reverse in [false, true] {
                let whole =
                    store.list_products(&listing(sort, reverse, 100)).await.expect("list").items;
                let expected: Vec<Uuid> = whole.iter().map(|(p, _)| p.id).collect();
                assert_eq!(expected.len(), 8);
                let paged = walk(&store, listing(sort, reverse, 3)).await;
                assert_eq!(
                    paged,
                    expected,
                    "{sort:?} reverse={reverse} on postgres={}",
                    db.is_postgres()
                );
            }
        }
        let titles: Vec<String> = store
            .list_products(&listing(ProductSort::Title, false, 100))
            .await
            .expect("list")
            .items
            .into_iter()
            .map(|(_, sort)| match sort {
                SortValue::Text(title) => title,
                other => panic!("a title sort carries titles, not {other:?}"),
            })
            .collect();
        let mut sorted = titles.clone();
        sorted.sort();
        assert_eq!(titles, sorted);
    }
}

#[tokio::test]
async fn filters_narrow_by_price_option_and_text() {
    for db in TestDatabase::all().await.expect("test databases") {
        let (store, _) = seeded(&db).await;
        let mut l = listing(ProductSort::Id, false, 100);
        l.price_min = Some(100);
        l.price_max = Some(100);
        // Base prices cycle 0, 100, 200 and the M size costs one more: exactly the 100 ones.
        assert_eq!(store.list_products(&l).await.expect("list").items.len(), 3);

        let mut l = listing(ProductSort::Id, false, 100);
        l.option_values = vec![("Size".to_owned(), "XL".to_owned())];
        assert!(store.list_products(&l).await.expect("list").items.is_empty());
        l.option_values =
            vec![("Size".to_owned(), "XL".to_owned()), ("Size".to_owned(), "M".to_owned())];
        assert_eq!(store.list_products(&l).await.expect("list").items.len(), 8);

        let mut l = listing(ProductSort::Id, false, 100);
        l.title_contains = Some("ANOR".to_owned());
        assert_eq!(store.list_products(&l).await.expect("list").items.len(), 2);

        let mut l = listing(ProductSort::Id, false, 100);
        l.channel_brand_ids = Some(vec![]);
        assert!(store.list_products(&l).await.expect("list").items.is_empty());

        // LIKE wildcards in a tag or a search text match only themselves.
        for (tag, expected) in [("wool", 8), ("%", 0), ("wo_l", 0), ("wo%", 0), ("\\", 0)] {
            let mut l = listing(ProductSort::Id, false, 100);
            l.tag = Some(tag.to_owned());
            let found = store.list_products(&l).await.expect("list").items.len();
            assert_eq!(found, expected, "tag {tag:?} on postgres={}", db.is_postgres());
        }
        for text in ["%", "_", "c%t"] {
            let mut l = listing(ProductSort::Id, false, 100);
            l.title_contains = Some(text.to_owned());
            assert!(store.list_products(&l).await.expect("list").items.is_empty(), "{text:?}");
        }
    }
}

#[tokio::test]
async fn duplicate_handles_and_skus_are_reported_as_taken_and_roll_back() {
    for db in TestDatabase::all().await.expect("test databases") {
        let (store, brand) = seeded(&db).await;
        let before = store.product_count().await.expect("count");
        let clash = draft(0, brand, "Again", 100);
        let fresh = draft(99, brand, "Fresh", 100);
        let result = store.insert_products(vec![fresh, clash]).await;
        assert!(matches!(result, Err(StoreError::Taken { field: "handle" })), "{result:?}");
        assert_eq!(
            store.product_count().await.expect("count"),
            before,
            "the batch must roll back whole"
        );
    }
}

#[tokio::test]
async fn refresh_tokens_rotate_once_and_replay_revokes_the_session() {
    for db in TestDatabase::all().await.expect("test databases") {
        let store = migrated(&db).await;
        let session = Uuid::now_v7();
        let expires = Utc::now() + Duration::days(1);
        store
            .insert_session(session, SubjectKind::Customer, Uuid::now_v7(), "first", expires)
            .await
            .expect("session");
        assert!(matches!(
            store.rotate_refresh_token("first", "second", expires).await,
            Ok(RefreshOutcome::Rotated(_))
        ));
        assert_eq!(
            store.rotate_refresh_token("first", "third", expires).await.ok(),
            Some(RefreshOutcome::Replayed)
        );
        let revoked = store.session(session).await.expect("read").map(|s| s.revoked);
        assert_eq!(revoked, Some(true));
        assert_eq!(
            store.rotate_refresh_token("second", "fourth", expires).await.ok(),
            Some(RefreshOutcome::Unknown)
        );
    }
}

async fn revision_of(store: &Store, id: Uuid) -> i64 {
    store.product_revisions(&[id]).await.expect("revisions")[0].revision
}

#[tokio::test]
async fn product_views_hold_options_variants_prices_and_translations() {
    for db in TestDatabase::all().await.expect("test databases") {
        let store = migrated(&db).await;
        let brand = Uuid::now_v7();
        let first = draft(1, brand, "Coat", 100);
        let second = draft(2, brand, "Anorak", 200);
        let (coat, option) = (first.product.id, first.options[0].id);
        store.insert_products(vec![first, second]).await.expect("insert");
        store
            .insert_translations(vec![
                (coat, "fr".into(), "title".into(), "Manteau".into()),
                (option, "fr".into(), "name".into(), "Taille".into()),
            ])
            .await
            .expect("translations");

        let views = store.product_views(&[coat, Uuid::now_v7()]).await.expect("views");
        assert_eq!(views.len(), 1, "unknown ids are left out");
        let view = &views[0];
        assert_eq!(view.product.title, "Coat");
        assert_eq!(view.options.len(), 1);
        let skus: Vec<&str> = view.variants.iter().map(|v| v.sku.as_str()).collect();
        assert_eq!(skus, ["P1-S", "P1-M"]);
        let amounts: Vec<i64> = view.variant_prices.iter().map(|p| p[0].price.minor).collect();
        assert_eq!(amounts, [100, 101], "prices sit at their variant's index");
        assert_eq!((view.price_ranges[0].min.minor, view.price_ranges[0].max.minor), (100, 101));
        assert_eq!(view.translation("fr", coat, "title"), Some("Manteau"));
        assert_eq!(view.translation("fr", option, "name"), Some("Taille"));
        assert_eq!(view.revision, revision_of(&store, coat).await);
    }
}

#[tokio::test]
async fn every_write_to_what_a_product_shows_bumps_its_revision() {
    for db in TestDatabase::all().await.expect("test databases") {
        let store = migrated(&db).await;
        let draft = draft(1, Uuid::now_v7(), "Coat", 100);
        let (id, option) = (draft.product.id, draft.options[0].id);
        let mut product = draft.product.clone();
        let variants = draft.variants.clone();
        let options = draft.options.clone();
        store.insert_products(vec![draft]).await.expect("insert");
        let mut seen = revision_of(&store, id).await;
        let mut expect_bump = |now: i64, what: &str| {
            assert!(now > seen, "{what} must bump the revision ({now} after {seen})");
            seen = now;
        };

        product.title = "Wool coat".into();
        store.update_product(&product).await.expect("update");
        expect_bump(revision_of(&store, id).await, "updating the product");

        store.save_variants(id, &options, &variants).await.expect("variants");
        expect_bump(revision_of(&store, id).await, "saving variants");

        let image = vitrine_domain::catalog::Image {
            id: Uuid::now_v7(),
            product_id: id,
            url: "/placeholder/x.svg".into(),
            alt_text: None,
            width: None,
            height: None,
            position: 1,
        };
        store.insert_images(std::slice::from_ref(&image)).await.expect("image");
        expect_bump(revision_of(&store, id).await, "adding an image");
        store.delete_image(image.id).await.expect("delete image");
        expect_bump(revision_of(&store, id).await, "deleting an image");

        let entries = [("fr".to_owned(), "name".to_owned(), "Taille".to_owned())];
        store.save_translations(option, &entries).await.expect("translate option");
        expect_bump(revision_of(&store, id).await, "translating an option");
        store.remove_translations(option, &["fr".into()], &["name".into()]).await.expect("rm");
        expect_bump(revision_of(&store, id).await, "removing a translation");
    }
}

#[tokio::test]
async fn migrating_to_stock_locations_moves_existing_quantities_into_a_default_location() {
    use vitrine_migrations::MigratorTrait as _;
    use vitrine_store::{LedgerQuery, LevelQuery};
    for db in TestDatabase::all().await.expect("test databases") {
        let connection = sea_orm::Database::connect(&db.url).await.expect("connect");
        vitrine_migrations::Migrator::up(&connection, Some(3)).await.expect("up to m0003");
        let store = Store::connect(&db.url).await.expect("connect");
        let mut old = draft(1, Uuid::now_v7(), "Old coat", 100);
        old.variants[1].variant.inventory_quantity = 0;
        store.insert_products(vec![old]).await.expect("insert");

        vitrine_migrations::Migrator::up(&connection, None).await.expect("the rest");
        let locations = store.locations().await.expect("locations");
        assert_eq!(locations.len(), 1);
        assert_eq!(locations[0].name, "Default location");
        assert!(locations[0].fulfills_online_orders);
        let levels = store
            .inventory_levels(&LevelQuery { limit: 10, ..Default::default() })
            .await
            .expect("levels");
        assert_eq!(levels.len(), 1, "only the variant that had stock gets a level");
        assert_eq!((levels[0].sku.as_str(), levels[0].level.on_hand), ("P1-S", 3));
        let ledger = store
            .ledger_entries(&LedgerQuery { limit: 10, ..Default::default() })
            .await
            .expect("ledger");
        assert_eq!(ledger.len(), 1);
        assert_eq!(
            (ledger[0].before.on_hand, ledger[0].after.on_hand),
            (0, 3),
            "the ledger explains it"
        );
        let _ = connection.close().await;
        store.close().await;
    }
}

#[tokio::test]
async fn stock_writes_bump_the_stock_revision_and_leave_the_revision() {
    use vitrine_store::StockWriteOutcome;
    for db in TestDatabase::all().await.expect("test databases") {
        let store = migrated(&db).await;
        let draft = draft(1, Uuid::now_v7(), "Coat", 100);
        let (id, variant) = (draft.product.id, draft.variants[0].variant.id);
        store.insert_products(vec![draft]).await.expect("insert");
        let before = store.product_revisions(&[id]).await.expect("revisions")[0];
        let location = warehouse(&store).await;
        let received = vitrine_domain::inventory::StockMovement::Adjust { delta: 5 };
        let outcome = move_stock(&store, variant, location, received).await;
        assert!(matches!(outcome, StockWriteOutcome::Written(_)));

        let after = store.product_revisions(&[id]).await.expect("revisions")[0];
        assert_eq!(after.revision, before.revision, "stock is not an edit of the product");
        assert!(after.stock_revision > before.stock_revision);
        let stock = store.product_stock(&[id]).await.expect("stock");
        assert_eq!(stock.len(), 1);
        assert_eq!(stock[0].stock_revision, after.stock_revision);
        assert!(stock[0].available_for_sale);
        let quantity = stock[0].variant_quantities.iter().find(|(v, _)| *v == variant);
        assert_eq!(quantity.map(|q| q.1), Some(5), "five received where none were counted");
    }
}

#[tokio::test]
async fn saving_a_product_read_before_a_sale_keeps_the_sale_s_availability() {
    use vitrine_domain::inventory::StockMovement;
    for db in TestDatabase::all().await.expect("test databases") {
        let store = migrated(&db).await;
        let mut draft = draft(1, Uuid::now_v7(), "Coat", 100);
        draft.variants.truncate(1);
        let (id, variant) = (draft.product.id, draft.variants[0].variant.id);
        store.insert_products(vec![draft]).await.expect("insert");
        let location = warehouse(&store).await;
        move_stock(&store, variant, location, StockMovement::Adjust { delta: 1 }).await;
        let read_before = store.products_by_ids(&[id]).await.expect("product")[0].clone();
        assert!(read_before.available_for_sale);

        move_stock(&store, variant, location, StockMovement::Adjust { delta: -1 }).await;
        let renamed = Product { title: "Coat, renamed".into(), ..read_before };
        store.update_product(&renamed).await.expect("update");

        let now = store.products_by_ids(&[id]).await.expect("product")[0].clone();
        assert_eq!(now.title, "Coat, renamed");
        assert!(!now.available_for_sale, "the last unit sold after the product was read");
    }
}

async fn warehouse(store: &Store) -> Uuid {
    use vitrine_domain::inventory::{Address, Location, LocationKind};
    let location = Location {
        id: Uuid::now_v7(),
        name: "Warehouse".into(),
        kind: LocationKind::Warehouse,
        address: Address {
            address1: "1 Via Roma".into(),
            address2: None,
            city: "Milano".into(),
            zip: "20100".into(),
            country_code: "IT".into(),
        },
        fulfills_online_orders: true,
        pickup_enabled: false,
        priority: 0,
        created_at: chrono::Utc::now(),
    };
    store.save_location(&location).await.expect("location");
    location.id
}

async fn move_stock(
    store: &Store,
    variant: Uuid,
    location: Uuid,
    movement: vitrine_domain::inventory::StockMovement,
) -> vitrine_store::StockWriteOutcome<vitrine_domain::inventory::StockError> {
    let write = vitrine_store::StockWrite {
        group_id: Uuid::now_v7(),
        skus: &[],
        variant_ids: &[variant],
        reason: "received",
        reference_document_uri: None,
        actor: "test",
        idempotency: None,
    };
    store
        .write_stock(write, |snapshot| snapshot.apply(variant, location, movement).map(|_| ()))
        .await
        .expect("write")
}

/// What keeps the changes feed whole on PostgreSQL, where stock writes to different products
/// run side by side: a write draws its ledger numbers only once it holds the stock clock,
/// which it keeps until commit, so the numbers become visible in order.
#[tokio::test]
async fn a_stock_write_draws_ledger_numbers_only_while_it_holds_the_clock() {
    use sea_orm::{ConnectionTrait, Database, Statement, TransactionTrait};
    use vitrine_domain::inventory::StockMovement;
    for db in TestDatabase::all().await.expect("test databases") {
        if !db.url.starts_with("postgres") {
            continue; // SQLite lets one writer in at a time: numbers cannot interleave.
        }
        let store = migrated(&db).await;
        let draft = draft(1, Uuid::now_v7(), "Coat", 100);
        let variant = draft.variants[0].variant.id;
        store.insert_products(vec![draft]).await.expect("insert");
        let location = warehouse(&store).await;
        move_stock(&store, variant, location, StockMovement::Adjust { delta: 5 }).await;

        let other = Database::connect(&db.url).await.expect("connect");
        let pg = |sql: &str| Statement::from_string(sea_orm::DbBackend::Postgres, sql);
        let last_drawn = || async {
            let row = other
                .query_one(pg("SELECT pg_sequence_last_value(\
                     pg_get_serial_sequence('stock_ledger', 'seq')::regclass) AS n"))
                .await
                .expect("sequence")
                .expect("a row");
            row.try_get::<i64>("", "n").expect("drawn before")
        };
        let holder = other.begin().await.expect("begin");
        holder
            .execute(pg("UPDATE inventory_clock SET writes = writes + 1 WHERE id = 1"))
            .await
            .expect("the clock");
        let before = last_drawn().await;

        let write = {
            let store = store.clone();
            tokio::spawn(async move {
                move_stock(&store, variant, location, StockMovement::Adjust { delta: 1 }).await
            })
        };
        let mut waited = 0;
        loop {
            let row = other
                .query_one(pg("SELECT count(*) AS n FROM pg_stat_activity \
                     WHERE datname = current_database() AND wait_event_type = 'Lock'"))
                .await
                .expect("activity")
                .expect("a row");
            if row.try_get::<i64>("", "n").expect("count") > 0 {
                break;
            }
            assert!(waited < 1000, "the write never waited for the clock");
            waited += 1;
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert_eq!(last_drawn().await, before, "no ledger number is drawn before the clock");
        assert!(!write.is_finished());

        holder.rollback().await.expect("release the clock");
        let outcome = write.await.expect("write");
        assert!(matches!(outcome, vitrine_store::StockWriteOutcome::Written(_)));
        assert!(last_drawn().await > before);
        other.close().await.expect("close");
    }
}
