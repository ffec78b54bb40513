//! B2B buyer companies: certification, payment terms, locations and members.
//!
//! A company applies (or staff create it), staff approve or reject it; only members of an
//! approved company buy at its negotiated prices and on its payment terms. A customer belongs
//! to at most one company.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::access::UnknownName;
use crate::money::Money;

macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownName;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s).ok_or_else(|| UnknownName {
                    what: $what,
                    value: s.to_owned(),
                    expected: Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", "),
                })
            }
        }
    };
}

named_enum!(
    /// Where a company is in certification.
    CompanyStatus, "company status" {
        Pending => "pending",
        Approved => "approved",
        Rejected => "rejected",
    }
);

named_enum!(
    /// When an approved company pays: up front, or 30 or 60 days after the invoice.
    PaymentTerms, "payment terms" {
        Prepaid => "prepaid",
        Net30 => "net30",
        Net60 => "net60",
    }
);

named_enum!(
    /// What a member may do for their company: admins manage members and locations, buyers
    /// order, viewers look.
    CompanyRole, "company role" {
        Admin => "admin",
        Buyer => "buyer",
        Viewer => "viewer",
    }
);

impl CompanyRole {
    /// Whether a member with this role may order for the company (and so buy at its prices).
    pub fn may_order(self) -> bool {
        self != CompanyRole::Viewer
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Company {
    pub id: Uuid,
    pub name: String,
    pub tax_id: Option<String>,
    pub status: CompanyStatus,
    pub rejection_reason: Option<String>,
    pub payment_terms: PaymentTerms,
    pub credit_limit: Option<Money>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub reviewed_at: Option<DateTime<Utc>>,
}

impl Company {
    /// Only approved companies buy at company prices and on terms.
    pub fn is_approved(&self) -> bool {
        self.status == CompanyStatus::Approved
    }
}

/// A postal address as a company location or an order keeps it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub address1: String,
    pub address2: Option<String>,
    pub city: String,
    pub zip: Option<String>,
    /// Region or province code where the country has them ("CA", "BY").
    pub province_code: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country_code: String,
    pub phone: Option<String>,
}

/// Which part of an address is wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressProblem {
    Address1Blank,
    CityBlank,
    CountryInvalid,
    TooLong(&'static str),
}

const ADDRESS_FIELD_MAX: usize = 255;

impl Address {
    /// Trims every part and checks the required ones; returns every problem found.
    pub fn normalized(mut self) -> Result<Self, Vec<AddressProblem>> {
        let mut problems = vec![];
        let trim = |s: &mut String| *s = s.trim().to_owned();
        let trim_opt = |s: &mut Option<String>| {
            *s = s.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned)
        };
        trim(&mut self.address1);
        trim(&mut self.city);
        self.country_code = self.country_code.trim().to_ascii_uppercase();
        for o in [
            &mut self.first_name,
            &mut self.last_name,
            &mut self.company,
            &mut self.address2,
            &mut self.zip,
            &mut self.province_code,
            &mut self.phone,
        ] {
            trim_opt(o);
        }
        if self.address1.is_empty() {
            problems.push(AddressProblem::Address1Blank);
        }
        if self.city.is_empty() {
            problems.push(AddressProblem::CityBlank);
        }
        let cc = self.country_code.as_bytes();
        if cc.len() != 2 || !cc.iter().all(u8::is_ascii_uppercase) {
            problems.push(AddressProblem::CountryInvalid);
        }
        for (name, value) in [
            ("address1", Some(self.address1.as_str())),
            ("city", Some(self.city.as_str())),
            ("address2", self.address2.as_deref()),
            ("company", self.company.as_deref()),
            ("firstName", self.first_name.as_deref()),
            ("lastName", self.last_name.as_deref()),
            ("zip", self.zip.as_deref()),
            ("provinceCode", self.province_code.as_deref()),
            ("phone", self.phone.as_deref()),
        ] {
            if value.is_some_and(|v| v.chars().count() > ADDRESS_FIELD_MAX) {
                problems.push(AddressProblem::TooLong(name));
            }
        }
        if problems.is_empty() {
            Ok(self)
        } else {
            Err(problems)
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct CompanyLocation {
    pub id: Uuid,
    pub company_id: Uuid,
    pub name: String,
    pub tax_id: Option<String>,
    pub shipping_address: Address,
    /// `None`: bill to the shipping address.
    pub billing_address: Option<Address>,
    pub created_at: DateTime<Utc>,
}

impl CompanyLocation {
    pub fn billing_or_shipping(&self) -> &Address {
        self.billing_address.as_ref().unwrap_or(&self.shipping_address)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct CompanyMember {
    pub company_id: Uuid,
    pub customer_id: Uuid,
    pub role: CompanyRole,
    /// Pre-fills checkout's shipping and billing addresses.
    pub default_location_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// An invitation to join a company as `role`. The invitee, signed in with `email`, accepts
/// it with the one-time token the inviting admin passed on; it lapses after
/// [`INVITATION_DAYS`].
#[derive(Clone, Debug, PartialEq)]
pub struct CompanyInvitation {
    pub company_id: Uuid,
    pub email: String,
    pub role: CompanyRole,
    pub default_location_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// How long an invitation can be accepted.
pub const INVITATION_DAYS: i64 = 14;

/// A customer's place in a company, as the pricing and checkout of their requests need it.
#[derive(Clone, Debug, PartialEq)]
pub struct Membership {
    pub member: CompanyMember,
    pub company: Company,
}

impl Membership {
    /// Whether the member buys for the company, at its prices and on its terms: the company
    /// is approved and the role orders.
    pub fn orders_for_company(&self) -> bool {
        self.company.is_approved() && self.member.role.may_order()
    }

    /// Whether the member sees the company's prices without being allowed to order at them
    /// (a viewer of an approved company).
    pub fn views_only(&self) -> bool {
        self.company.is_approved() && !self.member.role.may_order()
    }
}

/// Why a company status change is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StatusChangeError {
    #[error("the company is already {0}")]
    AlreadyInStatus(CompanyStatus),
}

/// Approving or rejecting: any status may move to the other decision (a rejected boutique
/// may be approved later, an approved one's certification withdrawn), but not to itself.
pub fn review(current: CompanyStatus, decision: CompanyStatus) -> Result<(), StatusChangeError> {
    if current == decision {
        Err(StatusChangeError::AlreadyInStatus(current))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address() -> Address {
        Address {
            address1: " 12 rue du Faubourg ".to_owned(),
            city: "Paris".to_owned(),
            country_code: "fr".to_owned(),
            zip: Some("  ".to_owned()),
            ..Address::default()
        }
    }

    #[test]
    fn addresses_are_trimmed_and_country_upper_cased() {
        let a = address().normalized().expect("valid");
        assert_eq!(a.address1, "12 rue du Faubourg");
        assert_eq!(a.country_code, "FR");
        assert_eq!(a.zip, None);
    }

    #[test]
    fn address_reports_every_missing_part() {
        let problems = Address::default().normalized().expect_err("invalid");
        assert_eq!(
            problems,
            vec![
                AddressProblem::Address1Blank,
                AddressProblem::CityBlank,
                AddressProblem::CountryInvalid
            ]
        );
    }

    #[test]
    fn review_refuses_a_decision_already_taken() {
        assert!(review(CompanyStatus::Pending, CompanyStatus::Approved).is_ok());
        assert!(review(CompanyStatus::Rejected, CompanyStatus::Approved).is_ok());
        assert_eq!(
            review(CompanyStatus::Approved, CompanyStatus::Approved),
            Err(StatusChangeError::AlreadyInStatus(CompanyStatus::Approved))
        );
    }

    #[test]
    fn names_round_trip() {
        for terms in PaymentTerms::ALL {
            assert_eq!(terms.as_str().parse::<PaymentTerms>(), Ok(*terms));
        }
        assert!("net90".parse::<PaymentTerms>().is_err());
        assert_eq!("viewer".parse::<CompanyRole>(), Ok(CompanyRole::Viewer));
    }
}
