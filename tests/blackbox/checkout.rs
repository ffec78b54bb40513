//! Carts, checkout and orders through the real binary, each scenario on SQLite and (when
//! `VITRINE_TEST_DATABASE_URL` is set, always on CI) PostgreSQL: a guest pays by card, held at
//! checkout and taken when the parcel leaves, then follows the parcel; a boutique's buyer
//! orders on invoice at wholesale prices within the company's credit; retries place one
//! order; a price change since the buyer looked is noticed; cancelling puts stock back on
//! sale; an order held in two places ships in two parcels; a shopper edits the cart and picks
//! its delivery; bad input is refused with a reason; a guest cart takes in the saved one on
//! sign-in.
//!
//! Cards go to the Stripe stand-in (`StripeMock`), which counts the calls it gets.

use std::time::{SystemTime, UNIX_EPOCH};

use futures_util::future::join_all;
use serde_json::{json, Value};
use vitrine_app::payment::stripe::sign;
use vitrine_app::payment::stripe_mock::{StripeMock, SECRET_KEY};

use crate::support::{error_code, ok, Options, TestServer};

const WEBHOOK_SECRET: &str = "whsec_blackbox_checkout";
const GUEST: &str = "ada@example.com";
/// The demo boutique invites this email as its admin, with this token.
const BOUTIQUE_BUYER: &str = "buyer@boutique.example";
const BOUTIQUE_INVITATION: &str = "boutique-lune-demo-invitation";
/// Below this subtotal, standard delivery in Europe costs 4.90 EUR.
const FREE_SHIPPING_FROM: i64 = 10_000;
const STANDARD_EU: i64 = 4_90;

// ---- GraphQL ------------------------------------------------------------------------------

/// What the scenarios read of a cart.
macro_rules! cart_fields {
    () => {
        "id totalQuantity orderId
         buyerIdentity { email customerId companyLocation { id name } }
         cost { subtotalAmount { amount currencyCode } totalDiscountAmount { amount }
           totalShippingAmount { amount } totalTaxAmount { amount }
           totalAmount { amount currencyCode } checkoutChargeAmount { amount } pricesIncludeTax }
         lines(first: 20) { nodes { id quantity merchandise { id sku }
           cost { amountPerQuantity { amount } compareAtAmountPerQuantity { amount }
             totalAmount { amount } } } }
         deliveryOptions { handle estimatedCost { amount } }
         selectedDeliveryOption { handle estimatedCost { amount } }
         availablePaymentMethods paymentTerms
         shippingAddress { company address1 city zip countryCode }
         billingAddress { company address1 city zip countryCode }"
    };
}

/// What the scenarios read of an order.
macro_rules! order_fields {
    () => {
        "id number name statusToken status email customerId companyId cancelledAt cancelReason
         paymentMethod paymentTerms
         subtotalPrice { amount } totalShippingPrice { amount } totalTax { amount }
         totalPrice { amount currencyCode }
         shippingAddress { address1 city countryCode } deliveryMethod { handle pickupLocationId }
         lineItems(first: 20) { nodes { id sku variantId quantity fulfilledQuantity
           unitPrice { amount } } }
         payments { method status amount { amount } capturedAmount { amount } clientSecret error }
         fulfillments { id status trackingCompany trackingNumber trackingUrl
           lineItems { orderLineId quantity } events { status } }"
    };
}

const CART_CREATE: &str = concat!(
    "mutation($input: CartInput) { cartCreate(input: $input) { cart { ",
    cart_fields!(),
    " } userErrors { field code message } } }"
);
const CART: &str = concat!("query($id: ID!) { cart(id: $id) { ", cart_fields!(), " } }");
const LINES_ADD: &str = concat!(
    "mutation($cart: ID!, $lines: [CartLineInput!]!) { cartLinesAdd(cartId: $cart, lines: $lines) { cart { ",
    cart_fields!(),
    " } userErrors { field code message } } }"
);
const LINES_ADD_BY_SKU: &str = concat!(
    "mutation($cart: ID!, $lines: [CartSkuLineInput!]!) { cartLinesAddBySku(cartId: $cart, lines: $lines) { cart { ",
    cart_fields!(),
    " } userErrors { field code message } } }"
);
const LINES_UPDATE: &str = concat!(
    "mutation($cart: ID!, $lines: [CartLineUpdateInput!]!) { cartLinesUpdate(cartId: $cart, lines: $lines) { cart { ",
    cart_fields!(),
    " } userErrors { field code message } } }"
);
const LINES_REMOVE: &str = concat!(
    "mutation($cart: ID!, $ids: [ID!]!) { cartLinesRemove(cartId: $cart, lineIds: $ids) { cart { ",
    cart_fields!(),
    " } userErrors { field code message } } }"
);
const SHIPPING_ADDRESS_UPDATE: &str = concat!(
    "mutation($cart: ID!, $address: MailingAddressInput) { cartShippingAddressUpdate(cartId: $cart, address: $address) { cart { ",
    cart_fields!(),
    " } userErrors { field code message } } }"
);
const DELIVERY_OPTION_SELECT: &str = concat!(
    "mutation($cart: ID!, $handle: String!) { cartDeliveryOptionSelect(cartId: $cart, handle: $handle) { cart { ",
    cart_fields!(),
    " } userErrors { field code message } } }"
);
const BUYER_IDENTITY_UPDATE: &str = concat!(
    "mutation($cart: ID!, $identity: CartBuyerIdentityInput!) {
       cartBuyerIdentityUpdate(cartId: $cart, buyerIdentity: $identity) { cart { ",
    cart_fields!(),
    " } userErrors { field code message } } }"
);
const CHECKOUT: &str = concat!(
    "mutation($cart: ID!, $payment: CheckoutPaymentInput!, $key: String, $expected: MoneyInput) {
       checkoutComplete(cartId: $cart, payment: $payment, idempotencyKey: $key,
                        expectedTotalAmount: $expected) {
         replayed order { ",
    order_fields!(),
    " } userErrors { field code message } } }"
);
const ORDER: &str = concat!("query($id: ID!) { order(id: $id) { ", order_fields!(), " } }");
const ORDER_LOOKUP: &str = concat!(
    "query($number: Int!, $email: String!, $token: String!) {
       orderLookup(number: $number, email: $email, token: $token) { ",
    order_fields!(),
    " } }"
);
const ORDERS: &str = "{ orders(first: 20) { nodes { id number status } } }";
const MY_ORDERS: &str = "{ customer { orders(first: 20) { nodes { id number status } } } }";
const MY_CART: &str = "{ customer { cart { id } } }";
const FULFIL: &str = concat!(
    "mutation($input: FulfillmentCreateInput!) { fulfillmentCreate(input: $input) { order { ",
    order_fields!(),
    " } userErrors { field code message } } }"
);
const TRACK: &str = concat!(
    "mutation($input: FulfillmentEventInput!) { fulfillmentEventCreate(input: $input) { order { ",
    order_fields!(),
    " } userErrors { field code message } } }"
);
const CANCEL: &str = concat!(
    "mutation($id: ID!, $reason: String) { orderCancel(id: $id, reason: $reason) { order { ",
    order_fields!(),
    " } userErrors { field code message } } }"
);
const MARK_PAID: &str = concat!(
    "mutation($id: ID!) { orderMarkAsPaid(id: $id) { order { ",
    order_fields!(),
    " } userErrors { field code message } } }"
);
const CATALOG: &str = "{ products(first: 100) { nodes { id vendor
  variants(first: 10) { nodes { id sku availableForSale price { amount currencyCode } } } } } }";
const BASE_PRICES: &str = "query($id: ID!) { node(id: $id) { ... on ProductVariant {
  prices { price { amount currencyCode } compareAtPrice { amount } } } } }";
const VARIANTS_UPDATE: &str = "mutation($product: ID!, $variants: [ProductVariantsBulkInput!]!) {
  productVariantsBulkUpdate(productId: $product, variants: $variants) {
    userErrors { field code message } } }";
