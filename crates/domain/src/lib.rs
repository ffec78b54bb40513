//! Vitrine's domain: the pure types and rules of multi-brand commerce.
//!
//! Nothing here does IO or is async. Money arithmetic, identifiers, catalog validation,
//! localisation fallbacks and who-may-do-what live here so that they can be tested in
//! isolation and shared by every layer above.

pub mod access;
pub mod cart;
pub mod catalog;
pub mod company;
pub mod delivery;
pub mod id;
pub mod inventory;
pub mod locale;
pub mod money;
pub mod order;
pub mod payment;
pub mod pricing;
pub mod product_view;
