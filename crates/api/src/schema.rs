//! The three roots, each merged from the features' objects. A new feature adds its query,
//! mutation or subscription object here and nowhere else.

use async_graphql::{MergedObject, MergedSubscription};

use crate::{
    cart, catalog, checkout, common, companies, delivery, identity, inventory, orders, pricing,
};

/// The query root: every feature's reads.
#[derive(MergedObject, Default)]
pub struct Query(
    catalog::CatalogQuery,
    common::NodeQuery,
    identity::IdentityQuery,
    inventory::InventoryQuery,
    pricing::PricingQuery,
    companies::CompanyQuery,
    pricing::PricingAdminQuery,
    orders::OrderQuery,
    delivery::DeliveryQuery,
    cart::CartQuery,
);

#[derive(MergedObject, Default)]
pub struct Mutation(
    catalog::CatalogMutation,
    identity::IdentityMutation,
    inventory::InventoryMutation,
    companies::CompanyMutation,
    pricing::PricingMutation,
    cart::CartMutation,
    checkout::CheckoutMutation,
    orders::OrderMutation,
    delivery::DeliveryMutation,
);

/// Every subscription root field.
#[derive(MergedSubscription, Default)]
pub struct Subscription(inventory::InventorySubscription, orders::OrderSubscription);
