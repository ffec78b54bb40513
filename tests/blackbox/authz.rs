//! The authorisation matrix: every mutation and every guarded query field, called
//! anonymously, as a customer, as each staff role and with API tokens with and without the
//! scope. Only the allowed callers get past the guard.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::support::TestServer;

const PRODUCT: &str = "gid://vitrine/Product/0190a0a0-0000-7000-8000-000000000001";
const BRAND: &str = "gid://vitrine/Brand/0190a0a0-0000-7000-8000-000000000002";
const COLLECTION: &str = "gid://vitrine/Collection/0190a0a0-0000-7000-8000-000000000003";
const CHANNEL: &str = "gid://vitrine/Channel/0190a0a0-0000-7000-8000-000000000004";
const IMAGE: &str = "gid://vitrine/Image/0190a0a0-0000-7000-8000-000000000005";
const TOKEN: &str = "gid://vitrine/ApiToken/0190a0a0-0000-7000-8000-000000000006";
const LOCATION: &str = "gid://vitrine/Location/0190a0a0-0000-7000-8000-000000000007";
const COMPANY: &str = "gid://vitrine/Company/0190a0a0-0000-7000-8000-000000000008";
const COMPANY_LOCATION: &str = "gid://vitrine/CompanyLocation/0190a0a0-0000-7000-8000-000000000009";
const CUSTOMER: &str = "gid://vitrine/Customer/0190a0a0-0000-7000-8000-00000000000a";
const GROUP: &str = "gid://vitrine/CustomerGroup/0190a0a0-0000-7000-8000-00000000000b";
const PRICE_LIST: &str = "gid://vitrine/PriceList/0190a0a0-0000-7000-8000-00000000000c";
const DISCOUNT: &str = "gid://vitrine/Discount/0190a0a0-0000-7000-8000-00000000000d";
const TAX_RATE: &str = "gid://vitrine/TaxRate/0190a0a0-0000-7000-8000-00000000000e";
const ORDER: &str = "gid://vitrine/Order/0190a0a0-0000-7000-8000-00000000000f";
const FULFILLMENT: &str = "gid://vitrine/Fulfillment/0190a0a0-0000-7000-8000-000000000010";
const DELIVERY_METHOD: &str = "gid://vitrine/DeliveryMethod/0190a0a0-0000-7000-8000-000000000011";

