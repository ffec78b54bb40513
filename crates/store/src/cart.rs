//! Carts and their lines, and the channel's delivery methods.
//!
//! A cart is saved whole (its row and all its lines) with an optimistic version check, so two
//! tabs editing the same cart never silently lose one's change: the loser retries on the
//! fresh cart.

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    JoinType, QueryFilter, QueryOrder, QuerySelect, RelationDef, TransactionTrait,
};
use uuid::Uuid;
use vitrine_domain::cart::{Attribute, Cart, CartLine};
use vitrine_domain::delivery::{DeliveryMethod, DeliveryRate, WeightBand};
use vitrine_domain::money::Money;

use crate::entity::*;
use crate::mapping::{currency, from_json, to_json};
use crate::{Store, StoreError};

/// Whether a cart save went through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CartSave {
    Saved,
    /// Someone saved the cart since it was read (or checkout completed it); nothing written.
    Stale,
}

impl Store {
    pub async fn cart(&self, id: Uuid) -> Result<Option<Cart>, StoreError> {
        // The cart and its lines in one statement: every cart operation and checkout starts
        // here.
        let lines_of_cart: RelationDef = cart_lines::Entity::belongs_to(carts::Entity)
            .from(cart_lines::Column::CartId)
            .to(carts::Column::Id)
            .into();
        let rows = carts::Entity::find_by_id(id)
            .join_rev(JoinType::LeftJoin, lines_of_cart)
            .select_also(cart_lines::Entity)
            .order_by_asc(cart_lines::Column::Position)
            .all(&self.db)
            .await?;
        let Some((row, _)) = rows.first() else { return Ok(None) };
        let row = row.clone();
        let lines = rows.into_iter().filter_map(|(_, line)| line).collect();
        Ok(Some(cart_of(row, lines)?))
    }

    /// The customer's open (not checked out) cart on a channel, the latest if several.
    pub async fn open_cart_of(
        &self,
        customer_id: Uuid,
        channel_id: Uuid,
    ) -> Result<Option<Cart>, StoreError> {
        let row = carts::Entity::find()
            .filter(carts::Column::CustomerId.eq(customer_id))
            .filter(carts::Column::ChannelId.eq(channel_id))
            .filter(carts::Column::OrderId.is_null())
            .order_by_desc(carts::Column::UpdatedAt)
            .one(&self.db)
            .await?;
        match row {
            Some(row) => Ok(Some(cart_with_lines(&self.db, row).await?)),
            None => Ok(None),
        }
    }

    /// Saves the cart and its lines if it is still at `expected_version` (`None`: a new cart),
    /// raising its version; `retire` deletes another open cart in the same transaction (the
    /// saved cart a guest cart was merged with).
    pub async fn save_cart(
        &self,
        cart: &Cart,
        expected_version: Option<i32>,
        retire: Option<Uuid>,
    ) -> Result<CartSave, StoreError> {
        let txn = self.db.begin().await?;
        let now = Utc::now();
        let row = carts::Model {
            id: cart.id,
            channel_id: cart.channel_id,
            currency: cart.currency.to_string(),
            customer_id: cart.customer_id,
            company_location_id: cart.company_location_id,
            email: cart.email.clone(),
            country_code: cart.country_code.clone(),
            note: cart.note.clone(),
            discount_codes: to_json(&cart.discount_codes),
            attributes: to_json(&cart.attributes),
            shipping_address: cart.shipping_address.as_ref().map(to_json),
            billing_address: cart.billing_address.as_ref().map(to_json),
            delivery_handle: cart.delivery_handle.clone(),
            version: expected_version.map_or(1, |v| v + 1),
            order_id: None,
            created_at: cart.created_at,
            updated_at: now,
        };
        match expected_version {
            None => {
                carts::Entity::insert(row.into_active_model())
                    .exec_without_returning(&txn)
                    .await
                    .map_err(StoreError::from_write)?;
            }
            Some(version) => {
                let mut active = row.into_active_model().reset_all();
                active.created_at = ActiveValue::NotSet;
                active.id = ActiveValue::NotSet;
                let updated = carts::Entity::update_many()
                    .set(active)
                    .filter(carts::Column::Id.eq(cart.id))
                    .filter(carts::Column::Version.eq(version))
                    .filter(carts::Column::OrderId.is_null())
                    .exec(&txn)
                    .await?;
                if updated.rows_affected == 0 {
                    txn.rollback().await?;
                    return Ok(CartSave::Stale);
                }
                cart_lines::Entity::delete_many()
                    .filter(cart_lines::Column::CartId.eq(cart.id))
                    .exec(&txn)
                    .await?;
            }
        }
        if let Some(old) = retire {
            cart_lines::Entity::delete_many()
                .filter(cart_lines::Column::CartId.eq(old))
                .exec(&txn)
                .await?;
            carts::Entity::delete_many()
                .filter(carts::Column::Id.eq(old))
                .filter(carts::Column::OrderId.is_null())
                .exec(&txn)
                .await?;
        }
        if !cart.lines.is_empty() {
            let lines = cart.lines.iter().enumerate().map(|(i, l)| cart_lines::ActiveModel {
                id: ActiveValue::Set(l.id),
                cart_id: ActiveValue::Set(cart.id),
                variant_id: ActiveValue::Set(l.variant_id),
                quantity: ActiveValue::Set(i32::try_from(l.quantity).unwrap_or(i32::MAX)),
                attributes: ActiveValue::Set(to_json(&l.attributes)),
                position: ActiveValue::Set(i32::try_from(i).unwrap_or(i32::MAX)),
            });
            cart_lines::Entity::insert_many(lines).exec_without_returning(&txn).await?;
        }
        txn.commit().await?;
        Ok(CartSave::Saved)
    }

