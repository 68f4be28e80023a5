//! The cost of one GraphQL document beyond depth and complexity: every root field
//! of an operation (each alias is one, fragments are expanded) starts its own
//! service call, so an operation may hold at most [`MAX_ROOT_FIELDS`] of them.
//! 660 aliases of one public field once ran 2,000 SQL queries; now they are
//! refused before anything runs.

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ServerError, ServerResult, Variables};
use std::collections::HashSet;
use std::sync::Arc;

/// Root fields (aliases included) one operation may select.
pub const MAX_ROOT_FIELDS: usize = 20;

pub struct RootFieldLimit;

impl ExtensionFactory for RootFieldLimit {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RootFieldLimit)
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
        Ok(doc)
    }
}
