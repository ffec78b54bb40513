//! B2B companies and the prices their buyers pay, through the services, on SQLite and (when
//! `VITRINE_TEST_DATABASE_URL` is set, always on CI) PostgreSQL: certification, members and
//! invitations, price lists and their bulk writes, resolution of who pays what, taxes and
//! promotions, and the number of statements a quote costs. Each test gets its own fresh
//! database with the demo catalog.

mod support;

use std::sync::Arc;
use vitrine_app::Caller;

use chrono::{Duration, Utc};
use support::{backend_tests, customer, customer_actor, eur, staff, TestShop};
use uuid::Uuid;
use vitrine_app::company::{CompanyLocationInput, MemberAdded};
use vitrine_app::pricing::{
    BuyerPricing, DiscountInput, PriceListInput, PriceRow, Quote, QuoteLine, SelectionInput,
    TargetInput, ValueInput,
};
use vitrine_app::store_listing::{PageDirection, ProductListing, ProductSort};
use vitrine_app::{App, AppError, ErrorCode};
use vitrine_domain::access::Actor;
use vitrine_domain::catalog::{Channel, ProductStatus};
use vitrine_domain::company::{Address, Company, CompanyRole, CompanyStatus};
use vitrine_domain::money::{Currency, Money};
use vitrine_domain::pricing::{CodeRejection, Percent, PriceList};
use vitrine_domain::product_view::ProductView;

/// Statements `buyer_pricing` and `quote` run together for a company buyer, whatever the
/// number of lines. Measured on both backends with the products in the read cache and the
/// channel's rules and tax rates in theirs: 5 for the buyer (membership in two, groups,
/// company lists in two) and 3 for the quote (the products' revisions and stock, list entries,
/// discount codes). A cold channel cache adds 3 (its lists in two, automatic discounts), a
/// cold tax cache 1.
const QUOTE_STATEMENTS: u64 = 8;

fn usd() -> Currency {
    Currency::new("USD").expect("USD")
}

fn euros(amount: &str) -> Money {
    Money::parse(amount, eur()).expect("an amount in euros")
}

fn location(name: &str, city: &str) -> CompanyLocationInput {
    CompanyLocationInput {
        name: Some(name.to_owned()),
        tax_id: None,
        shipping_address: Some(Address {
            address1: "12 rue du Faubourg".to_owned(),
            city: city.to_owned(),
            country_code: "FR".to_owned(),
            ..Address::default()
        }),
        billing_address: None,
    }
}

/// A company its admin applied for, approved by staff; returns it and its admin.
async fn approved_company(app: &App, admin_email: &str, name: &str) -> (Company, Uuid) {
    let admin = customer(app, admin_email).await;
    let company = app
        .companies
        .apply(admin, name, None, location("Head office", "Paris"))
        .await
        .expect("applied");
    let company = app.companies.approve(company.id).await.expect("approved");
    (company, admin)
}

/// Products as the storefront lists them (active, sold on `channel`), whole; this also puts
/// them in the read cache, as browsing would.
async fn listed_products(app: &App, channel: &Channel, limit: u64) -> Vec<Arc<ProductView>> {
    let listing = ProductListing {
        statuses: vec![ProductStatus::Active],
        channel_brand_ids: Some(channel.brand_ids.clone()),
        brand_ids: None,
        collection_id: None,
        option_values: vec![],
        currency: eur(),
        price_min: None,
        price_max: None,
        available: None,
        title_contains: None,
        tag: None,
        product_type: None,
        sort: ProductSort::Id,
        reverse: false,
        direction: PageDirection::Forward,
        cursor: None,
        limit,
    };
    let page = app.catalog.list_products(&listing).await.expect("listing");
    page.items.into_iter().map(|(view, _)| view).collect()
}

/// One variant of each of `n` products sold on `channel`, with its base price in euros.
async fn sellable_variants(app: &App, channel: &Channel, n: usize) -> Vec<(Uuid, Money)> {
    let products = listed_products(app, channel, 2 * n as u64).await;
    let picked: Vec<(Uuid, Money)> = products
        .iter()
        .filter_map(|view| {
            view.variants.iter().zip(&view.variant_prices).find_map(|(variant, prices)| {
                let price = prices.iter().find(|p| p.price.currency == eur())?;
                Some((variant.id, price.price))
            })
        })
        .take(n)
        .collect();
    assert_eq!(picked.len(), n, "the demo sells enough products in euros");
    picked
}

/// Every variant of the demo catalog, whatever the product's status.
async fn all_variant_ids(app: &App) -> Vec<Uuid> {
    let listing = ProductListing {
        statuses: vec![ProductStatus::Active, ProductStatus::Draft, ProductStatus::Archived],
        channel_brand_ids: None,
        brand_ids: None,
        collection_id: None,
        option_values: vec![],
        currency: eur(),
        price_min: None,
        price_max: None,
        available: None,
        title_contains: None,
        tag: None,
        product_type: None,
        sort: ProductSort::Id,
        reverse: false,
        direction: PageDirection::Forward,
        cursor: None,
        limit: 10_000,
    };
    let page = app.catalog.list_products(&listing).await.expect("listing");
    page.items.iter().flat_map(|(view, _)| view.variants.iter().map(|v| v.id)).collect()
}

fn list_input(name: &str, currency: &str) -> PriceListInput {
    PriceListInput {
        name: Some(name.to_owned()),
        currency: Some(currency.to_owned()),
        ..PriceListInput::default()
    }
}

async fn price_list(app: &App, input: PriceListInput) -> PriceList {
    app.pricing.price_list_save(None, input).await.expect("price list saved")
}

