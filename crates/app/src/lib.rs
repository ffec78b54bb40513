//! Vitrine's use cases. Each public service method validates with `vitrine_domain`, then makes
//! one store call (one transaction), so callers never see a half-written change.

pub mod caller;
pub mod cart;
pub mod catalog;
pub mod checkout;
pub mod company;
pub mod delivery;
pub mod demo;
pub mod error;
pub mod feed;
pub mod identity;
pub mod inventory;
pub mod limits;
pub mod order_feed;
pub mod orders;
pub mod payment;
pub mod placeholder;
pub mod pricing;
pub mod product_views;
pub mod reads;
mod short_cache;

use std::sync::Arc;
use std::time::Duration;

pub use caller::Caller;
pub use error::{AppError, ErrorCode, UserError};
pub use vitrine_store::{
    CustomerGroupRecord, InventoryLevelRecord, LedgerQuery, LevelQuery, OrderFilter, OrderState,
    OutboxRecord, Store, StoreError, TaxRateRecord,
};

/// Identity records, re-exported for the API.
pub mod identity_records {
    pub use vitrine_store::{ApiTokenRecord, CustomerRecord};
}

/// Listing parameters, re-exported so the API can build them without naming the store.
pub mod store_listing {
    pub use vitrine_store::{
        Page, PageDirection, ProductListing, ProductRevision, ProductSort, SortValue,
    };
}

/// Settings the services need, resolved once at start-up.
#[derive(Clone)]
pub struct Settings {
    /// Key that signs access tokens. Never logged; see `identity::Secret`.
    pub jwt_secret: identity::Secret,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    /// Sign-in attempts allowed per email within `sign_in_window`.
    pub sign_in_attempts: u32,
    /// Sign-in attempts allowed per client address within `sign_in_window`, whatever the
    /// emails: a shop's shared connection signs in several people.
    pub sign_in_attempts_per_client: u32,
    /// The window of every attempt limit: sign-in, sign-up and guest order lookup.
    pub sign_in_window: Duration,
    /// Accounts one client address may try to create within `sign_in_window`; registered
    /// emails answer `TAKEN`, so this keeps enumerating them slow.
    pub sign_up_attempts: u32,
    /// Guest order lookups one client address may make within `sign_in_window`.
    pub guest_lookup_attempts: u32,
    /// Memory budget of the product read cache, in bytes (see `product_views`).
    pub product_cache_bytes: u64,
    /// Redis, when several replicas must hear of each other's stock changes.
    pub redis_url: Option<String>,
    /// The card provider; without it, cards are not offered.
    pub stripe: Option<payment::stripe::StripeSettings>,
}

impl Settings {
    pub fn new(jwt_secret: identity::Secret) -> Self {
        Self {
            jwt_secret,
            access_token_ttl: Duration::from_secs(15 * 60),
            refresh_token_ttl: Duration::from_secs(30 * 24 * 3600),
            sign_in_attempts: 10,
            sign_in_attempts_per_client: 50,
            sign_in_window: Duration::from_secs(300),
            sign_up_attempts: 10,
            guest_lookup_attempts: 10,
            product_cache_bytes: 32 * 1024 * 1024,
            redis_url: None,
            stripe: None,
        }
    }
}

/// The services, sharing one store. Cheap to clone. The store itself stays private: callers
/// (the API above all) reach data only through the services.
#[derive(Clone)]
pub struct App {
    store: Store,
    pub reads: reads::Reads,
    pub catalog: catalog::CatalogService,
    pub identity: identity::IdentityService,
    pub inventory: inventory::InventoryService,
    pub companies: company::CompanyService,
    pub pricing: pricing::PricingService,
    pub carts: cart::CartService,
    pub orders: orders::OrderService,
    pub delivery: delivery::DeliveryService,
}

impl App {
    /// The services with sign-in attempts counted in this process.
    pub fn new(store: Store, settings: Settings) -> Self {
        Self::with_counter(store, settings, Arc::new(limits::InProcessCounter::default()))
    }

    /// The services with sign-in attempts counted where `attempts` keeps them (Redis when
    /// several replicas serve the same users).
    pub fn with_counter(
        store: Store,
        settings: Settings,
        attempts: Arc<dyn limits::AttemptCounter>,
    ) -> Self {
        let views =
            Arc::new(product_views::ProductViews::new(store.clone(), settings.product_cache_bytes));
        let feed = feed::InventoryFeed::new(store.clone(), settings.redis_url.as_deref());
        let providers = Arc::new(payment::Providers::new(settings.stripe.as_ref()));
        let settings = Arc::new(settings);
        let throttle = limits::Throttle::new(attempts);
        let pricing = pricing::PricingService::new(store.clone(), views.clone());
        let delivery_methods = delivery::DeliveryMethods::new(store.clone());
        let carts = cart::CartService::new(
            store.clone(),
            pricing.clone(),
            providers.clone(),
            delivery_methods.clone(),
        );
        Self {
            orders: orders::OrderService::new(
                store.clone(),
                carts.clone(),
                providers,
                settings.clone(),
                throttle.clone(),
            ),
            carts,
            delivery: delivery::DeliveryService::new(store.clone(), delivery_methods),
            inventory: inventory::InventoryService::new(store.clone(), feed),
            companies: company::CompanyService::new(store.clone()),
            pricing,
            catalog: catalog::CatalogService::new(store.clone(), views),
            identity: identity::IdentityService::new(store.clone(), settings, throttle),
            reads: reads::Reads::new(store.clone()),
            store,
        }
    }
}

impl App {
    /// The database answers and every migration is applied (`/readyz`).
    pub async fn is_ready(&self) -> bool {
        self.store.ping().await.is_ok()
            && self.store.pending_migrations().await.is_ok_and(|n| n == 0)
    }

    /// Loads the demo catalog into an empty database (`serve --demo`); `None` when products
    /// exist already.
    pub async fn load_demo_if_empty(&self) -> Result<Option<demo::DemoSummary>, StoreError> {
        if self.store.product_count().await? > 0 {
            return Ok(None);
        }
        let summary = demo::load_demo(&self.store).await?;
        self.store.analyze().await?;
        Ok(Some(summary))
    }

    /// The store behind the services, for tests that look beneath them. Not built into the
    /// binary: the API reaches data only through the services.
    #[cfg(feature = "testing")]
    pub fn store(&self) -> &Store {
        &self.store
    }
}
