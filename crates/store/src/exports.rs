//! What lead exports read beside the leads, and the record of each export.

use crate::records::{Answer, LeadExport};
use crate::sql::Sql;
use crate::{Result, Tx, bind_args, on_tx};
use uuid::Uuid;

/// Per lead and interaction type: how many, and the points they were worth.
pub async fn points_by_type(tx: &mut Tx, leads: &[Uuid]) -> Result<Vec<(Uuid, String, i64, i64)>> {
    if leads.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new(
        "SELECT lead_id, interaction_type, COUNT(*), COALESCE(SUM(points), 0) FROM sponsor_lead_interactions
         WHERE lead_id IN ",
    );
    let list = q.in_list(leads);
    q.push(&list).push(" GROUP BY lead_id, interaction_type");
    let Sql { text, args } = q;
    Ok(
        on_tx!(tx, c => bind_args!(sqlx::query_as::<_, (Uuid, String, i64, i64)>(sqlx::AssertSqlSafe(text.clone())), args.clone())
        .fetch_all(c).await?),
    )
}

/// The answers on these leads.
pub async fn answers_of(tx: &mut Tx, leads: &[Uuid]) -> Result<Vec<Answer>> {
    if leads.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new(
        "SELECT lead_id, question_id, sponsor_id, value, points, answered_by_user_id, answered_at FROM lead_answers
         WHERE lead_id IN ",
    );
    let list = q.in_list(leads);
    q.push(&list);
    let Sql { text, args } = q;
    Ok(on_tx!(tx, c => bind_args!(sqlx::query_as::<_, Answer>(sqlx::AssertSqlSafe(text.clone())), args.clone())
        .fetch_all(c).await?))
}

/// The names of these users.
pub async fn user_names(tx: &mut Tx, users: &[Uuid]) -> Result<Vec<(Uuid, String)>> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new("SELECT id, name FROM users WHERE id IN ");
    let list = q.in_list(users);
    q.push(&list);
    let Sql { text, args } = q;
    Ok(on_tx!(tx, c => bind_args!(sqlx::query_as::<_, (Uuid, String)>(sqlx::AssertSqlSafe(text.clone())), args.clone())
        .fetch_all(c).await?))
}

pub async fn record(tx: &mut Tx, e: &LeadExport) -> Result<()> {
    let sql = "INSERT INTO lead_exports (id, event_id, sponsor_id, user_id, format, filters, row_count, completed, created_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
    on_tx!(tx, c => sqlx::query(sql)
        .bind(e.id).bind(e.event_id).bind(e.sponsor_id).bind(e.user_id).bind(&e.format).bind(&e.filters)
        .bind(e.row_count).bind(e.completed).bind(e.created_at)
        .execute(c).await?.rows_affected());
    Ok(())
}

/// The sponsor's exports (or, with `None`, the event's own), newest first.
pub async fn list(tx: &mut Tx, event: Uuid, sponsor: Option<Uuid>, limit: i64) -> Result<Vec<LeadExport>> {
    let cols = "x.id, x.event_id, x.sponsor_id, x.user_id, u.name AS user_name, x.format, x.filters, x.row_count, \
                x.completed, x.created_at";
    let sql = match sponsor {
        Some(_) => format!(
            "SELECT {cols} FROM lead_exports x LEFT JOIN users u ON u.id = x.user_id
             WHERE x.sponsor_id = $1 ORDER BY x.created_at DESC, x.id DESC LIMIT $2"
        ),
        None => format!(
            "SELECT {cols} FROM lead_exports x LEFT JOIN users u ON u.id = x.user_id
             WHERE x.event_id = $1 AND x.sponsor_id IS NULL ORDER BY x.created_at DESC, x.id DESC LIMIT $2"
        ),
    };
    let key = sponsor.unwrap_or(event);
    Ok(on_tx!(tx, c => sqlx::query_as::<_, LeadExport>(sqlx::AssertSqlSafe(sql.clone())).bind(key).bind(limit)
        .fetch_all(c).await?))
}
