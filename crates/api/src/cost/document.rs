//! What the cost check reads from a parsed document before async-graphql validates it.
//!
//! async-graphql's complexity counts fields and the multipliers we declare on connections. It
//! does not see how long list arguments are, counts `__typename` as free, costs the fields that
//! `@skip`/`@include` exclude as if they ran, and walks fragments without a budget. This walk
//! fills those gaps, once per request, over the operation that will run:
//!
//! - `first`/`last` above the page cap, and lists longer than [`MAX_LIST_ITEMS`], are refused
//!   before any cost is computed (so no multiplier can be astronomically large);
//! - every list item and every `__typename` adds one to the cost;
//! - introspection is limited to the shape GraphiQL and code generators send (see
//!   [`TYPE_LISTS`]), which bounds its response by the size of the schema;
//! - the document as it will run (without excluded selections) is returned for costing when
//!   anything is excluded.

use std::collections::HashMap;

use async_graphql::parser::types::{
    Directive, DocumentOperations, ExecutableDocument, Field, OperationDefinition, Selection,
    SelectionSet,
};
use async_graphql::{ErrorExtensions, Name, Pos, Positioned, ServerError, Variables};
use async_graphql_value::{ConstValue, Value};

/// The longest list any argument may hold (the bulk stock mutations take 10,000 rows).
pub const MAX_LIST_ITEMS: usize = 10_000;

/// How many selections one request may make the server walk, fragments expanded. A document
/// that spreads fragments inside fragments can name billions of fields in a few kilobytes.
pub const MAX_SELECTIONS: usize = 100_000;

/// `__type(name:)` lookups per operation; `__schema` may appear once.
pub const MAX_TYPE_LOOKUPS: usize = 20;

/// The introspection lists that expand a type. GraphiQL selects them once per type and then
/// only names the types they refer to (`type { kind name ofType { … } }`); selecting them
/// again below one another (`fields { type { fields { type { fields … } } } }`) multiplies the
/// schema with itself, so that is refused.
pub const TYPE_LISTS: [&str; 5] =
    ["fields", "inputFields", "interfaces", "possibleTypes", "enumValues"];

/// What the walk found.
#[derive(Default)]
pub struct DocumentFacts {
    /// Cost that async-graphql's complexity does not count: list items and `__typename`s.
    pub extra_cost: usize,
    /// The document without the selections `@skip`/`@include` exclude; `None` when nothing is
    /// excluded, so the document is costed as it is.
    pub as_run: Option<ExecutableDocument>,
}

fn refusal(code: &'static str, message: String, pos: Pos) -> ServerError {
    async_graphql::Error::new(message)
        .extend_with(|_, e| e.set("code", code))
        .into_server_error(pos)
}

/// Reads the operation that will run (all of them when no name is given: validation reports
/// the ambiguity), refusing what no cost can make safe.
pub fn read_document(
    document: &ExecutableDocument,
    variables: &Variables,
    operation_name: Option<&str>,
    max_page_size: usize,
) -> Result<DocumentFacts, ServerError> {
    let operations: Vec<&Positioned<OperationDefinition>> =
        match (&document.operations, operation_name) {
            (DocumentOperations::Single(op), _) => vec![op],
            (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).into_iter().collect(),
            (DocumentOperations::Multiple(ops), None) => ops.values().collect(),
        };
    let mut facts = DocumentFacts::default();
    let mut excluded = false;
    for operation in operations {
        refuse_null_for_non_null_variables(&operation.node, variables)?;
        let mut walk = Walk::new(document, variables, operation, max_page_size);
        walk.selection_set(&operation.node.selection_set.node, Introspection::Outside)?;
        facts.extra_cost = facts.extra_cost.saturating_add(walk.extra_cost);
        excluded |= walk.excluded;
    }
    if excluded {
        let variables = Bindings::of_all(document, variables);
        facts.as_run = Some(without_excluded(document, &variables));
    }
    Ok(facts)
}

/// A variable declared non-null (`$n: Int!`) may be left out when it has a default, but never
/// sent as an explicit `null` (GraphQL's coercion rules); async-graphql would take the null
/// for the default.
fn refuse_null_for_non_null_variables(
    operation: &OperationDefinition,
    variables: &Variables,
) -> Result<(), ServerError> {
    for definition in &operation.variable_definitions {
        let name = &definition.node.name.node;
        let non_null = !definition.node.var_type.node.nullable;
        if non_null && matches!(variables.get(name), Some(ConstValue::Null)) {
            return Err(refusal(
                "BAD_USER_INPUT",
                format!("variable `${name}` is declared non-null and was sent as null"),
                definition.pos,
            ));
        }
    }
    Ok(())
}

