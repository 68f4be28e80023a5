//! Downloadable content items of a booth page (docs/DECISIONS.md, "Booth
//! pages"): files of at most 20 MB that staff who manage the booth and
//! organizers add, rename and remove; attendees download them from the booth's
//! page. The metadata is in the database, the bytes in the object store under a
//! random key that is never shown. The type is told from the content (the file
//! name only picks among the office formats that share a container); active
//! content (HTML, SVG, XML, scripts, executables) is refused, and every file is
//! served as an attachment that the browser must not sniff. A signed-in
//! attendee who downloads with their consent becomes the sponsor's lead
//! (`content_download`) through the capture service.

use crate::authz::SponsorAccess;
use crate::booths::BoothPage;
use crate::capture::CaptureReceipt;
use crate::{Error, Principal, Result, Services};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sponsorhub_domain::scoring::InteractionType;
use sponsorhub_domain::time;
use sponsorhub_domain::validate::{self, FieldError, Validator};
use sponsorhub_store::content::{self as q, ContentItem};
use uuid::Uuid;

/// The largest content file: 20 MiB.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;
/// At most this many items on a booth page.
pub const MAX_ITEMS: i64 = 50;
/// The longest title and file name, in characters.
pub const MAX_NAME: usize = 200;
/// The field a file's errors name (the form's file input, the request body).
pub const FIELD: &str = "file";

/// A content item as staff and attendees see it (never its storage key).
/// Files are uploaded over REST only (`POST .../booth/content`, the raw file as
/// the body); GraphQL lists, renames and removes them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject), graphql(name = "BoothContentItem"))]
pub struct ContentItemView {
    pub id: Uuid,
    pub sponsor_id: Uuid,
    pub title: String,
    /// The name the file downloads as.
    pub file_name: String,
    /// What the content was found to be.
    pub content_type: String,
    pub byte_size: i64,
    /// Where attendees download it: the booth's public page's link.
    pub download_url: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ContentItemView {
    fn of(svc: &Services, event: Uuid, i: ContentItem) -> ContentItemView {
        ContentItemView {
            download_url: format!(
                "{}/directory/{event}/sponsors/{}/content/{}",
                svc.public_url.trim_end_matches('/'),
                i.sponsor_id,
                i.id
            ),
            id: i.id,
            sponsor_id: i.sponsor_id,
            title: i.title,
            file_name: i.file_name,
            content_type: i.content_type,
            byte_size: i.byte_size,
            created_at: i.created_at,
            updated_at: i.updated_at,
        }
    }

    /// The size as people read it: `840 KB`, `2.4 MB`.
    pub fn size_label(&self) -> String {
        let b = self.byte_size as f64;
        if b < 1024.0 * 1024.0 {
            format!("{} KB", ((b / 1024.0).ceil() as i64).max(1))
        } else {
            format!("{:.1} MB", b / (1024.0 * 1024.0))
        }
    }

    /// The kind of file, in words: `PDF`, `PNG image`, `Word document`.
    pub fn kind_label(&self) -> &'static str {
        KINDS.iter().find(|k| k.content_type == self.content_type).map(|k| k.label).unwrap_or("File")
    }
}

/// A new title for a content item.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RenameContentItem {
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub title: String,
}

/// An uploaded file with its title (the file's name when none is given).
pub struct NewContent {
    pub title: Option<String>,
    pub file_name: String,
    pub bytes: Bytes,
}

/// A kind of file that may be offered for download.
struct Kind {
    content_type: &'static str,
    /// The extensions it may be named with; a name without one of them gets the first.
    exts: &'static [&'static str],
    label: &'static str,
}

