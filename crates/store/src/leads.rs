//! Leads and their interactions.

use crate::db::HeldWrite;
use crate::direct::{self, P, opt};
use crate::records::{Interaction, Lead};
use crate::sql::{Arg, Sql, like_pattern};
use crate::{Backend, Result, Tx, bind_args, on_tx};
use chrono::{DateTime, Utc};
use sponsorhub_domain::{FollowUpStatus, IntentLevel};
use uuid::Uuid;

const COLUMNS: &str = "id, sponsor_id, event_id, user_id, user_name, user_email, user_company, user_title, \
    user_phone, user_country, user_fields, attendee_id, \
    intent_score, intent_level, interaction_count, first_interaction_at, last_interaction_at, follow_up_status, \
    follow_up_notes, contact_notes, tags, is_starred, is_archived, followed_up_at, followed_up_by_user_id, \
    consent_basis, consent_at, consent_by_user_id, consent_text_version, owner_user_id, due_on, created_at, updated_at, \
    points_by_type";

/// A row of [`COLUMNS`], read in place on SQLite's writer ([`crate::direct`]).
fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<Lead> {
    use direct::{json, opt_date, opt_string, opt_time, opt_uuid, parsed, time, uuid};
    Ok(Lead {
        id: uuid(r, 0)?,
        sponsor_id: uuid(r, 1)?,
        event_id: uuid(r, 2)?,
        user_id: uuid(r, 3)?,
        user_name: opt_string(r, 4)?,
        user_email: opt_string(r, 5)?,
        user_company: opt_string(r, 6)?,
        user_title: opt_string(r, 7)?,
        user_phone: opt_string(r, 8)?,
        user_country: opt_string(r, 9)?,
        user_fields: json(r, 10)?,
        attendee_id: opt_uuid(r, 11)?,
        intent_score: r.get(12)?,
        intent_level: parsed(r, 13)?,
        interaction_count: r.get(14)?,
        first_interaction_at: time(r, 15)?,
        last_interaction_at: time(r, 16)?,
        follow_up_status: parsed(r, 17)?,
        follow_up_notes: opt_string(r, 18)?,
        contact_notes: opt_string(r, 19)?,
        tags: json(r, 20)?,
        is_starred: r.get(21)?,
        is_archived: r.get(22)?,
        followed_up_at: opt_time(r, 23)?,
        followed_up_by_user_id: opt_uuid(r, 24)?,
        consent_basis: opt_string(r, 25)?,
        consent_at: opt_time(r, 26)?,
        consent_by_user_id: opt_uuid(r, 27)?,
        consent_text_version: r.get(28)?,
        owner_user_id: opt_uuid(r, 29)?,
        due_on: opt_date(r, 30)?,
        created_at: time(r, 31)?,
        updated_at: time(r, 32)?,
        points_by_type: json(r, 33)?,
    })
}

fn text(v: &Option<String>) -> P<'_> {
    opt(v.as_deref())
}

