//! Attendee imports as jobs, for files of up to 100,000 rows (docs/DECISIONS.md,
//! "Attendees and badges"). The whole file is read and checked first: any bad row
//! and nothing is written (422, every problem by row and column). Then a task
//! writes every row in one transaction, all or nothing, in chunks of [`CHUNK`]
//! rows whose progress the process keeps in memory (and, on PostgreSQL, where
//! other instances may be asked, on the job's row through a transaction of its
//! own). The job's row becomes `done` in the import's own transaction.

use crate::attendees::{self, RowError};
use crate::authz::event_of_org;
use crate::{Error, Principal, Result, Services};
use chrono::Duration;
use serde::Serialize;
use sponsorhub_domain::{ids, time};
use sponsorhub_store::imports as q;
use sponsorhub_store::records::{Event, ImportJob};
use uuid::Uuid;

/// At most this many rows a file.
pub const MAX_ROWS: usize = 100_000;
/// At most this many bytes a file (the REST adapter reads no more).
pub const MAX_BYTES: usize = 16 * 1024 * 1024;
/// Rows written per transaction.
pub const CHUNK: usize = 1_000;
/// A running job whose progress has not moved for this long died with its process.
const SILENT_FOR: i64 = 60;
/// At most this many row errors are reported; the count says how many there were.
const MAX_REPORTED: usize = 500;

/// A job as callers see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportJobView {
    #[serde(flatten)]
    pub job: ImportJob,
    /// Rows written, in percent.
    pub percent: i32,
}

impl ImportJobView {
    /// The job as stored, with the progress of this process when it runs it.
    fn of(mut job: ImportJob, live: Option<i32>) -> ImportJobView {
        let now = time::now();
        if let Some(done) = live.filter(|_| job.status == "running") {
            job.processed_rows = job.processed_rows.max(done);
        } else if job.status == "running" && job.updated_at < now - Duration::seconds(SILENT_FOR) {
            // Its process stopped: its transaction was rolled back.
            job.status = "failed".into();
            job.processed_rows = 0;
            job.error = Some("the server running it stopped and nothing was imported: import the file again".into());
        }
        let percent = if job.total_rows == 0 {
            100
        } else {
            i32::try_from(i64::from(job.processed_rows) * 100 / i64::from(job.total_rows)).unwrap_or(100)
        };
        ImportJobView { job, percent }
    }
}

/// Checks the file and, when every row is good, starts writing it (organizers).
/// A file with bad rows is refused whole (422, each error naming
/// `rows[<line>].<column>`; at most 500 listed).
#[tracing::instrument(skip_all, fields(event.id = %event_id, bytes = file.len()))]
pub async fn start(
    svc: &Services,
    p: &Principal,
    org: Option<Uuid>,
    event_id: Uuid,
    file_name: Option<String>,
    file: Vec<u8>,
) -> Result<ImportJobView> {
    let event = {
        let mut tx = svc.store.read().await?;
        event_of_org(&mut tx, p, org, event_id, true).await?
    };
    if file.len() > MAX_BYTES {
        return Err(Error::invalid("file", format!("at most {} MiB", MAX_BYTES / 1024 / 1024)));
    }
    let file_name = file_name.map(|n| n.chars().filter(|c| !c.is_control()).take(200).collect::<String>());
    let (checked, errors, rows) = tokio::task::spawn_blocking(move || {
        let table = attendees::read_table(&file, MAX_ROWS)?;
        let rows = table.rows.len();
        let (checked, errors) = attendees::check_table(table);
        Ok::<_, Error>((checked, errors, rows))
    })
    .await
    .map_err(|e| Error::Internal(e.into()))??;
    if !errors.is_empty() {
        let shown: Vec<RowError> = errors.iter().take(MAX_REPORTED).cloned().collect();
        return Err(attendees::row_errors(&shown));
    }
    let now = time::now();
    let job = ImportJob {
        id: ids::new_id(),
        organization_id: event.organization_id,
        event_id,
        created_by_user_id: Some(p.user_id),
        file_name: file_name.filter(|n| !n.trim().is_empty()),
        status: "running".into(),
        total_rows: i32::try_from(rows).unwrap_or(i32::MAX),
        processed_rows: 0,
        created_count: 0,
        updated_count: 0,
        error: None,
        created_at: now,
        updated_at: now,
        finished_at: None,
    };
    let mut tx = svc.store.write().await?;
    q::insert(&mut tx, &job).await?;
    tx.commit().await?;
    tracing::info!(job.id = %job.id, rows, "attendee import started");
    let (svc2, id) = (svc.clone(), job.id);
    tokio::spawn(async move {
        let Err(e) = run(&svc2, &event, id, checked).await else { return };
        // Rolled back: nothing of the file was written.
        tracing::warn!(job.id = %id, error = %e, "attendee import failed");
        let failed = async {
            let mut tx = svc2.store.write().await?;
            q::set_progress(&mut tx, id, 0, time::now()).await?;
            q::finish(&mut tx, id, Some(&format!("nothing was imported: {e}")), time::now()).await?;
            tx.commit().await?;
            Ok::<_, Error>(())
        };
        if let Err(e) = failed.await {
            tracing::error!(job.id = %id, error = %e, "an import job's end could not be recorded");
        }
    });
    Ok(ImportJobView::of(job, Some(0)))
}

