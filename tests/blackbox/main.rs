//! Black-box tests: each starts the real `vitrine` binary with a database of its own and
//! speaks GraphQL over HTTP to it, as a storefront, an admin or an integrator would.

mod admin;
mod authz;
mod b2b;
mod browser;
mod checkout;
mod http;
mod identity;
mod inventory;
mod storefront;
mod support;
mod websocket;
