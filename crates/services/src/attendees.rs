//! Attendees of an event and their badges (docs/DECISIONS.md, "Attendees and
//! badges"). Organizers manage them; a badge code names one attendee at a scan.
//!
//! A badge code is 128 bits of HMAC-SHA256 over the attendee and the badge's
//! generation, keyed with the deployment's badge secret: shown to organizers and
//! printed, never stored. The database keeps its SHA-256 for the lookup at a scan,
//! so a copy of the database holds no usable badge. Re-issuing raises the
//! generation (a new code); revoking drops the hash.

use crate::authz::event_of_org;
use crate::pagination::{self, Page};
use crate::{Error, Principal, Result, Services};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sponsorhub_domain::validate::{self, Validator};
use sponsorhub_domain::{ids, time};
use sponsorhub_store::records::{AttendeeRow, JsonColumn};
use sponsorhub_store::{StoreError, Tx, attendees as q};
use uuid::Uuid;

/// At most this many attendees in one bulk upsert request.
pub const MAX_BULK: usize = 1000;

/// An attendee as organizers send it (create, and each item of a bulk upsert).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttendeeInput {
    /// The ticketing platform's id of the attendee: the key of an upsert, else the
    /// e-mail address is.
    pub platform_id: Option<String>,
    pub name: String,
    pub email: Option<String>,
    pub company: Option<String>,
    pub title: Option<String>,
    pub phone: Option<String>,
    /// Country name or ISO code, as the platform has it.
    pub country: Option<String>,
    pub ticket_type: Option<String>,
    /// Up to 20 more fields: names of 1 to 50 characters, values text (at most 500
    /// characters), numbers, booleans or null.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub custom_fields: Option<serde_json::Map<String, serde_json::Value>>,
    /// The attendee opted out of badge scanning: their badge records nothing
    /// (default false; an update without it keeps the current choice).
    pub scan_opt_out: Option<bool>,
}

/// Fields to change; absent fields stay, `null` clears an optional one.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateAttendee {
    #[serde(default, deserialize_with = "crate::events::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub platform_id: Option<Option<String>>,
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::events::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::events::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub company: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::events::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::events::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::events::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub country: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::events::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub ticket_type: Option<Option<String>>,
    /// Replaces all custom fields.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub custom_fields: Option<serde_json::Map<String, serde_json::Value>>,
    /// The attendee opted out of badge scanning (or back in).
    pub scan_opt_out: Option<bool>,
}

