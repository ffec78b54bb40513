//! Vitrine's GraphQL API: schema, types, resolvers, DataLoaders, guards and limits.
//!
//! The HTTP layer builds a [`RequestContext`] per request with [`prepare_request`]; resolvers
//! read it, authorise with `ContextExt::require`, call one service and map the result.

// Plumbing shared by every feature.
mod connection;
mod context;
mod cost;
mod error;
mod gateway;
mod loaders;
mod mutate;
mod response;
mod schema;

// The API by feature: each folder holds its queries, mutations, types and inputs.
mod cart;
mod catalog;
mod checkout;
mod common;
mod companies;
mod delivery;
mod identity;
mod inventory;
mod orders;
mod pricing;

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use async_graphql::{ErrorExtensions, Request, Schema, ServerError, ValidationMode};
use vitrine_app::App;
use vitrine_domain::access::Actor;
use vitrine_domain::catalog::Channel;

pub use catalog::product::PublicUrl;
pub use catalog::variant_fast::plain_variant_selections;
pub use connection::Limits;
pub use context::{read_in_context, ClientAddress, InContext, RequestContext};
pub use cost::{connection_cost, list_cost, FIELD_COST_CAP};
pub use gateway::{bearer_token, ConnectionParams, Gateway, WebSocketGateway};
pub use schema::{Mutation, Query, Subscription};

pub type VitrineSchema = Schema<Query, Mutation, Subscription>;

/// Builds the gateway with its limits; `app` and `public_url` are shared by every request.
pub fn build_schema(app: App, limits: Limits, public_url: PublicUrl) -> Gateway {
    let channels =
        ChannelCacheHandle(Arc::new(ChannelCache { app: app.clone(), entries: RwLock::new(None) }));
    let builder = || {
        Schema::build(Query::default(), Mutation::default(), Subscription::default())
            .data(app.clone())
            .data(limits)
            .data(public_url.clone())
            .data(channels.clone())
            .directive(context::InContextDirective)
    };
    Gateway {
        gate: builder().extension(cost::CostGate(limits)).finish(),
        gate_as_run: builder()
            .extension(cost::CostGate(limits))
            .validation_mode(ValidationMode::Fast)
            .finish(),
        run: builder().validation_mode(ValidationMode::Fast).finish(),
    }
}

/// The SDL that `schema.graphql` must match.
pub fn sdl() -> String {
    let schema = Schema::build(Query::default(), Mutation::default(), Subscription::default())
        .directive(context::InContextDirective)
        .finish();
    schema.sdl()
}

/// Channels change rarely and every request needs one, so they are cached for a few
/// seconds; this process's own channel writes invalidate at once.
struct ChannelCache {
    app: App,
    entries: RwLock<Option<(Instant, ChannelList)>>,
}

type ChannelList = Arc<Vec<Arc<Channel>>>;

#[derive(Clone)]
pub struct ChannelCacheHandle(Arc<ChannelCache>);

const CHANNEL_TTL: Duration = Duration::from_secs(5);

impl ChannelCacheHandle {
    pub fn invalidate(&self) {
        if let Ok(mut entries) = self.0.entries.write() {
            *entries = None;
        }
    }

    async fn all(&self) -> Result<ChannelList, ServerError> {
        if let Ok(entries) = self.0.entries.read() {
            if let Some((at, list)) = entries.as_ref() {
                if at.elapsed() < CHANNEL_TTL {
                    return Ok(list.clone());
                }
            }
        }
        let list = self.0.app.catalog.channels().await.map_err(|e| {
            tracing::error!(error = %e, "loading channels failed");
            request_error("INTERNAL_SERVER_ERROR", "internal error".to_owned())
        })?;
        let list: ChannelList = Arc::new(list.into_iter().map(Arc::new).collect());
        if let Ok(mut entries) = self.0.entries.write() {
            *entries = Some((Instant::now(), list.clone()));
        }
        Ok(list)
    }
}

/// Whether any channel lets pages served from `origin` call the API. A CORS preflight carries
/// no storefront key, so it can only be answered for all channels together.
pub async fn origin_allowed_by_any_channel(gateway: &Gateway, origin: &str) -> bool {
    let channels = gateway.data::<ChannelCacheHandle>().all().await;
    channels.is_ok_and(|list| list.iter().any(|c| c.allows_origin(origin)))
}

/// Whether pages served from `origin` may read answers given with `storefront_key` (the
/// default channel's without one).
pub async fn origin_allowed(gateway: &Gateway, storefront_key: Option<&str>, origin: &str) -> bool {
    let Ok(channels) = gateway.data::<ChannelCacheHandle>().all().await else { return false };
    channel_of_key(&channels, storefront_key).is_some_and(|c| c.allows_origin(origin))
}

/// The channel a storefront key names; without a key, the default channel (or the first).
fn channel_of_key<'a>(channels: &'a ChannelList, key: Option<&str>) -> Option<&'a Arc<Channel>> {
    match key {
        Some(key) => channels.iter().find(|c| c.storefront_key == key),
        None => channels.iter().find(|c| c.is_default).or_else(|| channels.first()),
    }
}

fn request_error(code: &'static str, message: String) -> ServerError {
    async_graphql::Error::new(message)
        .extend_with(|_, e| e.set("code", code))
        .into_server_error(Default::default())
}

/// Everything a request needs before execution: the caller from its bearer credential, its
/// channel from the storefront key, its language and currency from `@inContext`.
pub async fn prepare_request(
    gateway: &Gateway,
    mut request: Request,
    bearer: Option<&str>,
    storefront_key: Option<&str>,
) -> Result<Request, ServerError> {
    let app = gateway.data::<App>();
    let actor = match bearer {
        None => Actor::Anonymous,
        Some(token) => app.identity.authenticate(token).await.map_err(|e| match e {
            vitrine_app::AppError::Store(err) => {
                tracing::error!(error = %err, "authentication failed");
                request_error("INTERNAL_SERVER_ERROR", "internal error".to_owned())
            }
            _ => request_error(
                "UNAUTHENTICATED",
                "the bearer credential is invalid, expired or revoked".to_owned(),
            ),
        })?,
    };
    let channels = gateway.data::<ChannelCacheHandle>().all().await?;
    let channel =
        channel_of_key(&channels, storefront_key).cloned().ok_or_else(|| match storefront_key {
            Some(_) => request_error(
                "UNKNOWN_STOREFRONT",
                "no channel has this X-Vitrine-Storefront key".to_owned(),
            ),
            None => request_error(
                "NO_CHANNEL",
                "no channel is configured; run `vitrine seed` or create one".to_owned(),
            ),
        })?;
    let in_context = read_in_context(&mut request)?;
    let mut context = RequestContext::new(app, actor, channel, in_context);
    context.client = request
        .data
        .get(&std::any::TypeId::of::<ClientAddress>())
        .and_then(|value| value.downcast_ref::<ClientAddress>())
        .map(|address| address.0);
    Ok(request.data(context))
}
