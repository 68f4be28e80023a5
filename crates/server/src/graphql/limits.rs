//! The cost of one GraphQL document beyond complexity: every root field
//! of an operation (each alias is one, fragments are expanded) starts its own
//! service call, so an operation may hold at most [`MAX_ROOT_FIELDS`] of them.
//! 660 aliases of one public field once ran 2,000 SQL queries; now they are
//! refused before anything runs.
//!
//! Depth is measured here too, after validation: a document whose every operation
//! is a query selecting only `__schema`, `__type` and `__typename` (introspection,
//! answered from memory, no service call) may nest to [`INTROSPECTION_MAX_DEPTH`];
//! any other to [`MAX_DEPTH`]. GraphiQL's introspection query (graphql-js 16.9:
//! nine levels of `ofType` under `fields { args { type } }`) is 15 deep.

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation};
use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};
use async_graphql::{ServerError, ServerResult, ValidationResult, Variables};
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Root fields (aliases included) one operation may select.
pub const MAX_ROOT_FIELDS: usize = 20;
/// Deepest nesting of an operation that reads the service.
pub const MAX_DEPTH: usize = 16;
/// Deepest nesting of an introspection-only document.
pub const INTROSPECTION_MAX_DEPTH: usize = 24;

/// One per request (`create` is called for each), so the flag is that request's.
#[derive(Default)]
pub struct RootFieldLimit {
    introspection_only: AtomicBool,
}

impl ExtensionFactory for RootFieldLimit {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RootFieldLimit::default())
    }
}

/// Fields selected at the top of `set`, fragments expanded (each fragment once).
fn count(doc: &ExecutableDocument, set: &SelectionSet, seen: &mut HashSet<String>) -> usize {
    set.items
        .iter()
        .map(|s| match &s.node {
            Selection::Field(_) => 1,
            Selection::InlineFragment(f) => count(doc, &f.node.selection_set.node, seen),
            Selection::FragmentSpread(f) => {
                let name = f.node.fragment_name.node.to_string();
                if !seen.insert(name.clone()) {
                    return 0;
                }
                doc.fragments
                    .get(f.node.fragment_name.node.as_str())
                    .map(|d| count(doc, &d.node.selection_set.node, seen))
                    .unwrap_or(0)
            }
        })
        .sum()
}

/// Whether every field selected at the top of `set` (fragments expanded) is an
/// introspection field.
fn introspection_only(doc: &ExecutableDocument, set: &SelectionSet, seen: &mut HashSet<String>) -> bool {
    set.items.iter().all(|s| match &s.node {
        Selection::Field(f) => matches!(f.node.name.node.as_str(), "__schema" | "__type" | "__typename"),
        Selection::InlineFragment(f) => introspection_only(doc, &f.node.selection_set.node, seen),
        Selection::FragmentSpread(f) => {
            let name = f.node.fragment_name.node.as_str();
            !seen.insert(name.to_string())
                || doc.fragments.get(name).is_none_or(|d| introspection_only(doc, &d.node.selection_set.node, seen))
        }
    })
}

#[async_trait::async_trait]
impl Extension for RootFieldLimit {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        for (_, op) in doc.operations.iter() {
            let n = count(&doc, &op.node.selection_set.node, &mut HashSet::new());
            if n > MAX_ROOT_FIELDS {
                return Err(ServerError::new(
                    format!(
                        "an operation may select at most {MAX_ROOT_FIELDS} root fields (aliases count); this one selects {n}"
                    ),
                    None,
                ));
            }
        }
        // The validator measures every operation of the document, so all must be introspection.
        let only = doc.operations.iter().all(|(_, op)| {
            op.node.ty == OperationType::Query
                && introspection_only(&doc, &op.node.selection_set.node, &mut HashSet::new())
        });
        self.introspection_only.store(only, Ordering::Relaxed);
        Ok(doc)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        let limit = if self.introspection_only.load(Ordering::Relaxed) { INTROSPECTION_MAX_DEPTH } else { MAX_DEPTH };
        if result.depth > limit {
            return Err(vec![ServerError::new("Query is nested too deep.", None)]);
        }
        Ok(result)
    }
}
