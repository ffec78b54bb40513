//! Configuration in layers: safe defaults for the embedded mode, then an optional TOML file,
//! then `VITRINE_*` environment variables. Errors name the key at fault.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use serde::Deserialize;

#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address the HTTP server binds.
    pub listen: SocketAddr,
    /// Where the SQLite database and the generated signing secret live.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; empty means SQLite in the data directory.
    pub database_url: String,
    /// Redis for shared caches and pub/sub between replicas; empty means in-process.
    pub redis_url: String,
    /// Log filter directives.
    pub log: String,
    /// The URL clients reach this gateway at; images it serves itself are given under it.
    pub public_url: String,
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// Seconds a client may take to send its request headers; also how long an idle
    /// keep-alive connection stays open.
    pub header_timeout_secs: u64,
    /// Seconds a client may take to send a request body.
    pub body_timeout_secs: u64,
    /// Seconds a WebSocket may stay open before its `connection_init`.
    pub websocket_init_timeout_secs: u64,
    /// Deepest accepted query.
    pub max_depth: usize,
    /// Highest accepted query cost.
    pub max_cost: usize,
    /// Cap on `first`/`last` of every connection.
    pub max_page_size: usize,
    /// Largest response sent, in bytes of JSON; a larger one is refused.
    pub max_response_bytes: usize,
    /// Sign-in attempts one client address may make in five minutes, whatever the emails.
    pub sign_in_attempts_per_client: u32,
    /// Proxies whose `X-Forwarded-For` names the client (a load balancer's addresses);
    /// without them, the client is the TCP peer.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Accounts one client address may try to create in five minutes.
    pub sign_up_attempts: u32,
    /// Guest order lookups one client address may make in five minutes.
    pub guest_lookup_attempts: u32,
    /// Memory the storefront read cache of whole products may use, in megabytes.
    pub product_cache_mb: usize,
    /// Access-token signing key; generated into the data directory when empty.
    pub jwt_secret: SecretString,
    /// Stripe secret key (`sk_…`); empty: cards are not offered.
    pub stripe_secret_key: SecretString,
    /// Where Stripe's API is; a local stand-in in tests.
    pub stripe_api_base: String,
    /// Verifies Stripe's webhooks (`whsec_…`).
    pub stripe_webhook_secret: SecretString,
    /// When cards are charged: `fulfillment` (authorise at checkout, capture on shipping)
    /// or `checkout`.
    pub card_capture: String,
}

/// How long clients may take, resolved from the configuration.
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    pub header: Duration,
    pub body: Duration,
    pub websocket_init: Duration,
}

/// A string that never prints.
#[derive(Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct SecretString(pub String);

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() { "<unset>" } else { "<secret>" })
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("./data"),
            database_url: String::new(),
            redis_url: String::new(),
            log: "info".to_owned(),
            public_url: String::new(),
            max_body_bytes: 1024 * 1024,
            header_timeout_secs: 10,
            body_timeout_secs: 30,
            websocket_init_timeout_secs: 10,
            max_depth: 15,
            max_cost: 50_000,
            max_page_size: 250,
            max_response_bytes: 8 * 1024 * 1024,
            sign_in_attempts_per_client: 50,
            trusted_proxies: vec![],
            sign_up_attempts: 10,
            guest_lookup_attempts: 10,
            product_cache_mb: 32,
            jwt_secret: SecretString::default(),
            stripe_secret_key: SecretString::default(),
            stripe_api_base: "https://api.stripe.com".to_owned(),
            stripe_webhook_secret: SecretString::default(),
            card_capture: "fulfillment".to_owned(),
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field(
                "database",
                &if self.database_url.starts_with("postgres") { "postgres" } else { "sqlite" },
            )
            .field("redis", &!self.redis_url.is_empty())
            .field("jwt_secret", &self.jwt_secret)
            .field("stripe", &!self.stripe_secret_key.0.is_empty())
            .finish_non_exhaustive()
    }
}

const FILE: &str = "vitrine.toml";

