//! The wholesale story through the real binary, on SQLite and PostgreSQL: a boutique applies,
//! staff approve it and give it a wholesale price list that an ERP fills; its buyers see
//! wholesale prices, tiers and the minimum quantity, while consumers on the same product see
//! retail prices with the running promotion, and another company sees neither.

use serde_json::{json, Value};

use crate::support::{error_code, ok, TestServer};

const APPLY: &str = "mutation($input: CompanyApplyInput!) { companyApply(input: $input) {
  company { id name status paymentTerms } userErrors { field code message } } }";
const PRODUCT: &str = "query($handle: String!) { product(handle: $handle) {
  priceRange { minVariantPrice { amount } }
  variants(first: 10) { nodes { id sku price { amount currencyCode } compareAtPrice { amount }
    quantityRule { minimum increment maximum }
    quantityPriceBreaks(first: 5) { nodes { minimumQuantity price { amount } } } } } } }";
const QUOTE: &str =
    "query($lines: [PriceQuoteLineInput!]!, $codes: [String!], $country: CountryCode) {
  priceQuote(lines: $lines, discountCodes: $codes, countryCode: $country) {
    quote { subtotalAmount { amount } totalDiscountAmount { amount } totalTaxAmount { amount }
      totalAmount { amount } discountCodes { code applicable reason }
      lines { quantity amountPerQuantity { amount } totalAmount { amount }
        quantityError { code message } } }
    userErrors { field code message } } }";

fn boutique(name: &str, city: &str) -> Value {
    json!({ "input": { "name": name, "taxId": "FR12345678901", "location": {
        "name": "Shop", "shippingAddress": {
            "address1": "12 rue du Faubourg", "city": city, "zip": "75008", "countryCode": "FR" } } } })
}

/// The variants of `handle` as the caller sees them: (id, price, compareAt, rule, breaks).
async fn product_page(server: &TestServer, token: Option<&str>, handle: &str) -> Vec<Value> {
    let r = server.send_as(token, PRODUCT, json!({ "handle": handle })).await;
    r["data"]["product"]["variants"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("product page: {r}"))
        .clone()
}

fn amount(value: &Value) -> f64 {
    value["amount"].as_str().and_then(|a| a.parse().ok()).unwrap_or(f64::NAN)
}

