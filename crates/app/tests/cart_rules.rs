//! What a cart change checks when the cart already holds a line that is no longer sold: the
//! lines the change touches are checked in full (quantity rules, stock), and each error points
//! at the input field at fault. A refused change changes nothing.

mod support;

use support::{backend_tests, user_errors, TestShop};
use uuid::Uuid;
use vitrine_app::cart::{LineInput, LineUpdate};
use vitrine_app::Caller;
use vitrine_app::ErrorCode;
use vitrine_app::UserError;
use vitrine_domain::access::Actor;
use vitrine_domain::cart::Cart;

fn line(variant_id: Uuid, quantity: u32) -> LineInput {
    LineInput { variant_id, quantity, attributes: vec![] }
}

fn quantity_of(line_id: Uuid, quantity: u32) -> LineUpdate {
    LineUpdate { line_id, quantity: Some(quantity), variant_id: None, attributes: None }
}

fn fields(errors: &[UserError]) -> Vec<(Vec<&str>, ErrorCode)> {
    errors.iter().map(|e| (e.field.iter().map(String::as_str).collect(), e.code)).collect()
}

/// `(variant, quantity)` of each line, in order.
fn contents(cart: &Cart) -> Vec<(Uuid, u32)> {
    cart.lines.iter().map(|l| (l.variant_id, l.quantity)).collect()
}

impl TestShop {
    async fn cart(&self, id: Uuid) -> Cart {
        let carts = &self.app.carts;
        carts
            .get(Caller::new(&Actor::Anonymous, &self.marketplace), id)
            .await
            .expect("read")
            .expect("cart")
    }

    /// A cart holding one line of `gone`, whose product is then taken off sale.
    async fn cart_with_unsold_line(&self, gone: Uuid) -> Uuid {
        let cart = self.guest_cart(gone, 1).await;
        self.archive_product_of(gone).await;
        let priced =
            self.app.carts.price(&self.marketplace, &self.cart(cart).await).await.expect("priced");
        assert_eq!(priced.unavailable_line_ids.len(), 1, "the archived line is unavailable");
        cart
    }
}

