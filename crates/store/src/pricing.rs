//! Price lists (scopes, per-variant prices and rules), discounts and their usage, tax rates.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use vitrine_domain::money::{Currency, Money};
use vitrine_domain::pricing::{
    Discount, DiscountTarget, DiscountUsage, DiscountValue, ItemSelection, Percent, PriceBreak,
    PriceList, PriceListEntry, QuantityRule,
};

use crate::entity::{
    discounts, idempotency_keys, price_list_prices, price_list_scopes, price_lists, tax_rates,
};
use crate::listing::Sql;
use crate::mapping::{currency, from_json, join_list, split_list, to_json};
use crate::{IdempotencyKey, Store, StoreError, INSERT_CHUNK};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaxRateRecord {
    pub id: Uuid,
    pub country_code: String,
    /// Empty for the whole country.
    pub region: String,
    pub name: String,
    pub rate: Percent,
    pub created_at: DateTime<Utc>,
}

/// What a bulk price write did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PricesWriteOutcome {
    Written,
    /// The idempotency key was seen with the same request: nothing was written again.
    Replayed,
    /// The idempotency key was seen with a different request.
    KeyReused,
}

const SCOPE_CHANNEL: &str = "channel";
const SCOPE_GROUP: &str = "customer_group";
const SCOPE_COMPANY: &str = "company";

fn price_list(
    row: price_lists::Model,
    scopes: &[price_list_scopes::Model],
) -> Result<PriceList, StoreError> {
    let of = |kind: &str| {
        scopes
            .iter()
            .filter(|s| s.price_list_id == row.id && s.kind == kind)
            .map(|s| s.target_id)
            .collect::<Vec<_>>()
    };
    Ok(PriceList {
        id: row.id,
        name: row.name.clone(),
        currency: currency(&row.currency)?,
        channel_ids: of(SCOPE_CHANNEL),
        customer_group_ids: of(SCOPE_GROUP),
        company_ids: of(SCOPE_COMPANY),
        starts_at: row.starts_at,
        ends_at: row.ends_at,
        adjustment: row.adjustment_ppm.map(Percent),
    })
}

fn entry(row: price_list_prices::Model, currency: Currency) -> Result<PriceListEntry, StoreError> {
    let breaks: Vec<(u32, i64)> = from_json(&row.breaks)?;
    let count = |n: i32| u32::try_from(n).map_err(|_| StoreError::Corrupt(format!("count {n}")));
    Ok(PriceListEntry {
        price_list_id: row.price_list_id,
        variant_id: row.variant_id,
        price: row.price_minor.map(|m| Money::new(m, currency)),
        compare_at: row.compare_at_minor.map(|m| Money::new(m, currency)),
        rule: QuantityRule {
            minimum: count(row.minimum)?,
            increment: count(row.increment)?,
            maximum: row.maximum.map(count).transpose()?,
        },
        breaks: breaks
            .into_iter()
            .map(|(minimum_quantity, minor)| PriceBreak {
                minimum_quantity,
                price: Money::new(minor, currency),
            })
            .collect(),
    })
}

fn entry_row(e: &PriceListEntry, now: DateTime<Utc>) -> price_list_prices::ActiveModel {
    let breaks: Vec<(u32, i64)> =
        e.breaks.iter().map(|b| (b.minimum_quantity, b.price.minor)).collect();
    let count = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
    price_list_prices::ActiveModel {
        price_list_id: ActiveValue::Set(e.price_list_id),
        variant_id: ActiveValue::Set(e.variant_id),
        price_minor: ActiveValue::Set(e.price.map(|m| m.minor)),
        compare_at_minor: ActiveValue::Set(e.compare_at.map(|m| m.minor)),
        minimum: ActiveValue::Set(count(e.rule.minimum)),
        increment: ActiveValue::Set(count(e.rule.increment)),
        maximum: ActiveValue::Set(e.rule.maximum.map(count)),
        breaks: ActiveValue::Set(to_json(&breaks)),
        updated_at: ActiveValue::Set(now),
    }
}

/// The stored form of a discount's target.
#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum StoredTarget {
    Order,
    Items { selection: StoredSelection },
    BuyXGetY { buy: StoredSelection, buy_quantity: u32, get: StoredSelection, get_quantity: u32 },
}

