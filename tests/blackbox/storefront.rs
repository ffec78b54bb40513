//! What a brand frontend sees of the demo catalog.

use serde_json::{json, Value};

use crate::support::{error_code, TestServer, MAISON_LUNE_KEY, MARKETPLACE_KEY};

const LISTING: &str = "query($first: Int, $after: String) {
  products(first: $first, after: $after) {
    pageInfo { hasNextPage hasPreviousPage endCursor }
    nodes { id handle title vendor availableForSale
      variants(first: 50) { nodes { id sku price { amount currencyCode } availableForSale } } }
  }
}";

async fn all_handles(server: &TestServer, key: &str) -> Vec<String> {
    let mut handles = Vec::new();
    let mut after = Value::Null;
    loop {
        let r = server
            .request()
            .storefront(key)
            .send(LISTING, json!({ "first": 100, "after": after }))
            .await;
        let products = &r["data"]["products"];
        handles.extend(
            products["nodes"]
                .as_array()
                .expect("nodes")
                .iter()
                .map(|p| p["handle"].as_str().expect("handle").to_owned()),
        );
        if !products["pageInfo"]["hasNextPage"].as_bool().expect("hasNextPage") {
            return handles;
        }
        after = products["pageInfo"]["endCursor"].clone();
    }
}

#[tokio::test]
async fn storefront_pages_through_every_active_product_exactly_once() {
    let server = TestServer::demo().await;
    let handles = all_handles(&server, MARKETPLACE_KEY).await;
    let mut unique = handles.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), handles.len(), "no product appears twice");
    // The demo has 320 products, of which 5 are drafts and 2 archived.
    assert_eq!(handles.len(), 313);
}

#[tokio::test]
async fn anonymous_requests_see_the_default_marketplace_channel() {
    let server = TestServer::demo().await;
    let r = server
        .gql("{ channel { handle isDefault brands { handle } languages currencies } }", json!({}))
        .await;
    assert_eq!(r["data"]["channel"]["handle"], "marketplace");
    assert_eq!(r["data"]["channel"]["brands"].as_array().map(Vec::len), Some(4));
    assert_eq!(r["data"]["channel"]["languages"], json!(["EN", "FR", "IT"]));
}

#[tokio::test]
async fn single_brand_storefront_sees_only_its_brand() {
    let server = TestServer::demo().await;
    let r = server
        .request()
        .storefront(MAISON_LUNE_KEY)
        .send(
            "{ channel { name } products(first: 250) { nodes { vendor } } brands { name } }",
            json!({}),
        )
        .await;
    let vendors: Vec<&str> = r["data"]["products"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|p| p["vendor"].as_str().unwrap_or_default())
        .collect();
    assert!(!vendors.is_empty());
    assert!(vendors.iter().all(|v| *v == "Maison Lune"), "{vendors:?}");
    assert_eq!(r["data"]["brands"], json!([{ "name": "Maison Lune" }]));
    let marketplace_only = all_handles(&server, MARKETPLACE_KEY).await.len();
    assert!(marketplace_only > vendors.len());
}

#[tokio::test]
async fn unknown_storefront_key_is_an_error() {
    let server = TestServer::demo().await;
    let r = server.request().storefront("sf_nope").send("{ channel { name } }", json!({})).await;
    assert_eq!(error_code(&r), Some("UNKNOWN_STOREFRONT"));
    assert!(r["data"].is_null());
}

#[tokio::test]
async fn in_context_language_translates_and_falls_back_to_the_default() {
    let server = TestServer::demo().await;
    let q = |lang: &str| {
        format!("query @inContext(language: {lang}) {{ products(first: 1) {{ nodes {{ title options {{ name }} }} }} }}")
    };
    let en = server.gql(&q("EN"), json!({})).await;
    let fr = server.gql(&q("FR"), json!({})).await;
    let de = server.gql(&q("DE"), json!({})).await;
    let title = |r: &Value| r["data"]["products"]["nodes"][0]["title"].as_str().map(str::to_owned);
    assert!(title(&en).is_some());
    assert_ne!(title(&fr), title(&en), "French title is translated");
    assert_eq!(title(&de), title(&en), "German is not offered: the default language is used");
    assert_eq!(fr["data"]["products"]["nodes"][0]["options"][0]["name"], "Taille");
}