fn row(variant_id: Uuid, price: &str) -> PriceRow {
    PriceRow { variant_id, price: Some(price.to_owned()), ..PriceRow::default() }
}

async fn set_prices(app: &App, list: &PriceList, rows: Vec<PriceRow>) {
    app.pricing.prices_set(&staff(), list.id, rows, vec![], None).await.expect("prices set");
}

async fn pricing_for(app: &App, actor: &Actor, channel: &Channel) -> BuyerPricing {
    app.pricing
        .buyer_pricing(Caller::new(actor, channel), &[eur(), usd()])
        .await
        .expect("buyer pricing")
}

fn lines(variants: &[(Uuid, u32)]) -> Vec<QuoteLine> {
    variants.iter().map(|&(variant_id, quantity)| QuoteLine { variant_id, quantity }).collect()
}

async fn quote(
    app: &App,
    actor: &Actor,
    channel: &Channel,
    lines: &[QuoteLine],
    codes: &[&str],
    country: Option<&str>,
    region: Option<&str>,
) -> Quote {
    let pricing = pricing_for(app, actor, channel).await;
    let codes: Vec<String> = codes.iter().map(|c| (*c).to_owned()).collect();
    app.pricing
        .quote(&pricing, channel, eur(), lines, &codes, country, region)
        .await
        .expect("quote")
}

/// What one unit of `variant` costs `actor` on `channel`, before promotions.
async fn unit_price(app: &App, actor: &Actor, channel: &Channel, variant: Uuid) -> Money {
    let q = quote(app, actor, channel, &lines(&[(variant, 1)]), &[], None, None).await;
    q.basket.lines[0].unit_price
}

/// The user errors of a failed call as `(dotted field path, code)`.
fn user_errors<T: std::fmt::Debug>(result: Result<T, AppError>) -> Vec<(String, ErrorCode)> {
    match result {
        Err(AppError::User(errors)) => {
            errors.into_iter().map(|e| (e.field.join("."), e.code)).collect()
        }
        other => panic!("expected user errors, got {other:?}"),
    }
}

fn error(field: &str, code: ErrorCode) -> (String, ErrorCode) {
    (field.to_owned(), code)
}

fn everything() -> TargetInput {
    TargetInput::Items(SelectionInput::default())
}

fn percent_off(
    title: &str,
    code: Option<&str>,
    percent: &str,
    target: TargetInput,
) -> DiscountInput {
    DiscountInput {
        title: Some(title.to_owned()),
        code: Some(code.map(str::to_owned)),
        value: Some(ValueInput::Percentage(percent.to_owned())),
        target: Some(target),
        combinable: Some(true),
        ..DiscountInput::default()
    }
}

// ---- quotes stay bounded ------------------------------------------------------------------

backend_tests! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn pricing_a_50_line_cart_for_a_company_buyer_takes_a_bounded_number_of_queries(
        shop: TestShop,
    ) {
        let app = &shop.app;
        let channel = &shop.marketplace;
        let variants = sellable_variants(app, channel, 50).await;
        let (company, admin) = approved_company(app, "admin@atelier.example", "Atelier").await;
        let buyer = customer(app, "buyer@atelier.example").await;
        let invited = app
            .companies
            .member_add(
                &customer_actor(admin),
                company.id,
                "buyer@atelier.example",
                CompanyRole::Buyer,
                None,
            )
            .await
            .expect("buyer invited");
        app.companies
            .invitation_accept(&customer_actor(buyer), &invited.token)
            .await
            .expect("buyer joins");

        // Negotiated: 60% of retail, 50% from 10 units.
        let company_list = price_list(
            app,
            PriceListInput { company_ids: Some(vec![company.id]), ..list_input("Atelier", "EUR") },
        )
        .await;
        let negotiated = |retail: Money, percent: i64| {
            Money::new(retail.minor * percent / 100, retail.currency).to_decimal_string()
        };
        let rows = variants
            .iter()
            .map(|&(id, retail)| PriceRow {
                breaks: vec![(10, negotiated(retail, 50))],
                ..row(id, &negotiated(retail, 60))
            })
            .collect();
        set_prices(app, &company_list, rows).await;
        // Cheaper still for everyone on the channel, and promotions running.
        let channel_list = price_list(
            app,
            PriceListInput {
                channel_ids: Some(vec![channel.id]),
                adjustment_percent: Some(Some("-45".to_owned())),
                ..list_input("Marketplace sale", "EUR")
            },
        )
        .await;
        set_prices(app, &channel_list, vec![row(variants[0].0, "1.00")]).await;
        app.pricing
            .discount_save(None, percent_off("Spring", None, "15", everything()))
            .await
            .expect("automatic discount");
        app.pricing
            .discount_save(None, percent_off("Trade show", Some("TRADE5"), "5", TargetInput::Order))
            .await
            .expect("code discount");

        let actor = customer_actor(buyer);
        let quantities: Vec<(Uuid, u32)> =
            variants.iter().enumerate().map(|(i, &(id, _))| (id, 1 + (i as u32 % 12))).collect();
        let mut statements = Vec::new();
        // The storefront's previous requests would have read the tax rate.
        let warm = app.pricing.buyer_pricing(Caller::new(&actor, channel), &[eur()]).await.expect("pricing");
        app.pricing
            .quote(&warm, channel, eur(), &lines(&quantities[..1]), &[], None, None)
            .await
            .expect("warm quote");
        for n in [50, 5, 50] {
            let asked = lines(&quantities[..n]);
            // The channel's lists and promotions are cached briefly: read them first, as the
            // storefront's previous request would have.
            app.pricing.buyer_pricing(Caller::new(&Actor::Anonymous, channel), &[eur()]).await.expect("warm");
            let before = app.store().query_count();
            let pricing =
                app.pricing.buyer_pricing(Caller::new(&actor, channel), &[eur()]).await.expect("pricing");
            let between = app.store().query_count();
            let q = app
                .pricing
                .quote(&pricing, channel, eur(), &asked, &["trade5".to_owned()], None, None)
                .await
                .expect("quote");
            let after = app.store().query_count();
            statements.push((between - before, after - between));

            assert_eq!(pricing.buyer.company_id, Some(company.id));
            assert_eq!(q.basket.lines.len(), n);
            for (line, &(variant, retail)) in q.basket.lines.iter().zip(&variants) {
                let expected = if line.quantity >= 10 { 50 } else { 60 };
                assert_eq!(line.variant_id, variant);
                assert_eq!(line.unit_price.to_decimal_string(), negotiated(retail, expected));
                assert_ne!(line.unit_price, retail);
                assert!(line.discounts.is_empty(), "negotiated prices are not discounted");
                assert_eq!(line.total, line.subtotal);
            }
            assert!(q.basket.applied.is_empty());
            assert_eq!(q.basket.discount_total.minor, 0);
            assert_eq!(
                q.basket.rejected_codes,
                vec![("trade5".to_owned(), CodeRejection::NoEligibleItems)]
            );
        }
        for &(context, priced) in &statements {
            assert!(
                context + priced <= QUOTE_STATEMENTS,
                "at most {QUOTE_STATEMENTS} statements, ran {statements:?}"
            );
        }
        // 5 lines cost what 50 do.
        assert!(statements.iter().all(|s| *s == statements[0]), "{statements:?}");

        // The same lines for a shopper: the channel list's price, then the promotions.
        let shopper = quote(
            app,
            &Actor::Anonymous,
            channel,
            &lines(&quantities[..5]),
            &["TRADE5"],
            None,
            None,
        )
        .await;
        assert_eq!(shopper.basket.lines[0].unit_price, euros("1.00"));
        assert!(shopper.basket.lines.iter().all(|l| !l.discounts.is_empty()));
        assert_eq!(shopper.basket.applied.len(), 2, "{:?}", shopper.basket.applied);
        assert!(shopper.basket.rejected_codes.is_empty());
    }
}

