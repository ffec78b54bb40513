//! Executing a request: a gate pass that validates strictly and checks the cost limits, then
//! the real execution on a schema without extensions.
//!
//! async-graphql sends every field through a slower path (type names looked up and allocated,
//! extension chain called) as soon as a schema has any extension. A page of fifty products
//! resolves some ten thousand fields, so that path costs more than the rest of the request.
//! The gate's parse and validation cost a few microseconds; the fast path saves milliseconds.

use std::sync::Arc;

use async_graphql::futures_util::stream::{self, BoxStream, StreamExt};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Data, Executor, Request, Response};

use crate::connection::Limits;
use crate::cost::{self, CostPass, DocumentFacts};
use crate::response;
use crate::VitrineSchema;

#[derive(Clone)]
pub struct Gateway {
    /// Same types, with `cost::CostGate`; never runs a resolver.
    pub(crate) gate: VitrineSchema,
    /// The gate with light validation, for costing a document without the selections that
    /// `@skip`/`@include` exclude (the strict gate validated the document as sent).
    pub(crate) gate_as_run: VitrineSchema,
    /// Same types and data, no extensions, light validation (the gate did the strict one).
    pub(crate) run: VitrineSchema,
}

impl Gateway {
    /// Executes a prepared request (see `prepare_request`), with its cost in the response's
    /// `extensions.cost`.
    pub async fn execute(&self, request: Request) -> Response {
        match self.execute_checked(request).await {
            Ok(response) | Err(response) => response,
        }
    }

    /// [`Gateway::execute`], telling a request refused before execution (it does not parse
    /// or validate, or breaks a limit: `Err`, with errors and no data) from one that ran.
    pub async fn execute_checked(&self, mut request: Request) -> Result<Response, Response> {
        let checked = match self.check(&mut request).await {
            Ok(checked) => checked,
            Err(refused) => return Err(self.bound(refused)),
        };
        let mut response = self.run.execute(request).await;
        response.extensions.extend(checked.extensions);
        Ok(self.bound(response))
    }

    /// Caps the errors and the size of a response (see `response`).
    fn bound(&self, response: Response) -> Response {
        response::bound(response, self.data::<Limits>().max_response_bytes)
    }

    /// Runs the gate on a copy of the request (its data stays with the original). `Err`
    /// carries the response to send instead of executing.
    async fn check(&self, request: &mut Request) -> Result<Response, Response> {
        let limits = *self.data::<Limits>();
        let (variables, operation) = (request.variables.clone(), request.operation_name.clone());
        let facts = match request.parsed_query() {
            Ok(document) => cost::read_document(
                document,
                &variables,
                operation.as_deref(),
                limits.max_page_size,
            )
            .map_err(|refusal| Response::from_errors(vec![refusal]))?,
            // The gate reports the syntax error.
            Err(_) => DocumentFacts::default(),
        };
        let checked = match facts.as_run {
            None => {
                let pass = CostPass::Check { extra_cost: facts.extra_cost };
                self.gate.execute(gate_copy(request, None).data(pass)).await
            }
            Some(as_run) => {
                let validated =
                    self.gate.execute(gate_copy(request, None).data(CostPass::ValidateOnly)).await;
                if validated.is_err() {
                    return Err(validated);
                }
                let pass = CostPass::Check { extra_cost: facts.extra_cost };
                self.gate_as_run.execute(gate_copy(request, Some(as_run)).data(pass)).await
            }
        };
        if checked.is_err() {
            Err(checked)
        } else {
            Ok(checked)
        }
    }

    /// The schema's shared data, as registered by `build_schema`.
    pub(crate) fn data<T: Send + Sync + 'static>(&self) -> &T {
        // Inserted by `build_schema`; absent only if someone builds the schema another way.
        self.run.data::<T>().expect("build_schema registers this data")
    }
}

/// A copy of `request` for a gate pass, with `document` in place of its own when given.
fn gate_copy(request: &mut Request, document: Option<ExecutableDocument>) -> Request {
    let mut copy = Request::new(request.query.clone()).variables(request.variables.clone());
    copy.extensions = request.extensions.clone();
    copy.operation_name = request.operation_name.clone();
    copy.introspection_mode = request.introspection_mode;
    match document {
        Some(document) => copy.set_parsed_query(document),
        None => {
            if let Ok(document) = request.parsed_query() {
                copy.set_parsed_query(document.clone());
            }
        }
    }
    copy
}

