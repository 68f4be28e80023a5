//! Messaging between sponsors' staff and attendees (tables `message_threads`,
//! `messages`, `message_blocks`, `message_notices`; docs/DECISIONS.md,
//! "Messaging").

use crate::{Result, Tx, on_tx};
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

/// One thread between a sponsor and an attendee, with the names each side shows.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Thread {
    pub id: Uuid,
    pub event_id: Uuid,
    pub sponsor_id: Uuid,
    pub sponsor_name: String,
    pub attendee_user_id: Uuid,
    pub attendee_name: String,
    pub last_staff_user_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub last_message_at: DateTime<Utc>,
    pub staff_unread: i32,
    pub attendee_unread: i32,
    /// The attendee blocked the sponsor.
    pub blocked: bool,
    /// The newest message's text.
    pub last_body: Option<String>,
}

/// One message of a thread.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Message {
    pub id: Uuid,
    pub thread_id: Uuid,
    /// `staff` or `attendee`.
    pub sender_side: String,
    pub sender_user_id: Option<Uuid>,
    /// The sender's name (read with the message).
    pub sender_name: Option<String>,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// A position after every thread (a year whose text still sorts as a time).
fn end_of_time() -> (DateTime<Utc>, Uuid) {
    (DateTime::<Utc>::from_timestamp(253_402_214_400, 0).expect("9999-12-31"), Uuid::max())
}

const THREAD: &str = "SELECT t.id, t.event_id, t.sponsor_id, s.company_name AS sponsor_name, t.attendee_user_id,
    u.name AS attendee_name, t.last_staff_user_id, t.created_at, t.last_message_at, t.staff_unread,
    t.attendee_unread,
    EXISTS (SELECT 1 FROM message_blocks b WHERE b.sponsor_id = t.sponsor_id AND b.attendee_user_id = t.attendee_user_id) AS blocked,
    (SELECT m.body FROM messages m WHERE m.thread_id = t.id ORDER BY m.id DESC LIMIT 1) AS last_body
    FROM message_threads t JOIN sponsors s ON s.id = t.sponsor_id JOIN users u ON u.id = t.attendee_user_id";

/// The thread by id.
pub async fn get_thread(tx: &mut Tx, id: Uuid) -> Result<Option<Thread>> {
    let sql = format!("{THREAD} WHERE t.id = $1");
    Ok(on_tx!(tx, c => sqlx::query_as::<_, Thread>(sqlx::AssertSqlSafe(sql.clone())).bind(id).fetch_optional(c).await?))
}

/// The thread between the sponsor and the attendee, if any.
pub async fn thread_between(tx: &mut Tx, sponsor: Uuid, attendee: Uuid) -> Result<Option<Thread>> {
    let sql = format!("{THREAD} WHERE t.sponsor_id = $1 AND t.attendee_user_id = $2");
    Ok(on_tx!(tx, c => sqlx::query_as::<_, Thread>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(sponsor).bind(attendee).fetch_optional(c).await?))
}

/// Opens the thread between the sponsor and the attendee unless it exists;
/// answers with its id either way.
pub async fn open_thread(
    tx: &mut Tx,
    id: Uuid,
    event: Uuid,
    sponsor: Uuid,
    attendee: Uuid,
    now: DateTime<Utc>,
) -> Result<Uuid> {
    let sql = "INSERT INTO message_threads (id, event_id, sponsor_id, attendee_user_id, created_at, last_message_at)
        VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (sponsor_id, attendee_user_id) DO NOTHING";
    on_tx!(tx, c => sqlx::query(sql).bind(id).bind(event).bind(sponsor).bind(attendee).bind(now)
        .execute(c).await?.rows_affected());
    let sql = "SELECT id FROM message_threads WHERE sponsor_id = $1 AND attendee_user_id = $2";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, Uuid>(sql).bind(sponsor).bind(attendee).fetch_one(c).await?))
}

/// Appends a message and moves its thread: the last message's time, the other
/// side's unread count, and (a staff message) who wrote last for the sponsor.
pub async fn append(tx: &mut Tx, m: &Message) -> Result<()> {
    let sql = "INSERT INTO messages (id, thread_id, sender_side, sender_user_id, body, created_at)
        VALUES ($1, $2, $3, $4, $5, $6)";
    on_tx!(tx, c => sqlx::query(sql).bind(m.id).bind(m.thread_id).bind(&m.sender_side).bind(m.sender_user_id)
        .bind(&m.body).bind(m.created_at).execute(c).await?.rows_affected());
    let sql = if m.sender_side == "staff" {
        "UPDATE message_threads SET last_message_at = $2, attendee_unread = attendee_unread + 1,
            last_staff_user_id = $3 WHERE id = $1"
    } else {
        "UPDATE message_threads SET last_message_at = $2, staff_unread = staff_unread + 1,
            last_staff_user_id = COALESCE(last_staff_user_id, $3) WHERE id = $1"
    };
    on_tx!(tx, c => sqlx::query(sql).bind(m.thread_id).bind(m.created_at).bind(m.sender_user_id)
        .execute(c).await?.rows_affected());
    Ok(())
}

