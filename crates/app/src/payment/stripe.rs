//! Cards through Stripe's PaymentIntents API: create and confirm with the card token from
//! the storefront (manual capture unless configured to capture at once), capture, cancel,
//! refund, and the signature check of its webhooks.
//!
//! Only the few endpoints used are spoken; amounts are in minor units as Stripe expects for
//! two-decimal currencies. Every call carries an idempotency key derived from the order or
//! the checkout attempt and the request itself, so a retry after a timeout never charges
//! twice and a key is never sent again with other parameters (which Stripe refuses).

use std::time::Duration;

use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use vitrine_domain::money::Money;
use vitrine_domain::order::Payment;
use vitrine_domain::payment::{PaymentMethod, PaymentStatus};

use super::{AuthorizeRequest, PaymentProvider, ProviderError, ProviderPayment};

#[derive(Clone, Debug)]
pub struct StripeSettings {
    pub secret_key: String,
    /// `https://api.stripe.com` in production; a local stand-in in tests.
    pub api_base: String,
    /// `whsec_…`: verifies `Stripe-Signature` on webhooks.
    pub webhook_secret: Option<String>,
    /// Capture when the order is placed instead of when it ships.
    pub capture_at_checkout: bool,
}

pub struct StripeProvider {
    settings: StripeSettings,
    http: reqwest::Client,
}

/// The parts of a PaymentIntent that matter here.
#[derive(Debug, Deserialize)]
pub struct PaymentIntent {
    pub id: String,
    pub status: String,
    #[serde(default)]
    pub amount_received: i64,
    pub client_secret: Option<String>,
    pub last_payment_error: Option<StripeErrorBody>,
}

#[derive(Debug, Deserialize)]
pub struct StripeErrorBody {
    pub message: Option<String>,
    pub code: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ErrorEnvelope {
    error: StripeErrorBody,
}

#[derive(Debug, Deserialize)]
struct Refund {
    amount: i64,
    status: String,
}

impl PaymentIntent {
    /// Our status for Stripe's.
    pub fn payment_status(&self) -> PaymentStatus {
        match self.status.as_str() {
            "requires_capture" => PaymentStatus::Authorized,
            "succeeded" => PaymentStatus::Captured,
            "canceled" => PaymentStatus::Voided,
            "requires_payment_method" => PaymentStatus::Failed,
            // requires_action, requires_confirmation, processing: the buyer or the bank acts.
            _ => PaymentStatus::Pending,
        }
    }
}

impl StripeProvider {
    pub fn new(settings: StripeSettings) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        Self { settings, http }
    }

    async fn post<T: for<'de> Deserialize<'de>>(
        &self,
        path: &str,
        form: &[(&str, String)],
        attempt: &str,
    ) -> Result<T, ProviderError> {
        let idempotency_key = request_key(attempt, path, form);
        let url = format!("{}{}", self.settings.api_base.trim_end_matches('/'), path);
        let response = self
            .http
            .post(url)
            .bearer_auth(&self.settings.secret_key)
            .header("Idempotency-Key", &idempotency_key)
            .form(form)
            .send()
            .await
            .map_err(|e| ProviderError::Unavailable(e.to_string()))?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| ProviderError::Unavailable(e.to_string()))?;
        if status.is_success() {
            return serde_json::from_slice(&body)
                .map_err(|e| ProviderError::Unavailable(format!("unexpected answer: {e}")));
        }
        let message = serde_json::from_slice::<ErrorEnvelope>(&body)
            .ok()
            .and_then(|e| e.error.message)
            .unwrap_or_else(|| format!("HTTP {status}"));
        // 402: the card was declined; 400: a bad token or request the buyer can fix.
        if status.as_u16() == 402 || status.as_u16() == 400 {
            Err(ProviderError::Declined(message))
        } else {
            Err(ProviderError::Unavailable(message))
        }
    }

    fn external_id(payment: &Payment) -> Result<&str, ProviderError> {
        payment
            .external_id
            .as_deref()
            .ok_or_else(|| ProviderError::Declined("the payment has no PaymentIntent".into()))
    }
}

