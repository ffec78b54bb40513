//! Carts: creating and changing them, what they cost, how they are delivered and paid.
//!
//! Rules:
//! - A guest cart (no customer) is reachable by its id alone. A customer's cart is reachable
//!   by that customer only; anyone else gets "not found".
//! - A cart is priced for its owner, never for whoever happens to read it, so a company's
//!   prices never show on a cart a guest can open.
//! - Every change checks the lines it touches: quantity rules (`BELOW_MINIMUM`, ...) and
//!   stock (`INSUFFICIENT_STOCK`); a refused change writes nothing.
//! - A signed-in customer claims a guest cart with `buyer_identity_update`; their saved cart
//!   is merged into it by the rules of `vitrine_domain::cart`.
//! - Company members' new carts are pre-filled with their default location's addresses.

use crate::Caller;
use std::sync::Arc;

use chrono::Utc;
use uuid::Uuid;
use vitrine_domain::access::Actor;
use vitrine_domain::cart::{
    self, add_line, check_attributes, merge_into_guest, Attribute, Cart, CartLine, LineProblem,
};
use vitrine_domain::catalog::Channel;
use vitrine_domain::company::{Address, PaymentTerms};
use vitrine_domain::delivery::{
    choose_delivery, delivery_options, DeliveryChoice, DeliveryOption, Parcel,
};
use vitrine_domain::inventory::shortage_message;
use vitrine_domain::money::{Currency, Money};
use vitrine_domain::payment::PaymentMethod;
use vitrine_domain::pricing::{TaxContext, MAX_CODE_CHARS, MAX_ENTERED_CODES};
use vitrine_store::{CartSave, Store};

use crate::company::address;
use crate::delivery::DeliveryMethods;
use crate::error::AppResult;
use crate::payment::Providers;
use crate::pricing::{quantity_violation, BuyerPricing, PricingService, Quote, QuoteLine};
use crate::{AppError, ErrorCode, UserError};

/// How often a change is retried when another save got in first.
const SAVE_ATTEMPTS: usize = 5;
const MAX_EMAIL: usize = 254;

/// A line to add.
#[derive(Clone, Debug)]
pub struct LineInput {
    pub variant_id: Uuid,
    pub quantity: u32,
    pub attributes: Vec<Attribute>,
}

/// A line to change; `None` leaves a part as it is.
#[derive(Clone, Debug)]
pub struct LineUpdate {
    pub line_id: Uuid,
    pub quantity: Option<u32>,
    pub variant_id: Option<Uuid>,
    pub attributes: Option<Vec<Attribute>>,
}

#[derive(Clone, Debug, Default)]
pub struct BuyerIdentityInput {
    pub email: Option<String>,
    pub country_code: Option<String>,
    pub company_location_id: Option<Uuid>,
}

#[derive(Clone, Debug, Default)]
pub struct CartInput {
    pub lines: Vec<LineInput>,
    pub note: Option<String>,
    pub attributes: Vec<Attribute>,
    pub discount_codes: Vec<String>,
    pub buyer_identity: BuyerIdentityInput,
    pub shipping_address: Option<Address>,
    pub billing_address: Option<Address>,
}

/// A cart priced for its owner, with its delivery and payment options.
#[derive(Clone, Debug)]
pub struct PricedCart {
    pub cart: Cart,
    pub quote: Quote,
    /// Lines left out of the price because their variant is no longer sold here.
    pub unavailable_line_ids: Vec<Uuid>,
    pub delivery_options: Vec<DeliveryOption>,
    /// The chosen option, else the cheapest one; none when the chosen one is no longer
    /// offered, since shipping another way than the buyer chose needs their say.
    pub delivery: Option<DeliveryOption>,
    /// The handle of the chosen option when it is no longer offered (address or methods
    /// changed); checkout refuses the cart until the buyer chooses again.
    pub withdrawn_delivery: Option<String>,
    pub shipping_tax: Money,
    /// Lines' totals (tax included or not as the channel says), shipping and, when prices
    /// exclude it, tax.
    pub total: Money,
    pub total_tax: Money,
    pub payment_methods: Vec<PaymentMethod>,
    pub payment_terms: Option<PaymentTerms>,
}