/// Where the walk is with respect to introspection.
#[derive(Clone, Copy, PartialEq)]
enum Introspection {
    Outside,
    /// Below `__schema` or `__type`; `expanded` once a [`TYPE_LISTS`] field is above.
    Inside {
        expanded: bool,
    },
}

/// Variable values of one request, with the operations' defaults for those not sent.
struct Bindings<'a> {
    sent: &'a Variables,
    defaults: HashMap<&'a str, Value>,
}

impl<'a> Bindings<'a> {
    fn of(sent: &'a Variables, operation: &'a OperationDefinition) -> Self {
        let defaults = operation
            .variable_definitions
            .iter()
            .filter_map(|v| {
                let default = v.node.default_value.as_ref()?;
                Some((v.node.name.node.as_str(), default.node.clone().into_value()))
            })
            .collect();
        Self { sent, defaults }
    }

    /// For pruning fragments, which any operation may use: the first default wins.
    fn of_all(document: &'a ExecutableDocument, sent: &'a Variables) -> Self {
        let mut bindings = Self { sent, defaults: HashMap::new() };
        for (_, operation) in document.operations.iter() {
            for (name, value) in Self::of(sent, &operation.node).defaults {
                bindings.defaults.entry(name).or_insert(value);
            }
        }
        bindings
    }

    fn resolve(&self, value: &Value) -> Option<ConstValue> {
        value
            .clone()
            .into_const_with(|name| {
                let sent = self.sent.get(&name).cloned();
                match sent.or_else(|| {
                    self.defaults.get(name.as_str()).and_then(|v| v.clone().into_const())
                }) {
                    Some(v) => Ok(v),
                    None => Err(()),
                }
            })
            .ok()
    }

    /// Whether `@skip`/`@include` leave the selection out. An unresolvable condition keeps
    /// it in: validation reports the variable, and keeping it costs more, never less.
    fn excludes(&self, directives: &[Positioned<Directive>]) -> bool {
        directives.iter().any(|d| {
            let condition = d.node.get_argument("if").and_then(|v| self.resolve(&v.node)).and_then(
                |v| match v {
                    ConstValue::Boolean(b) => Some(b),
                    _ => None,
                },
            );
            matches!(
                (d.node.name.node.as_str(), condition),
                ("skip", Some(true)) | ("include", Some(false))
            )
        })
    }
}

struct Walk<'a> {
    document: &'a ExecutableDocument,
    bindings: Bindings<'a>,
    max_page_size: usize,
    visited: usize,
    fragments: Vec<&'a str>,
    schema_lookups: usize,
    type_lookups: usize,
    extra_cost: usize,
    excluded: bool,
}

impl<'a> Walk<'a> {
    fn new(
        document: &'a ExecutableDocument,
        variables: &'a Variables,
        operation: &'a Positioned<OperationDefinition>,
        max_page_size: usize,
    ) -> Self {
        Self {
            document,
            bindings: Bindings::of(variables, &operation.node),
            max_page_size,
            visited: 0,
            fragments: vec![],
            schema_lookups: 0,
            type_lookups: 0,
            extra_cost: 0,
            excluded: false,
        }
    }

    fn selection_set(
        &mut self,
        set: &'a SelectionSet,
        at: Introspection,
    ) -> Result<(), ServerError> {
        for selection in &set.items {
            if self.bindings.excludes(selection.node.directives()) {
                self.excluded = true;
                continue;
            }
            self.visited += 1;
            if self.visited > MAX_SELECTIONS {
                return Err(refusal(
                    "MAX_COST_EXCEEDED",
                    format!("the document selects more than {MAX_SELECTIONS} fields once its fragments are expanded"),
                    selection.pos,
                ));
            }
            match &selection.node {
                Selection::Field(field) => self.field(field, at)?,
                Selection::InlineFragment(fragment) => {
                    self.selection_set(&fragment.node.selection_set.node, at)?
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    // An unknown or cyclic fragment is validation's to report.
                    let Some(fragment) = self.document.fragments.get(name) else { continue };
                    if self.fragments.contains(&name) {
                        continue;
                    }
                    self.fragments.push(name);
                    self.selection_set(&fragment.node.selection_set.node, at)?;
                    self.fragments.pop();
                }
            }
        }
        Ok(())
    }

