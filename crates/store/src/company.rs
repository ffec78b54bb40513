//! Buyer companies, their locations, members and invitations; customer groups.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};
use uuid::Uuid;
use vitrine_domain::company::{
    Company, CompanyInvitation, CompanyLocation, CompanyMember, CompanyRole, CompanyStatus,
    Membership,
};
use vitrine_domain::money::Money;

use crate::entity::{
    companies, company_invitations, company_locations, company_members, customer_group_members,
    customer_groups,
};
use crate::mapping::{currency, from_json, to_json};
use crate::{Store, StoreError, INSERT_CHUNK};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomerGroupRecord {
    pub id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

/// What accepting an invitation found.
#[derive(Clone, Debug, PartialEq)]
pub enum InvitationAcceptance {
    Joined(CompanyMember),
    Unknown,
    Expired,
    /// The token was issued for another email than the caller's.
    OtherEmail,
    AlreadyInACompany,
}

/// What removing a member found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberRemoval {
    Removed,
    NotAMember,
    /// The company would be left without an admin.
    LastAdmin,
}

fn parse<T: std::str::FromStr>(text: &str) -> Result<T, StoreError> {
    text.parse().map_err(|_| StoreError::Corrupt(format!("unknown value `{text}`")))
}

fn company(row: companies::Model) -> Result<Company, StoreError> {
    let credit_limit = match (row.credit_limit_minor, row.credit_limit_currency) {
        (Some(minor), Some(code)) => Some(Money::new(minor, currency(&code)?)),
        _ => None,
    };
    Ok(Company {
        id: row.id,
        name: row.name,
        tax_id: row.tax_id,
        status: parse(&row.status)?,
        rejection_reason: row.rejection_reason,
        payment_terms: parse(&row.payment_terms)?,
        credit_limit,
        created_at: row.created_at,
        updated_at: row.updated_at,
        reviewed_at: row.reviewed_at,
    })
}

fn company_row(c: &Company, created_by: &str) -> companies::Model {
    companies::Model {
        id: c.id,
        name: c.name.clone(),
        tax_id: c.tax_id.clone(),
        status: c.status.as_str().to_owned(),
        rejection_reason: c.rejection_reason.clone(),
        payment_terms: c.payment_terms.as_str().to_owned(),
        credit_limit_minor: c.credit_limit.map(|m| m.minor),
        credit_limit_currency: c.credit_limit.map(|m| m.currency.to_string()),
        created_by: created_by.to_owned(),
        created_at: c.created_at,
        updated_at: c.updated_at,
        reviewed_at: c.reviewed_at,
    }
}

fn location(row: company_locations::Model) -> Result<CompanyLocation, StoreError> {
    Ok(CompanyLocation {
        id: row.id,
        company_id: row.company_id,
        name: row.name,
        tax_id: row.tax_id,
        shipping_address: from_json(&row.shipping_address)?,
        billing_address: row.billing_address.as_deref().map(from_json).transpose()?,
        created_at: row.created_at,
    })
}

fn location_row(l: &CompanyLocation) -> company_locations::Model {
    company_locations::Model {
        id: l.id,
        company_id: l.company_id,
        name: l.name.clone(),
        tax_id: l.tax_id.clone(),
        shipping_address: to_json(&l.shipping_address),
        billing_address: l.billing_address.as_ref().map(to_json),
        created_at: l.created_at,
    }
}

fn member(row: company_members::Model) -> Result<CompanyMember, StoreError> {
    Ok(CompanyMember {
        company_id: row.company_id,
        customer_id: row.customer_id,
        role: parse(&row.role)?,
        default_location_id: row.default_location_id,
        created_at: row.created_at,
    })
}

fn member_row(m: &CompanyMember) -> company_members::Model {
    company_members::Model {
        customer_id: m.customer_id,
        company_id: m.company_id,
        role: m.role.as_str().to_owned(),
        default_location_id: m.default_location_id,
        created_at: m.created_at,
    }
}