/// What each guarded operation needs, as a scope name (staff roles map onto the same).
fn guarded() -> Vec<(&'static str, &'static str, String)> {
    let w = "catalog:write";
    vec![
        ("productCreate", w, "mutation { productCreate(input: {title: \"x\"}) { userErrors { code } } }".to_owned()),
        ("productUpdate", w, format!("mutation {{ productUpdate(input: {{id: \"{PRODUCT}\"}}) {{ userErrors {{ code }} }} }}")),
        ("productDelete", w, format!("mutation {{ productDelete(input: {{id: \"{PRODUCT}\"}}) {{ userErrors {{ code }} }} }}")),
        ("productVariantsBulkCreate", w, format!("mutation {{ productVariantsBulkCreate(productId: \"{PRODUCT}\", variants: []) {{ userErrors {{ code }} }} }}")),
        ("productVariantsBulkUpdate", w, format!("mutation {{ productVariantsBulkUpdate(productId: \"{PRODUCT}\", variants: []) {{ userErrors {{ code }} }} }}")),
        ("productImagesAdd", w, format!("mutation {{ productImagesAdd(productId: \"{PRODUCT}\", images: []) {{ userErrors {{ code }} }} }}")),
        ("productImageDelete", w, format!("mutation {{ productImageDelete(id: \"{IMAGE}\") {{ userErrors {{ code }} }} }}")),
        ("brandCreate", w, "mutation { brandCreate(input: {}) { userErrors { code } } }".to_owned()),
        ("brandUpdate", w, format!("mutation {{ brandUpdate(id: \"{BRAND}\", input: {{}}) {{ userErrors {{ code }} }} }}")),
        ("collectionCreate", w, "mutation { collectionCreate(input: {}) { userErrors { code } } }".to_owned()),
        ("collectionUpdate", w, format!("mutation {{ collectionUpdate(id: \"{COLLECTION}\", input: {{}}) {{ userErrors {{ code }} }} }}")),
        ("collectionDelete", w, format!("mutation {{ collectionDelete(id: \"{COLLECTION}\") {{ userErrors {{ code }} }} }}")),
        ("collectionAddProducts", w, format!("mutation {{ collectionAddProducts(id: \"{COLLECTION}\", productIds: []) {{ userErrors {{ code }} }} }}")),
        ("collectionRemoveProducts", w, format!("mutation {{ collectionRemoveProducts(id: \"{COLLECTION}\", productIds: []) {{ userErrors {{ code }} }} }}")),
        ("translationsRegister", w, format!("mutation {{ translationsRegister(resourceId: \"{PRODUCT}\", translations: []) {{ userErrors {{ code }} }} }}")),
        ("translationsRemove", w, format!("mutation {{ translationsRemove(resourceId: \"{PRODUCT}\", translationKeys: [], locales: []) {{ userErrors {{ code }} }} }}")),
        ("channelCreate", "channels:write", "mutation { channelCreate(input: {}) { userErrors { code } } }".to_owned()),
        ("channelUpdate", "channels:write", format!("mutation {{ channelUpdate(id: \"{CHANNEL}\", input: {{}}) {{ userErrors {{ code }} }} }}")),
        ("apiTokenCreate", "tokens", "mutation { apiTokenCreate(input: {name: \"x\", scopes: []}) { userErrors { code } } }".to_owned()),
        ("apiTokenRevoke", "tokens", format!("mutation {{ apiTokenRevoke(id: \"{TOKEN}\") {{ userErrors {{ code }} }} }}")),
        ("channels", "channels:write", "{ channels { id } }".to_owned()),
        ("apiTokens", "tokens", "{ apiTokens { id } }".to_owned()),
        ("inventoryAdjustQuantities", "inventory:write", "mutation { inventoryAdjustQuantities(input: {reason: \"x\", changes: []}) { userErrors { code } } }".to_owned()),
        ("inventorySetQuantities", "inventory:write", "mutation { inventorySetQuantities(input: {reason: \"x\", quantities: []}) { userErrors { code } } }".to_owned()),
        ("inventorySetSafetyStock", "inventory:write", "mutation { inventorySetSafetyStock(input: {reason: \"x\", quantities: []}) { userErrors { code } } }".to_owned()),
        ("locationAdd", "locations:write", "mutation { locationAdd(input: {}) { userErrors { code } } }".to_owned()),
        ("locationEdit", "locations:write", format!("mutation {{ locationEdit(id: \"{LOCATION}\", input: {{}}) {{ userErrors {{ code }} }} }}")),
        ("locations", "inventory:read", "{ locations(first: 1) { nodes { id } } }".to_owned()),
        ("inventoryLevel", "inventory:read", format!("{{ inventoryLevel(sku: \"x\", locationId: \"{LOCATION}\") {{ onHand }} }}")),
        ("inventoryLevels", "inventory:read", "{ inventoryLevels(first: 1) { nodes { onHand } } }".to_owned()),
        ("inventoryChanges", "inventory:read", "{ inventoryChanges(first: 1) { nodes { cursor } } }".to_owned()),
        ("ProductVariant.prices", "catalog:read", "{ products(first: 1) { nodes { variants(first: 1) { nodes { prices { price { amount } } } } } } }".to_owned()),
        // B2B: applying is for signed-in customers; a company's locations and members are
        // managed by staff with companies:write or by its own admins (the matrix's customer
        // belongs to no company).
        ("companyApply", "customer", "mutation { companyApply(input: {name: \"\", location: {}}) { userErrors { code } } }".to_owned()),
        ("companyCreate", "companies:write", "mutation { companyCreate(input: {name: \"\"}) { userErrors { code } } }".to_owned()),
        ("companyUpdate", "companies:write", format!("mutation {{ companyUpdate(id: \"{COMPANY}\", input: {{}}) {{ userErrors {{ code }} }} }}")),
        ("companyApprove", "companies:write", format!("mutation {{ companyApprove(id: \"{COMPANY}\") {{ userErrors {{ code }} }} }}")),
        ("companyReject", "companies:write", format!("mutation {{ companyReject(id: \"{COMPANY}\", reason: \"x\") {{ userErrors {{ code }} }} }}")),
        ("companyLocationCreate", "companies:write", format!("mutation {{ companyLocationCreate(companyId: \"{COMPANY}\", input: {{}}) {{ userErrors {{ code }} }} }}")),
        ("companyLocationUpdate", "companies:write", format!("mutation {{ companyLocationUpdate(id: \"{COMPANY_LOCATION}\", input: {{}}) {{ userErrors {{ code }} }} }}")),
        ("companyMemberAdd", "companies:write", format!("mutation {{ companyMemberAdd(companyId: \"{COMPANY}\", input: {{email: \"x@example.com\", role: BUYER}}) {{ userErrors {{ code }} }} }}")),
        ("companyMemberUpdate", "companies:write", format!("mutation {{ companyMemberUpdate(companyId: \"{COMPANY}\", customerId: \"{CUSTOMER}\", input: {{}}) {{ userErrors {{ code }} }} }}")),
        ("companyMemberRemove", "companies:write", format!("mutation {{ companyMemberRemove(companyId: \"{COMPANY}\", customerId: \"{CUSTOMER}\") {{ userErrors {{ code }} }} }}")),
        ("companyInvitationAccept", "customer", "mutation { companyInvitationAccept(token: \"x\") { userErrors { code } } }".to_owned()),
        ("companies", "companies:read", "{ companies(first: 1) { nodes { id } } }".to_owned()),
        ("company", "companies:read", format!("{{ company(id: \"{COMPANY}\") {{ id }} }}")),
        ("customerGroupCreate", "customers:write", "mutation { customerGroupCreate(input: {name: \"\"}) { userErrors { code } } }".to_owned()),
        ("customerGroupUpdate", "customers:write", format!("mutation {{ customerGroupUpdate(id: \"{GROUP}\", input: {{}}) {{ userErrors {{ code }} }} }}")),
        ("customerGroups", "customers:read", "{ customerGroups { id } }".to_owned()),
        ("priceListCreate", "pricing:write", "mutation { priceListCreate(input: {}) { userErrors { code } } }".to_owned()),
        ("priceListUpdate", "pricing:write", format!("mutation {{ priceListUpdate(id: \"{PRICE_LIST}\", input: {{}}) {{ userErrors {{ code }} }} }}")),
        ("priceListPricesSet", "pricing:write", format!("mutation {{ priceListPricesSet(priceListId: \"{PRICE_LIST}\", prices: []) {{ userErrors {{ code }} }} }}")),
        ("discountCreate", "pricing:write", "mutation { discountCreate(input: {}) { userErrors { code } } }".to_owned()),
        ("discountUpdate", "pricing:write", format!("mutation {{ discountUpdate(id: \"{DISCOUNT}\", input: {{}}) {{ userErrors {{ code }} }} }}")),
        ("taxRateCreate", "pricing:write", "mutation { taxRateCreate(input: {}) { userErrors { code } } }".to_owned()),
        ("taxRateUpdate", "pricing:write", format!("mutation {{ taxRateUpdate(id: \"{TAX_RATE}\", input: {{}}) {{ userErrors {{ code }} }} }}")),
        ("taxRateDelete", "pricing:write", format!("mutation {{ taxRateDelete(id: \"{TAX_RATE}\") {{ userErrors {{ code }} }} }}")),
        ("priceLists", "pricing:read", "{ priceLists { id } }".to_owned()),
        ("priceList", "pricing:read", format!("{{ priceList(id: \"{PRICE_LIST}\") {{ id }} }}")),
        ("discounts", "pricing:read", "{ discounts { id } }".to_owned()),
        ("discount", "pricing:read", format!("{{ discount(id: \"{DISCOUNT}\") {{ id }} }}")),
        ("taxRates", "pricing:read", "{ taxRates { id } }".to_owned()),
        ("orders", "orders:read", "{ orders(first: 1) { nodes { id } } }".to_owned()),
        ("fulfillmentCreate", "orders:write", format!("mutation {{ fulfillmentCreate(input: {{orderId: \"{ORDER}\"}}) {{ userErrors {{ code }} }} }}")),
        ("fulfillmentEventCreate", "orders:write", format!("mutation {{ fulfillmentEventCreate(input: {{fulfillmentId: \"{FULFILLMENT}\", status: IN_TRANSIT}}) {{ userErrors {{ code }} }} }}")),
        ("orderCancel", "orders:write", format!("mutation {{ orderCancel(id: \"{ORDER}\") {{ userErrors {{ code }} }} }}")),
        ("orderMarkAsPaid", "orders:write", format!("mutation {{ orderMarkAsPaid(id: \"{ORDER}\") {{ userErrors {{ code }} }} }}")),
        ("deliveryMethods", "channels:write", "{ deliveryMethods { id } }".to_owned()),
        ("deliveryMethodCreate", "channels:write", "mutation { deliveryMethodCreate(input: {handle: \"x\", title: \"x\", rate: {flat: {amount: \"1\", currencyCode: EUR}}}) { userErrors { code } } }".to_owned()),
        ("deliveryMethodUpdate", "channels:write", format!("mutation {{ deliveryMethodUpdate(id: \"{DELIVERY_METHOD}\", input: {{handle: \"x\", title: \"x\", rate: {{flat: {{amount: \"1\", currencyCode: EUR}}}}}}) {{ userErrors {{ code }} }} }}")),
        ("deliveryMethodDelete", "channels:write", format!("mutation {{ deliveryMethodDelete(id: \"{DELIVERY_METHOD}\") {{ userErrors {{ code }} }} }}")),
        ("channelPaymentMethodsUpdate", "channels:write", format!("mutation {{ channelPaymentMethodsUpdate(channelId: \"{CHANNEL}\", methods: [MANUAL]) {{ userErrors {{ code }} }} }}")),
    ]
}

