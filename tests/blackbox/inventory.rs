//! The POS integration through the real binary, on SQLite and PostgreSQL: an integrator token
//! moves stock with retries and compare-and-set, a bad bulk call writes nothing, the changes
//! feed pages without gaps, and a subscriber hears about a sale at once.

use futures_util::SinkExt;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::support::{connect, next_message, TestServer};

const ADJUST: &str = "mutation($input: InventoryAdjustQuantitiesInput!, $key: String) {
  inventoryAdjustQuantities(input: $input, idempotencyKey: $key) {
    inventoryAdjustmentGroup { id replayed changes { sku delta quantityAfterChange available cursor } }
    userErrors { field code message } } }";
const SET: &str = "mutation($input: InventorySetQuantitiesInput!, $key: String) {
  inventorySetQuantities(input: $input, idempotencyKey: $key) {
    inventoryAdjustmentGroup { id changes { sku quantityAfterChange } }
    userErrors { field code message } } }";
const LEVEL: &str = "query($sku: String!, $loc: ID!) { inventoryLevel(sku: $sku, locationId: $loc) { onHand reserved available } }";

struct Pos {
    token: String,
    warehouse: String,
    sku: String,
    other_sku: String,
}

async fn pos(server: &TestServer) -> Pos {
    let admin = server.staff_token("owner@example.com", "owner").await;
    let token = server.api_token(&admin, "POS", &["inventory:read", "inventory:write"]).await;
    let warehouse = server
        .locations(&token)
        .await
        .iter()
        .find(|l| l["kind"] == "WAREHOUSE")
        .and_then(|l| l["id"].as_str())
        .expect("the demo warehouse")
        .to_owned();
    let levels = server
        .request()
        .bearer(&token)
        .send(
            "query($loc: ID!) { inventoryLevels(first: 2, locationId: $loc) { nodes { sku } } }",
            json!({ "loc": warehouse }),
        )
        .await;
    let sku = |i: usize| {
        levels["data"]["inventoryLevels"]["nodes"][i]["sku"]
            .as_str()
            .expect("a stocked sku")
            .to_owned()
    };
    Pos { token, warehouse: warehouse.clone(), sku: sku(0), other_sku: sku(1) }
}

async fn send(server: &TestServer, pos: &Pos, query: &str, variables: Value) -> Value {
    server.request().bearer(&pos.token).send(query, variables).await
}

async fn on_hand(server: &TestServer, pos: &Pos, sku: &str) -> i64 {
    server.level(&pos.token, sku, &pos.warehouse).await.0
}