fn invitation(row: company_invitations::Model) -> Result<CompanyInvitation, StoreError> {
    Ok(CompanyInvitation {
        company_id: row.company_id,
        email: row.email,
        role: parse(&row.role)?,
        default_location_id: row.default_location_id,
        created_at: row.created_at,
    })
}

async fn insert_member<C: ConnectionTrait>(db: &C, m: &CompanyMember) -> Result<(), StoreError> {
    let taken = company_members::Entity::find_by_id(m.customer_id).one(db).await?.is_some();
    if taken {
        return Err(StoreError::Taken { field: "customer" });
    }
    company_members::Entity::insert(member_row(m).into_active_model())
        .exec_without_returning(db)
        .await
        .map_err(StoreError::from_write)?;
    Ok(())
}

impl Store {
    /// Creates a company with its first location and, when a customer applied, that customer
    /// as its admin; all or nothing.
    pub async fn insert_company(
        &self,
        company: &Company,
        created_by: &str,
        location: Option<&CompanyLocation>,
        admin: Option<&CompanyMember>,
    ) -> Result<(), StoreError> {
        // The first statement writes: a SQLite transaction that reads first fails instead of
        // waiting when another writer commits in between.
        let txn = self.db.begin().await?;
        companies::Entity::insert(company_row(company, created_by).into_active_model())
            .exec_without_returning(&txn)
            .await
            .map_err(StoreError::from_write)?;
        if let Some(location) = location {
            company_locations::Entity::insert(location_row(location).into_active_model())
                .exec_without_returning(&txn)
                .await?;
        }
        if let Some(admin) = admin {
            insert_member(&txn, admin).await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// Writes a company's own fields (name, tax id, terms, credit limit), not its review
    /// (status, rejection reason, review time: see [`Store::review_company`]), so that an edit
    /// made from a copy read before a review cannot undo it.
    pub async fn update_company(&self, company: &Company) -> Result<(), StoreError> {
        use companies::Column as C;
        let row = company_row(company, "");
        let result = companies::Entity::update_many()
            .col_expr(C::Name, row.name.into())
            .col_expr(C::TaxId, row.tax_id.into())
            .col_expr(C::PaymentTerms, row.payment_terms.into())
            .col_expr(C::CreditLimitMinor, row.credit_limit_minor.into())
            .col_expr(C::CreditLimitCurrency, row.credit_limit_currency.into())
            .col_expr(C::UpdatedAt, row.updated_at.into())
            .filter(C::Id.eq(company.id))
            .exec(&self.db)
            .await?;
        if result.rows_affected == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Writes a review decision (status, rejection reason, review time) if the company is
    /// still `from`; false when another decision got there first (or the company is gone).
    pub async fn review_company(
        &self,
        company: &Company,
        from: CompanyStatus,
    ) -> Result<bool, StoreError> {
        use companies::Column as C;
        let result = companies::Entity::update_many()
            .col_expr(C::Status, company.status.as_str().into())
            .col_expr(C::RejectionReason, company.rejection_reason.clone().into())
            .col_expr(C::ReviewedAt, company.reviewed_at.into())
            .col_expr(C::UpdatedAt, company.updated_at.into())
            .filter(C::Id.eq(company.id))
            .filter(C::Status.eq(from.as_str()))
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected > 0)
    }

    pub async fn company(&self, id: Uuid) -> Result<Option<Company>, StoreError> {
        companies::Entity::find_by_id(id).one(&self.db).await?.map(company).transpose()
    }

    pub async fn companies_by_ids(&self, ids: &[Uuid]) -> Result<Vec<Company>, StoreError> {
        let mut found = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(INSERT_CHUNK) {
            let rows = companies::Entity::find()
                .filter(companies::Column::Id.is_in(chunk.to_vec()))
                .all(&self.db)
                .await?;
            for row in rows {
                found.push(company(row)?);
            }
        }
        Ok(found)
    }

    /// Companies in id order (creation order: ids are v7), after `after`, optionally of one
    /// status; one more than `limit` when more follow.
    pub async fn companies_page(
        &self,
        status: Option<&str>,
        after: Option<Uuid>,
        limit: u64,
    ) -> Result<Vec<Company>, StoreError> {
        let mut query = companies::Entity::find().order_by_asc(companies::Column::Id);
        if let Some(status) = status {
            query = query.filter(companies::Column::Status.eq(status));
        }
        if let Some(after) = after {
            query = query.filter(companies::Column::Id.gt(after));
        }
        let rows = query.limit(limit + 1).all(&self.db).await?;
        rows.into_iter().map(company).collect()
    }

    pub async fn save_company_location(&self, l: &CompanyLocation) -> Result<(), StoreError> {
        company_locations::Entity::insert(location_row(l).into_active_model())
            .on_conflict(
                OnConflict::column(company_locations::Column::Id)
                    .update_columns([
                        company_locations::Column::Name,
                        company_locations::Column::TaxId,
                        company_locations::Column::ShippingAddress,
                        company_locations::Column::BillingAddress,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await?;
        Ok(())
    }

    pub async fn company_location(&self, id: Uuid) -> Result<Option<CompanyLocation>, StoreError> {
        company_locations::Entity::find_by_id(id).one(&self.db).await?.map(location).transpose()
    }

    /// Locations of these companies, in creation order.
    pub async fn company_locations(
        &self,
        company_ids: &[Uuid],
    ) -> Result<Vec<CompanyLocation>, StoreError> {
        let rows = company_locations::Entity::find()
            .filter(company_locations::Column::CompanyId.is_in(company_ids.to_vec()))
            .order_by_asc(company_locations::Column::Id)
            .all(&self.db)
            .await?;
        rows.into_iter().map(location).collect()
    }

    /// Members of these companies, in joining order.
    pub async fn company_members(
        &self,
        company_ids: &[Uuid],
    ) -> Result<Vec<CompanyMember>, StoreError> {
        let rows = company_members::Entity::find()
            .filter(company_members::Column::CompanyId.is_in(company_ids.to_vec()))
            .order_by_asc(company_members::Column::CreatedAt)
            .order_by_asc(company_members::Column::CustomerId)
            .all(&self.db)
            .await?;
        rows.into_iter().map(member).collect()
    }

    /// The customer's company and place in it, if they belong to one.
    pub async fn membership(&self, customer_id: Uuid) -> Result<Option<Membership>, StoreError> {
        let Some(row) = company_members::Entity::find_by_id(customer_id).one(&self.db).await?
        else {
            return Ok(None);
        };
        let found = companies::Entity::find_by_id(row.company_id).one(&self.db).await?;
        let Some(found) = found else { return Ok(None) };
        Ok(Some(Membership { member: member(row)?, company: company(found)? }))
    }

    /// Adds an existing customer to a company; `Taken` when they already belong to one.
    pub async fn add_company_member(&self, m: &CompanyMember) -> Result<(), StoreError> {
        insert_member(&self.db, m).await
    }

    /// Changes a member's role and default location; false (and nothing written) when that
    /// would leave the company without an admin, `NotFound` when they are not a member.
    /// Decided in one transaction, taking turns with [`Store::remove_company_member`], so that
    /// two admins demoting (or removing) each other cannot both succeed.
    pub async fn update_company_member(&self, m: &CompanyMember) -> Result<bool, StoreError> {
        let txn = self.db.begin().await?;
        // Writing first takes SQLite's write lock (and PostgreSQL's row lock) before reading.
        companies::Entity::update_many()
            .col_expr(companies::Column::UpdatedAt, Utc::now().into())
            .filter(companies::Column::Id.eq(m.company_id))
            .exec(&txn)
            .await?;
        let members = company_members::Entity::find()
            .filter(company_members::Column::CompanyId.eq(m.company_id))
            .all(&txn)
            .await?;
        let Some(current) = members.iter().find(|r| r.customer_id == m.customer_id) else {
            return Err(StoreError::NotFound);
        };
        let admin = CompanyRole::Admin.as_str();
        let admins = members.iter().filter(|r| r.role == admin).count();
        if current.role == admin && m.role != CompanyRole::Admin && admins == 1 {
            return Ok(false);
        }
        company_members::Entity::update_many()
            .col_expr(company_members::Column::Role, m.role.as_str().into())
            .col_expr(company_members::Column::DefaultLocationId, m.default_location_id.into())
            .filter(company_members::Column::CustomerId.eq(m.customer_id))
            .filter(company_members::Column::CompanyId.eq(m.company_id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(true)
    }

    /// Removes a member, refusing to remove a company's last admin; decided in one
    /// transaction so that two admins removing each other cannot both succeed.
    pub async fn remove_company_member(
        &self,
        company_id: Uuid,
        customer_id: Uuid,
    ) -> Result<MemberRemoval, StoreError> {
        let txn = self.db.begin().await?;
        // Writing first takes SQLite's write lock (and PostgreSQL's row lock) before reading.
        companies::Entity::update_many()
            .col_expr(companies::Column::UpdatedAt, Utc::now().into())
            .filter(companies::Column::Id.eq(company_id))
            .exec(&txn)
            .await?;
        let members = company_members::Entity::find()
            .filter(company_members::Column::CompanyId.eq(company_id))
            .all(&txn)
            .await?;
        let Some(leaving) = members.iter().find(|m| m.customer_id == customer_id) else {
            return Ok(MemberRemoval::NotAMember);
        };
        let admin = CompanyRole::Admin.as_str();
        let admins = members.iter().filter(|m| m.role == admin).count();
        if leaving.role == admin && admins == 1 {
            return Ok(MemberRemoval::LastAdmin);
        }
        company_members::Entity::delete_by_id(customer_id).exec(&txn).await?;
        txn.commit().await?;
        Ok(MemberRemoval::Removed)
    }

    /// Records an invitation; inviting the same email again replaces the earlier one (and its
    /// token).
    pub async fn save_company_invitation(
        &self,
        i: &CompanyInvitation,
        token_hash: &str,
    ) -> Result<(), StoreError> {
        let row = company_invitations::Model {
            company_id: i.company_id,
            email: i.email.clone(),
            role: i.role.as_str().to_owned(),
            default_location_id: i.default_location_id,
            token_hash: token_hash.to_owned(),
            created_at: i.created_at,
        };
        company_invitations::Entity::insert(row.into_active_model())
            .on_conflict(
                OnConflict::columns([
                    company_invitations::Column::CompanyId,
                    company_invitations::Column::Email,
                ])
                .update_columns([
                    company_invitations::Column::Role,
                    company_invitations::Column::DefaultLocationId,
                    company_invitations::Column::TokenHash,
                    company_invitations::Column::CreatedAt,
                ])
                .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await?;
        Ok(())
    }

    /// Accepts the invitation with this token for `customer_id` signed in as `email`, in one
    /// transaction: the invitation is used up and the customer joins.
    pub async fn accept_company_invitation(
        &self,
        token_hash: &str,
        customer_id: Uuid,
        email: &str,
        not_before: DateTime<Utc>,
    ) -> Result<InvitationAcceptance, StoreError> {
        let txn = self.db.begin().await?;
        // Writing first takes SQLite's write lock (PostgreSQL: the invitation's row lock), so
        // a token is used once even when accepted twice at the same moment.
        let touched = company_invitations::Entity::update_many()
            .col_expr(company_invitations::Column::TokenHash, token_hash.into())
            .filter(company_invitations::Column::TokenHash.eq(token_hash))
            .exec(&txn)
            .await?;
        if touched.rows_affected == 0 {
            return Ok(InvitationAcceptance::Unknown);
        }
        let row = company_invitations::Entity::find()
            .filter(company_invitations::Column::TokenHash.eq(token_hash))
            .one(&txn)
            .await?;
        let Some(row) = row else { return Ok(InvitationAcceptance::Unknown) };
        let invited = invitation(row)?;
        if invited.created_at < not_before {
            return Ok(InvitationAcceptance::Expired);
        }
        if invited.email != email {
            return Ok(InvitationAcceptance::OtherEmail);
        }
        if company_members::Entity::find_by_id(customer_id).one(&txn).await?.is_some() {
            return Ok(InvitationAcceptance::AlreadyInACompany);
        }
        let member = CompanyMember {
            company_id: invited.company_id,
            customer_id,
            role: invited.role,
            default_location_id: invited.default_location_id,
            created_at: Utc::now(),
        };
        insert_member(&txn, &member).await?;
        company_invitations::Entity::delete_many()
            .filter(company_invitations::Column::TokenHash.eq(token_hash))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok(InvitationAcceptance::Joined(member))
    }

    pub async fn company_invitations(
        &self,
        company_id: Uuid,
    ) -> Result<Vec<CompanyInvitation>, StoreError> {
        let rows = company_invitations::Entity::find()
            .filter(company_invitations::Column::CompanyId.eq(company_id))
            .order_by_asc(company_invitations::Column::CreatedAt)
            .all(&self.db)
            .await?;
        rows.into_iter().map(invitation).collect()
    }

    // ---- customer groups ------------------------------------------------------------------

    /// Creates or renames a group and changes who is in it, in one transaction.
    pub async fn save_customer_group(
        &self,
        group: &CustomerGroupRecord,
        add: &[Uuid],
        remove: &[Uuid],
    ) -> Result<(), StoreError> {
        let txn = self.db.begin().await?;
        customer_groups::Entity::insert(
            customer_groups::Model {
                id: group.id,
                name: group.name.clone(),
                created_at: group.created_at,
            }
            .into_active_model(),
        )
        .on_conflict(
            OnConflict::column(customer_groups::Column::Id)
                .update_column(customer_groups::Column::Name)
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        for chunk in remove.chunks(INSERT_CHUNK) {
            customer_group_members::Entity::delete_many()
                .filter(customer_group_members::Column::GroupId.eq(group.id))
                .filter(customer_group_members::Column::CustomerId.is_in(chunk.to_vec()))
                .exec(&txn)
                .await?;
        }
        let now = Utc::now();
        for chunk in add.chunks(INSERT_CHUNK) {
            let rows = chunk.iter().map(|customer_id| customer_group_members::ActiveModel {
                group_id: ActiveValue::Set(group.id),
                customer_id: ActiveValue::Set(*customer_id),
                created_at: ActiveValue::Set(now),
            });
            customer_group_members::Entity::insert_many(rows)
                .on_conflict(
                    OnConflict::columns([
                        customer_group_members::Column::GroupId,
                        customer_group_members::Column::CustomerId,
                    ])
                    .do_nothing()
                    .to_owned(),
                )
                .do_nothing()
                .exec_without_returning(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    pub async fn customer_groups(&self) -> Result<Vec<CustomerGroupRecord>, StoreError> {
        let rows = customer_groups::Entity::find()
            .order_by_asc(customer_groups::Column::Name)
            .order_by_asc(customer_groups::Column::Id)
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| CustomerGroupRecord { id: r.id, name: r.name, created_at: r.created_at })
            .collect())
    }

    pub async fn customer_group_member_ids(&self, group_id: Uuid) -> Result<Vec<Uuid>, StoreError> {
        let rows = customer_group_members::Entity::find()
            .filter(customer_group_members::Column::GroupId.eq(group_id))
            .order_by_asc(customer_group_members::Column::CustomerId)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|r| r.customer_id).collect())
    }

    /// The groups a customer is in.
    pub async fn customer_group_ids(&self, customer_id: Uuid) -> Result<Vec<Uuid>, StoreError> {
        let rows = customer_group_members::Entity::find()
            .filter(customer_group_members::Column::CustomerId.eq(customer_id))
            .order_by_asc(customer_group_members::Column::GroupId)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(|r| r.group_id).collect())
    }
}
