//! Pricing reads: quotes for the current buyer, and price lists, discounts and tax rates for staff.

use async_graphql::{Context, InputObject, Object, ID};
use uuid::Uuid;
use vitrine_app::pricing::QuoteLine;
use vitrine_domain::access::Permission;
use vitrine_domain::id::{GlobalId, NodeKind};
use vitrine_domain::pricing::entered_codes;

use crate::common::codes::CountryCode;
use crate::context::ContextExt;
use crate::error::{bad_input, ResultExt};
use crate::mutate::{mutate, payload, read_input};
use crate::pricing::types::{Discount, PriceList, PriceQuote, TaxRate};

fn parse_id(id: &ID, kind: NodeKind) -> async_graphql::Result<Uuid> {
    GlobalId::parse_kind(id, kind).map_err(|e| bad_input(e.to_string()))
}

#[derive(InputObject, Clone)]
pub struct PriceQuoteLineInput {
    /// A `ProductVariant` id.
    pub merchandise_id: ID,
    #[graphql(default = 1)]
    pub quantity: i32,
}

payload!(PriceQuotePayload { quote: Option<PriceQuote> }
    from |quote: PriceQuote| { quote: Some(quote) });

#[derive(Default)]
pub struct PricingQuery;

#[Object]
impl PricingQuery {
    /// What these lines cost the current buyer now (their company's or group's prices,
    /// volume tiers, running promotions and `discountCodes`, taxes of `countryCode`, else
    /// `@inContext(country:)`, else the channel's tax country): the cart's and checkout's
    /// numbers. Lines that break a quantity rule are priced and carry `quantityError`.
    #[graphql(complexity = "crate::cost::list_cost(lines.len(), child_complexity)")]
    async fn price_quote(
        &self,
        ctx: &Context<'_>,
        lines: Vec<PriceQuoteLineInput>,
        discount_codes: Option<Vec<String>>,
        country_code: Option<CountryCode>,
        province_code: Option<String>,
    ) -> async_graphql::Result<PriceQuotePayload> {
        let req = ctx.req();
        let pricing = req.pricing(ctx.app()).await?;
        let lines = read_input(|r| {
            r.rows("lines", lines, |r, line| QuoteLine {
                variant_id: r.id(&line.merchandise_id, NodeKind::ProductVariant, "merchandiseId"),
                quantity: r.quantity(line.quantity, "quantity"),
            })
        });
        let discount_codes = discount_codes.unwrap_or_default();
        let country = country_code.or(req.country).map(CountryCode::name);
        let region = province_code.as_deref().map(str::trim).filter(|p| !p.is_empty());
        mutate(ctx, lines, async |caller, lines| {
            let quote = ctx
                .app()
                .pricing
                .quote(
                    &pricing.buyer,
                    caller.channel,
                    req.currency,
                    &lines,
                    &discount_codes,
                    country,
                    region,
                )
                .await?;
            // Each code once, as typed, in the order entered.
            let codes = entered_codes(&discount_codes)
                .into_iter()
                .map(|(typed, _)| typed.trim().to_owned())
                .collect();
            Ok(PriceQuote { quote, codes })
        })
        .await
    }
}

/// Staff reads of what shapes prices: price lists, discounts and tax rates.
#[derive(Default)]
pub struct PricingAdminQuery;

#[Object]
impl PricingAdminQuery {
    /// Every price list. Needs `pricing:read`.
    async fn price_lists(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<PriceList>> {
        ctx.require(Permission::PricingRead)?;
        Ok(ctx.app().pricing.price_lists().await.gql()?.into_iter().map(PriceList).collect())
    }

    /// Needs `pricing:read`.
    async fn price_list(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<PriceList>> {
        ctx.require(Permission::PricingRead)?;
        let id = parse_id(&id, NodeKind::PriceList)?;
        Ok(ctx.app().pricing.price_list(id).await.gql()?.map(PriceList))
    }

    /// Every discount, newest first. Needs `pricing:read`.
    async fn discounts(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Discount>> {
        ctx.require(Permission::PricingRead)?;
        Ok(ctx.app().pricing.discounts().await.gql()?.into_iter().map(Discount).collect())
    }

    /// Needs `pricing:read`.
    async fn discount(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Discount>> {
        ctx.require(Permission::PricingRead)?;
        let id = parse_id(&id, NodeKind::Discount)?;
        Ok(ctx.app().pricing.discount(id).await.gql()?.map(Discount))
    }

    /// Needs `pricing:read`.
    async fn tax_rates(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<TaxRate>> {
        ctx.require(Permission::PricingRead)?;
        Ok(ctx.app().pricing.tax_rates().await.gql()?.into_iter().map(TaxRate).collect())
    }
}
