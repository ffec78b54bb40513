//! Signing in as staff and customers, refresh-token rotation, and integrator API tokens.

use serde_json::{json, Value};

use crate::support::{error_code, Options, TestServer};

const CUSTOMER_SIGN_IN: &str = "mutation($e: String!, $p: String!) { customerAccessTokenCreate(input: {email: $e, password: $p}) {
  customerAccessToken { accessToken refreshToken expiresAt } userErrors { field code message } } }";

#[tokio::test]
async fn unknown_email_and_wrong_password_get_the_same_error() {
    let server = TestServer::demo().await;
    server.customer_token("ada@example.com").await;
    let unknown =
        server.gql(CUSTOMER_SIGN_IN, json!({ "e": "nobody@example.com", "p": "whatever1" })).await;
    let wrong =
        server.gql(CUSTOMER_SIGN_IN, json!({ "e": "ada@example.com", "p": "whatever1" })).await;
    let errors =
        |r: &serde_json::Value| r["data"]["customerAccessTokenCreate"]["userErrors"].clone();
    assert_eq!(errors(&unknown), errors(&wrong));
    assert_eq!(errors(&wrong)[0]["code"], "INVALID_CREDENTIALS");
}

#[tokio::test]
async fn sign_in_attempts_are_rate_limited_per_email() {
    let server = TestServer::demo().await;
    let mut codes = Vec::new();
    for _ in 0..12 {
        let r = server
            .gql(CUSTOMER_SIGN_IN, json!({ "e": "target@example.com", "p": "guess-guess" }))
            .await;
        codes.push(
            r["data"]["customerAccessTokenCreate"]["userErrors"][0]["code"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
    }
    assert_eq!(codes[0], "INVALID_CREDENTIALS");
    assert_eq!(codes.last().map(String::as_str), Some("RATE_LIMITED"));
}

#[tokio::test]
async fn customers_sign_up_sign_in_and_read_their_account() {
    let server = TestServer::demo().await;
    let created = server
        .gql(
            "mutation { customerCreate(input: {email: \"Ada@Example.com\", password: \"long enough\", firstName: \"Ada\"}) { customer { email firstName } userErrors { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(created["data"]["customerCreate"]["customer"]["email"], "ada@example.com");
    let duplicate = server
        .gql("mutation { customerCreate(input: {email: \"ada@example.com\", password: \"long enough\"}) { userErrors { code field } } }", json!({}))
        .await;
    assert_eq!(duplicate["data"]["customerCreate"]["userErrors"][0]["code"], "TAKEN");
    let short = server
        .gql("mutation { customerCreate(input: {email: \"bob@example.com\", password: \"short\"}) { userErrors { code } } }", json!({}))
        .await;
    assert_eq!(short["data"]["customerCreate"]["userErrors"][0]["code"], "PASSWORD_TOO_SHORT");

    let signed_in =
        server.gql(CUSTOMER_SIGN_IN, json!({ "e": "ada@example.com", "p": "long enough" })).await;
    let token = signed_in["data"]["customerAccessTokenCreate"]["customerAccessToken"]
        ["accessToken"]
        .as_str()
        .expect("token")
        .to_owned();
    let me =
        server.request().bearer(&token).send("{ customer { email firstName } }", json!({})).await;
    assert_eq!(me["data"]["customer"]["firstName"], "Ada");
    let anonymous = server.gql("{ customer { email } }", json!({})).await;
    assert_eq!(error_code(&anonymous), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_replayed_one_ends_the_session() {
    let server = TestServer::demo().await;
    server.customer_token("ada@example.com").await;
    let signed_in = server
        .gql(CUSTOMER_SIGN_IN, json!({ "e": "ada@example.com", "p": "customer password" }))
        .await;
    let first_refresh = signed_in["data"]["customerAccessTokenCreate"]["customerAccessToken"]
        ["refreshToken"]
        .as_str()
        .expect("refresh")
        .to_owned();
    let renew = "mutation($r: String!) { customerAccessTokenRenew(refreshToken: $r) { customerAccessToken { accessToken refreshToken } userErrors { code } } }";
    let renewed = server.gql(renew, json!({ "r": first_refresh })).await;
    let pair = &renewed["data"]["customerAccessTokenRenew"]["customerAccessToken"];
    let access = pair["accessToken"].as_str().expect("new access token").to_owned();
    let second_refresh = pair["refreshToken"].as_str().expect("new refresh token").to_owned();
    assert_ne!(second_refresh, first_refresh);
    assert!(server.request().bearer(&access).send("{ customer { email } }", json!({})).await
        ["data"]["customer"]["email"]
        .is_string());

    let replay = server.gql(renew, json!({ "r": first_refresh })).await;
    assert_eq!(
        replay["data"]["customerAccessTokenRenew"]["userErrors"][0]["code"],
        "INVALID_TOKEN"
    );
    let after_replay =
        server.request().bearer(&access).send("{ customer { email } }", json!({})).await;
    assert_eq!(
        error_code(&after_replay),
        Some("UNAUTHENTICATED"),
        "the replay revoked the session"
    );
    let stolen = server.gql(renew, json!({ "r": second_refresh })).await;
    assert_eq!(
        stolen["data"]["customerAccessTokenRenew"]["userErrors"][0]["code"],
        "INVALID_TOKEN"
    );
}

#[tokio::test]
async fn signing_out_revokes_the_access_token() {
    let server = TestServer::demo().await;
    let token = server.customer_token("ada@example.com").await;
    let out = server
        .gql("mutation($t: String!) { customerAccessTokenDelete(customerAccessToken: $t) { deletedAccessToken userErrors { code } } }", json!({ "t": token }))
        .await;
    assert_eq!(out["data"]["customerAccessTokenDelete"]["deletedAccessToken"], token);
    let after = server.request().bearer(&token).send("{ customer { email } }", json!({})).await;
    assert_eq!(error_code(&after), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn staff_tokens_renew_with_their_role() {
    let server = TestServer::demo().await;
    server.staff_token("support@example.com", "support").await;
    let r = server
        .gql(
            "mutation { staffAccessTokenCreate(input: {email: \"support@example.com\", password: \"correct horse battery\"}) { staffAccessToken { refreshToken } } }",
            json!({}),
        )
        .await;
    let refresh = r["data"]["staffAccessTokenCreate"]["staffAccessToken"]["refreshToken"]
        .as_str()
        .expect("refresh")
        .to_owned();
    let renewed = server
        .gql("mutation($r: String!) { staffAccessTokenRenew(refreshToken: $r) { staffAccessToken { accessToken } } }", json!({ "r": refresh }))
        .await;
    let access = renewed["data"]["staffAccessTokenRenew"]["staffAccessToken"]["accessToken"]
        .as_str()
        .expect("access")
        .to_owned();
    // Support staff may read drafts but not write.
    let write = server
        .request()
        .bearer(&access)
        .send(
            "mutation { productCreate(input: {title: \"x\"}) { userErrors { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&write), Some("FORBIDDEN"));
    let customer_renew = server
        .gql("mutation($r: String!) { customerAccessTokenRenew(refreshToken: $r) { userErrors { code } } }", json!({ "r": refresh }))
        .await;
    assert_eq!(
        customer_renew["data"]["customerAccessTokenRenew"]["userErrors"][0]["code"],
        "INVALID_TOKEN"
    );
}

#[tokio::test]
async fn api_tokens_are_shown_once_scoped_and_revocable() {
    let server = TestServer::demo().await;
    let admin = server.staff_token("admin@example.com", "admin").await;
    let created = server
        .request()
        .bearer(&admin)
        .send(
            "mutation { apiTokenCreate(input: {name: \"POS\", scopes: [\"catalog:read\"]}) { apiToken { id name scopes } token userErrors { code } } }",
            json!({}),
        )
        .await;
    let payload = &created["data"]["apiTokenCreate"];
    let secret = payload["token"].as_str().expect("secret").to_owned();
    assert!(secret.starts_with("vtk_"));
    assert_eq!(payload["apiToken"]["scopes"], json!(["catalog:read"]));
    let listed = server.request().bearer(&admin).send("{ apiTokens { name } }", json!({})).await;
    assert!(!listed.to_string().contains(&secret), "the secret is never shown again");

    let read = server.request().bearer(&secret).send("{ products(first: 1) { nodes { variants(first: 1) { nodes { quantityAvailable } } } } }", json!({})).await;
    assert!(
        read["data"]["products"]["nodes"][0]["variants"]["nodes"][0]["quantityAvailable"]
            .is_number(),
        "{read}"
    );
    let write = server
        .request()
        .bearer(&secret)
        .send(
            "mutation { productCreate(input: {title: \"x\"}) { userErrors { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&write), Some("FORBIDDEN"));

    let bad_scope = server
        .request()
        .bearer(&admin)
        .send("mutation { apiTokenCreate(input: {name: \"x\", scopes: [\"everything\"]}) { token userErrors { code field } } }", json!({}))
        .await;
    assert_eq!(bad_scope["data"]["apiTokenCreate"]["userErrors"][0]["field"], json!(["scopes"]));

    let revoke = server
        .request()
        .bearer(&admin)
        .send("mutation($id: ID!) { apiTokenRevoke(id: $id) { revokedApiTokenId userErrors { code } } }", json!({ "id": payload["apiToken"]["id"] }))
        .await;
    assert_eq!(revoke["data"]["apiTokenRevoke"]["revokedApiTokenId"], payload["apiToken"]["id"]);
    let after = server.request().bearer(&secret).send("{ channel { name } }", json!({})).await;
    assert_eq!(error_code(&after), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn identity_works_the_same_on_postgres() {
    let Some(server) = TestServer::demo_on_postgres().await else { return };
    let token = server.staff_token("owner@example.com", "owner").await;
    let secret = server.api_token(&token, "ERP", &["catalog:write"]).await;
    let write = server.request().bearer(&secret).send("mutation { productCreate(input: {title: \"From ERP\"}) { product { handle } userErrors { code } } }", json!({})).await;
    assert_eq!(write["data"]["productCreate"]["product"]["handle"], "from-erp", "{write}");
    let customer = server.customer_token("pg@example.com").await;
    let me = server.request().bearer(&customer).send("{ customer { email } }", json!({})).await;
    assert_eq!(me["data"]["customer"]["email"], "pg@example.com");
}

#[tokio::test]
async fn sign_in_limits_are_shared_through_redis_when_configured() {
    let Ok(redis) = std::env::var("VITRINE_TEST_REDIS_URL") else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "VITRINE_TEST_REDIS_URL must be set on CI"
        );
        return;
    };
    let env = vec![("VITRINE_REDIS_URL".to_owned(), redis)];
    let first =
        TestServer::start(crate::support::Options { env: env.clone(), ..Default::default() })
            .await
            .expect("server");
    let second = TestServer::start(crate::support::Options { env, ..Default::default() })
        .await
        .expect("server");
    // A fresh address per run, since Redis outlives the test.
    let email = format!("{}@example.com", uuid::Uuid::now_v7().simple());
    for server in [&first, &second].into_iter().cycle().take(10) {
        server.gql(CUSTOMER_SIGN_IN, json!({ "e": email, "p": "guess-guess" })).await;
    }
    let r = first.gql(CUSTOMER_SIGN_IN, json!({ "e": email, "p": "guess-guess" })).await;
    assert_eq!(
        r["data"]["customerAccessTokenCreate"]["userErrors"][0]["code"], "RATE_LIMITED",
        "{r}"
    );
}

/// The first user error code (or `OK`) of four calls of `mutation` from one address, each with
/// another email, on a server whose `limit` variable allows three.
async fn codes_of_four_attempts(limit: &str, mutation: &str, payload: &str) -> Vec<String> {
    let server = TestServer::start(Options {
        env: vec![(limit.to_owned(), "3".to_owned())],
        ..Options::default()
    })
    .await
    .expect("server");
    let mut codes = vec![];
    for i in 0..4 {
        let r = server.gql(mutation, json!({ "email": format!("probe{i}@example.com") })).await;
        let code = r["data"][payload]["userErrors"][0]["code"].as_str().unwrap_or("OK");
        codes.push(code.to_owned());
    }
    codes
}

#[tokio::test]
async fn sign_ups_are_throttled_per_client_address_so_emails_cannot_be_enumerated_quickly() {
    let sign_up = "mutation($email: String!) { customerCreate(input: {email: $email, password: \"long enough\"}) { customer { id } userErrors { code field } } }";
    let codes = codes_of_four_attempts("VITRINE_SIGN_UP_ATTEMPTS", sign_up, "customerCreate").await;
    assert_eq!(codes, ["OK", "OK", "OK", "RATE_LIMITED"]);
}

#[tokio::test]
async fn sign_ins_are_throttled_per_client_address_across_emails() {
    let sign_in = "mutation($email: String!) { customerAccessTokenCreate(input: {email: $email, password: \"spray password\"}) { userErrors { code } } }";
    let limit = "VITRINE_SIGN_IN_ATTEMPTS_PER_CLIENT";
    let codes = codes_of_four_attempts(limit, sign_in, "customerAccessTokenCreate").await;
    let refused = "INVALID_CREDENTIALS";
    assert_eq!(codes, [refused, refused, refused, "RATE_LIMITED"]);
}

#[tokio::test]
async fn behind_a_trusted_proxy_limits_count_the_forwarded_client() {
    let server = TestServer::start(Options {
        env: vec![
            ("VITRINE_SIGN_UP_ATTEMPTS".to_owned(), "1".to_owned()),
            ("VITRINE_TRUSTED_PROXIES".to_owned(), "127.0.0.1".to_owned()),
        ],
        ..Options::default()
    })
    .await
    .expect("server");
    let sign_up = |email: &str, forwarded_for: &str| {
        let body = json!({
            "query": "mutation($e: String!) { customerCreate(input: {email: $e, password: \"long enough\"}) { userErrors { code } } }",
            "variables": { "e": email },
        });
        let request = server
            .http()
            .post(format!("{}/graphql", server.base))
            .header("x-forwarded-for", forwarded_for)
            .json(&body);
        async move {
            let r: Value = request.send().await.expect("request").json().await.expect("json");
            r["data"]["customerCreate"]["userErrors"][0]["code"].as_str().unwrap_or("OK").to_owned()
        }
    };
    assert_eq!(sign_up("a@example.com", "203.0.113.1").await, "OK");
    assert_eq!(sign_up("b@example.com", "203.0.113.2").await, "OK", "another client");
    assert_eq!(sign_up("c@example.com", "203.0.113.1").await, "RATE_LIMITED", "the first again");
    // A client cannot pose as another by prepending to the header: the proxy's entry counts.
    assert_eq!(sign_up("d@example.com", "198.51.100.7, 203.0.113.2").await, "RATE_LIMITED");
}