// ---- companies ----------------------------------------------------------------------------

backend_tests! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_company_is_priced_as_such_only_while_approved(shop: TestShop) {
        let app = &shop.app;
        let channel = &shop.marketplace;
        let (variant, retail) = sellable_variants(app, channel, 1).await[0];
        let admin = customer(app, "owner@boutique.example").await;
        let actor = customer_actor(admin);

        let company = app
            .companies
            .apply(admin, "  Boutique Lune ", Some("FR123".into()), location("Shop", "Lyon"))
            .await
            .expect("applied");
        assert_eq!(company.status, CompanyStatus::Pending);
        assert_eq!(company.name, "Boutique Lune");
        let membership = app.companies.membership(admin).await.expect("read").expect("member");
        assert_eq!(membership.company.id, company.id);
        assert_eq!(membership.member.role, CompanyRole::Admin);
        let locations = app.companies.locations(&[company.id]).await.expect("locations");
        assert_eq!(locations.len(), 1);
        assert_eq!(membership.member.default_location_id, Some(locations[0].id));

        let again =
            app.companies.apply(admin, "Boutique Soleil", None, location("Shop", "Nice")).await;
        assert_eq!(user_errors(again), vec![error("customer", ErrorCode::Taken)]);

        let list = price_list(
            app,
            PriceListInput { company_ids: Some(vec![company.id]), ..list_input("Lune", "EUR") },
        )
        .await;
        set_prices(app, &list, vec![row(variant, "10.00")]).await;

        let pending = pricing_for(app, &actor, channel).await;
        assert_eq!(pending.buyer.company_id, None);
        assert!(pending.membership.is_some());
        assert!(pending.lists.is_empty());
        assert_eq!(unit_price(app, &actor, channel, variant).await, retail);

        let approved = app.companies.approve(company.id).await.expect("approved");
        assert_eq!(approved.status, CompanyStatus::Approved);
        assert!(approved.reviewed_at.is_some());
        let pricing = pricing_for(app, &actor, channel).await;
        assert_eq!(pricing.buyer.company_id, Some(company.id));
        assert_eq!(pricing.lists.iter().map(|l| l.id).collect::<Vec<_>>(), vec![list.id]);
        assert_eq!(unit_price(app, &actor, channel, variant).await, euros("10.00"));

        let twice = app.companies.approve(company.id).await;
        assert_eq!(user_errors(twice), vec![error("id", ErrorCode::Invalid)]);
        let no_reason = app.companies.reject(company.id, "   ").await;
        assert_eq!(user_errors(no_reason), vec![error("reason", ErrorCode::Blank)]);
        let unknown = app.companies.approve(Uuid::now_v7()).await;
        assert_eq!(user_errors(unknown), vec![error("id", ErrorCode::NotFound)]);

        app.companies.reject(company.id, " Not a retailer ").await.expect("rejected");
        let stored = app.companies.company(company.id).await.expect("read").expect("company");
        assert_eq!(stored.status, CompanyStatus::Rejected);
        assert_eq!(stored.rejection_reason.as_deref(), Some("Not a retailer"));
        let rejected = pricing_for(app, &actor, channel).await;
        assert_eq!(rejected.buyer.company_id, None);
        assert!(rejected.lists.is_empty());
        assert_eq!(unit_price(app, &actor, channel, variant).await, retail);

        // Approved after all: the reason goes.
        let approved = app.companies.approve(company.id).await.expect("approved again");
        assert_eq!(approved.rejection_reason, None);
        assert_eq!(unit_price(app, &actor, channel, variant).await, euros("10.00"));

        // An edit made from a copy read before a review does not undo the review.
        app.companies.reject(company.id, "Closed").await.expect("certification withdrawn");
        let renamed = Company { name: "Lune SAS".to_owned(), ..approved };
        app.store().update_company(&renamed).await.expect("renamed");
        let stored = app.companies.company(company.id).await.expect("read").expect("company");
        assert_eq!((stored.name.as_str(), stored.status), ("Lune SAS", CompanyStatus::Rejected));
        assert_eq!(stored.rejection_reason.as_deref(), Some("Closed"));

        // Staff approving at once: one does, the others learn it is done.
        let decisions: Vec<_> = (0..4)
            .map(|_| {
                let (app, id) = (app.clone(), company.id);
                tokio::spawn(async move { app.companies.approve(id).await })
            })
            .collect();
        let mut approvals = 0;
        for decision in decisions {
            match decision.await.expect("task") {
                Ok(c) => {
                    approvals += 1;
                    assert_eq!(c.status, CompanyStatus::Approved);
                }
                refused => assert_eq!(user_errors(refused), vec![error("id", ErrorCode::Invalid)]),
            }
        }
        assert_eq!(approvals, 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn company_admins_manage_their_own_members_and_nobody_else_s(shop: TestShop) {
        let app = &shop.app;
        let (company, alice) = approved_company(app, "alice@atelier.example", "Atelier").await;
        let (other, bob) = approved_company(app, "bob@rival.example", "Rival").await;
        let carol = customer(app, "carol@atelier.example").await;
        let as_alice = customer_actor(alice);

        // Nobody joins without accepting: an account, or an email without one, is invited.
        let MemberAdded { token: carol_token, .. } = app
            .companies
            .member_add(&as_alice, company.id, " Carol@Atelier.example ", CompanyRole::Buyer, None)
            .await
            .expect("carol invited");
        assert_eq!(app.companies.membership(carol).await.expect("read"), None);
        let stolen = app.companies.invitation_accept(&customer_actor(bob), &carol_token).await;
        assert_eq!(user_errors(stolen), vec![error("token", ErrorCode::NotFound)]);
        let joined = app
            .companies
            .invitation_accept(&customer_actor(carol), &carol_token)
            .await
            .expect("carol accepts");
        assert_eq!((joined.company.id, joined.member.role), (company.id, CompanyRole::Buyer));
        let again = app.companies.invitation_accept(&customer_actor(carol), &carol_token).await;
        assert_eq!(user_errors(again), vec![error("token", ErrorCode::NotFound)]);

        let MemberAdded { invitation, token: dave_token } = app
            .companies
            .member_add(&as_alice, company.id, "dave@atelier.example", CompanyRole::Viewer, None)
            .await
            .expect("dave invited");
        assert_eq!(invitation.email, "dave@atelier.example");
        let dave = customer(app, "Dave@Atelier.example").await;
        assert_eq!(app.companies.membership(dave).await.expect("read"), None, "not on sign-up");
        app.companies.invitation_accept(&customer_actor(dave), &dave_token).await.expect("accept");
        let membership = app.companies.membership(dave).await.expect("read").expect("dave joined");
        assert_eq!(membership.company.id, company.id);
        assert_eq!(membership.member.role, CompanyRole::Viewer);
        assert!(app.companies.invitations(company.id).await.expect("read").is_empty());
        let members = app.companies.members(company.id).await.expect("members");
        assert_eq!(members.len(), 3);

        // Someone of another company, a mere buyer, nobody.
        let as_bob = customer_actor(bob);
        for actor in [&as_bob, &customer_actor(carol)] {
            let add = app
                .companies
                .member_add(actor, company.id, "eve@example.com", CompanyRole::Admin, None)
                .await;
            assert!(matches!(add, Err(AppError::Forbidden)), "{add:?}");
            let create =
                app.companies.location_create(actor, company.id, location("Depot", "Lille")).await;
            assert!(matches!(create, Err(AppError::Forbidden)), "{create:?}");
            let remove = app.companies.member_remove(actor, company.id, alice).await;
            assert!(matches!(remove, Err(AppError::Forbidden)), "{remove:?}");
        }
        let anonymous = app
            .companies
            .member_add(&Actor::Anonymous, company.id, "eve@example.com", CompanyRole::Buyer, None)
            .await;
        assert!(matches!(anonymous, Err(AppError::Unauthenticated)), "{anonymous:?}");
        assert!(app.companies.invitations(company.id).await.expect("read").is_empty());

        // The last admin stays.
        let removed = app.companies.member_remove(&as_alice, company.id, alice).await;
        assert_eq!(user_errors(removed), vec![error("customerId", ErrorCode::Invalid)]);
        let demoted = app
            .companies
            .member_update(&as_alice, company.id, alice, Some(CompanyRole::Buyer), None)
            .await;
        assert_eq!(user_errors(demoted), vec![error("role", ErrorCode::Invalid)]);

        // Locations are the company's own.
        let rival_location = app.companies.locations(&[other.id]).await.expect("read")[0].id;
        let elsewhere = app
            .companies
            .member_update(&as_alice, company.id, carol, None, Some(Some(rival_location)))
            .await;
        assert_eq!(user_errors(elsewhere), vec![error("defaultLocationId", ErrorCode::NotFound)]);
        let invite_elsewhere = app
            .companies
            .member_add(
                &as_alice,
                company.id,
                "frank@example.com",
                CompanyRole::Buyer,
                Some(rival_location),
            )
            .await;
        assert_eq!(
            user_errors(invite_elsewhere),
            vec![error("defaultLocationId", ErrorCode::NotFound)]
        );
        let depot = app
            .companies
            .location_create(&as_alice, company.id, location("Depot", "Lille"))
            .await
            .expect("own location");
        let carol_now = app
            .companies
            .member_update(
                &as_alice,
                company.id,
                carol,
                Some(CompanyRole::Admin),
                Some(Some(depot.id)),
            )
            .await
            .expect("carol promoted");
        assert_eq!(carol_now.default_location_id, Some(depot.id));

        // Two admins demoting each other at once: one of them stays admin.
        for _ in 0..5 {
            let demote = |by: Uuid, whom: Uuid| {
                let (app, id) = (app.clone(), company.id);
                tokio::spawn(async move {
                    let role = Some(CompanyRole::Buyer);
                    app.companies.member_update(&customer_actor(by), id, whom, role, None).await
                })
            };
            let (one, two) = (demote(alice, carol), demote(carol, alice));
            let results = [one.await.expect("task"), two.await.expect("task")];
            assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
            let members = app.companies.members(company.id).await.expect("members");
            let admins: Vec<Uuid> = members
                .iter()
                .filter(|m| m.role == CompanyRole::Admin)
                .map(|m| m.customer_id)
                .collect();
            assert_eq!(admins.len(), 1);
            let other = if admins[0] == alice { carol } else { alice };
            app.companies
                .member_update(
                    &customer_actor(admins[0]),
                    company.id,
                    other,
                    Some(CompanyRole::Admin),
                    None,
                )
                .await
                .expect("promoted again");
        }

        // With a second admin, the first may go; a customer of another company may not join.
        app.companies.member_remove(&as_alice, company.id, alice).await.expect("alice leaves");
        assert_eq!(app.companies.membership(alice).await.expect("read"), None);
        let MemberAdded { token: poach, .. } = app
            .companies
            .member_add(
                &customer_actor(carol),
                company.id,
                "bob@rival.example",
                CompanyRole::Buyer,
                None,
            )
            .await
            .expect("an invitation is only an offer");
        let refused = app.companies.invitation_accept(&customer_actor(bob), &poach).await;
        assert_eq!(user_errors(refused), vec![error("token", ErrorCode::Taken)]);
        let MemberAdded { token: back, .. } = app
            .companies
            .member_add(&staff(), company.id, "alice@atelier.example", CompanyRole::Buyer, None)
            .await
            .expect("staff may invite");
        app.companies.invitation_accept(&customer_actor(alice), &back).await.expect("alice back");
    }
}

// ---- price lists --------------------------------------------------------------------------

backend_tests! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn price_lists_are_validated_and_bulk_prices_are_written_all_or_nothing_once_per_key(
        shop: TestShop,
    ) {
        let app = &shop.app;
        let now = Utc::now();
        let lists_before = app.pricing.price_lists().await.expect("lists").len();
        let invalid = app
            .pricing
            .price_list_save(
                None,
                PriceListInput {
                    name: Some("  ".to_owned()),
                    currency: Some("euro".to_owned()),
                    company_ids: Some(vec![Uuid::now_v7()]),
                    starts_at: Some(Some(now)),
                    ends_at: Some(Some(now - Duration::days(1))),
                    ..PriceListInput::default()
                },
            )
            .await;
        assert_eq!(
            user_errors(invalid),
            vec![
                error("name", ErrorCode::Blank),
                error("currency", ErrorCode::Invalid),
                error("companyIds.0", ErrorCode::NotFound),
                error("endsAt", ErrorCode::Invalid),
            ]
        );
        assert_eq!(app.pricing.price_lists().await.expect("lists").len(), lists_before);

        // The demo has some 3,600 variants: 160 more products make it over 5,000.
        vitrine_app::demo::seed_products(app.store(), 160, |_, _| {}).await.expect("products");
        let variants = all_variant_ids(app).await;
        assert!(variants.len() >= 5_000, "the demo has {} variants", variants.len());
        let list = price_list(app, list_input("ERP", "EUR")).await;
        let rows: Vec<PriceRow> = variants[..5_000]
            .iter()
            .enumerate()
            .map(|(i, &id)| PriceRow {
                minimum: Some(2),
                increment: Some(2),
                breaks: vec![(10, format!("{}.50", 5 + i % 50))],
                ..row(id, &format!("{}.99", 10 + i % 90))
            })
            .collect();
        let before = app.store().query_count();
        let written = app
            .pricing
            .prices_set(&staff(), list.id, rows.clone(), vec![], Some("erp-1".to_owned()))
            .await
            .expect("5,000 prices");
        let statements = app.store().query_count() - before;
        assert_eq!((written.written, written.replayed), (5_000, false));
        assert!(statements < 200, "{statements} statements for 5,000 rows");
        let entries = app.pricing.price_list_entries(&list, None, 10_000).await.expect("entries");
        assert_eq!(entries.len(), 5_000);
        let first = entries.iter().find(|e| e.variant_id == variants[0]).expect("first row");
        assert_eq!(first.price, Some(euros("10.99")));
        assert_eq!((first.rule.minimum, first.rule.increment), (2, 2));
        assert_eq!(first.breaks[0].price, euros("5.50"));

        // A newer price, then the first request again: it changes nothing.
        set_prices(app, &list, vec![row(variants[0], "7.00")]).await;
        let replayed = app
            .pricing
            .prices_set(&staff(), list.id, rows.clone(), vec![], Some("erp-1".to_owned()))
            .await
            .expect("replayed");
        assert!(replayed.replayed);
        let after = app
            .store()
            .price_list_entries(&[(list.id, eur())], &[variants[0]])
            .await
            .expect("read");
        assert_eq!(after[0].price, Some(euros("7.00")));

        let mut changed = rows[..10].to_vec();
        changed[3].price = Some("1.00".to_owned());
        let reused = app
            .pricing
            .prices_set(&staff(), list.id, changed, vec![], Some("erp-1".to_owned()))
            .await;
        assert_eq!(
            user_errors(reused),
            vec![error("idempotencyKey", ErrorCode::IdempotencyKeyReused)]
        );

        // Bad rows: every one is reported, nothing is written.
        let fresh = price_list(app, list_input("Wholesale", "EUR")).await;
        let mut bad: Vec<PriceRow> = variants[..30].iter().map(|&id| row(id, "20.00")).collect();
        bad[3].variant_id = Uuid::now_v7();
        bad[8].breaks = vec![(20, "15.00".to_owned()), (1, "18.00".to_owned())];
        bad[17].price = Some("12.345".to_owned());
        bad[21].minimum = Some(5);
        bad[21].increment = Some(2);
        bad[25].minimum = Some(6);
        bad[25].increment = Some(6);
        bad[25].breaks = vec![(24, "15.00".to_owned()), (10, "18.00".to_owned())];
        bad[26].variant_id = bad[2].variant_id;
        let rejected =
            app.pricing.prices_set(&staff(), fresh.id, bad, vec![Uuid::nil()], None).await;
        assert_eq!(
            user_errors(rejected),
            vec![
                error("prices.3.variantId", ErrorCode::NotFound),
                error("prices.8.breaks.1.minimumQuantity", ErrorCode::Invalid),
                error("prices.17.price", ErrorCode::Invalid),
                error("prices.21.minimum", ErrorCode::Invalid),
                error("prices.25.breaks.1.minimumQuantity", ErrorCode::Invalid),
                error("prices.26.variantId", ErrorCode::Taken),
                error("removeVariantIds.0", ErrorCode::NotFound),
            ]
        );
        assert!(app
            .pricing
            .price_list_entries(&fresh, None, 10)
            .await
            .expect("entries")
            .is_empty());

        // Eight clients sending the same request at once: one writes, seven replay.
        let rows: Vec<PriceRow> = variants[..400].iter().map(|&id| row(id, "30.00")).collect();
        let fresh_id = fresh.id;
        let calls: Vec<_> = (0..8)
            .map(|_| {
                let (app, rows) = (app.clone(), rows.clone());
                tokio::spawn(async move {
                    app.pricing
                        .prices_set(&staff(), fresh_id, rows, vec![], Some("sync-2".into()))
                        .await
                })
            })
            .collect();
        let mut fresh_writes = 0;
        for call in calls {
            let done = call.await.expect("task").expect("every call succeeds");
            assert_eq!(done.written, 400);
            fresh_writes += usize::from(!done.replayed);
        }
        assert_eq!(fresh_writes, 1);
        let entries = app.pricing.price_list_entries(&fresh, None, 1_000).await.expect("entries");
        assert_eq!(entries.len(), 400);

        // Syncs of one list racing with the same prices in opposite orders all go through.
        let forward: Vec<PriceRow> = variants[..1_000].iter().map(|&id| row(id, "40.00")).collect();
        let backward: Vec<PriceRow> = forward.iter().rev().cloned().collect();
        let syncs: Vec<_> = [&forward, &backward, &forward, &backward]
            .into_iter()
            .map(|rows| {
                let (app, rows) = (app.clone(), rows.clone());
                tokio::spawn(async move {
                    app.pricing.prices_set(&staff(), fresh_id, rows, vec![], None).await
                })
            })
            .collect();
        for sync in syncs {
            sync.await.expect("task").expect("no deadlock");
        }
        let entries = app.pricing.price_list_entries(&fresh, None, 2_000).await.expect("entries");
        assert_eq!(entries.len(), 1_000);
        assert!(entries.iter().all(|e| e.price == Some(euros("40.00"))));
    }
}

