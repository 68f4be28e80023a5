//! A sponsor's leads: the list with filters and keyset pages, statistics, one lead
//! with its history, and follow-up changes.

use crate::authz::SponsorAccess;
use crate::notify::Notification;
use crate::pagination;
use crate::questions::{LeadAnswer, ScoreBreakdown};
use crate::{Error, Principal, Result, Services};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sponsorhub_domain::validate::{self, Validator};
use sponsorhub_domain::{FollowUpStatus, IntentLevel, time};
use sponsorhub_store::leads::{Direction, LeadFilter, LeadPosition, LeadSort};
use sponsorhub_store::records::{Interaction, JsonColumn, Lead, LeadNote};
use sponsorhub_store::{Tx, leads as q, members};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Filters, order and page of the lead list.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams, utoipa::ToSchema))]
pub struct LeadQuery {
    /// hot, warm or cold
    #[cfg_attr(feature = "openapi", param(value_type = Option<IntentLevel>), schema(value_type = Option<IntentLevel>))]
    pub intent_level: Option<String>,
    /// new, contacted, qualified, not_interested or converted
    #[cfg_attr(feature = "openapi", param(value_type = Option<FollowUpStatus>), schema(value_type = Option<FollowUpStatus>))]
    pub follow_up_status: Option<String>,
    pub is_starred: Option<bool>,
    /// Include archived leads (default false).
    pub include_archived: Option<bool>,
    /// Part of the attendee's name, e-mail or company.
    pub search: Option<String>,
    /// Only leads scoring at least this.
    #[cfg_attr(feature = "openapi", param(minimum = 0, maximum = 100), schema(minimum = 0, maximum = 100))]
    pub min_score: Option<i32>,
    /// Only leads changed at or after this time: how a dashboard that lost its
    /// socket catches up.
    pub updated_since: Option<DateTime<Utc>>,
    /// `last_interaction` (default: most recent first), `score` (highest first) or
    /// `created` (newest first).
    #[cfg_attr(feature = "openapi", param(value_type = Option<LeadSortName>), schema(value_type = Option<LeadSortName>))]
    pub sort: Option<String>,
    /// Page size, 1 to 200 (default 50).
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200), schema(minimum = 1, maximum = 200))]
    pub limit: Option<u32>,
    /// The `next_cursor` or `prev_cursor` of another page (with the same sort).
    pub cursor: Option<String>,
}

/// A lead with its interaction history (newest first), its answers to the booth's
/// qualification questions, and why it has its score.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeadDetail {
    #[serde(flatten)]
    pub lead: Lead,
    pub interactions: Vec<Interaction>,
    pub answers: Vec<LeadAnswer>,
    pub score_breakdown: ScoreBreakdown,
    /// The notes, newest first (the last 100).
    pub notes: Vec<LeadNote>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeadStats {
    pub total: i64,
    /// hot, warm, cold → count
    pub by_intent_level: BTreeMap<String, i64>,
    /// follow-up status → count
    pub by_follow_up_status: BTreeMap<String, i64>,
    pub starred: i64,
    pub archived: i64,
    /// Mean intent score, 0 when there are no leads.
    pub average_score: f64,
    /// Leads first captured since midnight UTC.
    pub captured_today: i64,
    /// interaction type → interactions recorded
    pub by_interaction_type: BTreeMap<String, i64>,
}

/// Follow-up changes; absent fields stay, `null` clears notes.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateLead {
    /// new, contacted, qualified, not_interested or converted
    #[cfg_attr(feature = "openapi", schema(value_type = Option<FollowUpStatus>))]
    pub follow_up_status: Option<String>,
    #[serde(default, deserialize_with = "crate::events::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub follow_up_notes: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::events::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub contact_notes: Option<Option<String>>,
    pub tags: Option<Vec<String>>,
    pub is_starred: Option<bool>,
    pub is_archived: Option<bool>,
    /// Who follows the lead up: an active member of the sponsor's staff; `null`
    /// leaves it to nobody.
    #[serde(default, deserialize_with = "crate::events::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Uuid>))]
    pub owner_user_id: Option<Option<Uuid>>,
    /// The day the follow-up is due (`YYYY-MM-DD`); `null` clears it.
    #[serde(default, deserialize_with = "crate::events::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<chrono::NaiveDate>))]
    pub due_on: Option<Option<chrono::NaiveDate>>,
}

