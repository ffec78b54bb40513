//! Sign-in, customer accounts and integrator tokens.

use async_graphql::{Context, InputObject, Object, ID};
use vitrine_app::identity::{SubjectKind, TokenPair};
use vitrine_app::identity_records::{ApiTokenRecord, CustomerRecord};
use vitrine_domain::access::{Actor, Permission};
use vitrine_domain::id::NodeKind;

use crate::common::gid;
use crate::context::ContextExt;
use crate::identity::types::AccessToken;
use crate::identity::{ApiToken, Customer};
use crate::mutate::{mutate, payload, read_input};

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

payload!(StaffAccessTokenCreatePayload { staff_access_token: Option<AccessToken> }
    from |pair: TokenPair| { staff_access_token: Some(pair.into()) });
payload!(CustomerAccessTokenCreatePayload { customer_access_token: Option<AccessToken> }
    from |pair: TokenPair| { customer_access_token: Some(pair.into()) });
payload!(CustomerAccessTokenDeletePayload { deleted_access_token: Option<String> }
    from |token: String| { deleted_access_token: Some(token) });
payload!(CustomerCreatePayload { customer: Option<Customer> }
    from |customer: CustomerRecord| { customer: Some(Customer(customer)) });
payload!(
    ApiTokenCreatePayload {
        api_token: Option<ApiToken>,
        /// The secret, shown this once. Send it as `Authorization: Bearer vtk_…`.
        token: Option<String>,
    }
    from |created: (ApiTokenRecord, String)| {
        api_token: Some(ApiToken(created.0)),
        token: Some(created.1),
    }
);
payload!(ApiTokenRevokePayload { revoked_api_token_id: Option<ID> }
    from |id: ID| { revoked_api_token_id: Some(id) });

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
        mutate(ctx, Ok(input), async |caller, input| {
            ctx.app().identity.staff_sign_in(caller.client, &input.email, &input.password).await
        })
        .await
    }

    /// Exchanges a staff refresh token for a new pair.
    async fn staff_access_token_renew(
        &self,
        ctx: &Context<'_>,
        #[graphql(secret)] refresh_token: String,
    ) -> async_graphql::Result<StaffAccessTokenCreatePayload> {
        mutate(ctx, Ok(refresh_token), async |_, token| {
            ctx.app().identity.renew(&token, SubjectKind::Staff).await
        })
        .await
    }

    async fn customer_create(
        &self,
        ctx: &Context<'_>,
        input: CustomerCreateInput,
    ) -> async_graphql::Result<CustomerCreatePayload> {
        mutate(ctx, Ok(input), async |caller, i| {
            ctx.app()
                .identity
                .customer_create(caller.client, &i.email, &i.password, i.first_name, i.last_name)
                .await
        })
        .await
    }

    async fn customer_access_token_create(
        &self,
        ctx: &Context<'_>,
        input: CustomerAccessTokenCreateInput,
    ) -> async_graphql::Result<CustomerAccessTokenCreatePayload> {
        mutate(ctx, Ok(input), async |caller, input| {
            ctx.app().identity.customer_sign_in(caller.client, &input.email, &input.password).await
        })
        .await
    }

    /// Exchanges a customer refresh token for a new pair; the old refresh token stops working.
    async fn customer_access_token_renew(
        &self,
        ctx: &Context<'_>,
        #[graphql(secret)] refresh_token: String,
    ) -> async_graphql::Result<CustomerAccessTokenCreatePayload> {
        mutate(ctx, Ok(refresh_token), async |_, token| {
            ctx.app().identity.renew(&token, SubjectKind::Customer).await
        })
        .await
    }

    /// Signs out: the access token and its refresh token stop working.
    async fn customer_access_token_delete(
        &self,
        ctx: &Context<'_>,
        #[graphql(secret)] customer_access_token: String,
    ) -> async_graphql::Result<CustomerAccessTokenDeletePayload> {
        mutate(ctx, Ok(customer_access_token), async |_, token| {
            ctx.app().identity.sign_out(&token).await.map(|()| token)
        })
        .await
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
        mutate(ctx, Ok(input), async |_, input| {
            ctx.app().identity.api_token_create(&input.name, &input.scopes, created_by).await
        })
        .await
    }

    /// Revokes an integrator token at once. Needs an `owner` or `admin` staff user.
    async fn api_token_revoke(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<ApiTokenRevokePayload> {
        ctx.require(Permission::ApiTokensManage)?;
        let uuid = read_input(|r| r.id(&id, NodeKind::ApiToken, "id"));
        mutate(ctx, uuid, async |_, uuid| {
            ctx.app().identity.api_token_revoke(uuid).await.map(|()| gid(NodeKind::ApiToken, uuid))
        })
        .await
    }
}
