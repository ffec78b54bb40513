//! What a promotion is: its value, the items it selects, its window and limits; and what the
//! promotion rules see of a basket line.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::money::Money;

use super::percent::Percent;

/// How many discount codes a buyer may enter at once.
pub const MAX_ENTERED_CODES: usize = 10;
/// The longest discount code, in characters.
pub const MAX_CODE_CHARS: usize = 64;

/// What a promotion takes off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiscountValue {
    /// Positive: `200_000` takes 20% off.
    Percentage(Percent),
    /// On items: off each unit, at most the unit's price. On the order: once, at most the
    /// discountable subtotal.
    FixedAmount(Money),
}

/// Which items a promotion is about: empty lists on all three mean every item.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ItemSelection {
    pub product_ids: Vec<Uuid>,
    pub collection_ids: Vec<Uuid>,
    pub brand_ids: Vec<Uuid>,
}

impl ItemSelection {
    /// Every item when all three lists are empty; else items of a listed product, of a
    /// listed brand, or in a listed collection.
    pub fn matches(&self, item: &ItemFacts) -> bool {
        if self.product_ids.is_empty()
            && self.collection_ids.is_empty()
            && self.brand_ids.is_empty()
        {
            return true;
        }
        self.product_ids.contains(&item.product_id)
            || item.brand_id.is_some_and(|b| self.brand_ids.contains(&b))
            || item.collection_ids.iter().any(|c| self.collection_ids.contains(c))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiscountTarget {
    /// Off the order's discountable subtotal, allocated to lines pro rata.
    Order,
    /// Off each unit of matching items.
    Items(ItemSelection),
    /// For every `buy_quantity` units bought from `buy`, `get_quantity` units from `get`
    /// get the discount's value (100% is free). The cheapest qualifying units are the ones
    /// discounted.
    ///
    /// Only units of discountable lines count. The number of sets is the largest `k` such
    /// that `k * buy_quantity` "buy" units and `k * get_quantity` "get" units can be taken
    /// as distinct units (a unit matching both selections counts as one or the other, never
    /// both): buy 2 get 1 on one item discounts 1 unit of 3, 1 of 5 and 2 of 6. The
    /// `k * get_quantity` discounted units are the cheapest get-units (ties: earlier line)
    /// that still leave enough units to buy. A zero `buy_quantity` or `get_quantity`
    /// discounts nothing.
    BuyXGetY { buy: ItemSelection, buy_quantity: u32, get: ItemSelection, get_quantity: u32 },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Discount {
    pub id: Uuid,
    pub title: String,
    /// `None`: automatic (applies without a code).
    pub code: Option<String>,
    pub value: DiscountValue,
    pub target: DiscountTarget,
    /// The basket's subtotal before discounts must reach this.
    pub minimum_subtotal: Option<Money>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub usage_limit: Option<u32>,
    pub usage_limit_per_customer: Option<u32>,
    /// Whether it may apply together with other combinable discounts.
    pub combinable: bool,
    /// Empty: every channel.
    pub channel_ids: Vec<Uuid>,
    pub active: bool,
}

impl Discount {
    /// Whether it picks items by collection: then pricing needs the items' collections.
    pub fn selects_collections(&self) -> bool {
        match &self.target {
            DiscountTarget::Order => false,
            DiscountTarget::Items(s) => !s.collection_ids.is_empty(),
            DiscountTarget::BuyXGetY { buy, get, .. } => {
                !buy.collection_ids.is_empty() || !get.collection_ids.is_empty()
            }
        }
    }
}

/// How often a discount was used, overall and by this buyer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DiscountUsage {
    pub total: u32,
    pub by_customer: u32,
}

/// Why an entered code does not apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeRejection {
    Unknown,
    NotActive,
    UsageLimitReached,
    MinimumSubtotalNotReached,
    NoEligibleItems,
    /// Valid, but the combination rules chose a better set without it.
    NotCombinable,
    /// A per-customer limit and nobody signed in.
    RequiresCustomer,
}

/// Catalog facts promotions select on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ItemFacts {
    pub product_id: Uuid,
    pub brand_id: Option<Uuid>,
    pub collection_ids: Vec<Uuid>,
}

/// What the promotion rules need of a basket line.
pub(super) struct LineFacts<'a> {
    pub(super) item: &'a ItemFacts,
    /// Unit price after tiers, never negative.
    pub(super) unit: i64,
    pub(super) quantity: u32,
    pub(super) subtotal: i64,
    pub(super) discountable: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::fixtures::*;

    #[test]
    fn item_selection_matches_a_product_a_brand_or_a_collection() {
        let facts = ItemFacts {
            product_id: id(1),
            brand_id: Some(id(2)),
            collection_ids: vec![id(3), id(4)],
        };
        assert!(ItemSelection::default().matches(&facts), "empty selects everything");
        assert!(products(&[1]).matches(&facts));
        assert!(!products(&[9]).matches(&facts));
        let brand = ItemSelection { brand_ids: vec![id(2)], ..Default::default() };
        assert!(brand.matches(&facts));
        assert!(!brand.matches(&item(1)), "no brand");
        let collection = ItemSelection { collection_ids: vec![id(4)], ..Default::default() };
        assert!(collection.matches(&facts));
        let other = ItemSelection {
            product_ids: vec![id(9)],
            brand_ids: vec![id(9)],
            collection_ids: vec![id(9)],
        };
        assert!(!other.matches(&facts));
    }
}
