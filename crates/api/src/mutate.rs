//! The mutation harness. Every mutation resolver has the same three steps:
//!
//! 1. [`read_input`] parses the arguments with an [`InputReader`], which records every bad
//!    field and every bad row (`["lines", "3", "merchandiseId"]`) instead of stopping at the
//!    first, so a client fixes a form in one round trip;
//! 2. [`mutate`] hands the parsed input and the [`Caller`] to one service call;
//! 3. it maps the outcome onto the payload: data, or `userErrors` for the caller's mistakes, or
//!    a GraphQL error for anything else (see `error.rs`).
//!
//! Payload types are declared with [`payload!`], which also says how a service's result
//! fills them. The one query that answers with `userErrors` (`priceQuote`) uses the same
//! harness.

use async_graphql::{Context, MaybeUndefined, ID};
use uuid::Uuid;
use vitrine_app::{AppError, Caller, ErrorCode, UserError};
use vitrine_domain::id::{GlobalId, NodeKind};

use crate::context::ContextExt;
use crate::error::to_gql;

type AppResult<T> = Result<T, AppError>;

/// Collects the user errors of an input while it is read. Values read from a bad field are
/// stand-ins (a nil id, a zero quantity); [`read_input`] returns them only when nothing was
/// bad, so no stand-in ever reaches a service.
#[derive(Default)]
pub struct InputReader {
    errors: Vec<UserError>,
    /// Where the reader is: `["lines", "3"]` while reading the fourth line.
    at: Vec<String>,
}

impl InputReader {
    /// Records an error at `field` under the current position.
    pub fn reject(&mut self, field: &[&str], code: ErrorCode, message: impl Into<String>) {
        let mut path = self.at.clone();
        path.extend(field.iter().map(|s| (*s).to_owned()));
        self.errors.push(UserError { field: path, code, message: message.into() });
    }

    /// A global id of `kind`; a malformed or foreign id is the caller's mistake.
    pub fn id(&mut self, id: &ID, kind: NodeKind, field: &str) -> Uuid {
        match GlobalId::parse_kind(id, kind) {
            Ok(uuid) => uuid,
            Err(e) => {
                self.reject(&[field], ErrorCode::Invalid, e.to_string());
                Uuid::nil()
            }
        }
    }

    pub fn optional_id(&mut self, id: Option<&ID>, kind: NodeKind, field: &str) -> Option<Uuid> {
        id.map(|id| self.id(id, kind, field))
    }

    /// A list of ids; each bad one is reported with its index (`["lineIds", "2"]`).
    pub fn ids(&mut self, ids: &[ID], kind: NodeKind, field: &str) -> Vec<Uuid> {
        self.rows(field, ids, |reader, id| match GlobalId::parse_kind(id, kind) {
            Ok(uuid) => uuid,
            Err(e) => {
                reader.reject(&[], ErrorCode::Invalid, e.to_string());
                Uuid::nil()
            }
        })
    }

    /// A count of units: 0 or more.
    pub fn quantity(&mut self, quantity: i32, field: &str) -> u32 {
        u32::try_from(quantity).unwrap_or_else(|_| {
            self.reject(&[field], ErrorCode::Invalid, "a quantity is 0 or more");
            0
        })
    }

    /// Reads each row of a list argument, with errors pointing at `[field, index, …]`.
    pub fn rows<T, U>(
        &mut self,
        field: &str,
        rows: impl IntoIterator<Item = T>,
        mut read: impl FnMut(&mut Self, T) -> U,
    ) -> Vec<U> {
        rows.into_iter()
            .enumerate()
            .map(|(i, row)| self.within(&[field, &i.to_string()], |reader| read(reader, row)))
            .collect()
    }

    /// Reads a nested input object, with errors pointing under `path`.
    pub fn within<U>(&mut self, path: &[&str], read: impl FnOnce(&mut Self) -> U) -> U {
        let depth = self.at.len();
        self.at.extend(path.iter().map(|s| (*s).to_owned()));
        let value = read(self);
        self.at.truncate(depth);
        value
    }
}

/// Reads a mutation's arguments: the value when every field was good, else every user error.
pub fn read_input<T>(read: impl FnOnce(&mut InputReader) -> T) -> AppResult<T> {
    let mut reader = InputReader::default();
    let value = read(&mut reader);
    if reader.errors.is_empty() {
        Ok(value)
    } else {
        Err(AppError::User(reader.errors))
    }
}

/// A payload that can carry the caller's mistakes instead of data.
pub trait Rejectable {
    fn rejected(user_errors: Vec<crate::error::UserError>) -> Self;
}

/// Runs one mutation: the service `call` with the parsed `input`, its result mapped onto the
/// payload `P` (through `From`), user errors into `userErrors`, anything else a GraphQL error.
pub async fn mutate<I, T, P>(
    ctx: &Context<'_>,
    input: AppResult<I>,
    call: impl AsyncFnOnce(Caller<'_>, I) -> AppResult<T>,
) -> async_graphql::Result<P>
where
    P: Rejectable + From<T>,
{
    let req = ctx.req();
    let caller = req.caller();
    let result = match input {
        Ok(input) => call(caller, input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(value) => Ok(P::from(value)),
        Err(AppError::User(errors)) => {
            Ok(P::rejected(errors.into_iter().map(Into::into).collect()))
        }
        Err(other) => Err(to_gql(other)),
    }
}

/// Declares a mutation payload: the given fields plus `userErrors`, and optionally how a
/// service's result fills it (`from |cart: DomainCart| { cart: Some(Cart::new(cart)) }`;
/// fields not named keep their default).
macro_rules! payload {
    (
        $(#[$meta:meta])* $name:ident { $($(#[$fmeta:meta])* $field:ident : $ty:ty),* $(,)? }
        $(from |$value:ident : $value_ty:ty| { $($set:ident : $expr:expr),* $(,)? })*
    ) => {
        $(#[$meta])*
        #[derive(async_graphql::SimpleObject, Default)]
        pub struct $name {
            $($(#[$fmeta])* pub $field: $ty,)*
            pub user_errors: Vec<crate::error::UserError>,
        }

        impl crate::mutate::Rejectable for $name {
            fn rejected(user_errors: Vec<crate::error::UserError>) -> Self {
                Self { user_errors, ..Default::default() }
            }
        }

        $(
            impl From<$value_ty> for $name {
                fn from($value: $value_ty) -> Self {
                    Self { $($set: $expr,)* ..Default::default() }
                }
            }
        )*
    };
}
pub(crate) use payload;

/// `undefined` keeps, `null` clears, a value sets.
pub(crate) fn maybe<T>(value: MaybeUndefined<T>) -> Option<Option<T>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}
