//! Who is calling and what they may do.
//!
//! Every guarded field names one [`Permission`]; an [`Actor`] either holds it or not. Staff get
//! permissions from their role, integrators from their token's scopes.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StaffRole {
    Owner,
    Admin,
    CatalogManager,
    Support,
}

impl StaffRole {
    pub const ALL: [StaffRole; 4] =
        [StaffRole::Owner, StaffRole::Admin, StaffRole::CatalogManager, StaffRole::Support];

    pub fn as_str(self) -> &'static str {
        match self {
            StaffRole::Owner => "owner",
            StaffRole::Admin => "admin",
            StaffRole::CatalogManager => "catalog_manager",
            StaffRole::Support => "support",
        }
    }

    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            StaffRole::Owner => &Permission::ALL,
            StaffRole::Admin => &[
                CatalogRead,
                CatalogWrite,
                ChannelsManage,
                CustomersRead,
                ApiTokensManage,
                InventoryRead,
                InventoryWrite,
                LocationsManage,
                CustomersWrite,
                CompaniesRead,
                CompaniesWrite,
                PricingRead,
                PricingWrite,
                OrdersRead,
                OrdersWrite,
            ],
            StaffRole::CatalogManager => &[
                CatalogRead,
                CatalogWrite,
                InventoryRead,
                InventoryWrite,
                PricingRead,
                PricingWrite,
            ],
            StaffRole::Support => {
                &[CatalogRead, CustomersRead, InventoryRead, CompaniesRead, PricingRead, OrdersRead]
            }
        }
    }
}

