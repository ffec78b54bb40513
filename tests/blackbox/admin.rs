//! Staff editing the catalog through the admin mutations.

use serde_json::{json, Value};

use crate::support::{Options, TestServer};

const PRODUCT_CREATE: &str = "mutation($input: ProductCreateInput!) {
  productCreate(input: $input) {
    product { id handle title status availableForSale variants(first: 10) { nodes { id sku title price { amount currencyCode } } } }
    userErrors { field message code }
  }
}";

fn user_errors(r: &Value, field: &str) -> Vec<Value> {
    r["data"][field]["userErrors"].as_array().cloned().unwrap_or_else(|| panic!("no payload: {r}"))
}

#[tokio::test]
async fn product_create_needs_only_a_title_and_starts_as_a_hidden_draft() {
    let server = TestServer::demo().await;
    let token = server.staff_token("cm@example.com", "catalog_manager").await;
    let r = server
        .request()
        .bearer(&token)
        .send(PRODUCT_CREATE, json!({ "input": { "title": "Linen Shirt" } }))
        .await;
    assert_eq!(user_errors(&r, "productCreate"), Vec::<Value>::new());
    let product = &r["data"]["productCreate"]["product"];
    assert_eq!(product["status"], "DRAFT");
    assert_eq!(product["handle"], "linen-shirt");
    let id = product["id"].as_str().expect("id");
    let anonymous =
        server.gql("query($id: ID!) { product(id: $id) { id } }", json!({ "id": id })).await;
    assert!(anonymous["data"]["product"].is_null(), "drafts are not on the storefront");
    let staff = server
        .request()
        .bearer(&token)
        .send("query($id: ID!) { product(id: $id) { id } }", json!({ "id": id }))
        .await;
    assert_eq!(staff["data"]["product"]["id"], id);

    // A second product with the same title gets a free handle.
    let again = server
        .request()
        .bearer(&token)
        .send(PRODUCT_CREATE, json!({ "input": { "title": "Linen Shirt" } }))
        .await;
    assert_eq!(again["data"]["productCreate"]["product"]["handle"], "linen-shirt-2");
}

#[tokio::test]
async fn product_create_rejects_bad_input_with_user_errors_and_writes_nothing() {
    let server = TestServer::demo().await;
    let token = server.staff_token("cm@example.com", "catalog_manager").await;
    let blank = server
        .request()
        .bearer(&token)
        .send(PRODUCT_CREATE, json!({ "input": { "title": "  " } }))
        .await;
    assert_eq!(user_errors(&blank, "productCreate")[0]["code"], "BLANK");
    assert_eq!(user_errors(&blank, "productCreate")[0]["field"], json!(["title"]));

    let taken = server
        .request()
        .bearer(&token)
        .send(PRODUCT_CREATE, json!({ "input": { "title": "X", "handle": "Not A Handle" } }))
        .await;
    assert_eq!(user_errors(&taken, "productCreate")[0]["code"], "INVALID");

    let input = json!({ "title": "Bad variants", "productOptions": [{ "name": "Size", "values": ["S"] }], "variants": [
        { "sku": "OK-1", "optionValues": [{ "name": "Size", "value": "S" }], "prices": [{ "amount": "10.00", "currencyCode": "EUR" }] },
        { "sku": "OK-1", "optionValues": [{ "name": "Size", "value": "M" }], "prices": [{ "amount": "1.234", "currencyCode": "EUR" }] }
    ]});
    let r = server.request().bearer(&token).send(PRODUCT_CREATE, json!({ "input": input })).await;
    let fields: Vec<Value> =
        user_errors(&r, "productCreate").iter().map(|e| e["field"].clone()).collect();
    assert!(fields.contains(&json!(["variants", "1", "prices", "0", "amount"])), "{fields:?}");
    assert!(r["data"]["productCreate"]["product"].is_null());
    let search = server
        .request()
        .bearer(&token)
        .send("{ products(first: 5, query: \"Bad variants\") { nodes { id } } }", json!({}))
        .await;
    assert_eq!(search["data"]["products"]["nodes"], json!([]), "nothing was written");
}

