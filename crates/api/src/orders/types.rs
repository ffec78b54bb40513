//! Orders, their lines (snapshots taken at checkout), payments, fulfilments and tracking.

use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, Object, ID};
use chrono::{DateTime, Utc};
use vitrine_domain::id::NodeKind;
use vitrine_domain::order::{self as domain};
use vitrine_domain::payment::PaymentStatus as DomainPaymentStatus;

use crate::checkout::types::PaymentMethod;
use crate::common::address::MailingAddress;
use crate::common::gid;
use crate::common::money::MoneyV2;
use crate::companies::types::PaymentTerms;
use crate::connection::{slice_connection, OffsetCursor};
use crate::context::ContextExt;
use crate::error::{internal, ResultExt};

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "vitrine_domain::order::OrderStatus")]
pub enum OrderStatus {
    /// Placed; waiting for the payment (a card action, a bank transfer).
    PendingPayment,
    /// Paid or on terms: to be fulfilled.
    Processing,
    PartiallyFulfilled,
    /// Everything shipped.
    Fulfilled,
    Delivered,
    Cancelled,
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "vitrine_domain::payment::PaymentStatus")]
pub enum PaymentStatus {
    Pending,
    Authorized,
    Captured,
    PartiallyRefunded,
    Refunded,
    Voided,
    Failed,
}

/// A carrier's word on a parcel.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "vitrine_domain::order::ShipmentStatus")]
pub enum FulfillmentEventStatus {
    Confirmed,
    InTransit,
    OutForDelivery,
    Delivered,
    AttemptedDelivery,
}

/// An order. Its lines, payments and fulfilments are read together on first use.
#[derive(Clone)]
pub struct Order(pub domain::Order);

#[Object]
impl Order {
    async fn id(&self) -> ID {
        gid(NodeKind::Order, self.0.id)
    }

    /// The number buyers and staff quote: `#1001`.
    async fn number(&self) -> i64 {
        self.0.number
    }

    async fn name(&self) -> String {
        format!("#{}", self.0.number)
    }

    /// The secret that, with the number and email, lets a guest find this order with
    /// `orderLookup`. Show it to the buyer (on the confirmation page, in the confirmation
    /// email's link) and to nobody else.
    async fn status_token(&self, ctx: &Context<'_>) -> String {
        ctx.app().orders.status_token(&self.0)
    }

    async fn status(&self) -> OrderStatus {
        self.0.status.into()
    }