// ---- who pays what ------------------------------------------------------------------------

backend_tests! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn each_buyer_pays_the_price_of_the_most_specific_list_that_applies_now(shop: TestShop) {
        let app = &shop.app;
        let channel = &shop.marketplace;
        // Sold on both demo channels: the marketplace carries every brand.
        let storefront = shop.channel("maison-lune").await;
        let (variant, retail) = sellable_variants(app, &storefront, 1).await[0];
        let (company, admin) = approved_company(app, "admin@atelier.example", "Atelier").await;
        let vip = customer(app, "vip@example.com").await;
        let group = app
            .companies
            .customer_group_save(None, Some("VIP".into()), vec![vip], vec![])
            .await
            .expect("group");
        let walk_in = customer(app, "walkin@example.com").await;
        let now = Utc::now();

        for (name, input, price) in [
            (
                "Channel",
                PriceListInput { channel_ids: Some(vec![channel.id]), ..list_input("", "EUR") },
                "80.00",
            ),
            (
                "VIP",
                PriceListInput {
                    customer_group_ids: Some(vec![group.id]),
                    ..list_input("", "EUR")
                },
                "70.00",
            ),
            (
                "Atelier",
                PriceListInput { company_ids: Some(vec![company.id]), ..list_input("", "EUR") },
                "90.00",
            ),
            (
                "Last season",
                PriceListInput {
                    company_ids: Some(vec![company.id]),
                    starts_at: Some(Some(now - Duration::days(30))),
                    ends_at: Some(Some(now - Duration::days(1))),
                    ..list_input("", "EUR")
                },
                "10.00",
            ),
            (
                "Next season",
                PriceListInput {
                    channel_ids: Some(vec![channel.id]),
                    customer_group_ids: Some(vec![group.id]),
                    starts_at: Some(Some(now + Duration::days(1))),
                    ..list_input("", "EUR")
                },
                "11.00",
            ),
            (
                "Dollars",
                PriceListInput { company_ids: Some(vec![company.id]), ..list_input("", "USD") },
                "5.00",
            ),
        ] {
            let list =
                price_list(app, PriceListInput { name: Some(name.to_owned()), ..input }).await;
            set_prices(app, &list, vec![row(variant, price)]).await;
        }

        assert_ne!(retail, euros("80.00"));
        assert_eq!(unit_price(app, &Actor::Anonymous, channel, variant).await, euros("80.00"));
        assert_eq!(
            unit_price(app, &customer_actor(walk_in), channel, variant).await,
            euros("80.00")
        );
        assert_eq!(unit_price(app, &customer_actor(vip), channel, variant).await, euros("70.00"));
        assert_eq!(
            unit_price(app, &customer_actor(admin), channel, variant).await,
            euros("90.00")
        );

        // On a channel no list names, the shopper pays the base price.
        assert_eq!(unit_price(app, &Actor::Anonymous, &storefront, variant).await, retail);

        // The lists loaded for the company buyer: only those that apply now.
        let pricing = pricing_for(app, &customer_actor(admin), channel).await;
        let mut names: Vec<&str> = pricing.lists.iter().map(|l| l.name.as_str()).collect();
        names.sort_unstable();
        assert_eq!(names, ["Atelier", "Channel", "Dollars"]);
    }
}