/// Inserts the lead unless the sponsor has one for this attendee; `true` when
/// inserted. Only then does `then` write what follows a new lead: on SQLite
/// after the insert; on PostgreSQL before it, each write held on the insert's
/// new row and sent in its statement ([`Tx::hold_if_new`]), so `then` may only
/// hold writes, never read. With `alone`, a transaction begun lazily sends
/// that statement with no `BEGIN` ([`Tx::insert_deciding`]): the caller then
/// writes nothing more after a new lead (docs/PERFORMANCE.md, "A new lead in
/// one statement").
pub async fn insert_if_absent<E: From<crate::StoreError>>(
    tx: &mut Tx,
    l: &Lead,
    alone: bool,
    then: impl AsyncFnOnce(&mut Tx) -> std::result::Result<(), E>,
) -> std::result::Result<bool, E> {
    let sql = "INSERT INTO sponsor_leads (id, sponsor_id, event_id, user_id, user_name, user_email, user_company,
            user_title, intent_score, intent_level, interaction_count, first_interaction_at, last_interaction_at,
            follow_up_status, follow_up_notes, contact_notes, tags, is_starred, is_archived, followed_up_at,
            followed_up_by_user_id, created_at, updated_at, user_phone, user_country, user_fields, attendee_id, consent_basis, consent_at,
            consent_by_user_id, consent_text_version, owner_user_id, due_on, points_by_type)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23,
                $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34)
        ON CONFLICT (sponsor_id, user_id) DO NOTHING";
    // the connection not held across the awaits below (it is not `Sync`)
    let inserted = if let Some(c) = tx.direct().await? {
        let args = [
            l.id.into(),
            l.sponsor_id.into(),
            l.event_id.into(),
            l.user_id.into(),
            text(&l.user_name),
            text(&l.user_email),
            text(&l.user_company),
            text(&l.user_title),
            l.intent_score.into(),
            l.intent_level.as_str().into(),
            l.interaction_count.into(),
            l.first_interaction_at.into(),
            l.last_interaction_at.into(),
            l.follow_up_status.as_str().into(),
            text(&l.follow_up_notes),
            text(&l.contact_notes),
            (&l.tags).into(),
            l.is_starred.into(),
            l.is_archived.into(),
            opt(l.followed_up_at),
            opt(l.followed_up_by_user_id),
            l.created_at.into(),
            l.updated_at.into(),
            text(&l.user_phone),
            text(&l.user_country),
            (&l.user_fields).into(),
            opt(l.attendee_id),
            text(&l.consent_basis),
            opt(l.consent_at),
            opt(l.consent_by_user_id),
            opt(l.consent_text_version),
            opt(l.owner_user_id),
            opt(l.due_on),
            (&l.points_by_type).into(),
        ];
        Some(direct::execute(c, sql, &args)? == 1)
    } else {
        None
    };
    if let Some(inserted) = inserted {
        if inserted {
            after_new(tx, l, then).await?;
        }
        return Ok(inserted);
    }
    // What follows a new lead, held on its insert: one statement with the rows
    // held before it (the attendee's account row) and the lead.
    tx.hold_if_new(true);
    let held = after_new(tx, l, then).await;
    tx.hold_if_new(false);
    held?;
    Ok(tx
        .insert_deciding(sql, &["sponsor_leads"], alone, |a| {
            use sqlx::Arguments;
            a.add(l.id)?;
            a.add(l.sponsor_id)?;
            a.add(l.event_id)?;
            a.add(l.user_id)?;
            a.add(&l.user_name)?;
            a.add(&l.user_email)?;
            a.add(&l.user_company)?;
            a.add(&l.user_title)?;
            a.add(l.intent_score)?;
            a.add(l.intent_level.as_str())?;
            a.add(l.interaction_count)?;
            a.add(l.first_interaction_at)?;
            a.add(l.last_interaction_at)?;
            a.add(l.follow_up_status.as_str())?;
            a.add(&l.follow_up_notes)?;
            a.add(&l.contact_notes)?;
            a.add(&l.tags)?;
            a.add(l.is_starred)?;
            a.add(l.is_archived)?;
            a.add(l.followed_up_at)?;
            a.add(l.followed_up_by_user_id)?;
            a.add(l.created_at)?;
            a.add(l.updated_at)?;
            a.add(&l.user_phone)?;
            a.add(&l.user_country)?;
            a.add(&l.user_fields)?;
            a.add(l.attendee_id)?;
            a.add(&l.consent_basis)?;
            a.add(l.consent_at)?;
            a.add(l.consent_by_user_id)?;
            a.add(l.consent_text_version)?;
            a.add(l.owner_user_id)?;
            a.add(l.due_on)?;
            a.add(&l.points_by_type)
        })
        .await?)
}

/// What a new lead's insert brings along: its count, then `then`.
async fn after_new<E: From<crate::StoreError>>(
    tx: &mut Tx,
    l: &Lead,
    then: impl AsyncFnOnce(&mut Tx) -> std::result::Result<(), E>,
) -> std::result::Result<(), E> {
    let c = Counted::of(l);
    count(tx, l.sponsor_id, shard_of(l), &[(c, 1, i64::from(c.score))]).await?;
    then(tx).await
}

/// What the per-sponsor counters (`lead_counts`) count of a lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted {
    pub level: IntentLevel,
    pub status: FollowUpStatus,
    pub starred: bool,
    pub archived: bool,
    pub owned: bool,
    pub score: i32,
}

impl Counted {
    pub fn of(l: &Lead) -> Counted {
        Counted {
            level: l.intent_level,
            status: l.follow_up_status,
            starred: l.is_starred,
            archived: l.is_archived,
            owned: l.owner_user_id.is_some(),
            score: l.intent_score,
        }
    }

    fn key(&self) -> (IntentLevel, FollowUpStatus, bool, bool, bool) {
        (self.level, self.status, self.starred, self.archived, self.owned)
    }
}

/// The counter shard of a lead: fixed by its id, so its moves net out in one shard.
fn shard_of(l: &Lead) -> i16 {
    i16::from(l.id.as_bytes()[15] % 8)
}

/// Adds `n` leads and `score` points under each combination (of a `Counted`; its
/// own score is not read), in one statement; combinations must differ.
async fn count(tx: &mut Tx, sponsor: Uuid, shard: i16, rows: &[(Counted, i64, i64)]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    // on a new lead held on its insert (docs/PERFORMANCE.md, "A new lead in one statement")
    let sql = format!(
        "INSERT INTO lead_counts (sponsor_id, shard, intent_level, follow_up_status, is_starred, is_archived, owned, n,
            score_sum) {}
         ON CONFLICT (sponsor_id, shard, intent_level, follow_up_status, is_starred, is_archived, owned)
          DO UPDATE SET n = lead_counts.n + excluded.n, score_sum = lead_counts.score_sum + excluded.score_sum",
        crate::sql::rows_if_new(tx.holding_if_new(), rows.len(), 9)
    );
    if let Some(c) = tx.direct().await? {
        let mut args = Vec::with_capacity(rows.len() * 9);
        for (k, n, score) in rows {
            args.extend([sponsor.into(), shard.into(), k.level.as_str().into(), k.status.as_str().into()]);
            args.extend([k.starred.into(), k.archived.into(), k.owned.into(), (*n).into(), (*score).into()]);
        }
        direct::execute(c, &sql, &args)?;
        return Ok(());
    }
    if tx.backend() == Backend::Postgres {
        // Sent with the capture's other trailing rows (docs/PERFORMANCE.md, "Fewer
        // round trips on PostgreSQL").
        return tx
            .defer(&sql, HeldWrite::Rewrite("lead_counts"), |a| {
                use sqlx::Arguments;
                for (k, n, score) in rows {
                    a.add(sponsor)?;
                    a.add(shard)?;
                    a.add(k.level.as_str())?;
                    a.add(k.status.as_str())?;
                    a.add(k.starred)?;
                    a.add(k.archived)?;
                    a.add(k.owned)?;
                    a.add(*n)?;
                    a.add(*score)?;
                }
                Ok(())
            })
            .await;
    }
    on_tx!(tx, c => {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
        for (k, n, score) in rows {
            q = q.bind(sponsor).bind(shard).bind(k.level.as_str()).bind(k.status.as_str()).bind(k.starred)
                .bind(k.archived).bind(k.owned).bind(*n).bind(*score);
        }
        q.execute(c).await?.rows_affected()
    });
    Ok(())
}