/// An attendee as organizers see it, with the current badge code.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = EventAttendee))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject), graphql(complex))]
pub struct Attendee {
    pub id: Uuid,
    pub event_id: Uuid,
    pub platform_id: Option<String>,
    pub name: String,
    pub email: Option<String>,
    pub company: Option<String>,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub country: Option<String>,
    pub ticket_type: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    #[cfg_attr(feature = "graphql", graphql(skip))]
    pub custom_fields: serde_json::Map<String, serde_json::Value>,
    /// The code the badge's QR carries; `null` while the badge is revoked.
    pub badge_code: Option<String>,
    /// The attendee opted out of badge scanning: scans of their badge record
    /// nothing.
    pub scan_opt_out: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[cfg(feature = "graphql")]
#[async_graphql::ComplexObject]
impl Attendee {
    /// The attendee's custom fields, as a JSON object.
    async fn custom_fields(&self) -> async_graphql::Json<&serde_json::Map<String, serde_json::Value>> {
        async_graphql::Json(&self.custom_fields)
    }
}

/// What a bulk upsert did, item by item in the order sent.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
pub struct UpsertResult {
    pub created: i32,
    pub updated: i32,
    pub attendees: Vec<Attendee>,
}

/// Search and page of the attendee list.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
pub struct AttendeeQuery {
    /// Part of the name, e-mail address or company.
    pub search: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The badge code of an attendee's badge generation.
pub fn badge_code(secret: &[u8], attendee: Uuid, generation: i32) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(format!("sponsorhub badge\n{attendee}\n{generation}").as_bytes());
    mac.finalize().into_bytes()[..16].iter().map(|b| format!("{b:02X}")).collect()
}

/// The stored form of a badge code: SHA-256, hex. Codes are compared in the form
/// [`normalize_code`] gives them.
pub fn badge_hash(code: &str) -> String {
    Sha256::digest(code.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// A scanned or typed code as stored: blanks around it dropped, upper case (a
/// keyboard-wedge scanner may type either case).
pub fn normalize_code(raw: &str) -> String {
    raw.trim().to_ascii_uppercase()
}

fn view(svc: &Services, a: AttendeeRow) -> Attendee {
    let badge_code = a.badge_hash.as_ref().map(|_| badge_code(&svc.badge_secret, a.id, a.badge_generation));
    Attendee {
        id: a.id,
        event_id: a.event_id,
        platform_id: a.platform_id,
        name: a.name,
        email: a.email,
        company: a.company,
        title: a.title,
        phone: a.phone,
        country: a.country,
        ticket_type: a.ticket_type,
        custom_fields: a.custom_fields.0,
        badge_code,
        scan_opt_out: a.scan_opt_out,
        created_at: a.created_at,
        updated_at: a.updated_at,
    }
}

/// The checked fields of an attendee; `prefix` names the item of a bulk request
/// (`attendees[3].`).
pub(crate) struct Checked {
    platform_id: Option<String>,
    name: String,
    email: Option<String>,
    company: Option<String>,
    title: Option<String>,
    phone: Option<String>,
    country: Option<String>,
    ticket_type: Option<String>,
    custom_fields: serde_json::Map<String, serde_json::Value>,
    scan_opt_out: Option<bool>,
}

fn check(v: &mut Validator, prefix: &str, a: &AttendeeInput) -> Option<Checked> {
    let f = |name: &str| format!("{prefix}{name}");
    let platform_id = v.check(validate::optional_text(&f("platform_id"), a.platform_id.as_deref(), 200));
    let name = v.check(validate::text(&f("name"), &a.name, 1, 200));
    let email = v.check(validate::optional_email(&f("email"), a.email.as_deref()));
    let company = v.check(validate::optional_text(&f("company"), a.company.as_deref(), 200));
    let title = v.check(validate::optional_text(&f("title"), a.title.as_deref(), 200));
    let phone = v.check(validate::optional_text(&f("phone"), a.phone.as_deref(), 50));
    let country = v.check(validate::optional_text(&f("country"), a.country.as_deref(), 100));
    let ticket_type = v.check(validate::optional_text(&f("ticket_type"), a.ticket_type.as_deref(), 100));
    let custom =
        v.check(validate::scalar_map(&f("custom_fields"), a.custom_fields.as_ref().unwrap_or(&Default::default())));
    Some(Checked {
        platform_id: platform_id?,
        name: name?,
        email: email?,
        company: company?,
        title: title?,
        phone: phone?,
        country: country?,
        ticket_type: ticket_type?,
        custom_fields: custom?,
        scan_opt_out: a.scan_opt_out,
    })
}

fn taken(e: StoreError) -> Error {
    match e {
        StoreError::Unique(_) => {
            Error::Conflict("another attendee of this event has this platform id or e-mail address".into())
        }
        e => e.into(),
    }
}

fn new_row(org: Uuid, event: Uuid, c: Checked, now: DateTime<Utc>, secret: &[u8]) -> AttendeeRow {
    let id = ids::new_id();
    AttendeeRow {
        id,
        organization_id: org,
        event_id: event,
        platform_user_id: c.platform_id.as_deref().map(ids::external_id),
        platform_id: c.platform_id,
        name: c.name,
        email: c.email,
        company: c.company,
        title: c.title,
        phone: c.phone,
        country: c.country,
        ticket_type: c.ticket_type,
        custom_fields: JsonColumn(c.custom_fields),
        badge_generation: 1,
        badge_hash: Some(badge_hash(&badge_code(secret, id, 1))),
        scan_opt_out: c.scan_opt_out.unwrap_or(false),
        created_at: now,
        updated_at: now,
    }
}

/// Adds an attendee to the event (organizers), with a new badge.
#[tracing::instrument(skip_all, fields(event.id = %event_id))]
pub async fn create_attendee(
    svc: &Services,
    p: &Principal,
    org: Option<Uuid>,
    event_id: Uuid,
    input: AttendeeInput,
) -> Result<Attendee> {
    let mut v = Validator::new();
    let checked = check(&mut v, "", &input);
    if input.platform_id.as_deref().is_none_or(|s| s.trim().is_empty())
        && input.email.as_deref().is_none_or(|s| s.trim().is_empty())
    {
        v.push("email", "an attendee needs an e-mail address or a platform id");
    }
    v.finish()?;
    let mut tx = svc.store.write().await?;
    let event = event_of_org(&mut tx, p, org, event_id, true).await?;
    let row = new_row(event.organization_id, event.id, checked.expect("checked"), time::now(), &svc.badge_secret);
    q::insert(&mut tx, &row).await.map_err(taken)?;
    tx.commit().await?;
    Ok(view(svc, row))
}

/// Creates or updates many attendees in one transaction: each item is matched by
/// its platform id, else by its e-mail address. Any invalid item refuses the whole
/// request (422, each error naming its item), so nothing is half written.
#[tracing::instrument(skip_all, fields(event.id = %event_id, items = items.len()))]
pub async fn upsert_attendees(
    svc: &Services,
    p: &Principal,
    org: Option<Uuid>,
    event_id: Uuid,
    items: Vec<AttendeeInput>,
) -> Result<UpsertResult> {
    if items.len() > MAX_BULK {
        return Err(Error::invalid("attendees", format!("at most {MAX_BULK} attendees a request")));
    }
    let mut v = Validator::new();
    let checked: Vec<Option<Checked>> =
        items.iter().enumerate().map(|(i, a)| check(&mut v, &format!("attendees[{i}]."), a)).collect();
    for (i, a) in items.iter().enumerate() {
        if a.platform_id.as_deref().is_none_or(|s| s.trim().is_empty())
            && a.email.as_deref().is_none_or(|s| s.trim().is_empty())
        {
            v.push(&format!("attendees[{i}].email"), "an attendee needs an e-mail address or a platform id");
        }
    }
    v.finish()?;
    let mut tx = svc.store.write().await?;
    let event = event_of_org(&mut tx, p, org, event_id, true).await?;
    let (created, updated, rows) = write_all(svc, &mut tx, &event, checked.into_iter().flatten()).await?;
    tx.commit().await?;
    tracing::info!(created, updated, "attendees upserted");
    Ok(UpsertResult { created, updated, attendees: rows.into_iter().map(|r| view(svc, r)).collect() })
}

/// Creates or updates each checked attendee in the transaction: matched by
/// platform id, else e-mail address. Returns the counts and the rows written.
pub(crate) async fn write_all(
    svc: &Services,
    tx: &mut Tx,
    event: &sponsorhub_store::records::Event,
    checked: impl Iterator<Item = Checked>,
) -> Result<(i32, i32, Vec<AttendeeRow>)> {
    let now = time::now();
    let (mut created, mut updated, mut out) = (0, 0, Vec::new());
    for c in checked {
        let found = match (&c.platform_id, &c.email) {
            (Some(pid), _) => q::by_platform_id(tx, event.id, pid).await?,
            (None, Some(email)) => q::by_email(tx, event.id, email).await?,
            (None, None) => None,
        };
        let row = match found {
            Some(mut row) => {
                row.platform_id = c.platform_id.or(row.platform_id);
                row.platform_user_id = row.platform_id.as_deref().map(ids::external_id);
                row.name = c.name;
                row.email = c.email;
                row.company = c.company;
                row.title = c.title;
                row.phone = c.phone;
                row.country = c.country;
                row.ticket_type = c.ticket_type;
                row.custom_fields = JsonColumn(c.custom_fields);
                if let Some(o) = c.scan_opt_out {
                    row.scan_opt_out = o;
                }
                row.updated_at = now;
                q::update(tx, &row).await.map_err(taken)?;
                updated += 1;
                row
            }
            None => {
                let row = new_row(event.organization_id, event.id, c, now, &svc.badge_secret);
                q::insert(tx, &row).await.map_err(taken)?;
                created += 1;
                row
            }
        };
        out.push(row);
    }
    Ok((created, updated, out))
}

/// What an import found and did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    /// Data rows in the file (the header row not counted).
    pub rows: i32,
    /// Rows without a problem.
    pub valid: i32,
    /// Every problem, by row (the file's line number, the header being line 1)
    /// and column.
    pub errors: Vec<RowError>,
    /// Whether the attendees were written (never when a row has a problem).
    pub imported: bool,
    pub created: i32,
    pub updated: i32,
}

/// One bad cell of an import.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RowError {
    pub row: i32,
    pub column: String,
    pub message: String,
}

/// At most this many rows in one import that answers at once; larger files go
/// through an import job ([`crate::imports`]).
pub const MAX_IMPORT_ROWS: usize = 20_000;

/// A file's rows as text: the header row (normalized column names) and each data
/// row with its line (the header being line 1).
pub(crate) struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<(i32, Result<Vec<String>, String>)>,
}

