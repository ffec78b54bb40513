//! Inventory reads for integrators and admins (`inventory:read`) and the `inventoryChanged`
//! subscription.

use async_graphql::connection::{Connection, CursorType, Edge};
use async_graphql::{Context, Object, Subscription, ID};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use futures_util::{Stream, StreamExt as _};
use uuid::Uuid;
use vitrine_app::{LedgerQuery, LevelQuery};
use vitrine_domain::access::Permission;
use vitrine_domain::id::{GlobalId, NodeKind};

use crate::connection::{page_size, slice_connection, OffsetCursor};
use crate::context::ContextExt;
use crate::error::{bad_input, internal, ResultExt};
use crate::inventory::types::{InventoryChange, InventoryLevel, Location};

/// Most SKUs one `skus:` filter takes.
const MAX_SKUS: usize = 1000;

fn parse_location(id: &ID) -> async_graphql::Result<Uuid> {
    GlobalId::parse_kind(id, NodeKind::Location).map_err(|e| bad_input(e.to_string()))
}

fn check_skus(skus: &Option<Vec<String>>) -> async_graphql::Result<()> {
    if skus.as_ref().is_some_and(|s| s.len() > MAX_SKUS) {
        return Err(bad_input(format!("at most {MAX_SKUS} SKUs per filter")));
    }
    Ok(())
}

/// A level's place in `inventoryLevels`: its SKU and location.
pub struct LevelCursor(String, Uuid);

impl CursorType for LevelCursor {
    type Error = &'static str;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        let raw = URL_SAFE_NO_PAD.decode(s).map_err(|_| "invalid cursor")?;
        let text = String::from_utf8(raw).map_err(|_| "invalid cursor")?;
        let (location, sku) = text.split_once('|').ok_or("invalid cursor")?;
        let location = Uuid::parse_str(location).map_err(|_| "invalid cursor")?;
        Ok(LevelCursor(sku.to_owned(), location))
    }

    fn encode_cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}|{}", self.1, self.0))
    }
}

#[derive(Default)]
pub struct InventoryQuery;

#[Object]
impl InventoryQuery {
    /// Stock locations (shops, warehouses). Needs `inventory:read`.
    async fn locations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<OffsetCursor, Location>> {
        ctx.require(Permission::InventoryRead)?;
        let all = ctx.app().inventory.locations().await.gql()?;
        slice_connection(ctx, all.into_iter().map(Location).collect(), after, None, first, None)
    }

    /// One SKU's stock at one location; null when it has never had any there.
    /// Needs `inventory:read`.
    async fn inventory_level(
        &self,
        ctx: &Context<'_>,
        sku: String,
        location_id: ID,
    ) -> async_graphql::Result<Option<InventoryLevel>> {
        ctx.require(Permission::InventoryRead)?;
        let query = LevelQuery {
            location_id: Some(parse_location(&location_id)?),
            skus: Some(vec![sku]),
            limit: 1,
            ..Default::default()
        };
        let levels = ctx.app().inventory.levels(&query).await.gql()?;
        Ok(levels.into_iter().next().map(InventoryLevel))
    }

    /// Stock levels ordered by SKU, e.g. a whole shop's with `locationId`.
    /// Needs `inventory:read`.
    async fn inventory_levels(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        location_id: Option<ID>,
        skus: Option<Vec<String>>,
    ) -> async_graphql::Result<Connection<LevelCursor, InventoryLevel>> {
        ctx.require(Permission::InventoryRead)?;
        check_skus(&skus)?;
        let size = page_size(ctx, first, None)?;
        let after = after.map(|c| LevelCursor::decode_cursor(&c).map_err(bad_input)).transpose()?;
        let query = LevelQuery {
            location_id: location_id.as_ref().map(parse_location).transpose()?,
            skus,
            variant_ids: None,
            after: after.as_ref().map(|c| (c.0.clone(), c.1)),
            limit: size as u64 + 1,
        };
        let mut levels = ctx.app().inventory.levels(&query).await.gql()?;
        let has_next = levels.len() > size;
        levels.truncate(size);
        let mut connection = Connection::new(after.is_some(), has_next);
        connection.edges.extend(
            levels
                .into_iter()
                .map(|l| Edge::new(LevelCursor(l.sku.clone(), l.location_id), InventoryLevel(l))),
        );
        Ok(connection)
    }

