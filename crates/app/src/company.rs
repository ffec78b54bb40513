//! B2B companies: applying and certification, locations, members and invitations, customer
//! groups.
//!
//! Who may change a company: staff and integrators with `companies:write`, and the company's
//! own admins (members with the `admin` role) for its locations and members. Nobody else,
//! and never another company's.

use chrono::Utc;
use uuid::Uuid;
use vitrine_domain::access::{Actor, Permission};
use vitrine_domain::company::{
    review, Address, AddressProblem, Company, CompanyInvitation, CompanyLocation, CompanyMember,
    CompanyRole, CompanyStatus, Membership, PaymentTerms, StatusChangeError, INVITATION_DAYS,
};
use vitrine_domain::money::{Currency, Money};
use vitrine_store::{CustomerGroupRecord, InvitationAcceptance, MemberRemoval, Store, StoreError};

use crate::error::{AppError, AppResult, ErrorCode, UserError};
use crate::identity::{normalize_email, random_token, token_hash};

const NAME_MAX: usize = 255;
const TAX_ID_MAX: usize = 64;
const REASON_MAX: usize = 1000;

#[derive(Clone, Debug, Default)]
pub struct CompanyLocationInput {
    pub name: Option<String>,
    /// `Some(None)` clears it.
    pub tax_id: Option<Option<String>>,
    pub shipping_address: Option<Address>,
    /// `Some(None)`: bill to the shipping address.
    pub billing_address: Option<Option<Address>>,
}

#[derive(Clone, Debug, Default)]
pub struct CompanyInput {
    pub name: Option<String>,
    pub tax_id: Option<Option<String>>,
    pub payment_terms: Option<PaymentTerms>,
    /// Amount and currency; `Some(None)` removes the limit.
    pub credit_limit: Option<Option<(String, String)>>,
    /// The first location, when creating.
    pub location: Option<CompanyLocationInput>,
}

/// An invitation and its one-time token (only its hash is stored).
#[derive(Clone, Debug, PartialEq)]
pub struct MemberAdded {
    pub invitation: CompanyInvitation,
    pub token: String,
}

#[derive(Clone)]
pub struct CompanyService {
    store: Store,
}

fn not_found(field: &str, what: &str) -> AppError {
    AppError::user(UserError::not_found(field, what))
}

/// Trims `text` and checks it is present and not too long.
fn required_text(
    field: &str,
    text: &str,
    max: usize,
    errors: &mut Vec<UserError>,
) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        errors.push(UserError::new(
            &[field],
            ErrorCode::Blank,
            format!("{field} must not be blank"),
        ));
        None
    } else if text.chars().count() > max {
        errors.push(UserError::new(
            &[field],
            ErrorCode::TooLong,
            format!("at most {max} characters"),
        ));
        None
    } else {
        Some(text.to_owned())
    }
}

fn optional_text(
    field: &str,
    text: Option<String>,
    max: usize,
    errors: &mut Vec<UserError>,
) -> Option<String> {
    let text = text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())?;
    if text.chars().count() > max {
        errors.push(UserError::new(
            &[field],
            ErrorCode::TooLong,
            format!("at most {max} characters"),
        ));
    }
    Some(text)
}

pub(crate) fn address(field: &str, a: Address, errors: &mut Vec<UserError>) -> Address {
    match a.clone().normalized() {
        Ok(a) => a,
        Err(problems) => {
            for p in problems {
                errors.push(match p {
                    AddressProblem::Address1Blank => UserError::new(
                        &[field, "address1"],
                        ErrorCode::Blank,
                        "the street is missing",
                    ),
                    AddressProblem::CityBlank => {
                        UserError::new(&[field, "city"], ErrorCode::Blank, "the city is missing")
                    }
                    AddressProblem::CountryInvalid => UserError::new(
                        &[field, "countryCode"],
                        ErrorCode::Invalid,
                        "a two-letter ISO 3166 country code, e.g. FR",
                    ),
                    AddressProblem::TooLong(part) => {
                        UserError::new(&[field, part], ErrorCode::TooLong, "at most 255 characters")
                    }
                });
            }
            a
        }
    }
}

