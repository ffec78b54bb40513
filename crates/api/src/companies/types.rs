//! B2B companies as staff and the companies' own members see them.
//!
//! A `Company` object is only handed out after the caller was found allowed to see it (staff
//! with `companies:read`, or one of its members); its members and invitations further need
//! `companies:read` or the company's admin role.

use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, Object, ID};
use chrono::{DateTime, Utc};
use vitrine_domain::company::{
    self as b2b, CompanyInvitation as DomainInvitation, CompanyMember as DomainMember,
};
use vitrine_domain::id::NodeKind;

use crate::common::address::MailingAddress;
use crate::common::gid;
use crate::common::gids;
use crate::common::money::MoneyV2;
use crate::connection::{slice_connection, OffsetCursor};
use crate::context::ContextExt;
use crate::error::{forbidden, internal, ResultExt};
use crate::identity::types::Customer;
use vitrine_app::CustomerGroupRecord;

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "vitrine_domain::company::CompanyStatus")]
pub enum CompanyStatus {
    /// Applied; waiting for staff review.
    Pending,
    /// Certified: members buy at the company's prices and on its terms.
    Approved,
    Rejected,
}

/// When the company pays its orders.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "vitrine_domain::company::PaymentTerms")]
pub enum PaymentTerms {
    /// Paid at checkout.
    Prepaid,
    /// Invoiced, due 30 days later.
    #[graphql(name = "NET_30")]
    Net30,
    /// Invoiced, due 60 days later.
    #[graphql(name = "NET_60")]
    Net60,
}

/// A member's role in their company.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "vitrine_domain::company::CompanyRole")]
pub enum CompanyRole {
    /// Manages the company's members and locations, and orders.
    Admin,
    /// Orders for the company.
    Buyer,
    /// Sees the company's prices and orders, does not order.
    Viewer,
}

/// A buyer company (a boutique, a retailer).
#[derive(Clone)]
pub struct Company(pub b2b::Company);

