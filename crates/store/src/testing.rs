//! Throwaway databases for tests: a fresh SQLite file, or a fresh PostgreSQL database when
//! `VITRINE_TEST_DATABASE_URL` is set. Each is removed when dropped, so tests can run in
//! parallel and leave nothing behind.

use std::path::PathBuf;

use sea_orm::{ConnectionTrait, Database};

use crate::StoreError;

pub const POSTGRES_ENV: &str = "VITRINE_TEST_DATABASE_URL";

pub struct TestDatabase {
    /// Connection URL of the fresh database.
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Directory(PathBuf),
    Postgres { admin_url: String, name: String },
}

/// Whether the suites that need PostgreSQL must run: on CI they may not skip.
pub fn postgres_required() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

impl TestDatabase {
    /// A fresh SQLite database in its own temporary directory.
    pub fn sqlite() -> Self {
        let dir =
            std::env::temp_dir().join(format!("vitrine-test-{}", uuid::Uuid::now_v7().simple()));
        let _ = std::fs::create_dir_all(&dir);
        let url = format!("sqlite://{}?mode=rwc", dir.join("vitrine.db").display());
        Self { url, cleanup: Cleanup::Directory(dir) }
    }

    /// A fresh PostgreSQL database next to the one `VITRINE_TEST_DATABASE_URL` names, or
    /// `None` when that variable is unset (an error on CI, where it must be set).
    pub async fn postgres() -> Result<Option<Self>, StoreError> {
        let Ok(admin_url) = std::env::var(POSTGRES_ENV) else {
            if postgres_required() {
                return Err(StoreError::Corrupt(format!(
                    "{POSTGRES_ENV} must be set when CI=true"
                )));
            }
            return Ok(None);
        };
        let name = format!("vitrine_test_{}", uuid::Uuid::now_v7().simple());
        let admin = Database::connect(&admin_url).await?;
        admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await?;
        let _ = admin.close().await;
        let base = admin_url.rsplit_once('/').map_or(admin_url.as_str(), |(base, _)| base);
        Ok(Some(Self {
            url: format!("{base}/{name}"),
            cleanup: Cleanup::Postgres { admin_url, name },
        }))
    }

    /// The backends a store test should run on: SQLite always, PostgreSQL when configured.
    pub async fn all() -> Result<Vec<Self>, StoreError> {
        let mut list = vec![Self::sqlite()];
        list.extend(Self::postgres().await?);
        Ok(list)
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.cleanup, Cleanup::Postgres { .. })
    }

    /// `"sqlite"` or `"postgres"`, for messages that must say where a test ran.
    pub fn backend(&self) -> &'static str {
        if self.is_postgres() {
            "postgres"
        } else {
            "sqlite"
        }
    }
}

/// What a test written with [`backend_tests!`](crate::backend_tests) receives: something built
/// over the fresh database the macro made for it. The database itself is the simplest one.
pub trait Fixture: Sized {
    fn open(db: TestDatabase) -> impl std::future::Future<Output = Self>;
}

impl Fixture for TestDatabase {
    async fn open(db: TestDatabase) -> Self {
        db
    }
}

/// Writes each test once and runs it on both backends, as `name::sqlite` and
/// `name::postgres`, so that a failure names the backend it failed on and each backend gets a
/// fresh database of its own.
///
/// ```ignore
/// backend_tests! {
///     /// Doc comments are kept.
///     #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
///     async fn ten_units_go_to_ten_buyers(shop: TestShop) { /* … */ }
///
///     // Without an attribute the test runs on `#[tokio::test]`.
///     async fn a_page_costs_three_statements(db: TestDatabase) { /* … */ }
/// }
/// ```
///
/// The parameter's type implements [`Fixture`]. The PostgreSQL test returns at once, with a
/// note on stderr, when `VITRINE_TEST_DATABASE_URL` is unset, except on CI (`CI=true`), where
/// it fails: there a skipped backend would pass unseen. The calling crate needs `tokio` with
/// its `macros` feature. Each pair is a module (`macro_rules!` cannot join identifiers into
/// `name_sqlite`), which sees the items of the module it is written in.
#[macro_export]
macro_rules! backend_tests {
    () => {};
    (@pair [$($doc:literal)*] [$($runtime:tt)*] $name:ident $fixture:ident $ty:ty, $body:block) => {
        $(#[doc = $doc])*
        mod $name {
            use super::*;

            #[tokio::test $($runtime)*]
            async fn sqlite() {
                let db = $crate::testing::TestDatabase::sqlite();
                let $fixture = <$ty as $crate::testing::Fixture>::open(db).await;
                $body
            }

            #[tokio::test $($runtime)*]
            async fn postgres() {
                let db = $crate::testing::TestDatabase::postgres()
                    .await
                    .expect("a fresh PostgreSQL database (CI=true requires one)");
                let Some(db) = db else {
                    eprintln!(
                        "{}: skipped, {} is unset",
                        module_path!(),
                        $crate::testing::POSTGRES_ENV
                    );
                    return;
                };
                let $fixture = <$ty as $crate::testing::Fixture>::open(db).await;
                $body
            }
        }
    };
    (
        $(#[doc = $doc:literal])*
        #[tokio::test $($runtime:tt)*]
        async fn $name:ident($fixture:ident: $ty:ty $(,)?) $body:block
        $($rest:tt)*
    ) => {
        $crate::backend_tests!(@pair [$($doc)*] [$($runtime)*] $name $fixture $ty, $body);
        $crate::backend_tests!($($rest)*);
    };
    (
        $(#[doc = $doc:literal])*
        async fn $name:ident($fixture:ident: $ty:ty $(,)?) $body:block
        $($rest:tt)*
    ) => {
        $crate::backend_tests!(@pair [$($doc)*] [] $name $fixture $ty, $body);
        $crate::backend_tests!($($rest)*);
    };
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Directory(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Postgres { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop may run inside a runtime, so the cleanup gets a thread and runtime of its own.
                let done = std::thread::spawn(move || {
                    let Ok(runtime) =
                        tokio::runtime::Builder::new_current_thread().enable_all().build()
                    else {
                        return;
                    };
                    runtime.block_on(async {
                        if let Ok(admin) = Database::connect(&admin_url).await {
                            let _ = admin
                                .execute_unprepared(&format!(
                                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                                ))
                                .await;
                            let _ = admin.close().await;
                        }
                    });
                });
                let _ = done.join();
            }
        }
    }
}