/// One combination of the sponsor's counters, summed over the shards.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct CountRow {
    pub intent_level: String,
    pub follow_up_status: String,
    pub is_starred: bool,
    pub is_archived: bool,
    pub owned: bool,
    pub n: i64,
    pub score_sum: i64,
}

/// The sponsor's counters (a few dozen rows, whatever the number of leads).
pub async fn counts(tx: &mut Tx, sponsor: Uuid) -> Result<Vec<CountRow>> {
    let sql = "SELECT intent_level, follow_up_status, is_starred, is_archived, owned,
            CAST(SUM(n) AS BIGINT) AS n, CAST(SUM(score_sum) AS BIGINT) AS score_sum
        FROM lead_counts WHERE sponsor_id = $1
        GROUP BY intent_level, follow_up_status, is_starred, is_archived, owned";
    Ok(on_tx!(tx, c => sqlx::query_as::<_, CountRow>(sql).bind(sponsor).fetch_all(c).await?))
}

/// How many of the sponsor's leads match `f`, counting at most `cap` (a list's
/// count when the counters cannot answer: a search, a minimum score).
pub async fn count_capped(tx: &mut Tx, sponsor: Uuid, f: &LeadFilter, cap: i64) -> Result<i64> {
    let Sql { text, args } = filtered("1", sponsor, f);
    let text = format!("SELECT COUNT(*) FROM ({text} LIMIT {cap}) capped");
    Ok(on_tx!(tx, c => bind_args!(sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(text.clone())), args.clone())
        .fetch_one(c).await?))
}

/// The sponsor's open, unarchived leads due on `today` and before it.
pub async fn due_counts(tx: &mut Tx, sponsor: Uuid, today: chrono::NaiveDate) -> Result<(i64, i64)> {
    let sql = "SELECT COALESCE(SUM(CASE WHEN due_on = $2 THEN 1 ELSE 0 END), 0),
            COALESCE(SUM(CASE WHEN due_on < $2 THEN 1 ELSE 0 END), 0)
        FROM sponsor_leads
        WHERE sponsor_id = $1 AND due_on IS NOT NULL AND due_on <= $2 AND is_archived = FALSE
          AND follow_up_status IN ('new', 'contacted', 'qualified')";
    Ok(on_tx!(tx, c => sqlx::query_as::<_, (i64, i64)>(sql).bind(sponsor).bind(today).fetch_one(c).await?))
}

/// The sponsor's lead for this attendee, locked until the transaction ends, so
/// concurrent captures of one attendee apply one after the other. (SQLite writes
/// through a single connection, which serializes them already.)
/// The attendee of the sponsor's lead whose contact e-mail is `email`, if any.
pub async fn attendee_by_email(tx: &mut Tx, sponsor: Uuid, email: &str) -> Result<Option<Uuid>> {
    let sql = "SELECT user_id FROM sponsor_leads WHERE sponsor_id = $1 AND user_email = $2 ORDER BY id LIMIT 1";
    if let Some(c) = tx.direct().await? {
        return direct::query_opt(c, sql, &[sponsor.into(), email.into()], |r| direct::uuid(r, 0));
    }
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, Uuid>(sql).bind(sponsor).bind(email).fetch_optional(c).await?))
}

/// The attendee id of the sponsor's lead taken from this event attendee's badge.
pub async fn user_of_attendee(tx: &mut Tx, sponsor: Uuid, attendee: Uuid) -> Result<Option<Uuid>> {
    let sql = "SELECT user_id FROM sponsor_leads WHERE attendee_id = $1 AND sponsor_id = $2 LIMIT 1";
    if let Some(c) = tx.direct().await? {
        return direct::query_opt(c, sql, &[attendee.into(), sponsor.into()], |r| direct::uuid(r, 0));
    }
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, Uuid>(sql).bind(attendee).bind(sponsor).fetch_optional(c).await?))
}