fn at(prefix: &str, errors: Vec<UserError>) -> Vec<UserError> {
    errors.into_iter().map(|e| e.at(&[prefix.to_owned()])).collect()
}

/// Applies `input` to `location` (a new one is blank), collecting every problem.
fn fill_location(
    mut location: CompanyLocation,
    input: CompanyLocationInput,
    errors: &mut Vec<UserError>,
) -> CompanyLocation {
    if let Some(name) = input.name {
        location.name = name;
    }
    location.name = required_text("name", &location.name, NAME_MAX, errors).unwrap_or_default();
    if let Some(tax_id) = input.tax_id {
        location.tax_id = optional_text("taxId", tax_id, TAX_ID_MAX, errors);
    }
    if let Some(a) = input.shipping_address {
        location.shipping_address = address("shippingAddress", a, errors);
    } else if location.shipping_address.address1.is_empty() {
        errors.push(UserError::new(
            &["shippingAddress"],
            ErrorCode::Blank,
            "a location needs an address",
        ));
    }
    if let Some(billing) = input.billing_address {
        location.billing_address = billing.map(|a| address("billingAddress", a, errors));
    }
    location
}

fn credit_limit(amount: &str, currency: &str) -> Result<Money, UserError> {
    let currency = Currency::new(currency).map_err(|e| {
        UserError::new(&["creditLimit", "currencyCode"], ErrorCode::Invalid, e.to_string())
    })?;
    Money::parse_price(amount, currency)
        .map_err(|e| UserError::new(&["creditLimit", "amount"], ErrorCode::Invalid, e.to_string()))
}

impl CompanyService {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// Whether `actor` may manage `company_id`'s locations and members: staff with
    /// `companies:write`, or one of its admins.
    async fn authorize_admin(&self, actor: &Actor, company_id: Uuid) -> AppResult<()> {
        if actor.has(Permission::CompaniesWrite) {
            return Ok(());
        }
        match actor {
            Actor::Anonymous => Err(AppError::Unauthenticated),
            Actor::Customer { id } => match self.store.membership(*id).await? {
                Some(m) if m.company.id == company_id && m.member.role == CompanyRole::Admin => {
                    Ok(())
                }
                _ => Err(AppError::Forbidden),
            },
            _ => Err(AppError::Forbidden),
        }
    }

    /// Whether `actor` may read `company_id`'s members: staff with `companies:read`, or one
    /// of its admins.
    pub async fn may_see_members(&self, actor: &Actor, company_id: Uuid) -> AppResult<bool> {
        if actor.has(Permission::CompaniesRead) {
            return Ok(true);
        }
        let Actor::Customer { id } = actor else { return Ok(false) };
        Ok(matches!(
            self.store.membership(*id).await?,
            Some(m) if m.company.id == company_id && m.member.role == CompanyRole::Admin
        ))
    }

    /// Whether `actor` may read `company_id` at all: staff with `companies:read`, or any of
    /// its members.
    pub async fn may_see(&self, actor: &Actor, company_id: Uuid) -> AppResult<bool> {
        if actor.has(Permission::CompaniesRead) {
            return Ok(true);
        }
        let Actor::Customer { id } = actor else { return Ok(false) };
        Ok(matches!(self.store.membership(*id).await?, Some(m) if m.company.id == company_id))
    }

    fn new_company(name: String, tax_id: Option<String>, status: CompanyStatus) -> Company {
        let now = Utc::now();
        Company {
            id: Uuid::now_v7(),
            name,
            tax_id,
            status,
            rejection_reason: None,
            payment_terms: PaymentTerms::Prepaid,
            credit_limit: None,
            created_at: now,
            updated_at: now,
            reviewed_at: if status == CompanyStatus::Pending { None } else { Some(now) },
        }
    }

