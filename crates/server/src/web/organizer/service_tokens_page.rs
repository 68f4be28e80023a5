//! An event's service tokens (its organizers): the list (name, created, last
//! used, revoked), issuing one (its secret shown once, on the answer to the
//! form), and revoking one (docs/DECISIONS.md, "Booth pages").

use super::*;
use sponsorhub_services::service_tokens::{self, IssuedServiceToken, NewServiceToken};
use sponsorhub_store::service_tokens::ServiceToken;

pub struct TokenItem {
    pub id: Uuid,
    pub name: String,
    pub created: String,
    pub last_used: String,
    pub revoked: Option<String>,
}

impl TokenItem {
    fn of(t: &ServiceToken) -> TokenItem {
        TokenItem {
            id: t.id,
            name: t.name.clone(),
            created: view::when(&t.created_at),
            last_used: t.last_used_at.as_ref().map_or_else(|| "Never".to_string(), view::when),
            revoked: t.revoked_at.as_ref().map(view::when),
        }
    }
}

#[derive(Deserialize, Default, Clone)]
pub struct ServiceTokenForm {
    #[serde(default)]
    name: String,
}

#[derive(Template)]
#[template(path = "service_tokens.html")]
struct ServiceTokensPage {
    ctx: Ctx,
    event: EventItem,
    items: Vec<TokenItem>,
    form: ServiceTokenForm,
    errors: FieldErrors,
    /// The token just issued, with its secret: shown on this answer only.
    issued: Option<(String, String)>,
}

async fn render(
    s: &AppState,
    ctx: Ctx,
    p: &Principal,
    event: &Event,
    form: ServiceTokenForm,
    errors: FieldErrors,
    issued: Option<IssuedServiceToken>,
) -> Result<Response, WebError> {
    let tokens = service_tokens::list(&s.services, p, Some(event.organization_id), event.id).await?;
    Ok(html(&ServiceTokensPage {
        ctx,
        event: EventItem::of(event),
        items: tokens.iter().map(TokenItem::of).collect(),
        form,
        errors,
        issued: issued.map(|i| (i.token.name, i.secret)),
    }))
}

pub async fn service_tokens_page(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(event_id): Path<Uuid>,
) -> Result<Response, WebError> {
    let event = events::get_event(&s.services, &p, None, event_id).await?;
    render(&s, ctx, &p, &event, ServiceTokenForm::default(), FieldErrors::default(), None).await
}

/// Issues a token and answers with the page showing its secret, once (no
/// redirect: the secret is in this answer only, never stored or put in a URL).
pub async fn issue_service_token(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(event_id): Path<Uuid>,
    CsrfForm(form): CsrfForm<ServiceTokenForm>,
) -> Result<Response, WebError> {
    let event = events::get_event(&s.services, &p, None, event_id).await?;
    let input = NewServiceToken { name: form.name.clone() };
    match service_tokens::issue(&s.services, &p, Some(event.organization_id), event_id, input).await {
        Ok(issued) => {
            let mut res =
                render(&s, ctx, &p, &event, ServiceTokenForm::default(), FieldErrors::default(), Some(issued)).await?;
            // The secret must not linger in a cache.
            res.headers_mut().insert(axum::http::header::CACHE_CONTROL, "no-store".parse().expect("a header value"));
            Ok(res)
        }
        Err(Error::Invalid(fields)) => {
            let mut res = render(&s, ctx, &p, &event, form, FieldErrors(fields), None).await?;
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Ok(ctx.refused(&format!("/events/{event_id}/service-tokens"), e)),
    }
}

pub async fn revoke_service_token(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path((event_id, token_id)): Path<(Uuid, Uuid)>,
    CsrfForm(_): CsrfForm<ServiceTokenForm>,
) -> Result<Response, WebError> {
    let back = format!("/events/{event_id}/service-tokens");
    match service_tokens::revoke(&s.services, &p, None, event_id, token_id).await {
        Ok(t) => Ok(ctx.success(&back, format!("Revoked {}: it authenticates nothing any more.", t.name))),
        Err(e) => Ok(ctx.refused(&back, e)),
    }
}
