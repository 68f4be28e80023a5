//! Qualification questions (issue 13, item 6), on SQLite and PostgreSQL: sponsor
//! admins define the booth's questions; staff answer at capture or later on the
//! lead; answers' points feed the intent score under its cap; the lead shows why
//! it has its score. REST and GraphQL.

mod common;

use common::{gql, join_staff, world};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sponsorhub_testkit::{TestApp, assert_problem, dual_backend};

dual_backend!(
    admins_define_questions_staff_answer_and_scores_follow,
    questions_over_graphql,
    questions_in_the_portal_keep_what_was_typed,
);

/// A signed-in browser without a browser: the session cookie, and the CSRF token
/// of the page's forms.
struct Web<'a> {
    app: &'a TestApp,
    client: reqwest::Client,
    token: String,
    /// A page with a form, for the session's CSRF token.
    form_page: String,
}

impl Web<'_> {
    async fn page(&self, path: &str) -> (StatusCode, String) {
        let res = self
            .client
            .get(self.app.url(path))
            .header(reqwest::header::COOKIE, format!("sponsorhub_session={}", self.token))
            .send()
            .await
            .unwrap();
        (res.status(), res.text().await.unwrap())
    }

    async fn post(&self, path: &str, form: &[(String, String)]) -> (StatusCode, String) {
        let (_, html) = self.page(&self.form_page).await;
        let at = html.find(r#"name="_csrf" value=""#).unwrap() + r#"name="_csrf" value=""#.len();
        let csrf = html[at..at + html[at..].find('"').unwrap()].to_string();
        let mut body = vec![("_csrf".to_string(), csrf)];
        body.extend_from_slice(form);
        let res = self
            .client
            .post(self.app.url(path))
            .header(reqwest::header::COOKIE, format!("sponsorhub_session={}", self.token))
            .form(&body)
            .send()
            .await
            .unwrap();
        (res.status(), res.text().await.unwrap())
    }
}

fn web<'a>(app: &'a TestApp, w: &common::World, token: &str) -> Web<'a> {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let form_page = format!("/portal/sponsors/{}/capture", w.sponsor_id);
    Web { app, client, token: token.to_string(), form_page }
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn questions_path(w: &common::World) -> String {
    format!("/api/v1/sponsors/sponsors/{}/questions", w.sponsor_id)
}

async fn define(app: &TestApp, w: &common::World, token: &str, body: Value) -> Value {
    let (status, q) = app.post(&questions_path(w), Some(token), body).await;
    assert_eq!(status, StatusCode::CREATED, "{q}");
    q
}

