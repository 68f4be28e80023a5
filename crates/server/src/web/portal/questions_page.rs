//! The booth's qualification questions (sponsor admins and organizers define them).

use super::*;
use sponsorhub_domain::qualification::ChoiceOption;
use sponsorhub_domain::validate::FieldError;
use sponsorhub_services::questions::{self, CreateQuestion};

pub struct QuestionItem {
    pub id: Uuid,
    pub prompt: String,
    pub kind: String,
    pub required: bool,
    /// Options with their points, or what an answer is worth.
    pub scoring: String,
    pub first: bool,
    pub last: bool,
}

#[derive(Deserialize, Default, Clone)]
pub struct QuestionForm {
    #[serde(default)]
    prompt: String,
    #[serde(default)]
    kind: String,
    required: Option<String>,
    /// One option a line, `label: points`.
    #[serde(default)]
    options: String,
    #[serde(default)]
    points: String,
}

#[derive(Template)]
#[template(path = "questions.html")]
struct QuestionsPage {
    ctx: Ctx,
    nav: SponsorNav,
    items: Vec<QuestionItem>,
    form: QuestionForm,
    errors: FieldErrors,
    kinds: Vec<(&'static str, String)>,
}

fn kinds() -> Vec<(&'static str, String)> {
    sponsorhub_domain::qualification::QuestionKind::ALL.iter().map(|k| (k.as_str(), view::label(k.as_str()))).collect()
}

async fn page(
    s: &AppState,
    ctx: Ctx,
    p: &Principal,
    sponsor_id: Uuid,
    form: QuestionForm,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    let nav = sponsor_nav(s, p, sponsor_id, "questions").await?;
    if !nav.caps.manage_questions {
        return Err(Error::Forbidden("only the sponsor's admins and the organizers define questions".into()).into());
    }
    let list = questions::list_questions(&s.services, p, sponsor_id).await?;
    let n = list.len();
    let items = list
        .into_iter()
        .enumerate()
        .map(|(i, q)| QuestionItem {
            id: q.id,
            scoring: match q.kind.as_str() {
                "text" => format!("an answer: +{}", q.points),
                "rating" => format!("each star: +{}", q.points),
                _ => q.options.0.iter().map(|o| format!("{} +{}", o.label, o.points)).collect::<Vec<_>>().join(" · "),
            },
            prompt: q.prompt,
            kind: view::label(q.kind.as_str()),
            required: q.required,
            first: i == 0,
            last: i + 1 == n,
        })
        .collect();
    Ok(html(&QuestionsPage { ctx, nav, items, form, errors, kinds: kinds() }))
}

pub async fn questions_page(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(sponsor_id): Path<Uuid>,
) -> Result<Response, WebError> {
    let form = QuestionForm { kind: "single_choice".into(), ..Default::default() };
    page(&s, ctx, &p, sponsor_id, form, FieldErrors::default()).await
}

/// The options as typed, one a line: `label` or `label: points`.
fn parse_options(text: &str) -> Vec<ChoiceOption> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| match line.rsplit_once(':') {
            Some((label, points)) if points.trim().parse::<i32>().is_ok() => {
                ChoiceOption { label: label.trim().to_string(), points: points.trim().parse().unwrap_or(0) }
            }
            _ => ChoiceOption { label: line.to_string(), points: 0 },
        })
        .collect()
}

pub async fn create_question(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path(sponsor_id): Path<Uuid>,
    CsrfForm(form): CsrfForm<QuestionForm>,
) -> Result<Response, WebError> {
    let back = format!("/portal/sponsors/{sponsor_id}/questions");
    let choice = form.kind.ends_with("_choice");
    let points = form.points.trim();
    let parsed_points = if points.is_empty() { Ok(None) } else { points.parse::<i32>().map(Some) };
    let Ok(points) = parsed_points else {
        let errors = FieldErrors(vec![FieldError::new("points", "must be a whole number, 0 to 50")]);
        return refused(&s, ctx, &p, sponsor_id, form, errors).await;
    };
    let input = CreateQuestion {
        kind: form.kind.clone(),
        prompt: form.prompt.clone(),
        required: Some(checked(&form.required)),
        options: choice.then(|| parse_options(&form.options)),
        points: if choice { None } else { points },
        position: None,
    };
    match questions::create_question(&s.services, &p, sponsor_id, input).await {
        Ok(q) => Ok(ctx.success(&back, format!("Added \u{201c}{}\u{201d}.", q.prompt))),
        Err(Error::Invalid(fields)) => {
            // An option's error names its line.
            let fields = fields
                .into_iter()
                .map(|e| match e.field.strip_prefix("options[").and_then(|r| r.split(']').next()) {
                    Some(i) => FieldError::new(
                        "options",
                        format!("line {}: {}", i.parse::<usize>().map(|n| n + 1).unwrap_or(0), e.message),
                    ),
                    None => e,
                })
                .collect();
            refused(&s, ctx, &p, sponsor_id, form, FieldErrors(fields)).await
        }
        Err(e) => Ok(ctx.refused(&back, e)),
    }
}

async fn refused(
    s: &AppState,
    ctx: Ctx,
    p: &Principal,
    sponsor_id: Uuid,
    form: QuestionForm,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    let mut res = page(s, ctx, p, sponsor_id, form, errors).await?;
    *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    Ok(res)
}

pub async fn delete_question(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path((sponsor_id, id)): Path<(Uuid, Uuid)>,
    CsrfForm(_): CsrfForm<serde::de::IgnoredAny>,
) -> Result<Response, WebError> {
    let back = format!("/portal/sponsors/{sponsor_id}/questions");
    Ok(match questions::delete_question(&s.services, &p, sponsor_id, id).await {
        Ok(()) => ctx.success(&back, "Question deleted; answers already given stay on their leads."),
        Err(e) => ctx.refused(&back, e),
    })
}

#[derive(Deserialize)]
pub struct MoveForm {
    direction: String,
}

pub async fn move_question(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path((sponsor_id, id)): Path<(Uuid, Uuid)>,
    CsrfForm(form): CsrfForm<MoveForm>,
) -> Result<Response, WebError> {
    let back = format!("/portal/sponsors/{sponsor_id}/questions");
    Ok(match questions::move_question(&s.services, &p, sponsor_id, id, form.direction == "up").await {
        Ok(()) => ctx.success(&back, "Order changed."),
        Err(e) => ctx.refused(&back, e),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_read_a_line_each() {
        let o = parse_options("Under 10k\n 10k-100k: 10\n\nRatio 1:2\nOver: 100k: 25 ");
        let got: Vec<(&str, i32)> = o.iter().map(|o| (o.label.as_str(), o.points)).collect();
        assert_eq!(got, [("Under 10k", 0), ("10k-100k", 10), ("Ratio 1", 2), ("Over: 100k", 25)]);
    }
}
