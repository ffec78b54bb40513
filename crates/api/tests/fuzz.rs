//! Random documents, variables and credentials thrown at the gateway in process. Whatever
//! arrives, the gateway must not panic, must not answer with an internal error, and every
//! response must be valid against the schema it publishes (no null where the schema says
//! non-null, values of the declared types).
//!
//! Documents are drawn from `schema.graphql` itself, so that most reach the resolvers, then
//! spoiled on purpose: hostile argument values, wrong types, nulls, unknown fields. The
//! generator is seeded, so a failure names the seed and the document that caused it.

mod support;

use std::collections::HashMap;
use std::fmt::Write;

use async_graphql::parser::types::{BaseType, Type, TypeKind, TypeSystemDefinition};
use serde_json::{json, Value};
use vitrine_api::Gateway;
use vitrine_store::testing::TestDatabase;

/// Documents per seed; the suite runs a few seeds.
const DOCUMENTS: usize = 400;
const MAX_DEPTH: usize = 4;

// ---- the schema, as the generator needs it -------------------------------------------------

struct Field {
    name: String,
    args: Vec<(String, Type)>,
    ty: Type,
}

enum Kind {
    Scalar,
    Object(Vec<Field>),
    Abstract { fields: Vec<Field>, members: Vec<String> },
    Enum(Vec<String>),
    Input(Vec<(String, Type)>),
}

struct Schema {
    types: HashMap<String, Kind>,
}

impl Schema {
    fn load() -> Self {
        let document =
            async_graphql::parser::parse_schema(vitrine_api::sdl()).expect("the SDL parses");
        let mut types = HashMap::new();
        let mut implementers: HashMap<String, Vec<String>> = HashMap::new();
        let fields_of = |fields: &[async_graphql::Positioned<
            async_graphql::parser::types::FieldDefinition,
        >]| {
            fields
                .iter()
                .map(|f| Field {
                    name: f.node.name.node.to_string(),
                    args: f
                        .node
                        .arguments
                        .iter()
                        .map(|a| (a.node.name.node.to_string(), a.node.ty.node.clone()))
                        .collect(),
                    ty: f.node.ty.node.clone(),
                })
                .collect::<Vec<_>>()
        };
        for definition in document.definitions {
            let TypeSystemDefinition::Type(t) = definition else { continue };
            let name = t.node.name.node.to_string();
            let kind = match t.node.kind {
                TypeKind::Scalar => Kind::Scalar,
                TypeKind::Object(o) => {
                    for interface in &o.implements {
                        implementers
                            .entry(interface.node.to_string())
                            .or_default()
                            .push(name.clone());
                    }
                    Kind::Object(fields_of(&o.fields))
                }
                TypeKind::Interface(i) => {
                    Kind::Abstract { fields: fields_of(&i.fields), members: vec![] }
                }
                TypeKind::Union(u) => Kind::Abstract {
                    fields: vec![],
                    members: u.members.iter().map(|m| m.node.to_string()).collect(),
                },
                TypeKind::Enum(e) => {
                    Kind::Enum(e.values.iter().map(|v| v.node.value.node.to_string()).collect())
                }
                TypeKind::InputObject(i) => Kind::Input(
                    i.fields
                        .iter()
                        .map(|f| (f.node.name.node.to_string(), f.node.ty.node.clone()))
                        .collect(),
                ),
            };
            types.insert(name, kind);
        }
        for (interface, objects) in implementers {
            if let Some(Kind::Abstract { members, .. }) = types.get_mut(&interface) {
                members.extend(objects);
            }
        }
        Self { types }
    }

    fn fields(&self, type_name: &str) -> &[Field] {
        match self.types.get(type_name) {
            Some(Kind::Object(fields) | Kind::Abstract { fields, .. }) => fields,
            _ => &[],
        }
    }
}

fn named(ty: &Type) -> &str {
    match &ty.base {
        BaseType::Named(name) => name.as_str(),
        BaseType::List(inner) => named(inner),
    }
}