/// Reads a CSV (UTF-8, comma or semicolon separated) or XLSX file (its first
/// sheet), told apart by their content, with at most `max_rows` data rows.
pub(crate) fn read_table(file: &[u8], max_rows: usize) -> Result<Table> {
    let table = if file.starts_with(b"PK\x03\x04") { read_xlsx(file, max_rows)? } else { read_csv(file, max_rows)? };
    if !table.headers.iter().any(|h| h == "name") || !table.headers.iter().any(|h| h == "email" || h == "platform_id") {
        return Err(Error::invalid("file", "the header row needs a name column and an email or platform_id column"));
    }
    Ok(table)
}

fn column_name(h: &str) -> String {
    h.trim().to_lowercase().replace([' ', '-'], "_")
}

fn too_many(max_rows: usize) -> Error {
    Error::invalid("file", format!("at most {max_rows} rows a file"))
}

fn read_csv(file: &[u8], max_rows: usize) -> Result<Table> {
    let text = std::str::from_utf8(file).map_err(|_| {
        Error::invalid("file", "must be UTF-8 text (save it from the spreadsheet as CSV UTF-8), or XLSX")
    })?;
    let first_line = text.lines().next().unwrap_or_default();
    let delimiter = if first_line.contains(';') && !first_line.contains(',') { b';' } else { b',' };
    let mut reader =
        csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| Error::invalid("file", format!("the header row cannot be read: {e}")))?
        .iter()
        .map(column_name)
        .collect();
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        if i >= max_rows {
            return Err(too_many(max_rows));
        }
        let line = i32::try_from(i).unwrap_or(i32::MAX).saturating_add(2);
        rows.push((line, record.map(|r| r.iter().map(str::to_string).collect()).map_err(|e| e.to_string())));
    }
    Ok(Table { headers, rows })
}

