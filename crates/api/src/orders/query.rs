//! Order reads: an order, the admin list, a guest's lookup, a customer's orders.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Object, ID};
use uuid::Uuid;
use vitrine_app::OrderFilter;
use vitrine_domain::access::{Actor, Permission};
use vitrine_domain::id::NodeKind;

use crate::connection::page_size;
use crate::context::ContextExt;
use crate::error::{bad_input, forbidden, ResultExt};
use crate::orders::types::{Order, OrderStatus};

fn parse_order_id(id: &ID) -> async_graphql::Result<Uuid> {
    vitrine_domain::id::GlobalId::parse_kind(id, NodeKind::Order)
        .map_err(|e| bad_input(e.to_string()))
}

/// Newest first, by order number; the cursor is the number.
pub async fn orders_connection(
    ctx: &Context<'_>,
    filter: OrderFilter,
    first: Option<i32>,
    after: Option<String>,
) -> async_graphql::Result<Connection<String, Order>> {
    let size = page_size(ctx, first, None)?;
    let before =
        after.map(|a| a.parse::<i64>().map_err(|_| bad_input("invalid cursor"))).transpose()?;
    let mut orders = ctx.app().orders.orders_page(&filter, before, size as u64 + 1).await.gql()?;
    let more = orders.len() > size;
    orders.truncate(size);
    let mut connection = Connection::new(before.is_some(), more);
    connection.edges.extend(orders.into_iter().map(|o| Edge::new(o.number.to_string(), Order(o))));
    Ok(connection)
}

#[derive(Default)]
pub struct OrderQuery;

#[Object]
impl OrderQuery {
    /// An order: for `orders:read`, the customer who placed it, or their company's admins.
    async fn order(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Order>> {
        let id = parse_order_id(&id)?;
        Ok(ctx.app().orders.order(&ctx.req().actor, id).await.gql()?.map(Order))
    }

    /// Every order, newest first. Needs `orders:read`.
    async fn orders(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        status: Option<OrderStatus>,
    ) -> async_graphql::Result<Connection<String, Order>> {
        ctx.require(Permission::OrdersRead)?;
        let filter = OrderFilter { status: status.map(Into::into), ..OrderFilter::default() };
        orders_connection(ctx, filter, first, after).await
    }

    /// A guest's order, by its number, the email it was placed with and its `statusToken`
    /// (given to the buyer with the order). Null when any of the three does not match. One
    /// lookup per request; lookups are rate limited per client address (`RATE_LIMITED`).
    async fn order_lookup(
        &self,
        ctx: &Context<'_>,
        number: i64,
        #[graphql(validator(max_length = 320))] email: String,
        #[graphql(validator(max_length = 64))] token: String,
    ) -> async_graphql::Result<Option<Order>> {
        let req = ctx.req();
        if !req.first_guest_lookup() {
            return Err(bad_input("one `orderLookup` per request"));
        }
        let order = ctx.app().orders.lookup(req.caller(), number, &email, &token).await.gql()?;
        Ok(order.map(Order))
    }
}

/// Who may see a customer's orders on `Customer.orders`.
pub async fn customer_orders_filter(
    ctx: &Context<'_>,
    customer_id: Uuid,
) -> async_graphql::Result<OrderFilter> {
    match &ctx.req().actor {
        Actor::Customer { id } if *id == customer_id => {
            ctx.app().orders.account_filter(customer_id).await.gql()
        }
        actor if actor.has(Permission::OrdersRead) => {
            Ok(OrderFilter { customer_id: Some(customer_id), ..OrderFilter::default() })
        }
        _ => Err(forbidden()),
    }
}
