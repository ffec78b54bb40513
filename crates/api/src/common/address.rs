//! Postal addresses of buyers and companies.

use async_graphql::{InputObject, SimpleObject};
use vitrine_domain::company::Address;

use crate::common::codes::CountryCode;

/// A postal address, as Shopify's `MailingAddress`.
#[derive(SimpleObject, Clone, Debug)]
pub struct MailingAddress {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub address1: String,
    pub address2: Option<String>,
    pub city: String,
    pub zip: Option<String>,
    pub province_code: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country_code: String,
    pub phone: Option<String>,
}

impl From<Address> for MailingAddress {
    fn from(a: Address) -> Self {
        Self {
            first_name: a.first_name,
            last_name: a.last_name,
            company: a.company,
            address1: a.address1,
            address2: a.address2,
            city: a.city,
            zip: a.zip,
            province_code: a.province_code,
            country_code: a.country_code,
            phone: a.phone,
        }
    }
}

#[derive(InputObject, Clone, Debug)]
pub struct MailingAddressInput {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub address1: String,
    pub address2: Option<String>,
    pub city: String,
    pub zip: Option<String>,
    pub province_code: Option<String>,
    pub country_code: CountryCode,
    pub phone: Option<String>,
}

impl From<MailingAddressInput> for Address {
    fn from(a: MailingAddressInput) -> Self {
        Self {
            first_name: a.first_name,
            last_name: a.last_name,
            company: a.company,
            address1: a.address1,
            address2: a.address2,
            city: a.city,
            zip: a.zip,
            province_code: a.province_code,
            country_code: a.country_code.name().to_owned(),
            phone: a.phone,
        }
    }
}