const INVITATION_ACCEPT: &str =
    "mutation($token: String!) { companyInvitationAccept(token: $token) {
  companyMembership { role company { id status paymentTerms } }
  userErrors { field code message } } }";
const COMPANY_UPDATE: &str = "mutation($id: ID!, $input: CompanyUpdateInput!) {
  companyUpdate(id: $id, input: $input) { company { creditLimit { amount } }
    userErrors { field code message } } }";

// ---- the shop -----------------------------------------------------------------------------

/// A demo server with a staff admin (`orders:write` and the rest), and the Stripe stand-in
/// when cards are on.
struct Shop {
    server: TestServer,
    admin: String,
    stripe: Option<StripeMock>,
    warehouse: String,
    /// A shop that also ships online orders (after the warehouse).
    shipping_shop: String,
    locations: Vec<String>,
}

impl Shop {
    /// `None` when PostgreSQL is asked for but not configured (an error on CI).
    async fn start(postgres: bool, cards: bool) -> Option<Self> {
        let (stripe, env) = if cards {
            let (mock, base) = StripeMock::start().await;
            let env = [
                ("VITRINE_STRIPE_SECRET_KEY", SECRET_KEY),
                ("VITRINE_STRIPE_API_BASE", base.as_str()),
                ("VITRINE_STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET),
            ];
            (Some(mock), env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect())
        } else {
            (None, vec![])
        };
        let server = TestServer::start(Options { postgres, env, ..Options::default() }).await?;
        let admin = server.staff_token("ops@example.com", "admin").await;
        let nodes = server.locations(&admin).await;
        let location = |kind: &str, ships: bool| {
            nodes
                .iter()
                .find(|l| l["kind"] == kind && l["fulfillsOnlineOrders"] == ships)
                .map(|l| text(&l["id"]))
                .unwrap_or_else(|| panic!("a demo {kind} location: {nodes:?}"))
        };
        let warehouse = location("WAREHOUSE", true);
        let shipping_shop = location("SHOP", true);
        let locations = nodes.iter().map(|l| text(&l["id"])).collect();
        Some(Self { server, admin, stripe, warehouse, shipping_shop, locations })
    }

    async fn send(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        self.server.send_as(token, query, variables).await
    }

    async fn as_staff(&self, query: &str, variables: Value) -> Value {
        self.send(Some(&self.admin), query, variables).await
    }

    fn stripe(&self) -> &StripeMock {
        self.stripe.as_ref().expect("a scenario with cards")
    }

    /// Puts exactly `units` of `sku` in the warehouse and none anywhere else.
    async fn stock(&self, sku: &str, units: i64) {
        self.stock_at(sku, &[(&self.warehouse, units)]).await;
    }

    /// Counts `sku` at the given locations, and none anywhere else.
    async fn stock_at(&self, sku: &str, counts: &[(&str, i64)]) {
        let everywhere: Vec<(&str, i64)> = self
            .locations
            .iter()
            .map(|l| (l.as_str(), counts.iter().find(|(at, _)| at == l).map_or(0, |(_, n)| *n)))
            .collect();
        self.server.set_stock(&self.admin, sku, &everywhere).await;
    }

    /// `(onHand, reserved, available)` of `sku` in the warehouse.
    async fn level(&self, sku: &str) -> (i64, i64, i64) {
        self.level_at(sku, &self.warehouse).await
    }

    async fn level_at(&self, sku: &str, location: &str) -> (i64, i64, i64) {
        self.server.level(&self.admin, sku, location).await
    }

    async fn cart(&self, token: Option<&str>, id: &str) -> Value {
        self.send(token, CART, json!({ "id": id })).await["data"]["cart"].clone()
    }

    async fn order_as_staff(&self, id: &str) -> Value {
        let r = self.as_staff(ORDER, json!({ "id": id })).await;
        assert!(r["data"]["order"].is_object(), "staff read the order: {r}");
        r["data"]["order"].clone()
    }

    async fn all_orders(&self) -> Vec<Value> {
        let r = self.as_staff(ORDERS, json!({})).await;
        r["data"]["orders"]["nodes"].as_array().unwrap_or_else(|| panic!("orders: {r}")).clone()
    }

    /// A cart with `lines`, created by the holder of `token` (a guest without one).
    async fn create_cart(&self, token: Option<&str>, input: Value) -> Value {
        let r = self.send(token, CART_CREATE, json!({ "input": input })).await;
        ok(&r, "cartCreate")["cart"].clone()
    }

    /// A guest's cart shipping to Paris.
    async fn guest_cart(&self, lines: &[(&Variant, u32)]) -> Value {
        self.create_cart(
            None,
            json!({ "lines": cart_lines(lines), "buyerIdentity": { "email": GUEST },
                    "shippingAddress": paris() }),
        )
        .await
    }

    async fn checkout(
        &self,
        token: Option<&str>,
        cart: &str,
        payment: Value,
        key: Option<&str>,
        expected_total: Option<i64>,
    ) -> Value {
        let expected = expected_total.map(|c| json!({ "amount": money(c), "currencyCode": "EUR" }));
        self.send(
            token,
            CHECKOUT,
            json!({ "cart": cart, "payment": payment, "key": key, "expected": expected }),
        )
        .await
    }

    /// Places a guest's order paid by bank transfer (waiting for the money).
    async fn manual_order(&self, lines: &[(&Variant, u32)]) -> Value {
        let cart = self.guest_cart(lines).await;
        let placed = self.checkout(None, id(&cart), manual(), None, None).await;
        ok(&placed, "checkoutComplete")["order"].clone()
    }

    async fn fulfil(&self, order: &str, tracking: Value) -> Value {
        let mut input = json!({ "orderId": order });
        if let (Some(input), Some(tracking)) = (input.as_object_mut(), tracking.as_object()) {
            input.extend(tracking.clone());
        }
        let r = self.as_staff(FULFIL, json!({ "input": input })).await;
        ok(&r, "fulfillmentCreate")["order"].clone()
    }

    async fn track(&self, fulfillment: &str, status: &str) -> Value {
        let r = self
            .as_staff(TRACK, json!({ "input": { "fulfillmentId": fulfillment, "status": status } }))
            .await;
        ok(&r, "fulfillmentEventCreate")["order"].clone()
    }

    /// Delivers a Stripe event to the webhook endpoint, signed with `secret`.
    async fn stripe_webhook(&self, event: &Value, secret: &str) -> u16 {
        let body = serde_json::to_vec(event).expect("event JSON");
        let now = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_secs();
        let signature = sign(&body, secret, i64::try_from(now).expect("a unix time"));
        self.server
            .http()
            .post(format!("{}/webhooks/stripe", self.server.base))
            .header("Stripe-Signature", signature)
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .expect("the webhook reaches the server")
            .status()
            .as_u16()
    }
}

/// Runs a scenario on SQLite and, when configured, on PostgreSQL:
/// `checkout::<scenario>::on_sqlite` and `checkout::<scenario>::on_postgres`. Without
/// `VITRINE_TEST_DATABASE_URL` the PostgreSQL test returns at once, except on CI (`CI=true`),
/// where starting the server panics instead of skipping.
macro_rules! on_sqlite_and_postgres {
    ($scenario:ident, cards: $cards:literal) => {
        mod $scenario {
            use super::Shop;

            #[tokio::test]
            async fn on_sqlite() {
                let shop = Shop::start(false, $cards).await.expect("SQLite is always available");
                super::$scenario(shop).await;
            }

            #[tokio::test]
            async fn on_postgres() {
                let Some(shop) = Shop::start(true, $cards).await else { return };
                super::$scenario(shop).await;
            }
        }
    };
}

on_sqlite_and_postgres!(guest_checks_out_with_a_card_and_staff_capture_on_shipping, cards: true);
on_sqlite_and_postgres!(a_declined_card_orders_nothing_and_the_cart_stays_open, cards: true);
on_sqlite_and_postgres!(a_card_needing_authentication_waits_for_the_bank_webhook, cards: true);
on_sqlite_and_postgres!(a_boutique_buyer_orders_on_invoice_at_wholesale_prices, cards: false);
on_sqlite_and_postgres!(a_retried_checkout_places_one_order_and_charges_once, cards: true);
on_sqlite_and_postgres!(checkout_refuses_a_total_that_changed_since_the_buyer_looked, cards: false);
on_sqlite_and_postgres!(cancelling_puts_the_stock_back_on_sale_until_the_order_ships, cards: false);
on_sqlite_and_postgres!(an_order_reserved_in_two_places_ships_in_two_parcels, cards: false);
on_sqlite_and_postgres!(bad_input_and_unauthorised_calls_are_refused_with_a_reason, cards: false);
on_sqlite_and_postgres!(a_shopper_edits_the_cart_and_picks_how_it_is_delivered, cards: false);
on_sqlite_and_postgres!(signing_in_merges_the_saved_cart_into_the_guest_cart, cards: false);
on_sqlite_and_postgres!(a_guest_lookup_needs_the_status_token_and_is_rate_limited, cards: false);

async fn a_guest_lookup_needs_the_status_token_and_is_rate_limited(shop: Shop) {
    let piece = stocked_cheap_piece(&shop, 5).await;
    let order = shop.manual_order(&[(&piece, 1)]).await;
    let number = order["number"].as_i64().expect("number");
    let token = text(&order["statusToken"]);
    assert_eq!(token.len(), 22, "128 bits, URL-safe: {token}");
    let lookup = |token: &str| json!({ "number": number, "email": GUEST, "token": token });

    let without = shop
        .send(
            None,
            "query($n: Int!) { orderLookup(number: $n, email: \"ada@example.com\") { id } }",
            json!({ "n": number }),
        )
        .await;
    assert!(without.get("data").is_none(), "a token is required: {without}");
    let forged = shop.send(None, ORDER_LOOKUP, lookup("AAAAAAAAAAAAAAAAAAAAAA")).await;
    assert_eq!(forged["data"]["orderLookup"], Value::Null, "{forged}");
    let found = shop.send(None, ORDER_LOOKUP, lookup(&token)).await;
    assert_eq!(found["data"]["orderLookup"]["id"], order["id"], "{found}");

    // One lookup per request: a batch of numbers under aliases is refused.
    let batch = shop
        .send(
            None,
            "query($t: String!) { a: orderLookup(number: 1001, email: \"ada@example.com\", token: $t) { id }
                                  b: orderLookup(number: 1002, email: \"ada@example.com\", token: $t) { id } }",
            json!({ "t": token }),
        )
        .await;
    assert_eq!(error_code(&batch), Some("BAD_USER_INPUT"), "{batch}");

    // Ten lookups per client address and window; the next is refused. Three have counted
    // (the forged token, the found order, the batch's first alias).
    for n in 4..=10 {
        let r = shop.send(None, ORDER_LOOKUP, lookup("AAAAAAAAAAAAAAAAAAAAAA")).await;
        assert!(r["errors"].is_null(), "lookup {n} is allowed: {r}");
    }
    let refused = shop.send(None, ORDER_LOOKUP, lookup("AAAAAAAAAAAAAAAAAAAAAA")).await;
    assert_eq!(error_code(&refused), Some("RATE_LIMITED"), "the eleventh: {refused}");
}

// ---- small helpers ------------------------------------------------------------------------

/// A variant on sale, as an anonymous shopper sees it on the default channel.
#[derive(Clone, Debug)]
struct Variant {
    id: String,
    sku: String,
    product_id: String,
    vendor: String,
    /// In cents of EUR.
    price: i64,
}

/// Every variant on sale in EUR among the first products of the default channel.
async fn catalog(shop: &Shop) -> Vec<Variant> {
    let r = shop.send(None, CATALOG, json!({})).await;
    let products = r["data"]["products"]["nodes"].as_array().unwrap_or_else(|| panic!("{r}"));
    let mut variants = vec![];
    for p in products {
        for v in p["variants"]["nodes"].as_array().expect("variants") {
            if v["availableForSale"] != true || v["price"]["currencyCode"] != "EUR" {
                continue;
            }
            variants.push(Variant {
                id: text(&v["id"]),
                sku: text(&v["sku"]),
                product_id: text(&p["id"]),
                vendor: text(&p["vendor"]),
                price: cents(&v["price"]),
            });
        }
    }
    variants
}

/// `n` variants of different products that pass `test`.
fn pick(variants: &[Variant], n: usize, test: impl Fn(&Variant) -> bool) -> Vec<Variant> {
    let mut picked: Vec<Variant> = vec![];
    for v in variants {
        if test(v) && !picked.iter().any(|p| p.product_id == v.product_id) {
            picked.push(v.clone());
            if picked.len() == n {
                return picked;
            }
        }
    }
    panic!("the demo has fewer than {n} such variants")
}

/// A piece cheap enough for standard delivery to cost 4.90 EUR (the demo's cheapest are 90).
async fn stocked_cheap_piece(shop: &Shop, units: i64) -> Variant {
    let piece = pick(&catalog(shop).await, 1, |v| v.price <= 95_00).remove(0);
    shop.stock(&piece.sku, units).await;
    piece
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_else(|| panic!("not a string: {value}")).to_owned()
}

fn id(node: &Value) -> &str {
    node["id"].as_str().unwrap_or_else(|| panic!("no id: {node}"))
}

/// A `MoneyV2` in cents: `{"amount": "94.90"}` is 9490.
fn cents(money: &Value) -> i64 {
    let amount = money["amount"].as_str().unwrap_or_else(|| panic!("not money: {money}"));
    let (units, fraction) = amount.split_once('.').unwrap_or((amount, "0"));
    let fraction = format!("{fraction:0<2}");
    let units: i64 = units.parse().unwrap_or_else(|_| panic!("amount {amount}"));
    let fraction: i64 = fraction[..2].parse().unwrap_or_else(|_| panic!("amount {amount}"));
    units * 100 + fraction
}

/// 9490 as `"94.90"`.
fn money(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

fn paris() -> Value {
    json!({ "firstName": "Ada", "lastName": "Lovelace", "address1": "1 rue de Rivoli",
            "city": "Paris", "zip": "75001", "countryCode": "FR" })
}

fn cart_lines(lines: &[(&Variant, u32)]) -> Value {
    lines.iter().map(|(v, q)| json!({ "merchandiseId": v.id, "quantity": q })).collect()
}

/// `(sku, quantity)` of a cart's lines, in order.
fn line_skus(cart: &Value) -> Vec<(String, i64)> {
    cart["lines"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("cart lines: {cart}"))
        .iter()
        .map(|l| (text(&l["merchandise"]["sku"]), l["quantity"].as_i64().expect("quantity")))
        .collect()
}

fn card(token: &str) -> Value {
    json!({ "method": "CARD", "paymentToken": token })
}

fn manual() -> Value {
    json!({ "method": "MANUAL" })
}

fn invoice() -> Value {
    json!({ "method": "INVOICE" })
}

/// The first user error of `field`, asserting that every user error has `code`.
fn refused(response: &Value, field: &str, code: &str) -> Value {
    let errors = response["data"][field]["userErrors"]
        .as_array()
        .unwrap_or_else(|| panic!("{field} has no user errors: {response}"));
    assert!(!errors.is_empty(), "{field} should be refused with {code}: {response}");
    assert!(errors.iter().all(|e| e["code"] == code), "{field}: expected {code}: {response}");
    errors[0].clone()
}

fn methods(cart: &Value) -> Vec<&str> {
    cart["availablePaymentMethods"]
        .as_array()
        .unwrap_or_else(|| panic!("payment methods: {cart}"))
        .iter()
        .filter_map(Value::as_str)
        .collect()
}

// ---- scenarios ----------------------------------------------------------------------------

async fn guest_checks_out_with_a_card_and_staff_capture_on_shipping(shop: Shop) {
    let piece = stocked_cheap_piece(&shop, 5).await;
    let cart = shop.guest_cart(&[(&piece, 1)]).await;

    // The cart adds up: the piece, standard delivery below 100 EUR, French VAT included.
    let cost = &cart["cost"];
    assert_eq!(cost["pricesIncludeTax"], true, "{cost}");
    assert_eq!(cost["totalAmount"]["currencyCode"], "EUR", "{cost}");
    assert_eq!(cents(&cost["subtotalAmount"]), piece.price, "{cost}");
    assert_eq!(cents(&cost["totalDiscountAmount"]), 0, "{cost}");
    assert_eq!(cart["selectedDeliveryOption"]["handle"], "standard-eu", "{cart}");
    assert_eq!(cents(&cost["totalShippingAmount"]), STANDARD_EU, "{cost}");
    let total = cents(&cost["totalAmount"]);
    assert_eq!(total, piece.price + STANDARD_EU, "goods plus shipping: {cost}");
    assert_eq!(cents(&cost["checkoutChargeAmount"]), total, "{cost}");
    let tax = cents(&cost["totalTaxAmount"]);
    assert!((tax * 6 - total).abs() <= 6, "20% VAT included in goods and shipping: {cost}");
    let offered = methods(&cart);
    assert!(offered.contains(&"CARD") && offered.contains(&"MANUAL"), "{offered:?}");
    assert!(!offered.contains(&"INVOICE"), "no terms for a guest: {offered:?}");

    // The card is authorised at checkout, not charged.
    let placed =
        shop.checkout(None, id(&cart), card("pm_card_visa"), Some("ada-1"), Some(total)).await;
    let placed = ok(&placed, "checkoutComplete");
    assert_eq!(placed["replayed"], false);
    let order = &placed["order"];
    assert_eq!(order["status"], "PROCESSING", "{order}");
    assert_eq!(order["email"], GUEST);
    assert_eq!(order["customerId"], Value::Null);
    assert_eq!(order["paymentMethod"], "CARD");
    assert_eq!(cents(&order["totalPrice"]), total, "the order charges what the cart showed");
    assert_eq!(cents(&order["totalShippingPrice"]), STANDARD_EU);
    assert_eq!(order["deliveryMethod"]["handle"], "standard-eu");
    assert_eq!(order["shippingAddress"]["city"], "Paris");
    let payment = &order["payments"][0];
    assert_eq!(payment["method"], "CARD", "{order}");
    assert_eq!(payment["status"], "AUTHORIZED", "{order}");
    assert_eq!(cents(&payment["amount"]), total);
    assert_eq!(cents(&payment["capturedAmount"]), 0);
    assert_eq!(shop.stripe().calls("create"), 1, "one PaymentIntent");
    assert_eq!(shop.stripe().calls("capture"), 0, "nothing taken before shipping");
    assert_eq!(shop.level(&piece.sku).await, (5, 1, 4), "one unit reserved");
    let order_id = text(&order["id"]);
    let number = order["number"].as_i64().expect("number");
    let token = text(&order["statusToken"]);
    assert_eq!(shop.cart(None, id(&cart)).await["orderId"], order_id.as_str());

    // Staff ship everything with the parcel's tracking: the card is charged now.
    let tracking = json!({ "trackingCompany": "Colissimo", "trackingNumber": "6A12345678901",
        "trackingUrl": "https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901" });
    let shipped = shop.fulfil(&order_id, tracking).await;
    assert_eq!(shipped["status"], "FULFILLED", "{shipped}");
    assert_eq!(shipped["payments"][0]["status"], "CAPTURED", "{shipped}");
    assert_eq!(cents(&shipped["payments"][0]["capturedAmount"]), total);
    assert_eq!(shop.stripe().calls("capture"), 1);
    let line = &shipped["lineItems"]["nodes"][0];
    assert_eq!(line["fulfilledQuantity"], 1, "{shipped}");
    let parcel = &shipped["fulfillments"][0];
    assert_eq!(parcel["status"], "CONFIRMED", "{parcel}");
    assert_eq!(parcel["trackingCompany"], "Colissimo");
    assert_eq!(parcel["trackingNumber"], "6A12345678901");
    assert_eq!(parcel["lineItems"], json!([{ "orderLineId": line["id"], "quantity": 1 }]));
    assert_eq!(shop.level(&piece.sku).await, (4, 0, 4), "the unit left the warehouse");

    // The carrier's word: in transit, then delivered, which delivers the order.
    let parcel_id = text(&parcel["id"]);
    let moving = shop.track(&parcel_id, "IN_TRANSIT").await;
    assert_eq!(moving["status"], "FULFILLED", "{moving}");
    assert_eq!(moving["fulfillments"][0]["status"], "IN_TRANSIT", "{moving}");
    let arrived = shop.track(&parcel_id, "DELIVERED").await;
    assert_eq!(arrived["status"], "DELIVERED", "{arrived}");

    // The guest follows it with the number, email and the token of the confirmation; nobody
    // else finds it.
    let lookup = |email: &str| json!({ "number": number, "email": email, "token": token });
    let found = shop.send(None, ORDER_LOOKUP, lookup(GUEST)).await;
    let found = &found["data"]["orderLookup"];
    assert_eq!(found["id"], order_id.as_str(), "{found}");
    assert_eq!(found["status"], "DELIVERED", "{found}");
    assert_eq!(found["fulfillments"][0]["trackingNumber"], "6A12345678901", "{found}");
    assert_eq!(
        found["fulfillments"][0]["trackingUrl"],
        "https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901"
    );
    assert_eq!(
        found["fulfillments"][0]["events"],
        json!([{ "status": "IN_TRANSIT" }, { "status": "DELIVERED" }])
    );
    let shouted = shop.send(None, ORDER_LOOKUP, lookup("ADA@Example.com")).await;
    assert_eq!(shouted["data"]["orderLookup"]["id"], order_id.as_str(), "emails ignore case");
    let stranger = shop.send(None, ORDER_LOOKUP, lookup("eve@example.com")).await;
    assert_eq!(stranger["data"]["orderLookup"], Value::Null, "{stranger}");
    let by_id = shop.send(None, ORDER, json!({ "id": order_id })).await;
    assert_eq!(by_id["data"]["order"], Value::Null, "a guest's order is not open by id: {by_id}");
}

async fn a_declined_card_orders_nothing_and_the_cart_stays_open(shop: Shop) {
    let piece = stocked_cheap_piece(&shop, 5).await;
    let cart = shop.guest_cart(&[(&piece, 1)]).await;
    let total = cents(&cart["cost"]["totalAmount"]);

    let declined = shop
        .checkout(None, id(&cart), card("pm_card_chargeDeclined"), Some("ada-try-1"), None)
        .await;
    let error = refused(&declined, "checkoutComplete", "PAYMENT_DECLINED");
    assert_eq!(error["field"], json!(["payment"]), "{declined}");
    assert_eq!(declined["data"]["checkoutComplete"]["order"], Value::Null);
    assert!(shop.all_orders().await.is_empty(), "no order for a declined card");
    assert_eq!(shop.level(&piece.sku).await, (5, 0, 5), "nothing reserved");
    let still = shop.cart(None, id(&cart)).await;
    assert_eq!(still["orderId"], Value::Null, "the cart is still open: {still}");
    assert_eq!(cents(&still["cost"]["totalAmount"]), total);

    // The buyer tries another card on the same cart, as they would right away.
    let paid = shop.checkout(None, id(&cart), card("pm_card_visa"), Some("ada-try-2"), None).await;
    let order = ok(&paid, "checkoutComplete")["order"].clone();
    assert_eq!(order["status"], "PROCESSING", "{order}");
    assert_eq!(order["payments"][0]["status"], "AUTHORIZED", "{order}");
    assert_eq!(cents(&order["totalPrice"]), total);
    assert_eq!(shop.all_orders().await.len(), 1);
}

async fn a_card_needing_authentication_waits_for_the_bank_webhook(shop: Shop) {
    let piece = stocked_cheap_piece(&shop, 5).await;
    let cart = shop.guest_cart(&[(&piece, 1)]).await;

    let placed = shop
        .checkout(None, id(&cart), card("pm_card_authenticationRequired"), Some("3ds-1"), None)
        .await;
    let order = ok(&placed, "checkoutComplete")["order"].clone();
    assert_eq!(order["status"], "PENDING_PAYMENT", "the bank asks the buyer: {order}");
    let payment = &order["payments"][0];
    assert_eq!(payment["status"], "PENDING", "{order}");
    let secret = text(&payment["clientSecret"]);
    let intent = secret.split("_secret").next().expect("pi_…_secret_…").to_owned();
    assert_eq!(shop.level(&piece.sku).await, (5, 1, 4), "held while the buyer confirms");
    let order_id = text(&order["id"]);

    let event = shop.stripe().complete_authentication(&intent).expect("the intent");
    assert_eq!(shop.stripe_webhook(&event, "whsec_forged").await, 400, "a bad signature");
    assert_eq!(shop.order_as_staff(&order_id).await["status"], "PENDING_PAYMENT");

    assert_eq!(shop.stripe_webhook(&event, WEBHOOK_SECRET).await, 200);
    let confirmed = shop.order_as_staff(&order_id).await;
    assert_eq!(confirmed["status"], "PROCESSING", "{confirmed}");
    assert_eq!(confirmed["payments"][0]["status"], "AUTHORIZED", "{confirmed}");
    // Stripe delivers at least once: the same event again changes nothing.
    assert_eq!(shop.stripe_webhook(&event, WEBHOOK_SECRET).await, 200);
    assert_eq!(shop.order_as_staff(&order_id).await["status"], "PROCESSING");
}

async fn a_boutique_buyer_orders_on_invoice_at_wholesale_prices(shop: Shop) {
    let variants = catalog(&shop).await;
    let other_brand =
        pick(&variants, 1, |v| v.vendor != "Maison Lune" && v.price <= 95_00).remove(0);
    let lune = pick(&variants, 1, |v| v.vendor == "Maison Lune").remove(0);
    shop.stock(&other_brand.sku, 20).await;
    shop.stock(&lune.sku, 20).await;

    // The demo boutique's invitation makes this customer its admin.
    let buyer = shop.server.customer_token(BOUTIQUE_BUYER).await;
    let buyer = Some(buyer.as_str());
    let joined = shop.send(buyer, INVITATION_ACCEPT, json!({ "token": BOUTIQUE_INVITATION })).await;
    let membership = ok(&joined, "companyInvitationAccept")["companyMembership"].clone();
    assert_eq!(membership["role"], "ADMIN", "{joined}");
    assert_eq!(membership["company"]["status"], "APPROVED");
    assert_eq!(membership["company"]["paymentTerms"], "NET_30");
    let company = text(&membership["company"]["id"]);

    // No address given: the cart buys for the boutique's shop, at its address.
    let cart = shop.create_cart(buyer, json!({ "lines": cart_lines(&[(&other_brand, 1)]) })).await;
    let cart_id = text(&cart["id"]);
    assert_eq!(cart["buyerIdentity"]["email"], BOUTIQUE_BUYER, "{cart}");
    assert_eq!(cart["buyerIdentity"]["companyLocation"]["name"], "Rue du Faubourg", "{cart}");
    let shop_address = json!({ "company": "Boutique Lune Paris (demo)",
        "address1": "12 rue du Faubourg Saint-Honoré", "city": "Paris", "zip": "75008",
        "countryCode": "FR" });
    assert_eq!(cart["shippingAddress"], shop_address, "{cart}");
    assert_eq!(cart["billingAddress"], shop_address, "billing falls back to shipping");
    assert!(methods(&cart).contains(&"INVOICE"), "{cart}");
    assert_eq!(cart["paymentTerms"], "NET_30");

    // Wholesale: 40% off retail; the boutique's own brand at its list price, in sets of two.
    let line = &cart["lines"]["nodes"][0];
    assert_eq!(cents(&line["cost"]["amountPerQuantity"]), other_brand.price * 60 / 100, "{line}");
    assert_eq!(cents(&line["cost"]["compareAtAmountPerQuantity"]), other_brand.price, "{line}");
    let one = shop
        .send(buyer, LINES_ADD, json!({ "cart": cart_id, "lines": cart_lines(&[(&lune, 1)]) }))
        .await;
    let error = refused(&one, "cartLinesAdd", "BELOW_MINIMUM");
    assert_eq!(error["field"], json!(["lines", "0", "quantity"]), "{one}");
    assert_eq!(line_skus(&shop.cart(buyer, &cart_id).await).len(), 1, "nothing was added");
    let two = shop
        .send(buyer, LINES_ADD, json!({ "cart": cart_id, "lines": cart_lines(&[(&lune, 2)]) }))
        .await;
    let cart = ok(&two, "cartLinesAdd")["cart"].clone();
    let lune_line = &cart["lines"]["nodes"][1];
    assert_eq!(lune_line["merchandise"]["sku"], lune.sku.as_str(), "{cart}");
    // 55% of retail, rounded down to whole euros.
    assert_eq!(cents(&lune_line["cost"]["amountPerQuantity"]), lune.price * 55 / 100 / 100 * 100);
    let total = cents(&cart["cost"]["totalAmount"]);
    assert_eq!(
        cents(&cart["cost"]["subtotalAmount"]),
        other_brand.price * 60 / 100 + 2 * (lune.price * 55 / 100 / 100 * 100)
    );
    assert_eq!(shop.cart(None, &cart_id).await, Value::Null, "a member's cart is theirs alone");

    // On the boutique's terms: nothing to pay now.
    let placed = shop.checkout(buyer, &cart_id, invoice(), Some("PO-2026-001"), None).await;
    let order = ok(&placed, "checkoutComplete")["order"].clone();
    assert_eq!(order["status"], "PROCESSING", "{order}");
    assert_eq!(order["paymentMethod"], "INVOICE");
    assert_eq!(order["paymentTerms"], "NET_30");
    assert_eq!(order["companyId"], company.as_str());
    assert_eq!(order["email"], BOUTIQUE_BUYER);
    assert_eq!(order["shippingAddress"]["city"], "Paris");
    assert_eq!(order["payments"][0]["status"], "PENDING", "the invoice is unpaid: {order}");
    assert_eq!(cents(&order["totalPrice"]), total);
    let order_id = text(&order["id"]);

    let mine = shop.send(buyer, MY_ORDERS, json!({})).await;
    let listed: Vec<&Value> = mine["data"]["customer"]["orders"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{mine}"))
        .iter()
        .map(|o| &o["id"])
        .collect();
    assert_eq!(listed, vec![&json!(order_id)], "{mine}");
    let consumer = shop.server.customer_token("consumer@example.com").await;
    let peek = shop.send(Some(&consumer), ORDER, json!({ "id": order_id })).await;
    assert_eq!(peek["data"]["order"], Value::Null, "another customer: {peek}");
    let theirs = shop.send(Some(&consumer), MY_ORDERS, json!({})).await;
    assert_eq!(theirs["data"]["customer"]["orders"]["nodes"], json!([]), "{theirs}");

    // Credit: the unpaid invoice counts against the limit until it is paid.
    let next = shop.create_cart(buyer, json!({ "lines": cart_lines(&[(&other_brand, 2)]) })).await;
    let next_total = cents(&next["cost"]["totalAmount"]);
    let limit = next_total + total / 2;
    let updated = shop
        .as_staff(
            COMPANY_UPDATE,
            json!({ "id": company, "input": { "creditLimit": { "amount": money(limit), "currencyCode": "EUR" } } }),
        )
        .await;
    assert_eq!(cents(&ok(&updated, "companyUpdate")["company"]["creditLimit"]), limit);
    let over = shop.checkout(buyer, id(&next), invoice(), Some("PO-2026-002"), None).await;
    refused(&over, "checkoutComplete", "CREDIT_LIMIT_EXCEEDED");
    assert_eq!(over["data"]["checkoutComplete"]["order"], Value::Null);
    assert_eq!(shop.cart(buyer, id(&next)).await["orderId"], Value::Null, "still open");
    let paid = shop.as_staff(MARK_PAID, json!({ "id": order_id })).await;
    let paid = ok(&paid, "orderMarkAsPaid")["order"].clone();
    assert_eq!(paid["payments"][0]["status"], "CAPTURED", "{paid}");
    assert_eq!(paid["status"], "PROCESSING", "still to ship");
    let within = shop.checkout(buyer, id(&next), invoice(), Some("PO-2026-002"), None).await;
    let second = ok(&within, "checkoutComplete")["order"].clone();
    assert_eq!(cents(&second["totalPrice"]), next_total, "{second}");
}

async fn a_retried_checkout_places_one_order_and_charges_once(shop: Shop) {
    let piece = stocked_cheap_piece(&shop, 5).await;
    let cart = shop.guest_cart(&[(&piece, 1)]).await;
    let cart_id = id(&cart);

    // A double click, five times over, all with the same key.
    let answers = join_all(
        (0..5).map(|_| shop.checkout(None, cart_id, card("pm_card_visa"), Some("click"), None)),
    )
    .await;
    let mut numbers = vec![];
    let mut first = 0;
    for answer in &answers {
        let placed = ok(answer, "checkoutComplete");
        numbers.push(placed["order"]["number"].as_i64().expect("number"));
        first += usize::from(placed["replayed"] == false);
    }
    numbers.dedup();
    assert_eq!(numbers.len(), 1, "one order for five calls: {answers:?}");
    assert_eq!(first, 1, "one call placed it, the others replayed it: {answers:?}");
    let order = ok(&answers[0], "checkoutComplete")["order"].clone();

    // A retry later returns the same order; another key finds the cart checked out.
    let again = shop.checkout(None, cart_id, card("pm_card_visa"), Some("click"), None).await;
    let again = ok(&again, "checkoutComplete");
    assert_eq!(again["replayed"], true);
    assert_eq!(again["order"]["id"], order["id"]);
    for key in [Some("another-click"), None] {
        let other = shop.checkout(None, cart_id, card("pm_card_visa"), key, None).await;
        let error = refused(&other, "checkoutComplete", "ALREADY_COMPLETED");
        assert!(text(&error["message"]).contains(&numbers[0].to_string()), "{error}");
        assert_eq!(other["data"]["checkoutComplete"]["order"], Value::Null);
    }
    assert_eq!(shop.all_orders().await.len(), 1);
    assert_eq!(shop.level(&piece.sku).await, (5, 1, 4), "reserved once");
    let stripe = shop.stripe();
    assert!(stripe.intent("pi_mock_1").is_some(), "the card was authorised");
    assert!(stripe.intent("pi_mock_2").is_none(), "and only once");
    assert_eq!(stripe.calls("cancel"), 0, "the kept authorisation is not voided");
    assert_eq!(order["payments"][0]["status"], "AUTHORIZED", "{order}");
}

async fn checkout_refuses_a_total_that_changed_since_the_buyer_looked(shop: Shop) {
    let piece = stocked_cheap_piece(&shop, 5).await;
    let cart = shop.guest_cart(&[(&piece, 1)]).await;
    let cart_id = id(&cart);
    let seen = cents(&cart["cost"]["totalAmount"]);

    // Staff raise the piece's euro price by 2.50 (still below free shipping), other
    // currencies unchanged.
    let base = shop.as_staff(BASE_PRICES, json!({ "id": piece.id })).await;
    let new_price = piece.price + 2_50;
    assert!(new_price < FREE_SHIPPING_FROM);
    let prices: Vec<Value> = base["data"]["node"]["prices"]
        .as_array()
        .unwrap_or_else(|| panic!("base prices: {base}"))
        .iter()
        .map(|p| {
            let currency = &p["price"]["currencyCode"];
            let amount =
                if currency == "EUR" { money(new_price) } else { text(&p["price"]["amount"]) };
            json!({ "amount": amount, "currencyCode": currency })
        })
        .collect();
    let updated = shop
        .as_staff(
            VARIANTS_UPDATE,
            json!({ "product": piece.product_id, "variants": [{ "id": piece.id, "prices": prices }] }),
        )
        .await;
    ok(&updated, "productVariantsBulkUpdate");

    let now = shop.cart(None, cart_id).await;
    let current = cents(&now["cost"]["totalAmount"]);
    assert_eq!(current, seen + 2_50, "the cart shows the new price: {now}");
    assert_eq!(cents(&now["lines"]["nodes"][0]["cost"]["amountPerQuantity"]), new_price);

    let stale = shop.checkout(None, cart_id, manual(), Some("pay-1"), Some(seen)).await;
    let error = refused(&stale, "checkoutComplete", "PRICE_CHANGED");
    assert_eq!(error["field"], json!(["expectedTotalAmount"]), "{stale}");
    assert!(text(&error["message"]).contains(&money(current)), "names the new total: {error}");
    assert_eq!(stale["data"]["checkoutComplete"]["order"], Value::Null);
    assert!(shop.all_orders().await.is_empty(), "no order at the old price");
    assert_eq!(shop.level(&piece.sku).await, (5, 0, 5), "nothing reserved");

    let placed = shop.checkout(None, cart_id, manual(), Some("pay-2"), None).await;
    let order = ok(&placed, "checkoutComplete")["order"].clone();
    assert_eq!(cents(&order["totalPrice"]), current, "{order}");
    assert_eq!(cents(&order["lineItems"]["nodes"][0]["unitPrice"]), new_price, "{order}");
}

async fn cancelling_puts_the_stock_back_on_sale_until_the_order_ships(shop: Shop) {
    let piece = stocked_cheap_piece(&shop, 5).await;
    assert_eq!(shop.level(&piece.sku).await, (5, 0, 5));

    // A bank transfer order waits for the money; its two units are held.
    let order = shop.manual_order(&[(&piece, 2)]).await;
    assert_eq!(order["status"], "PENDING_PAYMENT", "{order}");
    assert_eq!(order["payments"][0]["method"], "MANUAL");
    assert_eq!(shop.level(&piece.sku).await, (5, 2, 3), "two units reserved");
    let order_id = text(&order["id"]);

    let cancel = json!({ "id": order_id, "reason": "the buyer changed their mind" });
    let cancelled = shop.as_staff(CANCEL, cancel.clone()).await;
    let cancelled = ok(&cancelled, "orderCancel")["order"].clone();
    assert_eq!(cancelled["status"], "CANCELLED", "{cancelled}");
    assert_eq!(cancelled["cancelReason"], "the buyer changed their mind");
    assert!(cancelled["cancelledAt"].is_string(), "{cancelled}");
    assert_eq!(cancelled["payments"][0]["status"], "VOIDED", "{cancelled}");
    assert_eq!(shop.level(&piece.sku).await, (5, 0, 5), "back on sale");

    let twice = shop.as_staff(CANCEL, cancel).await;
    refused(&twice, "orderCancel", "INVALID_TRANSITION");
    assert_eq!(shop.level(&piece.sku).await, (5, 0, 5), "released once");
    let ship_cancelled = shop.as_staff(FULFIL, json!({ "input": { "orderId": order_id } })).await;
    refused(&ship_cancelled, "fulfillmentCreate", "INVALID_TRANSITION");

    // Once shipped, an order can no longer be cancelled.
    let order = shop.manual_order(&[(&piece, 1)]).await;
    let order_id = text(&order["id"]);
    let paid = shop.as_staff(MARK_PAID, json!({ "id": order_id })).await;
    assert_eq!(ok(&paid, "orderMarkAsPaid")["order"]["status"], "PROCESSING", "{paid}");
    let shipped = shop.fulfil(&order_id, json!({})).await;
    assert_eq!(shipped["status"], "FULFILLED", "{shipped}");
    assert_eq!(shop.level(&piece.sku).await, (4, 0, 4));
    let late = shop.as_staff(CANCEL, json!({ "id": order_id })).await;
    refused(&late, "orderCancel", "INVALID_TRANSITION");
    assert_eq!(shop.order_as_staff(&order_id).await["status"], "FULFILLED");
    assert_eq!(shop.level(&piece.sku).await, (4, 0, 4), "nothing came back");
}

async fn an_order_reserved_in_two_places_ships_in_two_parcels(shop: Shop) {
    // One unit in the warehouse, one in a shop that also ships online orders.
    let piece = stocked_cheap_piece(&shop, 1).await;
    let (warehouse, store) = (shop.warehouse.as_str(), shop.shipping_shop.as_str());
    shop.stock_at(&piece.sku, &[(warehouse, 1), (store, 1)]).await;
    let order = shop.manual_order(&[(&piece, 2)]).await;
    let order_id = text(&order["id"]);
    assert_eq!(shop.level_at(&piece.sku, warehouse).await, (1, 1, 0), "one held here");
    assert_eq!(shop.level_at(&piece.sku, store).await, (1, 1, 0), "and one there");
    let paid = shop.as_staff(MARK_PAID, json!({ "id": order_id })).await;
    assert_eq!(ok(&paid, "orderMarkAsPaid")["order"]["status"], "PROCESSING", "{paid}");

    // The warehouse ships its unit first...
    let line = text(&order["lineItems"]["nodes"][0]["id"]);
    let first = shop
        .fulfil(
            &order_id,
            json!({ "lines": [{ "orderLineId": line, "quantity": 1 }], "trackingNumber": "P-1" }),
        )
        .await;
    assert_eq!(first["status"], "PARTIALLY_FULFILLED", "{first}");
    assert_eq!(first["lineItems"]["nodes"][0]["fulfilledQuantity"], 1);
    assert_eq!(shop.level_at(&piece.sku, warehouse).await, (0, 0, 0));
    assert_eq!(shop.level_at(&piece.sku, store).await, (1, 1, 0), "still held in the shop");

    // ...then the shop ships the rest, from its own reservation.
    let second = shop.fulfil(&order_id, json!({ "trackingNumber": "P-2" })).await;
    assert_eq!(second["status"], "FULFILLED", "{second}");
    assert_eq!(shop.level_at(&piece.sku, store).await, (0, 0, 0));
    assert_eq!(shop.level_at(&piece.sku, warehouse).await, (0, 0, 0), "nothing taken twice");

    // Delivered when both parcels are.
    let parcels: Vec<String> = second["fulfillments"]
        .as_array()
        .unwrap_or_else(|| panic!("{second}"))
        .iter()
        .map(|f| text(&f["id"]))
        .collect();
    assert_eq!(parcels.len(), 2, "{second}");
    assert_eq!(shop.track(&parcels[0], "DELIVERED").await["status"], "FULFILLED");
    assert_eq!(shop.track(&parcels[1], "DELIVERED").await["status"], "DELIVERED");
}

async fn bad_input_and_unauthorised_calls_are_refused_with_a_reason(shop: Shop) {
    let piece = stocked_cheap_piece(&shop, 3).await;
    let cart = shop.guest_cart(&[(&piece, 1)]).await;
    let cart_id = id(&cart);
    let add = |cart: &str, lines: Value| {
        shop.send(None, LINES_ADD, json!({ "cart": cart, "lines": lines }))
    };

    for malformed in ["not-an-id", "gid://vitrine/Product/0190a0a0-0000-7000-8000-000000000001"] {
        let r = add(cart_id, json!([{ "merchandiseId": malformed, "quantity": 1 }])).await;
        let error = refused(&r, "cartLinesAdd", "INVALID");
        assert_eq!(error["field"], json!(["lines", "0", "merchandiseId"]), "{r}");
    }
    let negative = add(cart_id, json!([{ "merchandiseId": piece.id, "quantity": -1 }])).await;
    refused(&negative, "cartLinesAdd", "INVALID");
    let too_many = add(cart_id, json!([{ "merchandiseId": piece.id, "quantity": 3 }])).await;
    let error = refused(&too_many, "cartLinesAdd", "INSUFFICIENT_STOCK");
    assert_eq!(error["field"], json!(["lines", "0", "quantity"]), "{too_many}");
    assert_eq!(line_skus(&shop.cart(None, cart_id).await), vec![(piece.sku.clone(), 1)]);

    let nowhere = "gid://vitrine/Cart/0190a0a0-0000-4000-8000-00000000dead";
    let r = add(nowhere, json!([{ "merchandiseId": piece.id, "quantity": 1 }])).await;
    refused(&r, "cartLinesAdd", "NOT_FOUND");
    let r = shop.checkout(None, nowhere, manual(), None, None).await;
    refused(&r, "checkoutComplete", "NOT_FOUND");
    assert_eq!(shop.cart(None, nowhere).await, Value::Null);

    // Checkout needs an email, and a way to pay this buyer is offered.
    let anonymous = shop
        .create_cart(
            None,
            json!({ "lines": cart_lines(&[(&piece, 1)]), "shippingAddress": paris() }),
        )
        .await;
    let r = shop.checkout(None, id(&anonymous), manual(), None, None).await;
    let error = refused(&r, "checkoutComplete", "BLANK");
    assert_eq!(error["field"], json!(["buyerIdentity", "email"]), "{r}");
    for unavailable in [invoice(), card("pm_card_visa")] {
        let r = shop.checkout(None, cart_id, unavailable, None, None).await;
        let error = refused(&r, "checkoutComplete", "PAYMENT_METHOD_UNAVAILABLE");
        assert_eq!(error["field"], json!(["payment", "method"]), "{r}");
    }
    assert!(shop.all_orders().await.is_empty());

    // Only staff with `orders:write` ship or cancel.
    let order = shop.manual_order(&[(&piece, 1)]).await;
    let ship = json!({ "input": { "orderId": order["id"] } });
    let r = shop.send(None, FULFIL, ship.clone()).await;
    assert_eq!(error_code(&r), Some("UNAUTHENTICATED"), "{r}");
    let customer = shop.server.customer_token("curious@example.com").await;
    let r = shop.send(Some(&customer), FULFIL, ship).await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    let r = shop.send(Some(&customer), CANCEL, json!({ "id": order["id"] })).await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    assert_eq!(shop.order_as_staff(id(&order)).await["status"], "PENDING_PAYMENT");

    // A negative quantity to ship is an input error, never "nothing"; every bad row is named.
    let line = text(&order["lineItems"]["nodes"][0]["id"]);
    let rows = json!([
        { "orderLineId": line, "quantity": -1 },
        { "orderLineId": "not-an-id", "quantity": 1 },
    ]);
    let r =
        shop.as_staff(FULFIL, json!({ "input": { "orderId": order["id"], "lines": rows } })).await;
    let errors = &r["data"]["fulfillmentCreate"]["userErrors"];
    let fields: Vec<&Value> =
        errors.as_array().map(|e| e.iter().map(|e| &e["field"]).collect()).unwrap_or_default();
    assert_eq!(
        fields,
        [&json!(["lines", "0", "quantity"]), &json!(["lines", "1", "orderLineId"])],
        "{r}"
    );
    assert!(errors.as_array().is_some_and(|e| e.iter().all(|e| e["code"] == "INVALID")), "{r}");
    assert_eq!(shop.order_as_staff(id(&order)).await["status"], "PENDING_PAYMENT");
}

async fn a_shopper_edits_the_cart_and_picks_how_it_is_delivered(shop: Shop) {
    let mut pieces = pick(&catalog(&shop).await, 2, |v| v.price <= 95_00).into_iter();
    let (a, b) = (pieces.next().expect("A"), pieces.next().expect("B"));
    shop.stock(&a.sku, 10).await;
    shop.stock(&b.sku, 10).await;
    let cart = shop.guest_cart(&[(&a, 1)]).await;
    let cart_id = text(&cart["id"]);
    let line_of = |cart: &Value, sku: &str| {
        cart["lines"]["nodes"]
            .as_array()
            .and_then(|lines| lines.iter().find(|l| l["merchandise"]["sku"] == sku))
            .map(|l| text(&l["id"]))
            .unwrap_or_else(|| panic!("no {sku} line: {cart}"))
    };

    // Quick order by SKU; an unknown SKU adds nothing.
    let r = shop
        .send(
            None,
            LINES_ADD_BY_SKU,
            json!({ "cart": cart_id, "lines": [{ "sku": b.sku, "quantity": 2 }] }),
        )
        .await;
    let cart = ok(&r, "cartLinesAddBySku")["cart"].clone();
    assert_eq!(line_skus(&cart), vec![(a.sku.clone(), 1), (b.sku.clone(), 2)]);
    assert_eq!(cart["totalQuantity"], 3);
    let r = shop
        .send(None, LINES_ADD_BY_SKU, json!({ "cart": cart_id, "lines": [{ "sku": "NO-SUCH" }] }))
        .await;
    let error = refused(&r, "cartLinesAddBySku", "NOT_FOUND");
    assert_eq!(error["field"], json!(["lines", "0", "sku"]), "{r}");

    // Change a quantity, remove a line.
    let r = shop
        .send(
            None,
            LINES_UPDATE,
            json!({ "cart": cart_id, "lines": [{ "id": line_of(&cart, &a.sku), "quantity": 3 }] }),
        )
        .await;
    let cart = ok(&r, "cartLinesUpdate")["cart"].clone();
    assert_eq!(line_skus(&cart), vec![(a.sku.clone(), 3), (b.sku.clone(), 2)]);
    let r = shop
        .send(None, LINES_REMOVE, json!({ "cart": cart_id, "ids": [line_of(&cart, &b.sku)] }))
        .await;
    let cart = ok(&r, "cartLinesRemove")["cart"].clone();
    assert_eq!(line_skus(&cart), vec![(a.sku.clone(), 3)]);

    // Above 100 EUR standard delivery is free; express costs what the option says.
    assert!(3 * a.price >= FREE_SHIPPING_FROM);
    assert_eq!(cart["selectedDeliveryOption"]["handle"], "standard-eu", "{cart}");
    assert_eq!(cents(&cart["cost"]["totalShippingAmount"]), 0, "{cart}");
    let select = |handle: &str| {
        shop.send(None, DELIVERY_OPTION_SELECT, json!({ "cart": cart_id, "handle": handle }))
    };
    let cart = ok(&select("express-eu").await, "cartDeliveryOptionSelect")["cart"].clone();
    let express = cart["deliveryOptions"]
        .as_array()
        .and_then(|all| all.iter().find(|o| o["handle"] == "express-eu"))
        .map(|o| cents(&o["estimatedCost"]))
        .unwrap_or_else(|| panic!("express is offered: {cart}"));
    assert!(express > 0, "{cart}");
    assert_eq!(cart["selectedDeliveryOption"]["handle"], "express-eu");
    assert_eq!(cents(&cart["cost"]["totalShippingAmount"]), express);
    assert_eq!(cents(&cart["cost"]["totalAmount"]), 3 * a.price + express);
    let r = select("teleport").await;
    let error = refused(&r, "cartDeliveryOptionSelect", "DELIVERY_UNAVAILABLE");
    assert_eq!(error["field"], json!(["handle"]), "{r}");

    // Collection in Milan needs no address.
    ok(&select("pickup-milano").await, "cartDeliveryOptionSelect");
    let r = shop
        .send(None, SHIPPING_ADDRESS_UPDATE, json!({ "cart": cart_id, "address": Value::Null }))
        .await;
    let cart = ok(&r, "cartShippingAddressUpdate")["cart"].clone();
    assert_eq!(cart["shippingAddress"], Value::Null, "{cart}");
    assert_eq!(cart["selectedDeliveryOption"]["handle"], "pickup-milano", "{cart}");
    assert_eq!(cents(&cart["cost"]["totalShippingAmount"]), 0);
    let placed = shop.checkout(None, &cart_id, manual(), None, None).await;
    let order = ok(&placed, "checkoutComplete")["order"].clone();
    assert_eq!(order["deliveryMethod"]["handle"], "pickup-milano", "{order}");
    assert!(order["deliveryMethod"]["pickupLocationId"].is_string(), "{order}");
    assert_eq!(order["shippingAddress"], Value::Null, "{order}");
    assert_eq!(cents(&order["totalPrice"]), 3 * a.price);

    // A checked-out cart no longer changes.
    let r = shop
        .send(
            None,
            LINES_UPDATE,
            json!({ "cart": cart_id, "lines": [{ "id": line_of(&cart, &a.sku), "quantity": 1 }] }),
        )
        .await;
    refused(&r, "cartLinesUpdate", "ALREADY_COMPLETED");
}

async fn signing_in_merges_the_saved_cart_into_the_guest_cart(shop: Shop) {
    let variants = catalog(&shop).await;
    let mut pieces = pick(&variants, 2, |_| true).into_iter();
    let (a, b) = (pieces.next().expect("A"), pieces.next().expect("B"));
    shop.stock(&a.sku, 10).await;
    shop.stock(&b.sku, 10).await;

    // Signed in on their laptop, the customer leaves A and three B in their cart.
    let token = shop.server.customer_token("returning@example.com").await;
    let me = Some(token.as_str());
    let saved = shop.create_cart(me, json!({ "lines": cart_lines(&[(&a, 1), (&b, 3)]) })).await;
    let saved_id = text(&saved["id"]);
    assert_eq!(saved["buyerIdentity"]["email"], "returning@example.com", "{saved}");
    let mine = shop.send(me, MY_CART, json!({})).await;
    assert_eq!(mine["data"]["customer"]["cart"]["id"], saved_id.as_str(), "{mine}");

    // Later, on their phone and not signed in, they put one B in a new cart...
    let guest = shop.create_cart(None, json!({ "lines": cart_lines(&[(&b, 1)]) })).await;
    let guest_id = text(&guest["id"]);

    // ...then sign in: the guest cart becomes theirs, with what the saved one had besides.
    let claimed =
        shop.send(me, BUYER_IDENTITY_UPDATE, json!({ "cart": guest_id, "identity": {} })).await;
    let merged = ok(&claimed, "cartBuyerIdentityUpdate")["cart"].clone();
    assert_eq!(merged["id"], guest_id.as_str());
    assert_eq!(
        line_skus(&merged),
        vec![(b.sku.clone(), 1), (a.sku.clone(), 1)],
        "the guest cart's lines stay as they are; the saved cart's others are added"
    );
    assert_eq!(merged["buyerIdentity"]["email"], "returning@example.com", "{merged}");
    assert!(merged["buyerIdentity"]["customerId"].is_string(), "{merged}");

    let mine = shop.send(me, MY_CART, json!({})).await;
    assert_eq!(mine["data"]["customer"]["cart"]["id"], guest_id.as_str(), "{mine}");
    assert_eq!(shop.cart(me, &saved_id).await, Value::Null, "the saved cart is gone");
    assert_eq!(shop.cart(None, &guest_id).await, Value::Null, "no longer open to anyone");
    assert_eq!(line_skus(&shop.cart(me, &guest_id).await), line_skus(&merged));
}
