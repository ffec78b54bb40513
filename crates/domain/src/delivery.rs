//! Delivery methods and what they cost a parcel: flat rates, weight bands, free shipping
//! above a subtotal, and collection in a shop.
//!
//! Pure: the cart passes its subtotal, weight and destination, and gets the options that fit,
//! cheapest first.

use uuid::Uuid;

use crate::money::Money;

/// How a method prices a parcel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeliveryRate {
    Flat(Money),
    /// Bands by weight, ascending: the first band whose `up_to_grams` holds the parcel
    /// applies; a heavier parcel is not offered this method.
    ByWeight(Vec<WeightBand>),
    /// Collected in a shop (a stock location with pickup); free.
    Pickup {
        location_id: Uuid,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WeightBand {
    pub up_to_grams: u64,
    pub price: Money,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryMethod {
    pub id: Uuid,
    /// Stable name the storefront selects it by (`standard`, `pickup-milano`).
    pub handle: String,
    pub title: String,
    /// Empty: every channel.
    pub channel_ids: Vec<Uuid>,
    /// ISO 3166-1 alpha-2 destinations; empty: everywhere. Pickup ignores it.
    pub countries: Vec<String>,
    pub rate: DeliveryRate,
    /// The parcel ships free when its subtotal reaches this (same currency only).
    pub free_above: Option<Money>,
}

/// What the cart knows of the parcel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parcel {
    pub channel_id: Uuid,
    /// After discounts.
    pub subtotal: Money,
    pub weight_grams: u64,
    /// Unknown until the buyer gives an address; only pickup is offered then.
    pub country: Option<String>,
}

/// A method that fits the parcel, with its price.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryOption {
    pub method_id: Uuid,
    pub handle: String,
    pub title: String,
    pub cost: Money,
    pub pickup_location_id: Option<Uuid>,
}

/// What `method` costs for `parcel`, if it is offered at all.
pub fn quote_method(method: &DeliveryMethod, parcel: &Parcel) -> Option<DeliveryOption> {
    let currency = parcel.subtotal.currency;
    if !method.channel_ids.is_empty() && !method.channel_ids.contains(&parcel.channel_id) {
        return None;
    }
    let pickup_location_id = match method.rate {
        DeliveryRate::Pickup { location_id } => Some(location_id),
        _ => None,
    };
    if pickup_location_id.is_none() {
        let country = parcel.country.as_deref()?;
        if !method.countries.is_empty() && !method.countries.iter().any(|c| c == country) {
            return None;
        }
    }
    let cost = match &method.rate {
        DeliveryRate::Flat(price) => *price,
        DeliveryRate::ByWeight(bands) => {
            bands.iter().find(|b| parcel.weight_grams <= b.up_to_grams)?.price
        }
        DeliveryRate::Pickup { .. } => Money::new(0, currency),
    };
    // A price in another currency cannot be charged in this cart.
    if cost.currency != currency {
        return None;
    }
    let free = method
        .free_above
        .is_some_and(|t| t.currency == currency && parcel.subtotal.minor >= t.minor);
    Some(DeliveryOption {
        method_id: method.id,
        handle: method.handle.clone(),
        title: method.title.clone(),
        cost: if free { Money::new(0, currency) } else { cost },
        pickup_location_id,
    })
}

/// Every method that fits the parcel, cheapest first (then by handle, so the order is
/// stable).
pub fn delivery_options(methods: &[DeliveryMethod], parcel: &Parcel) -> Vec<DeliveryOption> {
    let mut options: Vec<DeliveryOption> =
        methods.iter().filter_map(|m| quote_method(m, parcel)).collect();
    options.sort_by(|a, b| a.cost.minor.cmp(&b.cost.minor).then_with(|| a.handle.cmp(&b.handle)));
    options
}

/// How a cart ships, given the options offered for it (cheapest first, as
/// [`delivery_options`] lists them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryChoice<'a> {
    /// The option the buyer chose; unchosen, the cheapest shipping, and collection only when
    /// nothing ships there. `None` when nothing is offered.
    Ships(Option<&'a DeliveryOption>),
    /// The buyer chose an option that is no longer offered. Shipping another way than the
    /// buyer chose needs their say, so nothing is chosen in its place.
    Withdrawn,
}

