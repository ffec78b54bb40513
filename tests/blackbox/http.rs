//! The HTTP contract: endpoints, media types, status codes and limits.

use serde_json::{json, Value};

use crate::support::{error_code, Options, TestServer};

#[tokio::test]
async fn health_and_readiness_endpoints_answer() {
    let server = TestServer::demo().await;
    for path in ["/healthz", "/readyz"] {
        let r = server.http().get(format!("{}{path}", server.base)).send().await.expect("request");
        assert_eq!(r.status(), 200, "{path}");
    }
}

#[tokio::test]
async fn browsers_get_graphiql_and_clients_get_json() {
    let server = TestServer::demo().await;
    let page = server
        .http()
        .get(format!("{}/graphql", server.base))
        .header("accept", "text/html")
        .send()
        .await
        .expect("request");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains("GraphiQL"));
    let get = server
        .http()
        .get(format!("{}/graphql", server.base))
        .query(&[("query", "{ channel { handle } }")])
        .send()
        .await
        .expect("request");
    let body: serde_json::Value = get.json().await.expect("json");
    assert_eq!(body["data"]["channel"]["handle"], "marketplace");
}

/// The playground must work without internet access: everything the page loads comes from the
/// gateway.
#[tokio::test]
async fn graphiql_page_loads_only_assets_served_by_the_gateway() {
    let server = TestServer::demo().await;
    let html = server
        .http()
        .get(format!("{}/graphql", server.base))
        .header("accept", "text/html")
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("html");
    assert!(!html.contains("https://"), "the page must not load anything from elsewhere");
    let assets: Vec<&str> =
        html.split(['"', '\'']).filter(|part| part.starts_with("/graphql/assets/")).collect();
    assert_eq!(assets.len(), 4, "GraphiQL's script and style and React's two scripts: {assets:?}");
    for asset in assets {
        let r = server.http().get(format!("{}{asset}", server.base)).send().await.expect("asset");
        assert_eq!(r.status(), 200, "{asset}");
        let expected = if asset.ends_with(".css") { "text/css" } else { "text/javascript" };
        assert_eq!(r.headers()["content-type"], expected, "{asset}");
        assert!(r.bytes().await.expect("body").len() > 5_000, "{asset} looks empty");
    }
    let missing = server
        .http()
        .get(format!("{}/graphql/assets/nope.js", server.base))
        .send()
        .await
        .expect("request");
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn mutations_over_get_are_refused() {
    let server = TestServer::demo().await;
    let r = server
        .http()
        .get(format!("{}/graphql", server.base))
        .header("accept", "application/graphql-response+json")
        .query(&[("query", "mutation { customerAccessTokenDelete(customerAccessToken: \"x\") { deletedAccessToken } }")])
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), 405);
}

#[tokio::test]
async fn every_response_reports_its_cost() {
    let server = TestServer::demo().await;
    let r = server
        .gql(
            "{ products(first: 10) { nodes { variants(first: 5) { nodes { sku } } } } }",
            json!({}),
        )
        .await;
    let cost = &r["extensions"]["cost"];
    assert!(cost["requestedQueryCost"].as_u64().is_some_and(|c| c >= 50), "{cost}");
    assert!(cost["throttleStatus"]["maximumAvailable"].is_number());
}

