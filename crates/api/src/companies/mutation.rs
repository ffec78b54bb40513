//! B2B companies: applying (signed-in customers), certification and terms (`companies:write`),
//! locations and members (staff, or the company's own admins), customer groups
//! (`customers:write`).

use async_graphql::{Context, InputObject, MaybeUndefined, Object, ID};
use vitrine_app::company::{CompanyInput, CompanyLocationInput, MemberAdded};
use vitrine_app::AppError;
use vitrine_domain::access::{Actor, Permission};
use vitrine_domain::id::NodeKind;

use crate::common::address::MailingAddressInput;
use crate::common::money::MoneyInput;
use crate::companies::types::CustomerGroup;
use crate::companies::types::{
    Company, CompanyInvitation, CompanyLocation, CompanyMember, CompanyMembership, CompanyRole,
    PaymentTerms,
};
use crate::context::ContextExt;
use crate::error::{forbidden, into_payload, unauthenticated};
use crate::mutate::{input_id, input_ids, maybe, payload};
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

payload!(CompanyPayload { company: Option<Company> });
payload!(CompanyLocationPayload { company_location: Option<CompanyLocation> });
payload!(
    /// The invitation and its one-time `invitationToken`, shown only here: pass it on to the
    /// invitee, who accepts it with `companyInvitationAccept` while signed in with that email.
    CompanyMemberAddPayload {
        invitation: Option<CompanyInvitation>,
        invitation_token: Option<String>,
    }
);
payload!(CompanyInvitationAcceptPayload { company_membership: Option<CompanyMembership> });
payload!(CompanyMemberPayload { member: Option<CompanyMember> });
payload!(CompanyMemberRemovePayload { removed_customer_id: Option<ID> });
payload!(CustomerGroupPayload { customer_group: Option<CustomerGroup> });

fn company_payload(
    result: Result<vitrine_domain::company::Company, AppError>,
) -> async_graphql::Result<CompanyPayload> {
    let (company, user_errors) = into_payload(result)?;
    Ok(CompanyPayload { company: company.map(Company), user_errors })
}

