//! The analytics rollup (`lead_activity`) and the few reads over leads and answers
//! the analytics need (docs/DECISIONS.md, "Analytics").

use crate::db::HeldWrite;
use crate::{Result, Tx, on_tx};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// One count to add to the rollup.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    pub sponsor_id: Uuid,
    pub event_id: Uuid,
    /// Truncated to the hour.
    pub hour: DateTime<Utc>,
    pub kind: &'static str,
    /// The nil id when nobody on the staff.
    pub staff_id: Uuid,
    pub device: String,
    pub n: i64,
    pub seconds: i64,
}

/// Adds the counts, in one statement.
pub async fn record(tx: &mut Tx, rows: &[Activity]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    // on a new lead held on its insert (docs/PERFORMANCE.md, "A new lead in one statement")
    let sql = format!(
        "INSERT INTO lead_activity (sponsor_id, event_id, hour, kind, staff_id, device, n, seconds) {}
         ON CONFLICT (sponsor_id, hour, kind, staff_id, device)
          DO UPDATE SET n = lead_activity.n + excluded.n, seconds = lead_activity.seconds + excluded.seconds",
        crate::sql::rows_if_new(tx.holding_if_new(), rows.len(), 8)
    );
    if let Some(c) = tx.direct().await? {
        let mut args = Vec::with_capacity(rows.len() * 8);
        for r in rows {
            args.extend([r.sponsor_id.into(), r.event_id.into(), r.hour.into(), r.kind.into(), r.staff_id.into()]);
            args.extend([(&r.device).into(), r.n.into(), r.seconds.into()]);
        }
        crate::direct::execute(c, &sql, &args)?;
        return Ok(());
    }
    if tx.backend() == crate::Backend::Postgres {
        // Sent with the capture's other trailing rows (docs/PERFORMANCE.md, "Fewer
        // round trips on PostgreSQL").
        tx.defer(&sql, HeldWrite::Rewrite("lead_activity"), |a| {
            use sqlx::Arguments;
            for r in rows {
                a.add(r.sponsor_id)?;
                a.add(r.event_id)?;
                a.add(r.hour)?;
                a.add(r.kind)?;
                a.add(r.staff_id)?;
                a.add(&r.device)?;
                a.add(r.n)?;
                a.add(r.seconds)?;
            }
            Ok(())
        })
        .await?;
        // The same counts without hour and device, for the event's report, held
        // beside them where SQLite's triggers add them (migration 0034 dropped
        // PostgreSQL's: docs/PERFORMANCE.md, "The totals held with the rollup").
        let totals = totals_of(rows);
        let sql = format!(
            "INSERT INTO lead_activity_totals (sponsor_id, event_id, kind, staff_id, n, seconds) {}
             ON CONFLICT (sponsor_id, kind, staff_id)
              DO UPDATE SET n = lead_activity_totals.n + excluded.n,
                            seconds = lead_activity_totals.seconds + excluded.seconds",
            crate::sql::rows_if_new(tx.holding_if_new(), totals.len(), 6)
        );
        tx.defer(&sql, HeldWrite::Rewrite("lead_activity_totals"), |a| {
            use sqlx::Arguments;
            for r in &totals {
                a.add(r.sponsor_id)?;
                a.add(r.event_id)?;
                a.add(r.kind)?;
                a.add(r.staff_id)?;
                a.add(r.n)?;
                a.add(r.seconds)?;
            }
            Ok(())
        })
        .await?;
        return Ok(());
    }
    on_tx!(tx, c => {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
        for r in rows {
            q = q.bind(r.sponsor_id).bind(r.event_id).bind(r.hour).bind(r.kind).bind(r.staff_id)
                .bind(r.device.clone()).bind(r.n).bind(r.seconds);
        }
        q.execute(c).await?.rows_affected()
    });
    // The same counts without hour and device, for the event's report, follow in
    // lead_activity_totals by the table's triggers on SQLite (migration 0030).
    Ok(())
}

/// `rows` summed by the totals' key (sponsor, kind, staff member), in the order
/// first seen: one statement's upsert must not reach a row twice.
fn totals_of(rows: &[Activity]) -> Vec<Activity> {
    let mut out: Vec<Activity> = Vec::with_capacity(rows.len());
    for r in rows {
        match out.iter_mut().find(|t| (t.sponsor_id, t.kind, t.staff_id) == (r.sponsor_id, r.kind, r.staff_id)) {
            Some(t) => {
                t.n += r.n;
                t.seconds += r.seconds;
            }
            None => out.push(r.clone()),
        }
    }
    out
}

/// One row of a sponsor's rollup.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ActivityRow {
    pub hour: DateTime<Utc>,
    pub kind: String,
    pub staff_id: Uuid,
    pub device: String,
    pub n: i64,
    pub seconds: i64,
}

