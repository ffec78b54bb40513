//! Checkout: `checkoutComplete`, open to whoever holds the cart.

use async_graphql::{Context, InputObject, Object, ID};
use vitrine_app::checkout::{CheckoutInput, Placed};
use vitrine_domain::id::NodeKind;

use crate::checkout::types::PaymentMethod;
use crate::common::money::MoneyInput;
use crate::context::ContextExt;
use crate::mutate::{mutate, payload, read_input};
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
    from |placed: Placed| { replayed: placed.replayed, order: Some(Order(placed.order)) }
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
        let input = read_input(|r| CheckoutInput {
            cart_id: r.id(&cart_id, NodeKind::Cart, "cartId"),
            method: payment.method.into(),
            payment_token: payment.payment_token,
            idempotency_key,
            expected_total: expected_total_amount.and_then(|m| m.read(r, "expectedTotalAmount")),
        });
        mutate(ctx, input, async |caller, input| ctx.app().orders.checkout(caller, input).await)
            .await
    }
}