#[tokio::test]
async fn limits_on_page_size_depth_cost_and_body_give_clear_errors() {
    let server = TestServer::start(Options {
        env: vec![
            ("VITRINE_MAX_PAGE_SIZE".to_owned(), "50".to_owned()),
            ("VITRINE_MAX_DEPTH".to_owned(), "6".to_owned()),
            ("VITRINE_MAX_COST".to_owned(), "2000".to_owned()),
            ("VITRINE_MAX_BODY_BYTES".to_owned(), "4096".to_owned()),
        ],
        ..Options::default()
    })
    .await
    .expect("server");
    let too_many = server.gql("{ products(first: 51) { nodes { id } } }", json!({})).await;
    assert_eq!(error_code(&too_many), Some("BAD_USER_INPUT"), "{too_many}");
    let ok = server.gql("{ products(first: 50) { nodes { id } } }", json!({})).await;
    assert_eq!(ok["data"]["products"]["nodes"].as_array().map(Vec::len), Some(50));

    let deep = server
        .gql("{ products(first: 1) { nodes { collections(first: 1) { nodes { products(first: 1) { nodes { collections(first: 1) { nodes { id } } } } } } } } }", json!({}))
        .await;
    assert_eq!(error_code(&deep), Some("MAX_DEPTH_EXCEEDED"), "{deep}");

    let costly = server
        .gql(
            "{ products(first: 50) { nodes { variants(first: 50) { nodes { sku } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&costly), Some("MAX_COST_EXCEEDED"), "{costly}");
    assert!(costly["extensions"]["cost"]["requestedQueryCost"].as_u64().is_some_and(|c| c > 2000));

    let padding = " ".repeat(5000);
    let (status, body) = server
        .request()
        .send_raw(json!({ "query": format!("{{ channel {{ name }} }}{padding}") }))
        .await;
    assert_eq!(status, 413);
    assert_eq!(error_code(&body), Some("PAYLOAD_TOO_LARGE"));
}

#[tokio::test]
async fn malformed_requests_are_errors_not_crashes() {
    let server = TestServer::demo().await;
    let raw = server
        .http()
        .post(format!("{}/graphql", server.base))
        .header("content-type", "application/json")
        .header("accept", "application/graphql-response+json")
        .body("{not json")
        .send()
        .await
        .expect("request");
    assert_eq!(raw.status(), 400);
    let legacy = server
        .http()
        .post(format!("{}/graphql", server.base))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("request");
    assert_eq!(legacy.status(), 400, "malformed JSON is 400 for application/json clients too");
    let syntax = server.gql("{ products(first: ", json!({})).await;
    assert!(syntax["errors"].as_array().is_some_and(|e| !e.is_empty()));
    assert!(syntax.get("data").is_none(), "a document that does not parse has no data: {syntax}");
    let invalid = server.gql("{ products(first: 1) { nodes { nope } } }", json!({})).await;
    assert!(invalid.get("data").is_none(), "nor one that does not validate: {invalid}");
    let bad_token =
        server.request().bearer("garbage").send("{ channel { name } }", json!({})).await;
    assert_eq!(error_code(&bad_token), Some("UNAUTHENTICATED"));
    let bad_cursor =
        server.gql("{ products(first: 2, after: \"zzz\") { nodes { id } } }", json!({})).await;
    assert_eq!(error_code(&bad_cursor), Some("BAD_USER_INPUT"));
}

async fn post_with_headers(server: &TestServer, headers: &[(&str, &[u8])]) -> Value {
    let mut request = server
        .http()
        .post(format!("{}/graphql", server.base))
        .json(&json!({ "query": "{ channel { name } customer { email } }" }));
    for (name, value) in headers {
        let value = reqwest::header::HeaderValue::from_bytes(value).expect("header bytes");
        request = request.header(*name, value);
    }
    let response = request.send().await.expect("request");
    response.json().await.expect("JSON")
}

#[tokio::test]
async fn credentials_are_read_strictly_and_never_fall_back_to_anonymous() {
    let server = TestServer::demo().await;
    let token = server.customer_token("case@example.com").await;
    let lowercase = format!("bearer {token}");
    let signed_in = post_with_headers(&server, &[("authorization", lowercase.as_bytes())]).await;
    assert_eq!(signed_in["data"]["customer"]["email"], "case@example.com", "{signed_in}");

    for malformed in [&b"Basic YWxhZGRpbjpvcGVuc2VzYW1l"[..], b"Bearer \xff\xfe", b"\xffBearer"] {
        let r = post_with_headers(&server, &[("authorization", malformed)]).await;
        assert_eq!(error_code(&r), Some("UNAUTHENTICATED"), "{r}");
        assert!(r.get("data").is_none(), "{r}");
    }
    let key = post_with_headers(&server, &[("x-vitrine-storefront", b"sf_\xffdemo")]).await;
    assert_eq!(error_code(&key), Some("UNKNOWN_STOREFRONT"), "{key}");
}

/// A server whose client timeouts are one second, for the tests below.
async fn impatient_server() -> TestServer {
    let second = |key: &str| (key.to_owned(), "1".to_owned());
    TestServer::start(Options {
        env: vec![
            second("VITRINE_HEADER_TIMEOUT_SECS"),
            second("VITRINE_BODY_TIMEOUT_SECS"),
            second("VITRINE_WEBSOCKET_INIT_TIMEOUT_SECS"),
        ],
        ..Options::default()
    })
    .await
    .expect("server")
}

/// Opens a raw connection, writes `sent` and returns everything the server sends until it
/// closes the connection. The 5 s bound is below the default timeouts (10 s), so a server
/// that ignored the configured one-second timeouts would fail the test.
async fn raw_exchange(server: &TestServer, sent: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = server.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.expect("connect");
    stream.write_all(sent).await.expect("write");
    let mut received = Vec::new();
    let read =
        tokio::time::timeout(std::time::Duration::from_secs(5), stream.read_to_end(&mut received));
    read.await.expect("the server closes the connection").expect("read");
    String::from_utf8_lossy(&received).into_owned()
}

#[tokio::test]
async fn slow_or_broken_requests_are_cut_off_with_the_right_status() {
    let server = impatient_server().await;
    // Headers that never end: the connection is closed.
    let half =
        raw_exchange(&server, b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: appl").await;
    assert!(!half.contains("200 OK"), "{half}");

    // A body announced and never finished: 408.
    let slow = raw_exchange(
        &server,
        b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{\"query\":",
    )
    .await;
    assert!(slow.starts_with("HTTP/1.1 408"), "{slow}");

    // A chunked body whose framing is broken: 400, not 413.
    let broken = raw_exchange(
        &server,
        b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n",
    )
    .await;
    assert!(broken.starts_with("HTTP/1.1 400"), "{broken}");

    // An idle keep-alive connection is closed too.
    let idle = raw_exchange(&server, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert!(idle.starts_with("HTTP/1.1 200"), "{idle}");
}

#[tokio::test]
async fn a_websocket_that_never_initialises_is_closed_with_4408() {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::Message;
    let server = impatient_server().await;
    let mut socket = crate::support::open_socket(&server).await;
    let closed = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        loop {
            match socket.next().await {
                Some(Ok(Message::Close(frame))) => return frame,
                Some(Ok(_)) => continue,
                other => panic!("the socket ended without a close frame: {other:?}"),
            }
        }
    })
    .await
    .expect("closed in time");
    assert_eq!(closed.map(|f| u16::from(f.code)), Some(4408));
}
