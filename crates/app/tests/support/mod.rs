//! What the service tests share: the backends to run on and an app over the demo catalog.

use vitrine_app::identity::Secret;
use vitrine_app::{App, Settings, Store};
use vitrine_store::testing::TestDatabase;

/// SQLite always, PostgreSQL when `VITRINE_TEST_DATABASE_URL` is set (always on CI); each a
/// fresh database of its own.
pub async fn databases() -> Vec<TestDatabase> {
    TestDatabase::all().await.expect("test databases")
}

/// The services over `db`, migrated and loaded with the demo catalog.
pub async fn demo_app(db: &TestDatabase) -> App {
    let store = Store::connect(&db.url).await.expect("connect");
    store.migrate().await.expect("migrate");
    vitrine_app::demo::load_demo(&store).await.expect("demo");
    App::new(store, Settings::new(Secret::new(vec![7; 32])))
}

// ---- shop helpers of the cart, checkout and order tests --------------------------------------
// Each test crate uses some of them only.

use uuid::Uuid;
use vitrine_app::cart::{BuyerIdentityInput, CartInput, LineInput};
use vitrine_app::inventory::{QuantityCount, StockContext};
use vitrine_app::LevelQuery;
use vitrine_domain::access::{Actor, StaffRole};
use vitrine_domain::catalog::{Channel, ProductStatus};
use vitrine_domain::company::Address;
use vitrine_domain::inventory::LocationKind;

#[allow(dead_code)]
pub fn staff() -> Actor {
    Actor::Staff { id: Uuid::from_u128(7), role: StaffRole::Admin }
}

#[allow(dead_code)]
pub async fn marketplace(app: &App) -> Channel {
    let channels = app.store().channels().await.expect("channels");
    channels.into_iter().find(|c| c.handle == "marketplace").expect("marketplace channel")
}

#[allow(dead_code)]
pub fn paris() -> Address {
    Address {
        address1: "1 rue de Rivoli".into(),
        city: "Paris".into(),
        zip: Some("75001".into()),
        country_code: "FR".into(),
        ..Address::default()
    }
}

/// Tracked variants of `n` different products that `channel` sells, first variant of each.
#[allow(dead_code)]
pub async fn tracked_variants(app: &App, channel: &Channel, n: usize) -> Vec<Uuid> {
    let levels = app
        .inventory
        .levels(&LevelQuery { limit: 2000, ..Default::default() })
        .await
        .expect("levels");
    let ids: Vec<Uuid> = levels.iter().map(|l| l.variant_id).collect();
    let mut products = vec![];
    let mut found = vec![];
    for v in app.store().variants_by_ids(&ids).await.expect("variants") {
        if found.len() == n || !v.inventory_tracked || products.contains(&v.product_id) {
            continue;
        }
        let product = app.catalog.product(v.product_id).await.expect("product");
        if product.status == ProductStatus::Active
            && product.brand_id.is_some_and(|b| channel.brand_ids.contains(&b))
        {
            products.push(v.product_id);
            found.push(v.id);
        }
    }
    assert_eq!(found.len(), n, "the demo sells {n} products with tracked stock");
    found
}

/// Sets each variant's stock to `units` in the warehouse and none elsewhere.
#[allow(dead_code)]
pub async fn set_stock(app: &App, variants: &[Uuid], units: i64) {
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

/// A guest cart with these lines, an email and an address in Paris.
#[allow(dead_code)]
pub async fn guest_cart(app: &App, channel: &Channel, lines: &[(Uuid, u32)]) -> Uuid {
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