/// The progress this process keeps of a job it runs.
fn progress(svc: &Services, id: Uuid, rows: Option<i32>) {
    if let Ok(mut map) = svc.import_progress.lock() {
        match rows {
            Some(n) => {
                map.insert(id, n);
            }
            None => {
                map.remove(&id);
            }
        }
    }
}

fn live(svc: &Services, id: Uuid) -> Option<i32> {
    svc.import_progress.lock().ok().and_then(|m| m.get(&id).copied())
}

/// Writes every row in one transaction, chunk by chunk, telling the progress as
/// it goes; the job is done when that transaction commits.
async fn run(svc: &Services, event: &Event, id: Uuid, checked: Vec<attendees::Checked>) -> Result<()> {
    progress(svc, id, Some(0));
    let outcome = write(svc, event, id, checked).await;
    progress(svc, id, None);
    outcome
}

async fn write(svc: &Services, event: &Event, id: Uuid, checked: Vec<attendees::Checked>) -> Result<()> {
    let postgres = svc.store.backend() == sponsorhub_store::Backend::Postgres;
    let mut rows = checked.into_iter().peekable();
    let (mut done, mut created, mut updated) = (0, 0, 0);
    // One long transaction: on SQLite, whatever commits in a batch before it is
    // answered first (docs/ARCHITECTURE.md, "Choices worth knowing").
    let mut tx = svc.store.write_alone().await?;
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(CHUNK).collect();
        done += i32::try_from(chunk.len()).unwrap_or(i32::MAX);
        let (c, u, _) = attendees::write_all(svc, &mut tx, event, chunk.into_iter()).await?;
        (created, updated) = (created + c, updated + u);
        progress(svc, id, Some(done));
        if postgres && rows.peek().is_some() {
            // Other instances read the progress from the job's row; PostgreSQL lets
            // this second transaction commit beside the import's own.
            let mut beat = svc.store.write().await?;
            q::set_progress(&mut beat, id, done, time::now()).await?;
            beat.commit().await?;
        }
    }
    let now = time::now();
    q::set_progress(&mut tx, id, done, now).await?;
    q::set_counts(&mut tx, id, created, updated).await?;
    q::finish(&mut tx, id, None, now).await?;
    tx.commit().await?;
    Ok(())
}

/// One import job of the event (organizers).
pub async fn get(svc: &Services, p: &Principal, org: Option<Uuid>, event_id: Uuid, id: Uuid) -> Result<ImportJobView> {
    let mut tx = svc.store.read().await?;
    event_of_org(&mut tx, p, org, event_id, true).await?;
    let job = q::get(&mut tx, event_id, id).await?.ok_or(Error::NotFound("import"))?;
    Ok(ImportJobView::of(job, live(svc, id)))
}

/// The event's last 20 imports, newest first (organizers).
pub async fn recent(svc: &Services, p: &Principal, org: Option<Uuid>, event_id: Uuid) -> Result<Vec<ImportJobView>> {
    let mut tx = svc.store.read().await?;
    event_of_org(&mut tx, p, org, event_id, true).await?;
    Ok(q::recent(&mut tx, event_id, 20)
        .await?
        .into_iter()
        .map(|j| {
            let running = live(svc, j.id);
            ImportJobView::of(j, running)
        })
        .collect())
}