#[derive(Serialize, Deserialize, Default)]
struct StoredSelection {
    #[serde(default)]
    products: Vec<Uuid>,
    #[serde(default)]
    collections: Vec<Uuid>,
    #[serde(default)]
    brands: Vec<Uuid>,
}

impl From<&ItemSelection> for StoredSelection {
    fn from(s: &ItemSelection) -> Self {
        Self {
            products: s.product_ids.clone(),
            collections: s.collection_ids.clone(),
            brands: s.brand_ids.clone(),
        }
    }
}

impl From<StoredSelection> for ItemSelection {
    fn from(s: StoredSelection) -> Self {
        Self { product_ids: s.products, collection_ids: s.collections, brand_ids: s.brands }
    }
}

fn stored_target(t: &DiscountTarget) -> StoredTarget {
    match t {
        DiscountTarget::Order => StoredTarget::Order,
        DiscountTarget::Items(s) => StoredTarget::Items { selection: s.into() },
        DiscountTarget::BuyXGetY { buy, buy_quantity, get, get_quantity } => {
            StoredTarget::BuyXGetY {
                buy: buy.into(),
                buy_quantity: *buy_quantity,
                get: get.into(),
                get_quantity: *get_quantity,
            }
        }
    }
}

fn target(t: StoredTarget) -> DiscountTarget {
    match t {
        StoredTarget::Order => DiscountTarget::Order,
        StoredTarget::Items { selection } => DiscountTarget::Items(selection.into()),
        StoredTarget::BuyXGetY { buy, buy_quantity, get, get_quantity } => {
            DiscountTarget::BuyXGetY {
                buy: buy.into(),
                buy_quantity,
                get: get.into(),
                get_quantity,
            }
        }
    }
}

fn discount(row: discounts::Model) -> Result<Discount, StoreError> {
    let value = match row.value_kind.as_str() {
        "percentage" => DiscountValue::Percentage(Percent(row.value_amount)),
        "fixed_amount" => {
            let code = row
                .value_currency
                .as_deref()
                .ok_or_else(|| StoreError::Corrupt("fixed amount without currency".into()))?;
            DiscountValue::FixedAmount(Money::new(row.value_amount, currency(code)?))
        }
        other => return Err(StoreError::Corrupt(format!("discount value kind `{other}`"))),
    };
    let minimum_subtotal = match (row.minimum_subtotal_minor, row.minimum_subtotal_currency) {
        (Some(minor), Some(code)) => Some(Money::new(minor, currency(&code)?)),
        _ => None,
    };
    let count = |n: Option<i32>| n.map(|n| u32::try_from(n).unwrap_or(0));
    Ok(Discount {
        id: row.id,
        title: row.title,
        code: row.code,
        value,
        target: target(from_json(&row.target)?),
        minimum_subtotal,
        starts_at: row.starts_at,
        ends_at: row.ends_at,
        usage_limit: count(row.usage_limit),
        usage_limit_per_customer: count(row.usage_limit_per_customer),
        combinable: row.combinable,
        channel_ids: split_list(&row.channel_ids)
            .iter()
            .map(|s| Uuid::parse_str(s).map_err(|e| StoreError::Corrupt(e.to_string())))
            .collect::<Result<_, _>>()?,
        active: row.active,
    })
}

/// Codes match case-insensitively: this is the key they are stored and looked up under.
fn discount_code_key(code: &str) -> String {
    code.trim().to_lowercase()
}

fn discount_row(d: &Discount, now: DateTime<Utc>) -> discounts::Model {
    let (value_kind, value_amount, value_currency) = match d.value {
        DiscountValue::Percentage(p) => ("percentage", p.0, None),
        DiscountValue::FixedAmount(m) => ("fixed_amount", m.minor, Some(m.currency.to_string())),
    };
    let count = |n: Option<u32>| n.map(|n| i32::try_from(n).unwrap_or(i32::MAX));
    discounts::Model {
        id: d.id,
        title: d.title.clone(),
        code: d.code.clone(),
        code_key: d.code.as_deref().map(discount_code_key),
        value_kind: value_kind.to_owned(),
        value_amount,
        value_currency,
        target: to_json(&stored_target(&d.target)),
        minimum_subtotal_minor: d.minimum_subtotal.map(|m| m.minor),
        minimum_subtotal_currency: d.minimum_subtotal.map(|m| m.currency.to_string()),
        starts_at: d.starts_at,
        ends_at: d.ends_at,
        usage_limit: count(d.usage_limit),
        usage_limit_per_customer: count(d.usage_limit_per_customer),
        combinable: d.combinable,
        channel_ids: join_list(&d.channel_ids),
        active: d.active,
        created_at: now,
        updated_at: now,
    }
}

