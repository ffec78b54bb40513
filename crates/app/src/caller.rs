//! Who a use case acts for.

use std::net::IpAddr;

use vitrine_domain::access::Actor;
use vitrine_domain::catalog::Channel;

/// The signed-in actor (or anonymous) and the storefront channel a request came through.
/// Services that act on a buyer's cart or order take both together, because what they may
/// see and how they price depends on the pair.
#[derive(Clone, Copy)]
pub struct Caller<'a> {
    pub actor: &'a Actor,
    pub channel: &'a Channel,
    /// The client's address, where the transport knows it; rate limits for anonymous callers
    /// (sign-up, guest order lookup) count per address and apply only when it is known.
    pub client: Option<IpAddr>,
}

impl<'a> Caller<'a> {
    pub fn new(actor: &'a Actor, channel: &'a Channel) -> Self {
        Self { actor, channel, client: None }
    }

    pub fn from_client(self, client: Option<IpAddr>) -> Self {
        Self { client, ..self }
    }
}
