//! What a cart change checks when the cart already holds a line that is no longer sold: the
//! lines the change touches are checked in full (quantity rules, stock), and each error points
//! at the input field at fault.

mod support;

use support::{databases, demo_app, guest_cart, marketplace, set_stock, staff, tracked_variants};
use uuid::Uuid;
use vitrine_app::cart::{LineInput, LineUpdate};
use vitrine_app::catalog::ProductInput;
use vitrine_app::pricing::{PriceListInput, PriceRow};
use vitrine_app::{App, AppError, ErrorCode, UserError};
use vitrine_domain::access::Actor;
use vitrine_domain::catalog::{Channel, ProductStatus};

fn line(variant_id: Uuid, quantity: u32) -> LineInput {
    LineInput { variant_id, quantity, attributes: vec![] }
}

/// Takes the product of `variant` off sale (archived).
async fn archive_product_of(app: &App, variant: Uuid) {
    let variants = app.store().variants_by_ids(&[variant]).await.expect("variant");
    let input = ProductInput { status: Some(ProductStatus::Archived), ..ProductInput::default() };
    app.catalog.product_update(variants[0].product_id, input).await.expect("archived");
}

/// A cart holding one line of `gone`, whose product is then taken off sale.
async fn cart_with_unsold_line(app: &App, channel: &Channel, gone: Uuid) -> Uuid {
    let cart = guest_cart(app, channel, &[(gone, 1)]).await;
    archive_product_of(app, gone).await;
    let priced = app
        .carts
        .price(
            channel,
            &app.carts.get(&Actor::Anonymous, channel, cart).await.expect("read").expect("cart"),
        )
        .await
        .expect("priced");
    assert_eq!(priced.unavailable_line_ids.len(), 1, "the archived line is unavailable");
    cart
}

fn user_errors(result: Result<impl std::fmt::Debug, AppError>) -> Vec<UserError> {
    match result {
        Err(AppError::User(errors)) => errors,
        other => panic!("expected user errors, got {other:?}"),
    }
}

fn fields(errors: &[UserError]) -> Vec<(Vec<&str>, ErrorCode)> {
    errors.iter().map(|e| (e.field.iter().map(String::as_str).collect(), e.code)).collect()
}

#[tokio::test]
async fn a_cart_with_an_unsold_line_still_checks_stock_of_new_lines() {
    for db in databases().await {
        let app = demo_app(&db).await;
        let channel = marketplace(&app).await;
        let [gone, scarce] = tracked_variants(&app, &channel, 2).await[..] else { unreachable!() };
        set_stock(&app, &[scarce], 2).await;
        let cart = cart_with_unsold_line(&app, &channel, gone).await;

        let refused =
            app.carts.lines_add(&Actor::Anonymous, &channel, cart, vec![line(scarce, 5)]).await;
        assert_eq!(
            fields(&user_errors(refused)),
            vec![(vec!["lines", "0", "quantity"], ErrorCode::InsufficientStock)]
        );
        let cart_now =
            app.carts.get(&Actor::Anonymous, &channel, cart).await.expect("read").expect("cart");
        assert_eq!(cart_now.lines.len(), 1, "nothing was added");

        app.carts
            .lines_add(&Actor::Anonymous, &channel, cart, vec![line(scarce, 2)])
            .await
            .expect("what is in stock can be added");
    }
}

#[tokio::test]
async fn a_cart_with_an_unsold_line_still_checks_quantity_rules_of_new_lines() {
    for db in databases().await {
        let app = demo_app(&db).await;
        let channel = marketplace(&app).await;
        let [gone, packed] = tracked_variants(&app, &channel, 2).await[..] else { unreachable!() };
        set_stock(&app, &[packed], 100).await;
        let list = app
            .pricing
            .price_list_save(
                None,
                PriceListInput {
                    name: Some("Packs".into()),
                    currency: Some(channel.default_currency.to_string()),
                    channel_ids: Some(vec![channel.id]),
                    // Base prices, sold in packs.
                    adjustment_percent: Some(Some("0".into())),
                    ..PriceListInput::default()
                },
            )
            .await
            .expect("price list");
        let rule = PriceRow { variant_id: packed, increment: Some(6), ..PriceRow::default() };
        app.pricing.prices_set(&staff(), list.id, vec![rule], vec![], None).await.expect("rule");
        let cart = cart_with_unsold_line(&app, &channel, gone).await;

        let refused =
            app.carts.lines_add(&Actor::Anonymous, &channel, cart, vec![line(packed, 4)]).await;
        assert_eq!(
            fields(&user_errors(refused)),
            vec![(vec!["lines", "0", "quantity"], ErrorCode::BelowMinimum)]
        );
        let added = app
            .carts
            .lines_add(&Actor::Anonymous, &channel, cart, vec![line(packed, 6)])
            .await
            .expect("a whole pack can be added");
        let packed_line = added.lines.iter().find(|l| l.variant_id == packed).expect("line");

        let changed = app
            .carts
            .lines_update(
                &Actor::Anonymous,
                &channel,
                cart,
                vec![LineUpdate {
                    line_id: packed_line.id,
                    quantity: Some(9),
                    variant_id: None,
                    attributes: None,
                }],
            )
            .await;
        assert_eq!(
            fields(&user_errors(changed)),
            vec![(vec!["lines", "0", "quantity"], ErrorCode::NotMultipleOfIncrement)],
            "the changed line is checked at the row that changed it"
        );
    }
}

#[tokio::test]
async fn a_line_changed_to_a_variant_no_longer_sold_is_refused_at_its_merchandise_id() {
    for db in databases().await {
        let app = demo_app(&db).await;
        let channel = marketplace(&app).await;
        let [gone, kept, other] = tracked_variants(&app, &channel, 3).await[..] else {
            unreachable!()
        };
        set_stock(&app, &[kept, other], 10).await;
        let cart = guest_cart(&app, &channel, &[(kept, 1), (other, 1)]).await;
        archive_product_of(&app, gone).await;
        let lines = app
            .carts
            .get(&Actor::Anonymous, &channel, cart)
            .await
            .expect("read")
            .expect("cart")
            .lines;

        let changed = app
            .carts
            .lines_update(
                &Actor::Anonymous,
                &channel,
                cart,
                vec![
                    LineUpdate {
                        line_id: lines[1].id,
                        quantity: Some(2),
                        variant_id: None,
                        attributes: None,
                    },
                    LineUpdate {
                        line_id: lines[0].id,
                        quantity: None,
                        variant_id: Some(gone),
                        attributes: None,
                    },
                ],
            )
            .await;
        assert_eq!(
            fields(&user_errors(changed)),
            vec![(vec!["lines", "1", "merchandiseId"], ErrorCode::NotFound)]
        );
    }
}