/// The consent basis of the sponsor's lead on this person: `None` without a
/// lead, `Some(None)` for a lead recorded before consent was kept.
pub async fn consent_basis_of(tx: &mut Tx, sponsor: Uuid, user: Uuid) -> Result<Option<Option<String>>> {
    let sql = "SELECT consent_basis FROM sponsor_leads WHERE sponsor_id = $1 AND user_id = $2";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, Option<String>>(sql).bind(sponsor).bind(user).fetch_optional(c).await?))
}

pub async fn find_for_update(tx: &mut Tx, sponsor: Uuid, user: Uuid) -> Result<Option<Lead>> {
    let lock = if tx.backend() == Backend::Postgres { " FOR UPDATE" } else { "" };
    let sql = format!("SELECT {COLUMNS} FROM sponsor_leads WHERE sponsor_id = $1 AND user_id = $2{lock}");
    if let Some(c) = tx.direct().await? {
        return direct::query_opt(c, &sql, &[sponsor.into(), user.into()], read);
    }
    Ok(
        on_tx!(tx, c => sqlx::query_as::<_, Lead>(sqlx::AssertSqlSafe(sql.clone())).bind(sponsor).bind(user).fetch_optional(c).await?),
    )
}

/// Deletes the lead (its interactions, answers, notes and pending notifications
/// go with it: ON DELETE CASCADE) and takes it out of the sponsor's counters
/// (docs/DECISIONS.md, "Withdrawal and erasure"). The analytics rollups stay.
pub async fn delete(tx: &mut Tx, l: &Lead) -> Result<bool> {
    let sql = "DELETE FROM sponsor_leads WHERE id = $1";
    let n = on_tx!(tx, c => sqlx::query(sql).bind(l.id).execute(c).await?.rows_affected());
    if n == 1 {
        let c = Counted::of(l);
        count(tx, l.sponsor_id, shard_of(l), &[(c, -1, -i64::from(c.score))]).await?;
    }
    Ok(n == 1)
}

/// The lead, if it is the sponsor's.
pub async fn get(tx: &mut Tx, sponsor: Uuid, id: Uuid) -> Result<Option<Lead>> {
    let sql = format!("SELECT {COLUMNS} FROM sponsor_leads WHERE sponsor_id = $1 AND id = $2");
    Ok(
        on_tx!(tx, c => sqlx::query_as::<_, Lead>(sqlx::AssertSqlSafe(sql.clone())).bind(sponsor).bind(id).fetch_optional(c).await?),
    )
}

/// The lead by id alone (the caller's access is decided by the service).
pub async fn get_any(tx: &mut Tx, id: Uuid) -> Result<Option<Lead>> {
    let sql = format!("SELECT {COLUMNS} FROM sponsor_leads WHERE id = $1");
    Ok(on_tx!(tx, c => sqlx::query_as::<_, Lead>(sqlx::AssertSqlSafe(sql.clone())).bind(id).fetch_optional(c).await?))
}

/// The lead by id, locked until the transaction ends on PostgreSQL: for a
/// use case that writes the whole row back (`update`), so that a concurrent
/// change (a capture's counts) is read, not overwritten. SQLite's one writer
/// runs write transactions one at a time already.
pub async fn get_any_for_update(tx: &mut Tx, id: Uuid) -> Result<Option<Lead>> {
    let lock = if tx.backend() == Backend::Postgres { " FOR UPDATE" } else { "" };
    let sql = format!("SELECT {COLUMNS} FROM sponsor_leads WHERE id = $1{lock}");
    Ok(on_tx!(tx, c => sqlx::query_as::<_, Lead>(sqlx::AssertSqlSafe(sql.clone())).bind(id).fetch_optional(c).await?))
}

