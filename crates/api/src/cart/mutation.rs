//! Cart mutations: open to anyone holding the cart's id (a customer's cart only to that
//! customer), in Shopify's Storefront API shapes.

use async_graphql::{Context, InputObject, Object, ID};
use vitrine_app::cart::{BuyerIdentityInput, CartInput as AppCartInput, LineInput, LineUpdate};
use vitrine_app::{AppError, Caller, ErrorCode, UserError};
use vitrine_domain::access::Actor;
use vitrine_domain::cart::{Attribute, Cart as DomainCart};
use vitrine_domain::id::NodeKind;

use crate::cart::types::Cart;
use crate::common::address::MailingAddressInput;
use crate::common::codes::CountryCode;
use crate::context::ContextExt;
use crate::mutate::{mutate, payload, read_input, InputReader};

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
    /// The buyer's customer access token, as Shopify's documents send it: the cart acts for
    /// that customer (a guest cart is claimed and their saved cart merged into it), as with
    /// the token in `Authorization`.
    pub customer_access_token: Option<String>,
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
    from |cart: DomainCart| { cart: Some(Cart::new(cart)) }
);

fn lines(r: &mut InputReader, input: Vec<CartLineInput>) -> Vec<LineInput> {
    r.rows("lines", input, |r, l| LineInput {
        variant_id: r.id(&l.merchandise_id, NodeKind::ProductVariant, "merchandiseId"),
        quantity: r.quantity(l.quantity, "quantity"),
        attributes: attrs(l.attributes),
    })
}

fn identity(r: &mut InputReader, input: Option<CartBuyerIdentityInput>) -> BuyerIdentityInput {
    let input = input.unwrap_or_default();
    r.within(&["buyerIdentity"], |r| BuyerIdentityInput {
        email: input.email,
        country_code: input.country_code.map(|c| c.name().to_owned()),
        company_location_id: r.optional_id(
            input.company_location_id.as_ref(),
            NodeKind::CompanyLocation,
            "companyLocationId",
        ),
    })
}

/// Who a cart change acts for: the customer of the input's `customerAccessToken` when it has
/// one, else the request's caller.
async fn buyer(ctx: &Context<'_>, caller: &Actor, token: Option<&str>) -> Result<Actor, AppError> {
    let Some(token) = token else { return Ok(caller.clone()) };
    match ctx.app().identity.authenticate(token.trim()).await {
        Ok(actor @ Actor::Customer { .. }) => Ok(actor),
        Ok(_) | Err(AppError::Unauthenticated | AppError::User(_) | AppError::Forbidden) => {
            Err(AppError::user(UserError::new(
                &["buyerIdentity", "customerAccessToken"],
                ErrorCode::InvalidToken,
                "not a valid customer access token",
            )))
        }
        Err(other) => Err(other),
    }
}

