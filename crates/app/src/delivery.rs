//! Delivery methods: staff set them up per channel and country; carts are offered those that
//! fit (see `vitrine_domain::delivery`).

use std::sync::Arc;
use std::time::Duration;

use uuid::Uuid;
use vitrine_domain::delivery::{DeliveryMethod, DeliveryRate, WeightBand};
use vitrine_domain::money::{Currency, Money};
use vitrine_store::Store;

use crate::error::AppResult;
use crate::short_cache::ShortCache;
use crate::{AppError, ErrorCode, UserError};

#[derive(Clone, Debug)]
pub enum RateInput {
    Flat {
        amount: String,
        currency: String,
    },
    /// `(up to grams, amount)`, in one currency.
    ByWeight {
        currency: String,
        bands: Vec<(u64, String)>,
    },
    Pickup {
        location_id: Uuid,
    },
}

#[derive(Clone, Debug)]
pub struct DeliveryMethodInput {
    pub handle: String,
    pub title: String,
    pub channel_ids: Vec<Uuid>,
    pub countries: Vec<String>,
    pub rate: RateInput,
    /// `(amount, currency)`: free at or above this subtotal.
    pub free_above: Option<(String, String)>,
}

fn money(
    amount: &str,
    currency: &str,
    field: &[&str],
    errors: &mut Vec<UserError>,
) -> Option<Money> {
    let currency = match Currency::new(currency) {
        Ok(c) => c,
        Err(e) => {
            errors.push(UserError::new(field, ErrorCode::Invalid, e.to_string()));
            return None;
        }
    };
    match Money::parse_price(amount, currency) {
        Ok(m) => Some(m),
        Err(e) => {
            errors.push(UserError::new(field, ErrorCode::Invalid, e.to_string()));
            None
        }
    }
}

/// Every delivery method, as carts read them on each change and at checkout: cached in
/// process for [`DELIVERY_METHODS_TTL`]; this process's writes clear it at once, other
/// replicas' writes are seen within the TTL.
#[derive(Clone)]
pub struct DeliveryMethods {
    store: Store,
    cache: Arc<ShortCache<(), Arc<Vec<DeliveryMethod>>>>,
}

pub const DELIVERY_METHODS_TTL: Duration = Duration::from_secs(2);

impl DeliveryMethods {
    pub fn new(store: Store) -> Self {
        Self { store, cache: Arc::new(ShortCache::new(DELIVERY_METHODS_TTL)) }
    }

    pub async fn all(&self) -> AppResult<Arc<Vec<DeliveryMethod>>> {
        self.cache
            .get_or_load((), || async {
                Ok::<_, AppError>(Arc::new(self.store.delivery_methods().await?))
            })
            .await
    }

    fn forget(&self) {
        self.cache.clear();
    }
}

#[derive(Clone)]
pub struct DeliveryService {
    store: Store,
    methods: DeliveryMethods,
}

impl DeliveryService {
    pub fn new(store: Store, methods: DeliveryMethods) -> Self {
        Self { store, methods }
    }

    pub async fn methods(&self) -> AppResult<Vec<DeliveryMethod>> {
        Ok(self.store.delivery_methods().await?)
    }