/// Writes every mutable column of the lead back, and moves it in the sponsor's
/// counters from what it was (`before`, taken when it was read) to what it is.
pub async fn update(tx: &mut Tx, before: Counted, l: &Lead) -> Result<()> {
    let sql = "UPDATE sponsor_leads SET user_name = $2, user_email = $3, user_company = $4, user_title = $5,
            intent_score = $6, intent_level = $7, interaction_count = $8, last_interaction_at = $9,
            follow_up_status = $10, follow_up_notes = $11, contact_notes = $12, tags = $13, is_starred = $14,
            is_archived = $15, followed_up_at = $16, followed_up_by_user_id = $17, updated_at = $18,
            user_phone = $19, user_country = $20, user_fields = $21, attendee_id = $22, first_interaction_at = $23,
            consent_basis = $24, consent_at = $25, consent_by_user_id = $26, consent_text_version = $27,
            owner_user_id = $28, due_on = $29, points_by_type = $30
        WHERE id = $1";
    if let Some(c) = tx.direct().await? {
        let args = [
            l.id.into(),
            text(&l.user_name),
            text(&l.user_email),
            text(&l.user_company),
            text(&l.user_title),
            l.intent_score.into(),
            l.intent_level.as_str().into(),
            l.interaction_count.into(),
            l.last_interaction_at.into(),
            l.follow_up_status.as_str().into(),
            text(&l.follow_up_notes),
            text(&l.contact_notes),
            (&l.tags).into(),
            l.is_starred.into(),
            l.is_archived.into(),
            opt(l.followed_up_at),
            opt(l.followed_up_by_user_id),
            l.updated_at.into(),
            text(&l.user_phone),
            text(&l.user_country),
            (&l.user_fields).into(),
            opt(l.attendee_id),
            l.first_interaction_at.into(),
            text(&l.consent_basis),
            opt(l.consent_at),
            opt(l.consent_by_user_id),
            opt(l.consent_text_version),
            opt(l.owner_user_id),
            opt(l.due_on),
            (&l.points_by_type).into(),
        ];
        direct::execute(c, sql, &args)?;
    } else {
        // Held, with the capture's other trailing rows: the lead is locked
        // already (`find_for_update`), and nothing reads it back before the next
        // statement, which sends it first (docs/PERFORMANCE.md, "The account
        // row with the lead").
        tx.defer(sql, HeldWrite::Rewrite("sponsor_leads"), |a| {
            use sqlx::Arguments;
            a.add(l.id)?;
            a.add(&l.user_name)?;
            a.add(&l.user_email)?;
            a.add(&l.user_company)?;
            a.add(&l.user_title)?;
            a.add(l.intent_score)?;
            a.add(l.intent_level.as_str())?;
            a.add(l.interaction_count)?;
            a.add(l.last_interaction_at)?;
            a.add(l.follow_up_status.as_str())?;
            a.add(&l.follow_up_notes)?;
            a.add(&l.contact_notes)?;
            a.add(&l.tags)?;
            a.add(l.is_starred)?;
            a.add(l.is_archived)?;
            a.add(l.followed_up_at)?;
            a.add(l.followed_up_by_user_id)?;
            a.add(l.updated_at)?;
            a.add(&l.user_phone)?;
            a.add(&l.user_country)?;
            a.add(&l.user_fields)?;
            a.add(l.attendee_id)?;
            a.add(l.first_interaction_at)?;
            a.add(&l.consent_basis)?;
            a.add(l.consent_at)?;
            a.add(l.consent_by_user_id)?;
            a.add(l.consent_text_version)?;
            a.add(l.owner_user_id)?;
            a.add(l.due_on)?;
            a.add(&l.points_by_type)
        })
        .await?;
    }
    let after = Counted::of(l);
    let (was, is) = (i64::from(before.score), i64::from(after.score));
    if before.key() != after.key() {
        count(tx, l.sponsor_id, shard_of(l), &[(before, -1, -was), (after, 1, is)]).await?;
    } else if was != is {
        // the same combination: only the score moves
        count(tx, l.sponsor_id, shard_of(l), &[(after, 0, is - was)]).await?;
    }
    Ok(())
}

pub async fn insert_interaction(tx: &mut Tx, i: &Interaction) -> Result<()> {
    let sql = format!(
        "INSERT INTO sponsor_lead_interactions (id, lead_id, sponsor_id, interaction_type, points,
            captured_by_user_id, metadata, occurred_at, source, device, counted_points) {}",
        crate::sql::rows_if_new(tx.holding_if_new(), 1, 11)
    );
    if let Some(c) = tx.direct().await? {
        let args = [
            i.id.into(),
            i.lead_id.into(),
            i.sponsor_id.into(),
            i.interaction_type.as_str().into(),
            i.points.into(),
            opt(i.captured_by_user_id),
            (&i.metadata).into(),
            i.occurred_at.into(),
            i.source.as_str().into(),
            text(&i.device),
            i.counted_points.into(),
        ];
        direct::execute(c, &sql, &args)?;
        return Ok(());
    }
    // Sent with the capture's other trailing rows (docs/PERFORMANCE.md, "Fewer
    // round trips on PostgreSQL").
    tx.defer(&sql, HeldWrite::Insert("sponsor_lead_interactions"), |a| {
        use sqlx::Arguments;
        a.add(i.id)?;
        a.add(i.lead_id)?;
        a.add(i.sponsor_id)?;
        a.add(i.interaction_type.as_str())?;
        a.add(i.points)?;
        a.add(i.captured_by_user_id)?;
        a.add(&i.metadata)?;
        a.add(i.occurred_at)?;
        a.add(i.source.as_str())?;
        a.add(&i.device)?;
        a.add(i.counted_points)
    })
    .await
}

/// The leads with these ids (the caller's access is decided by the service).
pub async fn get_many(tx: &mut Tx, ids: &[Uuid]) -> Result<Vec<Lead>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new(format!("SELECT {COLUMNS} FROM sponsor_leads WHERE id IN "));
    let list = q.in_list(ids);
    q.push(&list);
    let Sql { text, args } = q;
    Ok(
        on_tx!(tx, c => bind_args!(sqlx::query_as::<_, Lead>(sqlx::AssertSqlSafe(text.clone())), args.clone()).fetch_all(c).await?),
    )
}

