//! The pricing engine: what a buyer pays for a variant, in a quantity, at a moment, in a
//! currency; and what a whole basket of lines costs after promotions and taxes.
//!
//! Pure: callers load price lists, entries, discounts and the tax rate, then ask. The same
//! inputs always give the same answer, so the product page, the cart and checkout agree.
//!
//! # Resolution order (stated here, property-tested next to the code of each step)
//!
//! 1. **Price lists that apply**: active at `now` (`starts_at <= now < ends_at`, open ends
//!    allowed), in the shown currency, and in scope for the buyer. A list's scope matches
//!    when the buyer's approved company is in `company_ids`, or one of the buyer's customer
//!    groups is in `customer_group_ids`, or the channel is in `channel_ids`. Its
//!    specificity is the most specific scope that matched: company > customer group >
//!    channel.
//! 2. **The offer for a variant**: among applicable lists that give the variant a price
//!    (an entry with a price, or an `adjustment_percent` of the base price, entries without
//!    a price falling back to the adjustment), the most specific wins; among equally
//!    specific ones, the lowest unit price at quantity 1; then the smallest list id. The
//!    winning list also supplies the quantity rule and volume tiers. No list: the variant's
//!    base price in that currency, default quantity rule, no tiers.
//! 3. **Volume tiers**: the unit price for quantity `q` is the price of the tier with the
//!    greatest `minimum_quantity <= q`, else the offer's price.
//! 4. **Promotions** (see [`price_basket`]): never on lines priced by a company-specific
//!    list (negotiated prices are not discounted further).
//! 5. **Taxes**: one rate per basket (the buyer's country, region if known). Tax is
//!    computed per line on the line's total after discounts and rounded half up (away from
//!    zero) to the currency's minor unit; the basket's tax is the sum of its lines'.
//!    Tax-inclusive channels: `tax = total * rate / (1 + rate)` and the total already holds
//!    it; exclusive ones: `tax = total * rate`, added to the total.

mod basket;
mod buy_x_get_y;
mod combination;
mod discount_amounts;
mod eligibility;
mod error;
#[cfg(test)]
mod fixtures;
mod lists;
mod offer;
mod percent;
mod product_page;
mod promotions;
mod quantity;
mod rounding;
mod tax;
mod window;

pub use basket::{
    price_basket, AppliedDiscount, Basket, BasketLine, DiscountAllocation, PricedBasket, PricedLine,
};
pub use eligibility::entered_codes;
pub use error::PricingRuleError;
pub use lists::{applicable_price_lists, Buyer, PriceList, PriceListEntry, ScopeMatch};
pub use offer::{resolve_offer, Offer};
pub use percent::Percent;
pub use product_page::displayed_price;
pub use promotions::{
    CodeRejection, Discount, DiscountTarget, DiscountUsage, DiscountValue, ItemFacts,
    ItemSelection, MAX_CODE_CHARS, MAX_ENTERED_CODES,
};
pub use quantity::{PriceBreak, QuantityRule, QuantityViolation};
pub use rounding::div_round_half_up;
pub use tax::TaxContext;