    async fn email(&self) -> &str {
        &self.0.email
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    async fn cancelled_at(&self) -> Option<DateTime<Utc>> {
        self.0.cancelled_at
    }

    async fn cancel_reason(&self) -> Option<&str> {
        self.0.cancel_reason.as_deref()
    }

    async fn customer_id(&self) -> Option<ID> {
        self.0.customer_id.map(|id| gid(NodeKind::Customer, id))
    }

    async fn company_id(&self) -> Option<ID> {
        self.0.company_id.map(|id| gid(NodeKind::Company, id))
    }

    async fn subtotal_price(&self) -> MoneyV2 {
        self.0.subtotal.into()
    }

    async fn total_discounts(&self) -> MoneyV2 {
        self.0.discount_total.into()
    }

    async fn total_shipping_price(&self) -> MoneyV2 {
        self.0.shipping_total.into()
    }

    async fn total_tax(&self) -> MoneyV2 {
        self.0.tax_total.into()
    }

    async fn total_price(&self) -> MoneyV2 {
        self.0.total.into()
    }

    async fn prices_include_tax(&self) -> bool {
        self.0.prices_include_tax
    }

    async fn shipping_address(&self) -> Option<MailingAddress> {
        self.0.shipping_address.clone().map(Into::into)
    }

    async fn billing_address(&self) -> Option<MailingAddress> {
        self.0.billing_address.clone().map(Into::into)
    }

    /// The delivery option chosen at checkout.
    async fn delivery_method(&self) -> Option<OrderDelivery> {
        Some(OrderDelivery {
            handle: self.0.delivery_handle.clone()?,
            title: self.0.delivery_title.clone().unwrap_or_default(),
            pickup_location_id: self.0.pickup_location_id.map(|id| gid(NodeKind::Location, id)),
        })
    }

    async fn payment_method(&self) -> PaymentMethod {
        self.0.payment_method.into()
    }

    async fn payment_terms(&self) -> Option<PaymentTerms> {
        self.0.payment_terms.map(Into::into)
    }

    async fn note(&self) -> &str {
        &self.0.note
    }

    async fn discount_codes(&self) -> &[String] {
        &self.0.discount_codes
    }

    async fn line_items(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Connection<OffsetCursor, OrderLineItem>> {
        let lines = ctx.app().reads.order_lines(&[self.0.id]).await.gql()?;
        slice_connection(
            ctx,
            lines.into_iter().map(OrderLineItem).collect(),
            after,
            None,
            first,
            None,
        )
    }

    async fn payments(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<OrderPayment>> {
        let payments = ctx.app().reads.payments_of(&[self.0.id]).await.gql()?;
        Ok(payments.into_iter().map(OrderPayment).collect())
    }

    /// Parcels with their tracking.
    async fn fulfillments(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Fulfillment>> {
        let fulfillments =
            ctx.app().reads.fulfillments_of(&[self.0.id]).await.map_err(|e| internal(&e))?;
        Ok(fulfillments.into_iter().map(Fulfillment).collect())
    }
}

#[derive(async_graphql::SimpleObject, Clone)]
pub struct OrderDelivery {
    pub handle: String,
    pub title: String,
    pub pickup_location_id: Option<ID>,
}

/// A line as it was ordered: title, SKU and prices are snapshots.
pub struct OrderLineItem(pub domain::OrderLine);

#[Object]
impl OrderLineItem {
    async fn id(&self) -> ID {
        gid(NodeKind::OrderLine, self.0.id)
    }

    async fn title(&self) -> &str {
        &self.0.product_title
    }

    async fn variant_title(&self) -> &str {
        &self.0.variant_title
    }

    async fn sku(&self) -> &str {
        &self.0.sku
    }

    async fn variant_id(&self) -> ID {
        gid(NodeKind::ProductVariant, self.0.variant_id)
    }

    async fn quantity(&self) -> u32 {
        self.0.quantity
    }

    async fn fulfilled_quantity(&self) -> u32 {
        self.0.fulfilled_quantity
    }

    /// After tiers, before discounts.
    async fn unit_price(&self) -> MoneyV2 {
        self.0.unit_price.into()
    }

    async fn original_total_price(&self) -> MoneyV2 {
        self.0.subtotal.into()
    }

    async fn total_discount(&self) -> MoneyV2 {
        self.0.discount.into()
    }

    async fn tax(&self) -> MoneyV2 {
        self.0.tax.into()
    }

    async fn discounted_total_price(&self) -> MoneyV2 {
        self.0.total.into()
    }
}

pub struct OrderPayment(pub domain::Payment);

#[Object]
impl OrderPayment {
    async fn id(&self) -> ID {
        gid(NodeKind::Payment, self.0.id)
    }

    async fn method(&self) -> PaymentMethod {
        self.0.provider.into()
    }

    async fn status(&self) -> PaymentStatus {
        self.0.status.into()
    }

    async fn amount(&self) -> MoneyV2 {
        self.0.amount.into()
    }

    async fn captured_amount(&self) -> MoneyV2 {
        self.0.captured.into()
    }

    async fn refunded_amount(&self) -> MoneyV2 {
        self.0.refunded.into()
    }

    /// For the storefront when the card needs the buyer (3-D Secure): pass it to Stripe.js.
    async fn client_secret(&self) -> Option<&str> {
        (self.0.status == DomainPaymentStatus::Pending)
            .then_some(self.0.client_secret.as_deref())
            .flatten()
    }

    /// The last provider error (a failed capture), for staff.
    async fn error(&self) -> Option<&str> {
        self.0.error.as_deref()
    }
}

pub struct Fulfillment(pub domain::Fulfillment);

#[Object]
impl Fulfillment {
    async fn id(&self) -> ID {
        gid(NodeKind::Fulfillment, self.0.id)
    }

    /// The carrier's latest word.
    async fn status(&self) -> FulfillmentEventStatus {
        self.0.status.into()
    }

    async fn tracking_company(&self) -> Option<&str> {
        self.0.carrier.as_deref()
    }

    async fn tracking_number(&self) -> Option<&str> {
        self.0.tracking_number.as_deref()
    }

    async fn tracking_url(&self) -> Option<&str> {
        self.0.tracking_url.as_deref()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn line_items(&self) -> Vec<FulfillmentLine> {
        self.0
            .lines
            .iter()
            .map(|(id, q)| FulfillmentLine {
                order_line_id: gid(NodeKind::OrderLine, *id),
                quantity: *q,
            })
            .collect()
    }

    async fn events(&self) -> Vec<FulfillmentEvent> {
        self.0.events.iter().cloned().map(FulfillmentEvent).collect()
    }
}

#[derive(async_graphql::SimpleObject, Clone)]
pub struct FulfillmentLine {
    pub order_line_id: ID,
    pub quantity: u32,
}

pub struct FulfillmentEvent(pub domain::FulfillmentEvent);

#[Object]
impl FulfillmentEvent {
    async fn status(&self) -> FulfillmentEventStatus {
        self.0.status.into()
    }

    async fn message(&self) -> Option<&str> {
        self.0.message.as_deref()
    }

    async fn happened_at(&self) -> DateTime<Utc> {
        self.0.happened_at
    }
}