// ---- a small seeded generator ---------------------------------------------------------------

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const HOSTILE_STRINGS: &[&str] = &[
    "",
    "a",
    "women",
    "%",
    "_",
    "' OR 1=1 --",
    "\\\\",
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "\u{0}",
    "ünïcødé 🧥",
    "gid://vitrine/Product/00000000-0000-0000-0000-000000000000",
    "gid://vitrine/Nope/1",
    "sf_marketplace_demo",
];
const HOSTILE_INTS: &[i64] = &[0, 1, -1, 2, 20, 250, 251, 10_000, 2_147_483_647, -2_147_483_648];

struct Generator<'a> {
    schema: &'a Schema,
    rng: Rng,
    ids: Vec<String>,
    /// The field each alias of the current document stands for; aliases are unique, so the
    /// checker knows the declared type of every response key.
    aliases: HashMap<String, String>,
    /// Whether the current document is spoiled on purpose (wrong types, unknown names, nulls);
    /// the others are well-formed with hostile values, so that they reach the resolvers.
    spoiled: bool,
    staff_token: String,
}

impl Generator<'_> {
    fn alias(&mut self, field: &str) -> String {
        let alias = format!("a{}", self.aliases.len());
        self.aliases.insert(alias.clone(), field.to_owned());
        alias
    }

    fn string(&mut self) -> String {
        if self.rng.chance(5) {
            return "x".repeat(20_000);
        }
        self.rng.pick(HOSTILE_STRINGS).to_string()
    }

    /// A literal for `ty`: a JSON value drawn for it, written as GraphQL.
    fn value(&mut self, ty: &Type, depth: usize) -> String {
        let value = self.json_value(ty, depth);
        self.literal(ty, &value)
    }

    /// `value` as a GraphQL literal of `ty`: enum values and input field names unquoted.
    fn literal(&self, ty: &Type, value: &Value) -> String {
        match (value, &ty.base) {
            (Value::Array(items), BaseType::List(inner)) => {
                let items: Vec<String> = items.iter().map(|v| self.literal(inner, v)).collect();
                format!("[{}]", items.join(", "))
            }
            (Value::Object(fields), BaseType::Named(name)) => {
                let Some(Kind::Input(declared)) = self.schema.types.get(name.as_str()) else {
                    return value.to_string();
                };
                let parts: Vec<String> = fields
                    .iter()
                    .map(|(key, item)| match declared.iter().find(|(n, _)| n == key) {
                        Some((_, ty)) => format!("{key}: {}", self.literal(ty, item)),
                        None => format!("{key}: {item}"),
                    })
                    .collect();
                format!("{{ {} }}", parts.join(", "))
            }
            (Value::String(text), BaseType::Named(name))
                if matches!(self.schema.types.get(name.as_str()), Some(Kind::Enum(_))) =>
            {
                text.clone()
            }
            // JSON's strings, numbers, booleans and null are GraphQL literals as they are.
            (other, _) => other.to_string(),
        }
    }

    /// Arguments of a root field; some travel as variables (sometimes a wrong or null one).
    fn arguments_with_variables(
        &mut self,
        field: &Field,
        variables: &mut serde_json::Map<String, Value>,
        definitions: &mut Vec<String>,
    ) -> String {
        let mut parts = vec![];
        for (name, ty) in &field.args {
            if ty.nullable && !self.rng.chance(35) {
                continue;
            }
            if self.rng.chance(40) {
                let var = format!("v{}", definitions.len());
                definitions.push(format!("${var}: {ty}"));
                let value = self.json_value(ty, 0);
                variables.insert(var.clone(), value);
                parts.push(format!("{name}: ${var}"));
            } else {
                parts.push(format!("{name}: {}", self.value(ty, 0)));
            }
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("({})", parts.join(", "))
        }
    }

    /// A value for `ty`, as JSON; in a spoiled document now and then null or of the wrong type.
    fn json_value(&mut self, ty: &Type, depth: usize) -> Value {
        if self.spoiled && self.rng.chance(10) {
            return Value::Null;
        }
        if self.spoiled && self.rng.chance(10) {
            return [json!("wrong"), json!(42), json!(true), json!([]), json!({})]
                [self.rng.below(5)]
            .clone();
        }
        if ty.nullable && self.rng.chance(5) {
            return Value::Null;
        }
        match &ty.base {
            BaseType::List(inner) => Value::Array(
                (0..self.rng.below(4)).map(|_| self.json_value(inner, depth)).collect(),
            ),
            BaseType::Named(name) => match name.as_str() {
                "Int" => json!(self.rng.pick(HOSTILE_INTS)),
                "Float" => json!([0.0, -1.5, 1e308, 12.34][self.rng.below(4)]),
                "Boolean" => json!(self.rng.chance(50)),
                "ID" if !self.ids.is_empty() && self.rng.chance(60) => {
                    json!(self.rng.pick(&self.ids))
                }
                other => match self.schema.types.get(other) {
                    Some(Kind::Enum(values)) => json!(self.rng.pick(values)),
                    Some(Kind::Input(fields)) if depth < 3 => {
                        let mut object = serde_json::Map::new();
                        for (field, ty) in fields {
                            if !ty.nullable || self.rng.chance(40) {
                                object.insert(field.clone(), self.json_value(ty, depth + 1));
                            }
                        }
                        Value::Object(object)
                    }
                    _ => json!(self.string()),
                },
            },
        }
    }

    fn arguments(&mut self, field: &Field) -> String {
        let mut parts = vec![];
        for (name, ty) in &field.args {
            if !ty.nullable || self.rng.chance(35) {
                parts.push(format!("{name}: {}", self.value(ty, 0)));
            }
        }
        if self.spoiled && self.rng.chance(10) {
            parts.push("nope: 1".into());
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("({})", parts.join(", "))
        }
    }

    /// A selection set on `type_name`, a few fields deep.
    fn selection(&mut self, type_name: &str, depth: usize, out: &mut String) {
        out.push_str("{ __typename ");
        if let Some(Kind::Abstract { members, .. }) = self.schema.types.get(type_name) {
            let members = members.clone();
            for _ in 0..self.rng.below(3) {
                let member = self.rng.pick(&members).clone();
                let _ = write!(out, "... on {member} ");
                self.selection(&member, depth + 1, out);
            }
        }
        let fields = self.schema.fields(type_name);
        if depth >= MAX_DEPTH || fields.is_empty() {
            out.push('}');
            return;
        }
        let count = 1 + self.rng.below(4);
        for _ in 0..count {
            let field = &fields[self.rng.below(fields.len())];
            let args = self.arguments(field);
            self.field_selection(field, &args, depth + 1, out);
        }
        if self.spoiled && self.rng.chance(10) {
            out.push_str("unknownField ");
        }
        out.push('}');
    }

    /// Writes `alias: field(args)` and, for an object, interface or union, its selection.
    fn field_selection(&mut self, field: &Field, args: &str, depth: usize, out: &mut String) {
        let alias = self.alias(&field.name);
        let _ = write!(out, "{alias}: {}{args} ", field.name);
        let inner = named(&field.ty);
        if matches!(self.schema.types.get(inner), Some(Kind::Object(_) | Kind::Abstract { .. })) {
            self.selection(inner, depth, out);
            out.push(' ');
        }
    }

    fn document(&mut self) -> (String, Value) {
        self.aliases.clear();
        self.spoiled = self.rng.chance(25);
        let root = if self.rng.chance(25) { "Mutation" } else { "Query" };
        let keyword = if root == "Mutation" { "mutation" } else { "query" };
        let mut body = String::new();
        let fields = self.schema.fields(root);
        let count = 1 + self.rng.below(3);
        let mut variables = serde_json::Map::new();
        let mut definitions = vec![];
        for _ in 0..count {
            let field = &fields[self.rng.below(fields.len())];
            let args = self.arguments_with_variables(field, &mut variables, &mut definitions);
            self.field_selection(field, &args, 1, &mut body);
        }
        let defs = if definitions.is_empty() {
            String::new()
        } else {
            format!("({})", definitions.join(", "))
        };
        let mut document = format!("{keyword} {defs} {{ {body} }}");
        if self.spoiled && self.rng.chance(20) {
            // A document that does not even parse.
            let cut = self.rng.below(document.len());
            document.truncate(cut);
        }
        (document, Value::Object(variables))
    }

    fn credentials(&mut self) -> (Option<String>, Option<&'static str>) {
        let forged = ["garbage", "vtk_nope", "eyJhbGciOiJIUzI1NiJ9.e30.x"];
        let bearer = match self.rng.below(10) {
            0..=3 => Some(self.staff_token.clone()),
            4 if self.spoiled => Some((*self.rng.pick(&forged)).to_owned()),
            _ => None,
        };
        let keys: &[Option<&'static str>] = if self.spoiled {
            &[None, Some("sf_maison_lune_demo"), Some("sf_nope")]
        } else {
            &[None, Some("sf_marketplace_demo"), Some("sf_maison_lune_demo")]
        };
        (bearer, *self.rng.pick(keys))
    }
}

