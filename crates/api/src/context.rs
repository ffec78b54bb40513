//! What every resolver knows about its request: who calls, on which channel, in which
//! language and currency; plus the `@inContext` directive that chooses the latter two.

use std::borrow::Cow;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use async_graphql::parser::types::{Directive, OperationType};
use async_graphql::registry::{MetaDirective, MetaInputValue, Registry};
use async_graphql::{
    Context, ContextDirective, CustomDirective, CustomDirectiveFactory, InputType, Request,
    ServerError, ServerResult, Value,
};
use vitrine_app::App;
use vitrine_domain::access::{Actor, Permission};
use vitrine_domain::catalog::Channel;
use vitrine_domain::locale::{resolve_currency, resolve_language};
use vitrine_domain::money::Currency;

use crate::common::codes::{CountryCode, LanguageCode};
use crate::error::{forbidden, unauthenticated};
use crate::loaders::Loaders;

/// The caller's view of one request.
pub struct RequestContext {
    pub actor: Actor,
    pub channel: Arc<Channel>,
    /// The language texts are served in (a tag such as `fr`).
    pub language: String,
    pub currency: Currency,
    pub country: Option<CountryCode>,
    pub loaders: Loaders,
    /// The buyer's prices, loaded on first use (see `crate::pricing`).
    pub pricing: tokio::sync::OnceCell<Arc<crate::pricing::buyer::Pricing>>,
    /// The client's address, when the transport gave one (see [`ClientAddress`]).
    pub client: Option<IpAddr>,
    /// Guest order lookups made so far; one is allowed per request.
    guest_lookups: AtomicU32,
}

/// Request data the transport adds before `prepare_request`: the address the request came
/// from, for rate limits that count per client.
#[derive(Clone, Copy, Debug)]
pub struct ClientAddress(pub IpAddr);

/// Values of `@inContext` on the operation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InContext {
    pub language: Option<LanguageCode>,
    pub country: Option<CountryCode>,
}

impl RequestContext {
    pub fn new(app: &App, actor: Actor, channel: Arc<Channel>, in_context: InContext) -> Self {
        let requested = in_context.language.map(LanguageCode::tag);
        let language =
            resolve_language(requested.as_deref(), &channel.languages, &channel.default_language)
                .to_owned();
        let currency = resolve_currency(
            in_context.country.map(CountryCode::name),
            &channel.currencies,
            channel.default_currency,
        );
        let loaders =
            Loaders::new(app.reads.clone(), app.catalog.views().clone(), language.clone());
        Self {
            actor,
            channel,
            language,
            currency,
            country: in_context.country,
            loaders,
            pricing: tokio::sync::OnceCell::new(),
            client: None,
            guest_lookups: AtomicU32::new(0),
        }
    }

    /// Counts a guest order lookup; `false` once this request has made one.
    pub fn first_guest_lookup(&self) -> bool {
        self.guest_lookups.fetch_add(1, Ordering::Relaxed) == 0
    }

    /// Who the request acts for, as the services take it.
    pub fn caller(&self) -> vitrine_app::Caller<'_> {
        vitrine_app::Caller::new(&self.actor, &self.channel).from_client(self.client)
    }

    /// Whether translations must be looked up at all.
    pub fn translating(&self) -> bool {
        self.language != self.channel.default_language
    }
}

pub trait ContextExt {
    fn app(&self) -> &App;
    fn req(&self) -> &RequestContext;
    /// Fails with UNAUTHENTICATED for anonymous callers and FORBIDDEN for the others.
    fn require(&self, permission: Permission) -> async_graphql::Result<&Actor>;
}

impl ContextExt for Context<'_> {
    fn app(&self) -> &App {
        self.data_unchecked::<App>()
    }

    fn req(&self) -> &RequestContext {
        self.data_unchecked::<RequestContext>()
    }

    fn require(&self, permission: Permission) -> async_graphql::Result<&Actor> {
        let actor = &self.req().actor;
        if actor.has(permission) {
            Ok(actor)
        } else if actor.is_anonymous() {
            Err(unauthenticated())
        } else {
            Err(forbidden())
        }
    }
}