/// The interactions of these leads, each lead's newest first: one query for a page.
pub async fn interactions_of(tx: &mut Tx, leads: &[Uuid]) -> Result<Vec<Interaction>> {
    if leads.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new(
        "SELECT i.id, i.lead_id, i.sponsor_id, i.interaction_type, i.points, i.captured_by_user_id, i.metadata,
                i.occurred_at, i.source, i.device, i.counted_points, u.name AS captured_by_name
         FROM sponsor_lead_interactions i LEFT JOIN users u ON u.id = i.captured_by_user_id WHERE i.lead_id IN ",
    );
    let list = q.in_list(leads);
    q.push(&list).push(" ORDER BY i.lead_id, i.occurred_at DESC, i.id DESC");
    let Sql { text, args } = q;
    Ok(
        on_tx!(tx, c => bind_args!(sqlx::query_as::<_, Interaction>(sqlx::AssertSqlSafe(text.clone())), args.clone()).fetch_all(c).await?),
    )
}

/// The lead's interactions, newest first.
pub async fn interactions(tx: &mut Tx, lead: Uuid) -> Result<Vec<Interaction>> {
    let sql = "SELECT i.id, i.lead_id, i.sponsor_id, i.interaction_type, i.points, i.captured_by_user_id,
                      i.metadata, i.occurred_at, i.source, i.device, i.counted_points, u.name AS captured_by_name
               FROM sponsor_lead_interactions i LEFT JOIN users u ON u.id = i.captured_by_user_id
               WHERE i.lead_id = $1 ORDER BY i.occurred_at DESC, i.id DESC";
    Ok(on_tx!(tx, c => sqlx::query_as::<_, Interaction>(sql).bind(lead).fetch_all(c).await?))
}

/// Order of the lead list; every order ends with the id so positions are unique.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeadSort {
    /// Highest score first.
    Score,
    /// Most recent interaction first.
    LastInteraction,
    /// Newest lead first.
    Created,
}

/// Where the previous page ended: the sort key of its last lead.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum LeadPosition {
    Score(i32, Uuid),
    LastInteraction(DateTime<Utc>, Uuid),
    Created(Uuid),
}

