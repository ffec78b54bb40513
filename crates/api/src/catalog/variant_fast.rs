//! `ProductVariant` resolves plain selections directly into a response value.
//!
//! A storefront page lists hundreds of variants, and async-graphql spends about a microsecond
//! per object and a third of one per field on its generic machinery (a boxed future per
//! field, a concurrent set per object). When a variant's selection is plain (only fields this
//! module knows, no fragments, directives or arguments, no repeated response keys), it is
//! built here without that machinery. Anything else goes to `VariantFields`, the derived
//! resolver, which the schema is registered from; a test holds both to the same answers.

use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{Field, Selection, SelectionSet};
use async_graphql::registry::Registry;
use async_graphql::resolver_utils::ContainerType;
use async_graphql::{
    Context, ContextSelectionSet, Name, ObjectType, OutputType, Positioned, ServerResult, Value,
};
use vitrine_domain::catalog;
use vitrine_domain::id::{GlobalId, NodeKind};
use vitrine_domain::money::Money;

use crate::catalog::product::{ProductVariant, VariantFields};
use crate::common::codes::CurrencyCode;
use crate::context::RequestContext;

/// How many variants this process resolved on the fast path; tests use it to prove the path
/// is taken.
static PLAIN_SELECTIONS: AtomicU64 = AtomicU64::new(0);

pub fn plain_variant_selections() -> u64 {
    PLAIN_SELECTIONS.load(Ordering::Relaxed)
}

impl OutputType for ProductVariant {
    fn type_name() -> Cow<'static, str> {
        VariantFields::type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        VariantFields::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        if let Some(value) = plain_variant(self, ctx) {
            PLAIN_SELECTIONS.fetch_add(1, Ordering::Relaxed);
            return Ok(value);
        }
        OutputType::resolve(&VariantFields(self.clone()), ctx, field).await
    }
}

impl ContainerType for ProductVariant {
    async fn resolve_field(&self, ctx: &Context<'_>) -> ServerResult<Option<Value>> {
        VariantFields(self.clone()).resolve_field(ctx).await
    }
}

impl ObjectType for ProductVariant {}

/// The fields of a plain selection: response key and field name, in order. `None` when the
/// selection is not plain.
fn plain_fields(set: &SelectionSet) -> Option<Vec<(&Name, &str, &Positioned<SelectionSet>)>> {
    let mut fields = Vec::with_capacity(set.items.len());
    for selection in &set.items {
        let Selection::Field(field) = &selection.node else { return None };
        let f = &field.node;
        if !f.directives.is_empty() || !f.arguments.is_empty() {
            return None;
        }
        let key = &f.response_key().node;
        if fields.iter().any(|(k, _, _)| *k == key) {
            return None;
        }
        fields.push((key, f.name.node.as_str(), &f.selection_set));
    }
    Some(fields)
}

/// An object whose fields are all leaves that `leaf` knows.
fn plain_object(
    set: &Positioned<SelectionSet>,
    type_name: &str,
    leaf: impl Fn(&str) -> Option<Value>,
) -> Option<Value> {
    let fields = plain_fields(&set.node)?;
    let mut object = IndexMap::with_capacity(fields.len());
    for (key, name, inner) in fields {
        if !inner.node.items.is_empty() {
            return None;
        }
        let value = match name {
            "__typename" => Value::String(type_name.to_owned()),
            _ => leaf(name)?,
        };
        object.insert(key.clone(), value);
    }
    Some(Value::Object(object))
}

fn money(set: &Positioned<SelectionSet>, money: Option<Money>) -> Option<Value> {
    let Some(m) = money else { return Some(Value::Null) };
    // Only currencies the schema's enum knows take the fast path, as the derived one.
    CurrencyCode::from_currency(m.currency)?;
    plain_object(set, "MoneyV2", |name| match name {
        "amount" => Some(Value::String(m.to_decimal_string())),
        "currencyCode" => Some(Value::Enum(Name::new(m.currency.as_str()))),
        _ => None,
    })
}

fn plain_variant(variant: &ProductVariant, ctx: &ContextSelectionSet<'_>) -> Option<Value> {
    let req = ctx.data_opt::<RequestContext>()?;
    let fields = plain_fields(&ctx.item.node)?;
    let record = variant.variant();
    let plain = req.plain_pricing();
    let shown = || {
        catalog::in_shown_currency(
            variant.prices(),
            |p| p.price.currency,
            req.currency,
            req.channel.default_currency,
        )
    };
    // The buyer's own price, once per variant, when everything it needs is loaded (the
    // `variants` connection prefetches it); else the derived path asks the pricing engine.
    let priced = fields.iter().any(|(_, name, _)| matches!(*name, "price" | "compareAtPrice"));
    let buyer_price: Option<(Money, Option<Money>)> = if plain || !priced {
        None
    } else {
        let pricing = req.pricing.get()?;
        pricing.shown_now(req, &variant.view, variant.index)?.map(|s| (s.price, s.compare_at))
    };
    let mut object = IndexMap::with_capacity(fields.len());
    for (key, name, inner) in fields {
        let leaf = inner.node.items.is_empty();
        let value = match name {
            "__typename" if leaf => Value::String("ProductVariant".to_owned()),
            "id" if leaf => {
                Value::String(GlobalId::new(NodeKind::ProductVariant, record.id).to_string())
            }
            "sku" if leaf => Value::String(record.sku.clone()),
            // Translated titles and options take the derived path.
            "title" if leaf && !req.translating() => Value::String(record.title.clone()),
            "availableForSale" if leaf => Value::Boolean(record.available_for_sale()),
            "price" if !leaf && plain => money(inner, shown().map(|p| p.price))?,
            "compareAtPrice" if !leaf && plain => money(inner, shown().and_then(|p| p.compare_at))?,
            "price" if !leaf => money(inner, buyer_price.map(|p| p.0))?,
            "compareAtPrice" if !leaf => money(inner, buyer_price.and_then(|p| p.1))?,
            "selectedOptions" if !leaf && !req.translating() => {
                let options = record.selected_options.iter().map(|o| {
                    plain_object(inner, "SelectedOption", |name| match name {
                        "name" => Some(Value::String(o.name.clone())),
                        "value" => Some(Value::String(o.value.clone())),
                        _ => None,
                    })
                });
                Value::List(options.collect::<Option<Vec<_>>>()?)
            }
            _ => return None,
        };
        object.insert(key.clone(), value);
    }
    Some(Value::Object(object))
}