backend_tests! {
    async fn quick_order_answers_alike_for_unknown_skus_and_skus_not_sold_here(shop: TestShop) {
        let [sold, withdrawn] = shop.tracked_variants(2).await[..] else { unreachable!() };
        shop.stock(&[sold, withdrawn], 5).await;
        let withdrawn_sku = shop.sku_of(withdrawn).await;
        shop.archive_product_of(withdrawn).await;
        let cart = shop.guest_cart(sold, 1).await;
        let guest = Caller::new(&Actor::Anonymous, &shop.marketplace);
        let add = |sku: &str| vec![(sku.to_owned(), 1)];

        let unknown = shop.app.carts.lines_add_by_sku(guest, cart, add("NO-SUCH-SKU")).await;
        let unknown = user_errors(unknown);
        let hidden = user_errors(shop.app.carts.lines_add_by_sku(guest, cart, add(&withdrawn_sku)).await);
        assert_eq!(fields(&unknown), vec![(vec!["lines", "0", "sku"], ErrorCode::NotFound)]);
        assert_eq!(fields(&hidden), fields(&unknown), "{hidden:?}");
        assert_eq!(hidden[0].message, format!("no variant with SKU `{withdrawn_sku}`"));
    }

    async fn a_channel_that_hides_stock_counts_hides_them_in_messages_too(shop: TestShop) {
        let hiding = shop.marketplace.clone();
        assert!(!hiding.show_stock_counts, "the demo marketplace hides counts");
        let [scarce] = shop.tracked_variants(1).await[..] else { unreachable!() };
        shop.stock(&[scarce], 3).await;
        let cart = shop.guest_cart(scarce, 1).await;
        let too_many = || vec![line(scarce, 9_999)];

        let refused = shop.app.carts.lines_add(Caller::new(&Actor::Anonymous, &hiding), cart, too_many()).await;
        let errors = user_errors(refused);
        assert_eq!(errors[0].code, ErrorCode::InsufficientStock);
        assert_eq!(errors[0].message, "not enough in stock", "no count: {errors:?}");

        let mut showing = hiding.clone();
        showing.show_stock_counts = true;
        let refused = shop.app.carts.lines_add(Caller::new(&Actor::Anonymous, &showing), cart, too_many()).await;
        assert_eq!(user_errors(refused)[0].message, "only 3 available");
    }

    async fn a_cart_with_an_unsold_line_still_checks_stock_of_new_lines(shop: TestShop) {
        let (app, channel) = (&shop.app, &shop.marketplace);
        let [gone, scarce] = shop.tracked_variants(2).await[..] else { unreachable!() };
        shop.stock(&[scarce], 2).await;
        let cart = shop.cart_with_unsold_line(gone).await;

        let refused =
            app.carts.lines_add(Caller::new(&Actor::Anonymous, channel), cart, vec![line(scarce, 5)]).await;
        assert_eq!(
            fields(&user_errors(refused)),
            vec![(vec!["lines", "0", "quantity"], ErrorCode::InsufficientStock)]
        );
        let cart_now = shop.cart(cart).await;
        assert_eq!(cart_now.lines.len(), 1, "nothing was added");

        let added = app
            .carts
            .lines_add(Caller::new(&Actor::Anonymous, channel), cart, vec![line(scarce, 2)])
            .await
            .expect("what is in stock can be added");
        assert_eq!(contents(&added), vec![(gone, 1), (scarce, 2)]);
    }

    async fn a_cart_with_an_unsold_line_still_checks_quantity_rules_of_new_lines(shop: TestShop) {
        let (app, channel) = (&shop.app, &shop.marketplace);
        let [gone, packed] = shop.tracked_variants(2).await[..] else { unreachable!() };
        shop.stock(&[packed], 100).await;
        shop.sell_in_packs(packed, 6).await;
        let cart = shop.cart_with_unsold_line(gone).await;

        let refused =
            app.carts.lines_add(Caller::new(&Actor::Anonymous, channel), cart, vec![line(packed, 4)]).await;
        assert_eq!(
            fields(&user_errors(refused)),
            vec![(vec!["lines", "0", "quantity"], ErrorCode::BelowMinimum)]
        );
        let added = app
            .carts
            .lines_add(Caller::new(&Actor::Anonymous, channel), cart, vec![line(packed, 6)])
            .await
            .expect("a whole pack can be added");
        assert_eq!(contents(&added), vec![(gone, 1), (packed, 6)]);
        let packed_line = added.lines.iter().find(|l| l.variant_id == packed).expect("line");

        let changed = app
            .carts
            .lines_update(Caller::new(&Actor::Anonymous, channel), cart, vec![quantity_of(packed_line.id, 9)])
            .await;
        assert_eq!(
            fields(&user_errors(changed)),
            vec![(vec!["lines", "0", "quantity"], ErrorCode::NotMultipleOfIncrement)],
            "the changed line is checked at the row that changed it"
        );
        assert_eq!(contents(&shop.cart(cart).await), vec![(gone, 1), (packed, 6)], "unchanged");
    }

    async fn a_line_changed_to_a_variant_no_longer_sold_is_refused_at_its_merchandise_id(
        shop: TestShop,
    ) {
        let (app, channel) = (&shop.app, &shop.marketplace);
        let [gone, kept, other] = shop.tracked_variants(3).await[..] else { unreachable!() };
        shop.stock(&[kept, other], 10).await;
        let cart = shop.guest_cart_of(&[(kept, 1), (other, 1)]).await;
        shop.archive_product_of(gone).await;
        let lines = shop.cart(cart).await.lines;

        let changed = app
            .carts
            .lines_update(
                Caller::new(&Actor::Anonymous,
                channel),
                cart,
                vec![
                    quantity_of(lines[1].id, 2),
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
        assert_eq!(
            contents(&shop.cart(cart).await),
            vec![(kept, 1), (other, 1)],
            "the good row is not applied either"
        );
    }
}
