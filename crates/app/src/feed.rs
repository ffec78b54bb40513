//! The live feed of stock changes behind the `inventoryChanged` subscription.
//!
//! The stock ledger is the one source of truth: one task per process (the tailer) reads it in
//! sequence order and broadcasts each new entry to this process's subscribers. Writers only
//! wake the tailer: a write in this process does so directly, a write on another replica
//! through a Redis pub/sub message, and a one-second poll covers a lost wake-up. Because the
//! ledger's sequence numbers become visible in order (see `vitrine_store`'s inventory module),
//! every replica's subscribers see every change once and in ledger order, whichever replica
//! made it; a subscriber that falls behind the broadcast buffer catches up from the ledger.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use futures_util::StreamExt as _;
use tokio::sync::{broadcast, Notify};
use vitrine_domain::inventory::LedgerEntry;
use vitrine_store::{LedgerQuery, Store};

const BUFFER: usize = 4096;
const PAGE: u64 = 1000;
const POLL: Duration = Duration::from_secs(1);
const REDIS_CHANNEL: &str = "vitrine:inventory:ledger";

pub struct InventoryFeed {
    store: Store,
    sender: broadcast::Sender<Arc<LedgerEntry>>,
    wake: Notify,
    tailer: OnceLock<()>,
    redis: Option<RedisWake>,
}

struct RedisWake {
    client: redis::Client,
    publisher: tokio::sync::OnceCell<redis::aio::ConnectionManager>,
}

impl InventoryFeed {
    /// A feed for one process; with `redis_url`, writes on other replicas reach it too.
    /// Connections are made lazily; an unusable URL is logged and the feed stays in process
    /// (its one-second poll still sees other replicas' writes).
    pub fn new(store: Store, redis_url: Option<&str>) -> Arc<Self> {
        let redis = redis_url.and_then(|url| match redis::Client::open(url) {
            Ok(client) => Some(RedisWake { client, publisher: tokio::sync::OnceCell::new() }),
            Err(e) => {
                tracing::warn!("stock changes are not shared through Redis: {e}");
                None
            }
        });
        let (sender, _) = broadcast::channel(BUFFER);
        Arc::new(Self { store, sender, wake: Notify::new(), tailer: OnceLock::new(), redis })
    }

    /// Called after a stock write committed in this process.
    pub fn notify_local_write(self: &Arc<Self>) {
        self.wake.notify_one();
        if self.redis.is_some() {
            let feed = self.clone();
            tokio::spawn(async move { feed.publish_wake().await });
        }
    }

    async fn publish_wake(&self) {
        let Some(redis) = &self.redis else { return };
        let publisher = redis
            .publisher
            .get_or_try_init(|| redis::aio::ConnectionManager::new(redis.client.clone()))
            .await;
        match publisher {
            Ok(connection) => {
                let mut connection = connection.clone();
                let sent: Result<i64, _> = redis::cmd("PUBLISH")
                    .arg(REDIS_CHANNEL)
                    .arg("1")
                    .query_async(&mut connection)
                    .await;
                if let Err(e) = sent {
                    tracing::warn!("could not wake other replicas through Redis: {e}");
                }
            }
            Err(e) => tracing::warn!("could not wake other replicas through Redis: {e}"),
        }
    }

    /// Changes committed from now on, in ledger order, starting after `after` when given
    /// (older entries are read from the ledger first).
    pub async fn subscribe(
        self: &Arc<Self>,
        after: Option<i64>,
    ) -> Result<FeedSubscription, vitrine_store::StoreError> {
        // Subscribe before reading the head, so nothing committed in between is missed.
        let receiver = self.sender.subscribe();
        let head = self.store.ledger_head().await?;
        // The first subscriber's head is where the tailer starts: every later subscriber reads
        // a head at least as new, so the tailer broadcasts everything any of them waits for.
        self.start_tailer(head);
        let last_seq = after.unwrap_or(head);
        Ok(FeedSubscription {
            store: self.store.clone(),
            receiver,
            last_seq,
            backlog: std::collections::VecDeque::new(),
            catch_up: after.is_some(),
        })
    }

