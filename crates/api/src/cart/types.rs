//! Carts as the storefront sees them, in Shopify's Storefront API shapes: `Cart`, `CartLine`,
//! `cost`, `merchandise`, plus delivery options and the payment methods on offer.

use std::sync::Arc;

use async_graphql::connection::Connection;
use async_graphql::{Context, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use tokio::sync::OnceCell;
use vitrine_app::cart::PricedCart;
use vitrine_domain::cart::{self as domain, Attribute};
use vitrine_domain::delivery::DeliveryOption;
use vitrine_domain::id::NodeKind;
use vitrine_domain::money::Money;
use vitrine_domain::pricing::PricedLine;

use crate::catalog::product::ProductVariant;
use crate::checkout::types::PaymentMethod;
use crate::common::address::MailingAddress;
use crate::common::gid;
use crate::common::money::MoneyV2;
use crate::companies::types::{CompanyLocation, PaymentTerms};
use crate::connection::{slice_connection, OffsetCursor};
use crate::context::ContextExt;
use crate::error::ResultExt;
use crate::inventory::types::Location;

#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "Attribute")]
pub struct AttributeGql {
    pub key: String,
    pub value: Option<String>,
}

pub fn attributes(list: &[Attribute]) -> Vec<AttributeGql> {
    list.iter().map(|a| AttributeGql { key: a.key.clone(), value: Some(a.value.clone()) }).collect()
}

/// A cart, priced for its owner when a priced field is first asked for.
#[derive(Clone)]
pub struct Cart {
    pub cart: domain::Cart,
    priced: Arc<OnceCell<Arc<PricedCart>>>,
}

impl Cart {
    pub fn new(cart: domain::Cart) -> Self {
        Self { cart, priced: Arc::default() }
    }

    async fn priced(&self, ctx: &Context<'_>) -> async_graphql::Result<Arc<PricedCart>> {
        self.priced
            .get_or_try_init(|| async {
                let app = ctx.app();
                app.carts.price(&ctx.req().channel, &self.cart).await.map(Arc::new)
            })
            .await
            .cloned()
            .gql()
    }
}

#[Object]
impl Cart {
    async fn id(&self) -> ID {
        gid(NodeKind::Cart, self.cart.id)
    }

    /// Always null: Vitrine has no hosted checkout page; storefronts finish with
    /// `checkoutComplete`.
    async fn checkout_url(&self) -> Option<String> {
        None
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.cart.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.cart.updated_at
    }

    async fn total_quantity(&self) -> u64 {
        self.cart.total_quantity()
    }

    async fn note(&self) -> &str {
        &self.cart.note
    }

    async fn attributes(&self) -> Vec<AttributeGql> {
        attributes(&self.cart.attributes)
    }

    async fn buyer_identity(&self) -> CartBuyerIdentity {
        CartBuyerIdentity { cart: self.cart.clone() }
    }

    /// Entered codes, and whether each applies now.
    async fn discount_codes(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<CartDiscountCode>> {
        let priced = self.priced(ctx).await?;
        Ok(self
            .cart
            .discount_codes
            .iter()
            .map(|code| {
                let reason = priced.quote.basket.code_rejection(code);
                CartDiscountCode {
                    applicable: reason.is_none(),
                    reason: reason.map(Into::into),
                    code: code.clone(),
                }
            })
            .collect())
    }

    /// Discounts the pricing engine applied, with what each saves.
    async fn discount_allocations(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<CartDiscountAllocation>> {
        let priced = self.priced(ctx).await?;
        Ok(priced
            .quote
            .basket
            .applied
            .iter()
            .map(|a| CartDiscountAllocation {
                title: a.title.clone(),
                code: a.code.clone(),
                discounted_amount: a.amount.into(),
            })
            .collect())
    }

    async fn cost(&self, ctx: &Context<'_>) -> async_graphql::Result<CartCost> {
        let priced = self.priced(ctx).await?;
        let basket = &priced.quote.basket;
        Ok(CartCost {
            subtotal_amount: basket.subtotal.into(),
            total_discount_amount: basket.discount_total.into(),
            total_shipping_amount: priced.shipping().into(),
            total_tax_amount: priced.total_tax.into(),
            total_amount: priced.total.into(),
            checkout_charge_amount: priced.total.into(),
            prices_include_tax: priced.quote.prices_include_tax,
        })
    }

    async fn lines(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<OffsetCursor, CartLine>> {
        let priced = self.priced(ctx).await?;
        let mut priced_lines = priced.quote.basket.lines.iter();
        let lines = self
            .cart
            .lines
            .iter()
            .map(|l| {
                let available = !priced.unavailable_line_ids.contains(&l.id);
                CartLine {
                    line: l.clone(),
                    priced: if available { priced_lines.next().cloned() } else { None },
                    currency_zero: Money::new(0, self.cart.currency),
                }
            })
            .collect();
        slice_connection(ctx, lines, after, None, first, None)
    }

    /// What can deliver this cart to its address, cheapest first (collection in store needs
    /// no address).
    async fn delivery_options(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<CartDeliveryOption>> {
        let priced = self.priced(ctx).await?;
        Ok(priced.delivery_options.iter().cloned().map(CartDeliveryOption).collect())
    }

    /// The chosen option, else the cheapest one on offer.
    async fn selected_delivery_option(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<CartDeliveryOption>> {
        Ok(self.priced(ctx).await?.delivery.clone().map(CartDeliveryOption))
    }

    /// How this buyer may pay here.
    async fn available_payment_methods(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<PaymentMethod>> {
        Ok(self.priced(ctx).await?.payment_methods.iter().map(|m| (*m).into()).collect())
    }

    /// The company's payment terms, for a company member's cart.
    async fn payment_terms(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<PaymentTerms>> {
        Ok(self.priced(ctx).await?.payment_terms.map(Into::into))
    }

    async fn shipping_address(&self) -> Option<MailingAddress> {
        self.cart.shipping_address.clone().map(Into::into)
    }

    async fn billing_address(&self) -> Option<MailingAddress> {
        self.cart.billing_address.clone().map(Into::into)
    }

    /// The order checkout made of this cart, if any.
    async fn order_id(&self) -> Option<ID> {
        self.cart.order_id.map(|id| gid(NodeKind::Order, id))
    }
}

pub struct CartBuyerIdentity {
    cart: domain::Cart,
}

#[Object]
impl CartBuyerIdentity {
    async fn email(&self) -> Option<&str> {
        self.cart.email.as_deref()
    }

    async fn country_code(&self) -> Option<&str> {
        self.cart.country_code.as_deref()
    }

    async fn customer_id(&self) -> Option<ID> {
        self.cart.customer_id.map(|id| gid(NodeKind::Customer, id))
    }

    /// The company location a member buys for; its addresses pre-fill the cart.
    async fn company_location(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<CompanyLocation>> {
        let Some(id) = self.cart.company_location_id else { return Ok(None) };
        let app = ctx.app();
        Ok(app.reads.company_location(id).await.gql()?.map(CompanyLocation))
    }
}

#[derive(SimpleObject, Clone, Debug)]
pub struct CartDiscountCode {
    pub code: String,
    pub applicable: bool,
    /// Why the code does not apply (`REQUIRES_CUSTOMER`, `MINIMUM_SUBTOTAL_NOT_REACHED`, …);
    /// null when it applies.
    pub reason: Option<crate::pricing::types::DiscountCodeRejection>,
}

#[derive(SimpleObject, Clone, Debug)]
pub struct CartDiscountAllocation {
    pub title: String,
    pub code: Option<String>,
    pub discounted_amount: MoneyV2,
}

#[derive(SimpleObject, Clone, Debug)]
pub struct CartCost {
    /// Lines before discounts.
    pub subtotal_amount: MoneyV2,
    pub total_discount_amount: MoneyV2,
    pub total_shipping_amount: MoneyV2,
    /// Tax included in, or added to, the total (lines and shipping).
    pub total_tax_amount: MoneyV2,
    pub total_amount: MoneyV2,
    /// What checkout charges: the total.
    pub checkout_charge_amount: MoneyV2,
    pub prices_include_tax: bool,
}

#[derive(Clone)]
pub struct CartLine {
    line: domain::CartLine,
    /// `None` when the variant is no longer sold here.
    priced: Option<PricedLine>,
    currency_zero: Money,
}

#[derive(SimpleObject, Clone, Debug)]
pub struct CartLineCost {
    pub amount_per_quantity: MoneyV2,
    pub compare_at_amount_per_quantity: Option<MoneyV2>,
    /// Before discounts.
    pub subtotal_amount: MoneyV2,
    /// After discounts.
    pub total_amount: MoneyV2,
}

#[Object]
impl CartLine {
    async fn id(&self) -> ID {
        gid(NodeKind::CartLine, self.line.id)
    }

    async fn quantity(&self) -> u32 {
        self.line.quantity
    }

    async fn attributes(&self) -> Vec<AttributeGql> {
        attributes(&self.line.attributes)
    }

    /// False when the variant is no longer sold on this channel; remove the line to check out.
    async fn available(&self) -> bool {
        self.priced.is_some()
    }

    async fn cost(&self) -> CartLineCost {
        match &self.priced {
            Some(p) => CartLineCost {
                amount_per_quantity: p.unit_price.into(),
                compare_at_amount_per_quantity: p.compare_at.map(Into::into),
                subtotal_amount: p.subtotal.into(),
                total_amount: p.total.into(),
            },
            None => CartLineCost {
                amount_per_quantity: self.currency_zero.into(),
                compare_at_amount_per_quantity: None,
                subtotal_amount: self.currency_zero.into(),
                total_amount: self.currency_zero.into(),
            },
        }
    }

    async fn discount_allocations(&self) -> Vec<MoneyV2> {
        self.priced
            .as_ref()
            .map(|p| p.discounts.iter().map(|d| d.amount.into()).collect())
            .unwrap_or_default()
    }

    /// The variant, as the cart's owner sees it; null when it is no longer sold here.
    async fn merchandise(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<ProductVariant>> {
        let loaders = &ctx.req().loaders;
        let Some(variant) = loaders.variant.load_one(self.line.variant_id).await? else {
            return Ok(None);
        };
        let product = loaders.product.load_one(variant.product_id).await?;
        Ok(product.and_then(|p| ProductVariant::of(p, variant.id)))
    }
}

#[derive(Clone)]
pub struct CartDeliveryOption(pub DeliveryOption);

#[Object]
impl CartDeliveryOption {
    async fn handle(&self) -> &str {
        &self.0.handle
    }

    async fn title(&self) -> &str {
        &self.0.title
    }

    async fn estimated_cost(&self) -> MoneyV2 {
        self.0.cost.into()
    }

    /// For collection in store: the shop.
    async fn pickup_location(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Location>> {
        let Some(id) = self.0.pickup_location_id else { return Ok(None) };
        Ok(ctx.app().inventory.location(id).await.gql()?.map(Location))
    }
}