/// The orders of the lead list, as `sort` names them (documentation only; the
/// store's `LeadSort` is what runs).
#[cfg(feature = "openapi")]
#[derive(utoipa::ToSchema)]
#[schema(as = LeadSort, rename_all = "snake_case")]
#[allow(dead_code)]
pub enum LeadSortName {
    LastInteraction,
    Score,
    Created,
}

fn parse_sort(raw: Option<&str>) -> Result<LeadSort> {
    match raw.unwrap_or("last_interaction") {
        "last_interaction" => Ok(LeadSort::LastInteraction),
        "score" => Ok(LeadSort::Score),
        "created" => Ok(LeadSort::Created),
        _ => Err(Error::invalid("sort", "must be one of: last_interaction, score, created")),
    }
}

/// The filters and order of a lead list or export, checked.
pub(crate) fn parse_filter(query: &LeadQuery) -> Result<(LeadFilter, LeadSort)> {
    let mut v = Validator::new();
    let level =
        v.check(query.intent_level.as_deref().map(|l| validate::choice::<IntentLevel>("intent_level", l)).transpose());
    let status = v.check(
        query
            .follow_up_status
            .as_deref()
            .map(|s| validate::choice::<FollowUpStatus>("follow_up_status", s))
            .transpose(),
    );
    if query.min_score.is_some_and(|s| !(0..=100).contains(&s)) {
        v.push("min_score", "must be 0 to 100");
    }
    v.check(validate::optional_text("search", query.search.as_deref(), 200));
    v.finish()?;
    let sort = parse_sort(query.sort.as_deref())?;
    let filter = LeadFilter {
        intent_level: level.flatten().map(|l| l.as_str().to_string()),
        follow_up_status: status.flatten().map(|s| s.as_str().to_string()),
        is_starred: query.is_starred,
        include_archived: query.include_archived.unwrap_or(false),
        search: query.search.as_ref().map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty()),
        min_score: query.min_score,
        updated_since: query.updated_since,
        ids: None,
    };
    Ok((filter, sort))
}

/// A page of the sponsor's leads, with the count of all that match the filters.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeadPage {
    pub items: Vec<Lead>,
    /// Pass as `cursor` for the next page; `null` on the last.
    pub next_cursor: Option<String>,
    /// Pass as `cursor` for the previous page; `null` on the first.
    pub prev_cursor: Option<String>,
    /// How many leads match the filters, on every page (at most 1,000 when
    /// `total_capped`).
    pub total: i64,
    /// More than `total` match: a search or a minimum score is counted up to 1,000.
    pub total_capped: bool,
    /// The position of the page's first lead in the whole list, from 1 (0 when
    /// the page is empty): "51–100 of 1,234".
    pub first: i64,
}

/// A lead list cursor: a position, which side of it the page lies on, and the
/// position's rank in the list (so a page knows where it starts).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct LeadCursor {
    #[serde(rename = "p")]
    position: LeadPosition,
    #[serde(rename = "b", default)]
    before: bool,
    #[serde(rename = "r")]
    rank: i64,
}

pub async fn list_leads(svc: &Services, p: &Principal, sponsor_id: Uuid, query: LeadQuery) -> Result<LeadPage> {
    let (filter, sort) = parse_filter(&query)?;
    let limit = pagination::limit(query.limit)?;
    let cursor: Option<LeadCursor> = pagination::decode(query.cursor.as_deref())?;
    if let Some(c) = &cursor {
        let matches = matches!(
            (sort, &c.position),
            (LeadSort::Score, LeadPosition::Score(..))
                | (LeadSort::LastInteraction, LeadPosition::LastInteraction(..))
                | (LeadSort::Created, LeadPosition::Created(..))
        );
        if !matches {
            return Err(Error::BadRequest("the cursor belongs to another sort order".into()));
        }
    }

    let mut tx = svc.store.read().await?;
    SponsorAccess::load(&mut tx, p, sponsor_id).await?.require_leads_read()?;
    let from = cursor.as_ref().map(|c| (&c.position, if c.before { Direction::Before } else { Direction::After }));
    let mut rows = q::list(&mut tx, sponsor_id, &filter, sort, from, i64::from(limit) + 1).await?;
    let (total, total_capped) = list_total(&mut tx, sponsor_id, &filter).await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let backward = cursor.as_ref().is_some_and(|c| c.before);
    if backward {
        rows.reverse();
    }
    let len = rows.len() as i64;
    let first = match &cursor {
        None => 1,
        Some(c) if c.before => (c.rank - len).max(1),
        Some(c) => c.rank + 1,
    };
    let at = |l: &Lead, rank: i64, before: bool| {
        pagination::encode(&LeadCursor { position: LeadPosition::of(sort, l), before, rank })
    };
    // Going forward, a later page exists when more rows came back; going back, the
    // page the cursor came from is the next one.
    let next_cursor = rows.last().filter(|_| if backward { true } else { more }).map(|l| at(l, first + len - 1, false));
    let prev_cursor =
        rows.first().filter(|_| if backward { more } else { cursor.is_some() }).map(|l| at(l, first, true));
    Ok(LeadPage { items: rows, next_cursor, prev_cursor, total, total_capped, first: if len == 0 { 0 } else { first } })
}

