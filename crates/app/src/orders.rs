//! Orders after checkout: who may see them, and their lifecycle (payment, fulfilment,
//! carrier tracking, cancellation), each change one transaction on a fresh read of the order
//! (`Store::change_order`) with its events in the outbox.
//!
//! Payment providers are called outside transactions: before the change when the change
//! depends on their answer (a refund before cancelling), after it otherwise (a capture when
//! the order ships), and their answer is recorded in a change of its own.

use crate::Caller;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;
use vitrine_domain::access::{Actor, Permission};
use vitrine_domain::cart::Cart;
use vitrine_domain::company::CompanyRole;
use vitrine_domain::inventory::StockMovement;
use vitrine_domain::money::Money;
use vitrine_domain::order::{
    all_delivered, transition, Allocation, Fulfillment, FulfillmentEvent, Order, OrderEvent,
    OrderStatus, Payment, ShipmentStatus,
};
use vitrine_domain::payment::{on_cancel, CancelPayment, PaymentMethod, PaymentStatus};
use vitrine_store::{ChangeOutcome, OrderChange, OrderFilter, OrderState, OutboxEvent, Store};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::cart::CartService;
use crate::error::AppResult;
use crate::inventory::actor_label;
use crate::limits::Throttle;
use crate::order_feed::OrderFeed;
use crate::payment::{ProviderError, ProviderPayment, Providers};
use crate::Settings;
use crate::{AppError, ErrorCode, UserError};

const MAX_TEXT: usize = 255;

/// 128 bits: guessing is hopeless even without the lookup rate limit.
const STATUS_TOKEN_BYTES: usize = 16;

fn status_hmac(settings: &Settings, order_id: Uuid) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(settings.jwt_secret.expose())
        .expect("HMAC takes keys of any length");
    mac.update(b"vitrine order status token\0");
    mac.update(order_id.as_bytes());
    mac
}

#[derive(Clone)]
pub struct OrderService {
    pub(crate) store: Store,
    pub(crate) carts: CartService,
    pub(crate) providers: Arc<Providers>,
    pub(crate) feed: Arc<OrderFeed>,
    settings: Arc<Settings>,
    throttle: Throttle,
}

/// A fulfilment to create: which lines (empty: everything left) and the parcel's tracking.
#[derive(Clone, Debug, Default)]
pub struct FulfillmentInput {
    pub lines: Vec<(Uuid, u32)>,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub tracking_url: Option<String>,
}

fn order_not_found() -> AppError {
    AppError::user(UserError::not_found("id", "order"))
}

fn illegal(order: &Order, what: &str) -> UserError {
    UserError::new(
        &["id"],
        ErrorCode::InvalidTransition,
        format!("an order that is {} cannot be {what}", order.status),
    )
}

/// The event every order change writes: who listens learns the new status.
pub(crate) fn order_event(topic: &str, order: &Order, status: OrderStatus) -> OutboxEvent {
    OutboxEvent {
        topic: topic.to_owned(),
        subject_id: order.id,
        payload: json!({
            "id": order.id,
            "number": order.number,
            "status": status.as_str(),
            "email": order.email,
            "total": { "amount": order.total.to_decimal_string(), "currencyCode": order.currency.to_string() },
        }),
    }
}

pub(crate) fn record(payment: &Payment, answer: &ProviderPayment) -> Payment {
    Payment {
        status: answer.status,
        external_id: answer.external_id.clone().or_else(|| payment.external_id.clone()),
        client_secret: answer.client_secret.clone().or_else(|| payment.client_secret.clone()),
        captured: Money::new(answer.captured_minor, payment.amount.currency),
        refunded: Money::new(answer.refunded_minor, payment.amount.currency),
        error: None,
        updated_at: Utc::now(),
        ..payment.clone()
    }
}

/// Puts every unit the order still holds back on sale (a cancellation).
fn release_open_allocations(state: &OrderState, change: &mut OrderChange) {
    for a in &state.allocations {
        let open = a.open();
        if open > 0 {
            change.stock.push((
                a.variant_id,
                a.location_id,
                StockMovement::Release { quantity: i64::from(open) },
            ));
            change.allocations.push(Allocation { released: a.released + open, ..a.clone() });
        }
    }
}