impl PricedCart {
    pub fn shipping(&self) -> Money {
        self.delivery.as_ref().map_or(Money::new(0, self.cart.currency), |d| d.cost)
    }
}

#[derive(Clone)]
pub struct CartService {
    store: Store,
    pricing: PricingService,
    providers: Arc<Providers>,
    delivery_methods: DeliveryMethods,
}

fn cart_not_found() -> AppError {
    AppError::user(UserError::not_found("cartId", "cart"))
}

fn line_problem(field: &[&str], p: &LineProblem) -> UserError {
    let code = match p {
        LineProblem::ZeroQuantity => ErrorCode::Invalid,
        LineProblem::TooManyUnits | LineProblem::TooManyLines => ErrorCode::TooMany,
        LineProblem::BadAttributes => ErrorCode::Invalid,
    };
    UserError::new(field, code, p.to_string())
}

impl CartService {
    pub fn new(
        store: Store,
        pricing: PricingService,
        providers: Arc<Providers>,
        delivery_methods: DeliveryMethods,
    ) -> Self {
        Self { store, pricing, providers, delivery_methods }
    }

    pub fn providers(&self) -> &Arc<Providers> {
        &self.providers
    }

    // ---- reading ----------------------------------------------------------------------------

    /// The cart if `actor` may see it (see the module rules).
    pub async fn get(&self, caller: Caller<'_>, id: Uuid) -> AppResult<Option<Cart>> {
        let Some(cart) = self.store.cart(id).await? else { return Ok(None) };
        Ok(visible(caller, &cart).then_some(cart))
    }

    /// The signed-in customer's open cart on this channel.
    pub async fn of_customer(
        &self,
        customer_id: Uuid,
        channel: &Channel,
    ) -> AppResult<Option<Cart>> {
        Ok(self.store.open_cart_of(customer_id, channel.id).await?)
    }

    /// The pricing of the cart's owner.
    pub async fn owner_pricing(&self, channel: &Channel, cart: &Cart) -> AppResult<BuyerPricing> {
        let owner = cart.customer_id.map_or(Actor::Anonymous, |id| Actor::Customer { id });
        self.pricing.buyer_pricing(Caller::new(&owner, channel), &[cart.currency]).await
    }

    /// Prices the cart for its owner; lines whose variant is no longer sold are left out
    /// (and listed) rather than failing the whole cart.
    pub async fn price(&self, channel: &Channel, cart: &Cart) -> AppResult<PricedCart> {
        let pricing = self.owner_pricing(channel, cart).await?;
        self.price_with(channel, cart, &pricing).await
    }

    pub async fn price_with(
        &self,
        channel: &Channel,
        cart: &Cart,
        pricing: &BuyerPricing,
    ) -> AppResult<PricedCart> {
        let region = cart.shipping_address.as_ref().and_then(|a| a.province_code.as_deref());
        let quote = self
            .pricing
            .price_lines(
                pricing,
                channel,
                cart.currency,
                &quote_lines(cart),
                &cart.discount_codes,
                cart.destination_country(),
                region,
            )
            .await?;
        let unavailable: Vec<Uuid> =
            quote.unsold.iter().filter_map(|u| cart.lines.get(u.index)).map(|l| l.id).collect();
        let lines: Vec<&CartLine> =
            quote.asked_index.iter().filter_map(|i| cart.lines.get(*i)).collect();
        let currency = cart.currency;
        let goods: i64 = quote.basket.lines.iter().map(|l| l.total.minor).sum();
        let weight: u64 = lines
            .iter()
            .map(|l| {
                quote.items.get(&l.variant_id).map_or(0, |i| i.weight_grams) * u64::from(l.quantity)
            })
            .sum();
        let methods = self.delivery_methods.all().await?;
        let options = if lines.is_empty() {
            vec![]
        } else {
            delivery_options(
                &methods,
                &Parcel {
                    channel_id: channel.id,
                    subtotal: Money::new(goods, currency),
                    weight_grams: weight,
                    country: cart.destination_country().map(str::to_owned),
                },
            )
        };
        // With nothing to ship, no choice is judged (an empty cart has no options).
        let (delivery, withdrawn_delivery) = if lines.is_empty() {
            (None, None)
        } else {
            match choose_delivery(&options, cart.delivery_handle.as_deref()) {
                DeliveryChoice::Ships(option) => (option.cloned(), None),
                DeliveryChoice::Withdrawn => (None, cart.delivery_handle.clone()),
            }
        };
        let tax = TaxContext { rate: quote.tax_rate, prices_include_tax: quote.prices_include_tax };
        let shipping = delivery.as_ref().map_or(0, |d| d.cost.minor);
        let shipping_tax = tax.tax_of(Money::new(shipping, currency));
        let mut total = quote.basket.total.minor + shipping;
        if !quote.prices_include_tax {
            total += shipping_tax.minor;
        }
        let total_tax = Money::new(quote.basket.tax_total.minor + shipping_tax.minor, currency);
        let (payment_methods, payment_terms) = self.payment_options(channel, pricing);
        Ok(PricedCart {
            cart: cart.clone(),
            quote,
            unavailable_line_ids: unavailable,
            delivery_options: options,
            delivery,
            withdrawn_delivery,
            shipping_tax,
            total: Money::new(total, currency),
            total_tax,
            payment_methods,
            payment_terms,
        })
    }