    /// Creates (`id` None) or replaces a method.
    pub async fn save(
        &self,
        id: Option<Uuid>,
        input: DeliveryMethodInput,
    ) -> AppResult<DeliveryMethod> {
        let mut errors = vec![];
        let handle = input.handle.trim().to_ascii_lowercase();
        if handle.is_empty()
            || handle.len() > 100
            || !handle.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            errors.push(UserError::new(
                &["handle"],
                ErrorCode::Invalid,
                "1 to 100 letters, digits, - or _",
            ));
        }
        let title = input.title.trim().to_owned();
        if title.is_empty() {
            errors.push(UserError::new(&["title"], ErrorCode::Blank, "give the title buyers see"));
        } else if title.chars().count() > 255 {
            errors.push(UserError::new(&["title"], ErrorCode::TooLong, "at most 255 characters"));
        }
        let mut countries = vec![];
        for (i, c) in input.countries.iter().enumerate() {
            let c = c.trim().to_ascii_uppercase();
            if c.len() != 2 || !c.chars().all(|ch| ch.is_ascii_alphabetic()) {
                errors.push(UserError::new(
                    &["countries", &i.to_string()],
                    ErrorCode::Invalid,
                    "a two-letter ISO 3166 code",
                ));
            }
            countries.push(c);
        }
        let known = self.store.channels().await?;
        for (i, channel) in input.channel_ids.iter().enumerate() {
            if !known.iter().any(|c| c.id == *channel) {
                errors.push(UserError::not_found("channelIds", "channel").at(&[i.to_string()]));
            }
        }
        let rate = match &input.rate {
            RateInput::Flat { amount, currency } => {
                money(amount, currency, &["rate", "flat"], &mut errors).map(DeliveryRate::Flat)
            }
            RateInput::ByWeight { currency, bands } => {
                if bands.is_empty() {
                    errors.push(UserError::new(
                        &["rate", "weightBands"],
                        ErrorCode::Blank,
                        "give at least one band",
                    ));
                }
                let mut out = vec![];
                let mut last = 0;
                for (i, (up_to, amount)) in bands.iter().enumerate() {
                    if *up_to <= last && i > 0 {
                        errors.push(UserError::new(
                            &["rate", "weightBands", &i.to_string()],
                            ErrorCode::Invalid,
                            "bands go up by weight",
                        ));
                    }
                    last = *up_to;
                    if let Some(price) = money(
                        amount,
                        currency,
                        &["rate", "weightBands", &i.to_string(), "price"],
                        &mut errors,
                    ) {
                        out.push(WeightBand { up_to_grams: *up_to, price });
                    }
                }
                Some(DeliveryRate::ByWeight(out))
            }
            RateInput::Pickup { location_id } => {
                let location =
                    self.store.locations().await?.into_iter().find(|l| l.id == *location_id);
                match location {
                    Some(l) if l.pickup_enabled => {
                        Some(DeliveryRate::Pickup { location_id: *location_id })
                    }
                    Some(_) => {
                        errors.push(UserError::new(
                            &["rate", "pickupLocationId"],
                            ErrorCode::Invalid,
                            "that location does not offer collection",
                        ));
                        None
                    }
                    None => {
                        errors.push(UserError::new(
                            &["rate", "pickupLocationId"],
                            ErrorCode::NotFound,
                            "location not found",
                        ));
                        None
                    }
                }
            }
        };
        let free_above =
            input.free_above.as_ref().and_then(|(a, c)| money(a, c, &["freeAbove"], &mut errors));
        let (Some(rate), true) = (rate, errors.is_empty()) else {
            return Err(AppError::User(errors));
        };
        let method = DeliveryMethod {
            id: id.unwrap_or_else(Uuid::now_v7),
            handle,
            title,
            channel_ids: input.channel_ids,
            countries,
            rate,
            free_above,
        };
        if let Some(id) = id {
            if !self.methods().await?.iter().any(|m| m.id == id) {
                return Err(AppError::user(UserError::not_found("id", "delivery method")));
            }
        }
        self.store.save_delivery_method(&method).await?;
        self.methods.forget();
        Ok(method)
    }

    /// Which payment methods a channel offers (the card still needs a configured provider).
    pub async fn channel_payment_methods_set(
        &self,
        channel_id: Uuid,
        methods: Vec<vitrine_domain::payment::PaymentMethod>,
    ) -> AppResult<vitrine_domain::catalog::Channel> {
        let Some(mut channel) =
            self.store.channels().await?.into_iter().find(|c| c.id == channel_id)
        else {
            return Err(AppError::user(UserError::not_found("channelId", "channel")));
        };
        let mut methods = methods;
        methods.dedup();
        channel.payment_methods = methods;
        self.store.save_channel(&channel).await?;
        Ok(channel)
    }

    pub async fn delete(&self, id: Uuid) -> AppResult<()> {
        if self.store.delete_delivery_method(id).await? {
            self.methods.forget();
            Ok(())
        } else {
            Err(AppError::user(UserError::not_found("id", "delivery method")))
        }
    }
}