async fn wholesale_story(server: TestServer) {
    let owner = server.staff_token("owner@example.com", "owner").await;
    let erp = server.api_token(&owner, "ERP", &["pricing:write"]).await;
    let owner = Some(owner.as_str());

    // A product with at least two variants priced in EUR.
    let listing = server
        .send_as(
            None,
            "{ products(first: 20) { nodes { id handle variants(first: 5) { nodes { id price { amount currencyCode } } } } } }",
            json!({}),
        )
        .await;
    let product = listing["data"]["products"]["nodes"]
        .as_array()
        .and_then(|all| {
            all.iter().find(|p| {
                let v = p["variants"]["nodes"].as_array().map_or(0, Vec::len);
                v >= 2 && p["variants"]["nodes"][0]["price"]["currencyCode"] == "EUR"
            })
        })
        .expect("a demo product with two EUR variants")
        .clone();
    let handle = product["handle"].as_str().expect("handle").to_owned();
    let product_id = product["id"].as_str().expect("id").to_owned();
    let v1 = product["variants"]["nodes"][0]["id"].as_str().expect("variant").to_owned();
    let v2 = product["variants"]["nodes"][1]["id"].as_str().expect("variant").to_owned();
    let retail = amount(&product["variants"]["nodes"][0]["price"]);

    // The boutique applies; its buyer is its admin and sees retail prices until approved.
    let lune = server.customer_token("buyer@boutique-lune.fr").await;
    let lune = Some(lune.as_str());
    let applied =
        ok(&server.send_as(lune, APPLY, boutique("Boutique Lune", "Paris")).await, "companyApply");
    assert_eq!(applied["company"]["status"], "PENDING");
    assert_eq!(applied["company"]["paymentTerms"], "PREPAID");
    let company_id = applied["company"]["id"].as_str().expect("company id").to_owned();
    let again = server.send_as(lune, APPLY, boutique("Boutique Lune bis", "Paris")).await;
    assert_eq!(again["data"]["companyApply"]["userErrors"][0]["code"], "TAKEN");

    let mine = server
        .send_as(
            lune,
            "{ customer { company { name status } companyMembership { role defaultLocation { name shippingAddress { city countryCode } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(mine["data"]["customer"]["company"]["status"], "PENDING", "{mine}");
    assert_eq!(mine["data"]["customer"]["companyMembership"]["role"], "ADMIN");
    assert_eq!(
        mine["data"]["customer"]["companyMembership"]["defaultLocation"]["shippingAddress"]["city"],
        "Paris"
    );

    // Staff find it among pending applications, approve it and set its terms.
    let pending = server
        .send_as(
            owner,
            "{ companies(first: 10, status: PENDING) { nodes { id name } } }",
            json!({}),
        )
        .await;
    assert_eq!(pending["data"]["companies"]["nodes"][0]["id"], company_id.as_str(), "{pending}");
    let rejected_blank = server
        .send_as(
            owner,
            "mutation($id: ID!) { companyReject(id: $id, reason: \" \") { userErrors { field code } } }",
            json!({ "id": company_id }),
        )
        .await;
    assert_eq!(rejected_blank["data"]["companyReject"]["userErrors"][0]["code"], "BLANK");
    let approved = server
        .send_as(
            owner,
            "mutation($id: ID!) { companyApprove(id: $id) { company { status reviewedAt } userErrors { code } } }",
            json!({ "id": company_id }),
        )
        .await;
    assert_eq!(ok(&approved, "companyApprove")["company"]["status"], "APPROVED");
    let terms = server
        .send_as(
            owner,
            "mutation($id: ID!) { companyUpdate(id: $id, input: {paymentTerms: NET_30, creditLimit: {amount: \"20000\", currencyCode: EUR}}) { company { paymentTerms creditLimit { amount } } userErrors { code } } }",
            json!({ "id": company_id }),
        )
        .await;
    let terms = ok(&terms, "companyUpdate");
    assert_eq!(terms["company"]["paymentTerms"], "NET_30");
    assert_eq!(terms["company"]["creditLimit"]["amount"], "20000.00");

    // A wholesale list for the boutique, filled by the ERP in one idempotent call.
    let list = server
        .send_as(
            owner,
            "mutation($c: [ID!]) { priceListCreate(input: {name: \"Wholesale boutiques\", currency: EUR, companyIds: $c}) { priceList { id currency } userErrors { field code } } }",
            json!({ "c": [company_id] }),
        )
        .await;
    let list_id =
        ok(&list, "priceListCreate")["priceList"]["id"].as_str().expect("list").to_owned();
    let set = "mutation($list: ID!, $prices: [PriceListPriceInput!]!, $key: String) {
      priceListPricesSet(priceListId: $list, prices: $prices, idempotencyKey: $key) {
        writtenCount replayed userErrors { field code message } } }";
    let prices = json!([
        { "variantId": v1, "price": "60.00", "minimum": 6, "increment": 6,
          "breaks": [{ "minimumQuantity": 12, "price": "55.00" }, { "minimumQuantity": 48, "price": "50.00" }] },
        { "variantId": v2, "price": "61.00" }
    ]);
    let vars = json!({ "list": list_id, "prices": prices, "key": "erp-2026-11-30" });
    let first = server.send_as(Some(&erp), set, vars.clone()).await;
    assert_eq!(ok(&first, "priceListPricesSet")["writtenCount"], 2);
    assert_eq!(first["data"]["priceListPricesSet"]["replayed"], false);
    let retried = server.send_as(Some(&erp), set, vars).await;
    assert_eq!(ok(&retried, "priceListPricesSet")["replayed"], true);
    let bad = server
        .send_as(
            Some(&erp),
            set,
            json!({ "list": list_id, "prices": [
            { "variantId": v1, "price": "59.999" },
            { "variantId": v2, "price": "58.00", "minimum": 5, "increment": 6 }] }),
        )
        .await;
    let errors = &bad["data"]["priceListPricesSet"]["userErrors"];
    assert_eq!(errors[0]["field"], json!(["prices", "0", "price"]), "{bad}");
    assert_eq!(errors[1]["field"][1], "1", "{bad}");
    // The ERP token prices; it does not read companies.
    let nosy =
        server.send_as(Some(&erp), "{ companies(first: 1) { nodes { id } } }", json!({})).await;
    assert_eq!(error_code(&nosy), Some("FORBIDDEN"));

    // A running promotion for consumers: 20% off this product.
    let sale = server
        .send_as(
            owner,
            "mutation($p: ID!) { discountCreate(input: {title: \"Winter sale\", value: {percentage: \"20\"}, target: {kind: ITEMS, items: {productIds: [$p]}}}) { discount { id automatic } userErrors { field code message } } }",
            json!({ "p": product_id }),
        )
        .await;
    assert_eq!(ok(&sale, "discountCreate")["discount"]["automatic"], true);

    // The boutique's buyer: wholesale prices, tiers and the minimum; no promotion on them.
    let wholesale = product_page(&server, lune, &handle).await;
    let w1 = wholesale.iter().find(|v| v["id"] == v1.as_str()).expect("v1");
    assert_eq!(w1["price"]["amount"], "60.00", "{w1}");
    assert_eq!(w1["quantityRule"], json!({ "minimum": 6, "increment": 6, "maximum": null }));
    assert_eq!(
        w1["quantityPriceBreaks"]["nodes"],
        json!([{ "minimumQuantity": 12, "price": { "amount": "55.00" } },
               { "minimumQuantity": 48, "price": { "amount": "50.00" } }])
    );
    let w2 = wholesale.iter().find(|v| v["id"] == v2.as_str()).expect("v2");
    assert_eq!(w2["price"]["amount"], "61.00");

    // A consumer, anonymous or signed in, on the same product: retail with the promotion.
    let consumer = server.customer_token("consumer@example.com").await;
    for token in [None, Some(consumer.as_str())] {
        let page = product_page(&server, token, &handle).await;
        let c1 = page.iter().find(|v| v["id"] == v1.as_str()).expect("v1");
        assert!((amount(&c1["price"]) - retail * 0.8).abs() < 0.011, "{c1}");
        assert!(amount(&c1["compareAtPrice"]) >= retail, "{c1}");
        assert_eq!(c1["quantityRule"], json!({ "minimum": 1, "increment": 1, "maximum": null }));
        assert_eq!(c1["quantityPriceBreaks"]["nodes"], json!([]));
    }

    // Quotes price lines as the cart will: tiers from 12, the minimum enforced per line.
    let quote = server
        .send_as(
            lune,
            QUOTE,
            json!({ "lines": [{ "merchandiseId": v1, "quantity": 12 }, { "merchandiseId": v2, "quantity": 1 }] }),
        )
        .await;
    let q = ok(&quote, "priceQuote");
    assert_eq!(q["quote"]["lines"][0]["amountPerQuantity"]["amount"], "55.00", "{quote}");
    assert_eq!(q["quote"]["lines"][0]["totalAmount"]["amount"], "660.00");
    assert_eq!(q["quote"]["lines"][0]["quantityError"], Value::Null);
    assert_eq!(q["quote"]["totalDiscountAmount"]["amount"], "0.00");
    let short = server
        .send_as(lune, QUOTE, json!({ "lines": [{ "merchandiseId": v1, "quantity": 4 }] }))
        .await;
    assert_eq!(
        ok(&short, "priceQuote")["quote"]["lines"][0]["quantityError"]["code"],
        "BELOW_MINIMUM"
    );
    let unknown = server
        .send_as(
            None,
            QUOTE,
            json!({ "lines": [{ "merchandiseId": "gid://vitrine/ProductVariant/0190a0a0-0000-7000-8000-000000000001", "quantity": 1 }] }),
        )
        .await;
    assert_eq!(
        unknown["data"]["priceQuote"]["userErrors"][0]["field"],
        json!(["lines", "0", "merchandiseId"])
    );
    // A negative quantity is the caller's mistake, not a line of nothing.
    let negative = server
        .send_as(None, QUOTE, json!({ "lines": [{ "merchandiseId": v1, "quantity": -3 }] }))
        .await;
    let errors = &negative["data"]["priceQuote"]["userErrors"];
    assert_eq!(errors[0]["field"], json!(["lines", "0", "quantity"]), "{negative}");
    assert_eq!(errors[0]["code"], "INVALID", "{negative}");
    assert_eq!(negative["data"]["priceQuote"]["quote"], Value::Null, "{negative}");

    // Taxes: the demo ships French VAT (a second FR rate is refused); it is included in the
    // consumer's price.
    let rates =
        server.send_as(owner, "{ taxRates { countryCode provinceCode rate } }", json!({})).await;
    let fr = rates["data"]["taxRates"]
        .as_array()
        .and_then(|all| all.iter().find(|r| r["countryCode"] == "FR"))
        .unwrap_or_else(|| panic!("the demo's French VAT: {rates}"));
    assert_eq!(fr["rate"], "20");
    let duplicate = server
        .send_as(
            owner,
            "mutation { taxRateCreate(input: {countryCode: FR, rate: \"5.5\"}) { userErrors { field code } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        duplicate["data"]["taxRateCreate"]["userErrors"],
        json!([{ "field": ["countryCode"], "code": "TAKEN" }])
    );
    let belgium = server
        .send_as(
            owner,
            "mutation { taxRateCreate(input: {countryCode: BE, rate: \"21\"}) { taxRate { rate } userErrors { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(ok(&belgium, "taxRateCreate")["taxRate"]["rate"], "21");
    let consumer_quote = server
        .send_as(
            None,
            QUOTE,
            json!({ "lines": [{ "merchandiseId": v1, "quantity": 1 }], "codes": ["NOPE"], "country": "FR" }),
        )
        .await;
    let cq = ok(&consumer_quote, "priceQuote")["quote"].clone();
    let total = amount(&cq["totalAmount"]);
    assert!((total - retail * 0.8).abs() < 0.011, "{cq}");
    let tax = amount(&cq["totalTaxAmount"]);
    assert!((tax - total / 6.0).abs() < 0.011, "20% VAT included: {cq}");
    assert_eq!(
        cq["discountCodes"],
        json!([{ "code": "NOPE", "applicable": false, "reason": "UNKNOWN" }])
    );

    // Another approved company sees neither the boutique nor its prices.
    let other = server.customer_token("buyer@other-shop.it").await;
    let other = Some(other.as_str());
    let other_company =
        ok(&server.send_as(other, APPLY, boutique("Other shop", "Milano")).await, "companyApply")
            ["company"]["id"]
            .as_str()
            .expect("id")
            .to_owned();
    server
        .send_as(
            owner,
            "mutation($id: ID!) { companyApprove(id: $id) { userErrors { code } } }",
            json!({ "id": other_company }),
        )
        .await;
    let theirs = product_page(&server, other, &handle).await;
    let o1 = theirs.iter().find(|v| v["id"] == v1.as_str()).expect("v1");
    assert!((amount(&o1["price"]) - retail * 0.8).abs() < 0.011, "not the boutique's price: {o1}");
    let peek = server
        .send_as(
            other,
            "query($id: ID!) { company(id: $id) { name } }",
            json!({ "id": company_id }),
        )
        .await;
    assert_eq!(error_code(&peek), Some("FORBIDDEN"));
    assert!(peek["data"]["company"].is_null());
    let meddle = server
        .send_as(
            other,
            "mutation($id: ID!) { companyMemberAdd(companyId: $id, input: {email: \"spy@other-shop.it\", role: ADMIN}) { userErrors { code } } }",
            json!({ "id": company_id }),
        )
        .await;
    assert_eq!(error_code(&meddle), Some("FORBIDDEN"));

    // The boutique's admin invites a buyer, who accepts with the token the admin passed on,
    // then sees wholesale prices but not the member list. Nobody else can use the token.
    let invited = server
        .send_as(
            lune,
            "mutation($id: ID!) { companyMemberAdd(companyId: $id, input: {email: \"second@boutique-lune.fr\", role: BUYER}) { invitation { email role } invitationToken userErrors { code } } }",
            json!({ "id": company_id }),
        )
        .await;
    let invited = ok(&invited, "companyMemberAdd");
    assert_eq!(invited["invitation"]["email"], "second@boutique-lune.fr");
    let token = invited["invitationToken"].as_str().expect("token").to_owned();
    let accept = "mutation($t: String!) { companyInvitationAccept(token: $t) {
      companyMembership { role company { name } } userErrors { field code } } }";
    let stolen = server.send_as(other, accept, json!({ "t": token })).await;
    assert_eq!(stolen["data"]["companyInvitationAccept"]["userErrors"][0]["code"], "NOT_FOUND");
    let second = server.customer_token("second@boutique-lune.fr").await;
    let second = Some(second.as_str());
    let before = product_page(&server, second, &handle).await;
    let b1 = before.iter().find(|v| v["id"] == v1.as_str()).expect("v1");
    assert_ne!(b1["price"]["amount"], "60.00", "no company prices before accepting");
    let accepted = server.send_as(second, accept, json!({ "t": token })).await;
    let accepted = ok(&accepted, "companyInvitationAccept");
    assert_eq!(accepted["companyMembership"]["role"], "BUYER");
    assert_eq!(accepted["companyMembership"]["company"]["name"], "Boutique Lune");
    let seen = product_page(&server, second, &handle).await;
    assert_eq!(
        seen.iter().find(|v| v["id"] == v1.as_str()).expect("v1")["price"]["amount"],
        "60.00"
    );
    let members =
        "{ customer { company { members(first: 10) { nodes { role customer { email } } } } } }";
    let as_buyer = server.send_as(second, members, json!({})).await;
    assert_eq!(error_code(&as_buyer), Some("FORBIDDEN"), "{as_buyer}");
    let as_admin = server.send_as(lune, members, json!({})).await;
    let listed = as_admin["data"]["customer"]["company"]["members"]["nodes"]
        .as_array()
        .expect("members")
        .len();
    assert_eq!(listed, 2, "{as_admin}");

    // A viewer sees the company's prices but orders nothing: not on the company's account,
    // not at its prices in a cart of their own.
    let invited = server
        .send_as(
            lune,
            "mutation($id: ID!) { companyMemberAdd(companyId: $id, input: {email: \"viewer@boutique-lune.fr\", role: VIEWER}) { invitationToken userErrors { code } } }",
            json!({ "id": company_id }),
        )
        .await;
    let token =
        ok(&invited, "companyMemberAdd")["invitationToken"].as_str().expect("token").to_owned();
    let viewer = server.customer_token("viewer@boutique-lune.fr").await;
    let viewer = Some(viewer.as_str());
    ok(&server.send_as(viewer, accept, json!({ "t": token })).await, "companyInvitationAccept");
    let seen = product_page(&server, viewer, &handle).await;
    assert_eq!(
        seen.iter().find(|v| v["id"] == v1.as_str()).expect("v1")["price"]["amount"],
        "60.00"
    );

    let location = server
        .send_as(lune, "{ customer { companyMembership { defaultLocation { id } } } }", json!({}))
        .await;
    let location =
        location["data"]["customer"]["companyMembership"]["defaultLocation"]["id"].clone();
    let create = "mutation($input: CartInput!) { cartCreate(input: $input) { cart { id } userErrors { field code } } }";
    let on_account = server
        .send_as(
            viewer,
            create,
            json!({ "input": { "lines": [{ "merchandiseId": v1, "quantity": 6 }],
                               "buyerIdentity": { "companyLocationId": location } } }),
        )
        .await;
    assert_eq!(
        on_account["data"]["cartCreate"]["userErrors"][0],
        json!({ "field": ["buyerIdentity", "companyLocationId"], "code": "NOT_PERMITTED" }),
        "{on_account}"
    );
    let own = server
        .send_as(
            viewer,
            create,
            json!({ "input": { "lines": [{ "merchandiseId": v1, "quantity": 6 }] } }),
        )
        .await;
    let cart = ok(&own, "cartCreate")["cart"]["id"].clone();
    let checkout = server
        .send_as(
            viewer,
            "mutation($cart: ID!) { checkoutComplete(cartId: $cart, payment: {method: MANUAL}) { order { id } userErrors { field code } } }",
            json!({ "cart": cart }),
        )
        .await;
    assert_eq!(checkout["data"]["checkoutComplete"]["order"], Value::Null, "{checkout}");
    assert_eq!(
        checkout["data"]["checkoutComplete"]["userErrors"][0]["code"], "NOT_PERMITTED",
        "{checkout}"
    );
}

#[tokio::test]
async fn wholesale_story_on_sqlite() {
    wholesale_story(TestServer::demo().await).await;
}

#[tokio::test]
async fn wholesale_story_on_postgres() {
    let Some(server) = TestServer::demo_on_postgres().await else { return };
    wholesale_story(server).await;
}