const fn kind(content_type: &'static str, exts: &'static [&'static str], label: &'static str) -> Kind {
    Kind { content_type, exts, label }
}

const PDF: Kind = kind("application/pdf", &["pdf"], "PDF");
const PNG: Kind = kind("image/png", &["png"], "PNG image");
const JPEG: Kind = kind("image/jpeg", &["jpg", "jpeg"], "JPEG image");
const GIF: Kind = kind("image/gif", &["gif"], "GIF image");
const WEBP: Kind = kind("image/webp", &["webp"], "WebP image");
const DOCX: Kind =
    kind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", &["docx"], "Word document");
const XLSX: Kind =
    kind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", &["xlsx"], "Excel workbook");
const PPTX: Kind =
    kind("application/vnd.openxmlformats-officedocument.presentationml.presentation", &["pptx"], "PowerPoint deck");
const ODT: Kind = kind("application/vnd.oasis.opendocument.text", &["odt"], "OpenDocument text");
const ODS: Kind = kind("application/vnd.oasis.opendocument.spreadsheet", &["ods"], "OpenDocument spreadsheet");
const ODP: Kind = kind("application/vnd.oasis.opendocument.presentation", &["odp"], "OpenDocument presentation");
const DOC: Kind = kind("application/msword", &["doc"], "Word document");
const XLS: Kind = kind("application/vnd.ms-excel", &["xls"], "Excel workbook");
const PPT: Kind = kind("application/vnd.ms-powerpoint", &["ppt"], "PowerPoint deck");
const ZIP: Kind = kind("application/zip", &["zip"], "ZIP archive");
const CSV: Kind = kind("text/csv", &["csv"], "CSV table");
const TEXT: Kind = kind("text/plain", &["txt", "md", "text"], "Text");

static KINDS: [&Kind; 17] =
    [&PDF, &PNG, &JPEG, &GIF, &WEBP, &DOCX, &XLSX, &PPTX, &ODT, &ODS, &ODP, &DOC, &XLS, &PPT, &ZIP, &CSV, &TEXT];

/// Every type a content file may be found to be (what its download answers with).
pub fn content_types() -> impl Iterator<Item = &'static str> {
    KINDS.iter().map(|k| k.content_type)
}

const ACCEPTED: &str = "must be a PDF, an image (PNG, JPEG, GIF, WebP), an office document (Word, Excel, \
    PowerPoint, OpenDocument), a ZIP archive or plain text";

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Tells the kind of file from its content; the name's extension only picks
/// among the office formats that share a container (ZIP, OLE2).
fn sniff(bytes: &[u8], ext: &str) -> std::result::Result<&'static Kind, FieldError> {
    let bad = |m: &str| FieldError::new(FIELD, m);
    let head = &bytes[..bytes.len().min(64)];
    // Programs: Windows PE, ELF, Mach-O (and Java classes), scripts.
    let executable = head.starts_with(b"MZ")
        || head.starts_with(b"\x7fELF")
        || [b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe"]
            .iter()
            .any(|m| head.starts_with(*m))
        || head.starts_with(b"#!");
    if executable {
        return Err(bad("is a program: programs and scripts are not offered for download"));
    }
    if head.starts_with(b"%PDF-") {
        return Ok(&PDF);
    }
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(&PNG);
    }
    if head.starts_with(b"\xff\xd8\xff") {
        return Ok(&JPEG);
    }
    if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        return Ok(&GIF);
    }
    if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        return Ok(&WEBP);
    }
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        // OpenDocument names its type in a first, stored entry called `mimetype`.
        if head.len() >= 38 && &head[30..38] == b"mimetype" {
            let rest = &bytes[38..bytes.len().min(38 + 64)];
            for (mime, k) in [
                (&b"application/vnd.oasis.opendocument.text"[..], &ODT),
                (b"application/vnd.oasis.opendocument.spreadsheet", &ODS),
                (b"application/vnd.oasis.opendocument.presentation", &ODP),
            ] {
                if rest.starts_with(mime) && !rest[mime.len()..].starts_with(b"-") {
                    return Ok(k);
                }
            }
        }
        if contains(bytes, b"[Content_Types].xml") {
            match ext {
                "docx" => return Ok(&DOCX),
                "xlsx" => return Ok(&XLSX),
                "pptx" => return Ok(&PPTX),
                _ => {}
            }
        }
        return Ok(&ZIP);
    }
    if head.starts_with(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") {
        // The same container holds installers (.msi): only the office names pass.
        return match ext {
            "doc" => Ok(&DOC),
            "xls" => Ok(&XLS),
            "ppt" => Ok(&PPT),
            _ => Err(bad(ACCEPTED)),
        };
    }
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)).map_err(|_| bad(ACCEPTED))?;
    if text.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c')) {
        return Err(bad(ACCEPTED));
    }
    let start = text.trim_start();
    let lower = start[..start.len().min(1024)].to_ascii_lowercase();
    if start.starts_with('<') || lower.contains("<html") || lower.contains("<script") || lower.contains("<svg") {
        return Err(bad("is HTML, SVG or XML: pages and markup are not offered for download"));
    }
    Ok(if ext == "csv" { &CSV } else { &TEXT })
}