    /// The methods the channel offers that this buyer may use: the card when a card
    /// provider is configured; invoice for members (not viewers) of approved companies with
    /// net terms.
    fn payment_options(
        &self,
        channel: &Channel,
        pricing: &BuyerPricing,
    ) -> (Vec<PaymentMethod>, Option<PaymentTerms>) {
        let terms = pricing
            .membership
            .as_ref()
            .filter(|m| m.orders_for_company())
            .map(|m| m.company.payment_terms);
        let methods = channel
            .payment_methods
            .iter()
            .copied()
            .filter(|m| self.providers.has(*m))
            .filter(|m| {
                *m != PaymentMethod::Invoice || terms.is_some_and(|t| t != PaymentTerms::Prepaid)
            })
            .collect();
        (methods, terms)
    }

    // ---- creating ---------------------------------------------------------------------------

    pub async fn create(
        &self,
        caller: Caller<'_>,
        currency: Currency,
        input: CartInput,
    ) -> AppResult<Cart> {
        let now = Utc::now();
        let mut cart = Cart::new(Uuid::new_v4(), caller.channel.id, currency, now);
        if let Actor::Customer { id } = caller.actor {
            cart.customer_id = Some(*id);
            self.prefill_for_customer(&mut cart, *id, input.buyer_identity.company_location_id)
                .await?;
        }
        let mut errors = vec![];
        let identity = self.identity_facts(caller.actor, &input.buyer_identity).await?;
        apply_identity(&mut cart, &input.buyer_identity, identity, &mut errors);
        if let Some(note) = input.note {
            set_note(&mut cart, note, &mut errors);
        }
        set_attributes(&mut cart, input.attributes, &["attributes"], &mut errors);
        set_codes(&mut cart, input.discount_codes, &mut errors);
        if let Some(a) = input.shipping_address {
            cart.shipping_address = Some(address("shippingAddress", a, &mut errors));
        }
        if let Some(a) = input.billing_address {
            cart.billing_address = Some(address("billingAddress", a, &mut errors));
        }
        let mut touched = vec![];
        for (i, line) in input.lines.into_iter().enumerate() {
            let row = i.to_string();
            match add_line(
                &mut cart.lines,
                line.variant_id,
                line.quantity,
                line.attributes,
                Uuid::now_v7(),
            ) {
                Ok(id) => touched.push((id, vec!["lines".to_owned(), row])),
                Err(p) => errors.push(line_problem(&["lines", &row, "quantity"], &p)),
            }
        }
        if !errors.is_empty() {
            return Err(AppError::User(errors));
        }
        self.check_lines(caller.channel, &cart, &touched).await?;
        match self.store.save_cart(&cart, None, None).await? {
            CartSave::Saved => {}
            CartSave::Stale => return Err(cart_not_found()),
        }
        cart.version = 1;
        Ok(cart)
    }

