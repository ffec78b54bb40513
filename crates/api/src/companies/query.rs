//! Company reads: buyer companies (staff and their own members) and customer groups.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Object, ID};
use uuid::Uuid;
use vitrine_domain::access::Permission;
use vitrine_domain::id::{GlobalId, NodeKind};

use crate::companies::types::CustomerGroup;
use crate::companies::types::{Company, CompanyStatus};
use crate::context::ContextExt;
use crate::error::{bad_input, forbidden, unauthenticated, ResultExt};

fn parse_id(id: &ID, kind: NodeKind) -> async_graphql::Result<Uuid> {
    GlobalId::parse_kind(id, kind).map_err(|e| bad_input(e.to_string()))
}

#[derive(Default)]
pub struct CompanyQuery;

#[Object]
impl CompanyQuery {
    /// Buyer companies, oldest first. Needs `companies:read`.
    async fn companies(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        status: Option<CompanyStatus>,
    ) -> async_graphql::Result<Connection<String, Company>> {
        ctx.require(Permission::CompaniesRead)?;
        let limits = ctx.data_unchecked::<crate::connection::Limits>();
        let limit = first.unwrap_or(50).clamp(1, limits.max_page_size as i32) as u64;
        let after_id = match after {
            Some(cursor) => Some(parse_id(&ID(cursor), NodeKind::Company)?),
            None => None,
        };
        let mut rows = ctx
            .app()
            .companies
            .companies_page(status.map(Into::into), after_id, limit)
            .await
            .gql()?;
        let more = rows.len() as u64 > limit;
        rows.truncate(limit as usize);
        let mut connection = Connection::new(after_id.is_some(), more);
        connection
            .edges
            .extend(rows.into_iter().map(|c| {
                Edge::new(GlobalId::new(NodeKind::Company, c.id).to_string(), Company(c))
            }));
        Ok(connection)
    }

    /// A company, for staff with `companies:read` and for its own members.
    async fn company(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Company>> {
        let actor = &ctx.req().actor;
        if actor.is_anonymous() {
            return Err(unauthenticated());
        }
        let id = parse_id(&id, NodeKind::Company)?;
        let app = ctx.app();
        if !app.companies.may_see(actor, id).await.gql()? {
            // The same answer whether or not the company exists.
            return Err(forbidden());
        }
        Ok(app.companies.company(id).await.gql()?.map(Company))
    }

    /// Needs `customers:read`.
    async fn customer_groups(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<CustomerGroup>> {
        ctx.require(Permission::CustomersRead)?;
        Ok(ctx
            .app()
            .companies
            .customer_groups()
            .await
            .gql()?
            .into_iter()
            .map(CustomerGroup)
            .collect())
    }
}
