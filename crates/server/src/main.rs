//! The `vitrine` binary: parses the command line and dispatches; the work lives in the crates.

use clap::Parser;

/// A request allocates many small objects (rows, GraphQL values); mimalloc handles that
/// churn across threads far better than the system allocator (measured with bench/load.sh).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod cli;
mod client;
mod commands;
mod config;
mod cors;
mod http;
mod serve;
mod telemetry;
mod ws;

fn main() -> anyhow::Result<()> {
    let cli = cli::Cli::parse();
    let config = config::Config::load(cli.config.as_deref())?;
    telemetry::init(&config.log);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(commands::run(cli.command, config))
}
