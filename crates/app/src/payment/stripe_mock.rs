//! A local stand-in for the few PaymentIntents endpoints the card provider uses, since Stripe
//! is not reachable from tests. It keeps intents in memory, checks the secret key, honours
//! `Idempotency-Key` as Stripe does (a repeated request gets the first reply; a key sent again
//! with other parameters gets a 400 `idempotency_error`), and behaves like Stripe's test cards:
//!
//! - `pm_card_visa`: authorised (or captured with automatic capture);
//! - `pm_card_chargeDeclined`: 402 `card_declined`;
//! - `pm_card_authenticationRequired`: `requires_action` (3-D Secure), settled by a webhook.
//!
//! Tests can also have the bank decline the next authorisations of a good card
//! ([`StripeMock::decline_next`]) or have the next reply lost on the way back after Stripe
//! acted on the request ([`StripeMock::lose_next_reply`]), as a timeout would.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Json, Router};
use serde_json::{json, Value};

pub const SECRET_KEY: &str = "sk_test_vitrine";

#[derive(Default)]
struct Inner {
    intents: HashMap<String, Value>,
    /// By idempotency key: what the request was (endpoint, path and parameters) and the reply.
    replies: HashMap<String, (String, (u16, Value))>,
    counter: u64,
    declines_ahead: u32,
    lose_next_reply: bool,
    /// Calls per endpoint, for tests to assert on.
    pub calls: HashMap<&'static str, u64>,
}

#[derive(Clone, Default)]
pub struct StripeMock {
    inner: Arc<Mutex<Inner>>,
}

impl StripeMock {
    /// Serves on an ephemeral local port; returns the base URL to configure.
    pub async fn start() -> (Self, String) {
        let mock = Self::default();
        let app = Router::new()
            .route("/v1/payment_intents", post(create))
            .route("/v1/payment_intents/{id}/capture", post(capture))
            .route("/v1/payment_intents/{id}/cancel", post(cancel))
            .route("/v1/refunds", post(refund))
            .with_state(mock.clone());
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("bind the Stripe stand-in");
        let address = listener.local_addr().expect("local address");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        (mock, format!("http://{address}"))
    }

    pub fn calls(&self, endpoint: &str) -> u64 {
        self.lock().calls.get(endpoint).copied().unwrap_or(0)
    }

    /// The next `n` authorisations of a good card are declined, as a bank might refuse
    /// until the account is funded.
    pub fn decline_next(&self, n: u32) {
        self.lock().declines_ahead = n;
    }

    /// The next request is carried out (and its reply kept for its idempotency key) but the
    /// caller gets a 503 instead of the reply, as when a connection drops.
    pub fn lose_next_reply(&self) {
        self.lock().lose_next_reply = true;
    }

    pub fn intent(&self, id: &str) -> Option<Value> {
        self.lock().intents.get(id).cloned()
    }

    /// Marks an intent as the bank would after 3-D Secure, and returns the webhook event.
    pub fn complete_authentication(&self, id: &str) -> Option<Value> {
        let mut inner = self.lock();
        let intent = inner.intents.get_mut(id)?;
        let automatic = intent["capture_method"] == "automatic";
        intent["status"] = json!(if automatic { "succeeded" } else { "requires_capture" });
        if automatic {
            intent["amount_received"] = intent["amount"].clone();
        }
        let kind = if automatic {
            "payment_intent.succeeded"
        } else {
            "payment_intent.amount_capturable_updated"
        };
        Some(
            json!({ "id": format!("evt_{id}"), "type": kind, "data": { "object": intent.clone() } }),
        )
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn error(status: StatusCode, code: &str, message: &str) -> (u16, Value) {
    (
        status.as_u16(),
        json!({ "error": { "type": "card_error", "code": code, "message": message } }),
    )
}

fn reply((status, body): (u16, Value)) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(body)).into_response()
}

/// Runs `op` once per idempotency key, replaying its reply to the same request after that
/// and refusing the key for any other request; refuses a bad API key. `request` identifies
/// the request: endpoint, path and parameters.
fn once(
    mock: &StripeMock,
    headers: &HeaderMap,
    endpoint: &'static str,
    request: String,
    op: impl FnOnce(&mut Inner) -> (u16, Value),
) -> Response {
    let authorised = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("Bearer {SECRET_KEY}"));
    if !authorised {
        return reply(error(StatusCode::UNAUTHORIZED, "invalid_api_key", "Invalid API Key"));
    }
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let mut inner = mock.lock();
    *inner.calls.entry(endpoint).or_default() += 1;
    let lost = std::mem::take(&mut inner.lose_next_reply);
    let answer = match key.as_ref().and_then(|k| inner.replies.get(k)) {
        Some((first, answer)) if *first == request => answer.clone(),
        Some(_) => (
            StatusCode::BAD_REQUEST.as_u16(),
            json!({ "error": {
                "type": "idempotency_error",
                "message": format!(
                    "Keys for idempotent requests can only be used with the same parameters \
                     they were first used with. Try using a key other than '{}' if you meant \
                     to execute a different request.",
                    key.as_deref().unwrap_or_default()
                ),
            } }),
        ),
        None => {
            let answer = op(&mut inner);
            if let Some(key) = key {
                inner.replies.insert(key, (request, answer.clone()));
            }
            answer
        }
    };
    if lost {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    reply(answer)
}

