//! Counting attempts per key in fixed windows, for the rate limits on sign-in, sign-up and
//! guest order lookups. In process by default; in Redis when several gateway replicas must
//! share the count.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Why an attempt could not be counted. Callers let the attempt through rather than lock
/// everyone out while the counter is unreachable, and log it.
#[derive(Debug, thiserror::Error)]
#[error("attempt counter unavailable: {0}")]
pub struct CounterError(String);

pub type CountFuture<'a> = Pin<Box<dyn Future<Output = Result<u32, CounterError>> + Send + 'a>>;

/// Counts one more attempt for `key` and returns the attempts in its current window.
pub trait AttemptCounter: Send + Sync {
    fn hit<'a>(&'a self, key: &'a str, window: Duration) -> CountFuture<'a>;
}

/// A rate limit over an [`AttemptCounter`]: `allow` counts one attempt for a key and refuses
/// it with `RATE_LIMITED` once the key has used its attempts in the window.
#[derive(Clone)]
pub struct Throttle {
    counter: std::sync::Arc<dyn AttemptCounter>,
}

impl Throttle {
    pub fn new(counter: std::sync::Arc<dyn AttemptCounter>) -> Self {
        Self { counter }
    }

    /// `field` and `what` make the error: `["email"]`, "sign-in attempts".
    pub async fn allow(
        &self,
        key: &str,
        attempts: u32,
        window: Duration,
        field: &str,
        what: &str,
    ) -> crate::error::AppResult<()> {
        let used = match self.counter.hit(key, window).await {
            Ok(n) => n,
            Err(e) => {
                // Better to let attempts through than to lock everyone out.
                tracing::warn!(error = %e, key, "attempts could not be counted");
                0
            }
        };
        if used <= attempts {
            return Ok(());
        }
        Err(crate::AppError::user(crate::UserError::new(
            &[field],
            crate::ErrorCode::RateLimited,
            format!("too many {what}; try again in a few minutes"),
        )))
    }
}

/// Windows kept in this process's memory.
#[derive(Default)]
pub struct InProcessCounter {
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl InProcessCounter {
    fn count(&self, key: &str, window: Duration) -> Result<u32, CounterError> {
        let now = Instant::now();
        let mut windows = self.windows.lock().map_err(|e| CounterError(e.to_string()))?;
        if windows.len() > 100_000 {
            windows.retain(|_, (start, _)| now.duration_since(*start) < window);
        }
        let entry = windows.entry(key.to_owned()).or_insert((now, 0));
        if now.duration_since(entry.0) >= window {
            *entry = (now, 0);
        }
        entry.1 += 1;
        Ok(entry.1)
    }
}

impl AttemptCounter for InProcessCounter {
    fn hit<'a>(&'a self, key: &'a str, window: Duration) -> CountFuture<'a> {
        let counted = self.count(key, window);
        Box::pin(async move { counted })
    }
}

/// Windows kept in Redis, shared by every replica: the first attempt creates the key with the
/// window as its lifetime, later ones increment it.
pub struct RedisCounter {
    connection: redis::aio::ConnectionManager,
    prefix: String,
}

impl RedisCounter {
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, CounterError> {
        let client = redis::Client::open(url).map_err(|e| CounterError(e.to_string()))?;
        let connection = redis::aio::ConnectionManager::new(client)
            .await
            .map_err(|e| CounterError(e.to_string()))?;
        Ok(Self { connection, prefix: prefix.to_owned() })
    }
}

impl AttemptCounter for RedisCounter {
    fn hit<'a>(&'a self, key: &'a str, window: Duration) -> CountFuture<'a> {
        Box::pin(async move {
            let key = format!("{}{key}", self.prefix);
            let millis = u64::try_from(window.as_millis()).unwrap_or(u64::MAX).max(1);
            let mut connection = self.connection.clone();
            let (count,): (u32,) = redis::pipe()
                .atomic()
                .cmd("SET")
                .arg(&key)
                .arg(0)
                .arg("NX")
                .arg("PX")
                .arg(millis)
                .ignore()
                .incr(&key, 1)
                .query_async(&mut connection)
                .await
                .map_err(|e| CounterError(e.to_string()))?;
            Ok(count)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The behaviour every counter must have; run against each backend.
    async fn counts_per_key_within_a_window(counter: &dyn AttemptCounter, ns: &str) {
        let window = Duration::from_millis(300);
        let a = format!("{ns}a");
        let b = format!("{ns}b");
        for expected in 1..=3 {
            assert_eq!(counter.hit(&a, window).await.ok(), Some(expected));
        }
        assert_eq!(counter.hit(&b, window).await.ok(), Some(1), "keys are independent");
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(counter.hit(&a, window).await.ok(), Some(1), "a new window starts over");
    }

    #[tokio::test]
    async fn in_process_counter_counts_per_key_within_a_window() {
        counts_per_key_within_a_window(&InProcessCounter::default(), "t:").await;
    }

    #[tokio::test]
    async fn redis_counter_counts_per_key_within_a_window() {
        let Ok(url) = std::env::var("VITRINE_TEST_REDIS_URL") else {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "VITRINE_TEST_REDIS_URL must be set on CI"
            );
            return;
        };
        let ns = format!("vitrine-test:{}:", uuid::Uuid::now_v7().simple());
        let counter = RedisCounter::connect(&url, &ns).await.expect("redis reachable");
        counts_per_key_within_a_window(&counter, "").await;
    }
}
