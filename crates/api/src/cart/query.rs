//! `cart(id:)`.

use async_graphql::{Context, Object, ID};
use vitrine_domain::id::NodeKind;

use crate::context::ContextExt;
use crate::error::{bad_input, ResultExt};

#[derive(Default)]
pub struct CartQuery;

#[Object]
impl CartQuery {
    /// A cart, by the id `cartCreate` returned (a customer's cart only to that customer).
    async fn cart(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<crate::cart::types::Cart>> {
        let id = vitrine_domain::id::GlobalId::parse_kind(&id, NodeKind::Cart)
            .map_err(|e| bad_input(e.to_string()))?;
        let req = ctx.req();
        Ok(ctx.app().carts.get(req.caller(), id).await.gql()?.map(crate::cart::types::Cart::new))
    }
}
