//! B2B companies: applying (signed-in customers), certification and terms (`companies:write`),
//! locations and members (staff, or the company's own admins), customer groups
//! (`customers:write`).

use async_graphql::{Context, InputObject, MaybeUndefined, Object, ID};
use vitrine_app::company::{CompanyInput, CompanyLocationInput, MemberAdded};
use vitrine_app::CustomerGroupRecord;
use vitrine_domain::access::{Actor, Permission};
use vitrine_domain::company::{
    Company as DomainCompany, CompanyLocation as DomainLocation, Membership,
};
use vitrine_domain::id::NodeKind;

use crate::common::address::MailingAddressInput;
use crate::common::money::MoneyInput;
use crate::companies::types::CustomerGroup;
use crate::companies::types::{
    Company, CompanyInvitation, CompanyLocation, CompanyMember, CompanyMembership, CompanyRole,
    PaymentTerms,
};
use crate::context::ContextExt;
use crate::error::{forbidden, unauthenticated};
use crate::mutate::{maybe, mutate, payload, read_input};
#[derive(InputObject, Clone)]
#[graphql(name = "CompanyLocationInput")]
pub struct CompanyLocationInputGql {
    pub name: Option<String>,
    pub tax_id: MaybeUndefined<String>,
    pub shipping_address: Option<MailingAddressInput>,
    /// Null: bill to the shipping address.
    pub billing_address: MaybeUndefined<MailingAddressInput>,
}

fn location_input(input: CompanyLocationInputGql) -> CompanyLocationInput {
    CompanyLocationInput {
        name: input.name,
        tax_id: maybe(input.tax_id),
        shipping_address: input.shipping_address.map(Into::into),
        billing_address: maybe(input.billing_address).map(|a| a.map(Into::into)),
    }
}

/// Company admin operations check the caller's role in the company; anonymous callers are
/// turned away before their input is even read.
fn signed_in(ctx: &Context<'_>) -> async_graphql::Result<()> {
    if ctx.req().actor.is_anonymous() {
        Err(unauthenticated())
    } else {
        Ok(())
    }
}

#[derive(InputObject, Clone)]
pub struct CompanyApplyInput {
    pub name: String,
    pub tax_id: Option<String>,
    /// The first location: where the boutique receives goods.
    #[graphql(name = "location")]
    pub location: CompanyLocationInputGql,
}

#[derive(InputObject, Clone)]
pub struct CompanyCreateInput {
    pub name: String,
    pub tax_id: Option<String>,
    pub payment_terms: Option<PaymentTerms>,
    pub credit_limit: Option<MoneyInput>,
    pub location: Option<CompanyLocationInputGql>,
}

#[derive(InputObject, Clone)]
pub struct CompanyUpdateInput {
    pub name: Option<String>,
    pub tax_id: MaybeUndefined<String>,
    pub payment_terms: Option<PaymentTerms>,
    /// Null removes the limit.
    pub credit_limit: MaybeUndefined<MoneyInput>,
}

#[derive(InputObject, Clone)]
pub struct CompanyMemberAddInput {
    pub email: String,
    pub role: CompanyRole,
    pub default_location_id: Option<ID>,
}

#[derive(InputObject, Clone)]
pub struct CompanyMemberUpdateInput {
    pub role: Option<CompanyRole>,
    pub default_location_id: MaybeUndefined<ID>,
}

#[derive(InputObject, Clone)]
pub struct CustomerGroupCreateInput {
    pub name: String,
    #[graphql(default)]
    pub customer_ids: Vec<ID>,
}

#[derive(InputObject, Clone)]
pub struct CustomerGroupUpdateInput {
    pub name: Option<String>,
    #[graphql(default)]
    pub add_customer_ids: Vec<ID>,
    #[graphql(default)]
    pub remove_customer_ids: Vec<ID>,
}

payload!(CompanyPayload { company: Option<Company> }
    from |company: DomainCompany| { company: Some(Company(company)) });
payload!(CompanyLocationPayload { company_location: Option<CompanyLocation> }
    from |location: DomainLocation| { company_location: Some(CompanyLocation(location)) });
payload!(
    /// The invitation and its one-time `invitationToken`, shown only here: pass it on to the
    /// invitee, who accepts it with `companyInvitationAccept` while signed in with that email.
    CompanyMemberAddPayload {
        invitation: Option<CompanyInvitation>,
        invitation_token: Option<String>,
    }
    from |added: MemberAdded| {
        invitation: Some(CompanyInvitation(added.invitation)),
        invitation_token: Some(added.token),
    }
);
payload!(CompanyInvitationAcceptPayload { company_membership: Option<CompanyMembership> }
    from |membership: Membership| { company_membership: Some(CompanyMembership(membership)) });