    fn field(
        &mut self,
        field: &'a Positioned<Field>,
        at: Introspection,
    ) -> Result<(), ServerError> {
        let name = field.node.name.node.as_str();
        if name == "__typename" {
            self.extra_cost = self.extra_cost.saturating_add(1);
        }
        for (argument, value) in &field.node.arguments {
            self.argument(argument.node.as_str(), &value.node, value.pos)?;
        }
        let inner = match (name, at) {
            ("__schema", _) => {
                self.schema_lookups += 1;
                if self.schema_lookups > 1 {
                    return Err(refusal(
                        "INTROSPECTION_LIMIT",
                        "`__schema` may be selected once per operation".into(),
                        field.pos,
                    ));
                }
                Introspection::Inside { expanded: false }
            }
            ("__type", _) => {
                self.type_lookups += 1;
                if self.type_lookups > MAX_TYPE_LOOKUPS {
                    return Err(refusal(
                        "INTROSPECTION_LIMIT",
                        format!("`__type` may be selected at most {MAX_TYPE_LOOKUPS} times per operation"),
                        field.pos,
                    ));
                }
                Introspection::Inside { expanded: false }
            }
            (list, Introspection::Inside { expanded }) if TYPE_LISTS.contains(&list) => {
                if expanded {
                    return Err(refusal(
                        "INTROSPECTION_LIMIT",
                        format!(
                            "introspection may not select `{list}` below another type's \
                             fields, interfaces or values; query the referred type by name instead"
                        ),
                        field.pos,
                    ));
                }
                Introspection::Inside { expanded: true }
            }
            _ => at,
        };
        self.selection_set(&field.node.selection_set.node, inner)
    }

    fn argument(&mut self, name: &str, value: &Value, pos: Pos) -> Result<(), ServerError> {
        // Unresolvable values are validation's to report.
        let Some(value) = self.bindings.resolve(value) else { return Ok(()) };
        if name == "first" || name == "last" {
            if let ConstValue::Number(n) = &value {
                let max = self.max_page_size;
                match n.as_i64() {
                    Some(n) if n < 0 => {
                        return Err(refusal(
                            "BAD_USER_INPUT",
                            "`first` and `last` cannot be negative".into(),
                            pos,
                        ))
                    }
                    Some(n) if n as u64 > max as u64 => {
                        return Err(refusal(
                            "BAD_USER_INPUT",
                            format!(
                            "`first` and `last` are capped at {max}; ask for fewer and paginate"
                        ),
                            pos,
                        ))
                    }
                    _ => {}
                }
            }
        }
        let items = list_items(&value).map_err(|n| {
            refusal(
                "BAD_USER_INPUT",
                format!(
                    "`{name}` holds a list of {n} items; at most {MAX_LIST_ITEMS} are accepted"
                ),
                pos,
            )
        })?;
        self.extra_cost = self.extra_cost.saturating_add(items);
        Ok(())
    }
}

/// Counts the items of every list in `value`, nested ones included; `Err(len)` for a list
/// longer than [`MAX_LIST_ITEMS`].
fn list_items(value: &ConstValue) -> Result<usize, usize> {
    match value {
        ConstValue::List(items) => {
            if items.len() > MAX_LIST_ITEMS {
                return Err(items.len());
            }
            items
                .iter()
                .try_fold(items.len(), |sum, item| Ok(sum.saturating_add(list_items(item)?)))
        }
        ConstValue::Object(fields) => {
            fields.values().try_fold(0usize, |sum, item| Ok(sum.saturating_add(list_items(item)?)))
        }
        _ => Ok(0),
    }
}

/// A copy of `document` without the selections `@skip`/`@include` exclude. A selection set
/// left empty keeps a `__typename`, so the copy still validates; it is only ever costed.
fn without_excluded(document: &ExecutableDocument, bindings: &Bindings<'_>) -> ExecutableDocument {
    let mut copy = document.clone();
    match &mut copy.operations {
        DocumentOperations::Single(op) => prune(&mut op.node.selection_set.node, bindings),
        DocumentOperations::Multiple(ops) => {
            for op in ops.values_mut() {
                prune(&mut op.node.selection_set.node, bindings);
            }
        }
    }
    for fragment in copy.fragments.values_mut() {
        prune(&mut fragment.node.selection_set.node, bindings);
    }
    copy
}

fn prune(set: &mut SelectionSet, bindings: &Bindings<'_>) {
    let had_items = !set.items.is_empty();
    set.items.retain(|s| !bindings.excludes(s.node.directives()));
    for selection in &mut set.items {
        match &mut selection.node {
            Selection::Field(field) => prune(&mut field.node.selection_set.node, bindings),
            Selection::InlineFragment(fragment) => {
                prune(&mut fragment.node.selection_set.node, bindings)
            }
            Selection::FragmentSpread(_) => {}
        }
    }
    if had_items && set.items.is_empty() {
        let at = Pos::default();
        set.items.push(Positioned::new(
            Selection::Field(Positioned::new(
                Field {
                    alias: None,
                    name: Positioned::new(Name::new("__typename"), at),
                    arguments: vec![],
                    directives: vec![],
                    selection_set: Positioned::new(SelectionSet::default(), at),
                },
                at,
            )),
            at,
        ));
    }
}