/// A list count stops here when the counters cannot answer (a search, a minimum
/// score, a time): "1,000+".
pub const COUNT_CAP: i64 = 1_000;

/// How many leads the filters match: from the counters when the filters are
/// theirs (level, status, star, archive), else counted up to [`COUNT_CAP`].
async fn list_total(tx: &mut Tx, sponsor: Uuid, f: &LeadFilter) -> Result<(i64, bool)> {
    if f.search.is_none() && f.min_score.is_none() && f.updated_since.is_none() && f.ids.is_none() {
        let n = q::counts(tx, sponsor)
            .await?
            .iter()
            .filter(|c| f.include_archived || !c.is_archived)
            .filter(|c| f.intent_level.as_deref().is_none_or(|l| l == c.intent_level))
            .filter(|c| f.follow_up_status.as_deref().is_none_or(|s| s == c.follow_up_status))
            .filter(|c| f.is_starred.is_none_or(|s| s == c.is_starred))
            .map(|c| c.n)
            .sum();
        return Ok((n, false));
    }
    let n = q::count_capped(tx, sponsor, f, COUNT_CAP + 1).await?;
    Ok((n.min(COUNT_CAP), n > COUNT_CAP))
}

pub async fn lead_stats(svc: &Services, p: &Principal, sponsor_id: Uuid) -> Result<LeadStats> {
    let mut tx = svc.store.read().await?;
    SponsorAccess::load(&mut tx, p, sponsor_id).await?.require_leads_read()?;
    let today = time::now().date_naive().and_hms_opt(0, 0, 0).expect("midnight").and_utc();
    // The counters, not the leads: a few dozen rows whatever the number of leads.
    let counts = q::counts(&mut tx, sponsor_id).await?;
    let captured_today = sponsorhub_store::analytics::new_leads_since(&mut tx, sponsor_id, today).await?;
    let by_type = sponsorhub_store::analytics::interaction_totals(&mut tx, sponsor_id).await?;
    let sum = |f: &dyn Fn(&q::CountRow) -> bool| counts.iter().filter(|c| f(c)).map(|c| c.n).sum::<i64>();
    let total = sum(&|_| true);
    let score_sum: i64 = counts.iter().map(|c| c.score_sum).sum();
    let average = if total > 0 { score_sum as f64 / total as f64 } else { 0.0 };
    Ok(LeadStats {
        total,
        by_intent_level: [IntentLevel::Hot, IntentLevel::Warm, IntentLevel::Cold]
            .into_iter()
            .map(|k| (k.as_str().to_string(), sum(&|c| c.intent_level == k.as_str())))
            .collect(),
        by_follow_up_status: [
            FollowUpStatus::New,
            FollowUpStatus::Contacted,
            FollowUpStatus::Qualified,
            FollowUpStatus::NotInterested,
            FollowUpStatus::Converted,
        ]
        .into_iter()
        .map(|k| (k.as_str().to_string(), sum(&|c| c.follow_up_status == k.as_str())))
        .collect(),
        starred: sum(&|c| c.is_starred),
        archived: sum(&|c| c.is_archived),
        average_score: (average * 10.0).round() / 10.0,
        captured_today,
        by_interaction_type: by_type.into_iter().collect(),
    })
}

