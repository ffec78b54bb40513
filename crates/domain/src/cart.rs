//! Cart lines and the rules for changing them: which lines are the same, limits, and how a
//! guest cart merges into a customer's saved cart.
//!
//! Two lines are the same line when they hold the same variant with the same attributes
//! (engraving text, gift wrap): adding one of those again raises its quantity.
//!
//! Merging on sign-in: the cart the shopper is holding (the guest cart) keeps its id and its
//! lines as they are, since they are what the shopper just chose; lines of the customer's
//! saved cart that the guest cart lacks are appended after them; the saved cart's note and
//! discount codes are kept where the guest cart has none. The saved cart is then retired.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::company::Address;
use crate::money::Currency;

/// Most lines a cart holds.
pub const MAX_LINES: usize = 250;
/// Most units on one line.
pub const MAX_LINE_QUANTITY: u32 = 10_000;
/// Attributes per line or cart, and their sizes.
pub const MAX_ATTRIBUTES: usize = 20;
pub const MAX_ATTRIBUTE_KEY: usize = 100;
pub const MAX_ATTRIBUTE_VALUE: usize = 1_000;
pub const MAX_NOTE: usize = 5_000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attribute {
    pub key: String,
    pub value: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CartLine {
    pub id: Uuid,
    pub variant_id: Uuid,
    pub quantity: u32,
    pub attributes: Vec<Attribute>,
}

impl CartLine {
    pub fn same_merchandise(&self, variant_id: Uuid, attributes: &[Attribute]) -> bool {
        self.variant_id == variant_id && self.attributes == attributes
    }
}

/// A cart: what a buyer is about to order, on one channel, in one currency.
#[derive(Clone, Debug, PartialEq)]
pub struct Cart {
    pub id: Uuid,
    pub channel_id: Uuid,
    pub currency: Currency,
    /// The signed-in owner; a guest cart has none and is reachable by its id alone.
    pub customer_id: Option<Uuid>,
    /// A company member buying for one of the company's locations.
    pub company_location_id: Option<Uuid>,
    pub email: Option<String>,
    /// Where the buyer is (taxes, delivery); the shipping address's country wins.
    pub country_code: Option<String>,
    pub note: String,
    pub discount_codes: Vec<String>,
    pub attributes: Vec<Attribute>,
    pub shipping_address: Option<Address>,
    pub billing_address: Option<Address>,
    pub delivery_handle: Option<String>,
    /// Raised by every save; a save that expected another version is refused.
    pub version: i32,
    /// Set when checkout made an order of it; the cart is then read-only.
    pub order_id: Option<Uuid>,
    pub lines: Vec<CartLine>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Cart {
    /// An empty cart with nobody's details yet.
    pub fn new(id: Uuid, channel_id: Uuid, currency: Currency, now: DateTime<Utc>) -> Self {
        Self {
            id,
            channel_id,
            currency,
            customer_id: None,
            company_location_id: None,
            email: None,
            country_code: None,
            note: String::new(),
            discount_codes: vec![],
            attributes: vec![],
            shipping_address: None,
            billing_address: None,
            delivery_handle: None,
            version: 0,
            order_id: None,
            lines: vec![],
            created_at: now,
            updated_at: now,
        }
    }

    pub fn total_quantity(&self) -> u64 {
        self.lines.iter().map(|l| u64::from(l.quantity)).sum()
    }

    /// The destination country: the shipping address's, else the buyer's.
    pub fn destination_country(&self) -> Option<&str> {
        self.shipping_address
            .as_ref()
            .map(|a| a.country_code.as_str())
            .or(self.country_code.as_deref())
    }
}

/// Why a change to a cart's lines is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LineProblem {
    #[error("quantity must be at least 1")]
    ZeroQuantity,
    #[error("at most {MAX_LINE_QUANTITY} units per line")]
    TooManyUnits,
    #[error("at most {MAX_LINES} lines per cart")]
    TooManyLines,
    #[error("at most {MAX_ATTRIBUTES} attributes, keys up to {MAX_ATTRIBUTE_KEY} and values up to {MAX_ATTRIBUTE_VALUE} characters, keys not blank")]
    BadAttributes,
}

/// Checks a set of attributes against the limits.
pub fn check_attributes(attributes: &[Attribute]) -> Result<(), LineProblem> {
    let fits = attributes.len() <= MAX_ATTRIBUTES
        && attributes.iter().all(|a| {
            !a.key.trim().is_empty()
                && a.key.chars().count() <= MAX_ATTRIBUTE_KEY
                && a.value.chars().count() <= MAX_ATTRIBUTE_VALUE
        });
    if fits {
        Ok(())
    } else {
        Err(LineProblem::BadAttributes)
    }
}

/// Adds `quantity` of a variant: to the same line when there is one, else as a new line
/// with `new_id`. Returns the id of the line that changed.
pub fn add_line(
    lines: &mut Vec<CartLine>,
    variant_id: Uuid,
    quantity: u32,
    attributes: Vec<Attribute>,
    new_id: Uuid,
) -> Result<Uuid, LineProblem> {
    if quantity == 0 {
        return Err(LineProblem::ZeroQuantity);
    }
    check_attributes(&attributes)?;
    if let Some(line) = lines.iter_mut().find(|l| l.same_merchandise(variant_id, &attributes)) {
        let total = line.quantity.saturating_add(quantity);
        if total > MAX_LINE_QUANTITY {
            return Err(LineProblem::TooManyUnits);
        }
        line.quantity = total;
        return Ok(line.id);
    }
    if quantity > MAX_LINE_QUANTITY {
        return Err(LineProblem::TooManyUnits);
    }
    if lines.len() >= MAX_LINES {
        return Err(LineProblem::TooManyLines);
    }
    lines.push(CartLine { id: new_id, variant_id, quantity, attributes });
    Ok(new_id)
}

/// Sets a line's quantity; 0 removes it (as Shopify's `cartLinesUpdate` does).
pub fn set_quantity(line: &mut CartLine, quantity: u32) -> Result<(), LineProblem> {
    if quantity > MAX_LINE_QUANTITY {
        return Err(LineProblem::TooManyUnits);
    }
    line.quantity = quantity;
    Ok(())
}

/// What the merged cart keeps; see the module comment for the rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Merged {
    pub lines: Vec<CartLine>,
    pub note: String,
    pub discount_codes: Vec<String>,
}