    fn new_location(company_id: Uuid) -> CompanyLocation {
        CompanyLocation {
            id: Uuid::now_v7(),
            company_id,
            name: String::new(),
            tax_id: None,
            shipping_address: Address::default(),
            billing_address: None,
            created_at: Utc::now(),
        }
    }

    /// A signed-in customer applies for their boutique: the company waits for review and the
    /// customer becomes its admin, with its first location as their default.
    pub async fn apply(
        &self,
        customer_id: Uuid,
        name: &str,
        tax_id: Option<String>,
        location: CompanyLocationInput,
    ) -> AppResult<Company> {
        let mut errors = vec![];
        let name = required_text("name", name, NAME_MAX, &mut errors);
        let tax_id = optional_text("taxId", tax_id, TAX_ID_MAX, &mut errors);
        let company = Self::new_company(name.unwrap_or_default(), tax_id, CompanyStatus::Pending);
        let mut location_errors = vec![];
        let location =
            fill_location(Self::new_location(company.id), location, &mut location_errors);
        errors.extend(at("location", location_errors));
        if !errors.is_empty() {
            return Err(AppError::User(errors));
        }
        let admin = CompanyMember {
            company_id: company.id,
            customer_id,
            role: CompanyRole::Admin,
            default_location_id: Some(location.id),
            created_at: Utc::now(),
        };
        self.store
            .insert_company(
                &company,
                &format!("customer:{customer_id}"),
                Some(&location),
                Some(&admin),
            )
            .await
            .map_err(|e| match AppError::from(e) {
                AppError::User(_) => AppError::user(UserError::new(
                    &["customer"],
                    ErrorCode::Taken,
                    "you already belong to a company",
                )),
                other => other,
            })?;
        Ok(company)
    }

    /// Staff create a company; it is approved at once (staff vouch for it). Members join
    /// with `member_add`.
    pub async fn create(&self, actor_label: &str, input: CompanyInput) -> AppResult<Company> {
        let mut errors = vec![];
        let name =
            required_text("name", input.name.as_deref().unwrap_or(""), NAME_MAX, &mut errors);
        let tax_id = optional_text("taxId", input.tax_id.flatten(), TAX_ID_MAX, &mut errors);
        let mut company =
            Self::new_company(name.unwrap_or_default(), tax_id, CompanyStatus::Approved);
        if let Some(terms) = input.payment_terms {
            company.payment_terms = terms;
        }
        if let Some(Some((amount, currency))) = input.credit_limit {
            match credit_limit(&amount, &currency) {
                Ok(limit) => company.credit_limit = Some(limit),
                Err(e) => errors.push(e),
            }
        }
        let location = input.location.map(|l| {
            let mut location_errors = vec![];
            let location = fill_location(Self::new_location(company.id), l, &mut location_errors);
            errors.extend(at("location", location_errors));
            location
        });
        if !errors.is_empty() {
            return Err(AppError::User(errors));
        }
        self.store.insert_company(&company, actor_label, location.as_ref(), None).await?;
        Ok(company)
    }

    /// Staff change a company's name, tax id, payment terms or credit limit.
    pub async fn update(&self, id: Uuid, input: CompanyInput) -> AppResult<Company> {
        let mut company = self.company(id).await?.ok_or_else(|| not_found("id", "company"))?;
        let mut errors = vec![];
        if let Some(name) = input.name {
            company.name = required_text("name", &name, NAME_MAX, &mut errors).unwrap_or_default();
        }
        if let Some(tax_id) = input.tax_id {
            company.tax_id = optional_text("taxId", tax_id, TAX_ID_MAX, &mut errors);
        }
        if let Some(terms) = input.payment_terms {
            company.payment_terms = terms;
        }
        match input.credit_limit {
            Some(Some((amount, currency))) => match credit_limit(&amount, &currency) {
                Ok(limit) => company.credit_limit = Some(limit),
                Err(e) => errors.push(e),
            },
            Some(None) => company.credit_limit = None,
            None => {}
        }
        if !errors.is_empty() {
            return Err(AppError::User(errors));
        }
        company.updated_at = Utc::now();
        // Writes the fields above only: a review that lands meanwhile stays.
        self.store.update_company(&company).await?;
        Ok(self.company(id).await?.unwrap_or(company))
    }