// ---- checking a response against the schema ------------------------------------------------

/// Problems of `value`, an object of `type_name` (or of the type its `__typename` names),
/// appended to `problems`. Keys are the generator's aliases, which name their fields.
fn check_object(
    schema: &Schema,
    aliases: &HashMap<String, String>,
    type_name: &str,
    value: &Value,
    path: &str,
    problems: &mut Vec<String>,
) {
    let Some(object) = value.as_object() else {
        problems.push(format!("{path}: expected an object, got {value}"));
        return;
    };
    let runtime = object.get("__typename").and_then(Value::as_str).unwrap_or(type_name);
    let fields = schema.fields(runtime);
    for (key, item) in object {
        if key == "__typename" {
            continue;
        }
        let declared = aliases.get(key).and_then(|name| fields.iter().find(|f| &f.name == name));
        let Some(field) = declared else {
            problems.push(format!("{path}.{key}: not a field this document asked {runtime} for"));
            continue;
        };
        check_value(schema, aliases, &field.ty, item, &format!("{path}.{key}"), problems);
    }
}

fn check_value(
    schema: &Schema,
    aliases: &HashMap<String, String>,
    ty: &Type,
    value: &Value,
    path: &str,
    problems: &mut Vec<String>,
) {
    if value.is_null() {
        if !ty.nullable {
            problems.push(format!("{path}: null where the schema says {ty}"));
        }
        return;
    }
    match &ty.base {
        BaseType::List(inner) => match value.as_array() {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    check_value(schema, aliases, inner, item, &format!("{path}[{i}]"), problems);
                }
            }
            None => problems.push(format!("{path}: expected a list for {ty}, got {value}")),
        },
        BaseType::Named(name) => match (name.as_str(), schema.types.get(name.as_str())) {
            ("Int", _) if value.as_i64().is_none_or(|n| i32::try_from(n).is_err()) => {
                problems.push(format!("{path}: not a 32-bit Int: {value}"))
            }
            ("Float", _) if !value.is_number() => {
                problems.push(format!("{path}: not a Float: {value}"))
            }
            ("String" | "ID", _) if !value.is_string() => {
                problems.push(format!("{path}: not a string: {value}"))
            }
            ("Boolean", _) if !value.is_boolean() => {
                problems.push(format!("{path}: not a Boolean: {value}"))
            }
            (_, Some(Kind::Enum(values)))
                if !value.as_str().is_some_and(|v| values.iter().any(|e| e == v)) =>
            {
                problems.push(format!("{path}: not a value of {name}: {value}"))
            }
            (_, Some(Kind::Object(_) | Kind::Abstract { .. })) => {
                check_object(schema, aliases, name.as_str(), value, path, problems)
            }
            _ => {}
        },
    }
}