    fn start_tailer(self: &Arc<Self>, from: i64) {
        self.tailer.get_or_init(|| {
            let feed = self.clone();
            tokio::spawn(async move { feed.tail(from).await });
            if self.redis.is_some() {
                let feed = self.clone();
                tokio::spawn(async move { feed.listen_to_replicas().await });
            }
        });
    }

    async fn tail(self: Arc<Self>, from: i64) {
        let mut cursor = from;
        loop {
            loop {
                let page = self
                    .store
                    .ledger_entries(&LedgerQuery {
                        after: cursor,
                        limit: PAGE,
                        ..Default::default()
                    })
                    .await;
                match page {
                    Ok(entries) => {
                        let done = (entries.len() as u64) < PAGE;
                        for entry in entries {
                            cursor = entry.seq;
                            // No receiver is not an error: nobody is listening right now.
                            let _ = self.sender.send(Arc::new(entry));
                        }
                        if done {
                            break;
                        }
                    }
                    Err(e) => {
                        tracing::warn!("inventory feed cannot read the ledger: {e}");
                        break;
                    }
                }
            }
            let _ = tokio::time::timeout(POLL, self.wake.notified()).await;
        }
    }

    async fn listen_to_replicas(self: Arc<Self>) {
        let Some(redis) = &self.redis else { return };
        loop {
            match redis.client.get_async_pubsub().await {
                Ok(mut pubsub) => {
                    if let Err(e) = pubsub.subscribe(REDIS_CHANNEL).await {
                        tracing::warn!("inventory feed cannot subscribe in Redis: {e}");
                    } else {
                        let mut messages = pubsub.on_message();
                        while messages.next().await.is_some() {
                            self.wake.notify_one();
                        }
                    }
                }
                Err(e) => tracing::warn!("inventory feed cannot reach Redis: {e}"),
            }
            tokio::time::sleep(POLL).await;
        }
    }
}

/// One subscriber's view of the feed.
pub struct FeedSubscription {
    store: Store,
    receiver: broadcast::Receiver<Arc<LedgerEntry>>,
    last_seq: i64,
    backlog: std::collections::VecDeque<Arc<LedgerEntry>>,
    catch_up: bool,
}

impl FeedSubscription {
    /// The next change, or `None` when the feed is gone (the process is shutting down).
    pub async fn next(&mut self) -> Option<Arc<LedgerEntry>> {
        loop {
            if let Some(entry) = self.backlog.pop_front() {
                self.last_seq = entry.seq;
                return Some(entry);
            }
            if self.catch_up {
                // One page at a time, so that replaying a long ledger holds little memory.
                self.catch_up = self.read_backlog_page().await;
                continue;
            }
            match self.receiver.recv().await {
                Ok(entry) if entry.seq > self.last_seq => {
                    self.last_seq = entry.seq;
                    return Some(entry);
                }
                Ok(_) => continue,
                Err(broadcast::error::RecvError::Lagged(_)) => self.catch_up = true,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }

    /// Reads the next page of what this subscriber missed straight from the ledger; true
    /// while there may be more.
    async fn read_backlog_page(&mut self) -> bool {
        let query = LedgerQuery { after: self.last_seq, limit: PAGE, ..Default::default() };
        loop {
            match self.store.ledger_entries(&query).await {
                Ok(entries) => {
                    let more = entries.len() as u64 == PAGE;
                    self.backlog.extend(entries.into_iter().map(Arc::new));
                    return more;
                }
                Err(e) => {
                    tracing::warn!("inventory subscriber cannot catch up from the ledger: {e}");
                    tokio::time::sleep(POLL).await;
                }
            }
        }
    }
}
