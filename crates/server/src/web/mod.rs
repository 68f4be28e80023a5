//! The server-rendered web UI: organizer console, sponsor portal with the live leads
//! dashboard, invitation acceptance and the public sponsor directory.
//!
//! Handlers parse the form or query, call the same service functions as REST and
//! GraphQL, and render an askama template compiled into the binary. They check no
//! permission and run no SQL: a service error becomes a page (404, 403, ...), a
//! flash message, or the form again with its field errors. Every POST carries the
//! CSRF token of [`crate::session`]; the session is the cookie set at login.

mod assets;
mod auth;
mod badge;
pub mod charts;
mod directory;
mod invitations;
mod media;
mod messages;
mod my_data;
mod organizer;
mod portal;
mod view;

use crate::session::{self, FLASH_COOKIE, PRE_COOKIE};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::DeserializeOwned;
use sponsorhub_services::{Error, Principal, accounts};

/// Every page and form of the UI.
pub fn router(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(auth::home))
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/signup", get(auth::signup_page).post(auth::signup))
        .route("/logout", post(auth::logout))
        .route("/events", get(organizer::events).post(organizer::create_event))
        .route("/events/{event_id}", get(organizer::event_page))
        .route("/events/{event_id}/tiers", get(organizer::tiers_page).post(organizer::create_tier))
        .route("/events/{event_id}/attendees", get(organizer::attendees_page))
        .route("/events/{event_id}/analytics", get(organizer::event_analytics_page))
        .route("/events/{event_id}/edit", get(organizer::edit_event_page).post(organizer::edit_event))
        .route("/events/{event_id}/tiers/{tier_id}/delete", post(organizer::delete_tier))
        .route(
            "/events/{event_id}/service-tokens",
            get(organizer::service_tokens_page).post(organizer::issue_service_token),
        )
        .route("/events/{event_id}/service-tokens/{token_id}/revoke", post(organizer::revoke_service_token))
        .route(
            "/events/{event_id}/attendees/imports",
            post(organizer::import_attendees)
                .layer(axum::extract::DefaultBodyLimit::max(sponsorhub_services::imports::MAX_BYTES)),
        )
        .route("/events/{event_id}/tiers/defaults", post(organizer::create_default_tiers))
        .route("/events/{event_id}/tiers/{tier_id}", post(organizer::update_tier))
        .route("/events/{event_id}/sponsors", post(organizer::create_sponsor))
        .route("/events/{event_id}/sponsors/{sponsor_id}", get(organizer::sponsor_page))
        .route(
            "/events/{event_id}/sponsors/{sponsor_id}/edit",
            post(organizer::edit_sponsor).layer(axum::extract::DefaultBodyLimit::max(crate::app::LOGO_BODY_BYTES)),
        )
        .route("/events/{event_id}/sponsors/{sponsor_id}/featured", post(organizer::set_featured))
        .route("/events/{event_id}/sponsors/{sponsor_id}/archive", post(organizer::archive))
        .route("/events/{event_id}/sponsors/{sponsor_id}/restore", post(organizer::restore))
        .route("/events/{event_id}/sponsors/{sponsor_id}/invitations", post(organizer::invite))
        .route("/invitations/accept", get(invitations::accept_page).post(invitations::accept))
        .route("/invitations/{invitation_id}/resend", post(invitations::resend))
        .route("/invitations/{invitation_id}/revoke", post(invitations::revoke))
        .route("/portal", get(portal::home))
        .route("/portal/sponsors/{sponsor_id}/leads", get(portal::leads))
        .route("/portal/sponsors/{sponsor_id}/leads/{lead_id}", get(portal::lead).post(portal::update_lead))
        .route("/portal/sponsors/{sponsor_id}/leads/{lead_id}/star", post(portal::toggle_star))
        .route("/portal/sponsors/{sponsor_id}/leads/{lead_id}/answers", post(portal::answer_lead))
        .route("/portal/sponsors/{sponsor_id}/leads/{lead_id}/notes", post(portal::add_note))
        .route("/portal/sponsors/{sponsor_id}/leads/bulk", post(portal::bulk_leads))
        .route("/portal/sponsors/{sponsor_id}/questions", get(portal::questions_page).post(portal::create_question))
        .route("/portal/sponsors/{sponsor_id}/booth-page", get(portal::booth_page).post(portal::save_booth_page))
        .route(
            "/portal/sponsors/{sponsor_id}/booth-page/content",
            post(portal::add_booth_content).layer(axum::extract::DefaultBodyLimit::max(crate::app::CONTENT_BODY_BYTES)),
        )
        .route("/portal/sponsors/{sponsor_id}/booth-page/content/{item_id}/rename", post(portal::rename_booth_content))
        .route("/portal/sponsors/{sponsor_id}/booth-page/content/{item_id}/remove", post(portal::remove_booth_content))
        .route("/portal/sponsors/{sponsor_id}/presence", post(portal::set_presence))
        .route("/portal/sponsors/{sponsor_id}/questions/{question_id}/delete", post(portal::delete_question))
        .route("/portal/sponsors/{sponsor_id}/questions/{question_id}/move", post(portal::move_question))
        .route("/portal/sponsors/{sponsor_id}/events", get(portal::feed))
        .route("/portal/sponsors/{sponsor_id}/analytics", get(portal::analytics_page))
        .route("/portal/sponsors/{sponsor_id}/team", get(portal::team).post(portal::invite))
        .route("/portal/sponsors/{sponsor_id}/team/{member_id}", post(portal::update_member))
        .route("/portal/sponsors/{sponsor_id}/team/{member_id}/remove", post(portal::remove_member))
        .route("/portal/sponsors/{sponsor_id}/capture", get(portal::capture_page).post(portal::capture))
        .route("/portal/sponsors/{sponsor_id}/messages", get(portal::messages_page))
        .route("/portal/sponsors/{sponsor_id}/messages/start", post(portal::start_thread))
        .route("/portal/sponsors/{sponsor_id}/messages/{thread_id}", post(portal::send_message))
        .route("/portal/sponsors/{sponsor_id}/messages/{thread_id}/live", get(portal::thread_feed))
        .route("/messages/{event_id}", get(messages::my_messages))
        .route("/messages/{event_id}/{thread_id}", post(messages::answer))
        .route("/messages/{event_id}/{thread_id}/live", get(messages::thread_feed))
        .route("/messages/{event_id}/block/{sponsor_id}", post(messages::block))
        .route("/directory/{event_id}", get(directory::directory))
        .route("/directory/{event_id}/sponsors/{sponsor_id}", get(directory::directory_sponsor))
        .route("/directory/{event_id}/sponsors/{sponsor_id}/interest", post(directory::booth_interest))
        .route(
            "/directory/{event_id}/sponsors/{sponsor_id}/content/{item_id}",
            get(directory::content_item).post(directory::download_content_item),
        )
        .route("/badge/{event_id}", get(badge::my_badge))
        .route("/badge/{event_id}/consent/{sponsor_id}", post(badge::consent))
        .route("/my-data/{event_id}", get(my_data::page))
        .route("/my-data/{event_id}/sponsors/{sponsor_id}/withdraw", post(my_data::withdraw))
        .route("/my-data/{event_id}/erase", post(my_data::erase_all))
        .layer(axum::middleware::from_fn_with_state(session::secure(&state.config.public_url), web_cookies))
        // Outside the cookie layer: a stylesheet request never sets a cookie.
        .route("/assets/app.css", get(assets::css))
        .route("/assets/favicon.svg", get(assets::favicon))
        .route("/favicon.ico", get(assets::favicon))
        .route("/media/sponsors/{sponsor_id}/logo", get(media::sponsor_logo))
        .route("/assets/app.js", get(assets::js))
        .route("/assets/scan.js", get(assets::scan_js))
        .route("/assets/offline.js", get(assets::offline_js))
        .route("/portal/sw.js", get(assets::service_worker_js))
        .route("/assets/vendor/barcode-detector.js", get(assets::barcode_detector_js))
        .route("/assets/vendor/zxing_reader.wasm", get(assets::zxing_reader_wasm))
}