#[tokio::test]
async fn in_context_language_translates_option_values_and_selects_by_them() {
    let server = TestServer::demo().await;
    let q = |lang: &str| {
        format!("query @inContext(language: {lang}) {{ products(first: 1) {{ nodes {{ id options {{ id name values }}
            variants(first: 50) {{ nodes {{ id title selectedOptions {{ name value }} }} }} }} }} }}")
    };
    let en = server.gql(&q("EN"), json!({})).await;
    let fr = server.gql(&q("FR"), json!({})).await;
    let (en, fr) = (&en["data"]["products"]["nodes"][0], &fr["data"]["products"]["nodes"][0]);
    assert_eq!(fr["options"][1]["name"], "Couleur", "{fr}");
    let en_colors = en["options"][1]["values"].as_array().expect("values").clone();
    let fr_colors = fr["options"][1]["values"].as_array().expect("values").clone();
    assert_eq!(en_colors.len(), fr_colors.len());
    assert!(en_colors.iter().zip(&fr_colors).any(|(e, f)| e != f), "colours are translated");

    let (en_variant, fr_variant) = (&en["variants"]["nodes"][0], &fr["variants"]["nodes"][0]);
    assert_eq!(en_variant["id"], fr_variant["id"]);
    assert_eq!(
        fr_variant["selectedOptions"][1],
        json!({ "name": "Couleur", "value": fr_colors[0] })
    );
    let size = fr_variant["selectedOptions"][0]["value"].as_str().expect("size");
    let french_color = fr_colors[0].as_str().expect("colour");
    assert_eq!(fr_variant["title"], format!("{size} / {french_color}"));

    // A French storefront may select by what it shows, an English one by the stored values.
    let pick = |lang: &str, color: &str| {
        format!("query($id: ID!) @inContext(language: {lang}) {{ product(id: $id) {{
            variantBySelectedOptions(selectedOptions: [{{ name: \"Size\", value: \"{size}\" }}, {{ name: \"Color\", value: \"{color}\" }}]) {{ id }} }} }}")
    };
    let id = json!({ "id": en["id"] });
    let by_french = server.gql(&pick("FR", french_color), id.clone()).await;
    let english_color = en_colors[0].as_str().expect("colour");
    let by_english = server.gql(&pick("EN", english_color), id).await;
    assert_eq!(
        by_french["data"]["product"]["variantBySelectedOptions"]["id"], en_variant["id"],
        "{by_french}"
    );
    assert_eq!(by_english["data"]["product"]["variantBySelectedOptions"]["id"], en_variant["id"]);

    let token = server.staff_token("cm@example.com", "catalog_manager").await;
    let register = "mutation($id: ID!, $t: [TranslationInput!]!) { translationsRegister(resourceId: $id, translations: $t) { userErrors { code field } } }";
    let option = &en["options"][1]["id"];
    let unknown = server
        .request()
        .bearer(&token)
        .send(register, json!({ "id": option, "t": [{ "key": "value:Mauve", "locale": "fr", "value": "Mauve" }] }))
        .await;
    assert_eq!(
        unknown["data"]["translationsRegister"]["userErrors"][0]["code"], "NOT_FOUND",
        "{unknown}"
    );
    let key = format!("value:{english_color}");
    let renamed = server
        .request()
        .bearer(&token)
        .send(register, json!({ "id": option, "t": [{ "key": key, "locale": "fr", "value": "Teinte maison" }] }))
        .await;
    assert_eq!(renamed["data"]["translationsRegister"]["userErrors"], json!([]), "{renamed}");
    let after = server.gql(&q("FR"), json!({})).await;
    assert_eq!(after["data"]["products"]["nodes"][0]["options"][1]["values"][0], "Teinte maison");
}

#[tokio::test]
async fn in_context_language_translates_specs_and_size_chart_headers() {
    let server = TestServer::demo().await;
    let q = |lang: &str| {
        format!(
            "query @inContext(language: {lang}) {{ products(first: 20) {{ nodes {{ id
            specs {{ name value }} sizeChart {{ headers rows }} }} }} }}"
        )
    };
    let (en, fr) = (server.gql(&q("EN"), json!({})).await, server.gql(&q("FR"), json!({})).await);
    let (en, fr) = (&en["data"]["products"]["nodes"], &fr["data"]["products"]["nodes"]);
    let charted = (0..20).find(|i| !fr[i]["sizeChart"].is_null()).expect("a product with a chart");
    let (en, fr) = (&en[charted], &fr[charted]);
    assert_eq!(en["specs"][0]["name"], "Material");
    assert_eq!(fr["specs"][0]["name"], "Matière", "{fr}");
    assert_eq!(fr["specs"][2]["name"], "Origine");
    assert!(fr["specs"][2]["value"].as_str().is_some_and(|v| v.starts_with("Fabriqué")), "{fr}");
    assert_eq!(fr["sizeChart"]["headers"][0], "Taille");
    assert_eq!(
        fr["sizeChart"]["rows"], en["sizeChart"]["rows"],
        "sizes and measures stay as entered"
    );

    let token = server.staff_token("cm@example.com", "catalog_manager").await;
    let register = "mutation($id: ID!, $t: [TranslationInput!]!) { translationsRegister(resourceId: $id, translations: $t) { userErrors { code field } } }";
    let care = json!({ "id": en["id"], "t": [{ "key": "spec_value:Care", "locale": "fr", "value": "Nettoyage à sec" }] });
    let r = server.request().bearer(&token).send(register, care).await;
    assert_eq!(r["data"]["translationsRegister"]["userErrors"], json!([]), "{r}");
    let unknown = json!({ "id": en["id"], "t": [{ "key": "spec_value:Lining", "locale": "fr", "value": "Doublure" }] });
    let r = server.request().bearer(&token).send(register, unknown).await;
    assert_eq!(r["data"]["translationsRegister"]["userErrors"][0]["code"], "NOT_FOUND", "{r}");
    let after = server.gql(&q("FR"), json!({})).await;
    assert_eq!(after["data"]["products"]["nodes"][charted]["specs"][1]["value"], "Nettoyage à sec");
}

