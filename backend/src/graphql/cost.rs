//! What a GraphQL request may cost, decided before any resolver runs. async-graphql's own
//! limits judge each operation of a batch alone and count every field as 1 whatever it
//! returns; one request could therefore carry dozens of operations, each with hundreds of
//! aliased searches. Here the whole request is priced at once:
//! - a batch holds at most `MAX_BATCH` operations (`batch_too_large`);
//! - at most `MAX_ALIASES` aliased fields in all (aliases are how one field is asked many
//!   times);
//! - each field costs its weight (searches, 1:N identification and bulk registration weigh
//!   most) times the number of parents it is resolved for: a field with a page size (`first`,
//!   `limit`) multiplies what is selected under it by that size (its default when absent), and
//!   a list without one by `LIST_GUESS`;
//! - the sum over the batch must stay within `MAX_COST` (`query_too_complex`).
//!
//! The field types come from the schema's own SDL, so a new list field is priced as a list
//! without anyone remembering to.

use std::collections::HashMap;

use async_graphql::parser::types::{
    BaseType, DocumentOperations, ExecutableDocument, Field, Selection, SelectionSet, Type,
    TypeKind, TypeSystemDefinition,
};
use async_graphql::{Name, Variables};
use async_graphql_value::Value;

use crate::error::{ApiError, ErrorCode};

/// Operations one request may carry.
pub const MAX_BATCH: usize = 10;
/// Aliased fields one request may carry, over all its operations.
pub const MAX_ALIASES: usize = 50;
/// The budget of one request, over all its operations.
pub const MAX_COST: u64 = 5_000;
/// What a list without a page size is assumed to hold.
const LIST_GUESS: u64 = 10;
/// The largest page size counted (the resolvers refuse larger ones anyway).
const MAX_PAGE: u64 = 1_000;
/// Fragment spreads followed inside one another before the request is refused.
const MAX_NESTING: usize = 32;
/// Selections (fields and spreads) priced before the request is refused: bounds the check's
/// own work on fragments that spread each other many times over.
const MAX_VISITS: usize = 20_000;

/// Fields that cost more than reading a row: full-text search, biometric matching (1:N scans
/// the gallery), bulk IMEI registration, citation rendering, receipt verification. Every
/// mutation costs `MUTATION_WEIGHT` at least.
const WEIGHTS: &[(&str, u64)] = &[
    ("search", 100),
    ("identifyBiometric", 200),
    ("verifyBiometric", 20),
    ("enrolBiometricTemplate", 20),
    ("registerImeis", 200),
    ("citations", 20),
    ("verifyReceipt", 20),
];
const MUTATION_WEIGHT: u64 = 10;
/// Argument names that set how many items a field returns.
const PAGE_ARGUMENTS: &[&str] = &["first", "last", "limit"];

/// One field of the schema, as far as pricing goes.
#[derive(Debug, Clone)]
struct FieldShape {
    /// The named type it returns (lists and non-null unwrapped).
    returns: String,
    list: bool,
    /// The default page size of its `first`/`limit` argument, if it has one.
    page_default: Option<u64>,
    has_page_argument: bool,
}

/// The priced schema: (type, field) → shape.
#[derive(Debug, Default)]
pub struct CostModel {
    fields: HashMap<(String, String), FieldShape>,
    query_root: String,
    mutation_root: String,
}

fn named(ty: &Type) -> (String, bool) {
    match &ty.base {
        BaseType::Named(name) => (name.to_string(), false),
        BaseType::List(inner) => (named(inner).0, true),
    }
}

