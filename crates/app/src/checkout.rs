//! Checkout: turning a cart into an order.
//!
//! 1. The cart is re-priced for its owner now (prices, promotions, taxes, delivery), so the
//!    order charges what the cart shows at this moment; with `expected_total` the buyer can
//!    refuse a total that changed since they looked (`PRICE_CHANGED`).
//! 2. A card is authorised first. The attempt is named by the cart version and the caller's
//!    idempotency key, and its request holds nothing that changes on a retry, so a double
//!    click or a retry after a lost reply authorises once, while a new key after a decline is
//!    a new attempt; without a key, a declined call is an attempt of its own. If the order then
//!    cannot be placed, the authorisation is released and the cart's version raised, so that
//!    the next attempt is not answered with it.
//! 3. One transaction (`Store::place_order`) claims the cart, reserves stock, checks discount
//!    limits and the company's credit, numbers the order and writes it with its line
//!    snapshots, payment and `order.created` event.
//!
//! Retrying with the same idempotency key returns the order the first call placed; another
//! checkout of a completed cart is `ALREADY_COMPLETED`.

use crate::Caller;
use std::collections::HashMap;

use chrono::Utc;
use uuid::Uuid;
use vitrine_domain::cart::Cart;
use vitrine_domain::money::Money;
use vitrine_domain::order::{transition, Order, OrderEvent, OrderLine, OrderStatus, Payment};
use vitrine_domain::payment::{PaymentMethod, PaymentStatus};
use vitrine_store::{order_document_uri, NewOrder, PlaceOutcome, StockWrite, UsageLimit};

use crate::cart::PricedCart;
use crate::error::AppResult;
use crate::inventory::{actor_label, reserve_online};
use crate::orders::{order_event, provider_error, OrderService};
use crate::payment::{AuthorizeRequest, ProviderError, ProviderPayment};
use crate::{AppError, ErrorCode, UserError};

const MAX_KEY: usize = 255;

#[derive(Clone, Debug)]
pub struct CheckoutInput {
    pub cart_id: Uuid,
    pub method: PaymentMethod,
    /// The card provider's token for the buyer's card.
    pub payment_token: Option<String>,
    pub idempotency_key: Option<String>,
    /// The total the buyer agreed to; a different current total is refused.
    pub expected_total: Option<Money>,
}

#[derive(Clone, Debug)]
pub struct Placed {
    pub order: Order,
    /// The same key was used before: this is the order that call placed.
    pub replayed: bool,
}