async fn admins_define_questions_staff_answer_and_scores_follow(app: TestApp) {
    let w = world(&app).await;
    let (admin, _) = join_staff(&app, &w, &w.sponsor_id, "admin@ferris.io", "admin").await;
    let (rep, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;
    let (viewer, _) = join_staff(&app, &w, &w.sponsor_id, "viewer@ferris.io", "viewer").await;

    // only sponsor admins (and organizers) define questions
    let budget = json!({"kind": "single_choice", "prompt": "Budget?", "required": true, "options": [
        {"label": "Under 10k", "points": 0}, {"label": "10k-100k", "points": 10}, {"label": "Over 100k", "points": 25}]});
    let (status, body) = app.post(&questions_path(&w), Some(&rep.token), budget.clone()).await;
    assert_problem(status, &body, 403);
    let budget = define(&app, &w, &admin.token, budget).await;
    let interests = define(
        &app,
        &w,
        &w.organizer.token,
        json!({"kind": "multiple_choice", "prompt": "Interested in", "options": [
            {"label": "SSO", "points": 5}, {"label": "Audit", "points": 5}]}),
    )
    .await;
    let notes = define(&app, &w, &admin.token, json!({"kind": "text", "prompt": "Use case", "points": 2})).await;
    let fit = define(&app, &w, &admin.token, json!({"kind": "rating", "prompt": "Fit", "points": 3})).await;
    // a question's shape is checked for its kind
    let (status, body) = app
        .post(
            &questions_path(&w),
            Some(&admin.token),
            json!({"kind": "single_choice", "prompt": "One?", "options": [{"label": "Only"}]}),
        )
        .await;
    assert_problem(status, &body, 422);
    assert_eq!(body["errors"][0]["field"], "options", "{body}");
    let (status, body) = app
        .post(
            &questions_path(&w),
            Some(&admin.token),
            json!({"kind": "text", "prompt": "T", "options": [{"label": "a"}, {"label": "b"}]}),
        )
        .await;
    assert_problem(status, &body, 422);
    let (status, body) =
        app.post(&questions_path(&w), Some(&admin.token), json!({"kind": "essay", "prompt": "T"})).await;
    assert_problem(status, &body, 422);
    assert_eq!(body["errors"][0]["field"], "kind", "{body}");

    // everyone on the staff reads them, in order
    let (status, list) = app.get(&questions_path(&w), Some(&viewer.token)).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let prompts: Vec<&str> = list["items"].as_array().unwrap().iter().map(|q| q["prompt"].as_str().unwrap()).collect();
    assert_eq!(prompts, ["Budget?", "Interested in", "Use case", "Fit"]);

    // answers at capture: a required question left out records nothing
    let capture = |email: &str, answers: Value| json!({"interaction_type": "booth_visit", "attendee": {"email": email, "name": "Lin"}, "answers": answers});
    let (status, body) = app
        .post(
            &w.capture_path(),
            Some(&rep.token),
            capture("lin@x.io", json!([{"question_id": notes["id"], "value": "SSO for 4k seats"}])),
        )
        .await;
    assert_problem(status, &body, 422);
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("Budget?"), "{body}");
    let (_, stats) = app.get(&w.leads_path("/stats"), Some(&rep.token)).await;
    assert_eq!(stats["total"], 0, "nothing recorded");
    let (status, lead) = app
        .post(
            &w.capture_path(),
            Some(&rep.token),
            capture(
                "lin@x.io",
                json!([{"question_id": budget["id"], "value": "Over 100k"}, {"question_id": fit["id"], "value": 4}]),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{lead}");
    assert_eq!(
        (lead["intent_score"].clone(), lead["intent_level"].clone()),
        (json!(47), json!("warm")),
        "10 + 25 + 4 × 3"
    );
    let lead_path = w.leads_path(&format!("/{}", lead["id"].as_str().unwrap()));

    // the lead says why: interactions, bonus, answers, total, cap
    let (_, detail) = app.get(&lead_path, Some(&rep.token)).await;
    let b = &detail["score_breakdown"];
    assert_eq!(b["interactions"], json!([{"interaction_type": "booth_visit", "count": 1, "points": 10}]), "{b}");
    assert_eq!(
        (b["repeat_bonus"].clone(), b["total"].clone(), b["cap"].clone(), b["capped"].clone()),
        (json!(0), json!(47), json!(100), json!(0))
    );
    assert_eq!(b["answers"].as_array().unwrap().len(), 2);
    assert_eq!(detail["answers"][0]["prompt"], "Budget?");
    assert_eq!(detail["answers"][0]["value"], "Over 100k");
    assert_eq!(detail["answers"][1]["value"], 4);
    assert_eq!(detail["answers"][1]["answered_by_user_id"].as_str(), Some(rep.user_id.as_str()));

    // later on the lead: answers change, the score follows; bad answers name their field
    let answers = format!("{lead_path}/answers");
    let (status, detail) = app
        .put(&answers, Some(&rep.token), json!({"answers": [{"question_id": interests["id"], "value": ["SSO", "Audit"]}, {"question_id": fit["id"], "value": 1}]}))
        .await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    assert_eq!(detail["intent_score"], 47 + 10 - 9);
    let (status, body) =
        app.put(&answers, Some(&rep.token), json!({"answers": [{"question_id": budget["id"], "value": "Lots"}]})).await;
    assert_problem(status, &body, 422);
    assert_eq!(body["errors"][0]["field"], "answers[0].value", "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("Under 10k, 10k-100k, Over 100k"), "{body}");
    let (status, body) =
        app.put(&answers, Some(&rep.token), json!({"answers": [{"question_id": budget["id"], "value": null}]})).await;
    assert_problem(status, &body, 422);
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("Budget?"), "a required answer stays: {body}");
    let (status, body) = app.put(&answers, Some(&viewer.token), json!({"answers": []})).await;
    assert_problem(status, &body, 403);

    // the cap: the total goes on, the score stops at 100, and the breakdown says what was cut
    for _ in 0..2 {
        let (status, _) = app
            .post(
                &w.capture_path(),
                Some(&rep.token),
                json!({"interaction_type": "direct_request", "attendee": {"email": "lin@x.io"}}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    let (_, detail) = app.get(&lead_path, Some(&rep.token)).await;
    let b = &detail["score_breakdown"];
    assert_eq!(
        (detail["intent_score"].clone(), b["total"].clone(), b["capped"].clone(), b["repeat_bonus"].clone()),
        (json!(100), json!(128), json!(28), json!(10)),
        "{b}"
    );

    // a deleted question is no longer asked; its answers stay and count
    let (status, _) =
        app.delete(&format!("{}/{}", questions_path(&w), interests["id"].as_str().unwrap()), Some(&admin.token)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, list) = app.get(&questions_path(&w), Some(&rep.token)).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 3);
    let (_, detail) = app.get(&lead_path, Some(&rep.token)).await;
    assert!(detail["answers"].as_array().unwrap().iter().any(|a| a["prompt"] == "Interested in"), "{detail}");
    let (status, body) = app
        .put(&answers, Some(&rep.token), json!({"answers": [{"question_id": interests["id"], "value": ["SSO"]}]}))
        .await;
    assert_problem(status, &body, 422);
    assert_eq!(body["errors"][0]["field"], "answers[0].question_id");
    // changing a question: prompt and required; its kind stays
    let (status, changed) = app
        .patch(
            &format!("{}/{}", questions_path(&w), budget["id"].as_str().unwrap()),
            Some(&admin.token),
            json!({"required": false, "prompt": "Budget this year?"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!((changed["required"].clone(), changed["kind"].clone()), (json!(false), json!("single_choice")));
    app.stop().await;
}

async fn questions_over_graphql(app: TestApp) {
    let w = world(&app).await;
    let (admin, _) = join_staff(&app, &w, &w.sponsor_id, "admin@ferris.io", "admin").await;
    let made = gql(
        &app,
        &admin.token,
        r#"mutation($s: ID!) { createQualificationQuestion(sponsorId: $s, input: {kind: "single_choice", prompt: "Timeline?",
            options: [{label: "Now", points: 20}, {label: "Later"}]}) { id kind options { label points } } }"#,
        json!({"s": w.sponsor_id}),
    )
    .await;
    let q = &made["data"]["createQualificationQuestion"];
    assert_eq!(q["options"][0], json!({"label": "Now", "points": 20}), "{made}");
    let out = gql(
        &app,
        &admin.token,
        "query($s: ID!) { qualificationQuestions(sponsorId: $s) { prompt } }",
        json!({"s": w.sponsor_id}),
    )
    .await;
    assert_eq!(out["data"]["qualificationQuestions"][0]["prompt"], "Timeline?", "{out}");
    let (_, lead) = app
        .post(
            &w.capture_path(),
            Some(&admin.token),
            json!({"interaction_type": "qr_scan", "attendee": {"email": "g@x.io"}}),
        )
        .await;
    let out = gql(
        &app,
        &admin.token,
        r#"mutation($l: ID!, $q: ID!) { answerLeadQuestions(leadId: $l, answers: [{questionId: $q, value: "Now"}]) {
            lead { intentScore } answers { prompt value points } scoreBreakdown { total answers { points } } } }"#,
        json!({"l": lead["id"], "q": q["id"]}),
    )
    .await;
    let a = &out["data"]["answerLeadQuestions"];
    assert_eq!(a["lead"]["intentScore"], 30, "{out}");
    assert_eq!(a["answers"][0]["value"], "Now");
    assert_eq!(a["scoreBreakdown"]["total"], 30);
    let out = gql(
        &app,
        &admin.token,
        "query($l: ID!) { leadQualification(leadId: $l) { scoreBreakdown { score } } }",
        json!({"l": lead["id"]}),
    )
    .await;
    assert_eq!(out["data"]["leadQualification"]["scoreBreakdown"]["score"], 30, "{out}");
    app.stop().await;
}

async fn questions_in_the_portal_keep_what_was_typed(app: TestApp) {
    let w = world(&app).await;
    let (admin, _) = join_staff(&app, &w, &w.sponsor_id, "admin@ferris.io", "admin").await;
    let (rep, _) = join_staff(&app, &w, &w.sponsor_id, "rep@ferris.io", "representative").await;
    let page = format!("/portal/sponsors/{}/questions", w.sponsor_id);
    let admin_web = web(&app, &w, &admin.token);

    // a representative has no questions tab, and no page
    let (status, html) = web(&app, &w, &rep.token).page(&format!("/portal/sponsors/{}/leads", w.sponsor_id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains(&page), "no Questions tab for a representative");
    let (status, _) = web(&app, &w, &rep.token).page(&page).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // a choice with one option: refused at the field, with what was typed kept
    let (status, html) = admin_web
        .post(
            &page,
            &pairs(&[
                ("prompt", "Budget this year?"),
                ("kind", "single_choice"),
                ("options", "Plenty: 25"),
                ("required", "true"),
            ]),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains(r#"value="Budget this year?""#), "the prompt stays");
    assert!(html.contains("Plenty: 25</textarea>"), "the options stay");
    assert!(html.contains("a choice needs 2 to 20 options"), "the error is at its field");
    let (status, _) = admin_web
        .post(
            &page,
            &pairs(&[
                ("prompt", "Budget this year?"),
                ("kind", "single_choice"),
                ("options", "Plenty: 25\nLittle"),
                ("required", "true"),
            ]),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _) = admin_web.post(&page, &pairs(&[("prompt", "Fit"), ("kind", "rating"), ("points", "3")])).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = admin_web.page(&page).await;
    assert!(html.contains("Plenty +25 · Little +0") && html.contains("each star: +3"), "{html}");
    let (_, list) = app.get(&questions_path(&w), Some(&rep.token)).await;
    let budget = list["items"][0]["id"].as_str().unwrap().to_string();
    let fit = list["items"][1]["id"].as_str().unwrap().to_string();
    // the order can change
    let (status, _) = admin_web.post(&format!("{page}/{fit}/move"), &pairs(&[("direction", "up")])).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, list) = app.get(&questions_path(&w), Some(&rep.token)).await;
    assert_eq!(list["items"][0]["prompt"], "Fit");

    // the capture form asks them; a required one left out keeps the rest
    let rep_web = web(&app, &w, &rep.token);
    let capture = format!("/portal/sponsors/{}/capture", w.sponsor_id);
    let (_, html) = rep_web.page(&capture).await;
    assert!(html.contains("Budget this year?") && html.contains(&format!("q.{fit}.rating")), "{html}");
    let (status, html) = rep_web
        .post(
            &capture,
            &pairs(&[
                ("email", "ada@x.io"),
                ("interaction_type", "demo_request"),
                (&format!("q.{budget}.kind"), "single_choice"),
                (&format!("q.{budget}.choice"), ""),
                (&format!("q.{fit}.kind"), "rating"),
                (&format!("q.{fit}.rating"), "5"),
            ]),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("\u{201c}Budget this year?\u{201d} needs an answer"), "{html}");
    assert!(html.contains(r#"<option value="5" selected>"#), "the rating stays");
    assert!(html.contains(r#"value="ada@x.io""#));
    let answered = [
        ("email", "ada@x.io"),
        ("interaction_type", "demo_request"),
        (&format!("q.{budget}.kind") as &str, "single_choice"),
        (&format!("q.{budget}.choice"), "Plenty"),
        (&format!("q.{fit}.kind"), "rating"),
        (&format!("q.{fit}.rating"), "5"),
    ]
    .map(|(k, v)| (k.to_string(), v.to_string()));
    let (status, _) = rep_web.post(&capture, &answered).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, leads) = app.get(&w.leads_path(""), Some(&rep.token)).await;
    let lead = &leads["items"][0];
    assert_eq!(lead["intent_score"], 30 + 25 + 15, "demo request, Plenty, five stars");

    // the lead page shows why, and answers change there
    let lead_page = format!("/portal/sponsors/{}/leads/{}", w.sponsor_id, lead["id"].as_str().unwrap());
    let (_, html) = rep_web.page(&lead_page).await;
    assert!(html.contains("Why this score") && html.contains("Demo request × 1"), "{html}");
    assert!(html.contains(&format!(r#"name="q.{budget}.choice" value="Plenty" checked"#)), "{html}");
    let (status, html) = rep_web
        .post(
            &format!("{lead_page}/answers"),
            &pairs(&[
                (&format!("q.{budget}.kind"), "single_choice"),
                (&format!("q.{fit}.kind"), "rating"),
                (&format!("q.{fit}.rating"), "2"),
            ]),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("needs an answer") && html.contains(r#"<option value="2" selected>"#), "{html}");
    let (status, _) = rep_web
        .post(
            &format!("{lead_page}/answers"),
            &pairs(&[
                (&format!("q.{budget}.kind"), "single_choice"),
                (&format!("q.{budget}.choice"), "Little"),
                (&format!("q.{fit}.kind"), "rating"),
                (&format!("q.{fit}.rating"), "2"),
            ]),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, detail) = app.get(&w.leads_path(&format!("/{}", lead["id"].as_str().unwrap())), Some(&rep.token)).await;
    assert_eq!(detail["intent_score"], 30 + 6);
    app.stop().await;
}