/// Merges the customer's `saved` cart into the `guest` cart the shopper holds.
pub fn merge_into_guest(
    guest_lines: &[CartLine],
    guest_note: &str,
    guest_codes: &[String],
    saved_lines: &[CartLine],
    saved_note: &str,
    saved_codes: &[String],
) -> Merged {
    let mut lines = guest_lines.to_vec();
    for line in saved_lines {
        if lines.len() >= MAX_LINES {
            break;
        }
        if !lines.iter().any(|l| l.same_merchandise(line.variant_id, &line.attributes)) {
            lines.push(line.clone());
        }
    }
    let note = if guest_note.trim().is_empty() { saved_note } else { guest_note };
    let discount_codes = if guest_codes.is_empty() { saved_codes } else { guest_codes };
    Merged { lines, note: note.to_owned(), discount_codes: discount_codes.to_vec() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(n: u128, variant: u128, quantity: u32) -> CartLine {
        CartLine {
            id: Uuid::from_u128(n),
            variant_id: Uuid::from_u128(variant),
            quantity,
            attributes: vec![],
        }
    }

    #[test]
    fn adding_the_same_variant_raises_the_existing_line() {
        let mut lines = vec![line(1, 10, 2)];
        let id = add_line(&mut lines, Uuid::from_u128(10), 3, vec![], Uuid::from_u128(2))
            .expect("added");
        assert_eq!(id, Uuid::from_u128(1));
        assert_eq!(lines, vec![line(1, 10, 5)]);
    }

    #[test]
    fn the_same_variant_with_other_attributes_is_another_line() {
        let mut lines = vec![line(1, 10, 1)];
        let engraved = vec![Attribute { key: "engraving".into(), value: "A".into() }];
        add_line(&mut lines, Uuid::from_u128(10), 1, engraved, Uuid::from_u128(2)).expect("added");
        assert_eq!(lines.len(), 2);
    }

    #[test]
    fn a_line_never_exceeds_its_unit_limit() {
        let mut lines = vec![line(1, 10, MAX_LINE_QUANTITY)];
        assert_eq!(
            add_line(&mut lines, Uuid::from_u128(10), 1, vec![], Uuid::from_u128(2)),
            Err(LineProblem::TooManyUnits)
        );
        assert_eq!(lines[0].quantity, MAX_LINE_QUANTITY);
    }

    #[test]
    fn a_cart_holds_at_most_max_lines() {
        let mut lines: Vec<CartLine> =
            (0..MAX_LINES as u128).map(|i| line(i, 1_000 + i, 1)).collect();
        assert_eq!(
            add_line(&mut lines, Uuid::from_u128(5), 1, vec![], Uuid::from_u128(9_999)),
            Err(LineProblem::TooManyLines)
        );
    }

    #[test]
    fn blank_attribute_keys_are_refused() {
        let blank = vec![Attribute { key: " ".into(), value: "x".into() }];
        assert_eq!(check_attributes(&blank), Err(LineProblem::BadAttributes));
    }

    #[test]
    fn merging_keeps_the_guest_lines_and_adds_the_saved_ones_it_lacks() {
        let guest = vec![line(1, 10, 1)];
        let saved = vec![line(7, 10, 4), line(8, 20, 2)];
        let merged =
            merge_into_guest(&guest, "", &[], &saved, "ring the bell", &["WELCOME10".into()]);
        assert_eq!(merged.lines, vec![line(1, 10, 1), line(8, 20, 2)]);
        assert_eq!(merged.note, "ring the bell");
        assert_eq!(merged.discount_codes, vec!["WELCOME10".to_owned()]);
    }

    #[test]
    fn the_guest_note_and_codes_win_when_present() {
        let merged =
            merge_into_guest(&[], "gift", &["A".into()], &[line(1, 1, 1)], "old", &["B".into()]);
        assert_eq!(merged.note, "gift");
        assert_eq!(merged.discount_codes, vec!["A".to_owned()]);
        assert_eq!(merged.lines.len(), 1);
    }
}