impl CostModel {
    /// Reads the shapes of every object's fields from the schema's SDL.
    pub fn from_sdl(sdl: &str) -> anyhow::Result<Self> {
        let document = async_graphql::parser::parse_schema(sdl)?;
        let mut model = Self {
            query_root: "QueryRoot".into(),
            mutation_root: "MutationRoot".into(),
            ..Self::default()
        };
        // Input objects that carry a page size (`SearchParams.limit`).
        let paged_inputs: std::collections::HashSet<String> = document
            .definitions
            .iter()
            .filter_map(|definition| match definition {
                TypeSystemDefinition::Type(ty) => match &ty.node.kind {
                    TypeKind::InputObject(input) => input
                        .fields
                        .iter()
                        .any(|f| PAGE_ARGUMENTS.contains(&f.node.name.node.as_str()))
                        .then(|| ty.node.name.node.to_string()),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        for definition in document.definitions {
            let TypeSystemDefinition::Type(ty) = definition else {
                continue;
            };
            let fields = match &ty.node.kind {
                TypeKind::Object(object) => &object.fields,
                TypeKind::Interface(interface) => &interface.fields,
                _ => continue,
            };
            for field in fields {
                let (returns, list) = named(&field.node.ty.node);
                let page = field
                    .node
                    .arguments
                    .iter()
                    .find(|a| PAGE_ARGUMENTS.contains(&a.node.name.node.as_str()));
                let page_default = page
                    .and_then(|a| a.node.default_value.as_ref())
                    .and_then(|v| v.node.clone().into_value().into_json().ok())
                    .and_then(|v| v.as_u64());
                let paged_input = field
                    .node
                    .arguments
                    .iter()
                    .any(|a| paged_inputs.contains(&named(&a.node.ty.node).0));
                model.fields.insert(
                    (
                        ty.node.name.node.to_string(),
                        field.node.name.node.to_string(),
                    ),
                    FieldShape {
                        returns,
                        list,
                        page_default,
                        has_page_argument: page.is_some() || paged_input,
                    },
                );
            }
        }
        Ok(model)
    }
}

/// One operation of a request, as the cost check reads it.
pub struct Operation<'a> {
    pub query: &'a str,
    pub operation_name: Option<&'a str>,
    pub variables: &'a Variables,
}

fn refused(code: ErrorCode, detail: String) -> ApiError {
    ApiError::new(code, detail)
}

/// Prices a whole request; `Err` with `batch_too_large` or `query_too_complex` when it may
/// not run. Documents that do not parse are left to the executor (`invalid_graphql`).
pub fn check(model: &CostModel, operations: &[Operation<'_>]) -> Result<u64, ApiError> {
    if operations.len() > MAX_BATCH {
        return Err(refused(
            ErrorCode::BatchTooLarge,
            format!(
                "a batch may hold at most {MAX_BATCH} operations; this one has {}",
                operations.len()
            ),
        ));
    }
    let mut totals = Totals::default();
    for operation in operations {
        let Ok(document) = async_graphql::parser::parse_query(operation.query) else {
            continue;
        };
        let mut pricing = Pricing {
            model,
            totals,
            variables: Some(operation.variables),
            document: Some(&document),
        };
        for (name, definition) in document.operations.iter() {
            let chosen = match (&document.operations, operation.operation_name) {
                (DocumentOperations::Single(_), _) | (_, None) => true,
                (_, Some(wanted)) => name.is_some_and(|n| n.as_str() == wanted),
            };
            if !chosen {
                continue;
            }
            let root = match definition.node.ty {
                async_graphql::parser::types::OperationType::Mutation => &model.mutation_root,
                _ => &model.query_root,
            };
            let mutation = root == &model.mutation_root;
            pricing.selection(
                &definition.node.selection_set.node,
                root,
                1,
                false,
                mutation,
                0,
            )?;
        }
        totals = pricing.totals;
    }
    Ok(totals.cost)
}

/// What the request has used so far, over all its operations.
#[derive(Debug, Default, Clone, Copy)]
struct Totals {
    cost: u64,
    aliases: usize,
    visits: usize,
}

/// Prices one operation of the request.
struct Pricing<'a> {
    model: &'a CostModel,
    totals: Totals,
    variables: Option<&'a Variables>,
    document: Option<&'a ExecutableDocument>,
}

impl Pricing<'_> {
    /// Adds the cost of `set`, resolved `times` times on an object of type `parent`.
    fn selection(
        &mut self,
        set: &SelectionSet,
        parent: &str,
        times: u64,
        paged_parent: bool,
        root_mutation: bool,
        nesting: usize,
    ) -> Result<(), ApiError> {
        if nesting > MAX_NESTING {
            return Err(self.too_complex("fragments nest too deeply"));
        }
        for item in &set.items {
            self.totals.visits += 1;
            if self.totals.visits > MAX_VISITS {
                return Err(self.too_complex("the request selects too many fields"));
            }
            match &item.node {
                Selection::Field(field) => self.field(
                    &field.node,
                    parent,
                    times,
                    paged_parent,
                    root_mutation,
                    nesting,
                )?,
                Selection::FragmentSpread(spread) => {
                    let fragment = self
                        .document
                        .and_then(|d| d.fragments.get(&spread.node.fragment_name.node));
                    if let Some(fragment) = fragment {
                        let on = fragment.node.type_condition.node.on.node.to_string();
                        self.selection(
                            &fragment.node.selection_set.node,
                            &on,
                            times,
                            paged_parent,
                            root_mutation,
                            nesting + 1,
                        )?;
                    }
                }
                Selection::InlineFragment(inline) => {
                    let on = inline
                        .node
                        .type_condition
                        .as_ref()
                        .map_or_else(|| parent.to_owned(), |c| c.node.on.node.to_string());
                    self.selection(
                        &inline.node.selection_set.node,
                        &on,
                        times,
                        paged_parent,
                        root_mutation,
                        nesting + 1,
                    )?;
                }
            }
        }
        Ok(())
    }

    fn field(
        &mut self,
        field: &Field,
        parent: &str,
        times: u64,
        paged_parent: bool,
        root_mutation: bool,
        nesting: usize,
    ) -> Result<(), ApiError> {
        let name = field.name.node.as_str();
        if field.alias.is_some() {
            self.totals.aliases += 1;
            if self.totals.aliases > MAX_ALIASES {
                return Err(self.too_complex(&format!(
                    "at most {MAX_ALIASES} aliased fields in one request"
                )));
            }
        }
        let shape = self
            .model
            .fields
            .get(&(parent.to_owned(), name.to_owned()))
            .cloned();
        let mut weight = WEIGHTS
            .iter()
            .find(|(field, _)| *field == name)
            .map_or(1, |(_, w)| *w);
        if root_mutation && parent == self.model.mutation_root {
            weight = weight.max(MUTATION_WEIGHT);
        }
        self.totals.cost = self
            .totals
            .cost
            .saturating_add(weight.saturating_mul(times));
        if self.totals.cost > MAX_COST {
            return Err(self.too_complex(&format!(
                "the request would cost more than {MAX_COST} (fields weighted, lists multiplied by their size, over the whole batch)"
            )));
        }
        if field.selection_set.node.items.is_empty() {
            return Ok(());
        }
        let (child_type, per_parent, paged) = match &shape {
            Some(shape) if shape.has_page_argument => {
                let asked = self.page_size(field).or(shape.page_default).unwrap_or(20);
                (shape.returns.clone(), asked.clamp(1, MAX_PAGE), true)
            }
            // A page's list is already counted by the page size above it.
            Some(shape) if shape.list && !paged_parent => {
                (shape.returns.clone(), LIST_GUESS, false)
            }
            Some(shape) => (shape.returns.clone(), 1, false),
            None => (String::new(), 1, false),
        };
        self.selection(
            &field.selection_set.node,
            &child_type,
            times.saturating_mul(per_parent),
            paged,
            false,
            nesting,
        )
    }

    /// The page size asked for: a `first`/`limit` argument, or such a member of an input
    /// object argument (`search(params: {limit: 50})`), literal or from a variable.
    fn page_size(&self, field: &Field) -> Option<u64> {
        field.arguments.iter().find_map(|(name, value)| {
            let value = self.resolve(&value.node)?;
            if PAGE_ARGUMENTS.contains(&name.node.as_str()) {
                return value.as_u64();
            }
            let object = value.as_object()?;
            PAGE_ARGUMENTS
                .iter()
                .find_map(|key| object.get(*key).and_then(serde_json::Value::as_u64))
        })
    }

    /// An argument's value as JSON, variables substituted.
    fn resolve(&self, value: &Value) -> Option<serde_json::Value> {
        let variables = self.variables;
        let constant = value
            .clone()
            .into_const_with(|name: Name| variables.and_then(|v| v.get(&name).cloned()).ok_or(()))
            .ok()?;
        constant.into_json().ok()
    }

    fn too_complex(&self, detail: &str) -> ApiError {
        refused(ErrorCode::QueryTooComplex, detail.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> CostModel {
        CostModel::from_sdl(&crate::graphql::sdl()).unwrap()
    }

    fn price(query: &str, variables: serde_json::Value) -> Result<u64, ApiError> {
        let variables = Variables::from_json(variables);
        check(
            &model(),
            &[Operation {
                query,
                operation_name: None,
                variables: &variables,
            }],
        )
    }

    #[test]
    fn ordinary_queries_are_cheap() {
        let cost = price(
            "{ publications(first: 20) { items { id title authors { name } } nextCursor } }",
            serde_json::json!({}),
        )
        .unwrap();
        assert!(cost > 20 && cost < 500, "{cost}");
        let search = price(
            "{ search(params: {q: \"statistika\"}) { total items { id title } } }",
            serde_json::json!({}),
        )
        .unwrap();
        assert!((100..MAX_COST).contains(&search), "{search}");
    }

    #[test]
    fn page_sizes_multiply_literal_or_from_variables() {
        let small = price(
            "query($n: Int) { publications(first: $n) { items { id title } } }",
            serde_json::json!({"n": 2}),
        )
        .unwrap();
        let large = price(
            "query($n: Int) { publications(first: $n) { items { id title } } }",
            serde_json::json!({"n": 100}),
        )
        .unwrap();
        assert!(large > small * 20, "{small} vs {large}");
    }

    #[test]
    fn many_aliased_searches_are_refused() {
        let fields: String = (0..60)
            .map(|i| format!("s{i}: search(params: {{q: \"x\"}}) {{ total }} "))
            .collect();
        let error = price(&format!("{{ {fields} }}"), serde_json::json!({})).unwrap_err();
        assert_eq!(error.code, ErrorCode::QueryTooComplex);
        // Fewer aliases, but too many searches with their hits for one request.
        let fields: String = (0..45)
            .map(|i| {
                format!("s{i}: search(params: {{q: \"x\"}}) {{ total items {{ id title }} }} ")
            })
            .collect();
        let error = price(&format!("{{ {fields} }}"), serde_json::json!({})).unwrap_err();
        assert_eq!(error.code, ErrorCode::QueryTooComplex, "{}", error.detail);
    }

    #[test]
    fn the_budget_is_shared_by_the_whole_batch() {
        let variables = Variables::default();
        let query = "{ a: search(params: {q: \"x\"}) { total } b: search(params: {q: \"y\"}) { total } c: search(params: {q: \"z\"}) { total } d: search(params: {q: \"v\"}) { total } e: search(params: {q: \"w\"}) { total } }";
        let one = Operation {
            query,
            operation_name: None,
            variables: &variables,
        };
        assert!(check(&model(), std::slice::from_ref(&one)).is_ok());
        let batch: Vec<Operation<'_>> = (0..10)
            .map(|_| Operation {
                query,
                operation_name: None,
                variables: &variables,
            })
            .collect();
        let error = check(&model(), &batch).unwrap_err();
        assert_eq!(error.code, ErrorCode::QueryTooComplex);
        let eleven: Vec<Operation<'_>> = (0..11)
            .map(|_| Operation {
                query: "{ apiVersion }",
                operation_name: None,
                variables: &variables,
            })
            .collect();
        assert_eq!(
            check(&model(), &eleven).unwrap_err().code,
            ErrorCode::BatchTooLarge
        );
    }

    #[test]
    fn fragments_count_where_they_are_spread() {
        let via_fragment = price(
            "query { publications(first: 50) { ...page } } fragment page on PublicationPage { items { id title } }",
            serde_json::json!({}),
        )
        .unwrap();
        let inline = price(
            "query { publications(first: 50) { items { id title } } }",
            serde_json::json!({}),
        )
        .unwrap();
        assert_eq!(via_fragment, inline);
        // Fragments that spread each other without end are refused, not followed for ever.
        let error = price(
            "query { ...a } fragment a on QueryRoot { apiVersion ...b } fragment b on QueryRoot { apiVersion ...a }",
            serde_json::json!({}),
        )
        .unwrap_err();
        assert_eq!(error.code, ErrorCode::QueryTooComplex);
        // Spreads that double at each level cost nothing themselves but are still bounded.
        let mut query = String::from("query { ...f0 } ");
        for level in 0..30 {
            let next = level + 1;
            query.push_str(&format!(
                "fragment f{level} on QueryRoot {{ ...f{next} ...f{next} }} "
            ));
        }
        query.push_str("fragment f30 on QueryRoot { __typename }");
        let started = std::time::Instant::now();
        let error = price(&query, serde_json::json!({})).unwrap_err();
        assert_eq!(error.code, ErrorCode::QueryTooComplex);
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
}