/// The first sheet of an XLSX workbook, read cell by cell (calamine's cell
/// reader: a stray far-away cell does not make a dense grid). Numbers become their
/// text (whole numbers without `.0`); at most 100 columns.
fn read_xlsx(file: &[u8], max_rows: usize) -> Result<Table> {
    use calamine::{DataRef, DataType, Reader, Xlsx};
    const MAX_COLUMNS: u32 = 100;
    let unreadable =
        |e: &dyn std::fmt::Display| Error::invalid("file", format!("is not a readable XLSX workbook: {e}"));
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(file)).map_err(|e| unreadable(&e))?;
    let sheet = book.sheet_names().first().cloned().ok_or_else(|| Error::invalid("file", "has no sheet"))?;
    let mut cells = book.worksheet_cells_reader(&sheet).map_err(|e| unreadable(&e))?;
    let mut grid: Vec<Vec<String>> = Vec::new();
    while let Some(cell) = cells.next_cell().map_err(|e| unreadable(&e))? {
        let (row, col) = cell.get_position();
        if col >= MAX_COLUMNS {
            return Err(Error::invalid("file", format!("at most {MAX_COLUMNS} columns")));
        }
        if row as usize > max_rows {
            return Err(too_many(max_rows));
        }
        let text = match cell.get_value() {
            DataRef::Empty => continue,
            DataRef::String(s) => s.trim().to_string(),
            DataRef::SharedString(s) => s.trim().to_string(),
            DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
            DataRef::Float(f) => f.to_string(),
            DataRef::Int(i) => i.to_string(),
            DataRef::Bool(b) => b.to_string(),
            other => other.as_string().unwrap_or_default(),
        };
        let (row, col) = (row as usize, col as usize);
        if grid.len() <= row {
            grid.resize_with(row + 1, Vec::new);
        }
        if grid[row].len() <= col {
            grid[row].resize(col + 1, String::new());
        }
        grid[row][col] = text;
    }
    let mut lines = grid.into_iter();
    let headers = lines.next().unwrap_or_default().iter().map(|h| column_name(h)).collect();
    let rows = lines
        .enumerate()
        .filter(|(_, r)| r.iter().any(|c| !c.is_empty()))
        .map(|(i, r)| (i32::try_from(i).unwrap_or(i32::MAX).saturating_add(2), Ok(r)))
        .collect();
    Ok(Table { headers, rows })
}

