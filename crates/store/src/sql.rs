//! A small builder for queries whose WHERE clause depends on the filters in use:
//! placeholders are numbered as arguments are added, so only the predicates in use
//! reach the database (each shape gets its own plan) and numbering stays dense, as
//! PostgreSQL requires.

use chrono::{DateTime, Utc};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub enum Arg {
    Uuid(Uuid),
    Text(String),
    Bool(bool),
    I32(i32),
    I64(i64),
    Time(DateTime<Utc>),
}

#[derive(Debug, Default)]
pub struct Sql {
    pub text: String,
    pub args: Vec<Arg>,
}

impl Sql {
    pub fn new(text: impl Into<String>) -> Sql {
        Sql { text: text.into(), args: Vec::new() }
    }

    pub fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }

    /// Adds an argument and returns its placeholder (`$n`).
    pub fn arg(&mut self, a: Arg) -> String {
        self.args.push(a);
        format!("${}", self.args.len())
    }

    /// `text` followed by the IN list of `ids`: `... IN ($1, $2, ...)`.
    pub fn ending_in(text: impl Into<String>, ids: &[Uuid]) -> Sql {
        let mut q = Sql::new(text);
        let list = q.in_list(ids);
        q.push(&list);
        q
    }

    /// `(p1, p2, ...)` for an IN list.
    pub fn in_list(&mut self, ids: &[Uuid]) -> String {
        let ps: Vec<String> = ids.iter().map(|id| self.arg(Arg::Uuid(*id))).collect();
        format!("({})", ps.join(", "))
    }
}

/// The rows of an `INSERT ... VALUES` held on a new lead, or not
/// ([`crate::Tx::hold_if_new`]): `VALUES (...)` as [`values_rows`], or, on a
/// new lead, the same rows selected beside the statement's one-row (or empty)
/// part `new_lead`, so that there are none when the lead was there already.
pub(crate) fn rows_if_new(if_new: bool, rows: usize, cols: usize) -> String {
    match (if_new, rows) {
        (false, _) => format!("VALUES {}", values_rows(rows, cols)),
        (true, 1) => format!("SELECT {} FROM new_lead", values_rows(1, cols).trim_matches(['(', ')'])),
        (true, _) => format!("SELECT v.* FROM (VALUES {}) AS v, new_lead", values_rows(rows, cols)),
    }
}

/// `($1, $2, ...), ($n+1, ...)`: the placeholders of a multi-row `VALUES` list
/// of `rows` rows of `cols` columns, numbered in order.
pub fn values_rows(rows: usize, cols: usize) -> String {
    (0..rows)
        .map(|r| {
            let ps: Vec<String> = (1..=cols).map(|c| format!("${}", r * cols + c)).collect();
            format!("({})", ps.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Binds every argument of `$sql` to `$query` in order (works for both backends,
/// inside `on_tx!`).
#[macro_export]
macro_rules! bind_args {
    ($query:expr, $args:expr) => {{
        let mut q = $query;
        for a in $args {
            q = match a {
                $crate::sql::Arg::Uuid(v) => q.bind(v),
                $crate::sql::Arg::Text(v) => q.bind(v),
                $crate::sql::Arg::Bool(v) => q.bind(v),
                $crate::sql::Arg::I32(v) => q.bind(v),
                $crate::sql::Arg::I64(v) => q.bind(v),
                $crate::sql::Arg::Time(v) => q.bind(v),
            };
        }
        q
    }};
}

/// `%text%` with LIKE's wildcards escaped (use with `ESCAPE '\'`).
pub fn like_pattern(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 2);
    p.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbering_and_escaping() {
        let mut s = Sql::new("SELECT 1 WHERE a = ");
        let p = s.arg(Arg::Bool(true));
        s.push(&p).push(" AND b IN ");
        let l = s.in_list(&[Uuid::nil(), Uuid::max()]);
        s.push(&l);
        assert_eq!(s.text, "SELECT 1 WHERE a = $1 AND b IN ($2, $3)");
        assert_eq!(like_pattern("50%_a\\"), "%50\\%\\_a\\\\%");
        assert_eq!(values_rows(2, 3), "($1, $2, $3), ($4, $5, $6)");
    }
}