/// Registers `@inContext(language:, country:)` on operations, as Shopify's storefront API
/// has it. async-graphql only runs custom directives on fields, so the arguments are read
/// once per request by [`read_in_context`] before execution; the factory only declares it.
pub struct InContextDirective;

struct NoOp;

impl CustomDirective for NoOp {}

impl CustomDirectiveFactory for InContextDirective {
    fn name(&self) -> Cow<'static, str> {
        Cow::Borrowed("inContext")
    }

    fn register(&self, registry: &mut Registry) {
        // Both arguments are optional, so their types are the nullable ones.
        let language = Option::<LanguageCode>::create_type_info(registry);
        let country = Option::<CountryCode>::create_type_info(registry);
        let arg = |name: &str, ty: String, description: &str| MetaInputValue {
            name: name.to_owned(),
            description: Some(description.to_owned()),
            ty,
            deprecation: Default::default(),
            default_value: None,
            visible: None,
            inaccessible: false,
            tags: vec![],
            is_secret: false,
            directive_invocations: vec![],
        };
        let mut args = async_graphql::indexmap::IndexMap::new();
        args.insert(
            "language".to_owned(),
            arg(
                "language",
                language,
                "Language of translated texts; falls back to the channel's default.",
            ),
        );
        args.insert(
            "country".to_owned(),
            arg(
                "country",
                country,
                "Country of the buyer; selects the currency when the channel sells in it.",
            ),
        );
        registry.add_directive(MetaDirective {
            name: "inContext".to_owned(),
            description: Some("Sets the language and country of the whole operation.".to_owned()),
            locations: vec![
                async_graphql::registry::__DirectiveLocation::QUERY,
                async_graphql::registry::__DirectiveLocation::MUTATION,
            ],
            args,
            is_repeatable: false,
            visible: None,
            composable: None,
        });
    }

    fn create(
        &self,
        _: &ContextDirective<'_>,
        _: &Directive,
    ) -> ServerResult<Box<dyn CustomDirective>> {
        Ok(Box::new(NoOp))
    }
}

/// Reads `@inContext` from the operation that will run, resolving variables.
pub fn read_in_context(request: &mut Request) -> Result<InContext, ServerError> {
    let variables = request.variables.clone();
    let operation_name = request.operation_name.clone();
    let document = request.parsed_query()?;
    let operation = match &operation_name {
        Some(name) => document
            .operations
            .iter()
            .find(|(n, _)| n.map(|n| n.as_str()) == Some(name.as_str()))
            .map(|(_, op)| op),
        None => document.operations.iter().next().map(|(_, op)| op),
    };
    let Some(operation) = operation else { return Ok(InContext::default()) };
    if operation.node.ty == OperationType::Subscription {
        return Ok(InContext::default());
    }
    let mut found = InContext::default();
    for directive in operation.node.directives.iter().filter(|d| d.node.name.node == "inContext") {
        for (name, value) in &directive.node.arguments {
            let value = value
                .node
                .clone()
                .into_const_with(|var| variables.get(&var).cloned().ok_or(()))
                .unwrap_or(Value::Null);
            let text = match &value {
                Value::Enum(e) => e.as_str().to_owned(),
                Value::String(s) => s.clone(),
                _ => continue,
            };
            let invalid = || {
                ServerError::new(
                    format!("`{text}` is not a valid {} for @inContext", name.node),
                    Some(name.pos),
                )
            };
            match name.node.as_str() {
                "language" => {
                    found.language = Some(LanguageCode::from_name(&text).ok_or_else(invalid)?)
                }
                "country" => {
                    found.country = Some(CountryCode::from_name(&text).ok_or_else(invalid)?)
                }
                _ => {}
            }
        }
    }
    Ok(found)
}