    /// Approves a company: its members now buy at its prices and on its terms.
    pub async fn approve(&self, id: Uuid) -> AppResult<Company> {
        self.decide(id, CompanyStatus::Approved, None).await
    }

    /// Rejects a company (or withdraws its certification) with a reason its admins see.
    pub async fn reject(&self, id: Uuid, reason: &str) -> AppResult<Company> {
        let mut errors = vec![];
        let reason = required_text("reason", reason, REASON_MAX, &mut errors);
        if !errors.is_empty() {
            return Err(AppError::User(errors));
        }
        self.decide(id, CompanyStatus::Rejected, reason).await
    }

    async fn decide(
        &self,
        id: Uuid,
        decision: CompanyStatus,
        reason: Option<String>,
    ) -> AppResult<Company> {
        let refused = |e: StatusChangeError| {
            AppError::user(UserError::new(&["id"], ErrorCode::Invalid, e.to_string()))
        };
        // Written only from the status just read; when another decision lands in between,
        // this one is judged again against it, as if it had come second (so of two identical
        // decisions at once, one is refused).
        for _ in 0..3 {
            let mut company = self.company(id).await?.ok_or_else(|| not_found("id", "company"))?;
            let from = company.status;
            review(from, decision).map_err(refused)?;
            let now = Utc::now();
            company.status = decision;
            company.rejection_reason = reason.clone();
            company.reviewed_at = Some(now);
            company.updated_at = now;
            if self.store.review_company(&company, from).await? {
                return Ok(company);
            }
        }
        Err(AppError::user(UserError::new(
            &["id"],
            ErrorCode::Invalid,
            "the company is being reviewed by someone else; try again",
        )))
    }

    pub async fn location_create(
        &self,
        actor: &Actor,
        company_id: Uuid,
        input: CompanyLocationInput,
    ) -> AppResult<CompanyLocation> {
        self.authorize_admin(actor, company_id).await?;
        if self.company(company_id).await?.is_none() {
            return Err(not_found("companyId", "company"));
        }
        let mut errors = vec![];
        let location = fill_location(Self::new_location(company_id), input, &mut errors);
        if !errors.is_empty() {
            return Err(AppError::User(errors));
        }
        self.store.save_company_location(&location).await?;
        Ok(location)
    }

    pub async fn location_update(
        &self,
        actor: &Actor,
        id: Uuid,
        input: CompanyLocationInput,
    ) -> AppResult<CompanyLocation> {
        let Some(location) = self.store.company_location(id).await? else {
            // Only staff learn that a location does not exist; others are refused alike.
            return Err(if actor.has(Permission::CompaniesWrite) {
                not_found("id", "location")
            } else if actor.is_anonymous() {
                AppError::Unauthenticated
            } else {
                AppError::Forbidden
            });
        };
        self.authorize_admin(actor, location.company_id).await?;
        let mut errors = vec![];
        let location = fill_location(location, input, &mut errors);
        if !errors.is_empty() {
            return Err(AppError::User(errors));
        }
        self.store.save_company_location(&location).await?;
        Ok(location)
    }

    async fn check_location(
        &self,
        company_id: Uuid,
        location_id: Option<Uuid>,
    ) -> AppResult<Option<Uuid>> {
        let Some(id) = location_id else { return Ok(None) };
        match self.store.company_location(id).await? {
            Some(l) if l.company_id == company_id => Ok(Some(id)),
            _ => Err(not_found("defaultLocationId", "company location")),
        }
    }