/// The lead, for a caller who may read the sponsor's leads (`write`: change
/// them; the lead is then locked until the transaction ends). When the request
/// names the sponsor (REST paths do), another sponsor's lead is missing.
pub(crate) async fn lead_for(
    tx: &mut Tx,
    p: &Principal,
    sponsor_id: Option<Uuid>,
    lead_id: Uuid,
    write: bool,
) -> Result<Lead> {
    // A lead about to be written back is read under a lock (on PostgreSQL), so a
    // capture committing meanwhile is not overwritten.
    let lead = if write { q::get_any_for_update(tx, lead_id).await? } else { q::get_any(tx, lead_id).await? };
    let lead = lead.filter(|l| sponsor_id.is_none_or(|s| s == l.sponsor_id));
    let Some(lead) = lead else { return Err(Error::NotFound("lead")) };
    // A sponsor the caller has no relation to hides its leads; any other failure
    // (the database) stays what it is.
    let access = SponsorAccess::load(tx, p, lead.sponsor_id).await.map_err(|e| match e {
        Error::NotFound(_) => Error::NotFound("lead"),
        e => e,
    })?;
    if write {
        access.require_leads_write()?
    } else {
        access.require_leads_read()?
    }
    Ok(lead)
}

pub async fn get_lead(svc: &Services, p: &Principal, sponsor_id: Option<Uuid>, lead_id: Uuid) -> Result<LeadDetail> {
    let mut tx = svc.store.read().await?;
    let lead = lead_for(&mut tx, p, sponsor_id, lead_id, false).await?;
    detail(&mut tx, lead).await
}

/// The lead with its history, answers and score breakdown.
pub(crate) async fn detail(tx: &mut Tx, lead: Lead) -> Result<LeadDetail> {
    let interactions = q::interactions(tx, lead.id).await?;
    let answers = crate::questions::answers_of(tx, &lead).await?;
    let score_breakdown = crate::questions::breakdown(&lead, &interactions, &answers);
    let notes = q::notes(tx, lead.id, 100).await?;
    Ok(LeadDetail { lead, interactions, answers, score_breakdown, notes })
}

#[tracing::instrument(skip_all, fields(lead.id = %lead_id))]
pub async fn update_lead(
    svc: &Services,
    p: &Principal,
    sponsor_id: Option<Uuid>,
    lead_id: Uuid,
    input: UpdateLead,
) -> Result<Lead> {
    let mut v = Validator::new();
    let status = v.check(
        input
            .follow_up_status
            .as_deref()
            .map(|s| validate::choice::<FollowUpStatus>("follow_up_status", s))
            .transpose(),
    );
    let follow_up_notes = v.check(
        input
            .follow_up_notes
            .as_ref()
            .map(|n| validate::optional_text("follow_up_notes", n.as_deref(), 10_000))
            .transpose(),
    );
    let contact_notes = v.check(
        input
            .contact_notes
            .as_ref()
            .map(|n| validate::optional_text("contact_notes", n.as_deref(), 10_000))
            .transpose(),
    );
    let tags = v.check(input.tags.as_deref().map(|t| validate::tags("tags", t)).transpose());
    v.finish()?;

    let mut tx = svc.store.write().await?;
    let mut lead = lead_for(&mut tx, p, sponsor_id, lead_id, true).await?;
    let counted = q::Counted::of(&lead);
    let now = time::now();
    if let Some(s) = status.flatten()
        && s != lead.follow_up_status
    {
        if lead.followed_up_at.is_none() {
            crate::analytics::followed_up(&mut tx, &lead, p.user_id, now).await?;
        }
        lead.follow_up_status = s;
        lead.followed_up_at = Some(now);
        lead.followed_up_by_user_id = Some(p.user_id);
    }
    if let Some(n) = follow_up_notes.flatten() {
        // The field holds the latest; each new text is also an entry of the history.
        if let Some(body) = n.as_ref().filter(|b| lead.follow_up_notes.as_ref() != Some(*b)) {
            add_note_in(&mut tx, &lead, p.user_id, body, now).await?;
        }
        lead.follow_up_notes = n;
    }
    if let Some(owner) = input.owner_user_id {
        if let Some(user) = owner {
            check_owner(&mut tx, lead.sponsor_id, user).await?;
        }
        lead.owner_user_id = owner;
    }
    if let Some(due) = input.due_on {
        lead.due_on = due;
    }
    if let Some(n) = contact_notes.flatten() {
        lead.contact_notes = n;
    }
    if let Some(t) = tags.flatten() {
        lead.tags = JsonColumn(t);
    }
    if let Some(s) = input.is_starred {
        lead.is_starred = s;
    }
    if let Some(a) = input.is_archived {
        lead.is_archived = a;
    }
    lead.updated_at = now;
    q::update(&mut tx, counted, &lead).await?;
    crate::webhooks::lead_changed(&mut tx, &lead, false, None, now).await?;
    tx.commit().await?;
    svc.notifier.publish(Notification::LeadUpdated { lead: lead.clone() });
    Ok(lead)
}