fn text(value: Option<String>, field: &str, errors: &mut Vec<UserError>) -> Option<String> {
    let value = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())?;
    if value.chars().count() > MAX_TEXT {
        errors.push(UserError::new(
            &[field],
            ErrorCode::TooLong,
            format!("at most {MAX_TEXT} characters"),
        ));
    }
    Some(value)
}

impl OrderService {
    pub fn new(
        store: Store,
        carts: CartService,
        providers: Arc<Providers>,
        settings: Arc<Settings>,
        throttle: Throttle,
    ) -> Self {
        let feed = OrderFeed::new(store.clone());
        Self { store, carts, providers, feed, settings, throttle }
    }

    pub fn feed(&self) -> &Arc<OrderFeed> {
        &self.feed
    }

    // ---- who sees what ----------------------------------------------------------------------

    /// Staff and integrators with `orders:read`, the customer who ordered, and the admins of
    /// the company the order was for.
    pub async fn may_see(&self, actor: &Actor, order: &Order) -> AppResult<bool> {
        if actor.has(Permission::OrdersRead) {
            return Ok(true);
        }
        let Actor::Customer { id } = actor else { return Ok(false) };
        if order.customer_id == Some(*id) {
            return Ok(true);
        }
        let Some(company) = order.company_id else { return Ok(false) };
        let membership = self.store.membership(*id).await?;
        Ok(membership
            .is_some_and(|m| m.company.id == company && m.member.role == CompanyRole::Admin))
    }

    pub async fn order(&self, actor: &Actor, id: Uuid) -> AppResult<Option<Order>> {
        let Some(order) = self.store.order(id).await? else { return Ok(None) };
        Ok(self.may_see(actor, &order).await?.then_some(order))
    }

    /// The secret that lets a guest see `order` (`orderLookup`), given to the buyer with the
    /// order and nobody else. It is a MAC of the order's id under the signing key, so nothing
    /// is stored, and neither a number nor an email leads to it.
    pub fn status_token(&self, order: &Order) -> String {
        let mac = status_hmac(&self.settings, order.id).finalize().into_bytes();
        URL_SAFE_NO_PAD.encode(&mac[..STATUS_TOKEN_BYTES])
    }

    /// A guest finds their order with its number, the email it was placed with and its status
    /// token. Lookups are limited per client address; a wrong answer says nothing about which
    /// part was wrong.
    pub async fn lookup(
        &self,
        caller: Caller<'_>,
        number: i64,
        email: &str,
        token: &str,
    ) -> AppResult<Option<Order>> {
        if let Some(client) = caller.client {
            let key = format!("order-lookup:{client}");
            let (attempts, window) =
                (self.settings.guest_lookup_attempts, self.settings.sign_in_window);
            self.throttle.allow(&key, attempts, window, "token", "order lookups").await?;
        }
        let Some(order) = self.store.order_by_number(number).await? else { return Ok(None) };
        let given = URL_SAFE_NO_PAD.decode(token.trim()).unwrap_or_default();
        // Compared in constant time, so timing tells nothing about how much was right.
        let token_matches = given.len() == STATUS_TOKEN_BYTES
            && status_hmac(&self.settings, order.id).verify_truncated_left(&given).is_ok();
        let email_matches = order.email.trim().eq_ignore_ascii_case(email.trim());
        Ok((token_matches && email_matches).then_some(order))
    }

    /// A new cart with a past order's lines (those still sold on `channel`), for whoever may
    /// see the order.
    pub async fn reorder(&self, caller: Caller<'_>, order_id: Uuid) -> AppResult<Cart> {
        let Some(order) = self.order(caller.actor, order_id).await? else {
            return Err(AppError::user(UserError::not_found("orderId", "order")));
        };
        let lines = self.store.order_lines(&[order.id]).await?;
        let lines = lines.into_iter().map(|l| (l.variant_id, l.quantity)).collect();
        self.carts.reorder(caller, order.currency, lines).await
    }

    pub async fn orders_page(
        &self,
        filter: &OrderFilter,
        before: Option<i64>,
        limit: u64,
    ) -> AppResult<Vec<Order>> {
        Ok(self.store.orders_page(filter, before, limit).await?)
    }

