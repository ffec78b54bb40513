//! Payment providers behind one trait: invoice (company terms), manual (bank transfer) and
//! card (Stripe PaymentIntents). Checkout authorises; fulfilment or staff capture; cancelling
//! voids or refunds. Calls to a provider never run inside a database transaction: the order
//! is written first (stock reserved), the provider is asked, and the answer is recorded.

pub mod stripe;
#[cfg(feature = "testing")]
pub mod stripe_mock;

use std::collections::HashMap;
use std::sync::Arc;

use uuid::Uuid;
use vitrine_domain::money::Money;
use vitrine_domain::order::Payment;
use vitrine_domain::payment::{PaymentMethod, PaymentStatus};

/// What checkout asks a provider for. Nothing in it may differ between a checkout attempt
/// and its retry (no fresh order id), so that the provider recognises the retry.
#[derive(Clone, Debug)]
pub struct AuthorizeRequest {
    pub cart_id: Uuid,
    pub cart_version: i32,
    pub amount: Money,
    pub email: String,
    /// The card provider's token for the buyer's card (`pm_…`), from the storefront.
    pub payment_token: Option<String>,
    /// Names the checkout attempt, so that a retried call charges once; the provider's key
    /// also covers what is asked (see `stripe`), so that another request never reuses it.
    pub attempt: String,
}

/// Where the provider says the payment stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderPayment {
    pub status: PaymentStatus,
    pub external_id: Option<String>,
    pub client_secret: Option<String>,
    pub captured_minor: i64,
    pub refunded_minor: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The provider refused: a declined card, a missing card token.
    #[error("{0}")]
    Declined(String),
    /// The provider could not be reached or answered nonsense; try again later.
    #[error("payment provider unavailable: {0}")]
    Unavailable(String),
}

#[async_trait::async_trait]
pub trait PaymentProvider: Send + Sync {
    fn method(&self) -> PaymentMethod;

    /// Starts the payment at checkout.
    async fn authorize(&self, request: &AuthorizeRequest)
        -> Result<ProviderPayment, ProviderError>;

    /// Takes the money that `authorize` secured (or records that it arrived).
    async fn capture(&self, payment: &Payment) -> Result<ProviderPayment, ProviderError>;

    /// Calls off a payment that took no money.
    async fn void(&self, payment: &Payment) -> Result<ProviderPayment, ProviderError>;

    /// Gives back `amount` of what was captured.
    async fn refund(
        &self,
        payment: &Payment,
        amount: Money,
    ) -> Result<ProviderPayment, ProviderError>;
}

/// Payments no provider takes: `Invoice` (on the company's terms, paid when the invoice is)
/// and `Manual` (a bank transfer, paid when staff mark it). Both move the same way; only
/// what checkout makes of a pending payment differs.
pub struct OfflineProvider(pub PaymentMethod);

fn unchanged(payment: &Payment, status: PaymentStatus, refunded: i64) -> ProviderPayment {
    ProviderPayment {
        status,
        external_id: payment.external_id.clone(),
        client_secret: None,
        captured_minor: if status == PaymentStatus::Captured {
            payment.amount.minor
        } else {
            payment.captured.minor
        },
        refunded_minor: refunded,
    }
}

fn pending() -> ProviderPayment {
    ProviderPayment {
        status: PaymentStatus::Pending,
        external_id: None,
        client_secret: None,
        captured_minor: 0,
        refunded_minor: 0,
    }
}

fn offline_refund(payment: &Payment, amount: Money) -> ProviderPayment {
    let refunded = payment.refunded.minor.saturating_add(amount.minor);
    let status = if refunded >= payment.captured.minor {
        PaymentStatus::Refunded
    } else {
        PaymentStatus::PartiallyRefunded
    };
    unchanged(payment, status, refunded)
}

#[async_trait::async_trait]
impl PaymentProvider for OfflineProvider {
    fn method(&self) -> PaymentMethod {
        self.0
    }

    async fn authorize(&self, _: &AuthorizeRequest) -> Result<ProviderPayment, ProviderError> {
        Ok(pending())
    }

    async fn capture(&self, payment: &Payment) -> Result<ProviderPayment, ProviderError> {
        Ok(unchanged(payment, PaymentStatus::Captured, payment.refunded.minor))
    }

    async fn void(&self, payment: &Payment) -> Result<ProviderPayment, ProviderError> {
        Ok(unchanged(payment, PaymentStatus::Voided, payment.refunded.minor))
    }

    async fn refund(
        &self,
        payment: &Payment,
        amount: Money,
    ) -> Result<ProviderPayment, ProviderError> {
        Ok(offline_refund(payment, amount))
    }
}

/// The providers this process can use, by method.
#[derive(Clone, Default)]
pub struct Providers {
    by_method: HashMap<PaymentMethod, Arc<dyn PaymentProvider>>,
    /// Card payments are captured at checkout instead of at fulfilment.
    pub capture_at_checkout: bool,
    /// Verifies the card provider's webhooks.
    pub webhook_secret: Option<String>,
}

impl Providers {
    /// Invoice and manual always; the card when Stripe is configured.
    pub fn new(stripe: Option<&stripe::StripeSettings>) -> Self {
        let mut providers = Self::default();
        providers.add(Arc::new(OfflineProvider(PaymentMethod::Invoice)));
        providers.add(Arc::new(OfflineProvider(PaymentMethod::Manual)));
        if let Some(settings) = stripe {
            providers.add(Arc::new(stripe::StripeProvider::new(settings.clone())));
            providers.capture_at_checkout = settings.capture_at_checkout;
            providers.webhook_secret = settings.webhook_secret.clone();
        }
        providers
    }

    pub fn add(&mut self, provider: Arc<dyn PaymentProvider>) {
        self.by_method.insert(provider.method(), provider);
    }

    pub fn get(&self, method: PaymentMethod) -> Option<&Arc<dyn PaymentProvider>> {
        self.by_method.get(&method)
    }

    pub fn has(&self, method: PaymentMethod) -> bool {
        self.by_method.contains_key(&method)
    }
}