fn tax_rate(row: tax_rates::Model) -> TaxRateRecord {
    TaxRateRecord {
        id: row.id,
        country_code: row.country_code,
        region: row.region,
        name: row.name,
        rate: Percent(row.rate_ppm),
        created_at: row.created_at,
    }
}

async fn scopes_of<C: ConnectionTrait>(
    db: &C,
    ids: &[Uuid],
) -> Result<Vec<price_list_scopes::Model>, StoreError> {
    Ok(price_list_scopes::Entity::find()
        .filter(price_list_scopes::Column::PriceListId.is_in(ids.to_vec()))
        .all(db)
        .await?)
}

impl Store {
    // ---- price lists ----------------------------------------------------------------------

    /// Creates or replaces a price list's header and scopes (not its prices).
    pub async fn save_price_list(&self, list: &PriceList) -> Result<(), StoreError> {
        let now = Utc::now();
        let txn = self.db.begin().await?;
        let row = price_lists::Model {
            id: list.id,
            name: list.name.clone(),
            currency: list.currency.to_string(),
            starts_at: list.starts_at,
            ends_at: list.ends_at,
            adjustment_ppm: list.adjustment.map(|p| p.0),
            created_at: now,
            updated_at: now,
        };
        use price_lists::Column as C;
        price_lists::Entity::insert(row.into_active_model())
            .on_conflict(
                OnConflict::column(C::Id)
                    .update_columns([
                        C::Name,
                        C::Currency,
                        C::StartsAt,
                        C::EndsAt,
                        C::AdjustmentPpm,
                        C::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
        price_list_scopes::Entity::delete_many()
            .filter(price_list_scopes::Column::PriceListId.eq(list.id))
            .exec(&txn)
            .await?;
        let scopes: Vec<price_list_scopes::ActiveModel> = [
            (SCOPE_CHANNEL, &list.channel_ids),
            (SCOPE_GROUP, &list.customer_group_ids),
            (SCOPE_COMPANY, &list.company_ids),
        ]
        .into_iter()
        .flat_map(|(kind, ids)| {
            ids.iter().map(move |id| price_list_scopes::ActiveModel {
                price_list_id: ActiveValue::Set(list.id),
                kind: ActiveValue::Set(kind.to_owned()),
                target_id: ActiveValue::Set(*id),
            })
        })
        .collect();
        for chunk in scopes.chunks(INSERT_CHUNK) {
            price_list_scopes::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    pub async fn price_list(&self, id: Uuid) -> Result<Option<PriceList>, StoreError> {
        let Some(row) = price_lists::Entity::find_by_id(id).one(&self.db).await? else {
            return Ok(None);
        };
        let scopes = scopes_of(&self.db, &[id]).await?;
        price_list(row, &scopes).map(Some)
    }

    /// Every price list, by name; there are few.
    pub async fn price_lists(&self) -> Result<Vec<PriceList>, StoreError> {
        let rows = price_lists::Entity::find()
            .order_by_asc(price_lists::Column::Name)
            .order_by_asc(price_lists::Column::Id)
            .all(&self.db)
            .await?;
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let scopes = if ids.is_empty() { vec![] } else { scopes_of(&self.db, &ids).await? };
        rows.into_iter().map(|r| price_list(r, &scopes)).collect()
    }

    /// The price lists in one of `currencies` (any currency when empty) scoped to any of
    /// `targets` (the buyer's channel, groups and company). Each list carries only the scopes that matched, which is
    /// all the engine needs to rank them.
    pub async fn price_lists_for(
        &self,
        targets: &[Uuid],
        currencies: &[Currency],
    ) -> Result<Vec<PriceList>, StoreError> {
        let scopes = price_list_scopes::Entity::find()
            .filter(price_list_scopes::Column::TargetId.is_in(targets.to_vec()))
            .all(&self.db)
            .await?;
        if scopes.is_empty() {
            return Ok(vec![]);
        }
        let mut ids: Vec<Uuid> = scopes.iter().map(|s| s.price_list_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut query = price_lists::Entity::find().filter(price_lists::Column::Id.is_in(ids));
        if !currencies.is_empty() {
            query = query.filter(
                price_lists::Column::Currency
                    .is_in(currencies.iter().map(ToString::to_string).collect::<Vec<_>>()),
            );
        }
        let rows = query.all(&self.db).await?;
        rows.into_iter().map(|r| price_list(r, &scopes)).collect()
    }

    /// Entries of these variants in these lists.
    pub async fn price_list_entries(
        &self,
        lists: &[(Uuid, Currency)],
        variant_ids: &[Uuid],
    ) -> Result<Vec<PriceListEntry>, StoreError> {
        if lists.is_empty() || variant_ids.is_empty() {
            return Ok(vec![]);
        }
        let currencies: HashMap<Uuid, Currency> = lists.iter().copied().collect();
        let list_ids: Vec<Uuid> = lists.iter().map(|(id, _)| *id).collect();
        let mut found = Vec::new();
        for chunk in variant_ids.chunks(INSERT_CHUNK) {
            let rows = price_list_prices::Entity::find()
                .filter(price_list_prices::Column::VariantId.is_in(chunk.to_vec()))
                .filter(price_list_prices::Column::PriceListId.is_in(list_ids.clone()))
                .all(&self.db)
                .await?;
            for row in rows {
                let Some(currency) = currencies.get(&row.price_list_id) else { continue };
                found.push(entry(row, *currency)?);
            }
        }
        Ok(found)
    }

    /// One page of a list's entries in variant id order; one more than `limit` when more
    /// follow.
    pub async fn price_list_entries_page(
        &self,
        list: &PriceList,
        after: Option<Uuid>,
        limit: u64,
    ) -> Result<Vec<PriceListEntry>, StoreError> {
        let mut query = price_list_prices::Entity::find()
            .filter(price_list_prices::Column::PriceListId.eq(list.id))
            .order_by_asc(price_list_prices::Column::VariantId);
        if let Some(after) = after {
            query = query.filter(price_list_prices::Column::VariantId.gt(after));
        }
        let rows = query.limit(limit + 1).all(&self.db).await?;
        rows.into_iter().map(|r| entry(r, list.currency)).collect()
    }

    /// Writes (inserts or replaces) a list's entries in one transaction; with an
    /// idempotency key, a retry of the same request writes nothing again.
    pub async fn set_price_list_prices(
        &self,
        list_id: Uuid,
        entries: &[PriceListEntry],
        remove_variant_ids: &[Uuid],
        idempotency: Option<IdempotencyKey<'_>>,
    ) -> Result<PricesWriteOutcome, StoreError> {
        let now = Utc::now();
        let txn = self.db.begin().await?;
        // The key is claimed first: a concurrent retry waits on it (PostgreSQL) or on the
        // write lock (SQLite), then finds it taken instead of writing twice.
        if let Some(key) = idempotency {
            let claimed = idempotency_keys::Entity::insert(idempotency_keys::ActiveModel {
                scope: ActiveValue::Set(key.scope.to_owned()),
                key: ActiveValue::Set(key.key.to_owned()),
                fingerprint: ActiveValue::Set(key.fingerprint.to_owned()),
                group_id: ActiveValue::Set(list_id),
                created_at: ActiveValue::Set(now),
            })
            .on_conflict(
                OnConflict::columns([
                    idempotency_keys::Column::Scope,
                    idempotency_keys::Column::Key,
                ])
                .do_nothing()
                .to_owned(),
            )
            .do_nothing()
            .exec_without_returning(&txn)
            .await?;
            if !matches!(claimed, sea_orm::TryInsertResult::Inserted(n) if n > 0) {
                let seen = idempotency_keys::Entity::find_by_id((
                    key.scope.to_owned(),
                    key.key.to_owned(),
                ))
                .one(&txn)
                .await?;
                return Ok(match seen {
                    Some(seen) if seen.fingerprint == key.fingerprint => {
                        PricesWriteOutcome::Replayed
                    }
                    _ => PricesWriteOutcome::KeyReused,
                });
            }
        }
        // Then the list's row: writers of one list take turns (PostgreSQL), so that two syncs
        // upserting the same prices in different orders cannot deadlock on them.
        price_lists::Entity::update_many()
            .col_expr(price_lists::Column::UpdatedAt, now.into())
            .filter(price_lists::Column::Id.eq(list_id))
            .exec(&txn)
            .await?;
        use price_list_prices::Column as C;
        for chunk in entries.chunks(INSERT_CHUNK / 10) {
            price_list_prices::Entity::insert_many(chunk.iter().map(|e| entry_row(e, now)))
                .on_conflict(
                    OnConflict::columns([C::PriceListId, C::VariantId])
                        .update_columns([
                            C::PriceMinor,
                            C::CompareAtMinor,
                            C::Minimum,
                            C::Increment,
                            C::Maximum,
                            C::Breaks,
                            C::UpdatedAt,
                        ])
                        .to_owned(),
                )
                .exec_without_returning(&txn)
                .await?;
        }
        for chunk in remove_variant_ids.chunks(INSERT_CHUNK) {
            price_list_prices::Entity::delete_many()
                .filter(C::PriceListId.eq(list_id))
                .filter(C::VariantId.is_in(chunk.to_vec()))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(PricesWriteOutcome::Written)
    }

    // ---- discounts ------------------------------------------------------------------------

    /// Creates or replaces a discount; `Taken { field: "code" }` when another has its code.
    pub async fn save_discount(&self, d: &Discount) -> Result<(), StoreError> {
        let row = discount_row(d, Utc::now());
        use discounts::Column as C;
        discounts::Entity::insert(row.into_active_model())
            .on_conflict(
                OnConflict::column(C::Id)
                    .update_columns([
                        C::Title,
                        C::Code,
                        C::CodeKey,
                        C::ValueKind,
                        C::ValueAmount,
                        C::ValueCurrency,
                        C::Target,
                        C::MinimumSubtotalMinor,
                        C::MinimumSubtotalCurrency,
                        C::StartsAt,
                        C::EndsAt,
                        C::UsageLimit,
                        C::UsageLimitPerCustomer,
                        C::Combinable,
                        C::ChannelIds,
                        C::Active,
                        C::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await
            .map_err(StoreError::from_write)?;
        Ok(())
    }

    pub async fn discount(&self, id: Uuid) -> Result<Option<Discount>, StoreError> {
        discounts::Entity::find_by_id(id).one(&self.db).await?.map(discount).transpose()
    }

    pub async fn discounts_by_ids(&self, ids: &[Uuid]) -> Result<Vec<Discount>, StoreError> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let rows = discounts::Entity::find()
            .filter(discounts::Column::Id.is_in(ids.to_vec()))
            .all(&self.db)
            .await?;
        rows.into_iter().map(discount).collect()
    }

    /// Every discount, newest first.
    pub async fn discounts(&self) -> Result<Vec<Discount>, StoreError> {
        let rows =
            discounts::Entity::find().order_by_desc(discounts::Column::Id).all(&self.db).await?;
        rows.into_iter().map(discount).collect()
    }

    /// Active automatic discounts, and the discounts with one of these codes whether active or
    /// not (the engine tells the buyer a paused code is not active rather than unknown), in
    /// one query: everything that may apply to a basket.
    pub async fn candidate_discounts(&self, codes: &[String]) -> Result<Vec<Discount>, StoreError> {
        let keys: Vec<String> = codes.iter().map(|c| discount_code_key(c)).collect();
        let automatic = sea_orm::Condition::all()
            .add(discounts::Column::Code.is_null())
            .add(discounts::Column::Active.eq(true));
        let mut condition = sea_orm::Condition::any().add(automatic);
        if !keys.is_empty() {
            condition = condition.add(discounts::Column::CodeKey.is_in(keys));
        }
        let rows = discounts::Entity::find()
            .filter(condition)
            .order_by_asc(discounts::Column::Id)
            .all(&self.db)
            .await?;
        rows.into_iter().map(discount).collect()
    }

    /// The discounts with one of these codes, active or not; none for no codes.
    pub async fn discounts_by_codes(&self, codes: &[String]) -> Result<Vec<Discount>, StoreError> {
        if codes.is_empty() {
            return Ok(vec![]);
        }
        let keys: Vec<String> = codes.iter().map(|c| discount_code_key(c)).collect();
        let rows = discounts::Entity::find()
            .filter(discounts::Column::CodeKey.is_in(keys))
            .order_by_asc(discounts::Column::Id)
            .all(&self.db)
            .await?;
        rows.into_iter().map(discount).collect()
    }

    /// How often each discount was used, in total and by `customer`; one grouped query.
    pub async fn discount_usage(
        &self,
        ids: &[Uuid],
        customer: Option<Uuid>,
    ) -> Result<HashMap<Uuid, DiscountUsage>, StoreError> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let mut sql = Sql::default();
        sql.push(
            "SELECT discount_id, COUNT(*) AS total, \
             SUM(CASE WHEN customer_id = ? THEN 1 ELSE 0 END) AS mine \
             FROM discount_usages WHERE discount_id IN (",
            [customer.unwrap_or(Uuid::nil()).into()],
        );
        sql.push(&Sql::marks(ids.len()), ids.iter().map(|id| (*id).into()));
        sql.push(") GROUP BY discount_id", []);
        let rows = self.db.query_all(sql.statement(self.db.get_database_backend())).await?;
        let mut usage = HashMap::new();
        for row in rows {
            let id: Uuid = row.try_get("", "discount_id")?;
            let total: i64 = row.try_get("", "total")?;
            let mine: i64 = row.try_get("", "mine")?;
            usage.insert(
                id,
                DiscountUsage {
                    total: u32::try_from(total).unwrap_or(u32::MAX),
                    by_customer: u32::try_from(mine).unwrap_or(u32::MAX),
                },
            );
        }
        Ok(usage)
    }

    // ---- taxes ----------------------------------------------------------------------------

    /// Creates or replaces the rate of a country (and region); `Taken` when another rate
    /// already covers that country and region.
    pub async fn save_tax_rate(&self, rate: &TaxRateRecord) -> Result<(), StoreError> {
        let row = tax_rates::Model {
            id: rate.id,
            country_code: rate.country_code.clone(),
            region: rate.region.clone(),
            name: rate.name.clone(),
            rate_ppm: rate.rate.0,
            created_at: rate.created_at,
        };
        use tax_rates::Column as C;
        tax_rates::Entity::insert(row.into_active_model())
            .on_conflict(
                OnConflict::column(C::Id)
                    .update_columns([C::CountryCode, C::Region, C::Name, C::RatePpm])
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await
            .map_err(StoreError::from_write)?;
        Ok(())
    }

    pub async fn delete_tax_rate(&self, id: Uuid) -> Result<bool, StoreError> {
        let result = tax_rates::Entity::delete_by_id(id).exec(&self.db).await?;
        Ok(result.rows_affected > 0)
    }

    pub async fn tax_rates(&self) -> Result<Vec<TaxRateRecord>, StoreError> {
        let rows = tax_rates::Entity::find()
            .order_by_asc(tax_rates::Column::CountryCode)
            .order_by_asc(tax_rates::Column::Region)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(tax_rate).collect())
    }

    pub async fn tax_rate_by_id(&self, id: Uuid) -> Result<Option<TaxRateRecord>, StoreError> {
        Ok(tax_rates::Entity::find_by_id(id).one(&self.db).await?.map(tax_rate))
    }

    /// The rate for a region of a country, else the country's own rate.
    pub async fn tax_rate_for(
        &self,
        country_code: &str,
        region: Option<&str>,
    ) -> Result<Option<TaxRateRecord>, StoreError> {
        let regions = vec![String::new(), region.unwrap_or_default().to_owned()];
        let rows = tax_rates::Entity::find()
            .filter(tax_rates::Column::CountryCode.eq(country_code))
            .filter(tax_rates::Column::Region.is_in(regions))
            .all(&self.db)
            .await?;
        // The regional rate, when there is one, is more specific than the country's.
        let best = rows.into_iter().max_by(|a, b| a.region.len().cmp(&b.region.len()));
        Ok(best.map(tax_rate))
    }
}