/// A request as Stripe compares them for idempotency: endpoint, path and every parameter.
fn request_of(endpoint: &str, path: &str, form: &HashMap<String, String>) -> String {
    let mut params: Vec<_> = form.iter().collect();
    params.sort();
    format!("{endpoint} {path} {params:?}")
}

async fn create(
    State(mock): State<StripeMock>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let request = request_of("create", "", &form);
    once(&mock, &headers, "create", request, |inner| {
        let amount: i64 = form.get("amount").and_then(|a| a.parse().ok()).unwrap_or(0);
        if amount <= 0 {
            return error(StatusCode::BAD_REQUEST, "parameter_invalid_integer", "Invalid amount");
        }
        let card = form.get("payment_method").cloned().unwrap_or_default();
        let automatic = form.get("capture_method").map(String::as_str) == Some("automatic");
        if card == "pm_card_visa" && inner.declines_ahead > 0 {
            inner.declines_ahead -= 1;
            return error(StatusCode::PAYMENT_REQUIRED, "card_declined", "Your card was declined.");
        }
        let status = match card.as_str() {
            "pm_card_visa" if automatic => "succeeded",
            "pm_card_visa" => "requires_capture",
            "pm_card_authenticationRequired" => "requires_action",
            "pm_card_chargeDeclined" => {
                return error(
                    StatusCode::PAYMENT_REQUIRED,
                    "card_declined",
                    "Your card was declined.",
                )
            }
            _ => {
                return error(StatusCode::BAD_REQUEST, "resource_missing", "No such PaymentMethod")
            }
        };
        inner.counter += 1;
        let id = format!("pi_mock_{}", inner.counter);
        let intent = json!({
            "id": id,
            "object": "payment_intent",
            "amount": amount,
            "amount_received": if status == "succeeded" { amount } else { 0 },
            "currency": form.get("currency"),
            "capture_method": if automatic { "automatic" } else { "manual" },
            "client_secret": format!("{id}_secret_mock"),
            "status": status,
            "metadata": {
                "cart_id": form.get("metadata[cart_id]"),
                "cart_version": form.get("metadata[cart_version]"),
            },
        });
        inner.intents.insert(id, intent.clone());
        (200, intent)
    })
}

async fn capture(
    State(mock): State<StripeMock>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let request = request_of("capture", &id, &HashMap::new());
    once(&mock, &headers, "capture", request, |inner| match inner.intents.get_mut(&id) {
        Some(intent) if intent["status"] == "requires_capture" => {
            intent["status"] = json!("succeeded");
            intent["amount_received"] = intent["amount"].clone();
            (200, intent.clone())
        }
        Some(_) => {
            error(StatusCode::BAD_REQUEST, "payment_intent_unexpected_state", "cannot capture")
        }
        None => error(StatusCode::NOT_FOUND, "resource_missing", "No such payment_intent"),
    })
}

async fn cancel(
    State(mock): State<StripeMock>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let request = request_of("cancel", &id, &HashMap::new());
    once(&mock, &headers, "cancel", request, |inner| match inner.intents.get_mut(&id) {
        Some(intent) if intent["status"] != "succeeded" && intent["status"] != "canceled" => {
            intent["status"] = json!("canceled");
            (200, intent.clone())
        }
        Some(_) => {
            error(StatusCode::BAD_REQUEST, "payment_intent_unexpected_state", "cannot cancel")
        }
        None => error(StatusCode::NOT_FOUND, "resource_missing", "No such payment_intent"),
    })
}

async fn refund(
    State(mock): State<StripeMock>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let request = request_of("refund", "", &form);
    once(&mock, &headers, "refund", request, |inner| {
        let id = form.get("payment_intent").cloned().unwrap_or_default();
        let Some(intent) = inner.intents.get_mut(&id) else {
            return error(StatusCode::NOT_FOUND, "resource_missing", "No such payment_intent");
        };
        let received = intent["amount_received"].as_i64().unwrap_or(0);
        let already = intent["amount_refunded"].as_i64().unwrap_or(0);
        let amount = form.get("amount").and_then(|a| a.parse().ok()).unwrap_or(received - already);
        if amount <= 0 || already + amount > received {
            return error(StatusCode::BAD_REQUEST, "amount_too_large", "Refund exceeds the charge");
        }
        intent["amount_refunded"] = json!(already + amount);
        (
            200,
            json!({ "id": format!("re_{id}_{already}"), "object": "refund", "amount": amount, "status": "succeeded" }),
        )
    })
}
