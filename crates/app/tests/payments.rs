//! Card checkouts against the Stripe stand-in, which treats idempotency keys as Stripe does: a
//! repeated request gets the first reply, a key reused with other parameters is refused. A
//! retry of the same checkout attempt must therefore send the same request, and a new attempt
//! must not be answered with an earlier attempt's reply.

// Uses the shop helpers, not the demo app without cards.
mod support;

use support::{databases, guest_cart, marketplace, set_stock, tracked_variants};
use uuid::Uuid;
use vitrine_app::checkout::{CheckoutInput, Placed};
use vitrine_app::identity::Secret;
use vitrine_app::payment::stripe::StripeSettings;
use vitrine_app::payment::stripe_mock::{StripeMock, SECRET_KEY};
use vitrine_app::{App, AppError, ErrorCode, Settings, Store};
use vitrine_domain::access::Actor;
use vitrine_domain::catalog::Channel;
use vitrine_domain::payment::PaymentMethod;
use vitrine_store::testing::TestDatabase;

/// The services over `db` with the demo catalog and cards through the Stripe stand-in.
async fn card_app(db: &TestDatabase) -> (App, StripeMock) {
    let (mock, base) = StripeMock::start().await;
    let store = Store::connect(&db.url).await.expect("connect");
    store.migrate().await.expect("migrate");
    vitrine_app::demo::load_demo(&store).await.expect("demo");
    let mut settings = Settings::new(Secret::new(vec![7; 32]));
    settings.stripe = Some(StripeSettings {
        secret_key: SECRET_KEY.to_owned(),
        api_base: base,
        webhook_secret: None,
        capture_at_checkout: false,
    });
    (App::new(store, settings), mock)
}

fn card(cart_id: Uuid, key: Option<&str>) -> CheckoutInput {
    CheckoutInput {
        cart_id,
        method: PaymentMethod::Card,
        payment_token: Some("pm_card_visa".to_owned()),
        idempotency_key: key.map(str::to_owned),
        expected_total: None,
    }
}

async fn check_out(app: &App, channel: &Channel, input: CheckoutInput) -> Result<Placed, AppError> {
    app.orders.checkout(&Actor::Anonymous, channel, input).await
}

fn refused_with(result: Result<Placed, AppError>, code: ErrorCode) -> String {
    match result {
        Err(AppError::User(errors)) if errors.iter().any(|e| e.code == code) => {
            errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("; ")
        }
        other => panic!("expected {code:?}, got {other:?}"),
    }
}

/// The PaymentIntent the order's card payment stands on.
async fn intent_of(app: &App, placed: &Placed) -> String {
    let payments = app.store().payments_of(&[placed.order.id]).await.expect("payments");
    payments[0].external_id.clone().expect("a PaymentIntent")
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

#[tokio::test]
async fn a_card_checkout_retried_after_a_lost_reply_places_the_order_on_the_first_authorisation() {
    for db in databases().await {
        let (app, stripe) = card_app(&db).await;
        let channel = marketplace(&app).await;
        let [variant] = tracked_variants(&app, &channel, 1).await[..] else { unreachable!() };
        set_stock(&app, &[variant], 5).await;
        let cart = guest_cart(&app, &channel, &[(variant, 1)]).await;

        stripe.lose_next_reply();
        refused_with(check_out(&app, &channel, card(cart, None)).await, ErrorCode::PaymentDeclined);
        let placed = check_out(&app, &channel, card(cart, None)).await.expect("placed on retry");
        let intent = intent_of(&app, &placed).await;
        assert_eq!(stripe.intent(&intent).expect("intent")["status"], "requires_capture");
        assert_eq!(stripe.calls("create"), 2);
        assert_eq!(stripe.intent("pi_mock_2"), None, "the card was authorised once");
    }
}

#[tokio::test]
async fn a_declined_card_checkout_is_authorised_when_tried_again_with_a_new_idempotency_key() {
    for db in databases().await {
        let (app, stripe) = card_app(&db).await;
        let channel = marketplace(&app).await;
        let [variant] = tracked_variants(&app, &channel, 1).await[..] else { unreachable!() };
        set_stock(&app, &[variant], 5).await;
        let cart = guest_cart(&app, &channel, &[(variant, 1)]).await;

        stripe.decline_next(1);
        let first = check_out(&app, &channel, card(cart, Some("attempt-1"))).await;
        let message = refused_with(first, ErrorCode::PaymentDeclined);
        assert!(message.contains("declined"), "{message}");
        let replayed = check_out(&app, &channel, card(cart, Some("attempt-1"))).await;
        let message = refused_with(replayed, ErrorCode::PaymentDeclined);
        assert!(message.contains("declined"), "the same attempt, the same answer: {message}");

        let placed = check_out(&app, &channel, card(cart, Some("attempt-2")))
            .await
            .expect("a new attempt is authorised");
        let intent = intent_of(&app, &placed).await;
        assert_eq!(stripe.intent(&intent).expect("intent")["status"], "requires_capture");
    }
}

#[tokio::test]
async fn a_card_checkout_refused_for_stock_authorises_anew_when_retried() {
    for db in databases().await {
        let (app, stripe) = card_app(&db).await;
        let channel = marketplace(&app).await;
        let [variant] = tracked_variants(&app, &channel, 1).await[..] else { unreachable!() };
        set_stock(&app, &[variant], 2).await;
        let cart = guest_cart(&app, &channel, &[(variant, 2)]).await;
        set_stock(&app, &[variant], 1).await;

        refused_with(
            check_out(&app, &channel, card(cart, None)).await,
            ErrorCode::InsufficientStock,
        );
        assert_eq!(
            stripe.intent("pi_mock_1").expect("the first authorisation")["status"],
            "canceled",
            "released when the order could not be placed"
        );

        set_stock(&app, &[variant], 2).await;
        let placed = check_out(&app, &channel, card(cart, None)).await.expect("placed on retry");
        let intent = intent_of(&app, &placed).await;
        assert_ne!(intent, "pi_mock_1", "not the released authorisation");
        assert_eq!(stripe.intent(&intent).expect("intent")["status"], "requires_capture");
    }
}
