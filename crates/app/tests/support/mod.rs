//! What the service tests share: an app over the demo catalog, the shop fixture (`TestShop`)
//! that `backend_tests!` hands each test on each backend, and the helpers several test files
//! need.

// Each test binary compiles its own copy and uses only part of it.
#![allow(dead_code)]

use uuid::Uuid;
use vitrine_app::cart::{BuyerIdentityInput, CartInput, LineInput};
use vitrine_app::catalog::ProductInput;
use vitrine_app::checkout::CheckoutInput;
use vitrine_app::identity::Secret;
use vitrine_app::inventory::{QuantityCount, StockContext};
use vitrine_app::pricing::{PriceListInput, PriceRow};
use vitrine_app::Caller;
use vitrine_app::{App, AppError, LevelQuery, Settings, Store, UserError};
use vitrine_domain::access::{Actor, StaffRole};
use vitrine_domain::catalog::{Channel, ProductStatus};
use vitrine_domain::company::Address;
use vitrine_domain::inventory::LocationKind;
use vitrine_domain::money::Currency;
use vitrine_domain::payment::PaymentMethod;
#[allow(unused_imports)] // Used by the test files written with it only.
pub use vitrine_store::backend_tests;
use vitrine_store::testing::{Fixture, TestDatabase};

/// The services over `db`, migrated and loaded with the demo catalog.
pub async fn demo_app(db: &TestDatabase) -> App {
    demo_app_with(db, settings()).await
}

/// The settings of the test services: a fixed signing key, no card provider.
pub fn settings() -> Settings {
    Settings::new(Secret::new(vec![7; 32]))
}

async fn demo_app_with(db: &TestDatabase, settings: Settings) -> App {
    let store = Store::connect(&db.url).await.expect("connect");
    store.migrate().await.expect("migrate");
    vitrine_app::demo::load_demo(&store).await.expect("demo");
    App::new(store, settings)
}

/// The demo shop on a fresh database of its own: the services and the marketplace channel.
/// What `backend_tests!` hands a test written as `async fn name(shop: TestShop)`.
pub struct TestShop {
    pub app: App,
    /// The demo's multi-brand channel, which sells every brand.
    pub marketplace: Channel,
    /// Kept for as long as the shop: dropping it deletes the database.
    db: TestDatabase,
}

impl Fixture for TestShop {
    async fn open(db: TestDatabase) -> Self {
        Self::with_settings(db, settings()).await
    }
}

impl TestShop {
    /// The demo shop with these settings (cards through the Stripe stand-in, say).
    pub async fn with_settings(db: TestDatabase, settings: Settings) -> Self {
        let app = demo_app_with(&db, settings).await;
        let marketplace = channel(&app, "marketplace").await;
        Self { app, marketplace, db }
    }

    /// The shop on SQLite, for a test that runs on one backend only.
    pub async fn sqlite() -> Self {
        Self::open(TestDatabase::sqlite()).await
    }

