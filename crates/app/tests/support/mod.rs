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