/// The interaction histories of several leads at once (one check per sponsor, one
/// query for all histories): for nested GraphQL fields over a page of leads. Leads
/// the caller may not read are left out.
pub async fn interactions_of(
    svc: &Services,
    p: &Principal,
    lead_ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, Vec<Interaction>>> {
    let mut tx = svc.store.read().await?;
    let leads = q::get_many(&mut tx, lead_ids).await?;
    let mut readable = Vec::new();
    let mut decided: std::collections::HashMap<Uuid, bool> = std::collections::HashMap::new();
    for l in &leads {
        let ok = match decided.get(&l.sponsor_id) {
            Some(ok) => *ok,
            None => {
                let ok = match SponsorAccess::load(&mut tx, p, l.sponsor_id).await {
                    Ok(a) => a.require_leads_read().is_ok(),
                    Err(Error::NotFound(_)) => false,
                    Err(e) => return Err(e),
                };
                decided.insert(l.sponsor_id, ok);
                ok
            }
        };
        if ok {
            readable.push(l.id);
        }
    }
    let mut out: std::collections::HashMap<Uuid, Vec<Interaction>> =
        readable.iter().map(|id| (*id, Vec::new())).collect();
    for i in q::interactions_of(&mut tx, &readable).await? {
        out.entry(i.lead_id).or_default().push(i);
    }
    Ok(out)
}

/// A lead's owner must be an active member of the sponsor's staff.
async fn check_owner(tx: &mut Tx, sponsor: Uuid, user: Uuid) -> Result<()> {
    if members::find(tx, sponsor, user).await?.is_some_and(|m| m.is_active) {
        Ok(())
    } else {
        Err(Error::invalid("owner_user_id", "is not on the sponsor's staff"))
    }
}

/// At most this many characters a note.
pub const MAX_NOTE: usize = 10_000;

async fn add_note_in(tx: &mut Tx, lead: &Lead, author: Uuid, body: &str, now: DateTime<Utc>) -> Result<LeadNote> {
    let note = LeadNote {
        id: sponsorhub_domain::ids::new_id(),
        lead_id: lead.id,
        sponsor_id: lead.sponsor_id,
        author_user_id: Some(author),
        author_name: None,
        body: body.to_string(),
        created_at: now,
    };
    q::insert_note(tx, &note).await?;
    Ok(note)
}

/// Adds an entry to the lead's notes (staff who follow leads up); the lead's
/// `follow_up_notes` shows the latest.
#[tracing::instrument(skip_all, fields(lead.id = %lead_id))]
pub async fn add_note(
    svc: &Services,
    p: &Principal,
    sponsor_id: Option<Uuid>,
    lead_id: Uuid,
    body: &str,
) -> Result<LeadNote> {
    let body = validate::text("body", body, 1, MAX_NOTE).map_err(|e| Error::Invalid(vec![e]))?;
    let mut tx = svc.store.write().await?;
    let mut lead = lead_for(&mut tx, p, sponsor_id, lead_id, true).await?;
    let counted = q::Counted::of(&lead);
    let now = time::now();
    let mut note = add_note_in(&mut tx, &lead, p.user_id, &body, now).await?;
    lead.follow_up_notes = Some(body);
    lead.updated_at = now;
    q::update(&mut tx, counted, &lead).await?;
    crate::webhooks::lead_changed(&mut tx, &lead, false, None, now).await?;
    tx.commit().await?;
    note.author_name = Some(p.name.clone());
    svc.notifier.publish(Notification::LeadUpdated { lead });
    Ok(note)
}

/// At most this many leads one bulk change.
pub const MAX_BULK: usize = 200;

/// One change to many leads of a sponsor: the ids, and what to set on each.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkLeadUpdate {
    /// 1 to 200 leads of the sponsor.
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 200))]
    pub lead_ids: Vec<Uuid>,
    /// new, contacted, qualified, not_interested or converted
    #[cfg_attr(feature = "openapi", schema(value_type = Option<FollowUpStatus>))]
    pub follow_up_status: Option<String>,
    /// The owner for all of them; `null` leaves them to nobody.
    #[serde(default, deserialize_with = "crate::events::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Uuid>))]
    pub owner_user_id: Option<Option<Uuid>>,
    /// A tag added to each (kept once).
    pub add_tag: Option<String>,
    pub is_starred: Option<bool>,
    pub is_archived: Option<bool>,
}