    /// `"sqlite"` or `"postgres"`.
    pub fn backend(&self) -> &'static str {
        self.db.backend()
    }

    pub fn database(&self) -> &TestDatabase {
        &self.db
    }

    /// A demo channel by handle: `marketplace` or `maison-lune` (one brand's own site).
    pub async fn channel(&self, handle: &str) -> Channel {
        channel(&self.app, handle).await
    }

    /// Sets each variant's stock to `units` in the warehouse and none elsewhere.
    pub async fn stock(&self, variants: &[Uuid], units: i64) {
        let locations = self.app.inventory.locations().await.expect("locations");
        let mut counts = vec![];
        for v in self.app.store().variants_by_ids(variants).await.expect("variants") {
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
        self.app.inventory.set_quantities(&staff(), context, counts).await.expect("stock take");
    }

    /// A tracked variant with exactly `units` on hand, all in the warehouse.
    pub async fn variant_with_stock(&self, units: i64) -> Uuid {
        let levels = self
            .app
            .inventory
            .levels(&LevelQuery { limit: 50, ..Default::default() })
            .await
            .expect("levels");
        let variant = levels[0].variant_id;
        self.stock(&[variant], units).await;
        variant
    }

    /// A guest's cart on the marketplace with `quantity` of `variant`, shipping to Paris.
    pub async fn guest_cart(&self, variant: Uuid, quantity: u32) -> Uuid {
        self.guest_cart_of(&[(variant, quantity)]).await
    }

    /// A guest's cart on the marketplace with these `(variant, quantity)` lines, in this
    /// order, shipping to Paris.
    pub async fn guest_cart_of(&self, lines: &[(Uuid, u32)]) -> Uuid {
        let lines = lines
            .iter()
            .map(|&(variant_id, quantity)| LineInput { variant_id, quantity, attributes: vec![] })
            .collect();
        let input = CartInput {
            lines,
            buyer_identity: BuyerIdentityInput {
                email: Some("guest@example.com".into()),
                ..Default::default()
            },
            shipping_address: Some(paris()),
            ..CartInput::default()
        };
        let channel = &self.marketplace;
        self.app
            .carts
            .create(Caller::new(&Actor::Anonymous, channel), channel.default_currency, input)
            .await
            .expect("cart")
            .id
    }

    /// Tracked variants of `n` different products on sale on the marketplace, the first
    /// variant of each.
    pub async fn tracked_variants(&self, n: usize) -> Vec<Uuid> {
        let app = &self.app;
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
                && product.brand_id.is_some_and(|b| self.marketplace.brand_ids.contains(&b))
            {
                products.push(v.product_id);
                found.push(v.id);
            }
        }
        assert_eq!(found.len(), n, "the demo sells {n} products with tracked stock");
        found
    }

    pub async fn sku_of(&self, variant: Uuid) -> String {
        self.app.store().variants_by_ids(&[variant]).await.expect("variant")[0].sku.clone()
    }

    /// Takes the product of `variant` off sale (archived).
    pub async fn archive_product_of(&self, variant: Uuid) {
        let variants = self.app.store().variants_by_ids(&[variant]).await.expect("variant");
        let input =
            ProductInput { status: Some(ProductStatus::Archived), ..ProductInput::default() };
        self.app.catalog.product_update(variants[0].product_id, input).await.expect("archived");
    }

    /// Sells `variant` on the marketplace in packs of `pack` at its base price, through a
    /// price list of the channel.
    pub async fn sell_in_packs(&self, variant: Uuid, pack: i32) {
        let channel = &self.marketplace;
        let list = self
            .app
            .pricing
            .price_list_save(
                None,
                PriceListInput {
                    name: Some("Packs".into()),
                    currency: Some(channel.default_currency.to_string()),
                    channel_ids: Some(vec![channel.id]),
                    adjustment_percent: Some(Some("0".into())),
                    ..PriceListInput::default()
                },
            )
            .await
            .expect("price list");
        let rule = PriceRow { variant_id: variant, increment: Some(pack), ..PriceRow::default() };
        let pricing = &self.app.pricing;
        pricing.prices_set(&staff(), list.id, vec![rule], vec![], None).await.expect("rule");
    }
}

async fn channel(app: &App, handle: &str) -> Channel {
    app.catalog
        .channels()
        .await
        .expect("channels")
        .into_iter()
        .find(|c| c.handle == handle)
        .expect("demo channel")
}

/// A customer account signed up with `email`: its id.
pub async fn customer(app: &App, email: &str) -> Uuid {
    app.identity
        .customer_create(None, email, "correct horse battery", Some("Test".into()), None)
        .await
        .expect("customer created")
        .id
}

/// A staff admin: every permission.
pub fn staff() -> Actor {
    Actor::Staff { id: Uuid::from_u128(7), role: StaffRole::Admin }
}

pub fn customer_actor(id: Uuid) -> Actor {
    Actor::Customer { id }
}

pub fn eur() -> Currency {
    Currency::new("EUR").expect("EUR")
}

/// A French shipping address, where the demo's standard delivery and VAT apply.
pub fn paris() -> Address {
    Address {
        address1: "1 rue de Rivoli".into(),
        city: "Paris".into(),
        zip: Some("75001".into()),
        country_code: "FR".into(),
        ..Address::default()
    }
}

/// A checkout paid by bank transfer, marked paid by staff later.
pub fn manual(cart_id: Uuid, key: Option<&str>) -> CheckoutInput {
    CheckoutInput {
        cart_id,
        method: PaymentMethod::Manual,
        payment_token: None,
        idempotency_key: key.map(str::to_owned),
        expected_total: None,
    }
}

/// The user errors of a call that must have been refused.
pub fn user_errors<T: std::fmt::Debug>(result: Result<T, AppError>) -> Vec<UserError> {
    match result {
        Err(AppError::User(errors)) => errors,
        other => panic!("expected user errors, got {other:?}"),
    }
}