/// Stripe's idempotency key for `form` sent to `path` by the attempt named `attempt`. Stripe
/// refuses a key sent again with other parameters, so the key covers them: a retry of the
/// attempt sends the same request under the same key and gets its first answer, while the
/// same attempt asking for something else is a new request. (So if a cart's total changes
/// without the cart changing, after a reply was lost, the card is authorised again and the
/// first hold lapses at Stripe.) Hashed, it also stays within Stripe's 255 characters.
fn request_key(attempt: &str, path: &str, form: &[(&str, String)]) -> String {
    let mut hash = Sha256::new();
    hash.update(attempt.as_bytes());
    hash.update([0]);
    hash.update(path.as_bytes());
    for (name, value) in form {
        hash.update([0]);
        hash.update(name.as_bytes());
        hash.update([1]);
        hash.update(value.as_bytes());
    }
    format!("vitrine-{}", hex::encode(hash.finalize()))
}

fn from_intent(intent: PaymentIntent, refunded_minor: i64) -> ProviderPayment {
    ProviderPayment {
        status: intent.payment_status(),
        captured_minor: intent.amount_received,
        external_id: Some(intent.id),
        client_secret: intent.client_secret,
        refunded_minor,
    }
}

#[async_trait::async_trait]
impl PaymentProvider for StripeProvider {
    fn method(&self) -> PaymentMethod {
        PaymentMethod::Card
    }

    async fn authorize(
        &self,
        request: &AuthorizeRequest,
    ) -> Result<ProviderPayment, ProviderError> {
        let Some(token) = request.payment_token.as_deref().filter(|t| !t.trim().is_empty()) else {
            return Err(ProviderError::Declined("a card payment needs `paymentToken`".into()));
        };
        let capture = if self.settings.capture_at_checkout { "automatic" } else { "manual" };
        let form = [
            ("amount", request.amount.minor.to_string()),
            ("currency", request.amount.currency.to_string().to_ascii_lowercase()),
            ("payment_method", token.to_owned()),
            ("confirm", "true".to_owned()),
            ("capture_method", capture.to_owned()),
            ("receipt_email", request.email.clone()),
            ("metadata[cart_id]", request.cart_id.to_string()),
            ("metadata[cart_version]", request.cart_version.to_string()),
        ];
        let intent: PaymentIntent =
            self.post("/v1/payment_intents", &form, &request.attempt).await?;
        if intent.status == "requires_payment_method" {
            let message = intent
                .last_payment_error
                .and_then(|e| e.message)
                .unwrap_or_else(|| "the card was declined".into());
            return Err(ProviderError::Declined(message));
        }
        Ok(from_intent(intent, 0))
    }

    async fn capture(&self, payment: &Payment) -> Result<ProviderPayment, ProviderError> {
        let id = Self::external_id(payment)?;
        let intent: PaymentIntent = self
            .post(
                &format!("/v1/payment_intents/{id}/capture"),
                &[],
                &format!("capture-{}", payment.id),
            )
            .await?;
        Ok(from_intent(intent, payment.refunded.minor))
    }

    async fn void(&self, payment: &Payment) -> Result<ProviderPayment, ProviderError> {
        let id = Self::external_id(payment)?;
        let intent: PaymentIntent = self
            .post(
                &format!("/v1/payment_intents/{id}/cancel"),
                &[],
                &format!("cancel-{}", payment.id),
            )
            .await?;
        Ok(from_intent(intent, payment.refunded.minor))
    }