/// What a bulk change did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkLeadResult {
    pub updated: i32,
}

/// Applies one change to many leads in one transaction (staff who follow leads
/// up): every id must be a lead of this sponsor, else nothing changes (422 at
/// `lead_ids[<i>]`). Open dashboards hear of each lead after the commit.
#[tracing::instrument(skip_all, fields(sponsor.id = %sponsor_id, leads = input.lead_ids.len()))]
pub async fn bulk_update(
    svc: &Services,
    p: &Principal,
    sponsor_id: Uuid,
    input: BulkLeadUpdate,
) -> Result<BulkLeadResult> {
    let mut v = Validator::new();
    if input.lead_ids.is_empty() || input.lead_ids.len() > MAX_BULK {
        v.push("lead_ids", format!("choose 1 to {MAX_BULK} leads"));
    }
    let status = v.check(
        input
            .follow_up_status
            .as_deref()
            .map(|s| validate::choice::<FollowUpStatus>("follow_up_status", s))
            .transpose(),
    );
    let tag = v.check(input.add_tag.as_deref().map(|t| validate::text("add_tag", t, 1, 50)).transpose()).flatten();
    v.finish()?;
    let mut tx = svc.store.write().await?;
    SponsorAccess::load(&mut tx, p, sponsor_id).await?.require_leads_write()?;
    if let Some(Some(user)) = input.owner_user_id {
        check_owner(&mut tx, sponsor_id, user).await?;
    }
    let found = q::get_many(&mut tx, &input.lead_ids).await?;
    let mut leads = Vec::with_capacity(input.lead_ids.len());
    for (i, id) in input.lead_ids.iter().enumerate() {
        match found.iter().find(|l| l.id == *id && l.sponsor_id == sponsor_id) {
            Some(l) if !leads.iter().any(|x: &Lead| x.id == l.id) => leads.push(l.clone()),
            Some(_) => {}
            None => return Err(Error::invalid(&format!("lead_ids[{i}]"), "is not a lead of this sponsor")),
        }
    }
    let now = time::now();
    for lead in &mut leads {
        let counted = q::Counted::of(lead);
        if let Some(s) = status.flatten()
            && s != lead.follow_up_status
        {
            if lead.followed_up_at.is_none() {
                crate::analytics::followed_up(&mut tx, lead, p.user_id, now).await?;
            }
            lead.follow_up_status = s;
            lead.followed_up_at = Some(now);
            lead.followed_up_by_user_id = Some(p.user_id);
        }
        if let Some(owner) = input.owner_user_id {
            lead.owner_user_id = owner;
        }
        if let Some(t) = tag.as_ref()
            && !lead.tags.0.iter().any(|x| x == t)
        {
            if lead.tags.0.len() >= 50 {
                return Err(Error::invalid("add_tag", "a lead holds at most 50 tags"));
            }
            lead.tags.0.push(t.clone());
        }
        if let Some(s) = input.is_starred {
            lead.is_starred = s;
        }
        if let Some(a) = input.is_archived {
            lead.is_archived = a;
        }
        lead.updated_at = now;
        q::update(&mut tx, counted, lead).await?;
        crate::webhooks::lead_changed(&mut tx, lead, false, None, now).await?;
    }
    tx.commit().await?;
    let updated = i32::try_from(leads.len()).unwrap_or(i32::MAX);
    for lead in leads {
        svc.notifier.publish(Notification::LeadUpdated { lead });
    }
    Ok(BulkLeadResult { updated })
}