    /// Orders a customer sees in their account: their own, and as a company admin the
    /// company's.
    pub async fn account_filter(&self, customer_id: Uuid) -> AppResult<OrderFilter> {
        let membership = self.store.membership(customer_id).await?;
        Ok(match membership.filter(|m| m.member.role == CompanyRole::Admin) {
            Some(m) => OrderFilter { company_id: Some(m.company.id), ..OrderFilter::default() },
            None => OrderFilter { customer_id: Some(customer_id), ..OrderFilter::default() },
        })
    }

    pub async fn state(&self, id: Uuid) -> AppResult<Option<OrderState>> {
        Ok(self.store.order_state(id).await?)
    }

    // ---- changes ----------------------------------------------------------------------------

    async fn change<F>(
        &self,
        actor: &Actor,
        order_id: Uuid,
        reason: &str,
        decide: F,
    ) -> AppResult<OrderState>
    where
        F: FnOnce(&OrderState) -> Result<OrderChange, Vec<UserError>>,
    {
        let outcome = self
            .store
            .change_order(order_id, &actor_label(actor), reason, decide, |problems| {
                problems
                    .into_iter()
                    .map(|p| UserError::new(&["lines"], ErrorCode::NotReserved, p))
                    .collect::<Vec<_>>()
            })
            .await?;
        match outcome {
            ChangeOutcome::Changed(state) => {
                self.feed.notify_local_write();
                Ok(*state)
            }
            ChangeOutcome::Refused(errors) => Err(AppError::User(errors)),
            ChangeOutcome::Missing => Err(order_not_found()),
        }
    }

    /// Cancels an unshipped order: its reserved stock goes back on sale and its payment is
    /// voided or refunded first (if the provider refuses, nothing changes).
    pub async fn cancel(
        &self,
        actor: &Actor,
        id: Uuid,
        reason: Option<String>,
    ) -> AppResult<OrderState> {
        let mut errors = vec![];
        let reason = text(reason, "reason", &mut errors);
        if !errors.is_empty() {
            return Err(AppError::User(errors));
        }
        let state = self.store.order_state(id).await?.ok_or_else(order_not_found)?;
        if transition(state.order.status, OrderEvent::Cancel).is_err() {
            return Err(AppError::user(illegal(&state.order, "cancelled")));
        }
        let mut settled = vec![];
        for payment in &state.payments {
            let Some(provider) = self.providers.get(payment.provider) else { continue };
            let answer = match on_cancel(payment.status) {
                CancelPayment::Void => provider.void(payment).await,
                CancelPayment::Refund => {
                    let left = Money::new(
                        payment.captured.minor - payment.refunded.minor,
                        payment.amount.currency,
                    );
                    provider.refund(payment, left).await
                }
                CancelPayment::Nothing => continue,
            };
            match answer {
                Ok(answer) => settled.push(record(payment, &answer)),
                Err(e) => return Err(AppError::user(provider_error(&e))),
            }
        }
        self.change(actor, id, "order cancelled", move |state| {
            let to = transition(state.order.status, OrderEvent::Cancel)
                .map_err(|_| vec![illegal(&state.order, "cancelled")])?;
            let mut change = OrderChange {
                status: Some(to),
                cancel_reason: reason.clone(),
                payments: settled,
                ..OrderChange::default()
            };
            release_open_allocations(state, &mut change);
            change.events.push(order_event("order.cancelled", &state.order, to));
            Ok(change)
        })
        .await
    }