/// Every row checked as the JSON endpoints check an attendee: the rows that
/// pass, and every problem by row and column.
pub(crate) fn check_table(table: Table) -> (Vec<Checked>, Vec<RowError>) {
    let (mut errors, mut checked) = (Vec::new(), Vec::new());
    for (line, record) in table.rows {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(RowError { row: line, column: String::new(), message: format!("cannot be read: {e}") });
                continue;
            }
        };
        let mut input = AttendeeInput::default();
        let mut custom = serde_json::Map::new();
        for (h, value) in table.headers.iter().zip(record.iter()) {
            let v = (!value.is_empty()).then(|| value.to_string());
            match h.as_str() {
                "platform_id" => input.platform_id = v,
                "name" => input.name = value.to_string(),
                "email" => input.email = v,
                "company" => input.company = v,
                "title" => input.title = v,
                "phone" => input.phone = v,
                "country" => input.country = v,
                "ticket_type" => input.ticket_type = v,
                other => {
                    if let Some(v) = v {
                        custom.insert(other.to_string(), serde_json::Value::String(v));
                    }
                }
            }
        }
        input.custom_fields = Some(custom);
        let mut v = Validator::new();
        let c = check(&mut v, "", &input);
        if input.platform_id.is_none() && input.email.is_none() {
            v.push("email", "an attendee needs an e-mail address or a platform id");
        }
        match v.finish() {
            Ok(()) => checked.extend(c),
            Err(fields) => {
                errors.extend(fields.into_iter().map(|f| RowError { row: line, column: f.field, message: f.message }))
            }
        }
    }
    (checked, errors)
}

/// The errors of a file's rows as field errors (`rows[<line>].<column>`).
pub(crate) fn row_errors(errors: &[RowError]) -> Error {
    Error::Invalid(
        errors
            .iter()
            .map(|e| validate::FieldError::new(&format!("rows[{}].{}", e.row, e.column), e.message.clone()))
            .collect(),
    )
}

