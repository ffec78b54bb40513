//! The mutation harness: reading inputs, declaring payloads.

use async_graphql::{MaybeUndefined, ID};
use uuid::Uuid;
use vitrine_app::{AppError, ErrorCode, UserError};
use vitrine_domain::id::{GlobalId, NodeKind};

/// Declares a mutation payload: the given fields plus `userErrors`.
macro_rules! payload {
    ($(#[$meta:meta])* $name:ident { $($(#[$fmeta:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$meta])*
        #[derive(async_graphql::SimpleObject, Default)]
        pub struct $name {
            $($(#[$fmeta])* pub $field: $ty,)*
            pub user_errors: Vec<crate::error::UserError>,
        }
    };
}
pub(crate) use payload;

/// Parses an ID argument; a malformed or foreign ID is the caller's mistake, so a userError.
pub(crate) fn input_id(id: &ID, kind: NodeKind, field: &str) -> Result<Uuid, AppError> {
    GlobalId::parse_kind(id, kind)
        .map_err(|e| AppError::user(UserError::new(&[field], ErrorCode::Invalid, e.to_string())))
}

pub(crate) fn input_ids(ids: &[ID], kind: NodeKind, field: &str) -> Result<Vec<Uuid>, AppError> {
    ids.iter().map(|id| input_id(id, kind, field)).collect()
}

/// `undefined` keeps, `null` clears, a value sets.
pub(crate) fn maybe<T>(value: MaybeUndefined<T>) -> Option<Option<T>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}
