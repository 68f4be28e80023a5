//! The GraphQL API over HTTP (and graphql-ws), on SQLite and PostgreSQL: every query
//! and mutation works for the right caller and is refused for a wrong one, with the
//! `extensions.code` of the REST outcome.

mod common;

use common::{join_staff, world};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use sponsorhub_testkit::{TestApp, dual_backend, next_invitation_token};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

dual_backend!(
    organizer_queries_and_mutations,
    invitation_and_team_queries_and_mutations,
    lead_queries_and_mutations,
    nested_fields_cost_a_fixed_number_of_queries,
    subscription_receives_a_captured_lead,
);

/// Runs a GraphQL request; returns `data` and the first error's code (if any).
async fn gql(app: &TestApp, token: Option<&str>, query: &str, variables: Value) -> (Value, Option<String>) {
    let mut req = app.client.post(app.url("/graphql")).json(&json!({"query": query, "variables": variables}));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    let code = body["errors"][0]["extensions"]["code"].as_str().map(str::to_string);
    (body["data"].clone(), code)
}

/// Asserts success and returns `data`.
async fn ok(app: &TestApp, token: Option<&str>, query: &str, variables: Value) -> Value {
    let mut req = app.client.post(app.url("/graphql")).json(&json!({"query": query, "variables": variables}));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let body: Value = req.send().await.unwrap().json().await.unwrap();
    assert!(body.get("errors").is_none(), "{query}\n{body}");
    body["data"].clone()
}

async fn refused(app: &TestApp, token: Option<&str>, query: &str, variables: Value, code: &str) {
    let (data, got) = gql(app, token, query, variables).await;
    assert_eq!(got.as_deref(), Some(code), "{query}: {data}");
}

