//! Builders shared by the pricing tests.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::money::{Currency, Money};

use super::*;

pub(super) const CHANNEL: u128 = 0xC0;
pub(super) const OTHER_CHANNEL: u128 = 0xC9;
pub(super) const GROUP: u128 = 0x60;
pub(super) const COMPANY: u128 = 0xC0C0;
pub(super) const CUSTOMER: u128 = 0xCC;
pub(super) const VARIANT: u128 = 0x7A;

pub(super) fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

pub(super) fn eur() -> Currency {
    Currency::new("EUR").expect("valid")
}

pub(super) fn usd() -> Currency {
    Currency::new("USD").expect("valid")
}

pub(super) fn m(minor: i64) -> Money {
    Money::new(minor, eur())
}

pub(super) fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).expect("valid")
}

pub(super) fn now() -> DateTime<Utc> {
    at(1_000_000)
}

pub(super) fn pct(text: &str) -> Percent {
    Percent::parse(text).expect("valid percent")
}

pub(super) fn buyer() -> Buyer {
    Buyer {
        channel_id: id(CHANNEL),
        customer_id: Some(id(CUSTOMER)),
        customer_group_ids: vec![id(GROUP)],
        company_id: Some(id(COMPANY)),
    }
}

pub(super) fn list(n: u128) -> PriceList {
    PriceList {
        id: id(n),
        name: format!("list {n}"),
        currency: eur(),
        channel_ids: Vec::new(),
        customer_group_ids: Vec::new(),
        company_ids: Vec::new(),
        starts_at: None,
        ends_at: None,
        adjustment: None,
    }
}

pub(super) fn scoped_list(n: u128, scope: ScopeMatch) -> PriceList {
    let mut l = list(n);
    match scope {
        ScopeMatch::Channel => l.channel_ids.push(id(CHANNEL)),
        ScopeMatch::CustomerGroup => l.customer_group_ids.push(id(GROUP)),
        ScopeMatch::Company => l.company_ids.push(id(COMPANY)),
    }
    l
}

pub(super) fn entry(list: u128, price: Option<i64>) -> PriceListEntry {
    PriceListEntry {
        price_list_id: id(list),
        variant_id: id(VARIANT),
        price: price.map(m),
        compare_at: None,
        rule: QuantityRule::default(),
        breaks: Vec::new(),
    }
}

pub(super) fn offer(price: i64) -> Offer {
    Offer {
        variant_id: id(VARIANT),
        price_list_id: None,
        scope: None,
        price: m(price),
        compare_at: None,
        rule: QuantityRule::default(),
        breaks: Vec::new(),
    }
}

pub(super) fn item(product: u128) -> ItemFacts {
    ItemFacts { product_id: id(product), brand_id: None, collection_ids: Vec::new() }
}

pub(super) fn line(product: u128, unit: i64, quantity: u32) -> BasketLine {
    let mut offer = offer(unit);
    offer.variant_id = id(product + 0x1000);
    BasketLine { item: item(product), offer, quantity }
}

pub(super) fn products(ids: &[u128]) -> ItemSelection {
    ItemSelection { product_ids: ids.iter().map(|&n| id(n)).collect(), ..Default::default() }
}

pub(super) fn discount(n: u128, value: DiscountValue, target: DiscountTarget) -> Discount {
    Discount {
        id: id(n),
        title: format!("discount {n}"),
        code: None,
        value,
        target,
        minimum_subtotal: None,
        starts_at: None,
        ends_at: None,
        usage_limit: None,
        usage_limit_per_customer: None,
        combinable: true,
        channel_ids: Vec::new(),
        active: true,
    }
}

pub(super) fn percent_off(n: u128, percent: &str, target: DiscountTarget) -> Discount {
    discount(n, DiscountValue::Percentage(pct(percent)), target)
}

pub(super) fn amount_off(n: u128, minor: i64, target: DiscountTarget) -> Discount {
    discount(n, DiscountValue::FixedAmount(m(minor)), target)
}

pub(super) fn with_code(mut d: Discount, code: &str) -> Discount {
    d.code = Some(code.to_owned());
    d
}

pub(super) fn everything() -> DiscountTarget {
    DiscountTarget::Items(ItemSelection::default())
}

pub(super) fn bxgy(
    buy: ItemSelection,
    buy_quantity: u32,
    get: ItemSelection,
    get_quantity: u32,
) -> DiscountTarget {
    DiscountTarget::BuyXGetY { buy, buy_quantity, get, get_quantity }
}

pub(super) fn basket<'a>(
    lines: Vec<BasketLine>,
    discounts: &'a [Discount],
    usage: &'a HashMap<Uuid, DiscountUsage>,
) -> Basket<'a> {
    Basket {
        currency: eur(),
        channel_id: id(CHANNEL),
        customer_id: Some(id(CUSTOMER)),
        lines,
        discounts,
        codes: Vec::new(),
        usage,
        tax: TaxContext::NONE,
        now: now(),
    }
}

pub(super) fn price(
    lines: Vec<BasketLine>,
    discounts: &[Discount],
    codes: &[&str],
) -> PricedBasket {
    let usage = HashMap::new();
    let mut b = basket(lines, discounts, &usage);
    b.codes = codes.iter().map(|c| (*c).to_owned()).collect();
    price_basket(&b)
}

pub(super) fn line_discounts(priced: &PricedBasket) -> Vec<i64> {
    priced.lines.iter().map(|l| l.subtotal.minor - l.total.minor).collect()
}

pub(super) fn applied_ids(priced: &PricedBasket) -> Vec<Uuid> {
    priced.applied.iter().map(|a| a.discount_id).collect()
}