/// Every rollup row of the sponsor.
pub async fn of_sponsor(tx: &mut Tx, sponsor: Uuid) -> Result<Vec<ActivityRow>> {
    let sql = "SELECT hour, kind, staff_id, device, n, seconds FROM lead_activity WHERE sponsor_id = $1";
    Ok(on_tx!(tx, c => sqlx::query_as::<_, ActivityRow>(sql).bind(sponsor).fetch_all(c).await?))
}

/// Per sponsor and kind of an event: the count and the summed seconds.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SponsorKind {
    pub sponsor_id: Uuid,
    pub kind: String,
    pub n: i64,
    pub seconds: i64,
}

pub async fn of_event(tx: &mut Tx, event: Uuid) -> Result<Vec<SponsorKind>> {
    let sql = "SELECT sponsor_id, kind, CAST(SUM(n) AS BIGINT) AS n, CAST(SUM(seconds) AS BIGINT) AS seconds
               FROM lead_activity_totals WHERE event_id = $1 GROUP BY sponsor_id, kind";
    Ok(on_tx!(tx, c => sqlx::query_as::<_, SponsorKind>(sql).bind(event).fetch_all(c).await?))
}

/// Per sponsor of an event: how many staff members recorded something.
pub async fn active_staff(tx: &mut Tx, event: Uuid) -> Result<Vec<(Uuid, i64)>> {
    let sql = "SELECT sponsor_id, COUNT(DISTINCT staff_id) FROM lead_activity_totals
               WHERE event_id = $1 AND staff_id <> $2 GROUP BY sponsor_id";
    Ok(on_tx!(tx, c => sqlx::query_as::<_, (Uuid, i64)>(sql).bind(event).bind(Uuid::nil()).fetch_all(c).await?))
}

/// A sponsor's answers: per question and value (JSON text), how many leads.
pub async fn answer_counts(tx: &mut Tx, sponsor: Uuid) -> Result<Vec<(Uuid, String, i64)>> {
    let sql = "SELECT question_id, CAST(value AS TEXT), COUNT(*) FROM lead_answers WHERE sponsor_id = $1
               GROUP BY question_id, CAST(value AS TEXT)";
    Ok(on_tx!(tx, c => sqlx::query_as::<_, (Uuid, String, i64)>(sql).bind(sponsor).fetch_all(c).await?))
}

/// Names of users (staff in the analytics).
pub async fn user_names(tx: &mut Tx, ids: &[Uuid]) -> Result<Vec<(Uuid, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = crate::sql::Sql::new("SELECT id, name FROM users WHERE id IN ");
    let list = q.in_list(ids);
    q.push(&list);
    let crate::sql::Sql { text, args } = q;
    Ok(
        on_tx!(tx, c => crate::bind_args!(sqlx::query_as::<_, (Uuid, String)>(sqlx::AssertSqlSafe(text.clone())), args.clone())
        .fetch_all(c).await?),
    )
}

/// New leads of the sponsor since `since` (a day's start), from the rollup.
pub async fn new_leads_since(tx: &mut Tx, sponsor: Uuid, since: DateTime<Utc>) -> Result<i64> {
    let sql = "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM lead_activity
               WHERE sponsor_id = $1 AND hour >= $2 AND kind = 'lead'";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, i64>(sql).bind(sponsor).bind(since).fetch_one(c).await?))
}

/// The sponsor's interactions per type, from the rollup (not from every interaction).
pub async fn interaction_totals(tx: &mut Tx, sponsor: Uuid) -> Result<Vec<(String, i64)>> {
    let sql = "SELECT kind, CAST(SUM(n) AS BIGINT) FROM lead_activity_totals
               WHERE sponsor_id = $1 AND kind NOT IN ('lead', 'warm', 'hot', 'followed_up')
               GROUP BY kind ORDER BY kind";
    Ok(on_tx!(tx, c => sqlx::query_as::<_, (String, i64)>(sql).bind(sponsor).fetch_all(c).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_sum_the_rows_of_one_key() {
        let (s, e, staff) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        let row = |hour: i64, kind, device: &str, n, seconds| Activity {
            sponsor_id: s,
            event_id: e,
            hour: DateTime::<Utc>::from_timestamp(hour * 3600, 0).unwrap(),
            kind,
            staff_id: staff,
            device: device.into(),
            n,
            seconds,
        };
        let totals =
            totals_of(&[row(1, "qr_scan", "A", 1, 0), row(1, "lead", "A", 1, 0), row(2, "qr_scan", "B", 2, 5)]);
        let got: Vec<_> = totals.iter().map(|t| (t.kind, t.n, t.seconds)).collect();
        assert_eq!(got, [("qr_scan", 3, 5), ("lead", 1, 0)]);
    }
}