// ---- taxes --------------------------------------------------------------------------------

backend_tests! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn quotes_carry_the_tax_of_the_buyer_s_country_and_region(shop: TestShop) {
        let app = &shop.app;
        let mut channel = shop.marketplace.clone();
        let (variant, _) = sellable_variants(app, &channel, 1).await[0];
        let list = price_list(
            app,
            PriceListInput { channel_ids: Some(vec![channel.id]), ..list_input("Flat", "EUR") },
        )
        .await;
        set_prices(app, &list, vec![row(variant, "120.00")]).await;
        // Whatever rates the demo comes with, these are the only ones.
        for rate in app.pricing.tax_rates().await.expect("rates") {
            app.pricing.tax_rate_delete(rate.id).await.expect("deleted");
        }

        let france = app
            .pricing
            .tax_rate_save(None, Some(" fr ".into()), None, None, Some("20".into()))
            .await
            .expect("FR");
        assert_eq!((france.country_code.as_str(), france.rate), ("FR", Percent(200_000)));
        let new_york = app
            .pricing
            .tax_rate_save(
                None,
                Some("US".into()),
                Some(Some("ny".into())),
                Some("NY sales tax".into()),
                Some("8.875".into()),
            )
            .await
            .expect("US NY");
        assert_eq!(new_york.region, "NY");
        let duplicate = app
            .pricing
            .tax_rate_save(None, Some("FR".into()), Some(None), None, Some("5.5".into()))
            .await;
        assert_eq!(user_errors(duplicate), vec![error("countryCode", ErrorCode::Taken)]);

        // Prices include tax on the demo channel: 120.00 holds 20.00 of French VAT.
        let one = lines(&[(variant, 1)]);
        let french = quote(app, &Actor::Anonymous, &channel, &one, &[], Some("FR"), None).await;
        assert!(french.prices_include_tax);
        assert_eq!(french.tax_country.as_deref(), Some("FR"));
        assert_eq!(french.basket.tax_total, euros("20.00"));
        assert_eq!(french.basket.total, euros("120.00"));
        // The channel's tax country when the buyer's is unknown.
        let default = quote(app, &Actor::Anonymous, &channel, &one, &[], None, None).await;
        assert_eq!(default.basket.tax_total, euros("20.00"));
        let nowhere = quote(app, &Actor::Anonymous, &channel, &one, &[], Some("ZZ"), None).await;
        assert_eq!(nowhere.basket.tax_total.minor, 0);
        assert_eq!(nowhere.basket.total, euros("120.00"));

        // Exclusive prices: New York's tax comes on top (120.00 * 8.875% = 10.65).
        channel = app
            .catalog
            .channel_save(
                Some(channel.id),
                vitrine_app::catalog::ChannelInput {
                    prices_include_tax: Some(false),
                    ..Default::default()
                },
            )
            .await
            .expect("channel now tax-exclusive");
        let ny = quote(app, &Actor::Anonymous, &channel, &one, &[], Some("US"), Some("NY")).await;
        assert!(!ny.prices_include_tax);
        assert_eq!(ny.tax_rate, Percent(88_750));
        assert_eq!(ny.basket.tax_total, euros("10.65"));
        assert_eq!(ny.basket.total, euros("130.65"));
        let typed =
            quote(app, &Actor::Anonymous, &channel, &one, &[], Some(" us "), Some("ny")).await;
        assert_eq!(typed.basket.tax_total, euros("10.65"));
        // A state without its own rate, and a country without any.
        let texas =
            quote(app, &Actor::Anonymous, &channel, &one, &[], Some("US"), Some("TX")).await;
        assert_eq!((texas.basket.tax_total.minor, texas.basket.total), (0, euros("120.00")));
        let unknown = quote(app, &Actor::Anonymous, &channel, &one, &[], Some("ZZ"), None).await;
        assert_eq!((unknown.basket.tax_total.minor, unknown.tax_rate), (0, Percent::ZERO));
    }
}