/// Who a WebSocket connection speaks as: the `connectionParams` of its `connection_init`
/// message, named like the HTTP headers (`Authorization: Bearer …`, `X-Vitrine-Storefront`),
/// else the headers of the upgrade request.
#[derive(Clone, Debug, Default)]
pub struct ConnectionParams {
    pub bearer: Option<String>,
    pub storefront_key: Option<String>,
    /// The address the upgrade request came from.
    pub client: Option<crate::ClientAddress>,
}

/// The token of an `Authorization` value. The scheme is case-insensitive (RFC 9110); an empty
/// value or a bare `Bearer` is no credential. Any other scheme comes back whole, so that it
/// fails authentication with `UNAUTHENTICATED` rather than passing as anonymous.
pub fn bearer_token(authorization: &str) -> Option<&str> {
    let value = authorization.trim();
    if value.is_empty() {
        return None;
    }
    match value.split_once(char::is_whitespace) {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => {
            Some(token.trim()).filter(|t| !t.is_empty())
        }
        None if value.eq_ignore_ascii_case("bearer") => None,
        _ => Some(value),
    }
}

impl ConnectionParams {
    /// Reads the parameters of a `connection_init` payload; keys are case-insensitive and
    /// anything missing keeps the value in `self`.
    pub fn with_init_payload(mut self, payload: &serde_json::Value) -> Self {
        let Some(entries) = payload.as_object() else { return self };
        for (key, value) in entries {
            let Some(text) = value.as_str().map(str::trim).filter(|t| !t.is_empty()) else {
                continue;
            };
            match key.to_ascii_lowercase().as_str() {
                "authorization" => self.bearer = bearer_token(text).map(str::to_owned),
                "x-vitrine-storefront" => self.storefront_key = Some(text.to_owned()),
                _ => {}
            }
        }
        self
    }
}

/// The gateway for `/graphql/ws`: each operation is prepared like an HTTP request, with the
/// connection's `ConnectionParams` (kept in the session data) as its credentials.
#[derive(Clone)]
pub struct WebSocketGateway(pub Gateway);

impl WebSocketGateway {
    async fn prepare(
        &self,
        request: Request,
        session: Option<&Data>,
    ) -> Result<Request, async_graphql::ServerError> {
        let params = session
            .and_then(|data| data.get(&std::any::TypeId::of::<ConnectionParams>()))
            .and_then(|value| value.downcast_ref::<ConnectionParams>())
            .cloned()
            .unwrap_or_default();
        let request = match params.client {
            Some(client) => request.data(client),
            None => request,
        };
        crate::prepare_request(
            &self.0,
            request,
            params.bearer.as_deref(),
            params.storefront_key.as_deref(),
        )
        .await
    }
}

impl Executor for WebSocketGateway {
    async fn execute(&self, request: Request) -> Response {
        match self.prepare(request, None).await {
            Ok(request) => self.0.execute(request).await,
            Err(error) => Response::from_errors(vec![error]),
        }
    }

    fn execute_stream(
        &self,
        request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let this = self.clone();
        stream::once(async move {
            let gateway = &this.0;
            let prepared = this.prepare(request, session_data.as_deref()).await;
            let mut request = match prepared {
                Ok(request) => request,
                Err(error) => return stream::iter([Response::from_errors(vec![error])]).boxed(),
            };
            let cost = match gateway.check(&mut request).await {
                Ok(checked) => checked.extensions,
                Err(refused) => return stream::iter([gateway.bound(refused)]).boxed(),
            };
            let session = session_data.unwrap_or_default();
            let bounds = gateway.clone();
            gateway
                .run
                .execute_stream_with_session_data(request, session)
                .map(move |mut response| {
                    response.extensions.extend(cost.clone());
                    bounds.bound(response)
                })
                .boxed()
        })
        .flatten()
        .boxed()
    }
}
