//! A short-lived in-process cache for public settings that nearly every request reads and
//! staff rarely change (a channel's price lists and automatic promotions, tax rates, delivery
//! methods). This process's own writes clear it at once; other replicas' writes are seen
//! once an entry is older than the cache's lifetime.
//!
//! Some keys come from buyers (a tax region is whatever an address says), so the cache holds
//! at most [`MAX_ENTRIES`]: expired entries go when it fills up, and if none has expired
//! everything goes.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const MAX_ENTRIES: usize = 1_000;

pub struct ShortCache<K, V> {
    ttl: Duration,
    state: Mutex<State<K, V>>,
}

struct State<K, V> {
    entries: HashMap<K, (Instant, V)>,
    /// Bumped by every clear, so that a read that started before a write does not cache what
    /// it read.
    generation: u64,
}

impl<K: Eq + Hash, V: Clone> ShortCache<K, V> {
    pub fn new(ttl: Duration) -> Self {
        Self { ttl, state: Mutex::new(State { entries: HashMap::new(), generation: 0 }) }
    }

    /// The cached value of `key` if it is younger than the lifetime, else what `load` reads.
    pub async fn get_or_load<E, F, Fut>(&self, key: K, load: F) -> Result<V, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        let generation = match self.state.lock() {
            Ok(state) => {
                if let Some((at, value)) = state.entries.get(&key) {
                    if at.elapsed() < self.ttl {
                        return Ok(value.clone());
                    }
                }
                Some(state.generation)
            }
            // A poisoned lock only costs the cache.
            Err(_) => None,
        };
        let value = load().await?;
        if let (Some(generation), Ok(mut state)) = (generation, self.state.lock()) {
            if state.generation == generation {
                if state.entries.len() >= MAX_ENTRIES {
                    let ttl = self.ttl;
                    state.entries.retain(|_, (at, _)| at.elapsed() < ttl);
                    if state.entries.len() >= MAX_ENTRIES {
                        state.entries.clear();
                    }
                }
                state.entries.insert(key, (Instant::now(), value.clone()));
            }
        }
        Ok(value)
    }

    /// Forgets everything; call it after writing what the cache holds.
    pub fn clear(&self) {
        if let Ok(mut state) = self.state.lock() {
            state.generation += 1;
            state.entries.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    async fn read(cache: &ShortCache<u8, u32>, loads: &AtomicU32) -> u32 {
        cache
            .get_or_load(1, || async { Ok::<_, ()>(loads.fetch_add(1, Ordering::SeqCst) + 1) })
            .await
            .expect("load")
    }

    #[tokio::test]
    async fn a_value_is_read_once_within_its_lifetime_and_again_after_a_clear() {
        let cache = ShortCache::new(Duration::from_secs(60));
        let loads = AtomicU32::new(0);
        assert_eq!(read(&cache, &loads).await, 1);
        assert_eq!(read(&cache, &loads).await, 1, "cached");
        cache.clear();
        assert_eq!(read(&cache, &loads).await, 2, "read again after a write");
    }

    #[tokio::test]
    async fn keys_chosen_by_callers_cannot_grow_it_past_its_bound() {
        let cache = ShortCache::new(Duration::from_secs(60));
        for key in 0..(MAX_ENTRIES as u32 * 3) {
            cache.get_or_load(key, || async { Ok::<_, ()>(key) }).await.expect("load");
        }
        let held = cache.state.lock().expect("lock").entries.len();
        assert!((1..=MAX_ENTRIES).contains(&held), "{held} entries held");
    }

    #[tokio::test]
    async fn an_expired_value_is_read_again() {
        let cache = ShortCache::new(Duration::ZERO);
        let loads = AtomicU32::new(0);
        assert_eq!(read(&cache, &loads).await, 1);
        assert_eq!(read(&cache, &loads).await, 2);
    }

    #[tokio::test]
    async fn a_read_that_overlaps_a_clear_is_not_kept() {
        let cache = ShortCache::new(Duration::from_secs(60));
        let value = cache
            .get_or_load(1u8, || async {
                cache.clear();
                Ok::<_, ()>(7u32)
            })
            .await
            .expect("load");
        assert_eq!(value, 7);
        let loads = AtomicU32::new(10);
        assert_eq!(read(&cache, &loads).await, 11, "the overlapping read was not cached");
    }
}
