//! Cart mutations: open to anyone holding the cart's id (a customer's cart only to that
//! customer), in Shopify's Storefront API shapes; and checkout.

use async_graphql::{Context, InputObject, Object, ID};
use vitrine_app::cart::{BuyerIdentityInput, CartInput as AppCartInput, LineInput, LineUpdate};
use vitrine_app::{AppError, ErrorCode, UserError as AppUserError};
use vitrine_domain::cart::Attribute;
use vitrine_domain::id::NodeKind;

use crate::cart::types::Cart;
use crate::common::address::MailingAddressInput;
use crate::common::codes::CountryCode;
use crate::context::ContextExt;
use crate::error::into_payload;
use crate::mutate::{input_id, input_ids, payload};

#[derive(InputObject, Clone)]
pub struct AttributeInput {
    pub key: String,
    pub value: String,
}

fn attrs(list: Vec<AttributeInput>) -> Vec<Attribute> {
    list.into_iter().map(|a| Attribute { key: a.key, value: a.value }).collect()
}

#[derive(InputObject, Clone)]
pub struct CartLineInput {
    /// A `ProductVariant` ID.
    pub merchandise_id: ID,
    #[graphql(default = 1)]
    pub quantity: i32,
    #[graphql(default)]
    pub attributes: Vec<AttributeInput>,
}

#[derive(InputObject, Clone)]
pub struct CartLineUpdateInput {
    pub id: ID,
    pub quantity: Option<i32>,
    pub merchandise_id: Option<ID>,
    pub attributes: Option<Vec<AttributeInput>>,
}

#[derive(InputObject, Clone)]
pub struct CartSkuLineInput {
    pub sku: String,
    #[graphql(default = 1)]
    pub quantity: i32,
}

#[derive(InputObject, Clone, Default)]
pub struct CartBuyerIdentityInput {
    pub email: Option<String>,
    pub country_code: Option<CountryCode>,
    /// For a company member: which of the company's locations the cart buys for.
    pub company_location_id: Option<ID>,
}

#[derive(InputObject, Clone, Default)]
pub struct CartInput {
    #[graphql(default)]
    pub lines: Vec<CartLineInput>,
    pub note: Option<String>,
    #[graphql(default)]
    pub attributes: Vec<AttributeInput>,
    #[graphql(default)]
    pub discount_codes: Vec<String>,
    pub buyer_identity: Option<CartBuyerIdentityInput>,
    pub shipping_address: Option<MailingAddressInput>,
    pub billing_address: Option<MailingAddressInput>,
}

payload!(
    /// The cart after the change. `warnings` is always empty: problems refuse the change and
    /// come back as `userErrors`.
    CartPayload { cart: Option<Cart>, warnings: Vec<String> }
);
fn quantity(q: i32, field: &[&str]) -> Result<u32, AppError> {
    u32::try_from(q).map_err(|_| {
        AppError::user(AppUserError::new(field, ErrorCode::Invalid, "a quantity is 0 or more"))
    })
}

fn lines(input: Vec<CartLineInput>) -> Result<Vec<LineInput>, AppError> {
    input
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            let row = i.to_string();
            Ok(LineInput {
                variant_id: input_id(&l.merchandise_id, NodeKind::ProductVariant, "merchandiseId")
                    .map_err(|e| at(e, &["lines", &row]))?,
                quantity: quantity(l.quantity, &["lines", &row, "quantity"])?,
                attributes: attrs(l.attributes),
            })
        })
        .collect()
}

fn at(e: AppError, prefix: &[&str]) -> AppError {
    match e {
        AppError::User(errors) => AppError::User(
            errors
                .into_iter()
                .map(|u| u.at(&prefix.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>()))
                .collect(),
        ),
        other => other,
    }
}

fn identity(input: Option<CartBuyerIdentityInput>) -> Result<BuyerIdentityInput, AppError> {
    let input = input.unwrap_or_default();
    Ok(BuyerIdentityInput {
        email: input.email,
        country_code: input.country_code.map(|c| c.name().to_owned()),
        company_location_id: input
            .company_location_id
            .as_ref()
            .map(|id| input_id(id, NodeKind::CompanyLocation, "companyLocationId"))
            .transpose()
            .map_err(|e| at(e, &["buyerIdentity"]))?,
    })
}