    /// A company member's cart buys for a location: the asked one, else their default, else
    /// the company's first; its addresses pre-fill the cart.
    async fn prefill_for_customer(
        &self,
        cart: &mut Cart,
        customer_id: Uuid,
        asked_location: Option<Uuid>,
    ) -> AppResult<()> {
        if let Some(customer) =
            self.store.customers_by_ids(&[customer_id]).await?.into_iter().next()
        {
            cart.email = Some(customer.email);
        }
        let Some(membership) = self.store.membership(customer_id).await? else { return Ok(()) };
        if !membership.company.is_approved() {
            return Ok(());
        }
        let locations = self.store.company_locations(&[membership.company.id]).await?;
        let wanted = asked_location.or(membership.member.default_location_id);
        let location = wanted
            .and_then(|id| locations.iter().find(|l| l.id == id))
            .or_else(|| locations.first());
        if let Some(location) = location {
            cart.company_location_id = Some(location.id);
            cart.shipping_address = Some(location.shipping_address.clone());
            cart.billing_address = Some(location.billing_or_shipping().clone());
            cart.country_code = Some(location.shipping_address.country_code.clone());
        }
        Ok(())
    }

    /// What identity changes need to know about the caller: their company's location ids.
    async fn identity_facts(
        &self,
        actor: &Actor,
        input: &BuyerIdentityInput,
    ) -> AppResult<Option<Vec<Uuid>>> {
        if input.company_location_id.is_none() {
            return Ok(None);
        }
        let Actor::Customer { id } = actor else { return Ok(Some(vec![])) };
        let Some(membership) = self.store.membership(*id).await? else { return Ok(Some(vec![])) };
        if membership.views_only() {
            return Err(viewer_does_not_order(&["buyerIdentity", "companyLocationId"]));
        }
        if !membership.company.is_approved() {
            return Ok(Some(vec![]));
        }
        let locations = self.store.company_locations(&[membership.company.id]).await?;
        Ok(Some(locations.into_iter().map(|l| l.id).collect()))
    }

    /// A new cart with the lines of a past order the caller may see; lines whose variant is
    /// no longer sold here are left out.
    pub async fn reorder(
        &self,
        caller: Caller<'_>,
        currency: Currency,
        order_lines: Vec<(Uuid, u32)>,
    ) -> AppResult<Cart> {
        let owner = match caller.actor {
            Actor::Customer { id } => Actor::Customer { id: *id },
            _ => Actor::Anonymous,
        };
        let pricing =
            self.pricing.buyer_pricing(Caller::new(&owner, caller.channel), &[currency]).await?;
        // Priced once to learn which lines are still sold here; the cart prices the rest.
        let asked: Vec<QuoteLine> = order_lines
            .iter()
            .map(|&(variant_id, quantity)| QuoteLine { variant_id, quantity })
            .collect();
        let quote = self
            .pricing
            .price_lines(&pricing, caller.channel, currency, &asked, &[], None, None)
            .await?;
        let sold = order_lines
            .into_iter()
            .enumerate()
            .filter(|(i, _)| quote.unsold.iter().all(|u| u.index != *i))
            .map(|(_, (variant_id, quantity))| LineInput {
                variant_id,
                quantity,
                attributes: vec![],
            })
            .collect();
        self.create(caller, currency, CartInput { lines: sold, ..CartInput::default() }).await
    }

    // ---- changing ---------------------------------------------------------------------------