    /// Ships lines (all that is left when `input.lines` is empty) from the locations their
    /// stock was reserved at; the order becomes partially fulfilled or fulfilled. A card
    /// authorised at checkout is captured now unless configured to capture at checkout.
    pub async fn fulfill(
        &self,
        actor: &Actor,
        id: Uuid,
        input: FulfillmentInput,
    ) -> AppResult<OrderState> {
        let mut errors = vec![];
        let carrier = text(input.carrier, "carrier", &mut errors);
        let tracking_number = text(input.tracking_number, "trackingNumber", &mut errors);
        let tracking_url = text(input.tracking_url, "trackingUrl", &mut errors);
        if let Some(url) = &tracking_url {
            if !vitrine_domain::catalog::is_web_url(url, false) {
                errors.push(UserError::new(&["trackingUrl"], ErrorCode::Invalid, "an http(s) URL"));
            }
        }
        for (i, (_, q)) in input.lines.iter().enumerate() {
            if *q == 0 {
                errors.push(UserError::new(
                    &["lines", &i.to_string(), "quantity"],
                    ErrorCode::Invalid,
                    "at least 1",
                ));
            }
        }
        if !errors.is_empty() {
            return Err(AppError::User(errors));
        }
        let now = Utc::now();
        let asked = input.lines;
        let state = self
            .change(actor, id, "order shipped", move |state| {
                let order = &state.order;
                let mut wanted: Vec<(Uuid, u32)> = if asked.is_empty() {
                    state
                        .lines
                        .iter()
                        .filter(|l| l.quantity > l.fulfilled_quantity)
                        .map(|l| (l.id, l.quantity - l.fulfilled_quantity))
                        .collect()
                } else {
                    asked.clone()
                };
                wanted.retain(|(_, q)| *q > 0);
                if wanted.is_empty() {
                    return Err(vec![UserError::new(
                        &["lines"],
                        ErrorCode::Invalid,
                        "nothing is left to ship",
                    )]);
                }
                let mut errors = vec![];
                let mut change = OrderChange::default();
                let mut allocations = state.allocations.clone();
                let mut lines = state.lines.clone();
                for (i, (line_id, quantity)) in wanted.iter().enumerate() {
                    let row = i.to_string();
                    let Some(line) = lines.iter_mut().find(|l| l.id == *line_id) else {
                        errors.push(UserError::new(
                            &["lines", &row, "orderLineId"],
                            ErrorCode::NotFound,
                            "no such line in this order",
                        ));
                        continue;
                    };
                    if line.fulfilled_quantity + quantity > line.quantity {
                        errors.push(UserError::new(
                            &["lines", &row, "quantity"],
                            ErrorCode::TooMany,
                            format!(
                                "only {} left to ship",
                                line.quantity - line.fulfilled_quantity
                            ),
                        ));
                        continue;
                    }
                    line.fulfilled_quantity += quantity;
                    change.fulfilled.push((line.id, line.fulfilled_quantity));
                    // Take the units from the line's reservations, oldest first.
                    let mut left = *quantity;
                    for a in allocations.iter_mut().filter(|a| a.variant_id == line.variant_id) {
                        let take = left.min(a.open());
                        if take == 0 {
                            continue;
                        }
                        a.fulfilled += take;
                        left -= take;
                        change.stock.push((
                            a.variant_id,
                            a.location_id,
                            StockMovement::Fulfil { quantity: i64::from(take) },
                        ));
                        if left == 0 {
                            break;
                        }
                    }
                }
                if !errors.is_empty() {
                    return Err(errors);
                }
                change.allocations = allocations
                    .into_iter()
                    .filter(|a| state.allocations.iter().any(|o| o.id == a.id && o != a))
                    .collect();
                let all_shipped = lines.iter().all(|l| l.fulfilled_quantity >= l.quantity);
                let to = transition(order.status, OrderEvent::Shipped { all_shipped })
                    .map_err(|_| vec![illegal(order, "shipped")])?;
                let fulfillment_id = Uuid::now_v7();
                change.new_fulfillment = Some(Fulfillment {
                    id: fulfillment_id,
                    order_id: order.id,
                    status: ShipmentStatus::Confirmed,
                    carrier: carrier.clone(),
                    tracking_number: tracking_number.clone(),
                    tracking_url: tracking_url.clone(),
                    lines: wanted.clone(),
                    events: vec![],
                    created_at: now,
                    updated_at: now,
                });
                change.status = Some(to);
                change.events.push(order_event("order.fulfilled", order, to));
                Ok(change)
            })
            .await?;
        if self.providers.capture_at_checkout {
            return Ok(state);
        }
        self.capture_authorised(actor, state).await
    }