/// Reads attendees from a CSV or XLSX file (a header row naming the columns:
/// platform_id, name, email, company, title, phone, country, ticket_type; any
/// other column becomes a custom field). A preview (`dry_run`) reports every bad
/// row and writes nothing; an import writes all rows in one transaction, or none
/// when a row has a problem (422, each naming its row and column).
#[tracing::instrument(skip_all, fields(event.id = %event_id, bytes = file.len(), dry_run))]
pub async fn import_file(
    svc: &Services,
    p: &Principal,
    org: Option<Uuid>,
    event_id: Uuid,
    file: Vec<u8>,
    dry_run: bool,
) -> Result<ImportReport> {
    let (checked, errors, rows) = tokio::task::spawn_blocking(move || {
        let table = read_table(&file, MAX_IMPORT_ROWS)?;
        let rows = i32::try_from(table.rows.len()).unwrap_or(i32::MAX);
        let (checked, errors) = check_table(table);
        Ok::<_, Error>((checked, errors, rows))
    })
    .await
    .map_err(|e| Error::Internal(e.into()))??;
    let valid = i32::try_from(checked.len()).unwrap_or(i32::MAX);
    let mut report = ImportReport { rows, valid, errors, imported: false, created: 0, updated: 0 };
    if dry_run {
        let mut tx = svc.store.read().await?;
        event_of_org(&mut tx, p, org, event_id, true).await?;
        return Ok(report);
    }
    if !report.errors.is_empty() {
        return Err(row_errors(&report.errors));
    }
    let mut tx = svc.store.write().await?;
    let event = event_of_org(&mut tx, p, org, event_id, true).await?;
    let (created, updated, _) = write_all(svc, &mut tx, &event, checked.into_iter()).await?;
    tx.commit().await?;
    tracing::info!(created, updated, "attendees imported");
    report.imported = true;
    report.created = created;
    report.updated = updated;
    Ok(report)
}

/// A page of the event's attendees (organizers).
pub async fn list_attendees(
    svc: &Services,
    p: &Principal,
    org: Option<Uuid>,
    event_id: Uuid,
    query: AttendeeQuery,
) -> Result<Page<Attendee>> {
    let limit = pagination::limit(query.limit)?;
    let after: Option<Uuid> = pagination::decode(query.cursor.as_deref())?;
    let search =
        validate::optional_text("search", query.search.as_deref(), 200).map_err(|e| Error::Invalid(vec![e]))?;
    let search = search.map(|s| s.to_lowercase());
    let mut tx = svc.store.read().await?;
    event_of_org(&mut tx, p, org, event_id, true).await?;
    let rows = q::list(&mut tx, event_id, search.as_deref(), after, i64::from(limit) + 1).await?;
    let page = pagination::page(rows, limit, |a| a.id);
    Ok(Page { items: page.items.into_iter().map(|a| view(svc, a)).collect(), next_cursor: page.next_cursor })
}

async fn row(tx: &mut Tx, p: &Principal, org: Option<Uuid>, event_id: Uuid, id: Uuid) -> Result<AttendeeRow> {
    event_of_org(tx, p, org, event_id, true).await?;
    q::get(tx, event_id, id).await?.ok_or(Error::NotFound("attendee"))
}

/// One attendee (organizers).
pub async fn get_attendee(
    svc: &Services,
    p: &Principal,
    org: Option<Uuid>,
    event_id: Uuid,
    id: Uuid,
) -> Result<Attendee> {
    let mut tx = svc.store.read().await?;
    Ok(view(svc, row(&mut tx, p, org, event_id, id).await?))
}

/// Changes an attendee (organizers).
#[tracing::instrument(skip_all, fields(event.id = %event_id, attendee.id = %id))]
pub async fn update_attendee(
    svc: &Services,
    p: &Principal,
    org: Option<Uuid>,
    event_id: Uuid,
    id: Uuid,
    input: UpdateAttendee,
) -> Result<Attendee> {
    let mut tx = svc.store.write().await?;
    let mut a = row(&mut tx, p, org, event_id, id).await?;
    let mut v = Validator::new();
    let opt = |field: &str, val: &Option<Option<String>>, max: usize| {
        val.as_ref().map(|x| validate::optional_text(field, x.as_deref(), max))
    };
    v.set(&mut a.platform_id, opt("platform_id", &input.platform_id, 200));
    v.set(&mut a.name, input.name.as_deref().map(|n| validate::text("name", n, 1, 200)));
    v.set(&mut a.email, input.email.as_ref().map(|x| validate::optional_email("email", x.as_deref())));
    v.set(&mut a.company, opt("company", &input.company, 200));
    v.set(&mut a.title, opt("title", &input.title, 200));
    v.set(&mut a.phone, opt("phone", &input.phone, 50));
    v.set(&mut a.country, opt("country", &input.country, 100));
    v.set(&mut a.ticket_type, opt("ticket_type", &input.ticket_type, 100));
    if let Some(c) = &input.custom_fields
        && let Some(c) = v.check(validate::scalar_map("custom_fields", c))
    {
        a.custom_fields = JsonColumn(c);
    }
    if a.platform_id.is_none() && a.email.is_none() {
        v.push("email", "an attendee needs an e-mail address or a platform id");
    }
    a.platform_user_id = a.platform_id.as_deref().map(ids::external_id);
    if let Some(o) = input.scan_opt_out {
        a.scan_opt_out = o;
    }
    v.finish()?;
    a.updated_at = time::now();
    q::update(&mut tx, &a).await.map_err(taken)?;
    tx.commit().await?;
    Ok(view(svc, a))
}