    async fn refund(
        &self,
        payment: &Payment,
        amount: Money,
    ) -> Result<ProviderPayment, ProviderError> {
        let id = Self::external_id(payment)?;
        let form = [("payment_intent", id.to_owned()), ("amount", amount.minor.to_string())];
        let attempt = format!("refund-{}-{}", payment.id, payment.refunded.minor);
        let refund: Refund = self.post("/v1/refunds", &form, &attempt).await?;
        if refund.status == "failed" || refund.status == "canceled" {
            return Err(ProviderError::Declined(format!("the refund {}", refund.status)));
        }
        let refunded = payment.refunded.minor.saturating_add(refund.amount);
        Ok(ProviderPayment {
            status: if refunded >= payment.captured.minor {
                PaymentStatus::Refunded
            } else {
                PaymentStatus::PartiallyRefunded
            },
            external_id: payment.external_id.clone(),
            client_secret: None,
            captured_minor: payment.captured.minor,
            refunded_minor: refunded,
        })
    }
}

/// Why a webhook was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("missing or malformed Stripe-Signature header")]
    Malformed,
    #[error("the signature does not match")]
    Mismatch,
    #[error("the signature is too old")]
    TooOld,
}

/// How old a signed webhook may be, against replays.
pub const SIGNATURE_TOLERANCE_SECS: i64 = 300;

/// Checks `Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (any of
/// several `v1` values may match, as during a secret rotation).
pub fn verify_signature(
    body: &[u8],
    header: &str,
    secret: &str,
    now_unix: i64,
) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut signatures = vec![];
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v)) => {
                signatures.push(hex::decode(v).map_err(|_| SignatureError::Malformed)?)
            }
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    let matches = signatures.iter().any(|signature| {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
            return false;
        };
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        // `verify_slice` compares in constant time.
        mac.verify_slice(signature).is_ok()
    });
    if !matches {
        return Err(SignatureError::Mismatch);
    }
    if (now_unix - timestamp).abs() > SIGNATURE_TOLERANCE_SECS {
        return Err(SignatureError::TooOld);
    }
    Ok(())
}

/// Signs a body as Stripe does; for tests and the local stand-in.
pub fn sign(body: &[u8], secret: &str, timestamp: i64) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("t={timestamp},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// A webhook event: its type and the PaymentIntent it is about.
#[derive(Debug, Deserialize)]
pub struct WebhookEvent {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub data: WebhookData,
}

#[derive(Debug, Deserialize)]
pub struct WebhookData {
    pub object: PaymentIntent,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_signed_with_the_secret_verifies() {
        let header = sign(b"{\"id\":1}", "whsec_test", 1_000);
        assert_eq!(verify_signature(b"{\"id\":1}", &header, "whsec_test", 1_010), Ok(()));
    }

    #[test]
    fn a_changed_body_or_another_secret_does_not_verify() {
        let header = sign(b"{\"id\":1}", "whsec_test", 1_000);
        assert_eq!(
            verify_signature(b"{\"id\":2}", &header, "whsec_test", 1_000),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_signature(b"{\"id\":1}", &header, "whsec_other", 1_000),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn an_old_signature_is_refused_against_replays() {
        let header = sign(b"{}", "whsec_test", 1_000);
        assert_eq!(
            verify_signature(b"{}", &header, "whsec_test", 1_000 + SIGNATURE_TOLERANCE_SECS + 1),
            Err(SignatureError::TooOld)
        );
    }

    #[test]
    fn a_malformed_header_is_refused() {
        assert_eq!(verify_signature(b"{}", "v1=zz", "s", 0), Err(SignatureError::Malformed));
        assert_eq!(verify_signature(b"{}", "t=1", "s", 0), Err(SignatureError::Malformed));
    }

    #[test]
    fn stripe_statuses_map_onto_ours() {
        let intent = |status: &str| PaymentIntent {
            id: "pi_1".into(),
            status: status.into(),
            amount_received: 0,
            client_secret: None,
            last_payment_error: None,
        };
        assert_eq!(intent("requires_capture").payment_status(), PaymentStatus::Authorized);
        assert_eq!(intent("succeeded").payment_status(), PaymentStatus::Captured);
        assert_eq!(intent("requires_action").payment_status(), PaymentStatus::Pending);
        assert_eq!(intent("canceled").payment_status(), PaymentStatus::Voided);
    }
}
