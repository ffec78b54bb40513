//! Browser access through the real binary: CORS per storefront channel, and Shopify's
//! Storefront API path and token header, on SQLite and PostgreSQL.

use serde_json::{json, Value};

use crate::support::{ok, TestServer, MAISON_LUNE_KEY};

const ORIGINS_UPDATE: &str = "mutation($id: ID!, $origins: [String!]) {
  channelUpdate(id: $id, input: {allowedOrigins: $origins}) {
    channel { allowedOrigins } userErrors { field code } } }";

async fn preflight(server: &TestServer, origin: &str) -> reqwest::Response {
    server
        .http()
        .request(reqwest::Method::OPTIONS, format!("{}/graphql", server.base))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type, x-vitrine-storefront")
        .send()
        .await
        .expect("preflight")
}

/// The `Access-Control-Allow-Origin` of a POST sent from `origin` with `key`.
async fn allowed_origin_of_post(server: &TestServer, origin: &str, key: &str) -> Option<String> {
    let response = server
        .http()
        .post(format!("{}/graphql", server.base))
        .header("origin", origin)
        .header("x-vitrine-storefront", key)
        .json(&json!({ "query": "{ channel { name } }" }))
        .send()
        .await
        .expect("post");
    let allowed = response.headers().get("access-control-allow-origin");
    allowed.and_then(|v| v.to_str().ok()).map(str::to_owned)
}

async fn browser_access(server: TestServer) {
    // The demo lets any page call it, so a storefront on any local port works at once.
    let open = preflight(&server, "http://localhost:5173").await;
    assert_eq!(open.status(), 204);
    let headers = open.headers();
    assert_eq!(headers["access-control-allow-origin"], "http://localhost:5173");
    let allowed = headers["access-control-allow-headers"].to_str().expect("text");
    assert!(allowed.contains("x-vitrine-storefront") && allowed.contains("authorization"));
    assert!(headers.get("access-control-allow-credentials").is_none(), "no cookies involved");
    let echoed = allowed_origin_of_post(&server, "http://localhost:5173", MAISON_LUNE_KEY).await;
    assert_eq!(echoed.as_deref(), Some("http://localhost:5173"));

    // Staff list each brand's site; other origins are refused.
    let staff = server.staff_token("cors@example.com", "owner").await;
    let channels = server.send_as(Some(&staff), "{ channels { id handle } }", json!({})).await;
    for channel in channels["data"]["channels"].as_array().expect("channels") {
        let origin = format!("https://{}.example", channel["handle"].as_str().expect("handle"));
        let variables = json!({ "id": channel["id"], "origins": [origin] });
        let updated = server.send_as(Some(&staff), ORIGINS_UPDATE, variables).await;
        assert_eq!(ok(&updated, "channelUpdate")["channel"]["allowedOrigins"], json!([origin]));
    }
    let bad = json!({ "id": channels["data"]["channels"][0]["id"], "origins": ["https://ok.example", "javascript:alert(1)"] });
    let refused = server.send_as(Some(&staff), ORIGINS_UPDATE, bad).await;
    assert_eq!(
        refused["data"]["channelUpdate"]["userErrors"],
        json!([{ "field": ["allowedOrigins", "1"], "code": "INVALID" }]),
        "{refused}"
    );

    assert_eq!(preflight(&server, "https://evil.example").await.status(), 403);
    assert_eq!(preflight(&server, "https://maison-lune.example").await.status(), 204);
    let lune = "https://maison-lune.example";
    assert_eq!(allowed_origin_of_post(&server, lune, MAISON_LUNE_KEY).await.as_deref(), Some(lune));
    assert_eq!(
        allowed_origin_of_post(&server, lune, "sf_marketplace_demo").await,
        None,
        "the marketplace's answers are not for the brand's site"
    );
    assert_eq!(
        allowed_origin_of_post(&server, "https://evil.example", MAISON_LUNE_KEY).await,
        None
    );

    // Code written for Shopify's Storefront API only changes its host.
    let shopify: Value = server
        .http()
        .post(format!("{}/api/2025-01/graphql.json", server.base))
        .header("x-shopify-storefront-access-token", MAISON_LUNE_KEY)
        .json(&json!({ "query": "{ shop: channel { name } products(first: 1) { nodes { vendor } } }" }))
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    assert_eq!(shopify["data"]["shop"]["name"], "Maison Lune", "{shopify}");
    assert_eq!(shopify["data"]["products"]["nodes"][0]["vendor"], "Maison Lune", "{shopify}");
}

#[tokio::test]
async fn browser_access_works_on_sqlite() {
    browser_access(TestServer::demo().await).await;
}

#[tokio::test]
async fn browser_access_works_on_postgres() {
    let Some(server) = TestServer::demo_on_postgres().await else { return };
    browser_access(server).await;
}