/// Gives a visitor without a session the pre-session cookie (so their forms carry a
/// CSRF token), clears a flash message once a page has shown it, and sets the
/// security headers of HTML pages.
async fn web_cookies(State(secure): State<bool>, mut req: Request, next: Next) -> Response {
    let had_flash = session::cookie(req.headers(), FLASH_COOKIE).is_some();
    let mut new_pre = None;
    if session::csrf_key(req.headers()).is_none() {
        let value = session::random_value();
        let header = HeaderValue::from_str(&format!("{PRE_COOKIE}={value}")).expect("base64url value");
        req.headers_mut().append(COOKIE, header);
        new_pre = Some(value);
    }
    let mut res = next.run(req).await;
    let sets_flash = res
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .any(|c| c.to_str().is_ok_and(|c| c.starts_with(&format!("{FLASH_COOKIE}="))));
    let redirect = res.status().is_redirection();
    let h = res.headers_mut();
    if let Some(value) = new_pre {
        h.append(SET_COOKIE, session::set_cookie(PRE_COOKIE, &value, None, secure));
    }
    if had_flash && !redirect && !sets_flash {
        h.append(SET_COOKIE, session::clear_cookie(FLASH_COOKIE, secure));
    }
    security_headers(h);
    res
}

fn security_headers(h: &mut HeaderMap) {
    let set = |h: &mut HeaderMap, name: &'static str, value: &'static str| {
        h.entry(HeaderName::from_static(name)).or_insert(HeaderValue::from_static(value));
    };
    set(
        h,
        "content-security-policy",
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' https: data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    // The invitation page's address holds its token: never send it to another site.
    set(h, "referrer-policy", "same-origin");
    set(h, "x-content-type-options", "nosniff");
    set(h, "x-frame-options", "DENY");
}

/// A flash message shown once on the next page.
#[derive(Debug, Clone)]
pub struct Flash {
    /// `success` or `error`
    pub kind: &'static str,
    pub message: String,
}

impl Flash {
    fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}\n{}", self.kind, self.message))
    }

    fn decode(raw: &str) -> Option<Flash> {
        let text = String::from_utf8(URL_SAFE_NO_PAD.decode(raw).ok()?).ok()?;
        let (kind, message) = text.split_once('\n')?;
        let kind = if kind == "success" { "success" } else { "error" };
        Some(Flash { kind, message: message.chars().take(500).collect() })
    }
}

