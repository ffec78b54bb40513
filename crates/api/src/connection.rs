//! Relay connections: cursors, page sizes and the cap on `first`/`last`.

use async_graphql::connection::{Connection, CursorType, Edge};
use async_graphql::{Context, OutputType};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::DateTime;
use uuid::Uuid;
use vitrine_app::store_listing::SortValue;

use crate::error::bad_input;

/// Limits wired into the schema once and read by every connection and the cost check.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_page_size: usize,
    pub max_depth: usize,
    pub max_cost: usize,
    /// Largest response, in bytes of JSON (see `response`).
    pub max_response_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_page_size: 250, max_depth: 15, max_cost: 50_000, max_response_bytes: 8 << 20 }
    }
}

pub const DEFAULT_PAGE_SIZE: usize = 20;

const INVALID: &str = "invalid cursor";

/// How many rows a connection returns, refusing sizes over the cap with a clear error.
pub fn page_size(
    ctx: &Context<'_>,
    first: Option<i32>,
    last: Option<i32>,
) -> async_graphql::Result<usize> {
    let max = ctx.data_unchecked::<Limits>().max_page_size;
    if first.is_some() && last.is_some() {
        return Err(bad_input("pass either `first` or `last`, not both"));
    }
    match first.or(last) {
        None => Ok(DEFAULT_PAGE_SIZE.min(max)),
        Some(n) if n < 0 => Err(bad_input("`first` and `last` cannot be negative")),
        Some(n) if n as usize > max => Err(bad_input(format!(
            "`first` and `last` are capped at {max}; ask for fewer and paginate"
        ))),
        Some(n) => Ok(n as usize),
    }
}

/// A position in an in-memory list.
pub struct OffsetCursor(pub usize);

impl CursorType for OffsetCursor {
    type Error = &'static str;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        let raw = URL_SAFE_NO_PAD.decode(s).map_err(|_| INVALID)?;
        let text = String::from_utf8(raw).map_err(|_| INVALID)?;
        text.strip_prefix("o:").and_then(|n| n.parse().ok()).map(OffsetCursor).ok_or(INVALID)
    }

    fn encode_cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("o:{}", self.0))
    }
}

/// Pages through a list already in memory (a product's variants, images, options).
pub fn slice_connection<T: OutputType>(
    ctx: &Context<'_>,
    items: Vec<T>,
    after: Option<String>,
    before: Option<String>,
    first: Option<i32>,
    last: Option<i32>,
) -> async_graphql::Result<Connection<OffsetCursor, T>> {
    let size = page_size(ctx, first, last)?;
    let total = items.len();
    let start = match after {
        // A cursor past the end (even `usize::MAX`) starts past the end: it never wraps.
        Some(c) => OffsetCursor::decode_cursor(&c).map_err(bad_input)?.0.saturating_add(1),
        None => 0,
    };
    let end = match before {
        Some(c) => OffsetCursor::decode_cursor(&c).map_err(bad_input)?.0.min(total),
        None => total,
    };
    let start = start.min(end);
    let (from, to) = if last.is_some() {
        (end.saturating_sub(size).max(start), end)
    } else {
        (start, start.saturating_add(size).min(end))
    };
    let mut connection = Connection::new(from > 0, to < total);
    connection.edges.extend(
        items
            .into_iter()
            .enumerate()
            .skip(from)
            .take(to - from)
            .map(|(i, item)| Edge::new(OffsetCursor(i), item)),
    );
    Ok(connection)
}

/// A position in a sorted product listing: the sort it belongs to, the sort value and the id.
#[derive(Clone, Debug, PartialEq)]
pub struct KeysetCursor {
    pub sort: String,
    pub value: SortValue,
    pub id: Uuid,
}

impl CursorType for KeysetCursor {
    type Error = &'static str;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        let invalid = || INVALID;
        let raw = URL_SAFE_NO_PAD.decode(s).map_err(|_| invalid())?;
        let text = String::from_utf8(raw).map_err(|_| invalid())?;
        let mut parts = text.splitn(4, '|');
        let (Some(sort), Some(kind), Some(id), Some(value)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid());
        };
        let id = Uuid::parse_str(id).map_err(|_| invalid())?;
        let value = match kind {
            "n" => SortValue::None,
            "s" => SortValue::Text(value.to_owned()),
            "t" => SortValue::Time(
                DateTime::parse_from_rfc3339(value).map_err(|_| invalid())?.to_utc(),
            ),
            "i" => SortValue::Int(value.parse().map_err(|_| invalid())?),
            _ => return Err(invalid()),
        };
        Ok(Self { sort: sort.to_owned(), value, id })
    }

    fn encode_cursor(&self) -> String {
        let (kind, value) = match &self.value {
            SortValue::None => ("n", String::new()),
            SortValue::Text(t) => ("s", t.clone()),
            SortValue::Time(t) => ("t", t.to_rfc3339()),
            SortValue::Int(n) => ("i", n.to_string()),
        };
        URL_SAFE_NO_PAD.encode(format!("{}|{kind}|{}|{value}", self.sort, self.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyset_cursors_round_trip_with_separators_in_values() {
        let cursor = KeysetCursor {
            sort: "TITLE".to_owned(),
            value: SortValue::Text("a|b".to_owned()),
            id: Uuid::nil(),
        };
        let decoded = KeysetCursor::decode_cursor(&cursor.encode_cursor()).expect("valid cursor");
        assert_eq!(decoded, cursor);
    }

    #[test]
    fn garbage_cursors_are_rejected() {
        assert!(KeysetCursor::decode_cursor("not-base64!").is_err());
        assert!(OffsetCursor::decode_cursor(&URL_SAFE_NO_PAD.encode("x:1")).is_err());
    }
}