/// The side (`staff` or `attendee`) read the thread: its unread count is zero and
/// its pending e-mail notice dropped.
pub async fn mark_read(tx: &mut Tx, thread: Uuid, side: &str) -> Result<()> {
    let sql = if side == "staff" {
        "UPDATE message_threads SET staff_unread = 0 WHERE id = $1 AND staff_unread <> 0"
    } else {
        "UPDATE message_threads SET attendee_unread = 0 WHERE id = $1 AND attendee_unread <> 0"
    };
    on_tx!(tx, c => sqlx::query(sql).bind(thread).execute(c).await?.rows_affected());
    let sql = "DELETE FROM message_notices WHERE thread_id = $1 AND side = $2";
    on_tx!(tx, c => sqlx::query(sql).bind(thread).bind(side).execute(c).await?.rows_affected());
    Ok(())
}

/// A page of the sponsor's threads, the latest active first, after `after`
/// (the last of the previous page: its last message's time and id).
pub async fn threads_of_sponsor(
    tx: &mut Tx,
    sponsor: Uuid,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: u32,
) -> Result<Vec<Thread>> {
    let (at, id) = after.unwrap_or_else(end_of_time);
    let sql = format!(
        "{THREAD} WHERE t.sponsor_id = $1 AND (t.last_message_at < $2 OR (t.last_message_at = $2 AND t.id < $3))
         ORDER BY t.last_message_at DESC, t.id DESC LIMIT $4"
    );
    Ok(on_tx!(tx, c => sqlx::query_as::<_, Thread>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(sponsor).bind(at).bind(id).bind(i64::from(limit)).fetch_all(c).await?))
}

/// A page of the attendee's threads in the event, blocked sponsors' left out,
/// the latest active first.
pub async fn threads_of_attendee(
    tx: &mut Tx,
    attendee: Uuid,
    event: Uuid,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: u32,
) -> Result<Vec<Thread>> {
    let (at, id) = after.unwrap_or_else(end_of_time);
    let sql = format!(
        "{THREAD} WHERE t.attendee_user_id = $1 AND t.event_id = $2
           AND (t.last_message_at < $3 OR (t.last_message_at = $3 AND t.id < $4))
           AND NOT EXISTS (SELECT 1 FROM message_blocks b WHERE b.sponsor_id = t.sponsor_id AND b.attendee_user_id = t.attendee_user_id)
         ORDER BY t.last_message_at DESC, t.id DESC LIMIT $5"
    );
    Ok(on_tx!(tx, c => sqlx::query_as::<_, Thread>(sqlx::AssertSqlSafe(sql.clone()))
        .bind(attendee).bind(event).bind(at).bind(id).bind(i64::from(limit)).fetch_all(c).await?))
}

/// The sponsor's unread messages (from attendees), all threads together.
pub async fn unread_of_sponsor(tx: &mut Tx, sponsor: Uuid) -> Result<i64> {
    let sql = "SELECT COALESCE(SUM(staff_unread), 0) FROM message_threads WHERE sponsor_id = $1";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, i64>(sql).bind(sponsor).fetch_one(c).await?))
}

/// The attendee's unread messages in the event, blocked sponsors' left out.
pub async fn unread_of_attendee(tx: &mut Tx, attendee: Uuid, event: Uuid) -> Result<i64> {
    let sql = "SELECT COALESCE(SUM(t.attendee_unread), 0) FROM message_threads t
        WHERE t.attendee_user_id = $1 AND t.event_id = $2
          AND NOT EXISTS (SELECT 1 FROM message_blocks b WHERE b.sponsor_id = t.sponsor_id AND b.attendee_user_id = t.attendee_user_id)";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, i64>(sql).bind(attendee).bind(event).fetch_one(c).await?))
}

/// A page of the thread's messages, newest first, older than `before`.
pub async fn messages_of(tx: &mut Tx, thread: Uuid, before: Option<Uuid>, limit: u32) -> Result<Vec<Message>> {
    let sql = "SELECT m.id, m.thread_id, m.sender_side, m.sender_user_id, u.name AS sender_name, m.body, m.created_at
        FROM messages m LEFT JOIN users u ON u.id = m.sender_user_id
        WHERE m.thread_id = $1 AND m.id < $2 ORDER BY m.id DESC LIMIT $3";
    Ok(on_tx!(tx, c => sqlx::query_as::<_, Message>(sql)
        .bind(thread).bind(before.unwrap_or(Uuid::max())).bind(i64::from(limit)).fetch_all(c).await?))
}

/// Whether the sponsor holds a lead on the user.
pub async fn is_lead(tx: &mut Tx, sponsor: Uuid, user: Uuid) -> Result<bool> {
    let sql = "SELECT EXISTS (SELECT 1 FROM sponsor_leads WHERE sponsor_id = $1 AND user_id = $2)";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, bool>(sql).bind(sponsor).bind(user).fetch_one(c).await?))
}

