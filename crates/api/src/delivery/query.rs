//! Delivery reads: the methods as staff set them up.

use async_graphql::{Context, Object};
use vitrine_domain::access::Permission;

use crate::context::ContextExt;
use crate::delivery::types::DeliveryMethod;
use crate::error::ResultExt;

#[derive(Default)]
pub struct DeliveryQuery;

#[Object]
impl DeliveryQuery {
    /// Delivery methods as set up. Needs `channels:write`.
    async fn delivery_methods(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<DeliveryMethod>> {
        ctx.require(Permission::ChannelsManage)?;
        Ok(ctx.app().delivery.methods().await.gql()?.into_iter().map(DeliveryMethod).collect())
    }
}