impl LeadPosition {
    pub fn of(sort: LeadSort, l: &Lead) -> LeadPosition {
        match sort {
            LeadSort::Score => LeadPosition::Score(l.intent_score, l.id),
            LeadSort::LastInteraction => LeadPosition::LastInteraction(l.last_interaction_at, l.id),
            LeadSort::Created => LeadPosition::Created(l.id),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct LeadFilter {
    pub intent_level: Option<String>,
    pub follow_up_status: Option<String>,
    pub is_starred: Option<bool>,
    pub include_archived: bool,
    /// Lowercased; matched in name, e-mail and company.
    pub search: Option<String>,
    pub min_score: Option<i32>,
    /// Only leads changed at or after this time (a dashboard catching up).
    pub updated_since: Option<DateTime<Utc>>,
    /// Only these leads (an export of a selection).
    pub ids: Option<Vec<Uuid>>,
}

/// Which side of a position a page lies on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The leads after the position in the sort order (the next page).
    After,
    /// The leads before it (the previous page), returned nearest first.
    Before,
}

/// The WHERE clause of the sponsor's leads matching `f`.
pub(crate) fn filtered(select: &str, sponsor: Uuid, f: &LeadFilter) -> Sql {
    let mut q = Sql::new(format!("SELECT {select} FROM sponsor_leads WHERE sponsor_id = "));
    let p = q.arg(Arg::Uuid(sponsor));
    q.push(&p);
    if !f.include_archived {
        q.push(" AND is_archived = FALSE");
    }
    if let Some(level) = &f.intent_level {
        let p = q.arg(Arg::Text(level.clone()));
        q.push(" AND intent_level = ").push(&p);
    }
    if let Some(status) = &f.follow_up_status {
        let p = q.arg(Arg::Text(status.clone()));
        q.push(" AND follow_up_status = ").push(&p);
    }
    if let Some(starred) = f.is_starred {
        let p = q.arg(Arg::Bool(starred));
        q.push(" AND is_starred = ").push(&p);
    }
    if let Some(min) = f.min_score {
        let p = q.arg(Arg::I32(min));
        q.push(" AND intent_score >= ").push(&p);
    }
    if let Some(since) = f.updated_since {
        let p = q.arg(Arg::Time(since));
        q.push(" AND updated_at >= ").push(&p);
    }
    if let Some(ids) = f.ids.as_deref().filter(|ids| !ids.is_empty()) {
        let list = q.in_list(ids);
        q.push(" AND id IN ").push(&list);
    }
    if let Some(search) = &f.search {
        let p = q.arg(Arg::Text(like_pattern(search)));
        let like = format!(" LIKE {p} ESCAPE '\\'");
        q.push(&format!(
            " AND (LOWER(COALESCE(user_name, '')){like} OR LOWER(COALESCE(user_email, '')){like} OR LOWER(COALESCE(user_company, '')){like})"
        ));
    }
    q
}

/// A page of the sponsor's leads. The position must belong to `sort` (the service
/// checks); each sort has an index that starts with the sponsor id. `Before` pages
/// come nearest the position first (the caller reverses them).
pub async fn list(
    tx: &mut Tx,
    sponsor: Uuid,
    f: &LeadFilter,
    sort: LeadSort,
    from: Option<(&LeadPosition, Direction)>,
    limit: i64,
) -> Result<Vec<Lead>> {
    let mut q = filtered(COLUMNS, sponsor, f);
    let back = matches!(from, Some((_, Direction::Before)));
    // The list runs in descending order: after a position is "less than" it.
    let lt = if back { ">" } else { "<" };
    match from.map(|(p, _)| p) {
        Some(LeadPosition::Score(score, id)) => {
            let s = q.arg(Arg::I32(*score));
            let i = q.arg(Arg::Uuid(*id));
            q.push(&format!(" AND (intent_score {lt} {s} OR (intent_score = {s} AND id {lt} {i}))"));
        }
        Some(LeadPosition::LastInteraction(at, id)) => {
            let t = q.arg(Arg::Time(*at));
            let i = q.arg(Arg::Uuid(*id));
            q.push(&format!(" AND (last_interaction_at {lt} {t} OR (last_interaction_at = {t} AND id {lt} {i}))"));
        }
        Some(LeadPosition::Created(id)) => {
            let i = q.arg(Arg::Uuid(*id));
            q.push(&format!(" AND id {lt} {i}"));
        }
        None => {}
    }
    q.push(match (sort, back) {
        (LeadSort::Score, false) => " ORDER BY intent_score DESC, id DESC",
        (LeadSort::LastInteraction, false) => " ORDER BY last_interaction_at DESC, id DESC",
        (LeadSort::Created, false) => " ORDER BY id DESC",
        (LeadSort::Score, true) => " ORDER BY intent_score ASC, id ASC",
        (LeadSort::LastInteraction, true) => " ORDER BY last_interaction_at ASC, id ASC",
        (LeadSort::Created, true) => " ORDER BY id ASC",
    });
    let p = q.arg(Arg::I64(limit));
    q.push(" LIMIT ").push(&p);
    let Sql { text, args } = q;
    Ok(on_tx!(tx, c => bind_args!(sqlx::query_as::<_, Lead>(sqlx::AssertSqlSafe(text.clone())), args.clone())
        .fetch_all(c).await?))
}

/// A page of the event's leads in id order (every sponsor's), after `after`.
pub async fn list_event(
    tx: &mut Tx,
    event: Uuid,
    include_archived: bool,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Lead>> {
    let mut q = Sql::new(format!("SELECT {COLUMNS} FROM sponsor_leads WHERE event_id = "));
    let p = q.arg(Arg::Uuid(event));
    q.push(&p);
    if !include_archived {
        q.push(" AND is_archived = FALSE");
    }
    if let Some(after) = after {
        let p = q.arg(Arg::Uuid(after));
        q.push(" AND id > ").push(&p);
    }
    let p = q.arg(Arg::I64(limit));
    q.push(" ORDER BY id LIMIT ").push(&p);
    let Sql { text, args } = q;
    Ok(on_tx!(tx, c => bind_args!(sqlx::query_as::<_, Lead>(sqlx::AssertSqlSafe(text.clone())), args.clone())
        .fetch_all(c).await?))
}

/// Adds a note to the lead's history.
pub async fn insert_note(tx: &mut Tx, n: &crate::records::LeadNote) -> Result<()> {
    let sql = "INSERT INTO lead_notes (id, lead_id, sponsor_id, author_user_id, body, created_at)
               VALUES ($1, $2, $3, $4, $5, $6)";
    on_tx!(tx, c => sqlx::query(sql)
        .bind(n.id).bind(n.lead_id).bind(n.sponsor_id).bind(n.author_user_id).bind(&n.body).bind(n.created_at)
        .execute(c).await?.rows_affected());
    Ok(())
}

/// The lead's notes, newest first (at most `limit`), with their authors' names.
pub async fn notes(tx: &mut Tx, lead: Uuid, limit: i64) -> Result<Vec<crate::records::LeadNote>> {
    let sql = "SELECT n.id, n.lead_id, n.sponsor_id, n.author_user_id, u.name AS author_name, n.body, n.created_at
               FROM lead_notes n LEFT JOIN users u ON u.id = n.author_user_id
               WHERE n.lead_id = $1 ORDER BY n.created_at DESC, n.id DESC LIMIT $2";
    Ok(on_tx!(tx, c => sqlx::query_as::<_, crate::records::LeadNote>(sql).bind(lead).bind(limit).fetch_all(c).await?))
}

/// The statuses of a lead still to follow up (what a reminder lists).
const OPEN_STATUSES: &str = "('new', 'contacted', 'qualified')";

/// Owners with open leads due on `day` whose reminder for that day is not queued
/// yet, and who still work for the lead's sponsor.
pub async fn owners_due(tx: &mut Tx, day: chrono::NaiveDate, limit: i64) -> Result<Vec<Uuid>> {
    let sql = format!(
        "SELECT DISTINCT l.owner_user_id FROM sponsor_leads l
         JOIN sponsor_users m ON m.sponsor_id = l.sponsor_id AND m.user_id = l.owner_user_id AND m.is_active = TRUE
         WHERE l.due_on = $1 AND l.owner_user_id IS NOT NULL AND l.is_archived = FALSE
           AND l.follow_up_status IN {OPEN_STATUSES}
           AND NOT EXISTS (SELECT 1 FROM follow_up_reminders r WHERE r.user_id = l.owner_user_id AND r.due_on = $1)
         LIMIT $2"
    );
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, Uuid>(sqlx::AssertSqlSafe(sql.clone())).bind(day).bind(limit)
        .fetch_all(c).await?))
}

/// Marks the owner's reminder for `day` as queued; `false` when it already was
/// (another instance got there first).
pub async fn claim_reminder(tx: &mut Tx, user: Uuid, day: chrono::NaiveDate, now: DateTime<Utc>) -> Result<bool> {
    let sql = "INSERT INTO follow_up_reminders (user_id, due_on, created_at) VALUES ($1, $2, $3)
               ON CONFLICT (user_id, due_on) DO NOTHING";
    let n = on_tx!(tx, c => sqlx::query(sql).bind(user).bind(day).bind(now).execute(c).await?.rows_affected());
    Ok(n == 1)
}

/// The owner's open leads due on `day`, of sponsors they still work for, highest
/// score first.
pub async fn due_of_owner(tx: &mut Tx, user: Uuid, day: chrono::NaiveDate, limit: i64) -> Result<Vec<Lead>> {
    let cols = COLUMNS.split(", ").map(|c| format!("l.{}", c.trim())).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "SELECT {cols} FROM sponsor_leads l
         JOIN sponsor_users m ON m.sponsor_id = l.sponsor_id AND m.user_id = l.owner_user_id AND m.is_active = TRUE
         WHERE l.owner_user_id = $1 AND l.due_on = $2 AND l.is_archived = FALSE
           AND l.follow_up_status IN {OPEN_STATUSES}
         ORDER BY l.intent_score DESC, l.id DESC LIMIT $3"
    );
    Ok(on_tx!(tx, c => sqlx::query_as::<_, Lead>(sqlx::AssertSqlSafe(sql.clone())).bind(user).bind(day).bind(limit)
        .fetch_all(c).await?))
}