    async fn capture_authorised(&self, actor: &Actor, state: OrderState) -> AppResult<OrderState> {
        let Some(payment) =
            state.payments.iter().find(|p| p.status == PaymentStatus::Authorized).cloned()
        else {
            return Ok(state);
        };
        let Some(provider) = self.providers.get(payment.provider) else { return Ok(state) };
        let updated = match provider.capture(&payment).await {
            Ok(answer) => record(&payment, &answer),
            Err(e) => {
                // The parcel has left: record why the capture failed for staff to follow up.
                tracing::warn!(order = %state.order.id, "capture failed: {e}");
                Payment { error: Some(e.to_string()), updated_at: Utc::now(), ..payment }
            }
        };
        self.change(actor, state.order.id, "payment captured", move |state| {
            let mut change = OrderChange { payments: vec![updated], ..OrderChange::default() };
            change.events.push(order_event("order.paid", &state.order, state.order.status));
            Ok(change)
        })
        .await
    }

    /// Records a carrier's tracking event; when every parcel is delivered and nothing is left
    /// to ship, the order is delivered.
    pub async fn fulfillment_event(
        &self,
        actor: &Actor,
        fulfillment_id: Uuid,
        status: ShipmentStatus,
        message: Option<String>,
        happened_at: Option<DateTime<Utc>>,
    ) -> AppResult<OrderState> {
        let mut errors = vec![];
        let message = text(message, "message", &mut errors);
        if !errors.is_empty() {
            return Err(AppError::User(errors));
        }
        let Some(order_id) = self.store.order_of_fulfillment(fulfillment_id).await? else {
            return Err(AppError::user(UserError::not_found("fulfillmentId", "fulfillment")));
        };
        let happened_at = happened_at.unwrap_or_else(Utc::now);
        self.change(actor, order_id, "tracking", move |state| {
            let order = &state.order;
            if order.status == OrderStatus::Cancelled {
                return Err(vec![illegal(order, "tracked")]);
            }
            let mut change = OrderChange::default();
            change.new_events.push(FulfillmentEvent {
                id: Uuid::now_v7(),
                fulfillment_id,
                status,
                message: message.clone(),
                happened_at,
            });
            let parcels: Vec<ShipmentStatus> = state
                .fulfillments
                .iter()
                .map(|f| if f.id == fulfillment_id { status } else { f.status })
                .collect();
            let all_shipped = state.lines.iter().all(|l| l.fulfilled_quantity >= l.quantity);
            let mut to = order.status;
            if order.status == OrderStatus::Fulfilled && all_delivered(all_shipped, &parcels) {
                to = transition(order.status, OrderEvent::Delivered)
                    .map_err(|_| vec![illegal(order, "delivered")])?;
                change.status = Some(to);
            }
            change.events.push(order_event(
                if to == OrderStatus::Delivered { "order.delivered" } else { "order.tracking" },
                order,
                to,
            ));
            Ok(change)
        })
        .await
    }

    /// Staff record that an invoice or bank transfer was paid; an order waiting for its
    /// payment moves on to processing.
    pub async fn mark_paid(&self, actor: &Actor, id: Uuid) -> AppResult<OrderState> {
        let state = self.store.order_state(id).await?.ok_or_else(order_not_found)?;
        let Some(payment) = state
            .payments
            .iter()
            .find(|p| p.status == PaymentStatus::Pending && p.provider != PaymentMethod::Card)
            .cloned()
        else {
            return Err(AppError::user(UserError::new(
                &["id"],
                ErrorCode::InvalidTransition,
                "the order has no unpaid invoice or transfer",
            )));
        };
        if state.order.status == OrderStatus::Cancelled {
            return Err(AppError::user(illegal(&state.order, "paid")));
        }
        let provider = self.providers.get(payment.provider).ok_or_else(|| {
            AppError::user(UserError::new(
                &["id"],
                ErrorCode::PaymentMethodUnavailable,
                "provider not configured",
            ))
        })?;
        let answer =
            provider.capture(&payment).await.map_err(|e| AppError::user(provider_error(&e)))?;
        let updated = record(&payment, &answer);
        self.change(actor, id, "payment received", move |state| {
            let mut change = OrderChange { payments: vec![updated], ..OrderChange::default() };
            let mut to = state.order.status;
            if state.order.status == OrderStatus::PendingPayment {
                to = transition(to, OrderEvent::PaymentSecured)
                    .map_err(|_| vec![illegal(&state.order, "paid")])?;
                change.status = Some(to);
            }
            change.events.push(order_event("order.paid", &state.order, to));
            Ok(change)
        })
        .await
    }

