//! Identity reads: the signed-in customer and integrators' API tokens.

use async_graphql::{Context, Object};
use vitrine_domain::access::{Actor, Permission};

use crate::context::ContextExt;
use crate::error::{unauthenticated, ResultExt};
use crate::identity::{ApiToken, Customer};

#[derive(Default)]
pub struct IdentityQuery;

#[Object]
impl IdentityQuery {
    /// The signed-in customer.
    async fn customer(&self, ctx: &Context<'_>) -> async_graphql::Result<Customer> {
        let Actor::Customer { id } = ctx.req().actor else { return Err(unauthenticated()) };
        ctx.app().identity.customer(id).await.gql()?.map(Customer).ok_or_else(unauthenticated)
    }

    /// Integrator tokens (never their secrets). Needs an `owner` or `admin` staff user.
    async fn api_tokens(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ApiToken>> {
        ctx.require(Permission::ApiTokensManage)?;
        Ok(ctx.app().identity.api_tokens().await.gql()?.into_iter().map(ApiToken).collect())
    }
}