impl Config {
    /// Reads `path` (or `./vitrine.toml` when present), then the environment.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Self> {
        let mut config = match path {
            Some(p) => Self::from_file(p)?,
            None if Path::new(FILE).exists() => Self::from_file(Path::new(FILE))?,
            None => Self::default(),
        };
        config.apply_env(|key| std::env::var(key).ok())?;
        Ok(config)
    }

    fn from_file(path: &Path) -> anyhow::Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("in {}", path.display()))
    }

    fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> anyhow::Result<()> {
        fn number<T>(key: &str, value: &str) -> anyhow::Result<T>
        where
            T: std::str::FromStr,
            T::Err: std::error::Error + Send + Sync + 'static,
        {
            value.parse().with_context(|| format!("{key} must be a whole number, got `{value}`"))
        }
        if let Some(v) = var("VITRINE_LISTEN") {
            self.listen = v
                .parse()
                .with_context(|| format!("VITRINE_LISTEN must be host:port, got `{v}`"))?;
        }
        if let Some(v) = var("VITRINE_DATA_DIR") {
            self.data_dir = PathBuf::from(v);
        }
        if let Some(v) = var("VITRINE_DATABASE_URL") {
            self.database_url = v;
        }
        if let Some(v) = var("VITRINE_REDIS_URL") {
            self.redis_url = v;
        }
        if let Some(v) = var("VITRINE_LOG") {
            self.log = v;
        }
        if let Some(v) = var("VITRINE_PUBLIC_URL") {
            self.public_url = v;
        }
        if let Some(v) = var("VITRINE_MAX_BODY_BYTES") {
            self.max_body_bytes = number("VITRINE_MAX_BODY_BYTES", &v)?;
        }
        if let Some(v) = var("VITRINE_HEADER_TIMEOUT_SECS") {
            self.header_timeout_secs = number("VITRINE_HEADER_TIMEOUT_SECS", &v)?;
        }
        if let Some(v) = var("VITRINE_BODY_TIMEOUT_SECS") {
            self.body_timeout_secs = number("VITRINE_BODY_TIMEOUT_SECS", &v)?;
        }
        if let Some(v) = var("VITRINE_WEBSOCKET_INIT_TIMEOUT_SECS") {
            self.websocket_init_timeout_secs = number("VITRINE_WEBSOCKET_INIT_TIMEOUT_SECS", &v)?;
        }
        if let Some(v) = var("VITRINE_MAX_DEPTH") {
            self.max_depth = number("VITRINE_MAX_DEPTH", &v)?;
        }
        if let Some(v) = var("VITRINE_MAX_COST") {
            self.max_cost = number("VITRINE_MAX_COST", &v)?;
        }
        if let Some(v) = var("VITRINE_MAX_PAGE_SIZE") {
            self.max_page_size = number("VITRINE_MAX_PAGE_SIZE", &v)?;
        }
        if let Some(v) = var("VITRINE_MAX_RESPONSE_BYTES") {
            self.max_response_bytes = number("VITRINE_MAX_RESPONSE_BYTES", &v)?;
        }
        if let Some(v) = var("VITRINE_SIGN_IN_ATTEMPTS_PER_CLIENT") {
            self.sign_in_attempts_per_client = number("VITRINE_SIGN_IN_ATTEMPTS_PER_CLIENT", &v)?;
        }
        if let Some(v) = var("VITRINE_TRUSTED_PROXIES") {
            self.trusted_proxies = crate::client::parse_trusted(&v)
                .map_err(|e| anyhow::anyhow!("VITRINE_TRUSTED_PROXIES: {e}"))?;
        }
        if let Some(v) = var("VITRINE_SIGN_UP_ATTEMPTS") {
            self.sign_up_attempts = number("VITRINE_SIGN_UP_ATTEMPTS", &v)?;
        }
        if let Some(v) = var("VITRINE_GUEST_LOOKUP_ATTEMPTS") {
            self.guest_lookup_attempts = number("VITRINE_GUEST_LOOKUP_ATTEMPTS", &v)?;
        }
        if let Some(v) = var("VITRINE_PRODUCT_CACHE_MB") {
            self.product_cache_mb = number("VITRINE_PRODUCT_CACHE_MB", &v)?;
        }
        if let Some(v) = var("VITRINE_JWT_SECRET") {
            self.jwt_secret = SecretString(v);
        }
        if let Some(v) = var("VITRINE_STRIPE_SECRET_KEY") {
            self.stripe_secret_key = SecretString(v);
        }
        if let Some(v) = var("VITRINE_STRIPE_API_BASE") {
            self.stripe_api_base = v;
        }
        if let Some(v) = var("VITRINE_STRIPE_WEBHOOK_SECRET") {
            self.stripe_webhook_secret = SecretString(v);
        }
        if let Some(v) = var("VITRINE_CARD_CAPTURE") {
            self.card_capture = v;
        }
        if !matches!(self.card_capture.as_str(), "fulfillment" | "checkout") {
            bail!(
                "VITRINE_CARD_CAPTURE must be `fulfillment` or `checkout`, got `{}`",
                self.card_capture
            );
        }
        if self.max_page_size == 0 {
            bail!("VITRINE_MAX_PAGE_SIZE must be at least 1");
        }
        if self.header_timeout_secs == 0 || self.body_timeout_secs == 0 {
            bail!("VITRINE_HEADER_TIMEOUT_SECS and VITRINE_BODY_TIMEOUT_SECS must be at least 1");
        }
        Ok(())
    }

    pub fn timeouts(&self) -> Timeouts {
        Timeouts {
            header: Duration::from_secs(self.header_timeout_secs),
            body: Duration::from_secs(self.body_timeout_secs),
            websocket_init: Duration::from_secs(self.websocket_init_timeout_secs),
        }
    }

    pub fn database_url(&self) -> String {
        if self.database_url.is_empty() {
            format!("sqlite://{}?mode=rwc", self.data_dir.join("vitrine.db").display())
        } else {
            self.database_url.clone()
        }
    }

    pub fn public_url(&self) -> String {
        if self.public_url.is_empty() {
            format!("http://{}", self.listen)
        } else {
            self.public_url.trim_end_matches('/').to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn with_env(pairs: &[(&str, &str)]) -> anyhow::Result<Config> {
        let env: HashMap<String, String> =
            pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        let mut config = Config::default();
        config.apply_env(|k| env.get(k).cloned())?;
        Ok(config)
    }

    #[test]
    fn defaults_run_embedded_on_localhost() {
        let config = with_env(&[]).expect("defaults are valid");
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(config.database_url(), "sqlite://./data/vitrine.db?mode=rwc");
        assert_eq!(config.public_url(), "http://127.0.0.1:8080");
    }

    #[test]
    fn environment_overrides_defaults() {
        let config =
            with_env(&[("VITRINE_LISTEN", "0.0.0.0:9000"), ("VITRINE_MAX_PAGE_SIZE", "50")])
                .expect("valid");
        assert_eq!(config.listen.port(), 9000);
        assert_eq!(config.max_page_size, 50);
    }

    #[test]
    fn bad_values_name_their_key() {
        let err = with_env(&[("VITRINE_MAX_DEPTH", "deep")])
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("VITRINE_MAX_DEPTH"), "{err}");
    }

    #[test]
    fn file_settings_are_read_and_unknown_keys_rejected() {
        let config: Config =
            toml::from_str("listen = \"127.0.0.1:9999\"\nmax_cost = 10").expect("valid file");
        assert_eq!(config.listen.port(), 9999);
        assert_eq!(config.max_cost, 10);
        assert!(toml::from_str::<Config>("lisen = \"x\"").is_err());
    }

    #[test]
    fn secrets_do_not_print() {
        let config = with_env(&[("VITRINE_JWT_SECRET", "hunter2")]).expect("valid");
        assert!(!format!("{config:?}").contains("hunter2"));
    }
}