/// Whether the sponsor's lead of `user` had an interaction of `kind` after `since`.
pub async fn interacted_since(
    tx: &mut Tx,
    sponsor: Uuid,
    user: Uuid,
    kind: &str,
    since: DateTime<Utc>,
) -> Result<bool> {
    let sql = "SELECT 1 FROM sponsor_lead_interactions i JOIN sponsor_leads l ON l.id = i.lead_id
        WHERE l.sponsor_id = $1 AND l.user_id = $2 AND i.interaction_type = $3 AND i.occurred_at > $4 LIMIT 1";
    if let Some(c) = tx.direct().await? {
        let args = [sponsor.into(), user.into(), kind.into(), since.into()];
        return Ok(direct::query_opt(c, sql, &args, |_| Ok(()))?.is_some());
    }
    let found: Option<i32> = on_tx!(tx, c => sqlx::query_scalar(sql).bind(sponsor).bind(user).bind(kind).bind(since).fetch_optional(c).await?);
    Ok(found.is_some())
}

/// Up to `limit` leads of the event, locked until the transaction ends on
/// PostgreSQL (a retention run erasing them; docs/DECISIONS.md, "Retention").
pub async fn of_event_for_update(tx: &mut Tx, event: Uuid, limit: i64) -> Result<Vec<Lead>> {
    let lock = if tx.backend() == Backend::Postgres { " FOR UPDATE" } else { "" };
    let sql = format!("SELECT {COLUMNS} FROM sponsor_leads WHERE event_id = $1 ORDER BY id LIMIT $2{lock}");
    Ok(on_tx!(tx, c => sqlx::query_as::<_, Lead>(sqlx::AssertSqlSafe(sql.clone())).bind(event).bind(limit)
        .fetch_all(c).await?))
}

/// The leads sponsors of the event hold on this user (the attendee's own data).
pub async fn of_user(tx: &mut Tx, event: Uuid, user: Uuid) -> Result<Vec<Lead>> {
    let sql = format!("SELECT {COLUMNS} FROM sponsor_leads WHERE user_id = $1 AND event_id = $2 ORDER BY id");
    Ok(
        on_tx!(tx, c => sqlx::query_as::<_, Lead>(sqlx::AssertSqlSafe(sql.clone())).bind(user).bind(event).fetch_all(c).await?),
    )
}

/// The notes of these leads, each lead's newest first, with their authors' names:
/// one query for them all.
pub async fn notes_of(tx: &mut Tx, leads: &[Uuid]) -> Result<Vec<crate::records::LeadNote>> {
    if leads.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new(
        "SELECT n.id, n.lead_id, n.sponsor_id, n.author_user_id, u.name AS author_name, n.body, n.created_at
         FROM lead_notes n LEFT JOIN users u ON u.id = n.author_user_id WHERE n.lead_id IN ",
    );
    let list = q.in_list(leads);
    q.push(&list).push(" ORDER BY n.lead_id, n.created_at DESC, n.id DESC");
    let Sql { text, args } = q;
    Ok(
        on_tx!(tx, c => bind_args!(sqlx::query_as::<_, crate::records::LeadNote>(sqlx::AssertSqlSafe(text.clone())), args.clone())
        .fetch_all(c).await?),
    )
}