/// The file name to download as: its last path segment, without control
/// characters, ending in an extension of its kind (`notes.html` found to be a
/// PDF downloads as `notes.html.pdf`).
fn file_name(raw: &str) -> std::result::Result<String, FieldError> {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = last.chars().filter(|c| !c.is_control()).collect();
    let clean = clean.trim().trim_start_matches('.').trim().to_string();
    if clean.is_empty() {
        return Err(FieldError::new("file_name", "must not be empty"));
    }
    if clean.chars().count() > MAX_NAME {
        return Err(FieldError::new("file_name", format!("must be at most {MAX_NAME} characters")));
    }
    Ok(clean)
}

fn extension(name: &str) -> String {
    name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default()
}

/// A checked upload: title, file name (with a fitting extension), type, bytes.
#[derive(Debug)]
pub struct CheckedContent {
    pub title: String,
    pub file_name: String,
    pub content_type: &'static str,
    pub bytes: Bytes,
}

/// Checks an upload; errors name `file`, `file_name` and `title`.
pub fn check(input: NewContent) -> std::result::Result<CheckedContent, Vec<FieldError>> {
    let mut v = Validator::new();
    let name = v.check(file_name(&input.file_name));
    let title = match input.title.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => v.check(validate::text("title", t, 1, MAX_NAME)),
        // the file's name, less its extension
        None => {
            name.as_ref().map(|n| n.rsplit_once('.').map(|(s, _)| s).filter(|s| !s.is_empty()).unwrap_or(n).to_string())
        }
    };
    let kind = if input.bytes.is_empty() {
        v.check::<()>(Err(FieldError::new(FIELD, "choose a file")));
        None
    } else if input.bytes.len() > MAX_BYTES {
        v.check::<()>(Err(FieldError::new(FIELD, "must be at most 20 MB")));
        None
    } else {
        v.check(sniff(&input.bytes, &extension(name.as_deref().unwrap_or_default())))
    };
    v.finish()?;
    let (Some(name), Some(title), Some(kind)) = (name, title, kind) else {
        unreachable!("the validator reported every missing part")
    };
    let file_name = if kind.exts.contains(&extension(&name).as_str()) {
        name
    } else {
        let mut n: String = name.chars().take(MAX_NAME - 1 - kind.exts[0].len()).collect();
        n.push('.');
        n.push_str(kind.exts[0]);
        n
    };
    Ok(CheckedContent { title, file_name, content_type: kind.content_type, bytes: input.bytes })
}

/// A file to hand out, with what it is.
pub struct Download {
    pub item: ContentItemView,
    pub bytes: Bytes,
    /// The lead interaction the download recorded (a signed-in attendee who shares
    /// their details with the sponsor).
    pub recorded: Option<CaptureReceipt>,
}

/// A random object key under the sponsor's folder: 256 random bits, never shown.
fn new_key(sponsor: Uuid) -> String {
    let random: [u8; 32] = rand::random();
    let hex: String = random.iter().map(|b| format!("{b:02x}")).collect();
    format!("booth-content/{sponsor}/{hex}")
}

/// The booth's content items: the sponsor's staff and the organizers.
pub async fn list_content(svc: &Services, p: &Principal, sponsor: Uuid) -> Result<Vec<ContentItemView>> {
    let mut tx = svc.store.read().await?;
    let access = SponsorAccess::load(&mut tx, p, sponsor).await?;
    let items = q::list(&mut tx, sponsor).await?;
    Ok(items.into_iter().map(|i| ContentItemView::of(svc, access.sponsor.event_id, i)).collect())
}

