//! The attendee's own data page: which sponsors of the event hold what on them,
//! and the buttons that withdraw from one sponsor or from all of them and erase
//! what they hold (docs/DECISIONS.md, "The attendee's own data", "Withdrawal and
//! erasure").

use super::auth::Empty;
use super::{CsrfForm, SignedIn, WebError, html, view};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use sponsorhub_services::erasure;
use sponsorhub_services::my_data::{self, MyData};
use uuid::Uuid;

#[derive(Template)]
#[template(path = "my_data.html")]
struct MyDataPage {
    ctx: super::Ctx,
    data: MyData,
}

impl MyDataPage {
    fn label(&self, raw: &str) -> String {
        view::label(raw)
    }

    fn when(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        view::when(t)
    }

    fn value(&self, v: &serde_json::Value) -> String {
        match v {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Array(items) => items
                .iter()
                .map(|i| i.as_str().map(str::to_string).unwrap_or_else(|| i.to_string()))
                .collect::<Vec<_>>()
                .join(", "),
            other => other.to_string(),
        }
    }
}

pub async fn page(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(event_id): Path<Uuid>,
) -> Result<Response, WebError> {
    let data = my_data::my_data(&s.services, &p, event_id).await?;
    Ok(html(&MyDataPage { ctx, data }))
}

/// Withdraw from one sponsor: its lead on the caller is erased.
pub async fn withdraw(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path((event_id, sponsor_id)): Path<(Uuid, Uuid)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, WebError> {
    let back = format!("/my-data/{event_id}");
    Ok(match erasure::withdraw_from_sponsor(&s.services, &p, event_id, sponsor_id).await {
        Ok(w) => {
            let name = w.sponsors.first().map(|s| s.sponsor_name.clone()).unwrap_or_default();
            ctx.success(
                &back,
                format!("{name} no longer holds your data, and you no longer share your details with it."),
            )
        }
        Err(e) => ctx.refused(&back, e),
    })
}

/// Withdraw from every sponsor of the event.
pub async fn erase_all(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(event_id): Path<Uuid>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, WebError> {
    let back = format!("/my-data/{event_id}");
    Ok(match erasure::erase_my_event_data(&s.services, &p, event_id).await {
        Ok(w) => {
            let n = w.sponsors.iter().filter(|s| s.lead_erased).count();
            let what = if n == 1 { "1 sponsor".to_string() } else { format!("{n} sponsors") };
            ctx.success(&back, format!("Erased what {what} held on you; you share your details with no sponsor."))
        }
        Err(e) => ctx.refused(&back, e),
    })
}