/// Removes an attendee (organizers); their badge stops working. Leads sponsors
/// took stay theirs.
#[tracing::instrument(skip_all, fields(event.id = %event_id, attendee.id = %id))]
pub async fn delete_attendee(svc: &Services, p: &Principal, org: Option<Uuid>, event_id: Uuid, id: Uuid) -> Result<()> {
    let mut tx = svc.store.write().await?;
    row(&mut tx, p, org, event_id, id).await?;
    q::delete(&mut tx, event_id, id).await?;
    tx.commit().await?;
    Ok(())
}

/// Gives the attendee a new badge code; the old one stops working at once.
#[tracing::instrument(skip_all, fields(event.id = %event_id, attendee.id = %id))]
pub async fn reissue_badge(
    svc: &Services,
    p: &Principal,
    org: Option<Uuid>,
    event_id: Uuid,
    id: Uuid,
) -> Result<Attendee> {
    let mut tx = svc.store.write().await?;
    let mut a = row(&mut tx, p, org, event_id, id).await?;
    a.badge_generation += 1;
    a.badge_hash = Some(badge_hash(&badge_code(&svc.badge_secret, a.id, a.badge_generation)));
    a.updated_at = time::now();
    q::update(&mut tx, &a).await?;
    tx.commit().await?;
    Ok(view(svc, a))
}

/// Revokes the attendee's badge: scans of it record nothing until a new one is
/// issued.
#[tracing::instrument(skip_all, fields(event.id = %event_id, attendee.id = %id))]
pub async fn revoke_badge(
    svc: &Services,
    p: &Principal,
    org: Option<Uuid>,
    event_id: Uuid,
    id: Uuid,
) -> Result<Attendee> {
    let mut tx = svc.store.write().await?;
    let mut a = row(&mut tx, p, org, event_id, id).await?;
    a.badge_hash = None;
    a.updated_at = time::now();
    q::update(&mut tx, &a).await?;
    tx.commit().await?;
    Ok(view(svc, a))
}

/// The caller's own attendee record in the event, with their badge: the
/// attendee their platform id names, else the one with their e-mail address.
/// Anyone else's is missing (404).
pub async fn my_badge(svc: &Services, p: &Principal, event_id: Uuid) -> Result<Attendee> {
    let mut tx = svc.store.read().await?;
    let found = q::of_user(&mut tx, event_id, p.user_id, &p.email.to_lowercase()).await?;
    Ok(view(svc, found.ok_or(Error::NotFound("attendee"))?))
}

/// The attendee of the event whose current badge this is, for a capture; `None`
/// for an unknown, revoked or other event's badge (a scan of it records nothing).
pub(crate) async fn by_badge(tx: &mut Tx, event_id: Uuid, code: &str) -> Result<Option<AttendeeRow>> {
    let found = q::by_badge_hash(tx, &badge_hash(&normalize_code(code))).await?;
    Ok(found.filter(|a| a.event_id == event_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn badge_codes_are_128_bits_and_change_with_the_generation() {
        let (s, id) = (b"secret".as_slice(), Uuid::nil());
        let c1 = badge_code(s, id, 1);
        assert_eq!(c1.len(), 32);
        assert!(c1.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase()));
        assert_eq!(c1, badge_code(s, id, 1));
        assert_ne!(c1, badge_code(s, id, 2));
        assert_ne!(c1, badge_code(b"other", id, 1));
        assert_eq!(badge_hash(&normalize_code(&format!(" {} ", c1.to_lowercase()))), badge_hash(&c1));
    }
}
