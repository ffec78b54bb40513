//! The outbox as a live feed, behind the `orderUpdated` subscription.
//!
//! Order changes write their events to the outbox in the transaction that makes them, under
//! the stock clock, so outbox sequence numbers become visible in order. One task per process
//! tails the outbox and broadcasts each new event to this process's subscribers; a write here
//! wakes it at once, and a one-second poll picks up other replicas' writes.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tokio::sync::{broadcast, Notify};
use vitrine_store::{OutboxRecord, Store};

const BUFFER: usize = 1024;
const PAGE: u64 = 500;
const POLL: Duration = Duration::from_secs(1);

pub struct OrderFeed {
    store: Store,
    sender: broadcast::Sender<Arc<OutboxRecord>>,
    wake: Notify,
    tailer: OnceLock<()>,
}

impl OrderFeed {
    pub fn new(store: Store) -> Arc<Self> {
        let (sender, _) = broadcast::channel(BUFFER);
        Arc::new(Self { store, sender, wake: Notify::new(), tailer: OnceLock::new() })
    }

    /// Called after an order change committed in this process.
    pub fn notify_local_write(&self) {
        self.wake.notify_one();
    }

    /// Events committed from now on. A receiver that lags behind the buffer gets `Lagged` and
    /// should re-read what it follows.
    pub async fn subscribe(
        self: &Arc<Self>,
    ) -> Result<broadcast::Receiver<Arc<OutboxRecord>>, vitrine_store::StoreError> {
        let receiver = self.sender.subscribe();
        let head = self.store.outbox_head().await?;
        self.tailer.get_or_init(|| {
            let feed = self.clone();
            tokio::spawn(async move { feed.tail(head).await });
        });
        Ok(receiver)
    }

    async fn tail(self: Arc<Self>, from: i64) {
        let mut cursor = from;
        loop {
            loop {
                match self.store.outbox_after(cursor, PAGE).await {
                    Ok(events) => {
                        let done = (events.len() as u64) < PAGE;
                        for event in events {
                            cursor = event.seq;
                            let _ = self.sender.send(Arc::new(event));
                        }
                        if done {
                            break;
                        }
                    }
                    Err(e) => {
                        tracing::warn!("order feed cannot read the outbox: {e}");
                        break;
                    }
                }
            }
            let _ = tokio::time::timeout(POLL, self.wake.notified()).await;
        }
    }
}