impl OrderService {
    pub async fn checkout(&self, caller: Caller<'_>, input: CheckoutInput) -> AppResult<Placed> {
        if let Some(key) = &input.idempotency_key {
            if key.is_empty() || key.len() > MAX_KEY {
                return Err(AppError::user(UserError::new(
                    &["idempotencyKey"],
                    ErrorCode::Invalid,
                    "an idempotency key has 1 to 255 characters",
                )));
            }
        }
        let Some(cart) = self.carts.get(caller, input.cart_id).await? else {
            return Err(AppError::user(UserError::not_found("cartId", "cart")));
        };
        if let Some(order_id) = cart.order_id {
            return self.replay(order_id, &input).await;
        }
        let pricing = self.carts.owner_pricing(caller.channel, &cart).await?;
        if pricing.membership.as_ref().is_some_and(|m| m.views_only()) {
            // A viewer's cart shows the company's prices; ordering at them is a buyer's job.
            return Err(crate::cart::viewer_does_not_order(&["cartId"]));
        }
        let priced = self.carts.price_with(caller.channel, &cart, &pricing).await?;
        let currency = cart.currency;

        let mut errors = vec![];
        if cart.lines.is_empty() {
            errors.push(UserError::new(&["cartId"], ErrorCode::Blank, "the cart is empty"));
        }
        // `checkoutComplete` has no input for lines: problems with them point at the cart and
        // name the line as the cart lists it.
        if !priced.quote.unsold.is_empty() {
            // The quote knows only what is sold: the SKUs of the rest are read to name them.
            let unsold: Vec<Uuid> = priced.quote.unsold.iter().map(|u| u.variant_id).collect();
            let skus: HashMap<Uuid, String> = self
                .store
                .variants_by_ids(&unsold)
                .await?
                .into_iter()
                .map(|v| (v.id, v.sku))
                .collect();
            for line in &priced.quote.unsold {
                let label = match skus.get(&line.variant_id) {
                    Some(sku) => format!("line {} (SKU {sku})", line.index + 1),
                    None => format!("line {}", line.index + 1),
                };
                errors.push(UserError::new(
                    &["cartId"],
                    ErrorCode::NotFound,
                    format!("{label} is no longer sold here; remove it"),
                ));
            }
        }
        for (line, position) in priced.quote.basket.lines.iter().zip(&priced.quote.asked_index) {
            if let Some(v) = line.violation {
                let (code, message) = crate::pricing::quantity_violation(v);
                let label = line_label(*position, &priced, line.variant_id);
                errors.push(UserError::new(&["cartId"], code, format!("{label}: {message}")));
            }
        }
        let email = cart.email.clone().unwrap_or_default();
        if email.is_empty() {
            errors.push(UserError::new(
                &["buyerIdentity", "email"],
                ErrorCode::Blank,
                "give an email address for the order",
            ));
        }
        let delivery = priced.delivery.clone();
        match &delivery {
            None if priced.withdrawn_delivery.is_some() => errors.push(UserError::new(
                &["cartId"],
                ErrorCode::DeliveryUnavailable,
                format!(
                    "the delivery option `{}` is no longer offered for this cart's address and \
                     contents; choose one of the cart's delivery options",
                    priced.withdrawn_delivery.as_deref().unwrap_or_default()
                ),
            )),
            None => errors.push(UserError::new(
                &["shippingAddress"],
                ErrorCode::DeliveryUnavailable,
                "no delivery option fits this cart: give a shipping address the channel ships to",
            )),
            Some(d) if d.pickup_location_id.is_none() && cart.shipping_address.is_none() => {
                errors.push(UserError::new(
                    &["shippingAddress"],
                    ErrorCode::Blank,
                    "give a shipping address",
                ));
            }
            Some(_) => {}
        }
        if !priced.payment_methods.contains(&input.method) {
            errors.push(UserError::new(
                &["payment", "method"],
                ErrorCode::PaymentMethodUnavailable,
                format!("{} is not offered to this buyer here", input.method),
            ));
        }
        if let Some(expected) = input.expected_total {
            if expected != priced.total {
                errors.push(UserError::new(
                    &["expectedTotalAmount"],
                    ErrorCode::PriceChanged,
                    format!("the total is now {} {}", priced.total.to_decimal_string(), currency),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(AppError::User(errors));
        }

        let membership = pricing.membership.as_ref().filter(|m| m.company.is_approved());
        let now = Utc::now();
        let order_id = Uuid::now_v7();
        let provider = self.providers.get(input.method).ok_or_else(|| {
            AppError::user(UserError::new(
                &["payment", "method"],
                ErrorCode::PaymentMethodUnavailable,
                "not configured",
            ))
        })?;
        // The card first: nothing is written if it is declined.
        let authorised = if input.method == PaymentMethod::Card {
            // A retry of this attempt (same cart version, same key or none) must ask exactly
            // what it asked before, so the request names the cart, never the fresh order id.
            let request = AuthorizeRequest {
                cart_id: cart.id,
                cart_version: cart.version,
                amount: priced.total,
                email: email.clone(),
                payment_token: input.payment_token.clone(),
                attempt: format!(
                    "checkout-{}-v{}-{}",
                    cart.id,
                    cart.version,
                    input.idempotency_key.as_deref().unwrap_or_default()
                ),
            };
            match provider.authorize(&request).await {
                Ok(authorised) => Some(authorised),
                Err(e) => {
                    // Without a key of the caller's, each call is an attempt of its own: a
                    // decline ends it, and the next call must not be answered with it. A lost
                    // reply does not end it: the retry asks again and gets the first answer.
                    if matches!(e, ProviderError::Declined(_)) && input.idempotency_key.is_none() {
                        self.start_new_attempt(&cart).await;
                    }
                    return Err(AppError::user(provider_error(&e)));
                }
            }
        } else {
            None
        };
        let answer = match &authorised {
            Some(a) => a.clone(),
            None => ProviderPayment {
                status: PaymentStatus::Pending,
                external_id: None,
                client_secret: None,
                captured_minor: 0,
                refunded_minor: 0,
            },
        };
        let secured = answer.status.secures_order() || input.method == PaymentMethod::Invoice;
        let status = if secured {
            transition(OrderStatus::PendingPayment, OrderEvent::PaymentSecured)
                .unwrap_or(OrderStatus::Processing)
        } else {
            OrderStatus::PendingPayment
        };
        let basket = &priced.quote.basket;
        let lines: Vec<OrderLine> = basket
            .lines
            .iter()
            .enumerate()
            .filter_map(|(i, l)| {
                let item = priced.quote.items.get(&l.variant_id)?;
                Some(OrderLine {
                    id: Uuid::now_v7(),
                    order_id,
                    position: i32::try_from(i).unwrap_or(i32::MAX),
                    variant_id: l.variant_id,
                    product_id: item.product_id,
                    sku: item.sku.clone(),
                    product_title: item.product_title.clone(),
                    variant_title: item.variant_title.clone(),
                    quantity: l.quantity,
                    unit_price: l.unit_price,
                    subtotal: l.subtotal,
                    discount: Money::new(l.subtotal.minor - l.total.minor, currency),
                    tax: l.tax,
                    total: l.total,
                    fulfilled_quantity: 0,
                })
            })
            .collect();
        let order = Order {
            id: order_id,
            number: 0,
            channel_id: caller.channel.id,
            cart_id: cart.id,
            checkout_key: input.idempotency_key.clone(),
            customer_id: cart.customer_id,
            company_id: membership.map(|m| m.company.id),
            company_location_id: cart.company_location_id,
            email: email.clone(),
            status,
            currency,
            subtotal: basket.subtotal,
            discount_total: basket.discount_total,
            shipping_total: priced.shipping(),
            tax_total: priced.total_tax,
            total: priced.total,
            prices_include_tax: priced.quote.prices_include_tax,
            shipping_address: if delivery.as_ref().is_some_and(|d| d.pickup_location_id.is_some()) {
                None
            } else {
                cart.shipping_address.clone()
            },
            billing_address: cart.billing_address.clone().or_else(|| cart.shipping_address.clone()),
            delivery_handle: delivery.as_ref().map(|d| d.handle.clone()),
            delivery_title: delivery.as_ref().map(|d| d.title.clone()),
            pickup_location_id: delivery.as_ref().and_then(|d| d.pickup_location_id),
            payment_method: input.method,
            payment_terms: if input.method == PaymentMethod::Invoice {
                priced.payment_terms
            } else {
                None
            },
            note: cart.note.clone(),
            discount_codes: cart.discount_codes.clone(),
            created_at: now,
            updated_at: now,
            cancelled_at: None,
            cancel_reason: None,
        };
        let payment = Payment {
            id: Uuid::now_v7(),
            order_id,
            provider: input.method,
            status: answer.status,
            amount: priced.total,
            captured: Money::new(answer.captured_minor, currency),
            refunded: Money::new(0, currency),
            external_id: answer.external_id.clone(),
            client_secret: answer.client_secret.clone(),
            error: None,
            created_at: now,
            updated_at: now,
        };
        let discounts_used: Vec<Uuid> = basket.applied.iter().map(|a| a.discount_id).collect();
        let limited = self.store.discounts_by_ids(&discounts_used).await?;
        let usage_limits = limited
            .iter()
            .filter(|d| d.usage_limit.is_some() || d.usage_limit_per_customer.is_some())
            .map(|d| UsageLimit {
                discount_id: d.id,
                total: d.usage_limit,
                per_customer: d.usage_limit_per_customer,
            })
            .collect();
        let credit_limit = if input.method == PaymentMethod::Invoice {
            membership.and_then(|m| m.company.credit_limit)
        } else {
            None
        };
        // Untracked variants are always available: nothing to reserve.
        let (reserve, reserved_lines): (Vec<(Uuid, i64)>, Vec<String>) = basket
            .lines
            .iter()
            .zip(&priced.quote.asked_index)
            .filter(|(l, _)| {
                priced.quote.items.get(&l.variant_id).is_some_and(|i| i.inventory_tracked)
            })
            .map(|(l, position)| {
                (
                    (l.variant_id, i64::from(l.quantity)),
                    line_label(*position, &priced, l.variant_id),
                )
            })
            .unzip();
        let variant_ids: Vec<Uuid> = reserve.iter().map(|r| r.0).collect();
        let reference = order_document_uri(order_id);
        let actor_name = actor_label(caller.actor);
        let write = StockWrite {
            group_id: Uuid::now_v7(),
            skus: &[],
            variant_ids: &variant_ids,
            reason: "order",
            reference_document_uri: Some(&reference),
            actor: &actor_name,
            idempotency: None,
        };
        let new = NewOrder { order, lines, payment, discounts_used, usage_limits, credit_limit };
        let outcome = self
            .store
            .place_order(
                new,
                write,
                |o| vec![order_event("order.created", o, o.status)],
                |snapshot| reserve_online(snapshot, &reserve),
            )
            .await?;
        let failure = match outcome {
            PlaceOutcome::Placed(order) => {
                self.feed.notify_local_write();
                return Ok(Placed { order: *order, replayed: false });
            }
            PlaceOutcome::CartCompleted(existing) => {
                // A concurrent call with the same card authorisation placed it: keep that.
                let kept = self.store.payments_of(&[existing.id]).await?;
                let ours = authorised.as_ref().and_then(|a| a.external_id.clone());
                let shared = ours.is_some() && kept.iter().any(|p| p.external_id == ours);
                let replay = self.replay(existing.id, &input).await;
                if !shared {
                    self.release_authorisation(&authorised, &payment_stub(order_id, priced.total))
                        .await;
                }
                return replay;
            }
            PlaceOutcome::StockRefused(errors) => AppError::User(
                errors
                    .into_iter()
                    .map(|(i, e)| {
                        let label = reserved_lines.get(i).map_or("a line", String::as_str);
                        // The stock error names the count; the channel may hide counts.
                        let message = match (e.code, caller.channel.show_stock_counts) {
                            (ErrorCode::InsufficientStock, true) => {
                                format!("{label}: not enough in stock: {}", e.message)
                            }
                            (ErrorCode::InsufficientStock, false) => {
                                format!("{label}: not enough in stock")
                            }
                            _ => format!("{label}: {}", e.message),
                        };
                        UserError::new(&["cartId"], e.code, message)
                    })
                    .collect(),
            ),
            PlaceOutcome::CreditExceeded { outstanding } => AppError::user(UserError::new(
                &["payment", "method"],
                ErrorCode::CreditLimitExceeded,
                format!(
                    "unpaid invoices of {} {} plus this order pass the credit limit",
                    outstanding.to_decimal_string(),
                    outstanding.currency
                ),
            )),
            PlaceOutcome::DiscountExhausted(_) => AppError::user(UserError::new(
                &["discountCodes"],
                ErrorCode::DiscountLimitReached,
                "a discount reached its usage limit; the cart shows the new total",
            )),
            PlaceOutcome::CartMissing => AppError::user(UserError::not_found("cartId", "cart")),
        };
        if authorised.is_some() {
            self.release_authorisation(&authorised, &payment_stub(order_id, priced.total)).await;
            // The provider would answer a retry of this attempt with the authorisation just
            // released.
            self.start_new_attempt(&cart).await;
        }
        Err(failure)
    }

    /// Raises the cart's version, so that the next checkout of it is a new card attempt. A
    /// stale version means the cart changed anyway.
    async fn start_new_attempt(&self, cart: &Cart) {
        if let Err(e) = self.store.bump_cart_version(cart.id, cart.version).await {
            tracing::warn!("could not raise the version of a cart whose checkout failed: {e}");
        }
    }

    /// The order a completed cart became, if `input` is a retry of the call that placed it.
    async fn replay(&self, order_id: Uuid, input: &CheckoutInput) -> AppResult<Placed> {
        let order = self
            .store
            .order(order_id)
            .await?
            .ok_or_else(|| AppError::user(UserError::not_found("cartId", "cart")))?;
        match (&input.idempotency_key, &order.checkout_key) {
            (Some(sent), Some(used)) if sent == used => Ok(Placed { order, replayed: true }),
            _ => Err(AppError::user(UserError::new(
                &["cartId"],
                ErrorCode::AlreadyCompleted,
                format!("this cart was already checked out as order #{}", order.number),
            ))),
        }
    }

    async fn release_authorisation(&self, authorised: &Option<ProviderPayment>, stub: &Payment) {
        let Some(answer) = authorised else { return };
        let Some(provider) = self.providers.get(PaymentMethod::Card) else { return };
        let payment = Payment {
            external_id: answer.external_id.clone(),
            status: answer.status,
            ..stub.clone()
        };
        let result = if answer.status == PaymentStatus::Captured {
            provider
                .refund(
                    &Payment {
                        captured: Money::new(answer.captured_minor, stub.amount.currency),
                        ..payment.clone()
                    },
                    Money::new(answer.captured_minor, stub.amount.currency),
                )
                .await
        } else {
            provider.void(&payment).await
        };
        if let Err(e) = result {
            tracing::warn!("could not release the card authorisation of a failed checkout: {e}");
        }
    }
}

/// A cart line as checkout's errors name it: its position in the cart's lines (from 1) and
/// its SKU.
fn line_label(position: usize, priced: &PricedCart, variant_id: Uuid) -> String {
    match priced.quote.items.get(&variant_id) {
        Some(item) => format!("line {} (SKU {})", position + 1, item.sku),
        None => format!("line {}", position + 1),
    }
}

fn payment_stub(order_id: Uuid, amount: Money) -> Payment {
    let now = Utc::now();
    Payment {
        id: order_id,
        order_id,
        provider: PaymentMethod::Card,
        status: PaymentStatus::Pending,
        amount,
        captured: Money::new(0, amount.currency),
        refunded: Money::new(0, amount.currency),
        external_id: None,
        client_secret: None,
        error: None,
        created_at: now,
        updated_at: now,
    }
}