    /// Applies a card provider's word about a payment (from a verified webhook): secured
    /// moves a waiting order on; failed cancels it and releases its stock. Unknown payments
    /// and repeated events change nothing.
    pub async fn payment_update(
        &self,
        external_id: &str,
        status: PaymentStatus,
        received_minor: i64,
    ) -> AppResult<Option<OrderState>> {
        let Some(payment) = self.store.payment_by_external_id(external_id).await? else {
            return Ok(None);
        };
        if payment.status == status {
            return Ok(None);
        }
        let actor = Actor::Anonymous;
        let state = self
            .change(&actor, payment.order_id, "payment update", move |state| {
                let mut change = OrderChange::default();
                let Some(current) = state.payments.iter().find(|p| p.id == payment.id) else {
                    return Ok(change);
                };
                let updated = Payment {
                    status,
                    captured: Money::new(
                        received_minor.max(current.captured.minor),
                        current.amount.currency,
                    ),
                    updated_at: Utc::now(),
                    ..current.clone()
                };
                change.payments.push(updated);
                let order = &state.order;
                if status.secures_order() && order.status == OrderStatus::PendingPayment {
                    let to = transition(order.status, OrderEvent::PaymentSecured)
                        .map_err(|_| vec![illegal(order, "paid")])?;
                    change.status = Some(to);
                    change.events.push(order_event("order.paid", order, to));
                } else if matches!(status, PaymentStatus::Failed | PaymentStatus::Voided)
                    && order.status == OrderStatus::PendingPayment
                {
                    let to = OrderStatus::Cancelled;
                    change.status = Some(to);
                    change.cancel_reason = Some("payment failed".to_owned());
                    release_open_allocations(state, &mut change);
                    change.events.push(order_event("order.cancelled", order, to));
                } else {
                    change.events.push(order_event("order.updated", order, order.status));
                }
                Ok(change)
            })
            .await?;
        Ok(Some(state))
    }
}

/// Why a card provider's webhook was refused.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("webhooks are not configured (no webhook secret)")]
    NotConfigured,
    #[error(transparent)]
    Signature(#[from] crate::payment::stripe::SignatureError),
    #[error("not a payment event: {0}")]
    Malformed(String),
    #[error(transparent)]
    App(#[from] AppError),
}

impl OrderService {
    /// Handles a Stripe webhook: checks its signature, then applies PaymentIntent events to
    /// the payment they are about. Other event types are acknowledged and ignored.
    pub async fn card_webhook(&self, body: &[u8], signature: &str) -> Result<(), WebhookError> {
        use crate::payment::stripe::{verify_signature, WebhookEvent};
        let secret = self.providers.webhook_secret.as_deref().ok_or(WebhookError::NotConfigured)?;
        verify_signature(body, signature, secret, Utc::now().timestamp())?;
        let value: serde_json::Value =
            serde_json::from_slice(body).map_err(|e| WebhookError::Malformed(e.to_string()))?;
        let kind = value.get("type").and_then(|t| t.as_str()).unwrap_or_default();
        if !kind.starts_with("payment_intent.") {
            return Ok(());
        }
        let event: WebhookEvent =
            serde_json::from_value(value).map_err(|e| WebhookError::Malformed(e.to_string()))?;
        let intent = event.data.object;
        let status = intent.payment_status();
        self.payment_update(&intent.id, status, intent.amount_received).await?;
        Ok(())
    }
}

pub(crate) fn provider_error(e: &ProviderError) -> UserError {
    match e {
        ProviderError::Declined(m) => {
            UserError::new(&["payment"], ErrorCode::PaymentDeclined, m.clone())
        }
        ProviderError::Unavailable(m) => UserError::new(
            &["payment"],
            ErrorCode::PaymentDeclined,
            format!("the payment provider did not answer: {m}"),
        ),
    }
}