#[tokio::test]
async fn in_context_country_selects_the_currency_the_channel_sells_in() {
    let server = TestServer::demo().await;
    let q = |country: &str| {
        format!("query @inContext(country: {country}) {{ products(first: 1) {{ nodes {{ priceRange {{ minVariantPrice {{ currencyCode }} }} variants(first: 1) {{ nodes {{ price {{ currencyCode }} }} }} }} }} }}")
    };
    for (country, currency) in [("GB", "GBP"), ("US", "USD"), ("FR", "EUR"), ("JP", "EUR")] {
        let r = server.gql(&q(country), json!({})).await;
        let node = &r["data"]["products"]["nodes"][0];
        assert_eq!(
            node["priceRange"]["minVariantPrice"]["currencyCode"], currency,
            "{country}: {r}"
        );
        assert_eq!(node["variants"]["nodes"][0]["price"]["currencyCode"], currency);
    }
}

#[tokio::test]
async fn in_context_with_an_unknown_value_is_a_validation_error() {
    let server = TestServer::demo().await;
    let r = server.gql("query @inContext(language: KLINGON) { channel { name } }", json!({})).await;
    assert!(r["errors"].as_array().is_some_and(|e| !e.is_empty()), "{r}");
}

#[tokio::test]
async fn filters_by_brand_option_price_and_availability() {
    let server = TestServer::demo().await;
    let q = "query($f: ProductFilter) { products(first: 250, filter: $f) { nodes { vendor availableForSale
        priceRange { minVariantPrice { amount } maxVariantPrice { amount } }
        variants(first: 30) { nodes { selectedOptions { name value } price { amount } } } } } }";
    let nodes = |r: &Value| r["data"]["products"]["nodes"].as_array().cloned().unwrap_or_default();

    let by_brand = nodes(&server.gql(q, json!({ "f": { "brand": ["vela-milano"] } })).await);
    assert!(!by_brand.is_empty() && by_brand.iter().all(|p| p["vendor"] == "Vela Milano"));

    let available = nodes(&server.gql(q, json!({ "f": { "available": true } })).await);
    let unavailable = nodes(&server.gql(q, json!({ "f": { "available": false } })).await);
    assert!(available.iter().all(|p| p["availableForSale"] == true));
    assert!(!unavailable.is_empty() && unavailable.iter().all(|p| p["availableForSale"] == false));

    let size_m = nodes(
        &server
            .gql(q, json!({ "f": { "variantOption": [{ "name": "Size", "value": "M" }] } }))
            .await,
    );
    assert!(!size_m.is_empty());
    for p in &size_m {
        let has_m = p["variants"]["nodes"].as_array().expect("variants").iter().any(|v| {
            v["selectedOptions"]
                .as_array()
                .expect("options")
                .iter()
                .any(|o| o["name"] == "Size" && o["value"] == "M")
        });
        assert!(has_m);
    }

    let cheap = nodes(&server.gql(q, json!({ "f": { "price": { "min": 0, "max": 150 } } })).await);
    assert!(!cheap.is_empty());
    for p in &cheap {
        let prices: Vec<f64> = p["variants"]["nodes"]
            .as_array()
            .expect("variants")
            .iter()
            .filter_map(|v| v["price"]["amount"].as_str()?.parse().ok())
            .collect();
        assert!(prices.iter().any(|a| *a <= 150.0), "{prices:?}");
    }
}