/// What every page needs: who is signed in, the CSRF token for its forms, the flash
/// message to show, and where it is (for `next=` links).
#[derive(Clone)]
pub struct Ctx {
    pub user: Option<Principal>,
    pub csrf: String,
    pub flash: Option<Flash>,
    /// Path and query of this request.
    pub path: String,
    /// Cookies get the Secure flag.
    pub secure: bool,
}

impl Ctx {
    /// Is `prefix` the section this page belongs to (for the navigation)?
    pub fn in_section(&self, prefix: &str) -> bool {
        self.path == prefix
            || self.path.starts_with(&format!("{prefix}/"))
            || self.path.starts_with(&format!("{prefix}?"))
    }

    pub fn user_name(&self) -> &str {
        self.user.as_ref().map(|u| u.name.as_str()).unwrap_or("")
    }

    /// A page that sets a flash message and sends the browser to `to`.
    pub fn redirect_with(&self, to: &str, kind: &'static str, message: impl Into<String>) -> Response {
        let flash = Flash { kind, message: message.into() };
        let mut res = redirect(to);
        res.headers_mut().append(SET_COOKIE, session::set_cookie(FLASH_COOKIE, &flash.encode(), None, self.secure));
        res
    }

    pub fn success(&self, to: &str, message: impl Into<String>) -> Response {
        self.redirect_with(to, "success", message)
    }

    /// The outcome of a form that has no page of its own to re-render: a service
    /// refusal the user can act on becomes a flash message on `back`; missing
    /// things and failures become their page.
    pub fn refused(&self, back: &str, e: Error) -> Response {
        match e {
            Error::Conflict(m) | Error::Gone(m) | Error::BadRequest(m) | Error::Forbidden(m) => {
                self.redirect_with(back, "error", capitalize(&m))
            }
            Error::Invalid(fields) => {
                let m = fields.iter().map(|f| format!("{}: {}", view::label(&f.field), f.message)).collect::<Vec<_>>();
                self.redirect_with(back, "error", m.join("; "))
            }
            Error::RateLimited { retry_after_secs } => self.redirect_with(
                back,
                "error",
                format!("Too many requests; try again in {retry_after_secs} seconds."),
            ),
            e => WebError::from(e).into_response(),
        }
    }
}

pub fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let headers = &parts.headers;
        let user = match session::session_token(headers) {
            Some(token) => accounts::authenticate(&state.services, token).await.ok(),
            None => None,
        };
        let csrf = session::csrf_key(headers).map(session::csrf_token).unwrap_or_default();
        let flash = session::cookie(headers, FLASH_COOKIE).and_then(Flash::decode);
        let path = parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into());
        Ok(Ctx { user, csrf, flash, path, secure: session::secure(&state.config.public_url) })
    }
}

/// A signed-in visitor; anyone else is sent to the login page and back.
pub struct SignedIn(pub Ctx, pub Principal);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Ok(ctx) = Ctx::from_request_parts(parts, state).await;
        match ctx.user.clone() {
            Some(p) => Ok(SignedIn(ctx, p)),
            None => Err(WebError::SignIn(ctx.path)),
        }
    }
}

/// A form whose CSRF token checked out, deserialized into `T`.
pub struct CsrfForm<T>(pub T);

#[derive(serde::Deserialize)]
struct CsrfField {
    #[serde(rename = "_csrf", default)]
    csrf: String,
}

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let key = session::csrf_key(req.headers()).map(str::to_string);
        let bytes = Bytes::from_request(req, state).await.map_err(|_| WebError::BadForm)?;
        let field: CsrfField = serde_urlencoded::from_bytes(&bytes).map_err(|_| WebError::BadForm)?;
        match key {
            Some(key) if session::csrf_ok(&key, &field.csrf) => {}
            _ => return Err(WebError::Csrf),
        }
        serde_urlencoded::from_bytes(&bytes).map(CsrfForm).map_err(|_| WebError::BadForm)
    }
}

