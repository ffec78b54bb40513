//! What checkout refuses in a cart that was fine when it was last changed, and where it says
//! so. `checkoutComplete` takes only `cartId`, `payment`, `idempotencyKey` and
//! `expectedTotalAmount`, so problems with the cart's contents point at `cartId` and their
//! message names the line (its position in the cart and its SKU); the delivery option chosen
//! must still be offered.

mod support;

use support::{backend_tests, manual, user_errors, TestShop};
use vitrine_app::Caller;
use vitrine_app::ErrorCode;
use vitrine_domain::access::Actor;

backend_tests! {
    async fn checkout_points_a_broken_quantity_rule_at_the_cart_and_names_the_line(
        shop: TestShop,
    ) {
        let (app, channel) = (&shop.app, &shop.marketplace);
        let [gone, packed] = shop.tracked_variants(2).await[..] else { unreachable!() };
        shop.stock(&[gone, packed], 100).await;
        let cart = shop.guest_cart_of(&[(gone, 1), (packed, 4)]).await;
        // Since the cart was filled: the first line stopped selling, the second is sold in packs.
        shop.archive_product_of(gone).await;
        shop.sell_in_packs(packed, 6).await;

        let errors =
            user_errors(app.orders.checkout(Caller::new(&Actor::Anonymous, channel), manual(cart, None)).await);
        assert_eq!(errors.len(), 2, "{errors:?}");
        let breach = errors
            .iter()
            .find(|e| e.code == ErrorCode::BelowMinimum)
            .unwrap_or_else(|| panic!("a quantity error: {errors:?}"));
        assert_eq!(breach.field, vec!["cartId"]);
        let sku = shop.sku_of(packed).await;
        assert!(
            breach.message.contains(&sku) && breach.message.contains("line 2"),
            "names the second line of the cart: {}",
            breach.message
        );
        let unsold = errors
            .iter()
            .find(|e| e.code == ErrorCode::NotFound && e.field == ["cartId"])
            .unwrap_or_else(|| panic!("the line no longer sold: {errors:?}"));
        let sku = shop.sku_of(gone).await;
        assert!(
            unsold.message.contains(&sku) && unsold.message.contains("line 1"),
            "names the first line of the cart: {}",
            unsold.message
        );
    }

    async fn checkout_points_missing_stock_at_the_cart_and_names_the_line(shop: TestShop) {
        let (app, channel) = (&shop.app, &shop.marketplace);
        let [plenty, scarce] = shop.tracked_variants(2).await[..] else { unreachable!() };
        shop.stock(&[plenty, scarce], 10).await;
        let cart = shop.guest_cart_of(&[(plenty, 1), (scarce, 3)]).await;
        shop.stock(&[scarce], 1).await;

        let errors =
            user_errors(app.orders.checkout(Caller::new(&Actor::Anonymous, channel), manual(cart, None)).await);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(
            (errors[0].field.as_slice(), errors[0].code),
            (&["cartId".to_owned()][..], ErrorCode::InsufficientStock)
        );
        let sku = shop.sku_of(scarce).await;
        assert!(
            errors[0].message.contains(&sku) && errors[0].message.contains("line 2"),
            "names the second line of the cart: {}",
            errors[0].message
        );
    }

    async fn a_chosen_delivery_option_no_longer_offered_is_refused_at_checkout(shop: TestShop) {
        let (app, channel) = (&shop.app, &shop.marketplace);
        let [variant] = shop.tracked_variants(1).await[..] else { unreachable!() };
        shop.stock(&[variant], 10).await;
        let cart = shop.guest_cart(variant, 1).await;
        app.carts
            .delivery_option_select(Caller::new(&Actor::Anonymous, channel), cart, "express-eu".into())
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
            app.carts.get(Caller::new(&Actor::Anonymous, channel), cart).await.expect("read").expect("cart");
        let priced = app.carts.price(channel, &held).await.expect("priced");
        assert_eq!(priced.delivery, None, "no other option is chosen in its place");
        assert!(!priced.delivery_options.is_empty(), "the options still offered are shown");
        assert!(
            priced.delivery_options.iter().all(|o| o.handle != "express-eu"),
            "the withdrawn option is not offered"
        );

        let errors =
            user_errors(app.orders.checkout(Caller::new(&Actor::Anonymous, channel), manual(cart, None)).await);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].code, ErrorCode::DeliveryUnavailable);
        assert_eq!(errors[0].field, vec!["cartId"]);
        assert!(errors[0].message.contains("express-eu"), "{}", errors[0].message);

        let standard = priced.delivery_options[0].handle.clone();
        app.carts
            .delivery_option_select(Caller::new(&Actor::Anonymous, channel), cart, standard.clone())
            .await
            .expect("another option chosen");
        let placed = app
            .orders
            .checkout(Caller::new(&Actor::Anonymous, channel), manual(cart, None))
            .await
            .expect("placed with the option chosen again");
        assert_eq!(placed.order.delivery_handle, Some(standard), "ships the way chosen");
    }
}