#[tokio::test]
async fn variants_bulk_create_and_update_change_prices_and_availability() {
    let server = TestServer::demo().await;
    let token = server.staff_token("cm@example.com", "catalog_manager").await;
    let created = server
        .request()
        .bearer(&token)
        .send(PRODUCT_CREATE, json!({ "input": { "title": "Trench", "status": "ACTIVE", "productOptions": [{ "name": "Size", "values": ["S"] }] } }))
        .await;
    let id = created["data"]["productCreate"]["product"]["id"].as_str().expect("id").to_owned();
    let add = server
        .request()
        .bearer(&token)
        .send(
            "mutation($id: ID!, $v: [ProductVariantsBulkInput!]!) { productVariantsBulkCreate(productId: $id, variants: $v) {
                product { availableForSale options { name values } priceRange { minVariantPrice { amount } maxVariantPrice { amount } } }
                productVariants { id sku title } userErrors { field code } } }",
            json!({ "id": id, "v": [
                { "sku": "TR-S", "optionValues": [{ "name": "Size", "value": "S" }], "prices": [{ "amount": "300", "currencyCode": "EUR" }] },
                { "sku": "TR-M", "optionValues": [{ "name": "Size", "value": "M" }], "prices": [{ "amount": "320.50", "currencyCode": "EUR", "compareAtAmount": "400" }] }
            ]}),
        )
        .await;
    let payload = &add["data"]["productVariantsBulkCreate"];
    assert_eq!(payload["userErrors"], json!([]), "{add}");
    assert_eq!(
        payload["product"]["options"][0]["values"],
        json!(["S", "M"]),
        "new values extend the option"
    );
    assert_eq!(payload["product"]["availableForSale"], false, "new variants have no stock yet");
    assert_eq!(payload["product"]["priceRange"]["minVariantPrice"]["amount"], "300.00");
    assert_eq!(payload["product"]["priceRange"]["maxVariantPrice"]["amount"], "320.50");
    let m_id = payload["productVariants"][1]["id"].as_str().expect("variant id").to_owned();

    // Availability online counts only locations that ship online orders.
    let locations = server.locations(&token).await;
    let location = locations
        .iter()
        .find(|l| l["fulfillsOnlineOrders"] == true)
        .and_then(|l| l["id"].as_str())
        .expect("a demo location that ships");
    server.set_stock(&token, "TR-M", &[(location, 4)]).await;
    let product = server
        .request()
        .bearer(&token)
        .send("query($id: ID!) { product(id: $id) { availableForSale } }", json!({ "id": id }))
        .await;
    assert_eq!(
        product["data"]["product"]["availableForSale"], true,
        "stock arrived through the ledger"
    );
    server.set_stock(&token, "TR-M", &[(location, 0)]).await;

    let update = server
        .request()
        .bearer(&token)
        .send(
            "mutation($id: ID!, $v: [ProductVariantsBulkInput!]!) { productVariantsBulkUpdate(productId: $id, variants: $v) {
                product { availableForSale priceRange { maxVariantPrice { amount } } } userErrors { field code } } }",
            json!({ "id": id, "v": [{ "id": m_id, "prices": [{ "amount": "250", "currencyCode": "EUR" }] }] }),
        )
        .await;
    let payload = &update["data"]["productVariantsBulkUpdate"];
    assert_eq!(payload["userErrors"], json!([]), "{update}");
    assert_eq!(payload["product"]["availableForSale"], false, "no variant left in stock");
    assert_eq!(payload["product"]["priceRange"]["maxVariantPrice"]["amount"], "300.00");

    let clash = server
        .request()
        .bearer(&token)
        .send(
            "mutation($id: ID!, $v: [ProductVariantsBulkInput!]!) { productVariantsBulkCreate(productId: $id, variants: $v) { userErrors { field code } } }",
            json!({ "id": id, "v": [{ "sku": "TR-S", "optionValues": [{ "name": "Size", "value": "L" }] }] }),
        )
        .await;
    assert_eq!(
        clash["data"]["productVariantsBulkCreate"]["userErrors"][0]["code"], "TAKEN",
        "{clash}"
    );
}