impl fmt::Display for StaffRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{value}`; expected one of: {expected}")]
pub struct UnknownName {
    pub what: &'static str,
    pub value: String,
    pub expected: String,
}

impl FromStr for StaffRole {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        StaffRole::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| UnknownName {
            what: "role",
            value: s.to_owned(),
            expected: StaffRole::ALL.map(StaffRole::as_str).join(", "),
        })
    }
}

/// What a guarded field requires. Integrator scopes map one to one onto these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Read drafts, archived products and admin-only catalog fields.
    CatalogRead,
    /// Create, update and delete catalog objects.
    CatalogWrite,
    /// Create and change channels (storefronts).
    ChannelsManage,
    /// Read customer accounts.
    CustomersRead,
    /// Create staff users.
    StaffManage,
    /// Create and revoke integrator API tokens.
    ApiTokensManage,
    /// Read stock locations, levels and the stock ledger.
    InventoryRead,
    /// Move stock: adjustments, counts.
    InventoryWrite,
    /// Create and change stock locations.
    LocationsManage,
    /// Create customer groups and change who is in them.
    CustomersWrite,
    /// Read every buyer company, its locations and members.
    CompaniesRead,
    /// Create, review (approve, reject) and change companies, their locations and members.
    CompaniesWrite,
    /// Read price lists, discounts and tax rates.
    PricingRead,
    /// Change price lists and their prices, discounts and tax rates.
    PricingWrite,
    /// Read every order, its payments and fulfilments.
    OrdersRead,
    /// Fulfil, cancel and mark orders paid; record carrier tracking events.
    OrdersWrite,
}

impl Permission {
    pub const ALL: [Permission; 16] = [
        Permission::CatalogRead,
        Permission::CatalogWrite,
        Permission::ChannelsManage,
        Permission::CustomersRead,
        Permission::StaffManage,
        Permission::ApiTokensManage,
        Permission::InventoryRead,
        Permission::InventoryWrite,
        Permission::LocationsManage,
        Permission::CustomersWrite,
        Permission::CompaniesRead,
        Permission::CompaniesWrite,
        Permission::PricingRead,
        Permission::PricingWrite,
        Permission::OrdersRead,
        Permission::OrdersWrite,
    ];

    /// The API-token scope that grants this permission, if integrators may hold it at all.
    pub fn scope(self) -> Option<&'static str> {
        match self {
            Permission::CatalogRead => Some("catalog:read"),
            Permission::CatalogWrite => Some("catalog:write"),
            Permission::ChannelsManage => Some("channels:write"),
            Permission::CustomersRead => Some("customers:read"),
            Permission::InventoryRead => Some("inventory:read"),
            Permission::InventoryWrite => Some("inventory:write"),
            Permission::LocationsManage => Some("locations:write"),
            Permission::CustomersWrite => Some("customers:write"),
            Permission::CompaniesRead => Some("companies:read"),
            Permission::CompaniesWrite => Some("companies:write"),
            Permission::PricingRead => Some("pricing:read"),
            Permission::PricingWrite => Some("pricing:write"),
            Permission::OrdersRead => Some("orders:read"),
            Permission::OrdersWrite => Some("orders:write"),
            // Tokens never mint tokens or staff: a leaked token must not escalate.
            Permission::StaffManage | Permission::ApiTokensManage => None,
        }
    }

    pub fn from_scope(scope: &str) -> Option<Permission> {
        Permission::ALL.into_iter().find(|p| p.scope() == Some(scope))
    }

    /// Every scope an API token can be given.
    pub fn all_scopes() -> Vec<&'static str> {
        Permission::ALL.into_iter().filter_map(Permission::scope).collect()
    }
}

/// The authenticated caller of one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    Anonymous,
    Customer { id: Uuid },
    Staff { id: Uuid, role: StaffRole },
    Integrator { token_id: Uuid, permissions: Vec<Permission> },
}

impl Actor {
    pub fn has(&self, permission: Permission) -> bool {
        match self {
            Actor::Anonymous | Actor::Customer { .. } => false,
            Actor::Staff { role, .. } => role.permissions().contains(&permission),
            Actor::Integrator { permissions, .. } => permissions.contains(&permission),
        }
    }

    pub fn is_anonymous(&self) -> bool {
        matches!(self, Actor::Anonymous)
    }

    /// Parses token scopes; unknown scopes are rejected rather than ignored so that a typo
    /// never creates a token that silently lacks what its owner asked for.
    pub fn permissions_from_scopes(scopes: &[String]) -> Result<Vec<Permission>, UnknownName> {
        scopes
            .iter()
            .map(|s| {
                Permission::from_scope(s).ok_or_else(|| UnknownName {
                    what: "scope",
                    value: s.clone(),
                    expected: Permission::all_scopes().join(", "),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn support_staff_cannot_write_the_catalog() {
        let actor = Actor::Staff { id: Uuid::nil(), role: StaffRole::Support };
        assert!(actor.has(Permission::CatalogRead));
        assert!(!actor.has(Permission::CatalogWrite));
    }

    #[test]
    fn only_owners_manage_staff() {
        for role in StaffRole::ALL {
            let actor = Actor::Staff { id: Uuid::nil(), role };
            assert_eq!(actor.has(Permission::StaffManage), role == StaffRole::Owner);
        }
    }

    #[test]
    fn tokens_hold_exactly_their_scopes() {
        let permissions =
            Actor::permissions_from_scopes(&["catalog:read".to_owned()]).expect("known scope");
        let actor = Actor::Integrator { token_id: Uuid::nil(), permissions };
        assert!(actor.has(Permission::CatalogRead));
        assert!(!actor.has(Permission::CatalogWrite));
    }

    #[test]
    fn unknown_scopes_are_rejected() {
        assert!(Actor::permissions_from_scopes(&["catalog:everything".to_owned()]).is_err());
        assert!(Actor::permissions_from_scopes(&["tokens:write".to_owned()]).is_err());
    }

    #[test]
    fn anonymous_and_customers_hold_no_admin_permission() {
        for actor in [Actor::Anonymous, Actor::Customer { id: Uuid::nil() }] {
            assert!(Permission::ALL.iter().all(|p| !actor.has(*p)));
        }
    }

    #[test]
    fn roles_parse_from_their_names() {
        assert_eq!("catalog_manager".parse(), Ok(StaffRole::CatalogManager));
        assert!("root".parse::<StaffRole>().is_err());
    }
}
