//! CPU cost of executing the two benchmark pages in process, without HTTP or a load
//! generator: `cargo bench -p vitrine-api`. Prints microseconds per request (median of
//! rounds); bench/load.sh measures the whole gateway under concurrent load.
//!
//! Other request bodies can be measured the same way:
//! `cargo bench -p vitrine-api -- path/to/body.json ...` (paths relative to `crates/api`).

use std::time::Instant;

use async_graphql::Request;
use vitrine_store::testing::TestDatabase;

#[path = "../tests/support/mod.rs"]
mod support;

/// The gateway binary's allocator, so that figures match it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ROUNDS: usize = 7;
const PER_ROUND: usize = 100;

fn query_of(path: &str) -> String {
    let body: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("bench query file"))
            .expect("bench query JSON");
    body["query"].as_str().expect("query text").to_owned()
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let db = TestDatabase::sqlite();
        let (_, gateway) = support::demo_gateway(&db, None).await;
        let mut files: Vec<String> =
            std::env::args().skip(1).filter(|a| a.ends_with(".json")).collect();
        if files.is_empty() {
            let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../bench/queries");
            files = ["listing.json", "collection-page.json"]
                .iter()
                .map(|f| format!("{dir}/{f}"))
                .collect();
        }
        for path in &files {
            let query = query_of(path);
            let file = path.rsplit('/').next().unwrap_or(path);
            let mut rounds = Vec::with_capacity(ROUNDS);
            let mut bytes = 0;
            for round in 0..=ROUNDS {
                let started = Instant::now();
                for _ in 0..PER_ROUND {
                    let request = vitrine_api::prepare_request(
                        &gateway,
                        Request::new(query.clone()),
                        None,
                        None,
                    )
                    .await
                    .expect("prepare");
                    let response = gateway.execute(request).await;
                    assert!(response.errors.is_empty(), "{:?}", response.errors);
                    bytes = serde_json::to_vec(&response).expect("serialise").len();
                }
                // Round 0 warms the read cache.
                if round > 0 {
                    rounds.push(started.elapsed().as_secs_f64() * 1e6 / PER_ROUND as f64);
                }
            }
            rounds.sort_by(f64::total_cmp);
            println!(
                "{file:<22} {:>8.0} µs per request (median of {ROUNDS} rounds of {PER_ROUND}), response {bytes} bytes",
                rounds[ROUNDS / 2]
            );
        }
    });
}