/// Mutations anyone may call: signing up and in, renewing and signing out; carts and checkout
/// (a cart is reachable by its id, a customer's cart by that customer only); reordering
/// (the order must be the caller's).
const PUBLIC_MUTATIONS: [&str; 19] = [
    "cartCreate",
    "cartLinesAdd",
    "cartLinesAddBySku",
    "cartLinesUpdate",
    "cartLinesRemove",
    "cartDiscountCodesUpdate",
    "cartBuyerIdentityUpdate",
    "cartNoteUpdate",
    "cartAttributesUpdate",
    "cartShippingAddressUpdate",
    "cartDeliveryOptionSelect",
    "checkoutComplete",
    "orderReorder",
    "customerCreate",
    "customerAccessTokenCreate",
    "customerAccessTokenRenew",
    "customerAccessTokenDelete",
    "staffAccessTokenCreate",
    "staffAccessTokenRenew",
];

/// The permissions of each staff role, as the documentation promises them.
fn role_scopes(role: &str) -> &'static [&'static str] {
    match role {
        "owner" | "admin" => &[
            "catalog:read",
            "catalog:write",
            "channels:write",
            "customers:read",
            "tokens",
            "inventory:read",
            "inventory:write",
            "locations:write",
            "customers:write",
            "companies:read",
            "companies:write",
            "pricing:read",
            "pricing:write",
            "orders:read",
            "orders:write",
        ],
        "catalog_manager" => &[
            "catalog:read",
            "catalog:write",
            "inventory:read",
            "inventory:write",
            "pricing:read",
            "pricing:write",
        ],
        "support" => &[
            "catalog:read",
            "customers:read",
            "inventory:read",
            "companies:read",
            "pricing:read",
            "orders:read",
        ],
        _ => &[],
    }
}