#[tokio::test]
async fn product_update_and_delete_take_effect_on_the_storefront() {
    let server = TestServer::demo().await;
    let token = server.staff_token("admin@example.com", "admin").await;
    let first = server.gql("{ products(first: 1) { nodes { id handle } } }", json!({})).await;
    let id = first["data"]["products"]["nodes"][0]["id"].as_str().expect("id").to_owned();
    let update = server
        .request()
        .bearer(&token)
        .send(
            "mutation($i: ProductUpdateInput!) { productUpdate(input: $i) { product { title tags } userErrors { code } } }",
            json!({ "i": { "id": id, "title": "Renamed", "tags": ["b", "a", "a"] } }),
        )
        .await;
    assert_eq!(update["data"]["productUpdate"]["product"]["title"], "Renamed");
    assert_eq!(update["data"]["productUpdate"]["product"]["tags"], json!(["a", "b"]));
    let archived = server
        .request()
        .bearer(&token)
        .send(
            "mutation($i: ProductUpdateInput!) { productUpdate(input: $i) { product { status } } }",
            json!({ "i": { "id": id, "status": "ARCHIVED" } }),
        )
        .await;
    assert_eq!(archived["data"]["productUpdate"]["product"]["status"], "ARCHIVED");
    let hidden =
        server.gql("query($id: ID!) { product(id: $id) { id } }", json!({ "id": id })).await;
    assert!(hidden["data"]["product"].is_null());

    let deleted = server
        .request()
        .bearer(&token)
        .send("mutation($i: ProductDeleteInput!) { productDelete(input: $i) { deletedProductId userErrors { code } } }", json!({ "i": { "id": id } }))
        .await;
    assert_eq!(deleted["data"]["productDelete"]["deletedProductId"], id);
    let again = server
        .request()
        .bearer(&token)
        .send("mutation($i: ProductDeleteInput!) { productDelete(input: $i) { deletedProductId userErrors { code field } } }", json!({ "i": { "id": id } }))
        .await;
    assert_eq!(again["data"]["productDelete"]["userErrors"][0]["code"], "NOT_FOUND");
    let wrong_kind = server
        .request()
        .bearer(&token)
        .send("mutation { productDelete(input: {id: \"gid://vitrine/Brand/0190a0a0-0000-7000-8000-000000000000\"}) { userErrors { code field } } }", json!({}))
        .await;
    assert_eq!(wrong_kind["data"]["productDelete"]["userErrors"][0]["code"], "INVALID");
}