    /// Invites `email` to the company as `role`. Nobody joins without consent: the invitee,
    /// signed in with that email, accepts with the returned one-time token, which the
    /// inviting admin passes on. The answer is the same whether or not an account exists.
    pub async fn member_add(
        &self,
        actor: &Actor,
        company_id: Uuid,
        email: &str,
        role: CompanyRole,
        default_location_id: Option<Uuid>,
    ) -> AppResult<MemberAdded> {
        self.authorize_admin(actor, company_id).await?;
        if self.company(company_id).await?.is_none() {
            return Err(not_found("companyId", "company"));
        }
        let email = normalize_email(email)?;
        let default_location_id = self.check_location(company_id, default_location_id).await?;
        let invitation = CompanyInvitation {
            company_id,
            email,
            role,
            default_location_id,
            created_at: Utc::now(),
        };
        let token = random_token()?;
        self.store.save_company_invitation(&invitation, &token_hash(&token)).await?;
        Ok(MemberAdded { invitation, token })
    }

    /// The signed-in customer accepts an invitation made to their email.
    pub async fn invitation_accept(&self, actor: &Actor, token: &str) -> AppResult<Membership> {
        let customer_id = match actor {
            Actor::Customer { id } => *id,
            Actor::Anonymous => return Err(AppError::Unauthenticated),
            _ => return Err(AppError::Forbidden),
        };
        let customer = self
            .store
            .customers_by_ids(&[customer_id])
            .await?
            .into_iter()
            .next()
            .ok_or(AppError::Unauthenticated)?;
        let not_before = Utc::now() - chrono::Duration::days(INVITATION_DAYS);
        let outcome = self
            .store
            .accept_company_invitation(
                &token_hash(token.trim()),
                customer_id,
                &customer.email,
                not_before,
            )
            .await?;
        let refused =
            |code, message: &str| Err(AppError::user(UserError::new(&["token"], code, message)));
        match outcome {
            InvitationAcceptance::Joined(member) => self
                .store
                .membership(member.customer_id)
                .await?
                .ok_or_else(|| not_found("token", "invitation")),
            // Another email's token is refused like an unknown one: it tells nothing.
            InvitationAcceptance::Unknown | InvitationAcceptance::OtherEmail => {
                refused(ErrorCode::NotFound, "no invitation for you has this token")
            }
            InvitationAcceptance::Expired => refused(
                ErrorCode::Invalid,
                "this invitation has lapsed; ask the company's admin for a new one",
            ),
            InvitationAcceptance::AlreadyInACompany => {
                refused(ErrorCode::Taken, "you already belong to a company")
            }
        }
    }