payload!(CompanyMemberPayload { member: Option<CompanyMember> }
    from |member: Option<CompanyMember>| { member: member });
payload!(CompanyMemberRemovePayload { removed_customer_id: Option<ID> }
    from |id: ID| { removed_customer_id: Some(id) });
payload!(CustomerGroupPayload { customer_group: Option<CustomerGroup> }
    from |group: CustomerGroupRecord| { customer_group: Some(CustomerGroup(group)) });

#[derive(Default)]
pub struct CompanyMutation;

#[Object]
impl CompanyMutation {
    /// A signed-in customer applies for their business; staff then approve or reject it.
    /// The customer becomes the company's admin.
    async fn company_apply(
        &self,
        ctx: &Context<'_>,
        input: CompanyApplyInput,
    ) -> async_graphql::Result<CompanyPayload> {
        let customer_id = match ctx.req().actor {
            Actor::Customer { id } => id,
            Actor::Anonymous => return Err(unauthenticated()),
            _ => return Err(forbidden()),
        };
        mutate(ctx, Ok(input), async |_, input| {
            let location = location_input(input.location);
            ctx.app().companies.apply(customer_id, &input.name, input.tax_id, location).await
        })
        .await
    }

    /// Staff create a company; it is approved at once. Needs `companies:write`.
    async fn company_create(
        &self,
        ctx: &Context<'_>,
        input: CompanyCreateInput,
    ) -> async_graphql::Result<CompanyPayload> {
        let actor = ctx.require(Permission::CompaniesWrite)?;
        let input = CompanyInput {
            name: Some(input.name),
            tax_id: Some(input.tax_id),
            payment_terms: input.payment_terms.map(Into::into),
            credit_limit: input.credit_limit.map(|m| Some(m.parts())),
            location: input.location.map(location_input),
        };
        let label = vitrine_app::inventory::actor_label(actor);
        mutate(ctx, Ok(input), async |_, input| ctx.app().companies.create(&label, input).await)
            .await
    }

