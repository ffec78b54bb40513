//! Card checkouts against the Stripe stand-in, which treats idempotency keys as Stripe does: a
//! repeated request gets the first reply, a key reused with other parameters is refused. A
//! retry of the same checkout attempt must therefore send the same request, and a new attempt
//! must not be answered with an earlier attempt's reply.

mod support;

use support::{backend_tests, settings, TestShop};
use uuid::Uuid;
use vitrine_app::checkout::{CheckoutInput, Placed};
use vitrine_app::payment::stripe::StripeSettings;
use vitrine_app::payment::stripe_mock::{StripeMock, SECRET_KEY};
use vitrine_app::Caller;
use vitrine_app::{AppError, ErrorCode};
use vitrine_domain::access::Actor;
use vitrine_domain::payment::PaymentMethod;
use vitrine_store::testing::{Fixture, TestDatabase};

/// The demo shop taking cards through the Stripe stand-in, with one variant of `units` in
/// stock and a guest's cart for some of it.
struct CardShop {
    shop: TestShop,
    stripe: StripeMock,
    variant: Uuid,
}

impl Fixture for CardShop {
    async fn open(db: TestDatabase) -> Self {
        let (stripe, base) = StripeMock::start().await;
        let mut settings = settings();
        settings.stripe = Some(StripeSettings {
            secret_key: SECRET_KEY.to_owned(),
            api_base: base,
            webhook_secret: None,
            capture_at_checkout: false,
        });
        let shop = TestShop::with_settings(db, settings).await;
        let [variant] = shop.tracked_variants(1).await[..] else { unreachable!() };
        Self { shop, stripe, variant }
    }
}

impl CardShop {
    /// A guest's cart for `quantity` of the variant, with `units` in stock.
    async fn cart(&self, units: i64, quantity: u32) -> Uuid {
        self.shop.stock(&[self.variant], units).await;
        self.shop.guest_cart(self.variant, quantity).await
    }

    async fn check_out(&self, cart_id: Uuid, key: Option<&str>) -> Result<Placed, AppError> {
        let input = CheckoutInput {
            cart_id,
            method: PaymentMethod::Card,
            payment_token: Some("pm_card_visa".to_owned()),
            idempotency_key: key.map(str::to_owned),
            expected_total: None,
        };
        self.shop
            .app
            .orders
            .checkout(Caller::new(&Actor::Anonymous, &self.shop.marketplace), input)
            .await
    }

    /// The PaymentIntent the order's card payment stands on.
    async fn intent_of(&self, placed: &Placed) -> String {
        let payments =
            self.shop.app.store().payments_of(&[placed.order.id]).await.expect("payments");
        payments[0].external_id.clone().expect("a PaymentIntent")
    }
}

fn refused_with(result: Result<Placed, AppError>, code: ErrorCode) -> String {
    match result {
        Err(AppError::User(errors)) if errors.iter().any(|e| e.code == code) => {
            errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("; ")
        }
        other => panic!("expected {code:?}, got {other:?}"),
    }
}

#[tokio::test]
async fn the_stripe_stand_in_refuses_an_idempotency_key_reused_with_other_parameters() {
    let (_mock, base) = StripeMock::start().await;
    let http = reqwest::Client::new();
    let create = |amount: &str| {
        http.post(format!("{base}/v1/payment_intents"))
            .bearer_auth(SECRET_KEY)
            .header("Idempotency-Key", "key-1")
            .form(&[("amount", amount), ("currency", "eur"), ("payment_method", "pm_card_visa")])
            .send()
    };
    let first = create("1000").await.expect("first");
    assert_eq!(first.status(), 200);
    let first: serde_json::Value = first.json().await.expect("json");
    let again: serde_json::Value = create("1000").await.expect("again").json().await.expect("json");
    assert_eq!(again, first, "the same request is answered with the first reply");
    let other = create("2000").await.expect("other");
    assert_eq!(other.status(), 400);
    let other: serde_json::Value = other.json().await.expect("json");
    assert_eq!(other["error"]["type"], "idempotency_error", "{other}");
}

backend_tests! {
    async fn a_card_checkout_retried_after_a_lost_reply_places_the_order_on_the_first_authorisation(
        card: CardShop,
    ) {
        let cart = card.cart(5, 1).await;

        card.stripe.lose_next_reply();
        refused_with(card.check_out(cart, None).await, ErrorCode::PaymentDeclined);
        let placed = card.check_out(cart, None).await.expect("placed on retry");
        let intent = card.intent_of(&placed).await;
        assert_eq!(intent, "pi_mock_1", "the authorisation of the first call");
        assert_eq!(card.stripe.intent(&intent).expect("intent")["status"], "requires_capture");
        assert_eq!(card.stripe.calls("create"), 2);
        assert_eq!(card.stripe.intent("pi_mock_2"), None, "the card was authorised once");
    }

    async fn a_declined_card_checkout_is_authorised_when_tried_again_with_a_new_idempotency_key(
        card: CardShop,
    ) {
        let cart = card.cart(5, 1).await;

        card.stripe.decline_next(1);
        let message = refused_with(card.check_out(cart, Some("attempt-1")).await, ErrorCode::PaymentDeclined);
        assert!(message.contains("declined"), "{message}");
        let replayed = card.check_out(cart, Some("attempt-1")).await;
        let message = refused_with(replayed, ErrorCode::PaymentDeclined);
        assert!(message.contains("declined"), "the same attempt, the same answer: {message}");

        let placed =
            card.check_out(cart, Some("attempt-2")).await.expect("a new attempt is authorised");
        let intent = card.intent_of(&placed).await;
        assert_eq!(card.stripe.intent(&intent).expect("intent")["status"], "requires_capture");
    }

    async fn a_declined_card_checkout_without_a_key_is_authorised_when_tried_again(
        card: CardShop,
    ) {
        let cart = card.cart(5, 1).await;

        card.stripe.decline_next(1);
        let message = refused_with(card.check_out(cart, None).await, ErrorCode::PaymentDeclined);
        assert!(message.contains("declined"), "{message}");
        let placed = card.check_out(cart, None).await.expect("the next call is a new attempt");
        let intent = card.intent_of(&placed).await;
        assert_eq!(card.stripe.intent(&intent).expect("intent")["status"], "requires_capture");
    }

    async fn a_card_checkout_refused_for_stock_authorises_anew_when_retried(card: CardShop) {
        let cart = card.cart(2, 2).await;
        card.shop.stock(&[card.variant], 1).await;

        refused_with(card.check_out(cart, None).await, ErrorCode::InsufficientStock);
        assert_eq!(
            card.stripe.intent("pi_mock_1").expect("the first authorisation")["status"],
            "canceled",
            "released when the order could not be placed"
        );

        card.shop.stock(&[card.variant], 2).await;
        let placed = card.check_out(cart, None).await.expect("placed on retry");
        let intent = card.intent_of(&placed).await;
        assert_ne!(intent, "pi_mock_1", "not the released authorisation");
        assert_eq!(card.stripe.intent(&intent).expect("intent")["status"], "requires_capture");
    }
}