/// Adds a file to the booth page: staff who manage the booth, and organizers.
/// The bytes are stored first, then the row; a failed write removes the object
/// again.
#[tracing::instrument(skip_all, fields(sponsor.id = %sponsor, bytes = input.bytes.len()))]
pub async fn add_content(svc: &Services, p: &Principal, sponsor: Uuid, input: NewContent) -> Result<ContentItemView> {
    {
        // Who may, and room for one more, before anything is stored.
        let mut tx = svc.store.read().await?;
        let access = SponsorAccess::load(&mut tx, p, sponsor).await?;
        access.require_edit_profile()?;
        full(&mut tx, sponsor).await?;
    }
    let checked = check(input).map_err(Error::Invalid)?;
    let now = time::now();
    let item = ContentItem {
        id: sponsorhub_domain::ids::new_id(),
        sponsor_id: sponsor,
        title: checked.title,
        file_name: checked.file_name,
        content_type: checked.content_type.to_string(),
        byte_size: checked.bytes.len() as i64,
        sha256: Sha256::digest(&checked.bytes).iter().map(|b| format!("{b:02x}")).collect(),
        object_key: new_key(sponsor),
        created_by_user_id: Some(p.user_id),
        created_at: now,
        updated_at: now,
    };
    svc.objects.put(&item.object_key, checked.bytes).await?;
    let written = async {
        let mut tx = svc.store.write().await?;
        let access = SponsorAccess::load(&mut tx, p, sponsor).await?;
        access.require_edit_profile()?;
        full(&mut tx, sponsor).await?;
        q::insert(&mut tx, &item).await?;
        tx.commit().await?;
        Ok::<_, Error>(access.sponsor.event_id)
    }
    .await;
    match written {
        Ok(event) => {
            tracing::info!(content.id = %item.id, "booth content added");
            Ok(ContentItemView::of(svc, event, item))
        }
        Err(e) => {
            if let Err(cleanup) = svc.objects.delete(&item.object_key).await {
                tracing::warn!(error = %cleanup, "an unrecorded content file stays in the object store");
            }
            Err(e)
        }
    }
}

/// 422 at the file when the booth has [`MAX_ITEMS`] already.
async fn full(tx: &mut sponsorhub_store::Tx, sponsor: Uuid) -> Result<()> {
    if q::count(tx, sponsor).await? >= MAX_ITEMS {
        return Err(Error::invalid(FIELD, format!("a booth page holds at most {MAX_ITEMS} files: remove one first")));
    }
    Ok(())
}

/// Renames a content item: staff who manage the booth, and organizers.
#[tracing::instrument(skip_all, fields(sponsor.id = %sponsor, content.id = %item))]
pub async fn rename_content(
    svc: &Services,
    p: &Principal,
    sponsor: Uuid,
    item: Uuid,
    title: &str,
) -> Result<ContentItemView> {
    let mut tx = svc.store.write().await?;
    let access = SponsorAccess::load(&mut tx, p, sponsor).await?;
    access.require_edit_profile()?;
    let title = validate::text("title", title, 1, MAX_NAME).map_err(|e| Error::Invalid(vec![e]))?;
    if !q::rename(&mut tx, sponsor, item, &title, time::now()).await? {
        return Err(Error::NotFound("content item"));
    }
    let renamed = q::get(&mut tx, sponsor, item).await?.ok_or(Error::NotFound("content item"))?;
    tx.commit().await?;
    Ok(ContentItemView::of(svc, access.sponsor.event_id, renamed))
}

/// Removes a content item: staff who manage the booth, and organizers. Its
/// object is deleted once the row's removal is committed.
#[tracing::instrument(skip_all, fields(sponsor.id = %sponsor, content.id = %item))]
pub async fn remove_content(svc: &Services, p: &Principal, sponsor: Uuid, item: Uuid) -> Result<()> {
    let mut tx = svc.store.write().await?;
    let access = SponsorAccess::load(&mut tx, p, sponsor).await?;
    access.require_edit_profile()?;
    let key = q::delete(&mut tx, sponsor, item).await?.ok_or(Error::NotFound("content item"))?;
    tx.commit().await?;
    if let Err(e) = svc.objects.delete(&key).await {
        // The row is gone: nothing links to the object any more.
        tracing::warn!(error = %e, "a removed content file stays in the object store");
    }
    Ok(())
}