    /// Loads the cart, applies `change`, checks the lines it touched and saves, retrying on a
    /// concurrent save. `change` returns the touched lines with their input path.
    async fn modify<F>(&self, caller: Caller<'_>, cart_id: Uuid, change: F) -> AppResult<Cart>
    where
        F: Fn(&mut Cart) -> Result<Vec<(Uuid, Vec<String>)>, Vec<UserError>>,
    {
        for _ in 0..SAVE_ATTEMPTS {
            let Some(mut cart) = self.get(caller, cart_id).await? else {
                return Err(cart_not_found());
            };
            if let Some(order_id) = cart.order_id {
                return Err(completed(order_id));
            }
            let version = cart.version;
            let touched = change(&mut cart).map_err(AppError::User)?;
            self.check_lines(caller.channel, &cart, &touched).await?;
            if self.store.save_cart(&cart, Some(version), None).await? == CartSave::Saved {
                cart.version = version + 1;
                cart.updated_at = Utc::now();
                return Ok(cart);
            }
        }
        Err(AppError::user(UserError::new(
            &["cartId"],
            ErrorCode::Invalid,
            "the cart is being changed elsewhere; try again",
        )))
    }

    /// Quantity rules and stock for the touched lines, each error at the input row that
    /// touched the line; a touched line whose variant is not sold here is refused at its
    /// `merchandiseId`. Untouched lines are not judged: a line that stopped selling stays
    /// in the cart (shown unavailable) without blocking other changes.
    async fn check_lines(
        &self,
        channel: &Channel,
        cart: &Cart,
        touched: &[(Uuid, Vec<String>)],
    ) -> AppResult<()> {
        if touched.is_empty() {
            return Ok(());
        }
        let pricing = self.owner_pricing(channel, cart).await?;
        let quote = self
            .pricing
            .price_lines(
                &pricing,
                channel,
                cart.currency,
                &quote_lines(cart),
                &[],
                cart.destination_country(),
                None,
            )
            .await?;
        let mut errors = vec![];
        for (line_id, path) in touched {
            let Some(index) = cart.lines.iter().position(|l| l.id == *line_id) else { continue };
            let line = &cart.lines[index];
            if let Some(unsold) = quote.unsold.iter().find(|u| u.index == index) {
                errors.push(unsold.user_error(cart.currency).at(path));
                continue;
            }
            if let Some(v) = quote.line_asked_at(index).and_then(|l| l.violation) {
                let (code, message) = quantity_violation(v);
                errors.push(UserError::new(&["quantity"], code, message).at(path));
                continue;
            }
            // Units of this variant across the cart's lines (engraved and plain alike).
            let wanted: u64 = cart
                .lines
                .iter()
                .filter(|l| l.variant_id == line.variant_id)
                .map(|l| u64::from(l.quantity))
                .sum();
            // The quote's stock figures are current: its products are checked against their
            // stock revision.
            if let Some(item) = quote.items.get(&line.variant_id) {
                let available = u64::try_from(item.available).unwrap_or(0);
                if item.inventory_tracked && wanted > available {
                    errors.push(
                        UserError::new(
                            &["quantity"],
                            ErrorCode::InsufficientStock,
                            shortage_message(item.available, channel.show_stock_counts),
                        )
                        .at(path),
                    );
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::User(errors))
        }
    }

    pub async fn lines_add(
        &self,
        caller: Caller<'_>,
        cart_id: Uuid,
        lines: Vec<LineInput>,
    ) -> AppResult<Cart> {
        if lines.is_empty() {
            return Err(AppError::user(UserError::new(
                &["lines"],
                ErrorCode::Blank,
                "add at least one line",
            )));
        }
        self.modify(caller, cart_id, |cart| {
            let mut touched = vec![];
            let mut errors = vec![];
            for (i, line) in lines.iter().enumerate() {
                let row = i.to_string();
                match add_line(
                    &mut cart.lines,
                    line.variant_id,
                    line.quantity,
                    line.attributes.clone(),
                    Uuid::now_v7(),
                ) {
                    Ok(id) => touched.push((id, vec!["lines".to_owned(), row])),
                    Err(p) => errors.push(line_problem(&["lines", &row, "quantity"], &p)),
                }
            }
            checked(touched, errors)
        })
        .await
    }

    /// Adds lines by SKU ("quick order"): every SKU must name a variant.
    pub async fn lines_add_by_sku(
        &self,
        caller: Caller<'_>,
        cart_id: Uuid,
        lines: Vec<(String, u32)>,
    ) -> AppResult<Cart> {
        if lines.is_empty() {
            return Err(AppError::user(UserError::new(
                &["lines"],
                ErrorCode::Blank,
                "add at least one line",
            )));
        }
        if lines.len() > cart::MAX_LINES {
            return Err(AppError::user(UserError::new(
                &["lines"],
                ErrorCode::TooMany,
                format!("at most {} lines", cart::MAX_LINES),
            )));
        }
        let skus: Vec<String> = lines.iter().map(|(s, _)| s.trim().to_owned()).collect();
        let found = self.store.variant_ids_by_skus(&skus).await?;
        // A SKU of a product this channel does not sell (a draft, another brand) is as
        // unknown as one that does not exist: the answer must not tell them apart.
        let ids: Vec<Uuid> = found.iter().map(|(_, id)| *id).collect();
        let sold = self.pricing.sold_on(caller.channel, &ids).await?;
        let mut errors = vec![];
        let mut inputs = vec![];
        for (i, (sku, quantity)) in skus.iter().zip(lines.iter().map(|l| l.1)).enumerate() {
            match found.iter().find(|(s, id)| s == sku && sold.contains(id)) {
                Some((_, id)) => {
                    inputs.push(LineInput { variant_id: *id, quantity, attributes: vec![] })
                }
                None => errors.push(UserError::new(
                    &["lines", &i.to_string(), "sku"],
                    ErrorCode::NotFound,
                    format!("no variant with SKU `{sku}`"),
                )),
            }
        }
        if !errors.is_empty() {
            return Err(AppError::User(errors));
        }
        self.lines_add(caller, cart_id, inputs).await
    }

    pub async fn lines_update(
        &self,
        caller: Caller<'_>,
        cart_id: Uuid,
        updates: Vec<LineUpdate>,
    ) -> AppResult<Cart> {
        if updates.is_empty() {
            return Err(AppError::user(UserError::new(
                &["lines"],
                ErrorCode::Blank,
                "change at least one line",
            )));
        }
        self.modify(caller, cart_id, |cart| {
            let mut touched = vec![];
            let mut errors = vec![];
            for (i, u) in updates.iter().enumerate() {
                let row = i.to_string();
                let Some(line) = cart.lines.iter_mut().find(|l| l.id == u.line_id) else {
                    errors.push(UserError::new(
                        &["lines", &row, "id"],
                        ErrorCode::NotFound,
                        "no such line in this cart",
                    ));
                    continue;
                };
                if let Some(variant) = u.variant_id {
                    line.variant_id = variant;
                }
                if let Some(attributes) = &u.attributes {
                    if let Err(p) = check_attributes(attributes) {
                        errors.push(line_problem(&["lines", &row, "attributes"], &p));
                        continue;
                    }
                    line.attributes = attributes.clone();
                }
                if let Some(q) = u.quantity {
                    if let Err(p) = cart::set_quantity(line, q) {
                        errors.push(line_problem(&["lines", &row, "quantity"], &p));
                        continue;
                    }
                }
                touched.push((line.id, vec!["lines".to_owned(), row]));
            }
            // Quantity 0 removes the line, as in Shopify.
            cart.lines.retain(|l| l.quantity > 0);
            touched.retain(|(id, _)| cart.lines.iter().any(|l| l.id == *id));
            checked(touched, errors)
        })
        .await
    }

    pub async fn lines_remove(
        &self,
        caller: Caller<'_>,
        cart_id: Uuid,
        line_ids: Vec<Uuid>,
    ) -> AppResult<Cart> {
        self.modify(caller, cart_id, |cart| {
            let mut errors = vec![];
            for (i, id) in line_ids.iter().enumerate() {
                if !cart.lines.iter().any(|l| l.id == *id) {
                    errors.push(UserError::new(
                        &["lineIds", &i.to_string()],
                        ErrorCode::NotFound,
                        "no such line in this cart",
                    ));
                }
            }
            cart.lines.retain(|l| !line_ids.contains(&l.id));
            checked(vec![], errors)
        })
        .await
    }

    pub async fn discount_codes_update(
        &self,
        caller: Caller<'_>,
        cart_id: Uuid,
        codes: Vec<String>,
    ) -> AppResult<Cart> {
        self.modify(caller, cart_id, |cart| {
            let mut errors = vec![];
            set_codes(cart, codes.clone(), &mut errors);
            checked(vec![], errors)
        })
        .await
    }

    pub async fn note_update(
        &self,
        caller: Caller<'_>,
        cart_id: Uuid,
        note: String,
    ) -> AppResult<Cart> {
        self.modify(caller, cart_id, |cart| {
            let mut errors = vec![];
            set_note(cart, note.clone(), &mut errors);
            checked(vec![], errors)
        })
        .await
    }

    pub async fn attributes_update(
        &self,
        caller: Caller<'_>,
        cart_id: Uuid,
        attributes: Vec<Attribute>,
    ) -> AppResult<Cart> {
        self.modify(caller, cart_id, |cart| {
            let mut errors = vec![];
            set_attributes(cart, attributes.clone(), &["attributes"], &mut errors);
            checked(vec![], errors)
        })
        .await
    }

    pub async fn shipping_address_update(
        &self,
        caller: Caller<'_>,
        cart_id: Uuid,
        shipping: Option<Address>,
    ) -> AppResult<Cart> {
        self.modify(caller, cart_id, |cart| {
            let mut errors = vec![];
            cart.shipping_address = shipping.clone().map(|a| address("address", a, &mut errors));
            checked(vec![], errors)
        })
        .await
    }

    /// Picks a delivery option by handle; it must be one the cart is offered now.
    pub async fn delivery_option_select(
        &self,
        caller: Caller<'_>,
        cart_id: Uuid,
        handle: String,
    ) -> AppResult<Cart> {
        let Some(current) = self.get(caller, cart_id).await? else {
            return Err(cart_not_found());
        };
        let priced = self.price(caller.channel, &current).await?;
        if !priced.delivery_options.iter().any(|o| o.handle == handle) {
            return Err(AppError::user(UserError::new(
                &["handle"],
                ErrorCode::DeliveryUnavailable,
                format!("`{handle}` is not offered for this cart's address and contents"),
            )));
        }
        self.modify(caller, cart_id, |cart| {
            cart.delivery_handle = Some(handle.clone());
            Ok(vec![])
        })
        .await
    }

    /// Changes who buys. A signed-in customer calling this on a guest cart claims it and
    /// merges their saved cart into it (see `vitrine_domain::cart`).
    pub async fn buyer_identity_update(
        &self,
        caller: Caller<'_>,
        cart_id: Uuid,
        input: BuyerIdentityInput,
    ) -> AppResult<Cart> {
        let identity = self.identity_facts(caller.actor, &input).await?;
        let Some(current) = self.get(caller, cart_id).await? else {
            return Err(cart_not_found());
        };
        if let Some(order_id) = current.order_id {
            return Err(completed(order_id));
        }
        if let (Actor::Customer { id }, None) = (caller.actor, current.customer_id) {
            return self.claim(*id, caller.channel, current, input, identity).await;
        }
        self.modify(caller, cart_id, |cart| {
            let mut errors = vec![];
            apply_identity(cart, &input, identity.clone(), &mut errors);
            checked(vec![], errors)
        })
        .await
    }

    async fn claim(
        &self,
        customer_id: Uuid,
        channel: &Channel,
        guest: Cart,
        input: BuyerIdentityInput,
        identity: Option<Vec<Uuid>>,
    ) -> AppResult<Cart> {
        let saved = self.store.open_cart_of(customer_id, channel.id).await?;
        let mut cart = guest.clone();
        cart.customer_id = Some(customer_id);
        let explicit_location = input.company_location_id;
        let keep_address = cart.shipping_address.clone();
        self.prefill_for_customer(&mut cart, customer_id, explicit_location).await?;
        if keep_address.is_some() {
            cart.shipping_address = keep_address;
        }
        if let Some(saved) = &saved {
            let merged = merge_into_guest(
                &guest.lines,
                &guest.note,
                &guest.discount_codes,
                &saved.lines,
                &saved.note,
                &saved.discount_codes,
            );
            cart.lines = merged.lines;
            cart.note = merged.note;
            cart.discount_codes = merged.discount_codes;
        }
        let mut errors = vec![];
        apply_identity(&mut cart, &input, identity, &mut errors);
        if !errors.is_empty() {
            return Err(AppError::User(errors));
        }
        match self.store.save_cart(&cart, Some(guest.version), saved.map(|s| s.id)).await? {
            CartSave::Saved => {
                cart.version = guest.version + 1;
                Ok(cart)
            }
            CartSave::Stale => Err(AppError::user(UserError::new(
                &["cartId"],
                ErrorCode::Invalid,
                "the cart is being changed elsewhere; try again",
            ))),
        }
    }
}

/// The cart's lines as a quote asks for them, in the cart's order.
fn quote_lines(cart: &Cart) -> Vec<QuoteLine> {
    cart.lines
        .iter()
        .map(|l| QuoteLine { variant_id: l.variant_id, quantity: l.quantity })
        .collect()
}

/// The value when nothing went wrong, else every problem found.
fn checked<T>(value: T, errors: Vec<UserError>) -> Result<T, Vec<UserError>> {
    if errors.is_empty() {
        Ok(value)
    } else {
        Err(errors)
    }
}

fn completed(order_id: Uuid) -> AppError {
    AppError::user(UserError::new(
        &["cartId"],
        ErrorCode::AlreadyCompleted,
        format!(
            "this cart was checked out (order {})",
            vitrine_domain::id::GlobalId::new(vitrine_domain::id::NodeKind::Order, order_id)
        ),
    ))
}

fn visible(Caller { actor, channel, .. }: Caller<'_>, cart: &Cart) -> bool {
    if cart.channel_id != channel.id {
        return false;
    }
    match cart.customer_id {
        None => true,
        Some(owner) => matches!(actor, Actor::Customer { id } if *id == owner),
    }
}

/// A company viewer sees the company's prices and orders but does not order.
pub(crate) fn viewer_does_not_order(field: &[&str]) -> AppError {
    AppError::user(UserError::new(
        field,
        ErrorCode::NotPermitted,
        "company viewers do not order; ask a buyer or an admin of your company",
    ))
}

fn apply_identity(
    cart: &mut Cart,
    input: &BuyerIdentityInput,
    locations: Option<Vec<Uuid>>,
    errors: &mut Vec<UserError>,
) {
    if let Some(email) = &input.email {
        let email = email.trim();
        if email.is_empty() || !email.contains('@') || email.len() > MAX_EMAIL {
            errors.push(UserError::new(
                &["buyerIdentity", "email"],
                ErrorCode::Invalid,
                "an email address, e.g. ada@example.com",
            ));
        } else {
            cart.email = Some(email.to_owned());
        }
    }
    if let Some(country) = &input.country_code {
        let country = country.trim().to_ascii_uppercase();
        if country.len() != 2 || !country.chars().all(|c| c.is_ascii_alphabetic()) {
            errors.push(UserError::new(
                &["buyerIdentity", "countryCode"],
                ErrorCode::Invalid,
                "a two-letter ISO 3166 country code",
            ));
        } else {
            cart.country_code = Some(country);
        }
    }
    if let Some(location) = input.company_location_id {
        if locations.as_ref().is_some_and(|ids| ids.contains(&location)) {
            cart.company_location_id = Some(location);
        } else {
            errors.push(
                UserError::not_found("companyLocationId", "company location")
                    .at(&["buyerIdentity".to_owned()]),
            );
        }
    }
}

fn set_note(cart: &mut Cart, note: String, errors: &mut Vec<UserError>) {
    if note.chars().count() > cart::MAX_NOTE {
        errors.push(UserError::new(
            &["note"],
            ErrorCode::TooLong,
            format!("at most {} characters", cart::MAX_NOTE),
        ));
    } else {
        cart.note = note;
    }
}

fn set_attributes(
    cart: &mut Cart,
    attributes: Vec<Attribute>,
    field: &[&str],
    errors: &mut Vec<UserError>,
) {
    match check_attributes(&attributes) {
        Ok(()) => cart.attributes = attributes,
        Err(p) => errors.push(line_problem(field, &p)),
    }
}

fn set_codes(cart: &mut Cart, codes: Vec<String>, errors: &mut Vec<UserError>) {
    let mut kept: Vec<String> = vec![];
    for code in codes {
        let code = code.trim().to_owned();
        if !code.is_empty() && !kept.iter().any(|k| k.eq_ignore_ascii_case(&code)) {
            kept.push(code);
        }
    }
    if kept.len() > MAX_ENTERED_CODES {
        errors.push(UserError::new(
            &["discountCodes"],
            ErrorCode::TooMany,
            format!("at most {MAX_ENTERED_CODES} codes"),
        ));
    } else if kept.iter().any(|c| c.chars().count() > MAX_CODE_CHARS) {
        errors.push(UserError::new(
            &["discountCodes"],
            ErrorCode::TooLong,
            format!("a code has at most {MAX_CODE_CHARS} characters"),
        ));
    } else {
        cart.discount_codes = kept;
    }
}
