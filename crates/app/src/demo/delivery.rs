//! The demo's delivery methods: standard parcels in each currency (free above a subtotal in
//! Europe), an express service priced by weight, and collection in the shops that offer it.

// Prices read as euros_cents.
#![allow(clippy::inconsistent_digit_grouping)]

use vitrine_domain::delivery::{DeliveryMethod, DeliveryRate, WeightBand};
use vitrine_domain::money::{Currency, Money};
use vitrine_store::{Store, StoreError};

use super::{demo_id, demo_locations, timestamp, Kind};

const EU: [&str; 8] = ["FR", "IT", "DE", "ES", "BE", "NL", "AT", "PT"];

pub(super) async fn save_delivery_demo(store: &Store) -> Result<(), StoreError> {
    let at = timestamp(0)?;
    let currency = |code: &str| Currency::new(code).map_err(|e| StoreError::Corrupt(e.to_string()));
    let (eur, gbp, usd) = (currency("EUR")?, currency("GBP")?, currency("USD")?);
    let method =
        |n: u64, handle: &str, title: &str, countries: &[&str], rate, free_above| DeliveryMethod {
            id: demo_id(Kind::DeliveryMethod, at, n),
            handle: handle.to_owned(),
            title: title.to_owned(),
            channel_ids: vec![],
            countries: countries.iter().map(|c| (*c).to_owned()).collect(),
            rate,
            free_above,
        };
    let mut methods = vec![
        method(
            1,
            "standard-eu",
            "Standard (3-5 days)",
            &EU,
            DeliveryRate::Flat(Money::new(4_90, eur)),
            Some(Money::new(100_00, eur)),
        ),
        method(
            2,
            "express-eu",
            "Express (next day)",
            &EU,
            DeliveryRate::ByWeight(vec![
                WeightBand { up_to_grams: 2_000, price: Money::new(12_00, eur) },
                WeightBand { up_to_grams: 10_000, price: Money::new(19_00, eur) },
                WeightBand { up_to_grams: 30_000, price: Money::new(35_00, eur) },
            ]),
            None,
        ),
        method(
            3,
            "standard-uk",
            "Royal Mail Tracked",
            &["GB"],
            DeliveryRate::Flat(Money::new(5_95, gbp)),
            Some(Money::new(90_00, gbp)),
        ),
        method(
            4,
            "standard-us",
            "UPS Ground",
            &["US"],
            DeliveryRate::Flat(Money::new(14_00, usd)),
            None,
        ),
    ];
    for (i, location) in demo_locations()?.into_iter().filter(|l| l.pickup_enabled).enumerate() {
        let handle =
            format!("pickup-{}", location.address.city.to_ascii_lowercase().replace(' ', "-"));
        methods.push(method(
            10 + i as u64,
            &handle,
            &format!("Collect at {}", location.name),
            &[],
            DeliveryRate::Pickup { location_id: location.id },
            None,
        ));
    }
    for m in &methods {
        store.save_delivery_method(m).await?;
    }
    Ok(())
}
