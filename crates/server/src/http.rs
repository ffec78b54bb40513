//! The HTTP surface: `/graphql` (POST, GET, GraphiQL), `/graphql/ws`, `/healthz`, `/readyz`
//! and the placeholder images of the demo catalog.

use std::net::SocketAddr;
use std::time::Instant;

use anyhow::Context as _;
use async_graphql::{Request, Response, ServerError};
use axum::body::{Body, Bytes};
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::{Extension, Router};
use serde::Deserialize;
use vitrine_api::{ClientAddress, ConnectionParams, Gateway, Limits, PublicUrl, WebSocketGateway};
use vitrine_app::App;

use crate::config::{Config, Timeouts};
use crate::{client, cors, serve, ws};

#[derive(Clone)]
struct AppState {
    gateway: Gateway,
    app: App,
    max_body_bytes: usize,
    timeouts: Timeouts,
    trusted_proxies: std::sync::Arc<[std::net::IpAddr]>,
}

/// Handlers that need only the gateway (CORS) take it from the state.
impl axum::extract::FromRef<AppState> for Gateway {
    fn from_ref(state: &AppState) -> Self {
        state.gateway.clone()
    }
}

pub fn router(app: App, config: &Config, public_url: String) -> Router {
    let limits = Limits {
        max_page_size: config.max_page_size,
        max_depth: config.max_depth,
        max_cost: config.max_cost,
        max_response_bytes: config.max_response_bytes,
    };
    let gateway = vitrine_api::build_schema(app.clone(), limits, PublicUrl(public_url));
    let state = AppState {
        gateway,
        app,
        max_body_bytes: config.max_body_bytes,
        timeouts: config.timeouts(),
        trusted_proxies: config.trusted_proxies.clone().into(),
    };
    let graphql = Router::new()
        .route("/graphql", get(graphql_get).post(graphql_post).options(cors::preflight))
        // Shopify's Storefront API path, so that code written for it only changes its host.
        .route(
            "/api/{version}/graphql.json",
            axum::routing::post(graphql_post).options(cors::preflight),
        )
        .layer(axum::middleware::from_fn_with_state(state.gateway.clone(), cors::allow_origin));
    Router::new()
        .merge(graphql)
        .route("/graphql/ws", get(graphql_ws))
        .route("/graphql/assets/{file}", get(graphiql_asset))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/placeholder/{name}", get(placeholder))
        .route("/webhooks/stripe", axum::routing::post(stripe_webhook))
        .with_state(state)
}

pub async fn serve(app: App, config: &Config, started: Instant) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("binding {}", config.listen))?;
    let address = listener.local_addr()?;
    // With port 0 the real port is known only now.
    let public_url = if config.public_url.is_empty() {
        format!("http://{address}")
    } else {
        config.public_url()
    };
    let router = router(app, config, public_url);
    tracing::info!(
        "Vitrine is ready on http://{address}/graphql ({} ms after start)",
        started.elapsed().as_millis()
    );
    serve::serve(listener, router, config.timeouts().header, shutdown_signal()).await;
    Ok(())
}