// ---- promotions ---------------------------------------------------------------------------

backend_tests! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn discount_codes_match_whatever_the_case_and_say_why_they_do_not_apply(shop: TestShop) {
        let app = &shop.app;
        let channel = &shop.marketplace;
        let (variant, _) = sellable_variants(app, channel, 1).await[0];
        let list = price_list(
            app,
            PriceListInput { channel_ids: Some(vec![channel.id]), ..list_input("Flat", "EUR") },
        )
        .await;
        set_prices(app, &list, vec![row(variant, "100.00")]).await;
        let summer = app
            .pricing
            .discount_save(None, percent_off("Summer", Some("Summer10"), "10", everything()))
            .await
            .expect("code");
        let big = app
            .pricing
            .discount_save(
                None,
                DiscountInput {
                    minimum_subtotal: Some(Some(("500.00".into(), "EUR".into()))),
                    ..percent_off("Big spender", Some("BIG20"), "20", TargetInput::Order)
                },
            )
            .await
            .expect("code with a minimum");
        let storefront = shop.channel("maison-lune").await;
        for (title, code, input) in [
            ("Paused", "PAUSED", DiscountInput { active: Some(false), ..DiscountInput::default() }),
            (
                "Own site only",
                "LUNE",
                DiscountInput {
                    channel_ids: Some(vec![storefront.id]),
                    ..DiscountInput::default()
                },
            ),
        ] {
            let spec = percent_off(title, Some(code), "50", everything());
            let input = DiscountInput {
                title: spec.title,
                code: spec.code,
                value: spec.value,
                target: spec.target,
                ..input
            };
            app.pricing.discount_save(None, input).await.expect("discount");
        }
        let taken = app
            .pricing
            .discount_save(None, percent_off("Clash", Some("summer10"), "5", everything()))
            .await;
        assert_eq!(user_errors(taken), vec![error("code", ErrorCode::Taken)]);

        let one = lines(&[(variant, 1)]);
        let q = quote(app, &Actor::Anonymous, channel, &one, &["  sUMMER10 "], None, None).await;
        assert_eq!(q.basket.applied.len(), 1);
        assert_eq!(q.basket.applied[0].discount_id, summer.id);
        assert_eq!(q.basket.discount_total, euros("10.00"));
        assert_eq!(q.basket.total, euros("90.00"));
        assert!(q.basket.rejected_codes.is_empty());

        let q =
            quote(app, &Actor::Anonymous, channel, &one, &["NOPE", "big20"], None, None).await;
        assert!(q.basket.applied.is_empty());
        assert_eq!(
            q.basket.rejected_codes,
            vec![
                ("NOPE".to_owned(), CodeRejection::Unknown),
                ("big20".to_owned(), CodeRejection::MinimumSubtotalNotReached),
            ]
        );
        let q =
            quote(app, &Actor::Anonymous, channel, &one, &["paused", "Lune"], None, None).await;
        assert!(q.basket.applied.is_empty());
        assert_eq!(
            q.basket.rejected_codes,
            vec![
                ("paused".to_owned(), CodeRejection::NotActive),
                ("Lune".to_owned(), CodeRejection::NotActive),
            ]
        );
        // Five of them reach the minimum.
        let five = lines(&[(variant, 5)]);
        let q = quote(app, &Actor::Anonymous, channel, &five, &["BIG20"], None, None).await;
        assert_eq!(
            q.basket.applied.iter().map(|a| a.discount_id).collect::<Vec<_>>(),
            vec![big.id]
        );
        assert_eq!(q.basket.total, euros("400.00"));
    }
}