/// Which of `options` a cart ships by, `chosen` being the handle the buyer picked, if any.
pub fn choose_delivery<'a>(
    options: &'a [DeliveryOption],
    chosen: Option<&str>,
) -> DeliveryChoice<'a> {
    match chosen {
        Some(handle) => match options.iter().find(|o| o.handle == handle) {
            Some(option) => DeliveryChoice::Ships(Some(option)),
            None => DeliveryChoice::Withdrawn,
        },
        None => DeliveryChoice::Ships(
            options.iter().find(|o| o.pickup_location_id.is_none()).or_else(|| options.first()),
        ),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::money::Currency;

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::new("EUR").expect("EUR"))
    }

    fn method(handle: &str, rate: DeliveryRate) -> DeliveryMethod {
        DeliveryMethod {
            id: Uuid::from_u128(handle.len() as u128),
            handle: handle.to_owned(),
            title: handle.to_owned(),
            channel_ids: vec![],
            countries: vec![],
            rate,
            free_above: None,
        }
    }

    fn parcel(subtotal: i64, grams: u64, country: Option<&str>) -> Parcel {
        Parcel {
            channel_id: Uuid::nil(),
            subtotal: eur(subtotal),
            weight_grams: grams,
            country: country.map(str::to_owned),
        }
    }

    fn bands() -> DeliveryRate {
        DeliveryRate::ByWeight(vec![
            WeightBand { up_to_grams: 1_000, price: eur(800) },
            WeightBand { up_to_grams: 5_000, price: eur(1_500) },
        ])
    }

    #[test]
    fn weight_bands_price_by_the_first_band_that_holds_the_parcel() {
        let m = method("weight", bands());
        assert_eq!(
            quote_method(&m, &parcel(5_000, 1_000, Some("FR"))).map(|o| o.cost),
            Some(eur(800))
        );
        assert_eq!(
            quote_method(&m, &parcel(5_000, 1_001, Some("FR"))).map(|o| o.cost),
            Some(eur(1_500))
        );
        assert_eq!(quote_method(&m, &parcel(5_000, 5_001, Some("FR"))), None, "too heavy");
    }

    #[test]
    fn shipping_is_free_from_the_threshold_on() {
        let mut m = method("standard", DeliveryRate::Flat(eur(900)));
        m.free_above = Some(eur(20_000));
        assert_eq!(
            quote_method(&m, &parcel(19_999, 0, Some("FR"))).map(|o| o.cost),
            Some(eur(900))
        );
        assert_eq!(quote_method(&m, &parcel(20_000, 0, Some("FR"))).map(|o| o.cost), Some(eur(0)));
    }

    #[test]
    fn without_an_address_only_pickup_is_offered() {
        let methods = [
            method("standard", DeliveryRate::Flat(eur(900))),
            method("pickup", DeliveryRate::Pickup { location_id: Uuid::from_u128(9) }),
        ];
        let options = delivery_options(&methods, &parcel(5_000, 500, None));
        assert_eq!(options.len(), 1);
        assert_eq!(options[0].pickup_location_id, Some(Uuid::from_u128(9)));
        assert_eq!(options[0].cost, eur(0));
    }

    #[test]
    fn methods_keep_to_their_countries_and_channels() {
        let mut domestic = method("domestic", DeliveryRate::Flat(eur(500)));
        domestic.countries = vec!["FR".to_owned()];
        assert!(quote_method(&domestic, &parcel(5_000, 0, Some("IT"))).is_none());
        assert!(quote_method(&domestic, &parcel(5_000, 0, Some("FR"))).is_some());
        let mut other_channel = method("b2b", DeliveryRate::Flat(eur(0)));
        other_channel.channel_ids = vec![Uuid::from_u128(1)];
        assert!(quote_method(&other_channel, &parcel(5_000, 0, Some("FR"))).is_none());
    }

    #[test]
    fn a_rate_in_another_currency_is_not_offered() {
        let gbp = Money::new(500, Currency::new("GBP").expect("GBP"));
        let m = method("uk", DeliveryRate::Flat(gbp));
        assert!(quote_method(&m, &parcel(5_000, 0, Some("GB"))).is_none());
    }

    proptest! {
        #[test]
        fn options_come_cheapest_first_and_never_cost_less_than_nothing(
            flat in 0i64..5_000,
            subtotal in 0i64..50_000,
            grams in 0u64..8_000,
            threshold in proptest::option::of(0i64..30_000),
        ) {
            let mut free = method("free-above", DeliveryRate::Flat(eur(flat)));
            free.free_above = threshold.map(eur);
            let methods = [
                free,
                method("weight", bands()),
                method("pickup", DeliveryRate::Pickup { location_id: Uuid::nil() }),
            ];
            let options = delivery_options(&methods, &parcel(subtotal, grams, Some("FR")));
            prop_assert!(options.windows(2).all(|w| w[0].cost.minor <= w[1].cost.minor));
            prop_assert!(options.iter().all(|o| o.cost.minor >= 0));
            prop_assert!(options.iter().any(|o| o.handle == "pickup"));
        }
    }

    fn option(handle: &str, cost: i64, pickup: bool) -> DeliveryOption {
        DeliveryOption {
            method_id: Uuid::nil(),
            handle: handle.to_owned(),
            title: handle.to_owned(),
            cost: eur(cost),
            pickup_location_id: pickup.then(Uuid::nil),
        }
    }

    #[test]
    fn an_unchosen_cart_ships_the_cheapest_way_and_is_collected_only_when_nothing_ships() {
        let options = [option("pickup", 0, true), option("standard", 5_00, false)];
        assert_eq!(choose_delivery(&options, None), DeliveryChoice::Ships(Some(&options[1])));
        let only_pickup = [option("pickup", 0, true)];
        assert_eq!(
            choose_delivery(&only_pickup, None),
            DeliveryChoice::Ships(Some(&only_pickup[0]))
        );
        assert_eq!(choose_delivery(&[], None), DeliveryChoice::Ships(None));
    }

    #[test]
    fn a_chosen_option_ships_while_offered_and_is_never_replaced_when_withdrawn() {
        let options = [option("standard", 5_00, false), option("express", 15_00, false)];
        assert_eq!(
            choose_delivery(&options, Some("express")),
            DeliveryChoice::Ships(Some(&options[1]))
        );
        assert_eq!(choose_delivery(&options[..1], Some("express")), DeliveryChoice::Withdrawn);
    }
}
