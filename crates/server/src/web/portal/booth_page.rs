//! The booth page editor (staff who manage the booth, and organizers): the hall,
//! the Markdown description, opening hours and links, one a line, the demo
//! video, and the files attendees download (docs/DECISIONS.md, "Booth pages").

use super::*;
use axum::extract::Multipart;
use axum::http::HeaderMap;
use sponsorhub_domain::validate::FieldError;
use sponsorhub_services::booths::{self, BoothInput, BoothView};
use sponsorhub_services::content::{self, ContentItemView, NewContent};
use sponsorhub_store::booths::{BoothLink, OpeningHours};

#[derive(Deserialize, Default, Clone)]
pub struct BoothForm {
    #[serde(default)]
    hall: String,
    #[serde(default)]
    description: String,
    /// One day a line: `YYYY-MM-DD HH:MM-HH:MM`.
    #[serde(default)]
    hours: String,
    /// One link a line: `label | https://…`.
    #[serde(default)]
    links: String,
    #[serde(default)]
    demo_video_url: String,
}

impl BoothForm {
    fn of(b: &BoothView) -> BoothForm {
        BoothForm {
            hall: b.hall.clone().unwrap_or_default(),
            description: b.description.clone().unwrap_or_default(),
            hours: b
                .opening_hours
                .iter()
                .map(|h| format!("{} {}-{}", h.day, h.opens, h.closes))
                .collect::<Vec<_>>()
                .join("\n"),
            links: b.links.iter().map(|l| format!("{} | {}", l.label, l.url)).collect::<Vec<_>>().join("\n"),
            demo_video_url: b.demo_video_url.clone().unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "booth_page.html")]
struct BoothEditPage {
    ctx: Ctx,
    nav: SponsorNav,
    form: BoothForm,
    errors: FieldErrors,
    /// The booth's files, in the order they were added.
    content: Vec<ContentItemView>,
    /// The title typed with a refused upload.
    upload_title: String,
    /// A refused upload's errors (`file`, `file_name`, `title`).
    upload_errors: FieldErrors,
}

/// What the page shows again after a refused upload.
#[derive(Default)]
struct Upload {
    title: String,
    errors: FieldErrors,
}

/// The editor page; `upload` is what a refused upload shows again (else the default).
async fn editor(
    s: &AppState,
    ctx: Ctx,
    p: &Principal,
    sponsor_id: Uuid,
    form: Option<BoothForm>,
    errors: FieldErrors,
    upload: Upload,
) -> Result<Response, WebError> {
    let nav = sponsor_nav(s, p, sponsor_id, "booth").await?;
    if !nav.caps.edit_profile {
        return Err(Error::Forbidden("only staff who manage the booth and the organizers edit its page".into()).into());
    }
    let form = match form {
        Some(f) => f,
        None => BoothForm::of(&booths::get_booth(&s.services, p, sponsor_id).await?),
    };
    let content = content::list_content(&s.services, p, sponsor_id).await?;
    let failed = errors.any() || upload.errors.any();
    let mut res = html(&BoothEditPage {
        ctx,
        nav,
        form,
        errors,
        content,
        upload_title: upload.title,
        upload_errors: upload.errors,
    });
    if failed {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

pub async fn booth_page(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(sponsor_id): Path<Uuid>,
) -> Result<Response, WebError> {
    editor(&s, ctx, &p, sponsor_id, None, FieldErrors::default(), Upload::default()).await
}

/// The lines of the hours field; a line that does not read as a day and two
/// times is named.
fn parse_hours(text: &str) -> Result<Vec<OpeningHours>, FieldError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().map(str::trim).enumerate().filter(|(_, l)| !l.is_empty()) {
        let bad = || {
            FieldError::new("hours", format!("line {}: write a day and two times, as in 2026-09-08 09:00-17:00", i + 1))
        };
        let (day, times) = line.split_once(char::is_whitespace).ok_or_else(bad)?;
        let (opens, closes) = times.trim().split_once('-').ok_or_else(bad)?;
        let day = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| bad())?;
        out.push(OpeningHours { day, opens: opens.trim().to_string(), closes: closes.trim().to_string() });
    }
    Ok(out)
}

/// The lines of the links field: `label | url`, or a bare URL (its own label).
fn parse_links(text: &str) -> Vec<BoothLink> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| match line.rsplit_once('|') {
            Some((label, url)) => BoothLink { label: label.trim().to_string(), url: url.trim().to_string() },
            None => BoothLink { label: line.to_string(), url: line.to_string() },
        })
        .collect()
}