    /// The stock ledger after a cursor, oldest first: a POS that was offline passes the last
    /// `cursor` it processed and reads until `hasNextPage` is false, missing nothing and
    /// seeing nothing twice. Needs `inventory:read`.
    async fn inventory_changes(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        location_id: Option<ID>,
        skus: Option<Vec<String>>,
    ) -> async_graphql::Result<Connection<String, InventoryChange>> {
        ctx.require(Permission::InventoryRead)?;
        check_skus(&skus)?;
        let size = page_size(ctx, first, None)?;
        let after_seq = match &after {
            Some(c) => c.parse::<i64>().map_err(|_| bad_input("invalid cursor"))?,
            None => 0,
        };
        let query = LedgerQuery {
            after: after_seq,
            location_id: location_id.as_ref().map(parse_location).transpose()?,
            skus,
            limit: size as u64 + 1,
        };
        let mut entries = ctx.app().inventory.changes(&query).await.gql()?;
        let has_next = entries.len() > size;
        entries.truncate(size);
        let mut connection = Connection::new(after.is_some(), has_next);
        connection.edges.extend(
            entries
                .into_iter()
                .map(|e| Edge::new(e.seq.to_string(), InventoryChange(std::sync::Arc::new(e)))),
        );
        Ok(connection)
    }
}

#[derive(Default)]
pub struct InventorySubscription;

#[Subscription]
impl InventorySubscription {
    /// Every stock change from now on (from any source: POS, ERP, checkout, admin), once and in
    /// ledger order, optionally for one location and some SKUs. With `after` (a change's
    /// `cursor`; needs `inventory:read`), older changes are replayed first, so a client that
    /// reconnects misses nothing. Counts need `inventory:read`; storefronts get
    /// `availableForSale`.
    async fn inventory_changed(
        &self,
        ctx: &Context<'_>,
        location_id: Option<ID>,
        skus: Option<Vec<String>>,
        after: Option<String>,
    ) -> async_graphql::Result<impl Stream<Item = InventoryChange>> {
        check_skus(&skus)?;
        if after.is_some() {
            // Replaying history is the changes feed's job, and it needs the scope.
            ctx.require(Permission::InventoryRead)?;
        }
        let location = location_id.as_ref().map(parse_location).transpose()?;
        let after =
            after.map(|c| c.parse::<i64>().map_err(|_| bad_input("invalid cursor"))).transpose()?;
        let feed = ctx.app().inventory.feed().clone();
        let subscription = feed.subscribe(after).await.map_err(|e| internal(&e))?;
        let skus: Option<std::collections::HashSet<String>> = skus.map(|s| s.into_iter().collect());
        let req = ctx.req();
        let storefront = (!req.actor.has(Permission::InventoryRead)).then(|| StorefrontView {
            channel: req.channel.clone(),
            views: ctx.app().catalog.views().clone(),
        });
        Ok(futures_util::stream::unfold(subscription, |mut s| async move {
            let entry = s.next().await?;
            Some((entry, s))
        })
        .filter(move |entry| {
            let wanted = location.is_none_or(|l| entry.location_id == l)
                && skus.as_ref().is_none_or(|s| s.contains(&entry.sku));
            std::future::ready(wanted)
        })
        .filter_map(move |entry| {
            let storefront = storefront.clone();
            async move {
                match storefront {
                    Some(view) if !view.shows(&entry).await => None,
                    _ => Some(InventoryChange(entry)),
                }
            }
        }))
    }
}

/// What a subscriber without `inventory:read` may hear of: a change of whether a product
/// its channel shows can be bought, nothing else (not the sales themselves, not drafts or
/// other brands' SKUs).
#[derive(Clone)]
struct StorefrontView {
    channel: std::sync::Arc<vitrine_domain::catalog::Channel>,
    views: std::sync::Arc<vitrine_app::product_views::ProductViews>,
}

impl StorefrontView {
    async fn shows(&self, entry: &vitrine_domain::inventory::LedgerEntry) -> bool {
        let was = entry.before.sellable_online() > 0;
        let is = entry.after.sellable_online() > 0;
        if was == is {
            return false;
        }
        match self.views.of_variants(&[entry.variant_id]).await {
            Ok(views) => views.first().is_some_and(|v| self.channel.shows(&v.product)),
            Err(e) => {
                tracing::warn!(error = %e, "inventoryChanged could not check a product");
                false
            }
        }
    }
}