async fn organizer_queries_and_mutations(app: TestApp) {
    let w = world(&app).await;
    let org = Some(w.organizer.token.as_str());
    let outsider = app.signup("out@other.io", "Other").await;
    let out = Some(outsider.token.as_str());
    let ev = json!({"e": w.event_id});

    // tiers
    let q =
        "query($e: ID!) { eventSponsorTiers(eventId: $e) { id name displayOrder color benefits maxRepresentatives } }";
    let d = ok(&app, org, q, ev.clone()).await;
    assert_eq!(d["eventSponsorTiers"].as_array().unwrap().len(), 4);
    assert!(d["eventSponsorTiers"][0]["benefits"].as_array().unwrap().len() > 2);
    refused(&app, out, q, ev.clone(), "NOT_FOUND").await;
    refused(&app, None, q, ev.clone(), "UNAUTHENTICATED").await;

    let q = "mutation($e: ID!) { createDefaultSponsorTiers(eventId: $e) { name } }";
    assert_eq!(ok(&app, org, q, ev.clone()).await["createDefaultSponsorTiers"].as_array().unwrap().len(), 4);
    refused(&app, out, q, ev.clone(), "NOT_FOUND").await;

    let q = "mutation($e: ID!, $i: CreateSponsorTierInput!) { createSponsorTier(eventId: $e, input: $i) { id name color } }";
    let d =
        ok(&app, org, q, json!({"e": w.event_id, "i": {"name": "Startup", "color": "#112233", "benefits": ["Table"]}}))
            .await;
    let startup = d["createSponsorTier"]["id"].as_str().unwrap().to_string();
    refused(&app, org, q, json!({"e": w.event_id, "i": {"name": "Startup"}}), "CONFLICT").await;
    refused(&app, org, q, json!({"e": w.event_id, "i": {"name": "X", "color": "red"}}), "BAD_USER_INPUT").await;
    refused(&app, out, q, json!({"e": w.event_id, "i": {"name": "Y"}}), "NOT_FOUND").await;

    let q = "mutation($id: ID!, $i: UpdateSponsorTierInput!) { updateSponsorTier(id: $id, input: $i) { name color } }";
    let d = ok(&app, org, q, json!({"id": startup, "i": {"name": "Scale-up", "color": null}})).await;
    assert_eq!(d["updateSponsorTier"], json!({"name": "Scale-up", "color": null}));
    refused(&app, out, q, json!({"id": startup, "i": {"name": "Mine"}}), "NOT_FOUND").await;

    let q = "query($id: ID!) { sponsorTier(id: $id) { name } }";
    assert_eq!(ok(&app, org, q, json!({"id": startup})).await["sponsorTier"]["name"], "Scale-up");
    refused(&app, out, q, json!({"id": startup}), "NOT_FOUND").await;
    refused(&app, org, q, json!({"id": "not-a-uuid"}), "BAD_USER_INPUT").await;

    let q = "mutation($id: ID!) { deleteSponsorTier(id: $id) }";
    refused(&app, org, q, json!({"id": w.tier_id("Gold")}), "CONFLICT").await;
    refused(&app, out, q, json!({"id": startup}), "NOT_FOUND").await;
    assert_eq!(ok(&app, org, q, json!({"id": startup})).await["deleteSponsorTier"], true);

    // sponsors
    let q = "mutation($e: ID!, $i: CreateSponsorInput!) { createSponsor(eventId: $e, input: $i) { id companyName isFeatured tier { name } representativeCount leadCount socialLinks } }";
    let d = ok(
        &app,
        org,
        q,
        json!({"e": w.event_id, "i": {"companyName": "Crab Co", "tierId": w.tier_id("Platinum"), "socialLinks": {"x": "https://x.com/crab"}}}),
    )
    .await;
    let crab = d["createSponsor"]["id"].as_str().unwrap().to_string();
    assert_eq!(d["createSponsor"]["tier"]["name"], "Platinum");
    assert_eq!(d["createSponsor"]["socialLinks"], json!({"x": "https://x.com/crab"}));
    refused(&app, out, q, json!({"e": w.event_id, "i": {"companyName": "Nope"}}), "NOT_FOUND").await;

    let q = "mutation($id: ID!, $i: UpdateSponsorInput!) { updateSponsor(id: $id, input: $i) { boothNumber companyDescription } }";
    let d = ok(&app, org, q, json!({"id": crab, "i": {"boothNumber": "P1", "companyDescription": "Claws"}})).await;
    assert_eq!(d["updateSponsor"], json!({"boothNumber": "P1", "companyDescription": "Claws"}));
    refused(&app, out, q, json!({"id": crab, "i": {"boothNumber": "X"}}), "NOT_FOUND").await;

    let q = "mutation($id: ID!) { setSponsorFeatured(id: $id, featured: true) { isFeatured } }";
    assert_eq!(ok(&app, org, q, json!({"id": crab})).await["setSponsorFeatured"]["isFeatured"], true);
    refused(&app, out, q, json!({"id": crab}), "NOT_FOUND").await;
    let q = "mutation($id: ID!) { archiveSponsor(id: $id) { isArchived } }";
    assert_eq!(ok(&app, org, q, json!({"id": crab})).await["archiveSponsor"]["isArchived"], true);
    refused(&app, out, q, json!({"id": crab}), "NOT_FOUND").await;
    let q = "mutation($id: ID!) { restoreSponsor(id: $id) { isArchived } }";
    assert_eq!(ok(&app, org, q, json!({"id": crab})).await["restoreSponsor"]["isArchived"], false);
    refused(&app, out, q, json!({"id": crab}), "NOT_FOUND").await;

    let q = "query($e: ID!, $t: ID) { eventSponsors(eventId: $e, tierId: $t, includeArchived: false) { companyName tier { name } } }";
    let d = ok(&app, org, q, json!({"e": w.event_id, "t": w.tier_id("Platinum")})).await;
    assert_eq!(d["eventSponsors"], json!([{"companyName": "Crab Co", "tier": {"name": "Platinum"}}]));
    refused(&app, out, q, json!({"e": w.event_id}), "NOT_FOUND").await;

    for field in ["sponsor", "sponsorWithTier"] {
        let q = format!("query($id: ID!) {{ {field}(id: $id) {{ companyName tier {{ name }} }} }}");
        assert_eq!(ok(&app, org, &q, json!({"id": crab})).await[field]["tier"]["name"], "Platinum");
        refused(&app, out, &q, json!({"id": crab}), "NOT_FOUND").await;
    }

    // events
    let q = "query($id: ID!) { event(id: $id) { name } }";
    assert_eq!(ok(&app, org, q, json!({"id": w.event_id})).await["event"]["name"], "RustConf");
    refused(&app, out, q, json!({"id": w.event_id}), "NOT_FOUND").await;
    let q = "query { events { name } }";
    assert_eq!(ok(&app, org, q, json!({})).await["events"], json!([{"name": "RustConf"}]));
    assert_eq!(ok(&app, out, q, json!({})).await["events"], json!([]));
    refused(&app, None, q, json!({}), "UNAUTHENTICATED").await;

    // the attendee view needs no sign-in and shows public fields only
    let q = "query($e: ID!) { publicEventSponsors(eventId: $e) { tier { name } sponsors { companyName boothNumber isFeatured } } }";
    let d = ok(&app, None, q, ev.clone()).await;
    let groups = d["publicEventSponsors"].as_array().unwrap();
    assert_eq!(groups[0]["tier"]["name"], "Platinum");
    assert_eq!(groups[0]["sponsors"][0]["companyName"], "Crab Co");
    assert_eq!(groups[1]["tier"]["name"], "Gold");
    let private = "query($e: ID!) { publicEventSponsors(eventId: $e) { sponsors { leadNotificationEmail } } }";
    let body: Value = app
        .client
        .post(app.url("/graphql"))
        .json(&json!({"query": private, "variables": ev}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("Unknown field"), "{body}");
    refused(&app, None, q, json!({"e": "0190a000-0000-7000-8000-000000000000"}), "NOT_FOUND").await;
}

async fn invitation_and_team_queries_and_mutations(app: TestApp) {
    let w = world(&app).await;
    let org = Some(w.organizer.token.as_str());
    let (viewer, _) = join_staff(&app, &w, &w.sponsor_id, "viewer@ferris.io", "viewer").await;
    let vt = Some(viewer.token.as_str());
    let mut rx = app.notifications();

    let q = "mutation($s: ID!, $i: CreateSponsorInvitationInput!) { createSponsorInvitation(sponsorId: $s, input: $i) { id email role status } }";
    let d = ok(
        &app,
        org,
        q,
        json!({"s": w.sponsor_id, "i": {"email": "New@Ferris.io", "role": "admin", "personalMessage": "Hi"}}),
    )
    .await;
    let inv = d["createSponsorInvitation"]["id"].as_str().unwrap().to_string();
    assert_eq!(d["createSponsorInvitation"]["email"], "new@ferris.io");
    let token = next_invitation_token(&mut rx).await;
    refused(&app, vt, q, json!({"s": w.sponsor_id, "i": {"email": "x@y.io", "role": "admin"}}), "FORBIDDEN").await;
    refused(&app, org, q, json!({"s": w.sponsor_id, "i": {"email": "x@y.io", "role": "boss"}}), "BAD_USER_INPUT").await;

    let q = "query($s: ID!) { sponsorInvitations(sponsorId: $s, status: \"pending\") { email } }";
    assert_eq!(
        ok(&app, org, q, json!({"s": w.sponsor_id})).await["sponsorInvitations"],
        json!([{"email": "new@ferris.io"}])
    );
    refused(&app, vt, q, json!({"s": w.sponsor_id}), "FORBIDDEN").await;

    let q = "query($t: String!) { invitationPreview(token: $t) { sponsorName eventName role status personalMessage } }";
    let d = ok(&app, None, q, json!({"t": token})).await;
    assert_eq!(
        d["invitationPreview"],
        json!({"sponsorName": "Ferris Inc", "eventName": "RustConf", "role": "admin", "status": "pending", "personalMessage": "Hi"})
    );
    refused(&app, None, q, json!({"t": "nope"}), "NOT_FOUND").await;

    let q = "mutation($id: ID!) { resendSponsorInvitation(id: $id) { status expiresAt } }";
    assert_eq!(ok(&app, org, q, json!({"id": inv})).await["resendSponsorInvitation"]["status"], "pending");
    refused(&app, vt, q, json!({"id": inv}), "FORBIDDEN").await;
    let token = next_invitation_token(&mut rx).await;

    let newbie = app.signup("new@ferris.io", "Newbie").await;
    let nt = Some(newbie.token.as_str());
    let q = "query { myInvitations { sponsorName role } }";
    assert_eq!(
        ok(&app, nt, q, json!({})).await["myInvitations"],
        json!([{"sponsorName": "Ferris Inc", "role": "admin"}])
    );
    refused(&app, None, q, json!({}), "UNAUTHENTICATED").await;

    let q = "mutation($t: String!) { acceptSponsorInvitation(token: $t) { membership { id role canInviteOthers } sponsor { companyName } } }";
    refused(&app, vt, q, json!({"t": token}), "FORBIDDEN").await;
    let d = ok(&app, nt, q, json!({"t": token})).await;
    assert_eq!(d["acceptSponsorInvitation"]["membership"]["role"], "admin");
    let member_id = d["acceptSponsorInvitation"]["membership"]["id"].as_str().unwrap().to_string();
    refused(&app, nt, q, json!({"t": token}), "CONFLICT").await;

    let q = "mutation($id: ID!) { revokeSponsorInvitation(id: $id) { status } }";
    refused(&app, org, q, json!({"id": inv}), "CONFLICT").await;
    let d = ok(&app, org, "mutation($s: ID!) { createSponsorInvitation(sponsorId: $s, input: {email: \"later@ferris.io\", role: \"viewer\"}) { id } }", json!({"s": w.sponsor_id})).await;
    let later = d["createSponsorInvitation"]["id"].as_str().unwrap().to_string();
    refused(&app, vt, q, json!({"id": later}), "FORBIDDEN").await;
    assert_eq!(ok(&app, nt, q, json!({"id": later})).await["revokeSponsorInvitation"]["status"], "revoked");

    let q = "query($s: ID!) { sponsorUsers(sponsorId: $s) { userEmail role } }";
    assert_eq!(ok(&app, vt, q, json!({"s": w.sponsor_id})).await["sponsorUsers"].as_array().unwrap().len(), 2);
    let outsider = app.signup("out@other.io", "Other").await;
    refused(&app, Some(&outsider.token), q, json!({"s": w.sponsor_id}), "NOT_FOUND").await;

    let q = "mutation($id: ID!, $i: UpdateSponsorUserPermissionsInput!) { updateSponsorUserPermissions(id: $id, input: $i) { role canExportLeads } }";
    refused(&app, vt, q, json!({"id": member_id, "i": {"role": "viewer"}}), "FORBIDDEN").await;
    // nobody changes their own role
    refused(&app, nt, q, json!({"id": member_id, "i": {"role": "viewer"}}), "FORBIDDEN").await;
    let viewer_member = ok(&app, vt, "query { mySponsors { membership { id } } }", json!({})).await["mySponsors"][0]["membership"]["id"].clone();
    let d = ok(&app, nt, q, json!({"id": viewer_member, "i": {"canExportLeads": true}})).await;
    assert_eq!(d["updateSponsorUserPermissions"], json!({"role": "viewer", "canExportLeads": true}));

    let q = "mutation($id: ID!) { removeSponsorUser(id: $id) { isActive } }";
    refused(&app, vt, q, json!({"id": member_id}), "FORBIDDEN").await;
    assert_eq!(ok(&app, nt, q, json!({"id": viewer_member})).await["removeSponsorUser"]["isActive"], false);

    let q = "query { mySponsors { sponsor { companyName } event { name } membership { role } } }";
    let d = ok(&app, nt, q, json!({})).await;
    assert_eq!(
        d["mySponsors"],
        json!([{"sponsor": {"companyName": "Ferris Inc"}, "event": {"name": "RustConf"}, "membership": {"role": "admin"}}])
    );
    assert_eq!(ok(&app, vt, q, json!({})).await["mySponsors"], json!([]));
    refused(&app, None, q, json!({}), "UNAUTHENTICATED").await;
}

async fn lead_queries_and_mutations(app: TestApp) {
    let w = world(&app).await;
    let (staff, _) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;
    let (viewer, _) = join_staff(&app, &w, &w.sponsor_id, "viewer@ferris.io", "viewer").await;
    let outsider = app.signup("out@other.io", "Other").await;
    let (st, vt, ot) = (Some(staff.token.as_str()), Some(viewer.token.as_str()), Some(outsider.token.as_str()));

    let q = "mutation($e: ID!, $s: ID!, $i: CaptureLeadInput!, $k: String) { captureLead(eventId: $e, sponsorId: $s, input: $i, idempotencyKey: $k) { created replayed lead { id intentScore intentLevel interactionCount } } }";
    let vars = |kind: &str, key: Option<&str>| json!({"e": w.event_id, "s": w.sponsor_id, "k": key, "i": {"interactionType": kind, "attendee": {"email": "ada@corp.io", "name": "Ada"}, "metadata": {"at": "booth"}}});
    let d = ok(&app, st, q, vars("demo_request", Some("k1"))).await;
    assert_eq!(d["captureLead"]["created"], true);
    let lead = d["captureLead"]["lead"]["id"].as_str().unwrap().to_string();
    let d = ok(&app, st, q, vars("demo_request", Some("k1"))).await;
    assert_eq!(
        (d["captureLead"]["replayed"].as_bool(), d["captureLead"]["lead"]["interactionCount"].as_i64()),
        (Some(true), Some(1))
    );
    let d = ok(&app, st, q, vars("direct_request", None)).await;
    assert_eq!(d["captureLead"]["lead"]["intentScore"], 70);
    assert_eq!(d["captureLead"]["lead"]["intentLevel"], "hot");
    refused(&app, vt, q, vars("qr_scan", None), "FORBIDDEN").await;
    refused(&app, ot, q, vars("qr_scan", None), "NOT_FOUND").await;
    refused(&app, st, q, vars("teleport", None), "BAD_USER_INPUT").await;

    let q = "query($s: ID!, $f: LeadFilters) { sponsorLeads(sponsorId: $s, filters: $f, first: 10) { items { id userEmail intentLevel interactions { interactionType points metadata } } nextCursor } }";
    let d = ok(&app, vt, q, json!({"s": w.sponsor_id, "f": {"intentLevel": "hot"}})).await;
    let items = d["sponsorLeads"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["interactions"].as_array().unwrap().len(), 2);
    assert_eq!(items[0]["interactions"][1]["metadata"], json!({"at": "booth"}));
    assert_eq!(
        ok(&app, vt, q, json!({"s": w.sponsor_id, "f": {"intentLevel": "cold"}})).await["sponsorLeads"]["items"],
        json!([])
    );
    refused(&app, ot, q, json!({"s": w.sponsor_id}), "NOT_FOUND").await;
    refused(&app, vt, q, json!({"s": w.sponsor_id, "f": {"sort": "random"}}), "BAD_USER_INPUT").await;

    let q = "query($id: ID!) { sponsorLead(id: $id) { userName intentScore } }";
    assert_eq!(
        ok(&app, vt, q, json!({"id": lead})).await["sponsorLead"],
        json!({"userName": "Ada", "intentScore": 70})
    );
    refused(&app, ot, q, json!({"id": lead}), "NOT_FOUND").await;
    let q = "query($id: ID!) { leadInteractions(leadId: $id) { interactionType } }";
    assert_eq!(ok(&app, vt, q, json!({"id": lead})).await["leadInteractions"].as_array().unwrap().len(), 2);
    refused(&app, ot, q, json!({"id": lead}), "NOT_FOUND").await;

    let q = "query($s: ID!) { sponsorStats(sponsorId: $s) { total hot warm cold starred averageScore byInteractionType { key count } } }";
    let d = ok(&app, vt, q, json!({"s": w.sponsor_id})).await;
    assert_eq!((d["sponsorStats"]["total"].as_i64(), d["sponsorStats"]["hot"].as_i64()), (Some(1), Some(1)));
    refused(&app, ot, q, json!({"s": w.sponsor_id}), "NOT_FOUND").await;

    let q = "mutation($id: ID!, $i: UpdateSponsorLeadInput!) { updateSponsorLead(id: $id, input: $i) { followUpStatus followUpNotes tags } }";
    let d = ok(
        &app,
        st,
        q,
        json!({"id": lead, "i": {"followUpStatus": "qualified", "followUpNotes": "Budget OK", "tags": ["q4"]}}),
    )
    .await;
    assert_eq!(
        d["updateSponsorLead"],
        json!({"followUpStatus": "qualified", "followUpNotes": "Budget OK", "tags": ["q4"]})
    );
    refused(&app, vt, q, json!({"id": lead, "i": {"followUpStatus": "contacted"}}), "FORBIDDEN").await;
    refused(&app, ot, q, json!({"id": lead, "i": {"followUpStatus": "contacted"}}), "NOT_FOUND").await;

    let q = "mutation($id: ID!) { starSponsorLead(id: $id) { isStarred } }";
    assert_eq!(ok(&app, st, q, json!({"id": lead})).await["starSponsorLead"]["isStarred"], true);
    refused(&app, vt, q, json!({"id": lead}), "FORBIDDEN").await;
    let q = "mutation($id: ID!) { archiveSponsorLead(id: $id) { isArchived } }";
    assert_eq!(ok(&app, st, q, json!({"id": lead})).await["archiveSponsorLead"]["isArchived"], true);
    refused(&app, ot, q, json!({"id": lead}), "NOT_FOUND").await;
    refused(&app, None, q, json!({"id": lead}), "UNAUTHENTICATED").await;

    // a query nested deeper than the limit is refused before it runs: 16 for an
    // operation that reads the service, 24 for introspection alone
    let deep = |levels: usize| {
        format!(
            "__schema {{ types {{ fields {{ type {{ {} name {} }} }} }} }}",
            "ofType { ".repeat(levels),
            "} ".repeat(levels)
        )
    };
    let event_id = w.event_id;
    for (query, too_deep) in [
        (format!("{{ {} }}", deep(12)), false),
        (format!("{{ {} }}", deep(20)), true),
        (format!("{{ eventSponsorTiers(eventId: \"{event_id}\") {{ id }} {} }}", deep(12)), true),
    ] {
        let body: Value = app
            .client
            .post(app.url("/graphql"))
            .bearer_auth(&viewer.token)
            .json(&json!({"query": query}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let message = body["errors"][0]["message"].as_str().unwrap_or_default();
        assert_eq!(message.contains("nested too deep"), too_deep, "{query}: {body}");
    }
}

async fn nested_fields_cost_a_fixed_number_of_queries(app: TestApp) {
    let w = world(&app).await;
    let org = Some(w.organizer.token.as_str());
    let (staff, _) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;
    let sponsors = "query($e: ID!) { eventSponsors(eventId: $e, first: 200) { id companyName tier { name } representativeCount leadCount } }";
    let leads = "query($s: ID!) { sponsorLeads(sponsorId: $s, first: 200) { items { id interactions { id } } } }";
    let queries = || app.server.state.services.store.queries_executed();
    // the counter is the whole store's: background jobs (the outbox relay, the
    // webhook and reminder pollers) add their queries whenever they wake, never
    // take any away, so the fewest over three runs is the request's own cost
    let cost = |q: &'static str, v: Value, t: Option<String>| {
        let app = &app;
        async move {
            let mut fewest = u64::MAX;
            let mut data = Value::Null;
            for _ in 0..3 {
                let before = queries();
                data = ok(app, t.as_deref(), q, v.clone()).await;
                fewest = fewest.min(queries() - before);
            }
            (fewest, data)
        }
    };

    let capture = w.capture_path();
    // attendees record their own interactions (staff would hit the capture rate limit)
    let add_lead = |i: usize| {
        let (app, capture) = (&app, capture.clone());
        async move {
            let t = app.platform_token(&format!("attendee-{i}"), &format!("l{i}@corp.io"), None);
            for kind in ["booth_visit", "qr_scan"] {
                let (status, _) = app.post(&capture, Some(&t), json!({"interaction_type": kind})).await;
                assert!(status.is_success());
            }
        }
    };
    for i in 0..2 {
        common::another_sponsor(&app, &w, &format!("S{i}")).await;
        add_lead(i).await;
    }
    let (small_sponsors, d) = cost(sponsors, json!({"e": w.event_id}), org.map(str::to_string)).await;
    assert_eq!(d["eventSponsors"].as_array().unwrap().len(), 3);
    let (small_leads, d) = cost(leads, json!({"s": w.sponsor_id}), Some(staff.token.clone())).await;
    assert_eq!(d["sponsorLeads"]["items"].as_array().unwrap().len(), 2);

    for i in 2..50 {
        common::another_sponsor(&app, &w, &format!("S{i}")).await;
        add_lead(i).await;
    }
    let (big_sponsors, d) = cost(sponsors, json!({"e": w.event_id}), org.map(str::to_string)).await;
    assert_eq!(d["eventSponsors"].as_array().unwrap().len(), 51);
    let (big_leads, d) = cost(leads, json!({"s": w.sponsor_id}), Some(staff.token.clone())).await;
    assert_eq!(d["sponsorLeads"]["items"].as_array().unwrap().len(), 50);
    assert_eq!(d["sponsorLeads"]["items"][0]["interactions"].as_array().unwrap().len(), 2);

    assert_eq!(
        small_sponsors, big_sponsors,
        "sponsors with tiers and counts: {small_sponsors} vs {big_sponsors} queries"
    );
    assert_eq!(small_leads, big_leads, "leads with interactions: {small_leads} vs {big_leads} queries");
    assert!(big_sponsors <= 12 && big_leads <= 12, "{big_sponsors} / {big_leads}");
}

async fn subscription_receives_a_captured_lead(app: TestApp) {
    let w = world(&app).await;
    let (staff, _) = join_staff(&app, &w, &w.sponsor_id, "booth@ferris.io", "booth_staff").await;
    let url = app.url("/graphql/ws").replace("http://", "ws://");
    let mut req = url.into_client_request().unwrap();
    req.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
    let send = |v: Value| Message::Text(v.to_string().into());
    ws.send(send(
        json!({"type": "connection_init", "payload": {"Authorization": format!("Bearer {}", w.organizer.token)}}),
    ))
    .await
    .unwrap();
    let ack: Value = serde_json::from_str(ws.next().await.unwrap().unwrap().to_text().unwrap()).unwrap();
    assert_eq!(ack["type"], "connection_ack");
    ws.send(send(json!({"id": "1", "type": "subscribe", "payload": {"query": "subscription($s: ID!) { leadCaptured(sponsorId: $s) { userEmail intentScore } }", "variables": {"s": w.sponsor_id}}}))).await.unwrap();
    ws.send(send(json!({"id": "2", "type": "subscribe", "payload": {"query": "subscription($s: ID!) { leadIntentUpdated(sponsorId: $s) { intentLevel previousIntentLevel interactionCount } }", "variables": {"s": w.sponsor_id}}}))).await.unwrap();
    // let the subscriptions start before capturing
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    for kind in ["demo_request", "direct_request"] {
        let (status, _) = app
            .post(
                &w.capture_path(),
                Some(&staff.token),
                json!({"interaction_type": kind, "attendee": {"email": "live@corp.io"}}),
            )
            .await;
        assert!(status.is_success());
    }
    let mut got = Vec::new();
    while got.len() < 2 {
        let msg = tokio::time::timeout(std::time::Duration::from_secs(5), ws.next())
            .await
            .expect("an event within 5 s")
            .unwrap()
            .unwrap();
        let v: Value = serde_json::from_str(msg.to_text().unwrap()).unwrap();
        if v["type"] == "next" {
            got.push(v);
        }
    }
    let captured = got.iter().find(|v| v["id"] == "1").unwrap();
    assert_eq!(captured["payload"]["data"]["leadCaptured"], json!({"userEmail": "live@corp.io", "intentScore": 30}));
    let updated = got.iter().find(|v| v["id"] == "2").unwrap();
    assert_eq!(
        updated["payload"]["data"]["leadIntentUpdated"],
        json!({"intentLevel": "hot", "previousIntentLevel": "cold", "interactionCount": 2})
    );

    // another organization's organizer may not subscribe
    let outsider = app.signup("out@other.io", "Other").await;
    let mut req = app.url("/graphql/ws").replace("http://", "ws://").into_client_request().unwrap();
    req.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse().unwrap());
    let (mut ws2, _) = tokio_tungstenite::connect_async(req).await.unwrap();
    ws2.send(send(
        json!({"type": "connection_init", "payload": {"Authorization": format!("Bearer {}", outsider.token)}}),
    ))
    .await
    .unwrap();
    ws2.next().await.unwrap().unwrap();
    ws2.send(send(json!({"id": "1", "type": "subscribe", "payload": {"query": "subscription($s: ID!) { leadCaptured(sponsorId: $s) { id } }", "variables": {"s": w.sponsor_id}}}))).await.unwrap();
    let v: Value = serde_json::from_str(ws2.next().await.unwrap().unwrap().to_text().unwrap()).unwrap();
    // graphql-transport-ws reports a resolver's refusal as a `next` carrying errors
    let errors = if v["type"] == "error" { v["payload"].clone() } else { v["payload"]["errors"].clone() };
    assert_eq!(errors[0]["extensions"]["code"], "NOT_FOUND", "{v}");
    assert_eq!(v["payload"]["data"], json!(null), "{v}");
}

#[test]
fn schema_file_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/schema.graphql");
    let sdl = sponsorhub_server::graphql::sdl();
    if std::env::var_os("UPDATE_GRAPHQL_SCHEMA").is_some() {
        std::fs::write(path, &sdl).unwrap();
    }
    let file = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        file == sdl,
        "docs/schema.graphql is stale: run UPDATE_GRAPHQL_SCHEMA=1 cargo test -p sponsorhub-server --test graphql schema_file"
    );
}

#[tokio::test]
async fn graphiql_is_served_from_the_binary() {
    let app = TestApp::spawn(sponsorhub_testkit::Backend::Sqlite).await;
    let page = app.client.get(app.url("/graphql")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("GraphiQL") && !page.contains("unpkg") && !page.contains("cdn"));
    for asset in ["graphiql.min.js", "graphiql.min.css", "react.production.min.js", "react-dom.production.min.js"] {
        let res = app.client.get(app.url(&format!("/graphql/assets/{asset}"))).send().await.unwrap();
        assert_eq!(res.status(), 200, "{asset}");
        assert!(res.bytes().await.unwrap().len() > 1000);
    }
}