#[tokio::test]
async fn translations_registered_by_staff_are_served_in_context() {
    let server = TestServer::demo().await;
    let token = server.staff_token("cm@example.com", "catalog_manager").await;
    let first = server.gql("{ products(first: 1) { nodes { id title } } }", json!({})).await;
    let id = first["data"]["products"]["nodes"][0]["id"].as_str().expect("id").to_owned();
    let r = server
        .request()
        .bearer(&token)
        .send(
            "mutation($id: ID!, $t: [TranslationInput!]!) { translationsRegister(resourceId: $id, translations: $t) { translations { key } userErrors { code field } } }",
            json!({ "id": id, "t": [{ "key": "title", "locale": "it", "value": "Titolo nuovo" }] }),
        )
        .await;
    assert_eq!(r["data"]["translationsRegister"]["userErrors"], json!([]), "{r}");
    let it = server
        .gql(
            "query($id: ID!) @inContext(language: IT) { product(id: $id) { title } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(it["data"]["product"]["title"], "Titolo nuovo");
    let bad = server
        .request()
        .bearer(&token)
        .send(
            "mutation($id: ID!, $t: [TranslationInput!]!) { translationsRegister(resourceId: $id, translations: $t) { userErrors { code field } } }",
            json!({ "id": id, "t": [{ "key": "sku", "locale": "it", "value": "x" }] }),
        )
        .await;
    assert_eq!(
        bad["data"]["translationsRegister"]["userErrors"][0]["field"],
        json!(["translations", "0", "key"])
    );
}

#[tokio::test]
async fn channels_brands_and_collections_can_be_managed() {
    let server =
        TestServer::start(Options { demo: false, ..Options::default() }).await.expect("server");
    let token = server.staff_token("owner@example.com", "owner").await;
    let brand = server
        .request()
        .bearer(&token)
        .send("mutation { brandCreate(input: {name: \"Nuova Linea\"}) { brand { id handle } userErrors { code } } }", json!({}))
        .await;
    assert_eq!(brand["data"]["brandCreate"]["brand"]["handle"], "nuova-linea");
    let brand_id = brand["data"]["brandCreate"]["brand"]["id"].clone();
    let channel = server
        .request()
        .bearer(&token)
        .send(
            "mutation($b: [ID!]) { channelCreate(input: {name: \"Nuova\", languages: [IT, EN], defaultLanguage: IT, currencies: [EUR], brandIds: $b}) { channel { handle storefrontKey defaultLanguage } userErrors { code field } } }",
            json!({ "b": [brand_id] }),
        )
        .await;
    let key = channel["data"]["channelCreate"]["channel"]["storefrontKey"]
        .as_str()
        .expect("key")
        .to_owned();
    assert_eq!(channel["data"]["channelCreate"]["channel"]["defaultLanguage"], "IT");
    let seen = server
        .request()
        .storefront(&key)
        .send("{ channel { name brands { handle } } }", json!({}))
        .await;
    assert_eq!(seen["data"]["channel"]["brands"][0]["handle"], "nuova-linea");

    let bad = server
        .request()
        .bearer(&token)
        .send("mutation { channelCreate(input: {name: \"X\", languages: [EN], defaultLanguage: FR}) { userErrors { code field } } }", json!({}))
        .await;
    assert_eq!(bad["data"]["channelCreate"]["userErrors"][0]["field"], json!(["defaultLanguage"]));

    let parent = server
        .request()
        .bearer(&token)
        .send(
            "mutation { collectionCreate(input: {title: \"Donna\"}) { collection { id } } }",
            json!({}),
        )
        .await;
    let parent_id = parent["data"]["collectionCreate"]["collection"]["id"].clone();
    let child = server
        .request()
        .bearer(&token)
        .send("mutation($p: ID) { collectionCreate(input: {title: \"Abiti\", parentId: $p}) { collection { id parent { id } } } }", json!({ "p": parent_id }))
        .await;
    let child_id = child["data"]["collectionCreate"]["collection"]["id"].clone();
    assert_eq!(child["data"]["collectionCreate"]["collection"]["parent"]["id"], parent_id);
    let cycle = server
        .request()
        .bearer(&token)
        .send("mutation($id: ID!, $p: ID) { collectionUpdate(id: $id, input: {parentId: $p}) { userErrors { code field } } }", json!({ "id": parent_id, "p": child_id }))
        .await;
    assert_eq!(
        cycle["data"]["collectionUpdate"]["userErrors"][0]["field"],
        json!(["parentId"]),
        "{cycle}"
    );
}

#[tokio::test]
async fn collections_list_added_products_in_the_order_they_were_added() {
    let server = TestServer::demo().await;
    let token = server.staff_token("cm@example.com", "catalog_manager").await;
    let created = server
        .request()
        .bearer(&token)
        .send(
            "mutation { collectionCreate(input: {title: \"Picks\"}) { collection { id } } }",
            json!({}),
        )
        .await;
    let id = created["data"]["collectionCreate"]["collection"]["id"].clone();
    let products =
        server.gql("{ products(first: 3, sortKey: TITLE) { nodes { id } } }", json!({})).await;
    let ids: Vec<Value> = products["data"]["products"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|p| p["id"].clone())
        .collect();
    let reversed: Vec<Value> = ids.iter().rev().cloned().collect();
    let add = "mutation($id: ID!, $p: [ID!]!) { collectionAddProducts(id: $id, productIds: $p) { collection { handle } userErrors { code } } }";
    let added = server.request().bearer(&token).send(add, json!({ "id": id, "p": reversed })).await;
    assert_eq!(added["data"]["collectionAddProducts"]["collection"]["handle"], "picks", "{added}");
    let listed = server
        .gql(
            "{ collection(handle: \"picks\") { products(first: 10) { nodes { id } } } }",
            json!({}),
        )
        .await;
    let order: Vec<Value> = listed["data"]["collection"]["products"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|p| p["id"].clone())
        .collect();
    assert_eq!(order, reversed, "manual order is the order of addition");

    let remove = "mutation($id: ID!, $p: [ID!]!) { collectionRemoveProducts(id: $id, productIds: $p) { userErrors { code } } }";
    server.request().bearer(&token).send(remove, json!({ "id": id, "p": [ids[0].clone()] })).await;
    let after = server
        .gql(
            "{ collection(handle: \"picks\") { products(first: 10) { nodes { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(after["data"]["collection"]["products"]["nodes"].as_array().map(Vec::len), Some(2));

    let unknown = server
        .request()
        .bearer(&token)
        .send(add, json!({ "id": id, "p": ["gid://vitrine/Product/0190a0a0-0000-7000-8000-000000000009"] }))
        .await;
    assert_eq!(unknown["data"]["collectionAddProducts"]["userErrors"][0]["code"], "NOT_FOUND");
}

#[tokio::test]
async fn links_and_images_accept_only_http_urls() {
    let server = TestServer::demo().await;
    let staff = server.staff_token("urls@example.com", "owner").await;
    let create =
        "mutation($url: String) { collectionCreate(input: {title: \"Links\", imageUrl: $url}) {
        collection { imageUrl } userErrors { field code } } }";
    for url in
        ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "//evil.example/x"]
    {
        let r = server.request().bearer(&staff).send(create, json!({ "url": url })).await;
        assert_eq!(
            user_errors(&r, "collectionCreate"),
            vec![json!({ "field": ["imageUrl"], "code": "INVALID" })],
            "{url}: {r}"
        );
    }
    let r = server
        .request()
        .bearer(&staff)
        .send(create, json!({ "url": "https://cdn.example.com/links.jpg" }))
        .await;
    assert_eq!(
        r["data"]["collectionCreate"]["collection"]["imageUrl"],
        "https://cdn.example.com/links.jpg",
        "{r}"
    );
}