async fn member_with_customer(
    ctx: &Context<'_>,
    member: vitrine_domain::company::CompanyMember,
) -> async_graphql::Result<Option<CompanyMember>> {
    let customers = ctx
        .app()
        .store
        .customers_by_ids(&[member.customer_id])
        .await
        .map_err(|e| crate::error::internal(&e))?;
    Ok(customers.into_iter().next().map(|customer| CompanyMember { member, customer }))
}

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
        let result = ctx
            .app()
            .companies
            .apply(customer_id, &input.name, input.tax_id, location_input(input.location))
            .await;
        company_payload(result)
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
        company_payload(ctx.app().companies.create(&label, input).await)
    }

    /// Needs `companies:write`.
    async fn company_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: CompanyUpdateInput,
    ) -> async_graphql::Result<CompanyPayload> {
        ctx.require(Permission::CompaniesWrite)?;
        let result = async {
            let id = input_id(&id, NodeKind::Company, "id")?;
            let input = CompanyInput {
                name: input.name,
                tax_id: maybe(input.tax_id),
                payment_terms: input.payment_terms.map(Into::into),
                credit_limit: maybe(input.credit_limit).map(|m| m.map(MoneyInput::parts)),
                location: None,
            };
            ctx.app().companies.update(id, input).await
        }
        .await;
        company_payload(result)
    }

    /// Certifies a company: its members buy at its prices and on its terms. Needs
    /// `companies:write`.
    async fn company_approve(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<CompanyPayload> {
        ctx.require(Permission::CompaniesWrite)?;
        let result = async {
            let id = input_id(&id, NodeKind::Company, "id")?;
            ctx.app().companies.approve(id).await
        }
        .await;
        company_payload(result)
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
        let result = async {
            let id = input_id(&id, NodeKind::Company, "id")?;
            ctx.app().companies.reject(id, &reason).await
        }
        .await;
        company_payload(result)
    }

    /// Staff (`companies:write`) or the company's admins.
    async fn company_location_create(
        &self,
        ctx: &Context<'_>,
        company_id: ID,
        input: CompanyLocationInputGql,
    ) -> async_graphql::Result<CompanyLocationPayload> {
        signed_in(ctx)?;
        let result = async {
            let company_id = input_id(&company_id, NodeKind::Company, "companyId")?;
            ctx.app()
                .companies
                .location_create(&ctx.req().actor, company_id, location_input(input))
                .await
        }
        .await;
        let (location, user_errors) = into_payload(result)?;
        Ok(CompanyLocationPayload { company_location: location.map(CompanyLocation), user_errors })
    }

    /// Staff (`companies:write`) or the company's admins.
    async fn company_location_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: CompanyLocationInputGql,
    ) -> async_graphql::Result<CompanyLocationPayload> {
        signed_in(ctx)?;
        let result = async {
            let id = input_id(&id, NodeKind::CompanyLocation, "id")?;
            ctx.app().companies.location_update(&ctx.req().actor, id, location_input(input)).await
        }
        .await;
        let (location, user_errors) = into_payload(result)?;
        Ok(CompanyLocationPayload { company_location: location.map(CompanyLocation), user_errors })
    }

    /// Invites an email to the company. Staff (`companies:write`) or the company's admins.
    async fn company_member_add(
        &self,
        ctx: &Context<'_>,
        company_id: ID,
        input: CompanyMemberAddInput,
    ) -> async_graphql::Result<CompanyMemberAddPayload> {
        signed_in(ctx)?;
        let result = async {
            let company_id = input_id(&company_id, NodeKind::Company, "companyId")?;
            let location = input
                .default_location_id
                .as_ref()
                .map(|id| input_id(id, NodeKind::CompanyLocation, "defaultLocationId"))
                .transpose()?;
            ctx.app()
                .companies
                .member_add(&ctx.req().actor, company_id, &input.email, input.role.into(), location)
                .await
        }
        .await;
        let (added, user_errors) = into_payload(result)?;
        Ok(match added {
            Some(MemberAdded { invitation, token }) => CompanyMemberAddPayload {
                invitation: Some(CompanyInvitation(invitation)),
                invitation_token: Some(token),
                user_errors,
            },
            None => CompanyMemberAddPayload { user_errors, ..Default::default() },
        })
    }

    /// The signed-in customer joins the company that invited their email, with the token its
    /// admin passed on. Invitations lapse after 14 days.
    async fn company_invitation_accept(
        &self,
        ctx: &Context<'_>,
        token: String,
    ) -> async_graphql::Result<CompanyInvitationAcceptPayload> {
        signed_in(ctx)?;
        let result = ctx.app().companies.invitation_accept(&ctx.req().actor, &token).await;
        let (membership, user_errors) = into_payload(result)?;
        Ok(CompanyInvitationAcceptPayload {
            company_membership: membership.map(CompanyMembership),
            user_errors,
        })
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
        let result = async {
            let company_id = input_id(&company_id, NodeKind::Company, "companyId")?;
            let customer_id = input_id(&customer_id, NodeKind::Customer, "customerId")?;
            let location = match maybe(input.default_location_id) {
                Some(Some(id)) => {
                    Some(Some(input_id(&id, NodeKind::CompanyLocation, "defaultLocationId")?))
                }
                Some(None) => Some(None),
                None => None,
            };
            ctx.app()
                .companies
                .member_update(
                    &ctx.req().actor,
                    company_id,
                    customer_id,
                    input.role.map(Into::into),
                    location,
                )
                .await
        }
        .await;
        let (member, user_errors) = into_payload(result)?;
        let member = match member {
            Some(m) => member_with_customer(ctx, m).await?,
            None => None,
        };
        Ok(CompanyMemberPayload { member, user_errors })
    }

    /// Removes a member; a company keeps at least one admin. Staff or the company's admins.
    async fn company_member_remove(
        &self,
        ctx: &Context<'_>,
        company_id: ID,
        customer_id: ID,
    ) -> async_graphql::Result<CompanyMemberRemovePayload> {
        signed_in(ctx)?;
        let result = async {
            let company = input_id(&company_id, NodeKind::Company, "companyId")?;
            let customer = input_id(&customer_id, NodeKind::Customer, "customerId")?;
            ctx.app().companies.member_remove(&ctx.req().actor, company, customer).await
        }
        .await;
        let (removed, user_errors) = into_payload(result)?;
        Ok(CompanyMemberRemovePayload {
            removed_customer_id: removed.map(|()| customer_id),
            user_errors,
        })
    }

    /// Needs `customers:write`.
    async fn customer_group_create(
        &self,
        ctx: &Context<'_>,
        input: CustomerGroupCreateInput,
    ) -> async_graphql::Result<CustomerGroupPayload> {
        ctx.require(Permission::CustomersWrite)?;
        let result = async {
            let ids = input_ids(&input.customer_ids, NodeKind::Customer, "customerIds")?;
            ctx.app().companies.customer_group_save(None, Some(input.name), ids, vec![]).await
        }
        .await;
        let (group, user_errors) = into_payload(result)?;
        Ok(CustomerGroupPayload { customer_group: group.map(CustomerGroup), user_errors })
    }

    /// Needs `customers:write`.
    async fn customer_group_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: CustomerGroupUpdateInput,
    ) -> async_graphql::Result<CustomerGroupPayload> {
        ctx.require(Permission::CustomersWrite)?;
        let result = async {
            let id = input_id(&id, NodeKind::CustomerGroup, "id")?;
            let add = input_ids(&input.add_customer_ids, NodeKind::Customer, "addCustomerIds")?;
            let remove =
                input_ids(&input.remove_customer_ids, NodeKind::Customer, "removeCustomerIds")?;
            ctx.app().companies.customer_group_save(Some(id), input.name, add, remove).await
        }
        .await;
        let (group, user_errors) = into_payload(result)?;
        Ok(CustomerGroupPayload { customer_group: group.map(CustomerGroup), user_errors })
    }
}