// ---- the test -------------------------------------------------------------------------------

async fn ids(gateway: &Gateway) -> Vec<String> {
    let r = support::respond_as(
        gateway,
        "{ products(first: 5) { nodes { id variants(first: 2) { nodes { id } } images(first: 1) { nodes { id } } } }
           collections(first: 3) { nodes { id } } }",
        json!({}),
        None,
        None,
    )
    .await;
    let mut found = vec![];
    collect_ids(&r["data"], &mut found);
    found
}

fn collect_ids(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("id", Value::String(s)) => out.push(s.clone()),
                    _ => collect_ids(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_ids(v, out)),
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_documents_never_panic_fail_internally_or_break_the_schema() {
    let db = TestDatabase::sqlite();
    let (app, gateway) = support::demo_gateway(&db, None).await;
    let schema = Schema::load();
    let known_ids = ids(&gateway).await;
    assert!(!known_ids.is_empty(), "ids of real objects, so that generated ids reach resolvers");
    let staff = vitrine_domain::access::StaffRole::Owner;
    app.identity.create_staff("fuzz@example.com", "fuzzing password", staff).await.expect("staff");
    let staff_token = app
        .identity
        .staff_sign_in(None, "fuzz@example.com", "fuzzing password")
        .await
        .expect("sign in")
        .access_token;
    let (mut ran, mut total) = (0, 0);
    for seed in [0x5eed_0001_u64, 0xdead_beef, 0x1234_5678_9abc] {
        let mut generator = Generator {
            schema: &schema,
            rng: Rng(seed),
            ids: known_ids.clone(),
            aliases: HashMap::new(),
            spoiled: false,
            staff_token: staff_token.clone(),
        };
        for n in 0..DOCUMENTS {
            let (document, variables) = generator.document();
            let (bearer, key) = generator.credentials();
            let response =
                support::respond_as(&gateway, &document, variables.clone(), bearer.as_deref(), key)
                    .await;
            let context = || {
                format!("seed {seed:#x}, document {n}:\n{document}\nvariables: {variables}\nresponse: {response}")
            };
            let errors = response["errors"].as_array().cloned().unwrap_or_default();
            for error in &errors {
                assert_ne!(error["extensions"]["code"], "INTERNAL_SERVER_ERROR", "{}", context());
            }
            let root = if document.starts_with("mutation") { "Mutation" } else { "Query" };
            let mut problems = vec![];
            if !response["data"].is_null() {
                let data = &response["data"];
                check_object(&schema, &generator.aliases, root, data, "data", &mut problems);
            }
            assert!(problems.is_empty(), "{problems:#?}\n{}", context());
            total += 1;
            if response["data"].as_object().is_some_and(|d| !d.is_empty()) {
                ran += 1;
            }
        }
    }
    // A generator that only ever produced refused documents would test nothing past validation.
    assert!(ran * 4 >= total, "only {ran} of {total} documents reached the resolvers");
}

#[test]
fn the_checker_flags_what_the_schema_forbids() {
    let schema = Schema::load();
    let aliases: HashMap<String, String> = [("a0", "channel"), ("a1", "name"), ("a2", "brands")]
        .map(|(a, f)| (a.to_owned(), f.to_owned()))
        .into();
    let check = |data: Value| {
        let mut problems = vec![];
        check_object(&schema, &aliases, "Query", &data, "data", &mut problems);
        problems
    };
    assert!(check(json!({ "a0": { "a1": "Marketplace" }, "a2": [] })).is_empty());
    assert_eq!(check(json!({ "a0": null })).len(), 1, "a non-null field may not be null");
    assert_eq!(check(json!({ "a0": { "a1": 7 } })).len(), 1, "a String is a string");
    assert_eq!(check(json!({ "a2": {} })).len(), 1, "a list is a list");
    assert_eq!(check(json!({ "zz": 1 })).len(), 1, "no key the document did not ask for");
}
