//! Starts the real `vitrine` binary on a free port with a database of its own, and talks
//! GraphQL over HTTP to it.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use vitrine_store::testing::TestDatabase;

pub const MARKETPLACE_KEY: &str = "sf_marketplace_demo";
pub const MAISON_LUNE_KEY: &str = "sf_maison_lune_demo";

const API_TOKEN_CREATE: &str = "mutation($n: String!, $s: [String!]!) {
  apiTokenCreate(input: {name: $n, scopes: $s}) { token userErrors { message } } }";
const LOCATIONS: &str =
    "{ locations(first: 20) { nodes { id name kind fulfillsOnlineOrders pickupEnabled } } }";
const SET_QUANTITIES: &str = "mutation($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) { userErrors { field code message } } }";
const LEVEL: &str = "query($sku: String!, $loc: ID!) {
  inventoryLevel(sku: $sku, locationId: $loc) { onHand reserved available } }";

pub struct TestServer {
    pub base: String,
    child: Child,
    data_dir: std::path::PathBuf,
    database: TestDatabase,
    http: reqwest::Client,
}

pub struct Options {
    pub demo: bool,
    pub postgres: bool,
    pub env: Vec<(String, String)>,
}

impl Default for Options {
    fn default() -> Self {
        Self { demo: true, postgres: false, env: vec![] }
    }
}

impl TestServer {
    /// A server with the demo catalog on SQLite.
    pub async fn demo() -> Self {
        Self::start(Options::default()).await.expect("sqlite is always available")
    }

    /// The same on PostgreSQL, or `None` when no test database is configured.
    pub async fn demo_on_postgres() -> Option<Self> {
        Self::start(Options { postgres: true, ..Options::default() }).await
    }

    pub async fn start(options: Options) -> Option<Self> {
        let database = if options.postgres {
            TestDatabase::postgres().await.expect("creating a postgres test database")?
        } else {
            TestDatabase::sqlite()
        };
        let data_dir =
            std::env::temp_dir().join(format!("vitrine-bb-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&data_dir).expect("data dir");
        let mut command = Command::new(env!("CARGO_BIN_EXE_vitrine"));
        command.arg("serve");
        if options.demo {
            command.arg("--demo");
        }
        let mut child = command
            .envs(base_env(&data_dir, &database.url))
            .envs(options.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting vitrine");
        let stderr = child.stderr.take().expect("piped stderr");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if !sent {
                    if let Some(rest) = line.split("ready on http://").nth(1) {
                        let address = rest.split('/').next().unwrap_or_default().to_owned();
                        let _ = tx.send(Ok(address));
                        sent = true;
                    } else if line.contains("Error") || line.contains("ERROR") {
                        let _ = tx.send(Err(line.clone()));
                    }
                }
            }
        });
        let address = match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(Ok(address)) => address,
            other => {
                let _ = child.kill();
                panic!("vitrine did not start: {other:?}");
            }
        };
        Some(Self {
            base: format!("http://{address}"),
            child,
            data_dir,
            database,
            http: reqwest::Client::new(),
        })
    }

    /// Runs `vitrine admin create` against this server's database and signs the user in.
    pub async fn staff_token(&self, email: &str, role: &str) -> String {
        let password = "correct horse battery";
        let mut child = Command::new(env!("CARGO_BIN_EXE_vitrine"))
            .args(["admin", "create", "--email", email, "--role", role])
            .envs(base_env(&self.data_dir, &self.database.url))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("running admin create");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(format!("{password}\n").as_bytes())
            .expect("writing password");
        assert!(child.wait().expect("admin create finishes").success(), "admin create failed");
        let response = self
            .gql(
                "mutation($e: String!, $p: String!) { staffAccessTokenCreate(input: {email: $e, password: $p}) { staffAccessToken { accessToken } userErrors { code } } }",
                json!({ "e": email, "p": password }),
            )
            .await;
        response["data"]["staffAccessTokenCreate"]["staffAccessToken"]["accessToken"]
            .as_str()
            .unwrap_or_else(|| panic!("staff sign-in failed: {response}"))
            .to_owned()
    }

    /// Signs up and signs in a customer; returns the access token.
    pub async fn customer_token(&self, email: &str) -> String {
        let password = "customer password";
        self.gql(
            "mutation($e: String!, $p: String!) { customerCreate(input: {email: $e, password: $p}) { customer { id } } }",
            json!({ "e": email, "p": password }),
        )
        .await;
        let response = self
            .gql(
                "mutation($e: String!, $p: String!) { customerAccessTokenCreate(input: {email: $e, password: $p}) { customerAccessToken { accessToken } } }",
                json!({ "e": email, "p": password }),
            )
            .await;
        response["data"]["customerAccessTokenCreate"]["customerAccessToken"]["accessToken"]
            .as_str()
            .unwrap_or_else(|| panic!("customer sign-in failed: {response}"))
            .to_owned()
    }

    pub fn request(&self) -> GqlRequest<'_> {
        GqlRequest { server: self, bearer: None, storefront: None }
    }

    pub async fn gql(&self, query: &str, variables: Value) -> Value {
        self.request().send(query, variables).await
    }

    /// Sends the operation with `token` as the bearer, or anonymously without one.
    pub async fn send_as(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = self.request();
        if let Some(token) = token {
            request = request.bearer(token);
        }
        request.send(query, variables).await
    }

    /// Creates an integrator API token named `name` with `scopes`, as the staff member whose
    /// access token is `staff`; returns its secret.
    pub async fn api_token(&self, staff: &str, name: &str, scopes: &[&str]) -> String {
        let r =
            self.send_as(Some(staff), API_TOKEN_CREATE, json!({ "n": name, "s": scopes })).await;
        r["data"]["apiTokenCreate"]["token"]
            .as_str()
            .unwrap_or_else(|| panic!("api token: {r}"))
            .to_owned()
    }

    /// The stock locations, as the holder of `token` (with `inventory:read`) lists them:
    /// `id name kind fulfillsOnlineOrders pickupEnabled` of each.
    pub async fn locations(&self, token: &str) -> Vec<Value> {
        let r = self.send_as(Some(token), LOCATIONS, json!({})).await;
        r["data"]["locations"]["nodes"]
            .as_array()
            .unwrap_or_else(|| panic!("locations: {r}"))
            .clone()
    }

    /// Counts `sku` at each `(location id, quantity)`, as the holder of `token` (with
    /// `inventory:write`); the call must be accepted. Other locations keep their count.
    pub async fn set_stock(&self, token: &str, sku: &str, counts: &[(&str, i64)]) {
        let quantities: Vec<Value> = counts
            .iter()
            .map(|(location, quantity)| {
                json!({ "sku": sku, "locationId": location, "quantity": quantity })
            })
            .collect();
        let input = json!({ "reason": "stock take", "quantities": quantities });
        let r = self.send_as(Some(token), SET_QUANTITIES, json!({ "input": input })).await;
        ok(&r, "inventorySetQuantities");
    }

    /// `(onHand, reserved, available)` of `sku` at `location`, as the holder of `token`.
    pub async fn level(&self, token: &str, sku: &str, location: &str) -> (i64, i64, i64) {
        let r = self.send_as(Some(token), LEVEL, json!({ "sku": sku, "loc": location })).await;
        let level = &r["data"]["inventoryLevel"];
        let n = |f: &str| level[f].as_i64().unwrap_or_else(|| panic!("inventory level: {r}"));
        (n("onHand"), n("reserved"), n("available"))
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }
}

