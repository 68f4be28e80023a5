//! Sign up, log in, log out: the session cookie holds a token minted by the token
//! service at login (`accounts::login` / `accounts::signup`).

use super::view::{FieldErrors, opt};
use super::{CsrfForm, Ctx, SignedIn, WebError, html, local_path, redirect};
use crate::client::ClientAddr;
use crate::session::{self, SESSION_COOKIE};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::response::Response;
use serde::Deserialize;
use sponsorhub_domain::validate::FieldError;
use sponsorhub_services::accounts::{self, AuthOutcome, LoginInput, SignupInput};
use sponsorhub_services::{Error, events, members};

#[derive(Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
    email: Option<String>,
    organization: Option<String>,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    ctx: Ctx,
    next: String,
    email: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "signup.html")]
struct SignupPage {
    ctx: Ctx,
    /// From an invitation: no organization field, none made.
    invited: bool,
    next: String,
    name: String,
    email: String,
    organization_name: String,
    errors: FieldErrors,
}

/// `/`: the organizer console, or the sponsor portal for sponsor staff who organize
/// no events (accounts made from an invitation own no organization).
pub async fn home(State(s): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let Some(p) = &ctx.user else { return Ok(redirect("/login")) };
    if members::my_sponsors(&s.services, p).await?.is_empty() {
        return Ok(redirect("/events"));
    }
    for org in accounts::me(&s.services, p).await?.organizations {
        if !events::list_events(&s.services, p, org.organization_id, None, Some(1)).await?.items.is_empty() {
            return Ok(redirect("/events"));
        }
    }
    Ok(redirect("/portal"))
}

pub async fn login_page(ctx: Ctx, Query(q): Query<NextQuery>) -> Response {
    if ctx.user.is_some() {
        return redirect(&local_path(q.next.as_deref()));
    }
    html(&LoginPage { next: local_path(q.next.as_deref()), email: q.email.unwrap_or_default(), error: None, ctx })
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

fn signed_in(ctx: &Ctx, outcome: &AuthOutcome, next: &str) -> Response {
    let mut res = redirect(next);
    res.headers_mut().append(
        SET_COOKIE,
        session::set_cookie(SESSION_COOKIE, &outcome.access_token, Some(outcome.expires_in), ctx.secure),
    );
    res
}

pub async fn login(
    State(s): State<AppState>,
    ctx: Ctx,
    ClientAddr(client): ClientAddr,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> Result<Response, WebError> {
    let next = local_path(form.next.as_deref());
    let input = LoginInput { email: form.email.clone(), password: form.password };
    let error = match accounts::login(&s.services, input, &client).await {
        Ok(outcome) => return Ok(signed_in(&ctx, &outcome, &next)),
        Err(Error::Unauthenticated(_)) => "Wrong e-mail address or password.".to_string(),
        Err(Error::RateLimited { retry_after_secs }) => {
            format!("Too many attempts; try again in {retry_after_secs} seconds.")
        }
        Err(e) => return Err(e.into()),
    };
    let mut res = html(&LoginPage { next, email: form.email, error: Some(error), ctx });
    *res.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
    Ok(res)
}

/// Whether a sign-up continues to an invitation (its accept page).
fn invited(next: &str) -> bool {
    next.starts_with("/invitations/accept")
}

pub async fn signup_page(ctx: Ctx, Query(q): Query<NextQuery>) -> Response {
    if ctx.user.is_some() {
        return redirect(&local_path(q.next.as_deref()));
    }
    let next = local_path(q.next.as_deref());
    html(&SignupPage {
        invited: invited(&next),
        next,
        name: String::new(),
        email: q.email.unwrap_or_default(),
        organization_name: q.organization.unwrap_or_default(),
        errors: FieldErrors::default(),
        ctx,
    })
}

#[derive(Deserialize)]
pub struct SignupForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    organization_name: String,
    next: Option<String>,
}

pub async fn signup(
    State(s): State<AppState>,
    ctx: Ctx,
    ClientAddr(client): ClientAddr,
    CsrfForm(form): CsrfForm<SignupForm>,
) -> Result<Response, WebError> {
    let next = local_path(form.next.as_deref());
    // Signing up from an invitation makes no organization: the person joins a
    // sponsor's team (docs/DECISIONS.md, "Identity").
    let invited = invited(&next);
    let input = SignupInput {
        email: form.email.clone(),
        password: form.password,
        name: form.name.clone(),
        organization_name: (!invited).then(|| form.organization_name.clone()),
    };
    let errors = match accounts::signup(&s.services, input, &client).await {
        Ok(outcome) => return Ok(signed_in(&ctx, &outcome, &next)),
        Err(Error::Invalid(fields)) => fields,
        Err(Error::Conflict(m)) => vec![FieldError::new("email", format!("{m}: log in instead"))],
        Err(e) => return Err(e.into()),
    };
    let mut res = html(&SignupPage {
        invited,
        next,
        name: form.name,
        email: form.email,
        organization_name: opt(&Some(form.organization_name)).unwrap_or_default(),
        errors: FieldErrors(errors),
        ctx,
    });
    *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    Ok(res)
}

#[derive(Deserialize)]
pub struct Empty {}

/// Forgets the session cookie. The token itself stays valid until it expires (it is
/// a bearer token; nothing of it is stored to revoke).
pub async fn logout(SignedIn(ctx, _): SignedIn, CsrfForm(_): CsrfForm<Empty>) -> Response {
    let mut res = ctx.success("/login", "You are signed out.");
    res.headers_mut().append(SET_COOKIE, session::clear_cookie(SESSION_COOKIE, ctx.secure));
    res
}