#[tokio::test]
async fn sorting_by_price_orders_by_cheapest_variant_both_ways() {
    let server = TestServer::demo().await;
    let q = "query($r: Boolean) { products(first: 250, sortKey: PRICE, reverse: $r) { nodes { priceRange { minVariantPrice { amount } } } } }";
    for reverse in [false, true] {
        let r = server.gql(q, json!({ "r": reverse })).await;
        let prices: Vec<f64> = r["data"]["products"]["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .filter_map(|p| p["priceRange"]["minVariantPrice"]["amount"].as_str()?.parse().ok())
            .collect();
        let mut sorted = prices.clone();
        sorted.sort_by(|a, b| a.total_cmp(b));
        if reverse {
            sorted.reverse();
        }
        assert_eq!(prices, sorted);
    }
}

#[tokio::test]
async fn collections_form_a_tree_and_list_their_products() {
    let server = TestServer::demo().await;
    let r = server
        .gql(
            "{ collection(handle: \"women\") { title children { handle parent { handle } } products(first: 5) { nodes { handle collections(first: 10) { nodes { handle } } } } } }",
            json!({}),
        )
        .await;
    let women = &r["data"]["collection"];
    assert!(women["children"].as_array().is_some_and(|c| !c.is_empty()), "{r}");
    assert_eq!(women["children"][0]["parent"]["handle"], "women");
    for p in women["products"]["nodes"].as_array().expect("products") {
        assert!(p["collections"]["nodes"]
            .as_array()
            .expect("collections")
            .iter()
            .any(|c| c["handle"] == "women"));
    }
}

#[tokio::test]
async fn product_by_handle_node_and_nodes_resolve_the_same_product() {
    let server = TestServer::demo().await;
    let first = server
        .gql(
            "{ products(first: 1) { nodes { id handle variants(first: 1) { nodes { id } } } } }",
            json!({}),
        )
        .await;
    let product = &first["data"]["products"]["nodes"][0];
    let id = product["id"].as_str().expect("id");
    let variant_id = product["variants"]["nodes"][0]["id"].as_str().expect("variant id");
    let r = server
        .gql(
            "query($h: String, $id: ID!, $ids: [ID!]!) { product(handle: $h) { id } node(id: $id) { id ... on Product { handle } } nodes(ids: $ids) { id } }",
            json!({ "h": product["handle"], "id": id, "ids": [id, variant_id] }),
        )
        .await;
    assert_eq!(r["data"]["product"]["id"], id);
    assert_eq!(r["data"]["node"]["handle"], product["handle"]);
    assert_eq!(r["data"]["nodes"][1]["id"], variant_id);
    let bad = server.gql("{ node(id: \"gid://vitrine/Product/nope\") { id } }", json!({})).await;
    assert_eq!(error_code(&bad), Some("BAD_USER_INPUT"));
}

#[tokio::test]
async fn variant_selection_helpers_pick_the_right_variant() {
    let server = TestServer::demo().await;
    let r = server
        .gql(
            "{ products(first: 1, filter: {available: true}) { nodes { options { name values }
                selectedOrFirstAvailableVariant { availableForSale }
                variants(first: 1) { nodes { id selectedOptions { name value } } } } } }",
            json!({}),
        )
        .await;
    let p = &r["data"]["products"]["nodes"][0];
    assert_eq!(p["selectedOrFirstAvailableVariant"]["availableForSale"], true);
    let wanted = &p["variants"]["nodes"][0]["selectedOptions"];
    let handle_query = server
        .gql("{ products(first: 1, filter: {available: true}) { nodes { handle } } }", json!({}))
        .await;
    let handle = &handle_query["data"]["products"]["nodes"][0]["handle"];
    let picked = server
        .gql(
            "query($h: String, $o: [SelectedOptionInput!]!) { product(handle: $h) { variantBySelectedOptions(selectedOptions: $o) { id } } }",
            json!({ "h": handle, "o": wanted }),
        )
        .await;
    assert_eq!(
        picked["data"]["product"]["variantBySelectedOptions"]["id"],
        p["variants"]["nodes"][0]["id"]
    );
}