fn base_env(data_dir: &std::path::Path, database_url: &str) -> Vec<(String, String)> {
    vec![
        ("VITRINE_LISTEN".to_owned(), "127.0.0.1:0".to_owned()),
        ("VITRINE_DATA_DIR".to_owned(), data_dir.display().to_string()),
        ("VITRINE_DATABASE_URL".to_owned(), database_url.to_owned()),
        ("VITRINE_LOG".to_owned(), "info".to_owned()),
    ]
}

pub struct GqlRequest<'a> {
    server: &'a TestServer,
    bearer: Option<String>,
    storefront: Option<String>,
}

impl GqlRequest<'_> {
    pub fn bearer(mut self, token: &str) -> Self {
        self.bearer = Some(token.to_owned());
        self
    }

    pub fn storefront(mut self, key: &str) -> Self {
        self.storefront = Some(key.to_owned());
        self
    }

    /// Sends the operation and returns the whole JSON response (data, errors, extensions).
    pub async fn send(self, query: &str, variables: Value) -> Value {
        self.send_raw(json!({ "query": query, "variables": variables })).await.1
    }

    pub async fn send_raw(self, body: Value) -> (u16, Value) {
        let mut request =
            self.server.http.post(format!("{}/graphql", self.server.base)).json(&body);
        if let Some(token) = &self.bearer {
            request = request.bearer_auth(token);
        }
        if let Some(key) = &self.storefront {
            request = request.header("X-Vitrine-Storefront", key);
        }
        let response = request.send().await.expect("request reaches the server");
        let status = response.status().as_u16();
        let text = response.text().await.expect("response body");
        (
            status,
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}")),
        )
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// The `extensions.code` of the first error, if any.
pub fn error_code(response: &Value) -> Option<&str> {
    response["errors"][0]["extensions"]["code"].as_str()
}

/// The payload of `field`, asserting the call was accepted (no user errors).
pub fn ok(response: &Value, field: &str) -> Value {
    let payload = &response["data"][field];
    assert_eq!(payload["userErrors"], json!([]), "{field} should succeed: {response}");
    payload.clone()
}

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A `graphql-transport-ws` connection to `/graphql/ws`, initialised with `params` (the
/// credentials and storefront key) and acknowledged.
/// A `graphql-transport-ws` socket to the server, not yet initialised.
pub async fn open_socket(server: &TestServer) -> Socket {
    let url = format!("{}/graphql/ws", server.base.replacen("http", "ws", 1));
    let mut request = url.into_client_request().expect("request");
    request
        .headers_mut()
        .insert("sec-websocket-protocol", "graphql-transport-ws".parse().expect("header"));
    tokio_tungstenite::connect_async(request).await.expect("connect").0
}

pub async fn connect(server: &TestServer, params: Value) -> Socket {
    let mut socket = open_socket(server).await;
    let init = json!({ "type": "connection_init", "payload": params });
    socket.send(Message::text(init.to_string())).await.expect("send init");
    assert_eq!(next_message(&mut socket).await["type"], "connection_ack");
    socket
}

/// The next JSON message on the socket, past pings and pongs.
pub async fn next_message(socket: &mut Socket) -> Value {
    loop {
        match socket.next().await.expect("open socket").expect("frame") {
            Message::Text(text) => return serde_json::from_str(&text).expect("json message"),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected frame {other:?}"),
        }
    }
}