/// Why a page could not be shown.
#[derive(Debug)]
pub enum WebError {
    Service(Error),
    /// Not signed in: to the login page, then back to this path.
    SignIn(String),
    /// A POST without a valid CSRF token.
    Csrf,
    /// A form body that is not a form.
    BadForm,
}

impl From<Error> for WebError {
    fn from(e: Error) -> Self {
        WebError::Service(e)
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    status: u16,
    title: String,
    message: String,
}

fn error_page(status: StatusCode, title: &str, message: impl Into<String>) -> Response {
    let page = ErrorPage { status: status.as_u16(), title: title.into(), message: message.into() };
    let mut res = html(&page);
    *res.status_mut() = status;
    security_headers(res.headers_mut());
    res
}

/// The 404 page (also the fallback for unknown paths a browser asks for).
pub fn not_found_page() -> Response {
    error_page(StatusCode::NOT_FOUND, "Not found", "There is nothing here, or it is not yours to see.")
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            WebError::SignIn(next) => redirect(&format!("/login?next={}", view::urlencode(&next))),
            WebError::Csrf => error_page(
                StatusCode::FORBIDDEN,
                "Form expired",
                "This form could not be verified (its security token is missing or stale). \
                 Go back, reload the page and try again.",
            ),
            WebError::BadForm => error_page(StatusCode::BAD_REQUEST, "Bad request", "The form could not be read."),
            WebError::Service(e) => match e {
                Error::Unauthenticated(_) => redirect("/login"),
                Error::NotFound(what) => error_page(
                    StatusCode::NOT_FOUND,
                    "Not found",
                    format!("This {what} does not exist, or it is not yours to see."),
                ),
                Error::Forbidden(m) => error_page(StatusCode::FORBIDDEN, "Not allowed", capitalize(&m) + "."),
                Error::Conflict(m) => error_page(StatusCode::CONFLICT, "That did not work", capitalize(&m) + "."),
                Error::Gone(m) => error_page(StatusCode::GONE, "No longer available", capitalize(&m) + "."),
                Error::BadRequest(m) => error_page(StatusCode::BAD_REQUEST, "Bad request", capitalize(&m) + "."),
                Error::Invalid(fields) => error_page(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "Invalid input",
                    fields
                        .iter()
                        .map(|f| format!("{}: {}", view::label(&f.field), f.message))
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                Error::Unavailable { retry_after_secs } => error_page(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Try again shortly",
                    format!(
                        "The service cannot store data right now; nothing was changed. Try again in {retry_after_secs} seconds."
                    ),
                ),
                Error::RateLimited { retry_after_secs } => error_page(
                    StatusCode::TOO_MANY_REQUESTS,
                    "Slow down",
                    format!("Too many requests; try again in {retry_after_secs} seconds."),
                ),
                Error::Internal(err) => {
                    tracing::error!(error = ?err, "internal error");
                    error_page(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "Something went wrong",
                        "The server failed to show this page. Try again in a moment.",
                    )
                }
            },
        }
    }
}

/// A rendered template as an HTML response (never cached: pages show live data).
pub fn html(t: &impl Template) -> Response {
    match t.render() {
        Ok(body) => {
            let mut res = body.into_response();
            let h = res.headers_mut();
            h.insert(CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
            h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Err(e) => {
            tracing::error!(error = %e, "template failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "the page failed to render").into_response()
        }
    }
}

/// 303 See Other: after a form, the browser GETs `to`.
pub fn redirect(to: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    res.headers_mut().insert(LOCATION, HeaderValue::from_str(to).unwrap_or(HeaderValue::from_static("/")));
    res
}

/// A `next=` target: a path of this site, never another site. The target is
/// resolved as a browser would (WHATWG URL parsing drops tabs and newlines, `\`
/// reads as `/`) against an origin of ours, and kept only when it stays there.
pub fn local_path(next: Option<&str>) -> String {
    let base = url::Url::parse("https://sponsorhub.invalid/").expect("a literal URL");
    match next.filter(|n| n.starts_with('/')).and_then(|n| base.join(n).ok()) {
        Some(u) if u.origin() == base.origin() => {
            let mut path = u.path().to_string();
            if let Some(q) = u.query() {
                path.push('?');
                path.push_str(q);
            }
            path
        }
        _ => "/".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn next_targets_stay_on_this_site() {
        assert_eq!(local_path(Some("/portal?x=1")), "/portal?x=1");
        for evil in
            ["//evil.example/x", "/\t/evil.example/x", "/\\evil.example", "https://evil.example", "/\n/evil.example"]
        {
            assert_eq!(local_path(Some(evil)), "/", "{evil:?}");
        }
        assert_eq!(local_path(None), "/");
    }
}
