//! `Customer`, staff and integrator tokens as the API shows them.

use async_graphql::{Context, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use vitrine_app::identity::TokenPair;
use vitrine_app::identity_records::{ApiTokenRecord, CustomerRecord};
use vitrine_domain::id::NodeKind;

use crate::common::gid;
use crate::companies::types::{Company, CompanyMembership};
use crate::context::ContextExt;
use crate::error::ResultExt;

#[derive(Clone)]
pub struct Customer(pub CustomerRecord);

#[Object]
impl Customer {
    async fn id(&self) -> ID {
        gid(NodeKind::Customer, self.0.id)
    }

    async fn email(&self) -> &str {
        &self.0.email
    }

    async fn first_name(&self) -> Option<&str> {
        self.0.first_name.as_deref()
    }

    async fn last_name(&self) -> Option<&str> {
        self.0.last_name.as_deref()
    }

    async fn display_name(&self) -> String {
        match (&self.0.first_name, &self.0.last_name) {
            (Some(f), Some(l)) => format!("{f} {l}"),
            (Some(n), None) | (None, Some(n)) => n.clone(),
            (None, None) => self.0.email.clone(),
        }
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// The company this customer buys for, with their role and default location.
    async fn company_membership(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<CompanyMembership>> {
        Ok(ctx.app().companies.membership(self.0.id).await.gql()?.map(CompanyMembership))
    }

    /// Their orders, newest first; a company admin sees the company's orders. Only to the
    /// customer themself and to `orders:read`.
    async fn orders(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<
        async_graphql::connection::Connection<String, crate::orders::types::Order>,
    > {
        let filter = crate::orders::query::customer_orders_filter(ctx, self.0.id).await?;
        crate::orders::query::orders_connection(ctx, filter, first, after).await
    }

    /// Their open cart on this channel, to pick up on another device.
    async fn cart(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<crate::cart::types::Cart>> {
        let req = ctx.req();
        if !matches!(req.actor, vitrine_domain::access::Actor::Customer { id } if id == self.0.id) {
            return Ok(None);
        }
        let cart = ctx.app().carts.of_customer(self.0.id, &req.channel).await.gql()?;
        Ok(cart.map(crate::cart::types::Cart::new))
    }

    /// The company this customer buys for, approved or not.
    async fn company(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Company>> {
        Ok(ctx.app().companies.membership(self.0.id).await.gql()?.map(|m| Company(m.company)))
    }
}

/// An integrator's credential. The secret itself is only shown once, by `apiTokenCreate`.
#[derive(Clone)]
pub struct ApiToken(pub ApiTokenRecord);

#[Object]
impl ApiToken {
    async fn id(&self) -> ID {
        gid(NodeKind::ApiToken, self.0.id)
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn scopes(&self) -> &[String] {
        &self.0.scopes
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn revoked(&self) -> bool {
        self.0.revoked
    }
}

/// A signed-in session: a short-lived access token and the refresh token that renews it.
#[derive(SimpleObject, Clone)]
#[graphql(name = "AccessToken")]
pub struct AccessToken {
    pub access_token: String,
    pub expires_at: DateTime<Utc>,
    /// Exchange it once for a new pair; a second use revokes the session.
    pub refresh_token: String,
}

impl From<TokenPair> for AccessToken {
    fn from(t: TokenPair) -> Self {
        Self {
            access_token: t.access_token,
            expires_at: t.expires_at,
            refresh_token: t.refresh_token,
        }
    }
}
