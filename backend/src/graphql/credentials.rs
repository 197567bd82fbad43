//! Credentials before anything else, as on REST: a mutation from an anonymous caller is
//! refused with `unauthenticated` before any resolver runs. Otherwise a resolver would look
//! its object up first and answer `not_found` for one the caller may not see and
//! `unauthenticated` for one it may, and the order of the checks would differ from REST's.

use async_graphql::parser::types::{DocumentOperations, OperationType, Selection};

use super::cost::Operation;

/// Mutations anyone may call (their REST twins need no credentials either).
const ANONYMOUS_MUTATIONS: &[&str] = &["verifyReceipt"];

/// Whether any chosen operation is a mutation that needs credentials. Documents that do not
/// parse are left to the executor, which refuses them as it always does.
pub fn needs_credentials(operations: &[Operation<'_>]) -> bool {
    operations.iter().any(|operation| {
        let Ok(document) = async_graphql::parser::parse_query(operation.query) else {
            return false;
        };
        document.operations.iter().any(|(name, definition)| {
            let chosen = match (&document.operations, operation.operation_name) {
                (DocumentOperations::Single(_), _) | (_, None) => true,
                (_, Some(wanted)) => name.is_some_and(|n| n.as_str() == wanted),
            };
            chosen
                && definition.node.ty == OperationType::Mutation
                && definition
                    .node
                    .selection_set
                    .node
                    .items
                    .iter()
                    .any(|item| match &item.node {
                        Selection::Field(field) => {
                            !ANONYMOUS_MUTATIONS.contains(&field.node.name.node.as_str())
                        }
                        // Fragments at the root are not unpicked: they need credentials.
                        _ => true,
                    })
        })
    })
}
