//! `DeliveryMethod`.

use async_graphql::{Object, ID};
use vitrine_domain::delivery::{DeliveryMethod as DomainMethod, DeliveryRate};
use vitrine_domain::id::NodeKind;

use crate::common::gid;
use crate::common::money::MoneyV2;

/// A delivery method as staff set it up.
pub struct DeliveryMethod(pub DomainMethod);

#[Object]
impl DeliveryMethod {
    async fn id(&self) -> ID {
        gid(NodeKind::DeliveryMethod, self.0.id)
    }
    async fn handle(&self) -> &str {
        &self.0.handle
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn channel_ids(&self) -> Vec<ID> {
        self.0.channel_ids.iter().map(|id| gid(NodeKind::Channel, *id)).collect()
    }
    async fn countries(&self) -> &[String] {
        &self.0.countries
    }
    /// `FLAT`, `BY_WEIGHT` or `PICKUP`.
    async fn kind(&self) -> &str {
        match self.0.rate {
            DeliveryRate::Flat(_) => "FLAT",
            DeliveryRate::ByWeight(_) => "BY_WEIGHT",
            DeliveryRate::Pickup { .. } => "PICKUP",
        }
    }
    async fn flat_price(&self) -> Option<MoneyV2> {
        match self.0.rate {
            DeliveryRate::Flat(m) => Some(m.into()),
            _ => None,
        }
    }
    async fn pickup_location_id(&self) -> Option<ID> {
        match self.0.rate {
            DeliveryRate::Pickup { location_id } => Some(gid(NodeKind::Location, location_id)),
            _ => None,
        }
    }
    async fn free_above(&self) -> Option<MoneyV2> {
        self.0.free_above.map(Into::into)
    }
}