fn cart_payload(
    result: Result<vitrine_domain::cart::Cart, AppError>,
) -> async_graphql::Result<CartPayload> {
    let (cart, user_errors) = into_payload(result)?;
    Ok(CartPayload { cart: cart.map(Cart::new), warnings: vec![], user_errors })
}

fn cart_id(id: &ID) -> Result<uuid::Uuid, AppError> {
    input_id(id, NodeKind::Cart, "cartId")
}

#[derive(Default)]
pub struct CartMutation;

#[Object]
impl CartMutation {
    /// A new cart, in the request's currency (`@inContext(country:)`). A signed-in
    /// customer's cart is theirs alone; a company member's is pre-filled with their
    /// location's addresses.
    async fn cart_create(
        &self,
        ctx: &Context<'_>,
        input: Option<CartInput>,
    ) -> async_graphql::Result<CartPayload> {
        let req = ctx.req();
        let input = input.unwrap_or_default();
        let result = async {
            let app_input = AppCartInput {
                lines: lines(input.lines)?,
                note: input.note,
                attributes: attrs(input.attributes),
                discount_codes: input.discount_codes,
                buyer_identity: identity(input.buyer_identity)?,
                shipping_address: input.shipping_address.map(Into::into),
                billing_address: input.billing_address.map(Into::into),
            };
            ctx.app().carts.create(&req.actor, &req.channel, req.currency, app_input).await
        }
        .await;
        cart_payload(result)
    }

    async fn cart_lines_add(
        &self,
        ctx: &Context<'_>,
        cart_id: ID,
        lines: Vec<CartLineInput>,
    ) -> async_graphql::Result<CartPayload> {
        let req = ctx.req();
        let result = async {
            let id = self::cart_id(&cart_id)?;
            ctx.app().carts.lines_add(&req.actor, &req.channel, id, self::lines(lines)?).await
        }
        .await;
        cart_payload(result)
    }

    /// Quick order: many lines by SKU in one call (B2B order forms, reorders from a list).
    async fn cart_lines_add_by_sku(
        &self,
        ctx: &Context<'_>,
        cart_id: ID,
        lines: Vec<CartSkuLineInput>,
    ) -> async_graphql::Result<CartPayload> {
        let req = ctx.req();
        let result = async {
            let id = self::cart_id(&cart_id)?;
            let rows = lines
                .into_iter()
                .enumerate()
                .map(|(i, l)| {
                    Ok((l.sku, quantity(l.quantity, &["lines", &i.to_string(), "quantity"])?))
                })
                .collect::<Result<Vec<_>, AppError>>()?;
            ctx.app().carts.lines_add_by_sku(&req.actor, &req.channel, id, rows).await
        }
        .await;
        cart_payload(result)
    }

    /// Changes lines' quantities (0 removes), variants or attributes.
    async fn cart_lines_update(
        &self,
        ctx: &Context<'_>,
        cart_id: ID,
        lines: Vec<CartLineUpdateInput>,
    ) -> async_graphql::Result<CartPayload> {
        let req = ctx.req();
        let result = async {
            let id = self::cart_id(&cart_id)?;
            let updates = lines
                .into_iter()
                .enumerate()
                .map(|(i, l)| {
                    let row = i.to_string();
                    Ok(LineUpdate {
                        line_id: input_id(&l.id, NodeKind::CartLine, "id")
                            .map_err(|e| at(e, &["lines", &row]))?,
                        quantity: l
                            .quantity
                            .map(|q| quantity(q, &["lines", &row, "quantity"]))
                            .transpose()?,
                        variant_id: l
                            .merchandise_id
                            .as_ref()
                            .map(|m| input_id(m, NodeKind::ProductVariant, "merchandiseId"))
                            .transpose()
                            .map_err(|e| at(e, &["lines", &row]))?,
                        attributes: l.attributes.map(attrs),
                    })
                })
                .collect::<Result<Vec<_>, AppError>>()?;
            ctx.app().carts.lines_update(&req.actor, &req.channel, id, updates).await
        }
        .await;
        cart_payload(result)
    }

