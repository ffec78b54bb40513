//! `orderUpdated`: an order each time it changes, for whoever may see it.

use async_graphql::{Context, Subscription, ID};
use futures_util::{Stream, StreamExt as _};
use uuid::Uuid;
use vitrine_domain::id::NodeKind;

use crate::context::ContextExt;
use crate::error::{bad_input, forbidden, internal, unauthenticated, ResultExt};
use crate::orders::types::Order;

fn parse_order_id(id: &ID) -> async_graphql::Result<Uuid> {
    vitrine_domain::id::GlobalId::parse_kind(id, NodeKind::Order)
        .map_err(|e| bad_input(e.to_string()))
}

#[derive(Default)]
pub struct OrderSubscription;

#[Subscription]
impl OrderSubscription {
    /// The order each time it changes (paid, shipped, tracked, delivered, cancelled), for
    /// whoever may see it.
    async fn order_updated(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<impl Stream<Item = Order>> {
        let id = parse_order_id(&id)?;
        let app = ctx.app().clone();
        let actor = ctx.req().actor.clone();
        if actor.is_anonymous() {
            return Err(unauthenticated());
        }
        if app.orders.order(&actor, id).await.gql()?.is_none() {
            return Err(forbidden());
        }
        let receiver = app.orders.feed().subscribe().await.map_err(|e| internal(&e))?;
        let events = tokio_stream_from(receiver);
        Ok(events
            .filter(move |e| std::future::ready(e.as_ref().is_none_or(|e| e.subject_id == id)))
            .then(move |_| {
                let app = app.clone();
                async move { app.reads.order(id).await.ok().flatten() }
            })
            .filter_map(|o| std::future::ready(o.map(Order))))
    }
}

/// The feed's events as a stream; `None` stands for "some were missed" (re-read).
fn tokio_stream_from(
    receiver: tokio::sync::broadcast::Receiver<std::sync::Arc<vitrine_app::OutboxRecord>>,
) -> impl Stream<Item = Option<std::sync::Arc<vitrine_app::OutboxRecord>>> {
    futures_util::stream::unfold(receiver, |mut r| async move {
        match r.recv().await {
            Ok(e) => Some((Some(e), r)),
            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => Some((None, r)),
            Err(tokio::sync::broadcast::error::RecvError::Closed) => None,
        }
    })
}