    /// Needs `companies:write`.
    async fn company_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: CompanyUpdateInput,
    ) -> async_graphql::Result<CompanyPayload> {
        ctx.require(Permission::CompaniesWrite)?;
        let id = read_input(|r| r.id(&id, NodeKind::Company, "id"));
        let input = CompanyInput {
            name: input.name,
            tax_id: maybe(input.tax_id),
            payment_terms: input.payment_terms.map(Into::into),
            credit_limit: maybe(input.credit_limit).map(|m| m.map(MoneyInput::parts)),
            location: None,
        };
        mutate(ctx, id, async |_, id| ctx.app().companies.update(id, input).await).await
    }

    /// Certifies a company: its members buy at its prices and on its terms. Needs
    /// `companies:write`.
    async fn company_approve(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<CompanyPayload> {
        ctx.require(Permission::CompaniesWrite)?;
        let id = read_input(|r| r.id(&id, NodeKind::Company, "id"));
        mutate(ctx, id, async |_, id| ctx.app().companies.approve(id).await).await
    }

    /// Rejects an application (or withdraws a certification) with a reason the company's
    /// admins see. Needs `companies:write`.
    async fn company_reject(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
    ) -> async_graphql::Result<CompanyPayload> {
        ctx.require(Permission::CompaniesWrite)?;
        let id = read_input(|r| r.id(&id, NodeKind::Company, "id"));
        mutate(ctx, id, async |_, id| ctx.app().companies.reject(id, &reason).await).await
    }

    /// Staff (`companies:write`) or the company's admins.
    async fn company_location_create(
        &self,
        ctx: &Context<'_>,
        company_id: ID,
        input: CompanyLocationInputGql,
    ) -> async_graphql::Result<CompanyLocationPayload> {
        signed_in(ctx)?;
        let company_id = read_input(|r| r.id(&company_id, NodeKind::Company, "companyId"));
        mutate(ctx, company_id, async |caller, company_id| {
            let location = location_input(input);
            ctx.app().companies.location_create(caller.actor, company_id, location).await
        })
        .await
    }

    /// Staff (`companies:write`) or the company's admins.
    async fn company_location_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: CompanyLocationInputGql,
    ) -> async_graphql::Result<CompanyLocationPayload> {
        signed_in(ctx)?;
        let id = read_input(|r| r.id(&id, NodeKind::CompanyLocation, "id"));
        mutate(ctx, id, async |caller, id| {
            ctx.app().companies.location_update(caller.actor, id, location_input(input)).await
        })
        .await
    }

    /// Invites an email to the company. Staff (`companies:write`) or the company's admins.
    async fn company_member_add(
        &self,
        ctx: &Context<'_>,
        company_id: ID,
        input: CompanyMemberAddInput,
    ) -> async_graphql::Result<CompanyMemberAddPayload> {
        signed_in(ctx)?;
        let ids = read_input(|r| {
            let company_id = r.id(&company_id, NodeKind::Company, "companyId");
            let location = r.optional_id(
                input.default_location_id.as_ref(),
                NodeKind::CompanyLocation,
                "defaultLocationId",
            );
            (company_id, location)
        });
        mutate(ctx, ids, async |caller, (company_id, location)| {
            let role = input.role.into();
            let companies = &ctx.app().companies;
            companies.member_add(caller.actor, company_id, &input.email, role, location).await
        })
        .await
    }

    /// The signed-in customer joins the company that invited their email, with the token its
    /// admin passed on. Invitations lapse after 14 days.
    async fn company_invitation_accept(
        &self,
        ctx: &Context<'_>,
        token: String,
    ) -> async_graphql::Result<CompanyInvitationAcceptPayload> {
        signed_in(ctx)?;
        mutate(ctx, Ok(token), async |caller, token| {
            ctx.app().companies.invitation_accept(caller.actor, &token).await
        })
        .await
    }

    /// Changes a member's role or default location. Staff or the company's admins.
    async fn company_member_update(
        &self,
        ctx: &Context<'_>,
        company_id: ID,
        customer_id: ID,
        input: CompanyMemberUpdateInput,
    ) -> async_graphql::Result<CompanyMemberPayload> {
        signed_in(ctx)?;
        let ids = read_input(|r| {
            let company_id = r.id(&company_id, NodeKind::Company, "companyId");
            let customer_id = r.id(&customer_id, NodeKind::Customer, "customerId");
            let location = maybe(input.default_location_id)
                .map(|id| id.map(|id| r.id(&id, NodeKind::CompanyLocation, "defaultLocationId")));
            (company_id, customer_id, location)
        });
        mutate(ctx, ids, async |caller, (company_id, customer_id, location)| {
            let app = ctx.app();
            let role = input.role.map(Into::into);
            let member = app
                .companies
                .member_update(caller.actor, company_id, customer_id, role, location)
                .await?;
            let customers = app.reads.customers_by_ids(&[member.customer_id]).await?;
            Ok(customers.into_iter().next().map(|customer| CompanyMember { member, customer }))
        })
        .await
    }

    /// Removes a member; a company keeps at least one admin. Staff or the company's admins.
    async fn company_member_remove(
        &self,
        ctx: &Context<'_>,
        company_id: ID,
        customer_id: ID,
    ) -> async_graphql::Result<CompanyMemberRemovePayload> {
        signed_in(ctx)?;
        let ids = read_input(|r| {
            let company = r.id(&company_id, NodeKind::Company, "companyId");
            (company, r.id(&customer_id, NodeKind::Customer, "customerId"))
        });
        mutate(ctx, ids, async |caller, (company, customer)| {
            let companies = &ctx.app().companies;
            companies.member_remove(caller.actor, company, customer).await.map(|()| customer_id)
        })
        .await
    }

    /// Needs `customers:write`.
    async fn customer_group_create(
        &self,
        ctx: &Context<'_>,
        input: CustomerGroupCreateInput,
    ) -> async_graphql::Result<CustomerGroupPayload> {
        ctx.require(Permission::CustomersWrite)?;
        let ids = read_input(|r| r.ids(&input.customer_ids, NodeKind::Customer, "customerIds"));
        mutate(ctx, ids, async |_, ids| {
            ctx.app().companies.customer_group_save(None, Some(input.name), ids, vec![]).await
        })
        .await
    }

    /// Needs `customers:write`.
    async fn customer_group_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: CustomerGroupUpdateInput,
    ) -> async_graphql::Result<CustomerGroupPayload> {
        ctx.require(Permission::CustomersWrite)?;
        let ids = read_input(|r| {
            let id = r.id(&id, NodeKind::CustomerGroup, "id");
            let add = r.ids(&input.add_customer_ids, NodeKind::Customer, "addCustomerIds");
            let remove = r.ids(&input.remove_customer_ids, NodeKind::Customer, "removeCustomerIds");
            (id, add, remove)
        });
        mutate(ctx, ids, async |_, (id, add, remove)| {
            ctx.app().companies.customer_group_save(Some(id), input.name, add, remove).await
        })
        .await
    }
}