    /// Changes a member's role or default location.
    pub async fn member_update(
        &self,
        actor: &Actor,
        company_id: Uuid,
        customer_id: Uuid,
        role: Option<CompanyRole>,
        default_location_id: Option<Option<Uuid>>,
    ) -> AppResult<CompanyMember> {
        self.authorize_admin(actor, company_id).await?;
        let members = self.store.company_members(&[company_id]).await?;
        let mut member = members
            .iter()
            .find(|m| m.customer_id == customer_id)
            .cloned()
            .ok_or_else(|| not_found("customerId", "member"))?;
        if let Some(role) = role {
            member.role = role;
        }
        if let Some(location) = default_location_id {
            member.default_location_id = self.check_location(company_id, location).await?;
        }
        // The store decides whether the last admin would go, atomically: two admins demoting
        // each other at once must not both succeed.
        match self.store.update_company_member(&member).await {
            Ok(true) => Ok(member),
            Ok(false) => Err(AppError::user(UserError::new(
                &["role"],
                ErrorCode::Invalid,
                "a company keeps at least one admin",
            ))),
            Err(StoreError::NotFound) => Err(not_found("customerId", "member")),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn member_remove(
        &self,
        actor: &Actor,
        company_id: Uuid,
        customer_id: Uuid,
    ) -> AppResult<()> {
        self.authorize_admin(actor, company_id).await?;
        match self.store.remove_company_member(company_id, customer_id).await? {
            MemberRemoval::Removed => Ok(()),
            MemberRemoval::NotAMember => Err(not_found("customerId", "member")),
            MemberRemoval::LastAdmin => Err(AppError::user(UserError::new(
                &["customerId"],
                ErrorCode::Invalid,
                "a company keeps at least one admin",
            ))),
        }
    }

    // ---- reads ----------------------------------------------------------------------------

    pub async fn company(&self, id: Uuid) -> AppResult<Option<Company>> {
        Ok(self.store.company(id).await?)
    }

    /// A page of companies; one more than `limit` when more follow.
    pub async fn companies_page(
        &self,
        status: Option<CompanyStatus>,
        after: Option<Uuid>,
        limit: u64,
    ) -> AppResult<Vec<Company>> {
        Ok(self.store.companies_page(status.map(CompanyStatus::as_str), after, limit).await?)
    }

    pub async fn membership(&self, customer_id: Uuid) -> AppResult<Option<Membership>> {
        Ok(self.store.membership(customer_id).await?)
    }

    pub async fn locations(&self, company_ids: &[Uuid]) -> AppResult<Vec<CompanyLocation>> {
        Ok(self.store.company_locations(company_ids).await?)
    }

    pub async fn members(&self, company_id: Uuid) -> AppResult<Vec<CompanyMember>> {
        Ok(self.store.company_members(&[company_id]).await?)
    }

    pub async fn invitations(&self, company_id: Uuid) -> AppResult<Vec<CompanyInvitation>> {
        Ok(self.store.company_invitations(company_id).await?)
    }

    // ---- customer groups ------------------------------------------------------------------

    /// Creates a group (`id` none) or renames one, adding and removing customers.
    pub async fn customer_group_save(
        &self,
        id: Option<Uuid>,
        name: Option<String>,
        mut add: Vec<Uuid>,
        mut remove: Vec<Uuid>,
    ) -> AppResult<CustomerGroupRecord> {
        if add.len() + remove.len() > crate::inventory::MAX_ROWS {
            return Err(AppError::user(UserError::new(
                &["addCustomerIds"],
                ErrorCode::TooMany,
                format!("at most {} customers per call", crate::inventory::MAX_ROWS),
            )));
        }
        // Each id once, in the order given (errors point at the rows as sent).
        let mut seen = std::collections::HashSet::new();
        add.retain(|id| seen.insert(*id));
        let mut seen = std::collections::HashSet::new();
        remove.retain(|id| seen.insert(*id));
        let existing = match id {
            Some(id) => Some(
                self.store
                    .customer_groups()
                    .await?
                    .into_iter()
                    .find(|g| g.id == id)
                    .ok_or_else(|| not_found("id", "customer group"))?,
            ),
            None => None,
        };
        let mut errors = vec![];
        let name = match (name, &existing) {
            (Some(name), _) => required_text("name", &name, NAME_MAX, &mut errors),
            (None, Some(g)) => Some(g.name.clone()),
            (None, None) => required_text("name", "", NAME_MAX, &mut errors),
        };
        let known: std::collections::HashSet<Uuid> =
            self.store.customers_by_ids(&add).await?.into_iter().map(|c| c.id).collect();
        for (i, id) in add.iter().enumerate() {
            if !known.contains(id) {
                let row = i.to_string();
                errors.push(UserError::new(
                    &["addCustomerIds", &row],
                    ErrorCode::NotFound,
                    "customer not found",
                ));
            }
        }
        if !errors.is_empty() {
            return Err(AppError::User(errors));
        }
        let group = CustomerGroupRecord {
            id: existing.as_ref().map_or_else(Uuid::now_v7, |g| g.id),
            name: name.unwrap_or_default(),
            created_at: existing.as_ref().map_or_else(Utc::now, |g| g.created_at),
        };
        self.store.save_customer_group(&group, &add, &remove).await?;
        Ok(group)
    }

    pub async fn customer_groups(&self) -> AppResult<Vec<CustomerGroupRecord>> {
        Ok(self.store.customer_groups().await?)
    }

    pub async fn customer_group_member_ids(&self, group_id: Uuid) -> AppResult<Vec<Uuid>> {
        Ok(self.store.customer_group_member_ids(group_id).await?)
    }
}
