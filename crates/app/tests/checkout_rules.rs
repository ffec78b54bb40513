//! What checkout refuses in a cart that was fine when it was last changed, and where it says
//! so. `checkoutComplete` takes only `cartId`, `payment`, `idempotencyKey` and
//! `expectedTotalAmount`, so problems with the cart's contents point at `cartId` and their
//! message names the line (its position in the cart and its SKU); the delivery option chosen
//! must still be offered.

mod support;

use support::{databases, demo_app, guest_cart, marketplace, set_stock, staff, tracked_variants};
use uuid::Uuid;
use vitrine_app::catalog::ProductInput;
use vitrine_app::checkout::CheckoutInput;
use vitrine_app::pricing::{PriceListInput, PriceRow};
use vitrine_app::{App, AppError, ErrorCode, UserError};
use vitrine_domain::access::Actor;
use vitrine_domain::catalog::ProductStatus;
use vitrine_domain::payment::PaymentMethod;

fn manual(cart_id: Uuid) -> CheckoutInput {
    CheckoutInput {
        cart_id,
        method: PaymentMethod::Manual,
        payment_token: None,
        idempotency_key: None,
        expected_total: None,
    }
}

fn user_errors(result: Result<impl std::fmt::Debug, AppError>) -> Vec<UserError> {
    match result {
        Err(AppError::User(errors)) => errors,
        other => panic!("expected user errors, got {other:?}"),
    }
}

async fn sku_of(app: &App, variant: Uuid) -> String {
    app.store().variants_by_ids(&[variant]).await.expect("variant")[0].sku.clone()
}

#[tokio::test]
async fn checkout_points_a_broken_quantity_rule_at_the_cart_and_names_the_line() {
    for db in databases().await {
        let app = demo_app(&db).await;
        let channel = marketplace(&app).await;
        let [gone, packed] = tracked_variants(&app, &channel, 2).await[..] else { unreachable!() };
        set_stock(&app, &[gone, packed], 100).await;
        let cart = guest_cart(&app, &channel, &[(gone, 1), (packed, 4)]).await;
        // Since the cart was filled: the first line stopped selling, the second is sold in packs.
        let archived = ProductInput { status: Some(ProductStatus::Archived), ..Default::default() };
        let product = app.store().variants_by_ids(&[gone]).await.expect("variant")[0].product_id;
        app.catalog.product_update(product, archived).await.expect("archived");
        let list = app
            .pricing
            .price_list_save(
                None,
                PriceListInput {
                    name: Some("Packs".into()),
                    currency: Some(channel.default_currency.to_string()),
                    channel_ids: Some(vec![channel.id]),
                    adjustment_percent: Some(Some("0".into())),
                    ..PriceListInput::default()
                },
            )
            .await
            .expect("price list");
        let rule = PriceRow { variant_id: packed, increment: Some(6), ..PriceRow::default() };
        app.pricing.prices_set(&staff(), list.id, vec![rule], vec![], None).await.expect("rule");

        let errors =
            user_errors(app.orders.checkout(&Actor::Anonymous, &channel, manual(cart)).await);
        let breach = errors
            .iter()
            .find(|e| e.code == ErrorCode::BelowMinimum)
            .unwrap_or_else(|| panic!("a quantity error: {errors:?}"));
        assert_eq!(breach.field, vec!["cartId"]);
        let sku = sku_of(&app, packed).await;
        assert!(
            breach.message.contains(&sku) && breach.message.contains("line 2"),
            "names the second line of the cart: {}",
            breach.message
        );
        assert!(errors.iter().any(|e| e.code == ErrorCode::NotFound && e.field == ["cartId"]));
    }
}

#[tokio::test]
async fn checkout_points_missing_stock_at_the_cart_and_names_the_line() {
    for db in databases().await {
        let app = demo_app(&db).await;
        let channel = marketplace(&app).await;
        let [plenty, scarce] = tracked_variants(&app, &channel, 2).await[..] else {
            unreachable!()
        };
        set_stock(&app, &[plenty, scarce], 10).await;
        let cart = guest_cart(&app, &channel, &[(plenty, 1), (scarce, 3)]).await;
        set_stock(&app, &[scarce], 1).await;

        let errors =
            user_errors(app.orders.checkout(&Actor::Anonymous, &channel, manual(cart)).await);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(
            (errors[0].field.as_slice(), errors[0].code),
            (&["cartId".to_owned()][..], ErrorCode::InsufficientStock)
        );
        let sku = sku_of(&app, scarce).await;
        assert!(
            errors[0].message.contains(&sku) && errors[0].message.contains("line 2"),
            "names the second line of the cart: {}",
            errors[0].message
        );
    }
}

#[tokio::test]
async fn a_chosen_delivery_option_no_longer_offered_is_refused_at_checkout() {
    for db in databases().await {
        let app = demo_app(&db).await;
        let channel = marketplace(&app).await;
        let [variant] = tracked_variants(&app, &channel, 1).await[..] else { unreachable!() };
        set_stock(&app, &[variant], 10).await;
        let cart = guest_cart(&app, &channel, &[(variant, 1)]).await;
        app.carts
            .delivery_option_select(&Actor::Anonymous, &channel, cart, "express-eu".into())
            .await
            .expect("express is offered in Paris");
        let express = app
            .delivery
            .methods()
            .await
            .expect("methods")
            .into_iter()
            .find(|m| m.handle == "express-eu")
            .expect("the demo's express method");
        app.delivery.delete(express.id).await.expect("express withdrawn");

        let held =
            app.carts.get(&Actor::Anonymous, &channel, cart).await.expect("read").expect("cart");
        let priced = app.carts.price(&channel, &held).await.expect("priced");
        assert_eq!(priced.delivery, None, "no other option is chosen in its place");
        assert!(!priced.delivery_options.is_empty(), "the options still offered are shown");

        let errors =
            user_errors(app.orders.checkout(&Actor::Anonymous, &channel, manual(cart)).await);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].code, ErrorCode::DeliveryUnavailable);
        assert_eq!(errors[0].field, vec!["cartId"]);
        assert!(errors[0].message.contains("express-eu"), "{}", errors[0].message);

        let standard = priced.delivery_options[0].handle.clone();
        app.carts
            .delivery_option_select(&Actor::Anonymous, &channel, cart, standard)
            .await
            .expect("another option chosen");
        app.orders
            .checkout(&Actor::Anonymous, &channel, manual(cart))
            .await
            .expect("placed with the option chosen again");
    }
}
