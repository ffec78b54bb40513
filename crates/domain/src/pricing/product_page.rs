//! The price a product page shows, before anything is in the cart.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::money::Money;

use super::discount_amounts::units_discount;
use super::eligibility::is_live;
use super::offer::Offer;
use super::promotions::{Discount, DiscountTarget, ItemFacts};

/// What the product page shows: the offer's price for one unit after the best automatic
/// item-level discount (no code, no minimum subtotal, no usage limit, percentage or fixed
/// amount) that
/// applies to the item now in this channel; `compare_at` then shows the undiscounted price
/// (or the offer's compare-at if higher). Returns `(price, compare_at)`.
pub fn displayed_price(
    offer: &Offer,
    item: &ItemFacts,
    discounts: &[Discount],
    channel_id: Uuid,
    now: DateTime<Utc>,
) -> (Money, Option<Money>) {
    let price = offer.unit_price(1);
    let best = if offer.is_discountable() {
        discounts
            .iter()
            .filter(|d| {
                // Usage-limited promotions stay off the page: it cannot know whether one is
                // used up, and must not show a price the cart then refuses.
                d.code.is_none()
                    && d.minimum_subtotal.is_none()
                    && d.usage_limit.is_none()
                    && d.usage_limit_per_customer.is_none()
                    && is_live(d, channel_id, now)
                    && matches!(&d.target, DiscountTarget::Items(s) if s.matches(item))
            })
            .map(|d| (units_discount(d.value, price.minor.max(0), 1, price.currency), d.id))
            .filter(|&(reduction, _)| reduction > 0)
            .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)))
    } else {
        None
    };
    match best {
        None => (price, offer.compare_at),
        Some((reduction, _)) => {
            let discounted =
                Money::new(price.minor.saturating_sub(reduction).max(0), price.currency);
            let compare_at = match offer.compare_at {
                Some(c) if c.currency == price.currency && c.minor > price.minor => c,
                _ => price,
            };
            (discounted, Some(compare_at))
        }
    }
}

#[cfg(test)]
// Amounts in tests are written as euros_cents: `100_00` is 100.00.
#[allow(clippy::inconsistent_digit_grouping)]
mod tests {
    use super::*;
    use crate::pricing::fixtures::*;
    use crate::pricing::{DiscountValue, ItemSelection, ScopeMatch};

    #[test]
    fn product_page_shows_the_best_automatic_item_discount() {
        let d = [
            percent_off(2, "10", everything()),
            amount_off(1, 2_50, DiscountTarget::Items(products(&[1]))),
            amount_off(3, 2_50, everything()),
            percent_off(4, "50", DiscountTarget::Items(products(&[9]))),
        ];
        let o = Offer { compare_at: Some(m(12_00)), ..offer(20_00) };
        assert_eq!(
            displayed_price(&o, &item(1), &d, id(CHANNEL), now()),
            (m(17_50), Some(m(20_00)))
        );
        let o = Offer { compare_at: Some(m(30_00)), ..offer(20_00) };
        assert_eq!(
            displayed_price(&o, &item(1), &d, id(CHANNEL), now()),
            (m(17_50), Some(m(30_00)))
        );
        // Never below zero.
        let d = [amount_off(1, 50_00, everything())];
        assert_eq!(
            displayed_price(&offer(20_00), &item(1), &d, id(CHANNEL), now()),
            (m(0), Some(m(20_00)))
        );
    }

    #[test]
    fn product_page_ignores_codes_minimums_orders_other_channels_and_negotiated_prices() {
        let mut minimum = percent_off(2, "20", everything());
        minimum.minimum_subtotal = Some(m(1));
        let mut elsewhere = percent_off(3, "20", everything());
        elsewhere.channel_ids = vec![id(OTHER_CHANNEL)];
        let mut inactive = percent_off(4, "20", everything());
        inactive.active = false;
        let mut later = percent_off(5, "20", everything());
        later.starts_at = Some(at(now().timestamp() + 1));
        let d = [
            with_code(percent_off(1, "20", everything()), "X"),
            minimum,
            elsewhere,
            inactive,
            later,
            percent_off(6, "20", DiscountTarget::Order),
            percent_off(7, "20", bxgy(ItemSelection::default(), 1, ItemSelection::default(), 1)),
            discount(8, DiscountValue::FixedAmount(Money::new(1_00, usd())), everything()),
        ];
        let o = Offer { compare_at: Some(m(25_00)), ..offer(20_00) };
        assert_eq!(
            displayed_price(&o, &item(1), &d, id(CHANNEL), now()),
            (m(20_00), Some(m(25_00)))
        );
        let negotiated = Offer { scope: Some(ScopeMatch::Company), ..offer(20_00) };
        let d = [percent_off(1, "20", everything())];
        assert_eq!(
            displayed_price(&negotiated, &item(1), &d, id(CHANNEL), now()),
            (m(20_00), None)
        );
    }
}
