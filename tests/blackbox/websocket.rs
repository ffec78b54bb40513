//! `/graphql/ws` speaks `graphql-transport-ws`, with credentials from `connection_init`.

use futures_util::SinkExt;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use crate::support::{connect, next_message, Socket, TestServer};

/// Runs one operation and returns its `next` payload, after checking that `complete` follows.
async fn run(socket: &mut Socket, id: &str, query: &str) -> Value {
    let subscribe = json!({ "id": id, "type": "subscribe", "payload": { "query": query } });
    socket.send(Message::text(subscribe.to_string())).await.expect("send");
    let next = next_message(socket).await;
    assert_eq!(next["type"], "next", "{next}");
    assert_eq!(next["id"], id);
    let complete = next_message(socket).await;
    assert_eq!(complete["type"], "complete", "{complete}");
    next["payload"].clone()
}

#[tokio::test]
async fn websocket_operations_use_the_credentials_of_connection_init() {
    let server = TestServer::demo().await;

    let mut anonymous = connect(&server, json!({})).await;
    let payload = run(&mut anonymous, "1", "{ channel { handle } }").await;
    assert_eq!(payload["data"]["channel"]["handle"], "marketplace");
    assert!(payload["extensions"]["cost"]["requestedQueryCost"].is_number());
    let stock =
        "{ products(first: 1) { nodes { variants(first: 1) { nodes { quantityAvailable } } } } }";
    let payload = run(&mut anonymous, "2", stock).await;
    assert_eq!(
        payload["data"]["products"]["nodes"][0]["variants"]["nodes"][0]["quantityAvailable"],
        Value::Null
    );

    let token = server.staff_token("cm@example.com", "catalog_manager").await;
    let params = json!({
        "Authorization": format!("Bearer {token}"),
        "X-Vitrine-Storefront": "sf_maison_lune_demo",
    });
    let mut staff = connect(&server, params).await;
    let payload = run(&mut staff, "1", "{ channel { handle } }").await;
    assert_eq!(payload["data"]["channel"]["handle"], "maison-lune");
    let payload = run(&mut staff, "2", stock).await;
    assert!(
        payload["data"]["products"]["nodes"][0]["variants"]["nodes"][0]["quantityAvailable"]
            .is_number(),
        "{payload}"
    );
}

#[tokio::test]
async fn websocket_operations_get_the_same_errors_as_http() {
    let server = TestServer::demo().await;
    let mut socket = connect(&server, json!({ "Authorization": "Bearer not-a-token" })).await;
    let subscribe =
        json!({ "id": "1", "type": "subscribe", "payload": { "query": "{ channel { handle } }" } });
    socket.send(Message::text(subscribe.to_string())).await.expect("send");
    let reply = next_message(&mut socket).await;
    assert_eq!(first_error_code(&reply), "UNAUTHENTICATED", "{reply}");

    let mut socket = connect(&server, json!({})).await;
    let level = "products(first: 1) { nodes { collections(first: 1) { nodes { ";
    let deep = format!("{{ {}id {}", level.repeat(4), "} ".repeat(17));
    let subscribe = json!({ "id": "2", "type": "subscribe", "payload": { "query": deep } });
    socket.send(Message::text(subscribe.to_string())).await.expect("send");
    let reply = next_message(&mut socket).await;
    assert_eq!(first_error_code(&reply), "MAX_DEPTH_EXCEEDED", "{reply}");
}

/// Operation errors come as an `error` message or as a `next` payload carrying `errors`.
fn first_error_code(reply: &Value) -> &str {
    let errors =
        if reply["type"] == "error" { &reply["payload"] } else { &reply["payload"]["errors"] };
    errors[0]["extensions"]["code"].as_str().unwrap_or_default()
}