/// Whether the attendee blocked the sponsor.
pub async fn is_blocked(tx: &mut Tx, sponsor: Uuid, attendee: Uuid) -> Result<bool> {
    let sql = "SELECT EXISTS (SELECT 1 FROM message_blocks WHERE sponsor_id = $1 AND attendee_user_id = $2)";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, bool>(sql).bind(sponsor).bind(attendee).fetch_one(c).await?))
}

/// The attendee blocks the sponsor (again: no change).
pub async fn block(tx: &mut Tx, sponsor: Uuid, attendee: Uuid, event: Uuid, now: DateTime<Utc>) -> Result<()> {
    let sql = "INSERT INTO message_blocks (sponsor_id, attendee_user_id, event_id, created_at) VALUES ($1, $2, $3, $4)
        ON CONFLICT (sponsor_id, attendee_user_id) DO NOTHING";
    on_tx!(tx, c => sqlx::query(sql).bind(sponsor).bind(attendee).bind(event).bind(now).execute(c).await?.rows_affected());
    // nothing of a blocked sponsor reaches the attendee, by e-mail either
    let sql = "DELETE FROM message_notices WHERE side = 'attendee' AND thread_id IN
        (SELECT id FROM message_threads WHERE sponsor_id = $1 AND attendee_user_id = $2)";
    on_tx!(tx, c => sqlx::query(sql).bind(sponsor).bind(attendee).execute(c).await?.rows_affected());
    Ok(())
}

/// The attendee unblocks the sponsor.
pub async fn unblock(tx: &mut Tx, sponsor: Uuid, attendee: Uuid) -> Result<()> {
    let sql = "DELETE FROM message_blocks WHERE sponsor_id = $1 AND attendee_user_id = $2";
    on_tx!(tx, c => sqlx::query(sql).bind(sponsor).bind(attendee).execute(c).await?.rows_affected());
    Ok(())
}

/// Deletes the thread between the sponsor and the attendee, with its messages.
pub async fn delete_thread(tx: &mut Tx, sponsor: Uuid, attendee: Uuid) -> Result<bool> {
    let sql = "DELETE FROM message_threads WHERE sponsor_id = $1 AND attendee_user_id = $2";
    let n = on_tx!(tx, c => sqlx::query(sql).bind(sponsor).bind(attendee).execute(c).await?.rows_affected());
    Ok(n > 0)
}

/// Every message of the attendee's threads in the event, for the attendee's own
/// data: each thread's oldest first.
pub async fn all_of_attendee(tx: &mut Tx, attendee: Uuid, event: Uuid) -> Result<Vec<(Uuid, Message)>> {
    let sql = "SELECT t.sponsor_id, m.id, m.thread_id, m.sender_side, m.sender_user_id, u.name AS sender_name,
            m.body, m.created_at
        FROM message_threads t JOIN messages m ON m.thread_id = t.id LEFT JOIN users u ON u.id = m.sender_user_id
        WHERE t.attendee_user_id = $1 AND t.event_id = $2 ORDER BY t.id, m.id";
    #[derive(sqlx::FromRow)]
    struct Row {
        sponsor_id: Uuid,
        #[sqlx(flatten)]
        message: Message,
    }
    let rows = on_tx!(tx, c => sqlx::query_as::<_, Row>(sql).bind(attendee).bind(event).fetch_all(c).await?);
    Ok(rows.into_iter().map(|r| (r.sponsor_id, r.message)).collect())
}

// ---------------------------------------------------------------- e-mail notices

/// Keeps a notice that the side has unread messages in the thread (the oldest
/// one's time stays), for `recipient`.
pub async fn notice(tx: &mut Tx, thread: Uuid, side: &str, recipient: Uuid, now: DateTime<Utc>) -> Result<()> {
    let sql = "INSERT INTO message_notices (thread_id, side, recipient_user_id, created_at) VALUES ($1, $2, $3, $4)
        ON CONFLICT (thread_id, side) DO NOTHING";
    on_tx!(tx, c => sqlx::query(sql).bind(thread).bind(side).bind(recipient).bind(now).execute(c).await?.rows_affected());
    Ok(())
}

/// Up to `limit` recipients with a notice from before `cutoff`.
pub async fn recipients_due(tx: &mut Tx, cutoff: DateTime<Utc>, limit: u32) -> Result<Vec<Uuid>> {
    let sql = "SELECT DISTINCT recipient_user_id FROM message_notices WHERE created_at <= $1 LIMIT $2";
    Ok(on_tx!(tx, c => sqlx::query_scalar::<_, Uuid>(sql).bind(cutoff).bind(i64::from(limit)).fetch_all(c).await?))
}

/// Takes (deletes and answers with) the recipient's notices from before
/// `cutoff`: thread ids and sides. A second taker finds them gone.
pub async fn take_notices(tx: &mut Tx, recipient: Uuid, cutoff: DateTime<Utc>) -> Result<Vec<(Uuid, String)>> {
    let sql = "DELETE FROM message_notices WHERE recipient_user_id = $1 AND created_at <= $2 RETURNING thread_id, side";
    Ok(on_tx!(tx, c => sqlx::query_as::<_, (Uuid, String)>(sql).bind(recipient).bind(cutoff).fetch_all(c).await?))
}