    /// Makes the cart a new version of itself without changing it, when it is still at
    /// `expected` and not checked out. Card checkouts are named after the cart's version, so
    /// after a refused attempt this makes the next one a new attempt.
    pub async fn bump_cart_version(&self, id: Uuid, expected: i32) -> Result<CartSave, StoreError> {
        let updated = carts::Entity::update_many()
            .col_expr(carts::Column::Version, Expr::col(carts::Column::Version).add(1))
            .col_expr(carts::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(carts::Column::Id.eq(id))
            .filter(carts::Column::Version.eq(expected))
            .filter(carts::Column::OrderId.is_null())
            .exec(&self.db)
            .await?;
        Ok(if updated.rows_affected == 0 { CartSave::Stale } else { CartSave::Saved })
    }

    /// `(sku, variant id)` of the SKUs that exist.
    pub async fn variant_ids_by_skus(
        &self,
        skus: &[String],
    ) -> Result<Vec<(String, Uuid)>, StoreError> {
        let mut found = vec![];
        for chunk in skus.chunks(crate::INSERT_CHUNK) {
            let rows = product_variants::Entity::find()
                .filter(product_variants::Column::Sku.is_in(chunk.to_vec()))
                .all(&self.db)
                .await?;
            found.extend(rows.into_iter().map(|r| (r.sku, r.id)));
        }
        Ok(found)
    }

    // ---- delivery methods -------------------------------------------------------------------

    pub async fn delivery_methods(&self) -> Result<Vec<DeliveryMethod>, StoreError> {
        let rows = delivery_methods::Entity::find()
            .order_by_asc(delivery_methods::Column::CreatedAt)
            .order_by_asc(delivery_methods::Column::Id)
            .all(&self.db)
            .await?;
        rows.into_iter().map(delivery_method).collect()
    }

    /// Inserts the method, or replaces it when its id exists. A taken handle is `Conflict`.
    pub async fn save_delivery_method(&self, method: &DeliveryMethod) -> Result<(), StoreError> {
        let (kind, currency, flat, bands, pickup) = match &method.rate {
            DeliveryRate::Flat(price) => {
                ("flat", price.currency.to_string(), Some(price.minor), None, None)
            }
            DeliveryRate::ByWeight(bands) => {
                let pairs: Vec<(u64, i64)> =
                    bands.iter().map(|b| (b.up_to_grams, b.price.minor)).collect();
                let currency =
                    bands.first().map(|b| b.price.currency.to_string()).unwrap_or_default();
                ("weight", currency, None, Some(to_json(&pairs)), None)
            }
            DeliveryRate::Pickup { location_id } => {
                ("pickup", String::new(), None, None, Some(*location_id))
            }
        };
        let currency = if currency.is_empty() {
            method.free_above.map(|m| m.currency.to_string()).unwrap_or_default()
        } else {
            currency
        };
        let row = delivery_methods::Model {
            id: method.id,
            handle: method.handle.clone(),
            title: method.title.clone(),
            channel_ids: to_json(&method.channel_ids),
            countries: to_json(&method.countries),
            kind: kind.to_owned(),
            currency,
            flat_minor: flat,
            weight_bands: bands,
            pickup_location_id: pickup,
            free_above_minor: method.free_above.map(|m| m.minor),
            created_at: Utc::now(),
        };
        let txn = self.db.begin().await?;
        let exists = delivery_methods::Entity::find_by_id(method.id).one(&txn).await?;
        if let Some(old) = exists {
            let mut active = row.into_active_model();
            active.created_at = ActiveValue::Set(old.created_at);
            delivery_methods::Entity::update(active)
                .exec(&txn)
                .await
                .map_err(StoreError::from_write)?;
        } else {
            delivery_methods::Entity::insert(row.into_active_model())
                .exec_without_returning(&txn)
                .await
                .map_err(StoreError::from_write)?;
        }
        txn.commit().await?;
        Ok(())
    }

    pub async fn delete_delivery_method(&self, id: Uuid) -> Result<bool, StoreError> {
        let done = delivery_methods::Entity::delete_by_id(id).exec(&self.db).await?;
        Ok(done.rows_affected > 0)
    }
}

async fn cart_with_lines<C: ConnectionTrait>(
    db: &C,
    row: carts::Model,
) -> Result<Cart, StoreError> {
    let lines = cart_lines::Entity::find()
        .filter(cart_lines::Column::CartId.eq(row.id))
        .order_by_asc(cart_lines::Column::Position)
        .all(db)
        .await?;
    cart_of(row, lines)
}

fn cart_of(row: carts::Model, lines: Vec<cart_lines::Model>) -> Result<Cart, StoreError> {
    let lines = lines
        .into_iter()
        .map(|l| {
            Ok(CartLine {
                id: l.id,
                variant_id: l.variant_id,
                quantity: u32::try_from(l.quantity).unwrap_or(0),
                attributes: from_json::<Vec<Attribute>>(&l.attributes)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Cart {
        id: row.id,
        channel_id: row.channel_id,
        currency: currency(&row.currency)?,
        customer_id: row.customer_id,
        company_location_id: row.company_location_id,
        email: row.email,
        country_code: row.country_code,
        note: row.note,
        discount_codes: from_json(&row.discount_codes)?,
        attributes: from_json(&row.attributes)?,
        shipping_address: row.shipping_address.as_deref().map(from_json).transpose()?,
        billing_address: row.billing_address.as_deref().map(from_json).transpose()?,
        delivery_handle: row.delivery_handle,
        version: row.version,
        order_id: row.order_id,
        lines,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

fn delivery_method(row: delivery_methods::Model) -> Result<DeliveryMethod, StoreError> {
    let money = |minor: i64| -> Result<Money, StoreError> {
        Ok(Money::new(minor, currency(&row.currency)?))
    };
    let rate = match row.kind.as_str() {
        "flat" => DeliveryRate::Flat(money(row.flat_minor.unwrap_or(0))?),
        "weight" => {
            let pairs: Vec<(u64, i64)> = from_json(row.weight_bands.as_deref().unwrap_or("[]"))?;
            DeliveryRate::ByWeight(
                pairs
                    .into_iter()
                    .map(|(up_to_grams, minor)| {
                        Ok(WeightBand { up_to_grams, price: money(minor)? })
                    })
                    .collect::<Result<_, StoreError>>()?,
            )
        }
        "pickup" => DeliveryRate::Pickup {
            location_id: row
                .pickup_location_id
                .ok_or_else(|| StoreError::Corrupt("pickup method without location".into()))?,
        },
        other => return Err(StoreError::Corrupt(format!("delivery method kind `{other}`"))),
    };
    let free_above = match row.free_above_minor {
        Some(minor) => Some(money(minor)?),
        None => None,
    };
    Ok(DeliveryMethod {
        id: row.id,
        handle: row.handle,
        title: row.title,
        channel_ids: from_json(&row.channel_ids)?,
        countries: from_json(&row.countries)?,
        rate,
        free_above,
    })
}