/// A content file for the sponsor's staff and the organizers (records nothing).
pub async fn staff_download(svc: &Services, p: &Principal, sponsor: Uuid, item: Uuid) -> Result<Download> {
    let (event, found) = {
        let mut tx = svc.store.read().await?;
        let access = SponsorAccess::load(&mut tx, p, sponsor).await?;
        (access.sponsor.event_id, q::get(&mut tx, sponsor, item).await?.ok_or(Error::NotFound("content item"))?)
    };
    let bytes = svc.objects.get(&found.object_key).await?;
    Ok(Download { item: ContentItemView::of(svc, event, found), bytes, recorded: None })
}

/// The booth's page as its visitors see it, with its content items.
pub async fn booth_page(
    svc: &Services,
    caller: Option<&Principal>,
    event: Uuid,
    sponsor: Uuid,
) -> Result<(BoothPage, Vec<ContentItemView>)> {
    let page = crate::booths::booth_page(svc, caller, event, sponsor).await?;
    let mut tx = svc.store.read().await?;
    let items = q::list(&mut tx, sponsor).await?;
    Ok((page, items.into_iter().map(|i| ContentItemView::of(svc, event, i)).collect()))
}

/// What a signed-in visitor is asked before a download.
pub struct DownloadOffer {
    pub event: crate::events::PublicEvent,
    pub sponsor: crate::sponsors::PublicSponsor,
    pub item: ContentItemView,
    /// They share their details with the sponsor already: the download is
    /// recorded on their lead without asking.
    pub shared: bool,
}

/// The booth as its page's visitors may see it (the event's hall rules decide),
/// and whether the caller shares their details with the sponsor; no visit is
/// recorded.
async fn visible_booth(
    svc: &Services,
    caller: Option<&Principal>,
    event: Uuid,
    sponsor: Uuid,
) -> Result<(crate::events::PublicEvent, crate::sponsors::PublicSponsor, bool)> {
    let public_event = crate::events::hall_event(svc, caller, event).await?;
    let (_, listing) = crate::sponsors::public_sponsor(svc, caller, event, sponsor).await?;
    let shared = match caller {
        Some(p) => {
            let mut tx = svc.store.read().await?;
            crate::booths::has_shared(&mut tx, sponsor, p.user_id).await?
        }
        None => false,
    };
    Ok((public_event, listing, shared))
}

/// What a signed-in visitor is asked before a download: the sponsor, the item,
/// and whether they share their details with the sponsor already.
pub async fn download_offer(
    svc: &Services,
    p: &Principal,
    event: Uuid,
    sponsor: Uuid,
    item: Uuid,
) -> Result<DownloadOffer> {
    let (event_view, listing, shared) = visible_booth(svc, Some(p), event, sponsor).await?;
    let mut tx = svc.store.read().await?;
    let found = q::get(&mut tx, sponsor, item).await?.ok_or(Error::NotFound("content item"))?;
    Ok(DownloadOffer { event: event_view, sponsor: listing, item: ContentItemView::of(svc, event, found), shared })
}