#[tokio::test]
async fn images_are_absolute_urls_the_gateway_serves() {
    let server = TestServer::demo().await;
    let r = server
        .gql(
            "{ products(first: 1) { nodes { featuredImage { url altText width height } } } }",
            json!({}),
        )
        .await;
    let url = r["data"]["products"]["nodes"][0]["featuredImage"]["url"]
        .as_str()
        .expect("image url")
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let response = server.http().get(&url).send().await.expect("image request");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/svg+xml");
    assert!(response.text().await.expect("svg").starts_with("<svg"));
}

#[tokio::test]
async fn the_storefront_works_the_same_on_postgres() {
    let Some(server) = TestServer::demo_on_postgres().await else { return };
    let handles = all_handles(&server, MARKETPLACE_KEY).await;
    assert_eq!(handles.len(), 313);
    let fr = server.gql("query @inContext(language: FR, country: GB) { products(first: 3, sortKey: PRICE) { nodes { title priceRange { minVariantPrice { currencyCode } } } } }", json!({})).await;
    assert_eq!(
        fr["data"]["products"]["nodes"][0]["priceRange"]["minVariantPrice"]["currencyCode"], "GBP",
        "{fr}"
    );
}

#[tokio::test]
async fn node_and_nodes_apply_each_type_s_visibility_rules() {
    let server = TestServer::demo().await;
    let staff = server.staff_token("nodes@example.com", "owner").await;
    let all = server
        .request()
        .bearer(&staff)
        .send(
            "{ products(first: 250) { nodes { id status brand { id handle }
                 images(first: 1) { nodes { id } } variants(first: 1) { nodes { id } } } } }",
            json!({}),
        )
        .await;
    let products = all["data"]["products"]["nodes"].as_array().expect("products").clone();
    let find = |wanted: &dyn Fn(&Value) -> bool| {
        products.iter().find(|p| wanted(p) && p["images"]["nodes"][0]["id"].is_string()).cloned()
    };
    let other = find(&|p| p["status"] == "ACTIVE" && p["brand"]["handle"] != "maison-lune")
        .expect("another brand's product with an image");
    let draft = find(&|p| p["status"] == "DRAFT").expect("a draft with an image");
    let ours = find(&|p| p["status"] == "ACTIVE" && p["brand"]["handle"] == "maison-lune")
        .expect("one of ours");

    let ids = |p: &Value| {
        vec![
            p["id"].clone(),
            p["variants"]["nodes"][0]["id"].clone(),
            p["images"]["nodes"][0]["id"].clone(),
            p["brand"]["id"].clone(),
        ]
    };
    let query = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }";
    let seen = |key: &'static str, product: &Value| {
        let ids = ids(product);
        let server = &server;
        async move {
            let r = server.request().storefront(key).send(query, json!({ "ids": ids })).await;
            r["data"]["nodes"]
                .as_array()
                .expect("nodes")
                .iter()
                .map(|n| !n.is_null())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(seen(MAISON_LUNE_KEY, &ours).await, [true; 4], "its own brand's objects");
    assert_eq!(seen(MAISON_LUNE_KEY, &other).await, [false; 4], "nothing of another brand");
    let draft_seen = seen(MARKETPLACE_KEY, &draft).await;
    assert_eq!(&draft_seen[..3], [false; 3], "no part of a draft, its image included");

    let one = server
        .request()
        .storefront(MAISON_LUNE_KEY)
        .send(
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": other["images"]["nodes"][0]["id"] }),
        )
        .await;
    assert_eq!(one["data"]["node"], Value::Null, "{one}");
}