async fn pos_integration_end_to_end(server: TestServer) {
    let pos = pos(&server).await;
    let counted = send(
        &server,
        &pos,
        SET,
        json!({ "input": { "reason": "stock take", "quantities": [
            { "sku": pos.sku, "locationId": pos.warehouse, "quantity": 10 },
            { "sku": pos.other_sku, "locationId": pos.warehouse, "quantity": 3 }
        ] } }),
    )
    .await;
    assert_eq!(counted["data"]["inventorySetQuantities"]["userErrors"], json!([]), "{counted}");

    // A subscriber (a second POS, a storefront) listening to the first SKU.
    let mut socket =
        connect(&server, json!({ "Authorization": format!("Bearer {}", pos.token) })).await;
    let subscribe = json!({ "id": "s", "type": "subscribe", "payload": {
        "query": "subscription($skus: [String!]) { inventoryChanged(skus: $skus) { sku delta quantityAfterChange kind reason } }",
        "variables": { "skus": [pos.sku] } } });
    socket.send(Message::text(subscribe.to_string())).await.expect("subscribe");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    // A shop sale, sent twice with the same key (the POS retried after a timeout).
    let sale = json!({ "input": { "reason": "sale", "referenceDocumentUri": "pos://shop-1/receipt/881",
        "changes": [{ "sku": pos.sku, "locationId": pos.warehouse, "delta": -1 }] }, "key": "receipt-881" });
    let first = send(&server, &pos, ADJUST, sale.clone()).await;
    let first = &first["data"]["inventoryAdjustQuantities"];
    assert_eq!(first["userErrors"], json!([]), "{first}");
    assert_eq!(first["inventoryAdjustmentGroup"]["replayed"], false);
    assert_eq!(first["inventoryAdjustmentGroup"]["changes"][0]["quantityAfterChange"], 9);
    let again = send(&server, &pos, ADJUST, sale.clone()).await;
    let again = &again["data"]["inventoryAdjustQuantities"];
    assert_eq!(again["inventoryAdjustmentGroup"]["replayed"], true);
    assert_eq!(again["inventoryAdjustmentGroup"]["id"], first["inventoryAdjustmentGroup"]["id"]);
    assert_eq!(on_hand(&server, &pos, &pos.sku).await, 9, "the retry changed nothing");

    let event = next_message(&mut socket).await;
    assert_eq!(event["type"], "next", "{event}");
    let change = &event["payload"]["data"]["inventoryChanged"];
    assert_eq!(
        change,
        &json!({ "sku": pos.sku, "delta": -1, "quantityAfterChange": 9, "kind": "ADJUSTMENT", "reason": "sale" })
    );

    // The same key for another request is refused.
    let mut other = sale.clone();
    other["input"]["changes"][0]["delta"] = json!(-2);
    let reused = send(&server, &pos, ADJUST, other).await;
    assert_eq!(
        reused["data"]["inventoryAdjustQuantities"]["userErrors"][0]["code"],
        "IDEMPOTENCY_KEY_REUSED"
    );

    // Compare-and-set: a stale expectation is refused with the current value.
    let stale = send(
        &server,
        &pos,
        SET,
        json!({ "input": { "reason": "stock take", "quantities": [
            { "sku": pos.sku, "locationId": pos.warehouse, "quantity": 20, "changeFromQuantity": 10 }] } }),
    )
    .await;
    let error = &stale["data"]["inventorySetQuantities"]["userErrors"][0];
    assert_eq!(error["code"], "CHANGE_FROM_QUANTITY_STALE", "{stale}");
    assert_eq!(error["field"], json!(["input", "quantities", "0", "changeFromQuantity"]));
    assert!(error["message"].as_str().expect("message").contains('9'), "{error}");

    // A bulk call with bad rows writes nothing and names every bad row.
    let bad = send(
        &server,
        &pos,
        ADJUST,
        json!({ "input": { "reason": "sale", "changes": [
            { "sku": pos.other_sku, "locationId": pos.warehouse, "delta": -1 },
            { "sku": "NO-SUCH-SKU", "locationId": pos.warehouse, "delta": -1 },
            { "sku": pos.other_sku, "locationId": pos.warehouse, "delta": -5 }
        ] } }),
    )
    .await;
    let fields: Vec<Value> = bad["data"]["inventoryAdjustQuantities"]["userErrors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| json!([e["field"], e["code"]]))
        .collect();
    assert_eq!(
        fields,
        vec![
            json!([["input", "changes", "1", "sku"], "NOT_FOUND"]),
            json!([["input", "changes", "2", "delta"], "INSUFFICIENT_STOCK"]),
        ],
        "{bad}"
    );
    assert_eq!(on_hand(&server, &pos, &pos.other_sku).await, 3, "nothing was written");

    // The changes feed pages through the ledger without gaps: a POS catching up.
    let mut cursor: Option<String> = None;
    let mut seen = Vec::new();
    loop {
        let page = send(
            &server,
            &pos,
            "query($after: String, $sku: [String!]) { inventoryChanges(first: 1, after: $after, skus: $sku) { pageInfo { hasNextPage endCursor } nodes { delta quantityAfterChange } } }",
            json!({ "after": cursor, "sku": [pos.sku] }),
        )
        .await;
        let changes = &page["data"]["inventoryChanges"];
        seen.extend(changes["nodes"].as_array().expect("nodes").iter().cloned());
        if changes["pageInfo"]["hasNextPage"] != true {
            break;
        }
        cursor = changes["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    let after: Vec<i64> =
        seen.iter().map(|c| c["quantityAfterChange"].as_i64().expect("n")).collect();
    assert_eq!(after.last(), Some(&9));
    assert_eq!(after.iter().rev().nth(1), Some(&10), "the count, then the one sale: {seen:?}");
}

#[tokio::test]
async fn pos_integration_works_end_to_end_on_sqlite() {
    pos_integration_end_to_end(TestServer::demo().await).await;
}

#[tokio::test]
async fn pos_integration_works_end_to_end_on_postgres() {
    let Some(server) = TestServer::demo_on_postgres().await else { return };
    pos_integration_end_to_end(server).await;
}

#[tokio::test]
async fn storefronts_hear_of_stock_changes_without_seeing_counts() {
    let server = TestServer::demo().await;
    let pos = pos(&server).await;
    let mut socket = connect(&server, json!({})).await;
    let subscribe = json!({ "id": "s", "type": "subscribe", "payload": {
        "query": "subscription { inventoryChanged { sku delta available availableForSale } }" } });
    socket.send(Message::text(subscribe.to_string())).await.expect("subscribe");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let sold_out = send(
        &server,
        &pos,
        SET,
        json!({ "input": { "reason": "stock take", "quantities": [
            { "sku": pos.sku, "locationId": pos.warehouse, "quantity": 0 }] } }),
    )
    .await;
    assert_eq!(sold_out["data"]["inventorySetQuantities"]["userErrors"], json!([]), "{sold_out}");
    let event = next_message(&mut socket).await;
    assert_eq!(
        event["payload"]["data"]["inventoryChanged"],
        json!({ "sku": pos.sku, "delta": null, "available": null, "availableForSale": false })
    );
}

#[tokio::test]
async fn shoppers_see_where_to_collect_and_safety_stock_stays_in_the_shop() {
    let server = TestServer::demo().await;
    let pos = pos(&server).await;
    let all = server.locations(&pos.token).await;
    let find = |ships: bool, kind: &str| {
        all.iter()
            .find(|l| l["fulfillsOnlineOrders"] == ships && l["kind"] == kind)
            .expect("demo location")
            .clone()
    };
    let (shipping_shop, pickup_shop) = (find(true, "SHOP"), find(false, "SHOP"));
    let counted = send(
        &server,
        &pos,
        SET,
        json!({ "input": { "reason": "stock take", "quantities": [
            { "sku": pos.sku, "locationId": pos.warehouse, "quantity": 0 },
            { "sku": pos.sku, "locationId": shipping_shop["id"], "quantity": 2 },
            { "sku": pos.sku, "locationId": pickup_shop["id"], "quantity": 0 }
        ] } }),
    )
    .await;
    assert_eq!(counted["data"]["inventorySetQuantities"]["userErrors"], json!([]), "{counted}");
    let level = send(
        &server,
        &pos,
        "query($s: String!, $l: ID!) { inventoryLevel(sku: $s, locationId: $l) { variantId } }",
        json!({ "s": pos.sku, "l": pos.warehouse }),
    )
    .await;
    let variant =
        level["data"]["inventoryLevel"]["variantId"].as_str().expect("variant id").to_owned();

    let shopper_view = || async {
        let r = server
            .gql(
                "query($id: ID!) { node(id: $id) { ... on ProductVariant { availableForSale
                   storeAvailability(first: 10) { nodes { available pickUpTime quantityAvailable location { name } } } } } }",
                json!({ "id": variant }),
            )
            .await;
        let node = r["data"]["node"].clone();
        assert!(node.is_object(), "{r}");
        node
    };
    let view = shopper_view().await;
    assert_eq!(view["availableForSale"], true, "the shop that ships sells online");
    let shops = view["storeAvailability"]["nodes"].as_array().expect("shops").clone();
    let at = |name: &Value| {
        shops.iter().find(|s| s["location"]["name"] == *name).expect("shop listed").clone()
    };
    assert_eq!(at(&shipping_shop["name"])["available"], true);
    assert_eq!(
        at(&shipping_shop["name"])["quantityAvailable"],
        Value::Null,
        "no raw counts for shoppers"
    );
    assert_eq!(at(&pickup_shop["name"])["available"], false);
    assert_eq!(at(&pickup_shop["name"])["pickUpTime"], Value::Null);

    // Both pieces become display pieces: still in the shop, no longer sold online.
    let safety = send(
        &server,
        &pos,
        "mutation($i: InventorySetSafetyStockInput!) { inventorySetSafetyStock(input: $i) { userErrors { field code } } }",
        json!({ "i": { "reason": "window display", "quantities": [{ "sku": pos.sku, "locationId": shipping_shop["id"], "safetyStock": 2 }] } }),
    )
    .await;
    assert_eq!(safety["data"]["inventorySetSafetyStock"]["userErrors"], json!([]), "{safety}");
    let view = shopper_view().await;
    assert_eq!(view["availableForSale"], false);
    let level =
        send(&server, &pos, LEVEL, json!({ "sku": pos.sku, "loc": shipping_shop["id"] })).await;
    assert_eq!(level["data"]["inventoryLevel"]["available"], 2, "the shop can still sell them");
}