struct Caller {
    name: String,
    token: Option<String>,
    scopes: Vec<&'static str>,
}

fn guard_error(response: &Value) -> Option<String> {
    response["errors"]
        .as_array()?
        .iter()
        .filter_map(|e| e["extensions"]["code"].as_str())
        .find(|c| *c == "UNAUTHENTICATED" || *c == "FORBIDDEN")
        .map(str::to_owned)
}

#[tokio::test]
async fn only_allowed_callers_pass_each_guard() {
    let server = TestServer::demo().await;
    let mut callers = vec![
        Caller { name: "anonymous".to_owned(), token: None, scopes: vec![] },
        Caller {
            name: "customer".to_owned(),
            token: Some(server.customer_token("c@example.com").await),
            scopes: vec!["customer"],
        },
    ];
    for role in ["owner", "admin", "catalog_manager", "support"] {
        let token = server.staff_token(&format!("{role}@example.com"), role).await;
        callers.push(Caller {
            name: role.to_owned(),
            token: Some(token),
            scopes: role_scopes(role).to_vec(),
        });
    }
    let admin = callers
        .iter()
        .find(|c| c.name == "admin")
        .and_then(|c| c.token.clone())
        .expect("admin token");
    for scopes in [
        vec!["customers:read"],
        vec!["catalog:read"],
        vec!["catalog:write"],
        vec!["channels:write"],
        vec!["inventory:read"],
        vec!["inventory:write"],
        vec!["locations:write"],
        vec!["customers:write"],
        vec!["companies:read"],
        vec!["companies:write"],
        vec!["pricing:read"],
        vec!["pricing:write"],
        vec!["orders:read"],
        vec!["orders:write"],
    ] {
        let token = server.api_token(&admin, "matrix", &scopes).await;
        callers.push(Caller { name: format!("token {scopes:?}"), token: Some(token), scopes });
    }

    let mut failures = Vec::new();
    for (name, needs, query) in guarded() {
        for caller in &callers {
            let response = server.send_as(caller.token.as_deref(), &query, json!({})).await;
            let allowed = caller.scopes.contains(&needs);
            let blocked = guard_error(&response);
            let expected_block =
                if caller.token.is_none() { "UNAUTHENTICATED" } else { "FORBIDDEN" };
            match (allowed, blocked.as_deref()) {
                (true, None) => {}
                (false, Some(code)) if code == expected_block => {
                    if !response["data"].is_null()
                        && response["data"].get(name).is_some_and(|d| !d.is_null())
                    {
                        failures.push(format!("{name} leaked data to {}", caller.name));
                    }
                }
                (allowed, got) => failures.push(format!(
                    "{name} as {}: allowed={allowed} got {got:?}: {response}",
                    caller.name
                )),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn every_mutation_is_either_guarded_or_known_public() {
    let server = TestServer::demo().await;
    let r = server.gql("{ __schema { mutationType { fields { name } } } }", json!({})).await;
    let mutations: BTreeSet<String> = r["data"]["__schema"]["mutationType"]["fields"]
        .as_array()
        .expect("mutation fields")
        .iter()
        .filter_map(|f| f["name"].as_str().map(str::to_owned))
        .collect();
    let covered: BTreeSet<String> = guarded()
        .into_iter()
        .map(|(name, _, _)| name.to_owned())
        .chain(PUBLIC_MUTATIONS.iter().map(|s| (*s).to_owned()))
        .collect();
    let unclassified: Vec<&String> = mutations.difference(&covered).collect();
    assert!(
        unclassified.is_empty(),
        "add these mutations to the authorisation matrix: {unclassified:?}"
    );
}

#[tokio::test]
async fn raw_stock_counts_are_hidden_from_storefronts() {
    let server = TestServer::demo().await;
    let q =
        "{ products(first: 1) { nodes { variants(first: 1) { nodes { quantityAvailable } } } } }";
    let anonymous = server.gql(q, json!({})).await;
    assert!(anonymous["data"]["products"]["nodes"][0]["variants"]["nodes"][0]["quantityAvailable"]
        .is_null());
    let customer = server.customer_token("c@example.com").await;
    let as_customer = server.request().bearer(&customer).send(q, json!({})).await;
    assert!(as_customer["data"]["products"]["nodes"][0]["variants"]["nodes"][0]
        ["quantityAvailable"]
        .is_null());
    // A storefront may choose to show them ("only 2 left"): the demo brand's own site does.
    let own_site = server.request().storefront("sf_maison_lune_demo").send(q, json!({})).await;
    assert!(own_site["data"]["products"]["nodes"][0]["variants"]["nodes"][0]["quantityAvailable"]
        .is_i64());
}