#[tokio::test]
async fn a_pack_size_alone_sets_the_minimum_and_a_row_cannot_be_set_and_removed_at_once() {
    let shop = TestShop::sqlite().await;
    let (app, channel) = (&shop.app, &shop.marketplace);
    let variants = sellable_variants(app, channel, 2).await;
    let list = price_list(app, list_input("Packs", "EUR")).await;
    let packs = PriceRow { increment: Some(6), ..row(variants[0].0, "10.00") };
    set_prices(app, &list, vec![packs]).await;
    let entries = app.pricing.price_list_entries(&list, None, 10).await.expect("entries");
    assert_eq!(entries[0].rule.minimum, 6);
    assert_eq!(entries[0].rule.increment, 6);

    let both = app
        .pricing
        .prices_set(&staff(), list.id, vec![row(variants[1].0, "12.00")], vec![variants[1].0], None)
        .await;
    assert_eq!(user_errors(both), vec![error("removeVariantIds.0", ErrorCode::Invalid)]);
}

#[tokio::test]
async fn a_company_list_cannot_also_reach_a_channel() {
    let shop = TestShop::sqlite().await;
    let (app, channel) = (&shop.app, &shop.marketplace);
    let (company, _) = approved_company(app, "admin@atelier.example", "Atelier").await;
    let mixed = app
        .pricing
        .price_list_save(
            None,
            PriceListInput {
                company_ids: Some(vec![company.id, company.id]),
                channel_ids: Some(vec![channel.id]),
                ..list_input("Atelier on the web", "EUR")
            },
        )
        .await;
    assert_eq!(user_errors(mixed), vec![error("companyIds", ErrorCode::Invalid)]);
    let alone = app
        .pricing
        .price_list_save(
            None,
            PriceListInput {
                company_ids: Some(vec![company.id, company.id]),
                ..list_input("Atelier", "EUR")
            },
        )
        .await
        .expect("a repeated id counts once");
    assert_eq!(alone.company_ids, vec![company.id]);
}
