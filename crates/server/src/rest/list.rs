//! The list envelope every collection answers with (docs/ARCHITECTURE.md, "Choices worth knowing": pagination).

use serde::Serialize;
use sponsorhub_services::pagination::Page;
use utoipa::ToSchema;

/// A page of items; `next_cursor` is `null` on the last page.
#[derive(Serialize, ToSchema)]
pub struct Items<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page.
    pub next_cursor: Option<String>,
}

impl<T> From<Page<T>> for Items<T> {
    fn from(p: Page<T>) -> Self {
        Items { items: p.items, next_cursor: p.next_cursor }
    }
}

impl<T> From<Vec<T>> for Items<T> {
    /// A whole collection in one page.
    fn from(items: Vec<T>) -> Self {
        Items { items, next_cursor: None }
    }
}