/// Stripe's events about card payments; the signature is checked before anything is read.
async fn stripe_webhook(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> impl IntoResponse {
    use vitrine_app::orders::WebhookError;
    let body = match read_body(&state, body).await {
        Ok(bytes) => bytes,
        Err(refusal) => return refusal.response(false),
    };
    let signature =
        headers.get("stripe-signature").and_then(|v| v.to_str().ok()).unwrap_or_default();
    match state.app.orders.card_webhook(&body, signature).await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(WebhookError::NotConfigured) => {
            (StatusCode::NOT_FOUND, "webhooks are not configured").into_response()
        }
        Err(WebhookError::Signature(e)) => (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
        Err(WebhookError::Malformed(e)) => (StatusCode::BAD_REQUEST, e).into_response(),
        Err(WebhookError::App(e)) => {
            tracing::error!("stripe webhook failed: {e}");
            // Stripe retries on a 5xx, which is what a passing database problem needs.
            (StatusCode::SERVICE_UNAVAILABLE, "try again").into_response()
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("shutting down");
}

async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    if state.app.is_ready().await {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable or not migrated")
    }
}

async fn placeholder(Path(name): Path<String>) -> impl IntoResponse {
    let label = name.strip_suffix(".svg").unwrap_or(&name);
    (
        [(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=86400")],
        vitrine_app::placeholder::placeholder_svg(label),
    )
}

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// The playground page. GraphiQL and React are vendored (see `assets/graphiql`) and served by
/// the gateway itself, so the playground works on machines without internet access.
const GRAPHIQL: &str = include_str!("../assets/graphiql/index.html");

/// The playground's scripts and styles; names carry the version, so browsers may cache them
/// for good.
const GRAPHIQL_ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "graphiql-3.9.0.min.js",
        "text/javascript",
        include_bytes!("../assets/graphiql/graphiql.min.js"),
    ),
    ("graphiql-3.9.0.min.css", "text/css", include_bytes!("../assets/graphiql/graphiql.min.css")),
    (
        "react-18.3.1.production.min.js",
        "text/javascript",
        include_bytes!("../assets/graphiql/react.production.min.js"),
    ),
    (
        "react-dom-18.3.1.production.min.js",
        "text/javascript",
        include_bytes!("../assets/graphiql/react-dom.production.min.js"),
    ),
];

async fn graphiql_asset(Path(file): Path<String>) -> axum::response::Response {
    match GRAPHIQL_ASSETS.iter().find(|(name, _, _)| *name == file) {
        Some((_, content_type, bytes)) => (
            [
                (header::CONTENT_TYPE, *content_type),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            *bytes,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no such playground asset").into_response(),
    }
}

/// Whether the client speaks the GraphQL-over-HTTP media type (which gets meaningful status
/// codes) or legacy `application/json` (which always gets 200 for well-formed requests).
fn wants_graphql_response(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains(GRAPHQL_RESPONSE))
}

fn error_body(code: &str, message: &str) -> String {
    serde_json::json!({ "errors": [{ "message": message, "extensions": { "code": code } }] })
        .to_string()
}

fn json_response(status: StatusCode, modern: bool, body: String) -> axum::response::Response {
    let content_type = if modern { GRAPHQL_RESPONSE } else { "application/json" };
    let mut response = (status, body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// A request that is not a well-formed GraphQL-over-HTTP request (a body that is not JSON,
/// no query, too large, a mutation over GET): its status for every client, as the GraphQL
/// over HTTP spec asks of `application/json` responses too.
fn request_error(
    modern: bool,
    status: StatusCode,
    code: &str,
    message: &str,
) -> axum::response::Response {
    json_response(status, modern, error_body(code, message))
}

/// The credential of `Authorization`, read by `vitrine_api::bearer_token`. A header that is
/// not text is passed on as it is, so it fails authentication (`UNAUTHENTICATED`) instead of
/// silently making the request anonymous.
fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?;
    match value.to_str() {
        Ok(text) => vitrine_api::bearer_token(text).map(str::to_owned),
        Err(_) => Some(String::from_utf8_lossy(value.as_bytes()).into_owned()),
    }
}

/// The storefront key (`X-Vitrine-Storefront`, or Shopify's
/// `X-Shopify-Storefront-Access-Token`); one that is not text matches no channel
/// (`UNKNOWN_STOREFRONT`) instead of falling back to the default channel.
pub(crate) fn storefront_key(headers: &HeaderMap) -> Option<String> {
    let value = headers
        .get("x-vitrine-storefront")
        .or_else(|| headers.get("x-shopify-storefront-access-token"))?;
    let text = String::from_utf8_lossy(value.as_bytes());
    Some(text.trim().to_owned()).filter(|k| !k.is_empty())
}

fn client_address(
    state: &AppState,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: &HeaderMap,
) -> Option<ClientAddress> {
    let Extension(ConnectInfo(peer)) = connect?;
    Some(ClientAddress(client::client_ip(peer.ip(), &state.trusted_proxies, headers)))
}

/// `graphql-transport-ws` (and the older `graphql-ws`). Credentials come from the
/// `connection_init` payload, as browsers cannot set headers on a WebSocket, else from the
/// upgrade request's headers.
async fn graphql_ws(
    State(state): State<AppState>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> axum::response::Response {
    let Some(protocol) = ws::requested_protocol(&headers) else {
        let message = "ask for the `graphql-transport-ws` sub-protocol";
        return request_error(false, StatusCode::BAD_REQUEST, "BAD_REQUEST", message);
    };
    let from_headers = ConnectionParams {
        bearer: bearer(&headers),
        storefront_key: storefront_key(&headers),
        client: client_address(&state, connect, &headers),
    };
    let executor = WebSocketGateway(state.gateway.clone());
    let init_timeout = state.timeouts.websocket_init;
    upgrade
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| {
            ws::serve_socket(socket, executor, protocol, from_headers, init_timeout)
        })
        .into_response()
}

async fn execute(
    state: &AppState,
    call: &HttpCall,
    mut request: Request,
    method: &Method,
) -> axum::response::Response {
    let headers = &call.headers;
    let modern = wants_graphql_response(headers);
    if let Some(client) = call.client {
        request = request.data(client);
    }
    let mut request = match vitrine_api::prepare_request(
        &state.gateway,
        request,
        bearer(headers).as_deref(),
        storefront_key(headers).as_deref(),
    )
    .await
    {
        Ok(r) => r,
        Err(error) => return server_error_response(modern, error),
    };
    if method == Method::GET && is_mutation(&mut request) {
        return request_error(
            modern,
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "mutations must be sent with POST",
        );
    }
    let (response, executed) = match state.gateway.execute_checked(request).await {
        Ok(response) => (response, true),
        Err(refused) => (refused, false),
    };
    let failed = !executed || (response.data == async_graphql::Value::Null && response.is_err());
    let status = if modern && failed { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    let body = if executed { serialize(&response) } else { serialize_refusal(&response) };
    json_response(status, modern, body)
}

fn serialize(response: &Response) -> String {
    serde_json::to_string(response)
        .unwrap_or_else(|_| error_body("INTERNAL_SERVER_ERROR", "response could not be encoded"))
}

/// A request that never executed has no `data` entry at all (GraphQL over HTTP), only its
/// errors and the cost extension.
fn serialize_refusal(response: &Response) -> String {
    let mut body = serde_json::json!({ "errors": response.errors });
    if !response.extensions.is_empty() {
        body["extensions"] = serde_json::json!(response.extensions);
    }
    serde_json::to_string(&body)
        .unwrap_or_else(|_| error_body("INTERNAL_SERVER_ERROR", "response could not be encoded"))
}

fn server_error_response(modern: bool, error: ServerError) -> axum::response::Response {
    let code = error
        .extensions
        .as_ref()
        .and_then(|e| e.get("code"))
        .and_then(|v| if let async_graphql::Value::String(s) = v { Some(s.clone()) } else { None })
        .unwrap_or_else(|| "BAD_REQUEST".to_owned());
    let status = match code.as_str() {
        "UNAUTHENTICATED" => StatusCode::UNAUTHORIZED,
        "INTERNAL_SERVER_ERROR" => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    };
    let body = serialize_refusal(&Response::from_errors(vec![error]));
    json_response(
        if modern || status == StatusCode::UNAUTHORIZED { status } else { StatusCode::OK },
        modern,
        body,
    )
}

fn is_mutation(request: &mut Request) -> bool {
    let name = request.operation_name.clone();
    let Ok(document) = request.parsed_query() else { return false };
    document.operations.iter().any(|(op_name, op)| {
        let selected = match &name {
            Some(n) => op_name.map(|o| o.as_str()) == Some(n.as_str()),
            None => true,
        };
        selected && op.node.ty == async_graphql::parser::types::OperationType::Mutation
    })
}

/// Why a request body could not be read.
enum BodyRefusal {
    TooLarge(usize),
    TooSlow(std::time::Duration),
    Malformed(String),
}

impl BodyRefusal {
    fn response(&self, modern: bool) -> axum::response::Response {
        let (status, code, message) = match self {
            Self::TooLarge(max) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                format!("request body is larger than {max} bytes"),
            ),
            Self::TooSlow(limit) => (
                StatusCode::REQUEST_TIMEOUT,
                "REQUEST_TIMEOUT",
                format!("the request body did not arrive within {} s", limit.as_secs()),
            ),
            Self::Malformed(e) => {
                (StatusCode::BAD_REQUEST, "BAD_REQUEST", format!("malformed request body: {e}"))
            }
        };
        request_error(modern, status, code, &message)
    }
}

/// The whole body, within the size limit and the body timeout. A body that breaks HTTP's
/// framing (a bad chunk) is malformed, not too large.
async fn read_body(state: &AppState, body: Body) -> Result<Bytes, BodyRefusal> {
    let (max, limit) = (state.max_body_bytes, state.timeouts.body);
    match tokio::time::timeout(limit, axum::body::to_bytes(body, max)).await {
        Err(_) => Err(BodyRefusal::TooSlow(limit)),
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(e)) => {
            let too_large = std::error::Error::source(&e)
                .is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
            Err(if too_large {
                BodyRefusal::TooLarge(max)
            } else {
                BodyRefusal::Malformed(e.to_string())
            })
        }
    }
}

/// What a GraphQL handler knows of the HTTP request besides its body.
struct HttpCall {
    headers: HeaderMap,
    client: Option<ClientAddress>,
}

async fn graphql_post(
    State(state): State<AppState>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Body,
) -> axum::response::Response {
    let modern = wants_graphql_response(&headers);
    let bytes = match read_body(&state, body).await {
        Ok(bytes) => bytes,
        Err(refusal) => return refusal.response(modern),
    };
    let request: Request = match serde_json::from_slice(&bytes) {
        Ok(r) => r,
        Err(e) => {
            let message = format!(
                "body must be a JSON object with `query`, `variables` and `operationName`: {e}"
            );
            return request_error(modern, StatusCode::BAD_REQUEST, "BAD_REQUEST", &message);
        }
    };
    let client = client_address(&state, connect, &headers);
    let call = HttpCall { headers, client };
    execute(&state, &call, request, &Method::POST).await
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetParams {
    query: Option<String>,
    variables: Option<String>,
    operation_name: Option<String>,
}

async fn graphql_get(
    State(state): State<AppState>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Query(params): Query<GetParams>,
) -> axum::response::Response {
    let accepts_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    let Some(query) = params.query else {
        if accepts_html {
            return Html(GRAPHIQL).into_response();
        }
        return request_error(
            wants_graphql_response(&headers),
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "missing `query` parameter",
        );
    };
    let mut request = Request::new(query);
    if let Some(name) = params.operation_name {
        request = request.operation_name(name);
    }
    if let Some(vars) = params.variables {
        match serde_json::from_str(&vars) {
            Ok(v) => request = request.variables(async_graphql::Variables::from_json(v)),
            Err(_) => {
                return request_error(
                    wants_graphql_response(&headers),
                    StatusCode::BAD_REQUEST,
                    "BAD_REQUEST",
                    "`variables` must be a JSON object",
                );
            }
        }
    }
    let client = client_address(&state, connect, &headers);
    let call = HttpCall { headers, client };
    execute(&state, &call, request, &Method::GET).await
}