/// A SKU of the first product the staff listing shows that matches `wanted` (status, brand).
async fn sku_where(server: &TestServer, staff: &str, wanted: impl Fn(&Value) -> bool) -> String {
    let products = server
        .request()
        .bearer(staff)
        .send(
            "{ products(first: 250) { nodes { status brand { handle } variants(first: 1) { nodes { sku } } } } }",
            json!({}),
        )
        .await;
    let nodes = products["data"]["products"]["nodes"].as_array().expect("products").clone();
    let product = nodes.iter().find(|p| wanted(p)).expect("a demo product of that kind");
    product["variants"]["nodes"][0]["sku"].as_str().expect("sku").to_owned()
}

#[tokio::test]
async fn anonymous_subscribers_hear_only_availability_of_what_their_storefront_shows() {
    let server = TestServer::demo().await;
    let pos = pos(&server).await;
    let staff = server.staff_token("catalog@example.com", "owner").await;
    let ours = |p: &Value| p["status"] == "ACTIVE" && p["brand"]["handle"] == "maison-lune";
    let visible = sku_where(&server, &staff, ours).await;
    let draft = sku_where(&server, &staff, |p| p["status"] == "DRAFT").await;
    let other_brand = sku_where(&server, &staff, |p| {
        p["status"] == "ACTIVE" && p["brand"]["handle"] != "maison-lune"
    })
    .await;
    // `set_stock` asserts each count is accepted, so every change below really happens.
    let count = |sku: &str, quantity: i64| {
        let (server, pos) = (&server, &pos);
        let sku = sku.to_owned();
        async move { server.set_stock(&pos.token, &sku, &[(&pos.warehouse, quantity)]).await }
    };
    // Everything in stock first, so that the changes below are flips or not as intended.
    for sku in [&visible, &draft, &other_brand] {
        count(sku, 10).await;
    }

    let mut socket =
        connect(&server, json!({ "X-Vitrine-Storefront": "sf_maison_lune_demo" })).await;
    let subscribe = json!({ "id": "s", "type": "subscribe", "payload": {
        "query": "subscription { inventoryChanged { sku kind cursor groupId availableForSale } }" } });
    socket.send(Message::text(subscribe.to_string())).await.expect("subscribe");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    count(&visible, 9).await; // a sale-sized change, still in stock
    count(&draft, 0).await; // a draft sells out
    count(&other_brand, 0).await; // another brand sells out
    count(&visible, 0).await; // ours sells out: the one to hear

    let event = next_message(&mut socket).await;
    assert_eq!(
        event["payload"]["data"]["inventoryChanged"],
        json!({ "sku": visible, "kind": null, "cursor": null, "groupId": null, "availableForSale": false }),
        "only the availability of a product this storefront shows: {event}"
    );
}
