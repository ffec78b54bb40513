//! Query cost and depth: checked against the limits with clear error codes, and reported in
//! `extensions.cost` of every response, as Shopify reports it.
//!
//! The check runs in the gate schema of `gateway::Gateway`, whose execution stops right after
//! validation: any extension on the schema that resolves fields would send every field through
//! async-graphql's slower extension path. Before it, [`document::read_document`] refuses what
//! no cost can make safe and finds the cost async-graphql does not count.
//!
//! Costs saturate: every field's cost is capped at [`FIELD_COST_CAP`], so the sum over any
//! document that fits in a request body stays far below `usize::MAX` and can never wrap.

mod document;

use std::sync::{Arc, Mutex};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextRequest, NextValidation,
};
use async_graphql::{value, ErrorExtensions, Pos, Response, ServerError, ValidationResult, Value};

use crate::connection::Limits;

pub use document::{read_document, DocumentFacts};

/// The most one field can cost. Far above any limit, and small enough that a million of them
/// add up without overflow.
pub const FIELD_COST_CAP: usize = 1 << 40;

/// The cost of a connection field: its page size (`first` or `last`, else `default`) times
/// the cost of one item, saturating.
pub fn connection_cost(
    first: Option<i32>,
    last: Option<i32>,
    default: usize,
    child: usize,
) -> usize {
    let size = first.or(last).map_or(default, |n| usize::try_from(n).unwrap_or(0)).max(1);
    list_cost(size, child)
}

/// The cost of a field returning `len` items of cost `child` each, saturating.
pub fn list_cost(len: usize, child: usize) -> usize {
    len.max(1).saturating_mul(child).min(FIELD_COST_CAP)
}

/// Request data for the gate: how this pass costs the document.
pub(crate) enum CostPass {
    /// Validate only; another pass costs the document as it will run.
    ValidateOnly,
    /// Validate and check the limits, adding what the document walk counted.
    Check { extra_cost: usize },
}

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
        let extra_cost = match ctx.data_opt::<CostPass>() {
            Some(CostPass::ValidateOnly) => return Ok(result),
            Some(CostPass::Check { extra_cost }) => *extra_cost,
            None => 0,
        };
        let cost = result.complexity.saturating_add(extra_cost);
        if let Ok(mut reported) = self.cost.lock() {
            *reported = Some(cost);
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
        if cost > self.limits.max_cost {
            return Err(vec![limit_error(
                "MAX_COST_EXCEEDED",
                format!(
                    "query cost {} exceeds the limit of {}; request fewer items",
                    cost, self.limits.max_cost
                ),
            )]);
        }
        Ok(result)
    }
}
