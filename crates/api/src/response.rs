//! Bounds on what one response may hold, whatever the document asked for: at most
//! [`MAX_ERRORS`] errors, and at most `Limits::max_response_bytes` of JSON data. The cost
//! limit bounds the work of a query; these bound what it can make the server send.

use std::fmt::Write;

use async_graphql::{ErrorExtensions, Pos, Response, ServerError, Value};

/// Errors returned at most; beyond them, one error says how many were left out.
pub const MAX_ERRORS: usize = 50;

fn error(code: &'static str, message: String) -> ServerError {
    async_graphql::Error::new(message)
        .extend_with(|_, e| e.set("code", code))
        .into_server_error(Pos::default())
}

/// Applies both bounds to `response`.
pub fn bound(mut response: Response, max_bytes: usize) -> Response {
    if response.errors.len() > MAX_ERRORS {
        let omitted = response.errors.len() - MAX_ERRORS;
        response.errors.truncate(MAX_ERRORS);
        response.errors.push(error(
            "TOO_MANY_ERRORS",
            format!("{omitted} more errors were left out; fix these and send the request again"),
        ));
    }
    if json_size_exceeds(&response.data, max_bytes) {
        response.data = Value::Null;
        response.errors = vec![error(
            "RESPONSE_TOO_LARGE",
            format!(
                "the response would be larger than {max_bytes} bytes; request fewer items or \
                 fields and paginate"
            ),
        )];
    }
    response
}

/// Whether `value` serialises to more than `limit` bytes of JSON, counted without
/// serialising (escapes aside) and stopping as soon as the limit is passed.
fn json_size_exceeds(value: &Value, limit: usize) -> bool {
    let mut budget = limit;
    !fits(value, &mut budget)
}

fn spend(budget: &mut usize, bytes: usize) -> bool {
    match budget.checked_sub(bytes) {
        Some(rest) => {
            *budget = rest;
            true
        }
        None => false,
    }
}

fn fits(value: &Value, budget: &mut usize) -> bool {
    match value {
        Value::Null => spend(budget, 4),
        Value::Boolean(b) => spend(budget, if *b { 4 } else { 5 }),
        Value::Number(n) => {
            let mut digits = ByteCount(0);
            let _ = write!(digits, "{n}");
            spend(budget, digits.0)
        }
        Value::String(s) => spend(budget, s.len() + 2),
        Value::Enum(name) => spend(budget, name.len() + 2),
        Value::Binary(bytes) => spend(budget, bytes.len().div_ceil(3) * 4 + 2),
        Value::List(items) => {
            spend(budget, items.len().max(1) + 1) && items.iter().all(|item| fits(item, budget))
        }
        Value::Object(fields) => {
            spend(budget, fields.len().max(1) + 1)
                && fields
                    .iter()
                    .all(|(key, item)| spend(budget, key.len() + 3) && fits(item, budget))
        }
    }
}

/// Counts the bytes written to it.
struct ByteCount(usize);

impl Write for ByteCount {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0 += s.len();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::value;

    use super::*;

    #[test]
    fn size_count_matches_serialised_json() {
        let data = value!({ "products": { "nodes": [
            { "id": "gid://vitrine/Product/1", "title": "Cardigan", "price": 129.5, "new": true },
            { "id": "gid://vitrine/Product/2", "title": null, "tags": [], "kind": "DRAFT" }
        ] } });
        let exact = serde_json::to_string(&data).expect("json").len();
        assert!(!json_size_exceeds(&data, exact));
        assert!(json_size_exceeds(&data, exact - 1));
    }

    #[test]
    fn a_response_over_the_limit_keeps_no_data_and_says_why() {
        let response = Response::new(value!({ "text": "x".repeat(1000) }));
        let bounded = bound(response, 100);
        assert_eq!(bounded.data, Value::Null);
        assert_eq!(bounded.errors.len(), 1);
        assert_eq!(
            bounded.errors[0].extensions.as_ref().and_then(|e| e.get("code")),
            Some(&Value::from("RESPONSE_TOO_LARGE"))
        );
    }

    #[test]
    fn errors_beyond_the_cap_are_counted_not_listed() {
        let errors = (0..120).map(|i| error("BAD_USER_INPUT", format!("e{i}"))).collect();
        let bounded = bound(Response::from_errors(errors), 1 << 20);
        assert_eq!(bounded.errors.len(), MAX_ERRORS + 1);
        assert!(bounded.errors[MAX_ERRORS].message.starts_with("70 more errors"));
    }
}