/// The id of the first variant of the first product on the default channel.
async fn first_variant(server: &TestServer) -> Value {
    let listing = server
        .gql("{ products(first: 1) { nodes { variants(first: 1) { nodes { id } } } } }", json!({}))
        .await;
    let id = &listing["data"]["products"]["nodes"][0]["variants"]["nodes"][0]["id"];
    assert!(id.is_string(), "{listing}");
    id.clone()
}

#[tokio::test]
async fn a_cart_says_why_a_discount_code_does_not_apply() {
    let server = TestServer::demo().await;
    let variant = first_variant(&server).await;
    let created = server
        .gql(
            "mutation($v: ID!) { cartCreate(input: {lines: [{merchandiseId: $v, quantity: 1}], discountCodes: [\"WELCOME10\", \"bogus\"]}) {
               cart { discountCodes { code applicable reason } } userErrors { code } } }",
            json!({ "v": variant }),
        )
        .await;
    assert_eq!(
        created["data"]["cartCreate"]["cart"]["discountCodes"],
        json!([
            { "code": "WELCOME10", "applicable": false, "reason": "REQUIRES_CUSTOMER" },
            { "code": "bogus", "applicable": false, "reason": "UNKNOWN" }
        ]),
        "{created}"
    );
}

#[tokio::test]
async fn collections_sort_by_title_either_way_and_keep_every_collection_by_position() {
    let server = TestServer::demo().await;
    let titles = |sort: &str, reverse: bool| {
        let query = format!(
            "{{ collections(first: 50, sortKey: {sort}, reverse: {reverse}) {{ nodes {{ title }} }} }}"
        );
        let server = &server;
        async move {
            let r = server.gql(&query, json!({})).await;
            let nodes = r["data"]["collections"]["nodes"]
                .as_array()
                .cloned()
                .unwrap_or_else(|| panic!("{r}"));
            nodes
                .iter()
                .map(|n| n["title"].as_str().unwrap_or_default().to_lowercase())
                .collect::<Vec<_>>()
        }
    };
    let by_title = titles("TITLE", false).await;
    assert!(by_title.len() > 2, "{by_title:?}");
    let mut sorted = by_title.clone();
    sorted.sort();
    assert_eq!(by_title, sorted);
    let mut reversed = titles("TITLE", true).await;
    reversed.reverse();
    assert_eq!(reversed, by_title);
    let mut by_position = titles("POSITION", false).await;
    by_position.sort();
    assert_eq!(by_position, sorted, "the same collections in another order");
}

#[tokio::test]
async fn a_customer_access_token_in_the_buyer_identity_claims_the_cart() {
    let server = TestServer::demo().await;
    let variant = first_variant(&server).await;
    let created = server
        .gql(
            "mutation($v: ID!) { cartCreate(input: {lines: [{merchandiseId: $v, quantity: 1}]}) { cart { id } } }",
            json!({ "v": variant }),
        )
        .await;
    let cart = created["data"]["cartCreate"]["cart"]["id"].clone();
    let token = server.customer_token("token-in-input@example.com").await;
    let update = "mutation($c: ID!, $t: String) { cartBuyerIdentityUpdate(cartId: $c, buyerIdentity: {customerAccessToken: $t}) {
        cart { id buyerIdentity { email } } userErrors { field code } } }";

    let forged = server.gql(update, json!({ "c": cart, "t": "not-a-token" })).await;
    assert_eq!(
        forged["data"]["cartBuyerIdentityUpdate"]["userErrors"],
        json!([{ "field": ["buyerIdentity", "customerAccessToken"], "code": "INVALID_TOKEN" }]),
        "{forged}"
    );
    // No Authorization header: the token travels in the input, as Shopify's documents send it.
    let claimed = server.gql(update, json!({ "c": cart, "t": token })).await;
    assert_eq!(claimed["data"]["cartBuyerIdentityUpdate"]["userErrors"], json!([]), "{claimed}");
    let mine =
        server.request().bearer(&token).send("{ customer { cart { id } } }", json!({})).await;
    assert_eq!(
        mine["data"]["customer"]["cart"]["id"], cart,
        "the cart is the customer's now: {mine}"
    );
}
