//! Sign-in, customer accounts and integrator tokens.

use async_graphql::{Context, InputObject, Object, ID};
use vitrine_app::identity::SubjectKind;
use vitrine_domain::access::{Actor, Permission};
use vitrine_domain::id::NodeKind;

use crate::common::gid;
use crate::context::ContextExt;
use crate::error::into_payload;
use crate::identity::types::AccessToken;
use crate::identity::{ApiToken, Customer};
use crate::mutate::{input_id, payload};

#[derive(InputObject)]
pub struct StaffAccessTokenCreateInput {
    pub email: String,
    #[graphql(secret)]
    pub password: String,
}

#[derive(InputObject)]
pub struct CustomerAccessTokenCreateInput {
    pub email: String,
    #[graphql(secret)]
    pub password: String,
}

#[derive(InputObject)]
pub struct CustomerCreateInput {
    pub email: String,
    #[graphql(secret)]
    pub password: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

#[derive(InputObject)]
pub struct ApiTokenCreateInput {
    pub name: String,
    /// e.g. `catalog:read`, `catalog:write`, `channels:write`, `customers:read`.
    pub scopes: Vec<String>,
}

payload!(StaffAccessTokenCreatePayload { staff_access_token: Option<AccessToken> });
payload!(CustomerAccessTokenCreatePayload { customer_access_token: Option<AccessToken> });
payload!(CustomerAccessTokenDeletePayload { deleted_access_token: Option<String> });
payload!(CustomerCreatePayload { customer: Option<Customer> });
payload!(ApiTokenCreatePayload {
    api_token: Option<ApiToken>,
    /// The secret, shown this once. Send it as `Authorization: Bearer vtk_…`.
    token: Option<String>,
});
payload!(ApiTokenRevokePayload { revoked_api_token_id: Option<ID> });

#[derive(Default)]
pub struct IdentityMutation;

#[Object]
impl IdentityMutation {
    /// Signs a staff user in. Unknown email and wrong password give the same error.
    async fn staff_access_token_create(
        &self,
        ctx: &Context<'_>,
        input: StaffAccessTokenCreateInput,
    ) -> async_graphql::Result<StaffAccessTokenCreatePayload> {
        let (token, user_errors) =
            into_payload(ctx.app().identity.staff_sign_in(&input.email, &input.password).await)?;
        Ok(StaffAccessTokenCreatePayload { staff_access_token: token.map(Into::into), user_errors })
    }

    /// Exchanges a staff refresh token for a new pair.
    async fn staff_access_token_renew(
        &self,
        ctx: &Context<'_>,
        #[graphql(secret)] refresh_token: String,
    ) -> async_graphql::Result<StaffAccessTokenCreatePayload> {
        let (token, user_errors) =
            into_payload(ctx.app().identity.renew(&refresh_token, SubjectKind::Staff).await)?;
        Ok(StaffAccessTokenCreatePayload { staff_access_token: token.map(Into::into), user_errors })
    }

    async fn customer_create(
        &self,
        ctx: &Context<'_>,
        input: CustomerCreateInput,
    ) -> async_graphql::Result<CustomerCreatePayload> {
        let result = ctx
            .app()
            .identity
            .customer_create(&input.email, &input.password, input.first_name, input.last_name)
            .await;
        let (customer, user_errors) = into_payload(result)?;
        Ok(CustomerCreatePayload { customer: customer.map(Customer), user_errors })
    }

    async fn customer_access_token_create(
        &self,
        ctx: &Context<'_>,
        input: CustomerAccessTokenCreateInput,
    ) -> async_graphql::Result<CustomerAccessTokenCreatePayload> {
        let (token, user_errors) =
            into_payload(ctx.app().identity.customer_sign_in(&input.email, &input.password).await)?;
        Ok(CustomerAccessTokenCreatePayload {
            customer_access_token: token.map(Into::into),
            user_errors,
        })
    }

    /// Exchanges a customer refresh token for a new pair; the old refresh token stops working.
    async fn customer_access_token_renew(
        &self,
        ctx: &Context<'_>,
        #[graphql(secret)] refresh_token: String,
    ) -> async_graphql::Result<CustomerAccessTokenCreatePayload> {
        let (token, user_errors) =
            into_payload(ctx.app().identity.renew(&refresh_token, SubjectKind::Customer).await)?;
        Ok(CustomerAccessTokenCreatePayload {
            customer_access_token: token.map(Into::into),
            user_errors,
        })
    }

    /// Signs out: the access token and its refresh token stop working.
    async fn customer_access_token_delete(
        &self,
        ctx: &Context<'_>,
        #[graphql(secret)] customer_access_token: String,
    ) -> async_graphql::Result<CustomerAccessTokenDeletePayload> {
        let (done, user_errors) =
            into_payload(ctx.app().identity.sign_out(&customer_access_token).await)?;
        Ok(CustomerAccessTokenDeletePayload {
            deleted_access_token: done.map(|_| customer_access_token),
            user_errors,
        })
    }

    /// Creates an integrator token. Needs an `owner` or `admin` staff user; tokens never
    /// create tokens.
    async fn api_token_create(
        &self,
        ctx: &Context<'_>,
        input: ApiTokenCreateInput,
    ) -> async_graphql::Result<ApiTokenCreatePayload> {
        let actor = ctx.require(Permission::ApiTokensManage)?;
        let created_by = match actor {
            Actor::Staff { id, .. } => Some(*id),
            _ => None,
        };
        let result =
            ctx.app().identity.api_token_create(&input.name, &input.scopes, created_by).await;
        let (created, user_errors) = into_payload(result)?;
        let (api_token, token) =
            created.map_or((None, None), |(record, secret)| (Some(ApiToken(record)), Some(secret)));
        Ok(ApiTokenCreatePayload { api_token, token, user_errors })
    }

    /// Revokes an integrator token at once. Needs an `owner` or `admin` staff user.
    async fn api_token_revoke(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<ApiTokenRevokePayload> {
        ctx.require(Permission::ApiTokensManage)?;
        let result = match input_id(&id, NodeKind::ApiToken, "id") {
            Ok(uuid) => ctx
                .app()
                .identity
                .api_token_revoke(uuid)
                .await
                .map(|_| gid(NodeKind::ApiToken, uuid)),
            Err(e) => Err(e),
        };
        let (revoked, user_errors) = into_payload(result)?;
        Ok(ApiTokenRevokePayload { revoked_api_token_id: revoked, user_errors })
    }
}