/// A visitor downloads a content item from the booth's page (whoever may see
/// the page). A signed-in visitor who shares their details with the sponsor —
/// before, or now with `share` — becomes its lead with a `content_download`
/// interaction through the capture service; anyone else downloads without
/// anything recorded.
#[tracing::instrument(skip_all, fields(sponsor.id = %sponsor, content.id = %item))]
pub async fn public_download(
    svc: &Services,
    caller: Option<&Principal>,
    event: Uuid,
    sponsor: Uuid,
    item: Uuid,
    share: bool,
) -> Result<Download> {
    let (_, _, shared_before) = visible_booth(svc, caller, event, sponsor).await?;
    let found = {
        let mut tx = svc.store.read().await?;
        q::get(&mut tx, sponsor, item).await?.ok_or(Error::NotFound("content item"))?
    };
    let bytes = svc.objects.get(&found.object_key).await?;
    let recorded = match caller {
        Some(p) if share || shared_before => {
            let input = crate::capture::CaptureLead {
                interaction_type: InteractionType::ContentDownload.as_str().to_string(),
                attendee: None,
                badge_code: None,
                source: None,
                device: None,
                occurred_at: None,
                metadata: Some(serde_json::json!({
                    "from": "booth_page",
                    "content_item_id": found.id,
                    "title": found.title,
                })),
                answers: None,
            };
            Some(crate::capture::capture_lead(svc, p, event, sponsor, input, None).await?.receipt)
        }
        _ => None,
    };
    Ok(Download { item: ContentItemView::of(svc, event, found), bytes, recorded })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(name: &str, bytes: &[u8]) -> NewContent {
        NewContent { title: None, file_name: name.into(), bytes: Bytes::copy_from_slice(bytes) }
    }

    fn type_of(name: &str, bytes: &[u8]) -> std::result::Result<(&'static str, String), String> {
        check(new(name, bytes)).map(|c| (c.content_type, c.file_name)).map_err(|e| e[0].message.clone())
    }

    #[test]
    fn the_content_decides_the_type() {
        assert_eq!(type_of("deck.pdf", b"%PDF-1.7\n...").unwrap(), ("application/pdf", "deck.pdf".into()));
        assert_eq!(type_of("x.html", b"%PDF-1.4").unwrap(), ("application/pdf", "x.html.pdf".into()));
        assert_eq!(type_of("a.png", b"\x89PNG\r\n\x1a\n\0\0").unwrap().0, "image/png");
        assert_eq!(type_of("a.gif", b"GIF89a..").unwrap().0, "image/gif");
        let ooxml = b"PK\x03\x04\x14\0\0\0\x08\0....[Content_Types].xml....";
        assert_eq!(type_of("plan.docx", ooxml).unwrap().0, DOCX.content_type);
        assert_eq!(type_of("plan.xlsx", ooxml).unwrap().0, XLSX.content_type);
        assert_eq!(type_of("plan.bin", ooxml).unwrap(), ("application/zip", "plan.bin.zip".into()));
        let mut odt = b"PK\x03\x04".to_vec();
        odt.resize(30, 0);
        odt.extend_from_slice(b"mimetypeapplication/vnd.oasis.opendocument.textPK");
        assert_eq!(type_of("a.odt", &odt).unwrap().0, ODT.content_type);
        let ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\0\0";
        assert_eq!(type_of("old.xls", ole).unwrap().0, "application/vnd.ms-excel");
        assert!(type_of("setup.msi", ole).is_err());
        assert_eq!(type_of("prices.csv", b"a,b\n1,2\n").unwrap().0, "text/csv");
        assert_eq!(type_of("notes", b"hello\n").unwrap(), ("text/plain", "notes.txt".into()));
    }

    #[test]
    fn active_content_and_programs_are_refused() {
        for (name, bytes) in [
            ("page.html", &b"<!doctype html><script>alert(1)</script>"[..]),
            ("x.txt", b"  <svg xmlns='http://www.w3.org/2000/svg'/>"),
            ("x.txt", b"hello <html> there"),
            ("tool.exe", b"MZ\x90\0"),
            ("tool", b"\x7fELF\x02\x01"),
            ("run.sh", b"#!/bin/sh\nrm -rf /"),
            ("bin.dat", b"\0\x01\x02\x03"),
        ] {
            assert!(type_of(name, bytes).is_err(), "{name} must be refused");
        }
        assert_eq!(type_of("a.pdf", b"").unwrap_err(), "choose a file");
        assert_eq!(type_of("a.pdf", &vec![b'%'; MAX_BYTES + 1]).unwrap_err(), "must be at most 20 MB");
    }

    #[test]
    fn names_and_titles() {
        let c = check(new("C:\\Users\\ada\\Brochure 2026.pdf", b"%PDF-1.7")).unwrap();
        assert_eq!((c.file_name.as_str(), c.title.as_str()), ("Brochure 2026.pdf", "Brochure 2026"));
        let errors = check(NewContent {
            title: Some("x".repeat(201)),
            file_name: "/".into(),
            bytes: Bytes::from_static(b"%PDF-1.7"),
        })
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["file_name", "title"]);
    }
}