    async fn cart_lines_remove(
        &self,
        ctx: &Context<'_>,
        cart_id: ID,
        line_ids: Vec<ID>,
    ) -> async_graphql::Result<CartPayload> {
        let req = ctx.req();
        let result = async {
            let id = self::cart_id(&cart_id)?;
            let line_ids = input_ids(&line_ids, NodeKind::CartLine, "lineIds")?;
            ctx.app().carts.lines_remove(&req.actor, &req.channel, id, line_ids).await
        }
        .await;
        cart_payload(result)
    }

    /// Replaces the entered discount codes; codes that do not apply stay listed with
    /// `applicable: false`.
    async fn cart_discount_codes_update(
        &self,
        ctx: &Context<'_>,
        cart_id: ID,
        discount_codes: Vec<String>,
    ) -> async_graphql::Result<CartPayload> {
        let req = ctx.req();
        let result = async {
            let id = self::cart_id(&cart_id)?;
            ctx.app()
                .carts
                .discount_codes_update(&req.actor, &req.channel, id, discount_codes)
                .await
        }
        .await;
        cart_payload(result)
    }

    /// Email, country, company location. Called by a signed-in customer on a guest cart, it
    /// makes the cart theirs and merges their saved cart into it: the guest cart's lines
    /// stay as they are, saved lines it lacks are added, the saved cart's note and codes
    /// are kept where the guest cart has none, and the saved cart is deleted.
    async fn cart_buyer_identity_update(
        &self,
        ctx: &Context<'_>,
        cart_id: ID,
        buyer_identity: CartBuyerIdentityInput,
    ) -> async_graphql::Result<CartPayload> {
        let req = ctx.req();
        let result = async {
            let id = self::cart_id(&cart_id)?;
            ctx.app()
                .carts
                .buyer_identity_update(
                    &req.actor,
                    &req.channel,
                    id,
                    identity(Some(buyer_identity))?,
                )
                .await
        }
        .await;
        cart_payload(result)
    }

    async fn cart_note_update(
        &self,
        ctx: &Context<'_>,
        cart_id: ID,
        note: String,
    ) -> async_graphql::Result<CartPayload> {
        let req = ctx.req();
        let result = async {
            let id = self::cart_id(&cart_id)?;
            ctx.app().carts.note_update(&req.actor, &req.channel, id, note).await
        }
        .await;
        cart_payload(result)
    }

    async fn cart_attributes_update(
        &self,
        ctx: &Context<'_>,
        cart_id: ID,
        attributes: Vec<AttributeInput>,
    ) -> async_graphql::Result<CartPayload> {
        let req = ctx.req();
        let result = async {
            let id = self::cart_id(&cart_id)?;
            ctx.app().carts.attributes_update(&req.actor, &req.channel, id, attrs(attributes)).await
        }
        .await;
        cart_payload(result)
    }

    /// Null removes the address (collection in store needs none).
    async fn cart_shipping_address_update(
        &self,
        ctx: &Context<'_>,
        cart_id: ID,
        address: Option<MailingAddressInput>,
    ) -> async_graphql::Result<CartPayload> {
        let req = ctx.req();
        let result = async {
            let id = self::cart_id(&cart_id)?;
            ctx.app()
                .carts
                .shipping_address_update(&req.actor, &req.channel, id, address.map(Into::into))
                .await
        }
        .await;
        cart_payload(result)
    }

    /// Picks one of `cart.deliveryOptions` by handle.
    async fn cart_delivery_option_select(
        &self,
        ctx: &Context<'_>,
        cart_id: ID,
        handle: String,
    ) -> async_graphql::Result<CartPayload> {
        let req = ctx.req();
        let result = async {
            let id = self::cart_id(&cart_id)?;
            ctx.app().carts.delivery_option_select(&req.actor, &req.channel, id, handle).await
        }
        .await;
        cart_payload(result)
    }
}