#[Object]
impl Company {
    async fn id(&self) -> ID {
        gid(NodeKind::Company, self.0.id)
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn tax_id(&self) -> Option<&str> {
        self.0.tax_id.as_deref()
    }

    async fn status(&self) -> CompanyStatus {
        self.0.status.into()
    }

    /// Why staff rejected the application, when they did.
    async fn rejection_reason(&self) -> Option<&str> {
        self.0.rejection_reason.as_deref()
    }

    async fn payment_terms(&self) -> PaymentTerms {
        self.0.payment_terms.into()
    }

    /// The most the company may owe on open invoices.
    async fn credit_limit(&self) -> Option<MoneyV2> {
        self.0.credit_limit.map(Into::into)
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn reviewed_at(&self) -> Option<DateTime<Utc>> {
        self.0.reviewed_at
    }

    async fn locations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<OffsetCursor, CompanyLocation>> {
        let all = locations_of(ctx, self.0.id).await?;
        slice_connection(
            ctx,
            all.into_iter().map(CompanyLocation).collect(),
            after,
            None,
            first,
            None,
        )
    }

    /// Needs `companies:read` or the company's admin role.
    async fn members(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<OffsetCursor, CompanyMember>> {
        let app = ctx.app();
        if !app.companies.may_see_members(&ctx.req().actor, self.0.id).await.gql()? {
            return Err(forbidden());
        }
        let members = app.companies.members(self.0.id).await.gql()?;
        let ids: Vec<uuid::Uuid> = members.iter().map(|m| m.customer_id).collect();
        let customers = app.reads.customers_by_ids(&ids).await.gql()?;
        let rows = members
            .into_iter()
            .filter_map(|m| {
                let customer = customers.iter().find(|c| c.id == m.customer_id)?.clone();
                Some(CompanyMember { member: m, customer })
            })
            .collect();
        slice_connection(ctx, rows, after, None, first, None)
    }

    /// People invited who have no account yet. Needs `companies:read` or the admin role.
    async fn invitations(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<CompanyInvitation>> {
        let app = ctx.app();
        if !app.companies.may_see_members(&ctx.req().actor, self.0.id).await.gql()? {
            return Err(forbidden());
        }
        let all = app.companies.invitations(self.0.id).await.gql()?;
        Ok(all.into_iter().map(CompanyInvitation).collect())
    }
}

/// A place a company receives goods and invoices.
#[derive(Clone)]
pub struct CompanyLocation(pub b2b::CompanyLocation);

#[Object]
impl CompanyLocation {
    async fn id(&self) -> ID {
        gid(NodeKind::CompanyLocation, self.0.id)
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn tax_id(&self) -> Option<&str> {
        self.0.tax_id.as_deref()
    }

    async fn shipping_address(&self) -> MailingAddress {
        self.0.shipping_address.clone().into()
    }

    /// The billing address; the shipping address when none was given.
    async fn billing_address(&self) -> MailingAddress {
        self.0.billing_or_shipping().clone().into()
    }

    /// Whether invoices go to the shipping address.
    async fn bills_to_shipping_address(&self) -> bool {
        self.0.billing_address.is_none()
    }
}

/// A customer buying for a company.
#[derive(Clone)]
pub struct CompanyMember {
    pub member: DomainMember,
    pub customer: vitrine_app::identity_records::CustomerRecord,
}

#[Object]
impl CompanyMember {
    async fn customer(&self) -> Customer {
        Customer(self.customer.clone())
    }

    async fn role(&self) -> CompanyRole {
        self.member.role.into()
    }

    /// Pre-fills checkout's shipping and billing addresses.
    async fn default_location(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<CompanyLocation>> {
        default_location(ctx, &self.member).await
    }

    async fn joined_at(&self) -> DateTime<Utc> {
        self.member.created_at
    }
}

pub(crate) async fn default_location(
    ctx: &Context<'_>,
    member: &DomainMember,
) -> async_graphql::Result<Option<CompanyLocation>> {
    let Some(id) = member.default_location_id else { return Ok(None) };
    let all = locations_of(ctx, member.company_id).await?;
    Ok(all.into_iter().find(|l| l.id == id).map(CompanyLocation))
}

/// A company's locations, once per request however many members ask.
async fn locations_of(
    ctx: &Context<'_>,
    company_id: uuid::Uuid,
) -> async_graphql::Result<Vec<b2b::CompanyLocation>> {
    let loaded = ctx.req().loaders.locations_of_company.load_one(company_id).await;
    Ok(loaded.map_err(|e| internal(&e))?.unwrap_or_default())
}

/// An email invited to a company; the account created with it joins.
#[derive(Clone)]
pub struct CompanyInvitation(pub DomainInvitation);

#[Object]
impl CompanyInvitation {
    async fn email(&self) -> &str {
        &self.0.email
    }

    async fn role(&self) -> CompanyRole {
        self.0.role.into()
    }

    async fn invited_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// The signed-in customer's place in their company.
#[derive(Clone)]
pub struct CompanyMembership(pub b2b::Membership);

#[Object]
impl CompanyMembership {
    async fn company(&self) -> Company {
        Company(self.0.company.clone())
    }

    async fn role(&self) -> CompanyRole {
        self.0.member.role.into()
    }

    async fn default_location(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<CompanyLocation>> {
        default_location(ctx, &self.0.member).await
    }
}

/// Customers grouped for pricing (VIPs, staff, a loyalty tier).
#[derive(Clone)]
pub struct CustomerGroup(pub CustomerGroupRecord);

#[Object]
impl CustomerGroup {
    async fn id(&self) -> ID {
        gid(NodeKind::CustomerGroup, self.0.id)
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn customer_ids(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ID>> {
        let members = ctx
            .app()
            .companies
            .customer_group_member_ids(self.0.id)
            .await
            .map_err(crate::error::to_gql)?;
        Ok(gids(NodeKind::Customer, &members))
    }
}
