//! Browser access (CORS). Each channel lists the web origins whose pages may call the API
//! with its storefront key. A preflight carries no key, so it is answered when any channel
//! allows the origin; the real request's answer is readable only by origins its own channel
//! allows. No cookies are involved (credentials travel in headers), so
//! `Access-Control-Allow-Credentials` is never sent.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use vitrine_api::Gateway;

const ALLOWED_METHODS: &str = "GET, POST, OPTIONS";
const ALLOWED_HEADERS: &str = "accept, authorization, content-type, x-vitrine-storefront, \
                               x-shopify-storefront-access-token";
/// Seconds a browser may reuse a preflight answer.
const PREFLIGHT_MAX_AGE: &str = "600";

fn origin(headers: &HeaderMap) -> Option<String> {
    headers.get(header::ORIGIN)?.to_str().ok().map(str::to_owned)
}

/// `OPTIONS` on the GraphQL endpoints.
pub async fn preflight(State(gateway): State<Gateway>, headers: HeaderMap) -> Response {
    let Some(origin) = origin(&headers) else {
        return (StatusCode::NO_CONTENT, [(header::ALLOW, ALLOWED_METHODS)]).into_response();
    };
    if !vitrine_api::origin_allowed_by_any_channel(&gateway, &origin).await {
        let message = "no storefront channel allows this origin; add it with channelUpdate(input: {allowedOrigins})";
        return (StatusCode::FORBIDDEN, message).into_response();
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    allow(headers, &origin);
    headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static(ALLOWED_METHODS));
    headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static(ALLOWED_HEADERS));
    headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static(PREFLIGHT_MAX_AGE));
    response
}

/// Lets the calling page read the answer when its origin is one the request's channel allows.
pub async fn allow_origin(
    State(gateway): State<Gateway>,
    request: Request<Body>,
    next: Next,
) -> Response {
    let origin = origin(request.headers()).filter(|_| request.method() != Method::OPTIONS);
    let key = crate::http::storefront_key(request.headers());
    let mut response = next.run(request).await;
    if let Some(origin) = origin {
        if vitrine_api::origin_allowed(&gateway, key.as_deref(), &origin).await {
            allow(response.headers_mut(), &origin);
        }
    }
    response
}

fn allow(headers: &mut HeaderMap, origin: &str) {
    if let Ok(value) = HeaderValue::from_str(origin) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
        headers.append(header::VARY, HeaderValue::from_static("Origin"));
    }
}