/// A service error about `links[2].url` names the form's field and its line.
fn form_field(e: FieldError) -> FieldError {
    for (prefix, field) in [("opening_hours[", "hours"), ("links[", "links")] {
        if let Some(i) =
            e.field.strip_prefix(prefix).and_then(|r| r.split(']').next()).and_then(|i| i.parse::<usize>().ok())
        {
            return FieldError::new(field, format!("line {}: {}", i + 1, e.message));
        }
    }
    match e.field.as_str() {
        "opening_hours" => FieldError::new("hours", e.message),
        _ => e,
    }
}

pub async fn save_booth_page(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(sponsor_id): Path<Uuid>,
    CsrfForm(form): CsrfForm<BoothForm>,
) -> Result<Response, WebError> {
    let back = format!("/portal/sponsors/{sponsor_id}/booth-page");
    let hours = match parse_hours(&form.hours) {
        Ok(h) => h,
        Err(e) => return editor(&s, ctx, &p, sponsor_id, Some(form), FieldErrors(vec![e]), Upload::default()).await,
    };
    let input = BoothInput {
        hall: Some(form.hall.clone()),
        description: Some(form.description.clone()),
        opening_hours: hours,
        links: parse_links(&form.links),
        demo_video_url: Some(form.demo_video_url.clone()),
    };
    match booths::put_booth(&s.services, &p, sponsor_id, input).await {
        Ok(_) => Ok(ctx.success(&back, "Booth page saved.")),
        Err(Error::Invalid(fields)) => {
            let errors = FieldErrors(fields.into_iter().map(form_field).collect());
            editor(&s, ctx, &p, sponsor_id, Some(form), errors, Upload::default()).await
        }
        Err(e) => Ok(ctx.refused(&back, e)),
    }
}

/// Adds a file to the booth page (a multipart form: `title`, `file`); a refused
/// upload shows the editor again with the error at its field and the title kept
/// (the file must be chosen again: a browser never fills a file input).
pub async fn add_booth_content(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(sponsor_id): Path<Uuid>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    let (mut csrf, mut title, mut file_name, mut bytes) = (String::new(), String::new(), String::new(), None);
    while let Some(field) = multipart.next_field().await.map_err(|_| WebError::BadForm)? {
        match field.name().unwrap_or_default() {
            "file" => {
                file_name = field.file_name().unwrap_or_default().to_string();
                bytes = Some(field.bytes().await.map_err(|_| WebError::BadForm)?);
            }
            "_csrf" => csrf = field.text().await.map_err(|_| WebError::BadForm)?,
            "title" => title = field.text().await.map_err(|_| WebError::BadForm)?,
            _ => {}
        }
    }
    match crate::session::csrf_key(&headers) {
        Some(key) if crate::session::csrf_ok(key, &csrf) => {}
        _ => return Err(WebError::Csrf),
    }
    let back = format!("/portal/sponsors/{sponsor_id}/booth-page");
    // A browser sends an empty, nameless file part when no file was chosen.
    let input = NewContent { title: Some(title.clone()), file_name, bytes: bytes.unwrap_or_default() };
    match content::add_content(&s.services, &p, sponsor_id, input).await {
        Ok(item) => Ok(ctx.success(&back, format!("Added {}.", item.title))),
        Err(Error::Invalid(fields)) => {
            let upload = Upload { title, errors: FieldErrors(fields) };
            editor(&s, ctx, &p, sponsor_id, None, FieldErrors::default(), upload).await
        }
        Err(e) => Ok(ctx.refused(&back, e)),
    }
}

#[derive(Deserialize, Default)]
pub struct RenameContentForm {
    #[serde(default)]
    title: String,
}

/// Renames a file of the booth page.
pub async fn rename_booth_content(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path((sponsor_id, item_id)): Path<(Uuid, Uuid)>,
    CsrfForm(form): CsrfForm<RenameContentForm>,
) -> Result<Response, WebError> {
    let back = format!("/portal/sponsors/{sponsor_id}/booth-page");
    match content::rename_content(&s.services, &p, sponsor_id, item_id, &form.title).await {
        Ok(item) => Ok(ctx.success(&back, format!("Renamed to {}.", item.title))),
        Err(e) => Ok(ctx.refused(&back, e)),
    }
}

/// Removes a file from the booth page (and from the object store).
pub async fn remove_booth_content(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path((sponsor_id, item_id)): Path<(Uuid, Uuid)>,
    CsrfForm(_): CsrfForm<super::Empty>,
) -> Result<Response, WebError> {
    let back = format!("/portal/sponsors/{sponsor_id}/booth-page");
    match content::remove_content(&s.services, &p, sponsor_id, item_id).await {
        Ok(()) => Ok(ctx.success(&back, "File removed.")),
        Err(e) => Ok(ctx.refused(&back, e)),
    }
}
