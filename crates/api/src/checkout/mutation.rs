//! Checkout: `checkoutComplete`, open to whoever holds the cart.

use async_graphql::{Context, InputObject, Object, ID};
use vitrine_app::checkout::CheckoutInput;
use vitrine_app::{AppError, ErrorCode, UserError as AppUserError};
use vitrine_domain::id::NodeKind;
use vitrine_domain::money::{Currency, Money};

use crate::checkout::types::PaymentMethod;
use crate::common::money::MoneyInput;
use crate::context::ContextExt;
use crate::error::into_payload;
use crate::mutate::{input_id, payload};
use crate::orders::types::Order;

#[derive(InputObject, Clone)]
pub struct CheckoutPaymentInput {
    pub method: PaymentMethod,
    /// For `CARD`: the card provider's payment method token (Stripe `pm_…`) from its
    /// browser SDK.
    pub payment_token: Option<String>,
}

payload!(
    /// The order placed; `replayed` when this idempotency key placed it before.
    CheckoutCompletePayload { order: Option<Order>, replayed: bool }
);

#[derive(Default)]
pub struct CheckoutMutation;

#[Object]
impl CheckoutMutation {
    /// Places the order: re-prices the cart, reserves stock, takes the payment and writes the
    /// order, all or nothing. Send an `idempotencyKey` and retry with the same one: a retry
    /// returns the order the first call placed (`replayed: true`). With
    /// `expectedTotalAmount`, a total that changed since the buyer saw it is refused
    /// (`PRICE_CHANGED`).
    async fn checkout_complete(
        &self,
        ctx: &Context<'_>,
        cart_id: ID,
        payment: CheckoutPaymentInput,
        idempotency_key: Option<String>,
        expected_total_amount: Option<MoneyInput>,
    ) -> async_graphql::Result<CheckoutCompletePayload> {
        let req = ctx.req();
        let result = async {
            let id = input_id(&cart_id, NodeKind::Cart, "cartId")?;
            let expected = expected_total_amount
                .map(|m| {
                    let currency = Currency::new(m.currency_code.name()).map_err(|e| {
                        AppError::user(AppUserError::new(
                            &["expectedTotalAmount"],
                            ErrorCode::Invalid,
                            e.to_string(),
                        ))
                    })?;
                    Money::parse(&m.amount.0, currency).map_err(|e| {
                        AppError::user(AppUserError::new(
                            &["expectedTotalAmount", "amount"],
                            ErrorCode::Invalid,
                            e.to_string(),
                        ))
                    })
                })
                .transpose()?;
            let input = CheckoutInput {
                cart_id: id,
                method: payment.method.into(),
                payment_token: payment.payment_token,
                idempotency_key,
                expected_total: expected,
            };
            ctx.app().orders.checkout(&req.actor, &req.channel, input).await
        }
        .await;
        let (placed, user_errors) = into_payload(result)?;
        Ok(CheckoutCompletePayload {
            replayed: placed.as_ref().is_some_and(|p| p.replayed),
            order: placed.map(|p| Order(p.order)),
            user_errors,
        })
    }
}
