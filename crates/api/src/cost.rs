//! Query cost and depth: checked against the limits with clear error codes, and reported in
//! `extensions.cost` of every response, as Shopify reports it.
//!
//! The check runs in the gate schema of `gateway::Gateway`, whose execution stops right after
//! validation: any extension on the schema that resolves fields would send every field through
//! async-graphql's slower extension path.

use std::sync::{Arc, Mutex};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextRequest, NextValidation,
};
use async_graphql::{value, ErrorExtensions, Pos, Response, ServerError, ValidationResult, Value};

use crate::connection::Limits;

/// Checks and reports the cost of operations, then stops: nothing is executed.
pub struct CostGate(pub Limits);

impl ExtensionFactory for CostGate {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(CostCheck { limits: self.0, cost: Mutex::new(None) })
    }
}

struct CostCheck {
    limits: Limits,
    cost: Mutex<Option<usize>>,
}

fn limit_error(code: &'static str, message: String) -> ServerError {
    async_graphql::Error::new(message)
        .extend_with(|_, e| e.set("code", code))
        .into_server_error(Pos::default())
}

#[async_graphql::async_trait::async_trait]
impl Extension for CostCheck {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let response = next.run(ctx).await;
        let Some(cost) = self.cost.lock().ok().and_then(|c| *c) else { return response };
        let max = self.limits.max_cost;
        // The requested cost is an upper bound (lists counted at their requested size); it is
        // also reported as the actual cost until costs are metered per returned item.
        response.extension(
            "cost",
            value!({
                "requestedQueryCost": cost,
                "actualQueryCost": cost,
                "throttleStatus": {
                    "maximumAvailable": max,
                    "currentlyAvailable": max.saturating_sub(cost),
                    "restoreRate": max,
                },
            }),
        )
    }

    async fn execute(
        &self,
        _ctx: &ExtensionContext<'_>,
        _operation_name: Option<&str>,
        _next: NextExecute<'_>,
    ) -> Response {
        Response::new(Value::Null)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        if let Ok(mut cost) = self.cost.lock() {
            *cost = Some(result.complexity);
        }
        if result.depth > self.limits.max_depth {
            return Err(vec![limit_error(
                "MAX_DEPTH_EXCEEDED",
                format!(
                    "query depth {} exceeds the limit of {}",
                    result.depth, self.limits.max_depth
                ),
            )]);
        }
        if result.complexity > self.limits.max_cost {
            return Err(vec![limit_error(
                "MAX_COST_EXCEEDED",
                format!(
                    "query cost {} exceeds the limit of {}; request fewer items",
                    result.complexity, self.limits.max_cost
                ),
            )]);
        }
        Ok(result)
    }
}
