//! Executing a request: a gate pass that validates strictly and checks the cost limits, then
//! the real execution on a schema without extensions.
//!
//! async-graphql sends every field through a slower path (type names looked up and allocated,
//! extension chain called) as soon as a schema has any extension. A page of fifty products
//! resolves some ten thousand fields, so that path costs more than the rest of the request.
//! The gate's parse and validation cost a few microseconds; the fast path saves milliseconds.

use std::sync::Arc;

use async_graphql::futures_util::stream::{self, BoxStream, StreamExt};
use async_graphql::{Data, Executor, Request, Response};

use crate::VitrineSchema;

#[derive(Clone)]
pub struct Gateway {
    /// Same types, with `cost::CostGate`; never runs a resolver.
    pub(crate) gate: VitrineSchema,
    /// Same types and data, no extensions, light validation (the gate did the strict one).
    pub(crate) run: VitrineSchema,
}

impl Gateway {
    /// Executes a prepared request (see `prepare_request`), with its cost in the response's
    /// `extensions.cost`.
    pub async fn execute(&self, mut request: Request) -> Response {
        let checked = match self.check(&mut request).await {
            Ok(checked) => checked,
            Err(refused) => return refused,
        };
        let mut response = self.run.execute(request).await;
        response.extensions.extend(checked.extensions);
        response
    }

    /// Runs the gate on a copy of the request (its data stays with the original). `Err`
    /// carries the response to send instead of executing.
    async fn check(&self, request: &mut Request) -> Result<Response, Response> {
        let mut copy = Request::new(request.query.clone()).variables(request.variables.clone());
        copy.extensions = request.extensions.clone();
        copy.operation_name = request.operation_name.clone();
        copy.introspection_mode = request.introspection_mode;
        if let Ok(document) = request.parsed_query() {
            copy.set_parsed_query(document.clone());
        }
        let checked = self.gate.execute(copy).await;
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

/// The gateway for `/graphql/ws`. Operations on a WebSocket run as an anonymous caller on the
/// default channel (connection parameters are not read yet).
#[derive(Clone)]
pub struct WebSocketGateway(pub Gateway);

impl Executor for WebSocketGateway {
    async fn execute(&self, request: Request) -> Response {
        match crate::prepare_request(&self.0, request, None, None).await {
            Ok(request) => self.0.execute(request).await,
            Err(error) => Response::from_errors(vec![error]),
        }
    }

    fn execute_stream(
        &self,
        request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let gateway = self.0.clone();
        stream::once(async move {
            let mut request = match crate::prepare_request(&gateway, request, None, None).await {
                Ok(request) => request,
                Err(error) => return stream::iter([Response::from_errors(vec![error])]).boxed(),
            };
            if let Err(refused) = gateway.check(&mut request).await {
                return stream::iter([refused]).boxed();
            }
            gateway.run.execute_stream_with_session_data(request, session_data.unwrap_or_default())
        })
        .flatten()
        .boxed()
    }
}
