//! What each subcommand does, in terms of the library crates.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use anyhow::{bail, Context};
use std::sync::Arc;

use vitrine_app::identity::Secret;
use vitrine_app::limits::RedisCounter;
use vitrine_app::payment::stripe::StripeSettings;
use vitrine_app::{App, AppError, Settings, Store};
use vitrine_domain::access::StaffRole;

use crate::cli::{AdminCommand, Command};
use crate::config::Config;
use crate::http;

pub async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Schema => {
            print!("{}", vitrine_api::sdl());
            Ok(())
        }
        Command::Migrate => {
            let store = open_store(&config).await?;
            store.migrate().await.context("migrating the database")?;
            tracing::info!("database is up to date");
            Ok(())
        }
        Command::Seed { products } => {
            let store = open_store(&config).await?;
            store.migrate().await.context("migrating the database")?;
            seed(&store, products).await
        }
        Command::Serve { demo } => serve(config, demo).await,
        Command::Admin { command: AdminCommand::Create { email, role } } => {
            let role: StaffRole = role.parse()?;
            let password = read_password()?;
            let app = open_app(&config).await?;
            match app.identity.create_staff(&email, &password, role).await {
                Ok(staff) => {
                    println!("created {} ({})", staff.email, staff.role);
                    Ok(())
                }
                Err(AppError::User(errors)) => {
                    let messages: Vec<String> = errors.into_iter().map(|e| e.message).collect();
                    bail!("{}", messages.join("; "))
                }
                Err(other) => Err(other.into()),
            }
        }
    }
}

async fn open_store(config: &Config) -> anyhow::Result<Store> {
    let url = config.database_url();
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir).with_context(|| {
            format!("creating the data directory {}", config.data_dir.display())
        })?;
    }
    Store::connect(&url).await.context("connecting to the database")
}

async fn open_app(config: &Config) -> anyhow::Result<App> {
    let store = open_store(config).await?;
    store.migrate().await.context("migrating the database")?;
    let mut settings = Settings::new(jwt_secret(config)?);
    settings.product_cache_bytes = (config.product_cache_mb as u64).saturating_mul(1024 * 1024);
    settings.sign_in_attempts_per_client = config.sign_in_attempts_per_client;
    settings.sign_up_attempts = config.sign_up_attempts;
    settings.guest_lookup_attempts = config.guest_lookup_attempts;
    if !config.stripe_secret_key.0.is_empty() {
        settings.stripe = Some(StripeSettings {
            secret_key: config.stripe_secret_key.0.clone(),
            api_base: config.stripe_api_base.clone(),
            webhook_secret: Some(config.stripe_webhook_secret.0.clone()).filter(|s| !s.is_empty()),
            capture_at_checkout: config.card_capture == "checkout",
        });
    }
    if config.redis_url.is_empty() {
        return Ok(App::new(store, settings));
    }
    settings.redis_url = Some(config.redis_url.clone());
    let counter = RedisCounter::connect(&config.redis_url, "vitrine:signin:")
        .await
        .context("connecting to VITRINE_REDIS_URL")?;
    Ok(App::with_counter(store, settings, Arc::new(counter)))
}

/// The signing key: from the configuration, else from `<data_dir>/jwt-secret`, created with
/// fresh random bytes on first run so that no deployment ever shares a built-in key.
fn jwt_secret(config: &Config) -> anyhow::Result<Secret> {
    if !config.jwt_secret.0.is_empty() {
        if config.jwt_secret.0.len() < 32 {
            bail!("VITRINE_JWT_SECRET must be at least 32 characters");
        }
        return Ok(Secret::new(config.jwt_secret.0.as_bytes().to_vec()));
    }
    std::fs::create_dir_all(&config.data_dir)?;
    let path = config.data_dir.join("jwt-secret");
    if path.exists() {
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        if bytes.len() < 32 {
            bail!("{} is shorter than 32 bytes; delete it to generate a new one", path.display());
        }
        return Ok(Secret::new(bytes));
    }
    let secret = Secret::generate().map_err(|e| anyhow::anyhow!("no randomness available: {e}"))?;
    write_private(&path, secret.expose())?;
    tracing::info!(path = %path.display(), "generated a new token signing secret");
    Ok(secret)
}

fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).with_context(|| format!("creating {}", path.display()))?;
    file.write_all(bytes)?;
    Ok(())
}

fn read_password() -> anyhow::Result<String> {
    let password = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("Password: ")?
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    if password.is_empty() {
        bail!("no password given on standard input");
    }
    Ok(password)
}

async fn seed(store: &Store, products: Option<usize>) -> anyhow::Result<()> {
    match products {
        None => {
            if store.product_count().await? > 0 {
                println!("the database already has products; nothing to do");
                return Ok(());
            }
            let summary = vitrine_app::demo::load_demo(store).await?;
            store.analyze().await?;
            println!(
                "loaded the demo catalog: {} channels, {} brands, {} collections, {} products, {} variants",
                summary.channels, summary.brands, summary.collections, summary.products, summary.variants
            );
        }
        Some(count) => {
            let started = std::time::Instant::now();
            let terminal = std::io::stderr().is_terminal();
            let mut last_step = 0;
            vitrine_app::demo::seed_products(store, count, |done, total| {
                let width = 40;
                let filled = (done * width).checked_div(total).unwrap_or(width).min(width);
                if terminal {
                    let bar = format!("{}{}", "#".repeat(filled), " ".repeat(width - filled));
                    eprint!("\r[{bar}] {done}/{total} products");
                    let _ = std::io::stderr().flush();
                } else if filled / 4 > last_step || done == total {
                    // Logs and pipes get a line per tenth rather than a redrawn bar.
                    last_step = filled / 4;
                    eprintln!("{done}/{total} products");
                }
            })
            .await?;
            if terminal {
                eprintln!();
            }
            store.analyze().await?;
            println!("generated {count} products in {:.1} s", started.elapsed().as_secs_f64());
        }
    }
    Ok(())
}

async fn serve(config: Config, demo: bool) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let app = open_app(&config).await?;
    if let Some(summary) = if demo { app.load_demo_if_empty().await? } else { None } {
        tracing::info!(
            products = summary.products,
            brands = summary.brands,
            "loaded the demo catalog"
        );
    }
    app.catalog.ensure_default_channel().await.context("creating the default channel")?;
    http::serve(app, &config, started).await
}