fn cart_id(r: &mut InputReader, id: &ID) -> uuid::Uuid {
    r.id(id, NodeKind::Cart, "cartId")
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
        let input = input.unwrap_or_default();
        let token = input.buyer_identity.as_ref().and_then(|b| b.customer_access_token.clone());
        let input = read_input(|r| AppCartInput {
            lines: lines(r, input.lines),
            note: input.note,
            attributes: attrs(input.attributes),
            discount_codes: input.discount_codes,
            buyer_identity: identity(r, input.buyer_identity),
            shipping_address: input.shipping_address.map(Into::into),
            billing_address: input.billing_address.map(Into::into),
        });
        let currency = ctx.req().currency;
        mutate(ctx, input, async |caller, input| {
            let actor = buyer(ctx, caller.actor, token.as_deref()).await?;
            ctx.app().carts.create(Caller { actor: &actor, ..caller }, currency, input).await
        })
        .await
    }

    async fn cart_lines_add(
        &self,
        ctx: &Context<'_>,
        cart_id: ID,
        lines: Vec<CartLineInput>,
    ) -> async_graphql::Result<CartPayload> {
        let input = read_input(|r| (self::cart_id(r, &cart_id), self::lines(r, lines)));
        mutate(ctx, input, async |caller, (id, lines)| {
            ctx.app().carts.lines_add(caller, id, lines).await
        })
        .await
    }

    /// Quick order: many lines by SKU in one call (B2B order forms, reorders from a list).
    async fn cart_lines_add_by_sku(
        &self,
        ctx: &Context<'_>,
        cart_id: ID,
        lines: Vec<CartSkuLineInput>,
    ) -> async_graphql::Result<CartPayload> {
        let input = read_input(|r| {
            let id = self::cart_id(r, &cart_id);
            let rows = r.rows("lines", lines, |r, l| (l.sku, r.quantity(l.quantity, "quantity")));
            (id, rows)
        });
        mutate(ctx, input, async |caller, (id, rows)| {
            ctx.app().carts.lines_add_by_sku(caller, id, rows).await
        })
        .await
    }

    /// Changes lines' quantities (0 removes), variants or attributes.
    async fn cart_lines_update(
        &self,
        ctx: &Context<'_>,
        cart_id: ID,
        lines: Vec<CartLineUpdateInput>,
    ) -> async_graphql::Result<CartPayload> {
        let input = read_input(|r| {
            let id = self::cart_id(r, &cart_id);
            let updates = r.rows("lines", lines, |r, l| LineUpdate {
                line_id: r.id(&l.id, NodeKind::CartLine, "id"),
                quantity: l.quantity.map(|q| r.quantity(q, "quantity")),
                variant_id: r.optional_id(
                    l.merchandise_id.as_ref(),
                    NodeKind::ProductVariant,
                    "merchandiseId",
                ),
                attributes: l.attributes.map(attrs),
            });
            (id, updates)
        });
        mutate(ctx, input, async |caller, (id, updates)| {
            ctx.app().carts.lines_update(caller, id, updates).await
        })
        .await
    }

    async fn cart_lines_remove(
        &self,
        ctx: &Context<'_>,
        cart_id: ID,
        line_ids: Vec<ID>,
    ) -> async_graphql::Result<CartPayload> {
        let input = read_input(|r| {
            (self::cart_id(r, &cart_id), r.ids(&line_ids, NodeKind::CartLine, "lineIds"))
        });
        mutate(ctx, input, async |caller, (id, line_ids)| {
            ctx.app().carts.lines_remove(caller, id, line_ids).await
        })
        .await
    }

    /// Replaces the entered discount codes; codes that do not apply stay listed with
    /// `applicable: false`.
    async fn cart_discount_codes_update(
        &self,
        ctx: &Context<'_>,
        cart_id: ID,
        discount_codes: Vec<String>,
    ) -> async_graphql::Result<CartPayload> {
        let input = read_input(|r| self::cart_id(r, &cart_id));
        mutate(ctx, input, async |caller, id| {
            let carts = &ctx.app().carts;
            carts.discount_codes_update(caller, id, discount_codes).await
        })
        .await
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
        let token = buyer_identity.customer_access_token.clone();
        let input = read_input(|r| (self::cart_id(r, &cart_id), identity(r, Some(buyer_identity))));
        mutate(ctx, input, async |caller, (id, identity)| {
            let actor = buyer(ctx, caller.actor, token.as_deref()).await?;
            let caller = Caller { actor: &actor, ..caller };
            ctx.app().carts.buyer_identity_update(caller, id, identity).await
        })
        .await
    }

    async fn cart_note_update(
        &self,
        ctx: &Context<'_>,
        cart_id: ID,
        note: String,
    ) -> async_graphql::Result<CartPayload> {
        let input = read_input(|r| self::cart_id(r, &cart_id));
        mutate(ctx, input, async |caller, id| ctx.app().carts.note_update(caller, id, note).await)
            .await
    }

    async fn cart_attributes_update(
        &self,
        ctx: &Context<'_>,
        cart_id: ID,
        attributes: Vec<AttributeInput>,
    ) -> async_graphql::Result<CartPayload> {
        let input = read_input(|r| self::cart_id(r, &cart_id));
        mutate(ctx, input, async |caller, id| {
            let attributes = attrs(attributes);
            ctx.app().carts.attributes_update(caller, id, attributes).await
        })
        .await
    }

    /// Null removes the address (collection in store needs none).
    async fn cart_shipping_address_update(
        &self,
        ctx: &Context<'_>,
        cart_id: ID,
        address: Option<MailingAddressInput>,
    ) -> async_graphql::Result<CartPayload> {
        let input = read_input(|r| self::cart_id(r, &cart_id));
        mutate(ctx, input, async |caller, id| {
            let address = address.map(Into::into);
            ctx.app().carts.shipping_address_update(caller, id, address).await
        })
        .await
    }

    /// Picks one of `cart.deliveryOptions` by handle.
    async fn cart_delivery_option_select(
        &self,
        ctx: &Context<'_>,
        cart_id: ID,
        handle: String,
    ) -> async_graphql::Result<CartPayload> {
        let input = read_input(|r| self::cart_id(r, &cart_id));
        mutate(ctx, input, async |caller, id| {
            ctx.app().carts.delivery_option_select(caller, id, handle).await
        })
        .await
    }
}
