//! The invitation accept page (the e-mail's link), and resending or revoking a
//! pending invitation.

use super::view::{self, urlencode};
use super::{CsrfForm, Ctx, SignedIn, WebError, html, local_path};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use sponsorhub_domain::InvitationStatus;
use sponsorhub_services::Error;
use sponsorhub_services::invitations::{self, AcceptInvitation, InvitationPreview};
use uuid::Uuid;

#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

#[derive(Template)]
#[template(path = "accept.html")]
struct AcceptPage {
    ctx: Ctx,
    invitation: InvitationPreview,
    token: String,
    role: String,
    expires: String,
    /// Signed in with the invited e-mail address.
    for_me: bool,
    signup_href: String,
    login_href: String,
}

pub async fn accept_page(
    State(s): State<AppState>,
    ctx: Ctx,
    Query(q): Query<TokenQuery>,
) -> Result<Response, WebError> {
    let token = q.token.trim().to_string();
    if token.is_empty() || token.len() > 200 {
        return Err(Error::NotFound("invitation").into());
    }
    let invitation = invitations::preview_invitation(&s.services, &token).await?;
    let here = format!("/invitations/accept?token={}", urlencode(&token));
    let for_me = ctx.user.as_ref().is_some_and(|u| u.email.eq_ignore_ascii_case(&invitation.email));
    let signup_href = format!(
        "/signup?next={}&email={}&organization={}",
        urlencode(&here),
        urlencode(&invitation.email),
        urlencode(&invitation.sponsor_name)
    );
    let login_href = format!("/login?next={}&email={}", urlencode(&here), urlencode(&invitation.email));
    Ok(html(&AcceptPage {
        role: view::label(invitation.role.as_str()),
        expires: view::when(&invitation.expires_at),
        ctx,
        invitation,
        token,
        for_me,
        signup_href,
        login_href,
    }))
}

#[derive(Deserialize)]
pub struct AcceptForm {
    #[serde(default)]
    token: String,
}

pub async fn accept(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    CsrfForm(form): CsrfForm<AcceptForm>,
) -> Result<Response, WebError> {
    let back = format!("/invitations/accept?token={}", urlencode(form.token.trim()));
    Ok(match invitations::accept_invitation(&s.services, &p, AcceptInvitation { token: form.token }).await {
        Ok(a) => ctx.success(
            &format!("/portal/sponsors/{}/leads", a.sponsor.id),
            format!("Welcome to the {} team.", a.sponsor.company_name),
        ),
        Err(e) => ctx.refused(&back, e),
    })
}

#[derive(Deserialize)]
pub struct BackForm {
    back: Option<String>,
}

pub async fn resend(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(id): Path<Uuid>,
    CsrfForm(form): CsrfForm<BackForm>,
) -> Result<Response, WebError> {
    let back = local_path(form.back.as_deref());
    Ok(match invitations::resend_invitation(&s.services, &p, None, id).await {
        Ok(inv) => ctx.success(&back, format!("Sent the invitation to {} again.", inv.email)),
        Err(e) => ctx.refused(&back, e),
    })
}

pub async fn revoke(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(id): Path<Uuid>,
    CsrfForm(form): CsrfForm<BackForm>,
) -> Result<Response, WebError> {
    let back = local_path(form.back.as_deref());
    Ok(match invitations::revoke_invitation(&s.services, &p, None, id).await {
        Ok(inv) => ctx.success(&back, format!("Revoked the invitation to {}.", inv.email)),
        Err(e) => ctx.refused(&back, e),
    })
}
