//! Lead capture: an attendee interacts with a sponsor (their own capture, or staff
//! capturing them at the booth). One transaction records the interaction and
//! creates or updates the sponsor's one lead for that attendee (docs/ARCHITECTURE.md, "The sponsor API": lead capture).

use crate::authz::{self, LeadView};
use crate::email::{self, LeadReason};
use crate::notify::{IntentChange, Notification};
use crate::rate_limit::RecentMap;
use crate::{Error, Principal, Result, Services};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sponsorhub_domain::scoring::{self, IntentLevel, InteractionType};
use sponsorhub_domain::validate::{self, Validator};
use sponsorhub_domain::{CaptureSource, ConsentBasis, ConsentRule, FollowUpStatus, ids, time};
use sponsorhub_store::records::{AttendeeConsent, Event, Interaction, JsonColumn, Lead, Sponsor, SponsorMember};
use sponsorhub_store::{Tx, accounts, attendees, consents, idempotency, leads, sponsors};
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaptureLead {
    /// booth_visit, content_download, content_view, demo_watched, demo_request,
    /// direct_request, qr_scan or session_attendance
    #[cfg_attr(feature = "openapi", schema(value_type = InteractionType))]
    pub interaction_type: String,
    /// The attendee, when staff capture someone by what they type; absent when
    /// attendees record their own interaction (the caller is the attendee).
    pub attendee: Option<Attendee>,
    /// The attendee's badge code, as scanned: staff capture the badge's attendee
    /// (instead of `attendee`). An unknown or revoked badge records nothing (422).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub badge_code: Option<String>,
    /// How it was captured: badge_scan, manual, business_card, content, meeting or
    /// api. Default: badge_scan with a badge code, content for the attendee's own
    /// capture, else api.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<CaptureSource>))]
    pub source: Option<String>,
    /// The capturing device's name (at most 100 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// When it happened, by the capturing device's clock, for captures sent later
    /// (offline); at most 5 minutes ahead of the server's. Default: now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurred_at: Option<DateTime<Utc>>,
    /// Free-form details of the interaction (a JSON object, at most 4 KiB).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub metadata: Option<serde_json::Value>,
    /// Answers to the booth's qualification questions, given at the capture: when
    /// present, every required question must be answered (on the lead so far or
    /// here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answers: Option<Vec<crate::questions::AnswerInput>>,
}

/// The attendee captured by staff: the platform's user id, or an e-mail address, or both.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attendee {
    pub user_id: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub company: Option<String>,
    pub title: Option<String>,
}

/// An `Idempotency-Key` and the fingerprint of the request that carried it: the
/// same key with another request is refused. Made by [`IdempotencyKey::new`], the
/// one fingerprint of a capture, whichever API carried it.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    pub key: String,
    fingerprint: String,
}

impl IdempotencyKey {
    /// The key of a capture of `input` for the sponsor of the event: its
    /// fingerprint is SHA-256 of the event, the sponsor and the input in canonical
    /// form (fields in a fixed order, metadata keys sorted), so whitespace, key
    /// order or the API it came through do not make a retry another request.
    pub fn new(key: String, event_id: Uuid, sponsor_id: Uuid, input: &CaptureLead) -> IdempotencyKey {
        use sha2::{Digest, Sha256};
        let canonical = serde_json::to_string(input).unwrap_or_default();
        let mut h = Sha256::new();
        h.update(format!("capture {event_id} {sponsor_id}\n").as_bytes());
        h.update(canonical.as_bytes());
        let fingerprint = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
        IdempotencyKey { key, fingerprint }
    }

    /// The fingerprint of the request the key came with.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }
}

#[derive(Debug, Clone)]
pub struct CaptureOutcome {
    /// A new lead (201) rather than an update of the attendee's lead (200).
    pub created: bool,
    /// The whole lead, for callers who may see it (staff who view leads); `None`
    /// for everyone else (an attendee recording their own interaction, staff
    /// without view-leads), who get the receipt alone.
    pub lead: Option<Lead>,
    /// What was recorded, with whom: every caller gets it.
    pub receipt: CaptureReceipt,
    /// The answer is the stored one of an earlier request with the same key.
    pub replayed: bool,
}

/// What a capture recorded, with whom, and what the attendee shared: all an
/// attendee or staff without view-leads are shown (docs/ARCHITECTURE.md,
/// "Authorization").
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject), graphql(complex))]
pub struct CaptureReceipt {
    pub lead_id: Uuid,
    /// A new lead rather than an update of the attendee's lead.
    pub created: bool,
    pub sponsor_id: Uuid,
    pub sponsor_name: String,
    /// The interaction recorded.
    #[cfg_attr(feature = "graphql", graphql(skip))]
    pub interaction_type: InteractionType,
    /// The points it is worth (with any repeat bonus).
    pub points: i32,
    /// The points that counted: what the score rose by, after its cap.
    pub counted_points: i32,
    pub occurred_at: DateTime<Utc>,
    /// Who was captured, as the sponsor receives it: the attendee's own details at
    /// their own capture, the badge's attendee at a scan; `null` when staff typed
    /// the details.
    pub shared: Option<SharedDetails>,
}

#[cfg(feature = "graphql")]
#[async_graphql::ComplexObject]
impl CaptureReceipt {
    /// The interaction recorded.
    async fn interaction_type(&self) -> &'static str {
        self.interaction_type.as_str()
    }
}

/// The attendee's details a sponsor received.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
pub struct SharedDetails {
    pub name: Option<String>,
    pub email: Option<String>,
    pub company: Option<String>,
}

/// The answer kept with an idempotency key.
#[derive(Serialize, Deserialize)]
struct StoredAnswer {
    lead: Lead,
    receipt: CaptureReceipt,
    full: bool,
}

/// A claim older than this belongs to a request that died; a retry may take it over.
const STALE_CLAIM_SECS: i64 = 60;

#[derive(Default)]
struct Profile {
    user_id: Option<String>,
    name: Option<String>,
    email: Option<String>,
    company: Option<String>,
    title: Option<String>,
    phone: Option<String>,
    country: Option<String>,
    /// Custom fields of a badge's attendee that the organizer shares.
    fields: serde_json::Map<String, serde_json::Value>,
    /// The badge's attendee.
    attendee_id: Option<Uuid>,
}

/// Whom a capture is of.
enum Who {
    /// The caller, recording their own interaction.
    Caller,
    /// The person staff name.
    Named(Profile),
    /// The attendee of a scanned badge (the code as sent).
    Badge(String),
    /// The event's attendee the platform names (session attendance).
    Platform(PlatformAttendee),
}

/// An attendee of the event as the platform names them: by its platform id, or
/// by e-mail address.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlatformAttendee {
    pub platform_id: Option<String>,
    pub email: Option<String>,
}

/// The checked input of a capture.
struct Checked {
    answers: Option<Vec<crate::questions::AnswerInput>>,
    kind: InteractionType,
    who: Who,
    metadata: serde_json::Value,
    source: CaptureSource,
    device: Option<String>,
    at: DateTime<Utc>,
    /// Record nothing when the lead had an interaction of this kind within it
    /// (a booth visit: once an hour).
    once_within: Option<Duration>,
}

fn check(input: &CaptureLead) -> Result<Checked> {
    let mut v = Validator::new();
    let source = v.check(input.source.as_deref().map(|s| validate::choice::<CaptureSource>("source", s)).transpose());
    let device = v.check(validate::optional_text("device", input.device.as_deref(), 100)).flatten();
    let now = time::now();
    if input.occurred_at.is_some_and(|t| t > now + Duration::minutes(5)) {
        v.push("occurred_at", "must not be in the future");
    }
    let badge = v.check(validate::optional_text("badge_code", input.badge_code.as_deref(), 100)).flatten();
    if badge.is_some() && input.attendee.is_some() {
        v.push("badge_code", "send either a badge code or the attendee, not both");
    }
    let kind = v.check(validate::choice::<InteractionType>("interaction_type", &input.interaction_type));
    let profile = input.attendee.as_ref().map(|a| {
        let p = Profile {
            user_id: v.check(validate::optional_text("attendee.user_id", a.user_id.as_deref(), 200)).flatten(),
            name: v.check(validate::optional_text("attendee.name", a.name.as_deref(), 200)).flatten(),
            email: v.check(validate::optional_email("attendee.email", a.email.as_deref())).flatten(),
            company: v.check(validate::optional_text("attendee.company", a.company.as_deref(), 200)).flatten(),
            title: v.check(validate::optional_text("attendee.title", a.title.as_deref(), 200)).flatten(),
            ..Profile::default()
        };
        let blank = |f: &Option<String>| f.as_deref().is_none_or(|s| s.trim().is_empty());
        if blank(&a.user_id) && blank(&a.email) {
            v.push("attendee", "needs a platform id or an e-mail address");
        }
        p
    });
    let metadata = input.metadata.clone().unwrap_or_else(|| serde_json::json!({}));
    if !metadata.is_object() {
        v.push("metadata", "must be a JSON object");
    } else if metadata.to_string().len() > 4096 {
        v.push("metadata", "must be at most 4 KiB");
    }
    v.finish()?;
    let who = match (badge, profile) {
        (Some(code), _) => Who::Badge(code),
        (None, Some(p)) => Who::Named(p),
        (None, None) => Who::Caller,
    };
    let source = source.flatten().unwrap_or(match who {
        Who::Badge(_) => CaptureSource::BadgeScan,
        Who::Caller => CaptureSource::Content,
        Who::Named(_) | Who::Platform(_) => CaptureSource::Api,
    });
    let at = input.occurred_at.map_or(now, |t| t.min(now));
    let answers = input.answers.clone();
    Ok(Checked { answers, kind: kind.expect("checked"), who, metadata, source, device, at, once_within: None })
}

/// Records one interaction. Returns the lead, created (201) or updated (200).
#[tracing::instrument(skip_all, fields(event.id = %event_id, sponsor.id = %sponsor_id))]
pub async fn capture_lead(
    svc: &Services,
    p: &Principal,
    event_id: Uuid,
    sponsor_id: Uuid,
    input: CaptureLead,
    key: Option<IdempotencyKey>,
) -> Result<CaptureOutcome> {
    let checked = check(&input)?;
    if let Some(k) = &key
        && (k.key.is_empty() || k.key.len() > 255 || !k.key.chars().all(|c| c.is_ascii_graphic()))
    {
        return Err(Error::BadRequest("the Idempotency-Key must be 1 to 255 visible ASCII characters".into()));
    }

    if let Some(k) = &key
        && let Some(replay) = claim_key(svc, p, k).await?
    {
        return Ok(replay);
    }
    let result = capture(svc, p, event_id, sponsor_id, checked, key.as_ref()).await;
    match result {
        Ok((outcome, notifications)) => {
            for n in notifications {
                svc.notifier.publish(n);
            }
            Ok(outcome)
        }
        Err(e) => {
            if let Some(k) = &key {
                // Let a retry run: nothing was recorded.
                let mut tx = svc.store.write().await?;
                idempotency::release(&mut tx, p.user_id, &k.key).await?;
                tx.commit().await?;
            }
            Err(e)
        }
    }
}

/// Claims the key, or answers from it: the stored outcome (same request), 422
/// (another request), 409 (the first is still running).
async fn claim_key(svc: &Services, p: &Principal, k: &IdempotencyKey) -> Result<Option<CaptureOutcome>> {
    let now = time::now();
    let mut tx = svc.store.write().await?;
    if idempotency::claim(&mut tx, p.user_id, &k.key, &k.fingerprint, svc.instance_id, now).await? {
        tx.commit().await?;
        return Ok(None);
    }
    let stored = idempotency::find(&mut tx, p.user_id, &k.key)
        .await?
        .ok_or_else(|| Error::Conflict("a request with this Idempotency-Key is in progress".into()))?;
    if stored.request_hash != k.fingerprint {
        return Err(Error::Invalid(vec![validate::FieldError::new(
            "Idempotency-Key",
            "was used with a different request",
        )]));
    }
    match (stored.response_status, stored.response_body) {
        (Some(_), Some(body)) => {
            // The same shape as the first answer: what the caller was shown then.
            let a: StoredAnswer = serde_json::from_str(&body).map_err(|e| Error::Internal(e.into()))?;
            let lead = a.full.then_some(a.lead);
            Ok(Some(CaptureOutcome { created: a.receipt.created, lead, receipt: a.receipt, replayed: true }))
        }
        _ => {
            let stale_before = now - Duration::seconds(STALE_CLAIM_SECS);
            let dead_before = now - crate::instances::dead_after();
            if idempotency::reclaim(&mut tx, p.user_id, &k.key, svc.instance_id, stale_before, dead_before, now).await?
            {
                tx.commit().await?;
                Ok(None)
            } else {
                Err(Error::Conflict("a request with this Idempotency-Key is in progress; retry later".into()))
            }
        }
    }
}

async fn capture(
    svc: &Services,
    p: &Principal,
    event_id: Uuid,
    sponsor_id: Uuid,
    checked: Checked,
    key: Option<&IdempotencyKey>,
) -> Result<(CaptureOutcome, Vec<Notification>)> {
    // Every capture the caller sends counts, before its transaction: in memory on
    // SQLite; on PostgreSQL, where the bucket's row is shared by every instance,
    // by one statement that locks the row for itself alone, so that one caller's
    // captures do not queue behind each other's commits (docs/DECISIONS.md, "Rate
    // limits on PostgreSQL").
    svc.capture_limiter.hit(&svc.store, &p.user_id.to_string()).await?;
    // Begun lazily: a new lead may be one statement with no transaction around
    // it (docs/PERFORMANCE.md, "A new lead in one statement").
    let mut tx = svc.store.write_lazily().await?;
    let done = capture_in(&mut tx, Some(&svc.capture_contexts), p, event_id, sponsor_id, checked, key).await?;
    tx.commit().await?;
    Ok(done)
}

/// What a capture reads first: the sponsor, its event, the caller's membership,
/// and whether any enabled webhook endpoint hears of the sponsor's leads.
type Context = (Sponsor, Event, Option<SponsorMember>, bool);

/// How long a capture's context read is used again.
pub const CONTEXT_FOR: std::time::Duration = std::time::Duration::from_millis(500);
/// Contexts remembered at most; past that they are all forgotten.
const CONTEXTS_HELD: usize = 4_096;

/// The contexts of captures read lately, by event, sponsor and caller: a
/// caller's next captures within [`CONTEXT_FOR`] skip the query, unless a
/// sponsor, an event, a staff membership or a webhook endpoint was written on
/// this instance since it was read (the store counts those writes as they
/// commit). Another instance's write is seen within [`CONTEXT_FOR`]
/// (docs/DECISIONS.md, "The capture's context remembered").
pub(crate) struct CaptureContexts(RecentMap<(Uuid, Uuid, Uuid), (u64, Context)>);

impl Default for CaptureContexts {
    fn default() -> Self {
        CaptureContexts(RecentMap::new(CONTEXT_FOR, CONTEXTS_HELD))
    }
}

impl CaptureContexts {
    async fn read(&self, tx: &mut Tx, event: Uuid, sponsor: Uuid, user: Uuid) -> Result<Option<Context>> {
        // counted before the read: a write that commits during it makes it stale
        let writes = tx.access_writes();
        let key = (event, sponsor, user);
        if let Some((seen, context)) = self.0.get(&key)
            && seen == writes
        {
            return Ok(Some(context));
        }
        let context = sponsors::capture_context(tx, event, sponsor, user).await?;
        if let Some(c) = &context {
            self.0.insert(key, (writes, c.clone()));
        }
        Ok(context)
    }
}

/// A capture's work inside its transaction, up to (not including) the commit.
/// `contexts` remembers the context; the warm-up reads it every time.
async fn capture_in(
    tx: &mut Tx,
    contexts: Option<&CaptureContexts>,
    p: &Principal,
    event_id: Uuid,
    sponsor_id: Uuid,
    Checked { answers, kind, who, metadata, source, device, at, once_within }: Checked,
    key: Option<&IdempotencyKey>,
) -> Result<(CaptureOutcome, Vec<Notification>)> {
    let now = time::now();
    // The sponsor, its event and the caller's membership, in one query.
    let context = match contexts {
        Some(contexts) => contexts.read(tx, event_id, sponsor_id, p.user_id).await?,
        None => sponsors::capture_context(tx, event_id, sponsor_id, p.user_id).await?,
    };
    let Some((sponsor, event, member, webhooks)) = context else { return Err(Error::NotFound("sponsor")) };
    // Each lead records its consent (docs/DECISIONS.md, "Consent"): where the event
    // asks for an opt-in, staff capture only attendees who gave it to this sponsor.
    let staff_consent = |basis| Consent { basis, at, by: p.user_id, version: event.consent_text_version };
    // The platform is no account: nobody on the staff captured it.
    let platform = matches!(who, Who::Platform(_));

    // Who is the attendee: the caller, or the person staff name; and what the
    // caller is shown afterwards (authz decides).
    let (attendee_id, profile, view, shared, consent) = match who {
        Who::Caller => {
            // An attendee records their own interaction only where they may see
            // the hall: an attendees-only hall takes nothing from strangers
            // (docs/DECISIONS.md, "Booth pages").
            authz::require_hall_viewer(tx, Some(p), &event).await?;
            let shared = SharedDetails { name: Some(p.name.clone()), email: Some(p.email.clone()), company: None };
            let profile = Profile { name: shared.name.clone(), email: shared.email.clone(), ..Profile::default() };
            (p.user_id, profile, LeadView::Receipt, Some(shared), staff_consent(ConsentBasis::Attendee))
        }
        Who::Named(profile) => {
            let view = authz::staff_capture(tx, p, &sponsor, member.clone()).await?;
            let consent = match event.consent_rule {
                ConsentRule::BadgeScan => staff_consent(ConsentBasis::StaffEntry),
                ConsentRule::OptIn => {
                    let found = match (&profile.user_id, &profile.email) {
                        (Some(id), _) => attendees::by_platform_id(tx, event_id, id).await?,
                        (None, Some(email)) => attendees::by_email(tx, event_id, &email.to_lowercase()).await?,
                        (None, None) => None,
                    };
                    let given = match found {
                        Some(a) => consents::get(tx, a.id, sponsor_id).await?,
                        None => None,
                    };
                    opted_in(given, p.user_id).ok_or_else(|| {
                        Error::invalid(
                            "attendee",
                            format!(
                                "has not agreed to share their details with {}: nothing was recorded",
                                sponsor.company_name
                            ),
                        )
                    })?
                }
            };
            (attendee_user(tx, sponsor_id, &profile, now).await?, profile, view, None, consent)
        }
        who => {
            // A badge scanned by staff, or the platform naming the attendee of a
            // session: the same rules of consent and sharing.
            let (a, view, field) = match who {
                Who::Badge(code) => {
                    let view = authz::staff_capture(tx, p, &sponsor, member.clone()).await?;
                    let Some(a) = crate::attendees::by_badge(tx, event_id, &code).await? else {
                        return Err(Error::invalid("badge_code", "is not a badge of this event, or it was revoked"));
                    };
                    (a, view, "badge_code")
                }
                Who::Platform(named) => {
                    let found = match (&named.platform_id, &named.email) {
                        (Some(id), _) => attendees::by_platform_id(tx, event_id, id).await?,
                        (None, Some(email)) => attendees::by_email(tx, event_id, &email.to_lowercase()).await?,
                        (None, None) => None,
                    };
                    let Some(a) = found else {
                        return Err(Error::invalid("attendee", "is not an attendee of this event"));
                    };
                    (a, LeadView::Receipt, "attendee")
                }
                Who::Caller | Who::Named(_) => unreachable!("matched above"),
            };
            if a.scan_opt_out {
                return Err(Error::invalid(
                    field,
                    format!("{} opted out of badge scanning: nothing was recorded", a.name),
                ));
            }
            let consent = match event.consent_rule {
                ConsentRule::BadgeScan => staff_consent(ConsentBasis::BadgeScan),
                ConsentRule::OptIn => {
                    let given = consents::get(tx, a.id, sponsor_id).await?;
                    opted_in(given, p.user_id).ok_or_else(|| {
                        Error::invalid(
                            field,
                            format!(
                                "{} has not agreed to share their details with {}: nothing was recorded",
                                a.name, sponsor.company_name
                            ),
                        )
                    })?
                }
            };
            // The attendee's identity comes from their platform id or e-mail
            // address; the lead holds what the organizer shares with sponsors: the
            // name and the company always, the rest as the event's settings say
            // (docs/DECISIONS.md, "Attendees and badges").
            let identity = Profile { user_id: a.platform_id.clone(), email: a.email.clone(), ..Profile::default() };
            // A later scan finds the lead of the first, whatever accounts appeared
            // meanwhile.
            let id = match leads::user_of_attendee(tx, sponsor_id, a.id).await? {
                Some(id) => id,
                None => attendee_user(tx, sponsor_id, &identity, now).await?,
            };
            let rules = &event.shared_attendee_fields.0;
            let fields = a.custom_fields.0.into_iter().filter(|(k, _)| rules.custom_fields.contains(k)).collect();
            let email = a.email.filter(|_| rules.email);
            let shared = SharedDetails { name: Some(a.name.clone()), email: email.clone(), company: a.company.clone() };
            let profile = Profile {
                user_id: None,
                name: Some(a.name),
                email,
                company: a.company,
                title: a.title.filter(|_| rules.title),
                phone: a.phone.filter(|_| rules.phone),
                country: a.country.filter(|_| rules.country),
                fields,
                attendee_id: Some(a.id),
            };
            (id, profile, view, Some(shared), consent)
        }
    };
    if sponsor.is_archived {
        return Err(Error::Conflict("the sponsor is archived".into()));
    }
    if !sponsor.lead_capture_enabled {
        return Err(Error::Conflict("lead capture is off for this sponsor".into()));
    }

    let fresh = Lead {
        id: ids::new_id(),
        sponsor_id,
        event_id,
        user_id: attendee_id,
        user_name: profile.name.clone(),
        user_email: profile.email.clone(),
        user_company: profile.company.clone(),
        user_title: profile.title.clone(),
        user_phone: profile.phone.clone(),
        user_country: profile.country.clone(),
        user_fields: JsonColumn(profile.fields.clone()),
        attendee_id: profile.attendee_id,
        intent_score: scoring::add_points(0, kind.points()),
        intent_level: IntentLevel::from_score(kind.points()),
        interaction_count: 1,
        first_interaction_at: at,
        last_interaction_at: at,
        follow_up_status: FollowUpStatus::New,
        follow_up_notes: None,
        contact_notes: None,
        tags: JsonColumn(Vec::new()),
        is_starred: false,
        is_archived: false,
        followed_up_at: None,
        followed_up_by_user_id: None,
        consent_basis: Some(consent.basis.as_str().to_string()),
        consent_at: Some(consent.at),
        consent_by_user_id: Some(consent.by),
        consent_text_version: Some(consent.version),
        owner_user_id: None,
        due_on: None,
        created_at: now,
        updated_at: now,
        points_by_type: JsonColumn([(kind.as_str().to_string(), i64::from(kind.points()))].into()),
    };
    let mut notifications = Vec::new();
    let mut level_before = None;
    // Who captured, for the analytics: nobody on the staff when attendees record
    // their own interaction.
    let activity = (if p.user_id == attendee_id || platform { Uuid::nil() } else { p.user_id }, device.clone());
    let mut interaction = Interaction {
        id: ids::new_id(),
        lead_id: fresh.id,
        sponsor_id,
        interaction_type: kind,
        points: kind.points(),
        counted_points: fresh.intent_score,
        captured_by_user_id: (!platform).then_some(p.user_id),
        captured_by_name: Some(p.name.clone()),
        source,
        device,
        metadata: JsonColumn(metadata),
        occurred_at: at,
    };
    let answers = answers.filter(|a| !a.is_empty());
    // A new lead with no answers to apply and no key to complete is written whole
    // by its insert's one statement, which on PostgreSQL then needs no
    // transaction of its own (docs/PERFORMANCE.md, "A new lead in one statement").
    let alone = answers.is_none() && key.is_none();
    // The sponsor hears of a new lead, and of a lead that turns hot, by e-mail: one
    // pending-notification row here, folded into a digest by the e-mail worker.
    let created = leads::insert_if_absent(tx, &fresh, alone, async |tx: &mut Tx| -> Result<()> {
        email::record_lead_notification(tx, sponsor_id, fresh.id, LeadReason::New, now).await?;
        leads::insert_interaction(tx, &interaction).await?;
        if alone {
            announce(tx, &fresh, kind, &activity, webhooks, true, None, at, now).await?;
        }
        Ok(())
    })
    .await?;
    let (lead, points, counted) = if created {
        notifications.push(Notification::LeadCaptured { lead: fresh.clone() });
        let counted = fresh.intent_score;
        (fresh, kind.points(), counted)
    } else {
        let mut lead = leads::find_for_update(tx, sponsor_id, attendee_id)
            .await?
            .ok_or_else(|| Error::Internal(anyhow::anyhow!("lead vanished during capture")))?;
        // Decided under the lead's lock: two requests at once record one.
        if let Some(window) = once_within
            && leads::interacted_since(tx, sponsor_id, attendee_id, kind.as_str(), now - window).await?
        {
            return Err(Error::Conflict(format!(
                "a {kind} was recorded within the last {} minutes",
                window.num_minutes()
            )));
        }
        let was_counted = leads::Counted::of(&lead);
        let points = scoring::points_for(kind, true);
        let previous_score = lead.intent_score;
        let previous_level = lead.intent_level;
        level_before = Some(previous_level);
        lead.intent_score = scoring::add_points(lead.intent_score, points);
        lead.intent_level = IntentLevel::from_score(lead.intent_score);
        lead.interaction_count += 1;
        *lead.points_by_type.0.entry(kind.as_str().to_string()).or_default() += i64::from(points);
        // Captures sent later (offline) arrive in any order: the earliest time is the
        // first interaction, the latest the last.
        lead.first_interaction_at = lead.first_interaction_at.min(at);
        lead.last_interaction_at = lead.last_interaction_at.max(at);
        lead.updated_at = now;
        // Newer details of the attendee replace older ones; absent ones keep theirs.
        for (slot, new) in [
            (&mut lead.user_name, profile.name),
            (&mut lead.user_email, profile.email),
            (&mut lead.user_company, profile.company),
            (&mut lead.user_title, profile.title),
            (&mut lead.user_phone, profile.phone),
            (&mut lead.user_country, profile.country),
        ] {
            if new.is_some() {
                *slot = new;
            }
        }
        if !profile.fields.is_empty() {
            lead.user_fields = JsonColumn(profile.fields);
        }
        if profile.attendee_id.is_some() {
            lead.attendee_id = profile.attendee_id;
        }
        // The consent first recorded stays; a lead from before consent was kept
        // gets this one.
        if lead.consent_basis.is_none() {
            lead.consent_basis = Some(consent.basis.as_str().to_string());
            lead.consent_at = Some(consent.at);
            lead.consent_by_user_id = Some(consent.by);
            lead.consent_text_version = Some(consent.version);
        }
        leads::update(tx, was_counted, &lead).await?;
        if lead.intent_level == IntentLevel::Hot && previous_level != IntentLevel::Hot {
            email::record_lead_notification(tx, sponsor_id, lead.id, LeadReason::TurnedHot, now).await?;
        }
        if lead.intent_score != previous_score {
            notifications.push(Notification::LeadIntentUpdated(IntentChange {
                lead_id: lead.id,
                sponsor_id,
                intent_score: lead.intent_score,
                intent_level: lead.intent_level,
                previous_intent_level: previous_level,
                interaction_count: lead.interaction_count,
                updated_at: lead.updated_at,
            }));
        } else {
            // A capped score does not move, but the count and last interaction did:
            // open dashboards still hear of it.
            notifications.push(Notification::LeadUpdated { lead: lead.clone() });
        }
        let counted = lead.intent_score - previous_score;
        interaction.lead_id = lead.id;
        interaction.points = points;
        interaction.counted_points = counted;
        leads::insert_interaction(tx, &interaction).await?;
        (lead, points, counted)
    };
    let mut lead = lead;
    if let Some(answers) = answers {
        if matches!(view, LeadView::Receipt) && p.user_id == attendee_id {
            return Err(Error::invalid("answers", "staff answer the booth's questions, not the attendee"));
        }
        let before = (lead.intent_score, lead.intent_level);
        crate::questions::apply(tx, &mut lead, &answers, p.user_id, now).await?;
        notifications.push(crate::questions::changed(&lead, before));
    }
    if !(created && alone) {
        announce(tx, &lead, kind, &activity, webhooks, created, level_before, at, now).await?;
    }
    let receipt = CaptureReceipt {
        lead_id: lead.id,
        created,
        sponsor_id,
        sponsor_name: sponsor.company_name.clone(),
        interaction_type: kind,
        points,
        counted_points: counted,
        occurred_at: at,
        shared,
    };
    let full = view == LeadView::Full;
    if let Some(k) = key {
        let answer = StoredAnswer { lead, receipt, full };
        let body = serde_json::to_string(&answer).map_err(|e| Error::Internal(e.into()))?;
        idempotency::complete(tx, p.user_id, &k.key, if created { 201 } else { 200 }, &body).await?;
        let StoredAnswer { lead, receipt, .. } = answer;
        return Ok((CaptureOutcome { created, lead: full.then_some(lead), receipt, replayed: false }, notifications));
    }
    Ok((CaptureOutcome { created, lead: full.then_some(lead), receipt, replayed: false }, notifications))
}

/// What follows every capture's lead: the sponsor's webhooks hear of it after
/// the commit, through their outbox, when any enabled endpoint listens
/// (`webhooks`, from the capture's context: with none, no message is built;
/// docs/PERFORMANCE.md, "No webhook message while no endpoint listens"); the
/// analytics count it, by `activity` (who captured, on which device).
#[allow(clippy::too_many_arguments)]
async fn announce(
    tx: &mut Tx,
    lead: &Lead,
    kind: InteractionType,
    activity: &(Uuid, Option<String>),
    webhooks: bool,
    created: bool,
    level_before: Option<IntentLevel>,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<()> {
    if webhooks {
        crate::webhooks::lead_changed(tx, lead, created, level_before, now).await?;
    }
    crate::analytics::captured(tx, lead, kind.as_str(), activity.0, activity.1.as_deref(), created, level_before, at)
        .await
}

/// A signed-in attendee who shares their details with the sponsor opens its
/// booth page: a `booth_visit` of their own, rate-limited as any capture, and
/// recorded at most once per `window` (docs/DECISIONS.md, "Booth pages").
/// Answers `None` when nothing was recorded (one within the window, the sponsor
/// archived or not capturing).
pub async fn record_booth_visit(
    svc: &Services,
    p: &Principal,
    event_id: Uuid,
    sponsor_id: Uuid,
    window: Duration,
) -> Result<Option<CaptureReceipt>> {
    let checked = Checked {
        answers: None,
        kind: InteractionType::BoothVisit,
        who: Who::Caller,
        metadata: serde_json::json!({ "from": "booth_page" }),
        source: CaptureSource::Content,
        device: None,
        at: time::now(),
        once_within: Some(window),
    };
    match capture(svc, p, event_id, sponsor_id, checked, None).await {
        Ok((outcome, notifications)) => {
            for n in notifications {
                svc.notifier.publish(n);
            }
            Ok(Some(outcome.receipt))
        }
        Err(Error::Conflict(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The platform reports that an attendee of the event attended a session of the
/// sponsor: a `session_attendance`, with the consent the event's rule allows (as
/// a badge presented at the session's door; under opt_in, only an attendee who
/// opted in to this sponsor). `platform` is the caller built from the event's
/// service token: its id keys the rate limit, its name is the capturer's.
pub async fn capture_for_platform(
    svc: &Services,
    platform: &Principal,
    event_id: Uuid,
    sponsor_id: Uuid,
    attendee: PlatformAttendee,
    metadata: serde_json::Value,
    at: DateTime<Utc>,
) -> Result<CaptureReceipt> {
    let checked = Checked {
        answers: None,
        kind: InteractionType::SessionAttendance,
        who: Who::Platform(attendee),
        metadata,
        source: CaptureSource::Api,
        device: None,
        at,
        once_within: None,
    };
    let (outcome, notifications) = capture(svc, platform, event_id, sponsor_id, checked, None).await?;
    for n in notifications {
        svc.notifier.publish(n);
    }
    Ok(outcome.receipt)
}

/// A lead's consent, as recorded on it.
struct Consent {
    basis: ConsentBasis,
    at: DateTime<Utc>,
    by: Uuid,
    version: i32,
}

/// The consent of an attendee's opt-in, captured by `by`.
fn opted_in(given: Option<AttendeeConsent>, by: Uuid) -> Option<Consent> {
    given.map(|c| Consent { basis: ConsentBasis::OptIn, at: c.given_at, by, version: c.text_version })
}

/// The id under which the sponsor's lead of an attendee named by staff is kept
/// (docs/DECISIONS.md, "A capture makes no account"). What staff type is a contact
/// on the lead, never an account: a platform id names the platform's user (whose
/// own token later fills in their account); an e-mail address names the attendee
/// of the sponsor's lead with that contact address, else a known account with it,
/// else a contact of its own. The row kept
/// for an unknown id has a placeholder `.invalid` address and no password: it can
/// neither sign in nor receive mail, and blocks nobody's sign-up.
async fn attendee_user(tx: &mut Tx, sponsor: Uuid, a: &Profile, now: DateTime<Utc>) -> Result<Uuid> {
    let id = match (&a.user_id, &a.email) {
        (Some(ext), _) => ids::external_id(ext),
        (None, Some(email)) => {
            if let Some(known) = leads::attendee_by_email(tx, sponsor, email).await? {
                return Ok(known);
            }
            match accounts::find_credentials(tx, email).await? {
                Some((u, _)) => return Ok(u.id),
                None => ids::contact_id(email),
            }
        }
        (None, None) => return Err(Error::invalid("attendee", "needs a platform user id or an e-mail address")),
    };
    // One statement whether the row is there or not (docs/PERFORMANCE.md, "Lead capture").
    accounts::ensure_user(tx, id, &ids::placeholder_email(id), "Attendee", now).await?;
    Ok(id)
}

/// At most this many captures in one bulk request.
pub const MAX_BULK: usize = 500;

/// One capture of a bulk request: what a device queued while offline.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkCapture {
    /// Makes the item safe to send again: a replay answers as the first time.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[!-~]{1,255}$"))]
    pub idempotency_key: String,
    /// The capture, with `occurred_at` (the device's time) required.
    #[serde(flatten)]
    pub capture: CaptureLead,
}

/// Records queued captures one by one, each with its own key and transaction, in
/// the order sent; each answers on its own, a malformed one too, so one bad item
/// never holds back a device's queue (docs/DECISIONS.md, "Offline capture"). The
/// earliest device time becomes the lead's first interaction.
pub async fn capture_bulk(
    svc: &Services,
    p: &Principal,
    event_id: Uuid,
    sponsor_id: Uuid,
    items: Vec<serde_json::Map<String, serde_json::Value>>,
) -> Result<Vec<(String, Result<CaptureOutcome>)>> {
    if items.len() > MAX_BULK {
        return Err(Error::invalid("captures", format!("at most {MAX_BULK} captures a request")));
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, raw) in items.into_iter().enumerate() {
        let key = raw.get("idempotency_key").and_then(|k| k.as_str()).unwrap_or_default().to_string();
        let result = match serde_json::from_value::<BulkCapture>(serde_json::Value::Object(raw)) {
            Err(e) => Err(Error::invalid(&format!("captures[{i}]"), e.to_string())),
            Ok(item) if item.capture.occurred_at.is_none() => {
                Err(Error::invalid("occurred_at", "is required: the time the device captured it"))
            }
            Ok(item) => {
                let key = IdempotencyKey::new(item.idempotency_key, event_id, sponsor_id, &item.capture);
                capture_lead(svc, p, event_id, sponsor_id, item.capture, Some(key)).await
            }
        };
        out.push((key, result));
    }
    Ok(out)
}

/// Forgets idempotency keys older than the configured retention (at least 24 h).
pub async fn purge_idempotency_keys(svc: &Services) -> Result<u64> {
    let before = time::now() - svc.limits.idempotency_retention;
    let mut tx = svc.store.write().await?;
    let n = idempotency::purge(&mut tx, before).await?;
    tx.commit().await?;
    Ok(n)
}

/// Makes every connection of PostgreSQL's pools ready for captures before the
/// first one arrives: each runs a capture of a new lead and a repeat (with an
/// Idempotency-Key), on a sponsor of an event of an organization made up for
/// it, all in a transaction that is rolled back, so nothing of it stays. A new
/// connection's backend reads its catalogs, and sqlx prepares each statement, on
/// first use: without this the server's first captures after a start took 13 to
/// 71 ms, each on a connection of its own (docs/PERFORMANCE.md, "Connections
/// ready before the first capture"). Holds every connection of the pool while
/// it runs, so that each is warmed; if PostgreSQL refuses one, the ones held are.
/// Nothing on SQLite, whose one writer the first capture readies. Returns how
/// many connections were readied.
pub async fn warm_up(svc: &Services) -> Result<usize> {
    let Some(size) = svc.store.postgres_pool_size() else { return Ok(0) };
    let mut held = Vec::with_capacity(size as usize);
    for _ in 0..size {
        // PostgreSQL may refuse a connection (max_connections): the ones held
        // are readied all the same
        match svc.store.write().await {
            Ok(tx) => held.push(tx),
            Err(e) if held.is_empty() => return Err(e.into()),
            Err(e) => {
                tracing::warn!(error = %e, held = held.len(), "readying fewer connections than the pool may hold");
                break;
            }
        }
    }
    let readied = held.len();
    let instance = svc.instance_id;
    let mut runs = tokio::task::JoinSet::new();
    for mut tx in held {
        runs.spawn(async move {
            let outcome = warm_capture(&mut tx, instance).await;
            (tx, outcome)
        });
    }
    let mut done = Vec::with_capacity(readied);
    while let Some(run) = runs.join_next().await {
        let (tx, outcome) = run.map_err(|e| Error::Internal(e.into()))?;
        outcome?;
        done.push(tx);
    }
    // Each transaction rolls back as it drops.
    drop(done);
    sponsorhub_store::rate_limits::warm_up(&svc.store, time::now()).await?;
    Ok(readied)
}

/// A capture of a new lead and its repeat (the repeat with an Idempotency-Key,
/// claimed as `claim_key` claims it), by a booth's staff member, on records
/// made up inside `tx`, first with no webhook endpoint and then with one (a
/// capture's statements differ: docs/PERFORMANCE.md, "No webhook message while
/// no endpoint listens"); the caller rolls it back.
async fn warm_capture(tx: &mut Tx, instance: Uuid) -> Result<()> {
    use sponsorhub_domain::{HallAccess, SponsorRole};
    let now = time::now();
    let (org, staff) = (ids::new_id(), ids::new_id());
    // every record its own, names included: the warm-ups run beside each other,
    // and two uncommitted rows under one unique key would wait for each other
    accounts::insert_organization(tx, org, &format!("warm-up {org}"), now).await?;
    let email = format!("warm-up-{staff}@warm-up.invalid");
    accounts::insert_user(tx, staff, &email, "Warm-up", None, now).await?;
    let event = Event {
        id: ids::new_id(),
        organization_id: org,
        name: "warm-up".into(),
        slug: format!("warm-up-{org}"),
        description: None,
        starts_at: None,
        ends_at: None,
        timezone: "UTC".into(),
        venue: None,
        shared_attendee_fields: JsonColumn(Default::default()),
        consent_rule: ConsentRule::BadgeScan,
        consent_text: None,
        consent_text_version: 1,
        hall_access: HallAccess::Public,
        retention_days: None,
        created_at: now,
        updated_at: now,
    };
    sponsorhub_store::events::insert(tx, &event).await?;
    let sponsor = Sponsor {
        id: ids::new_id(),
        organization_id: org,
        event_id: event.id,
        tier_id: None,
        company_name: "warm-up".into(),
        company_description: None,
        company_website: None,
        company_logo_url: None,
        contact_name: None,
        contact_email: None,
        contact_phone: None,
        booth_number: None,
        booth_description: None,
        social_links: JsonColumn(Default::default()),
        is_featured: false,
        is_archived: false,
        archived_at: None,
        lead_capture_enabled: true,
        lead_notification_email: None,
        created_at: now,
        updated_at: now,
    };
    sponsors::insert(tx, &sponsor).await?;
    let role = SponsorRole::BoothStaff;
    sponsorhub_store::members::upsert_active(tx, sponsor.id, staff, role, role.default_permissions(), now).await?;
    let p = Principal { user_id: staff, email, name: "Warm-up".into(), org: None, expires_at: None };
    for hooked in [false, true] {
        if hooked {
            // Its writes count for the remembered contexts only if `tx` commits,
            // which it never does.
            let endpoint = sponsorhub_store::webhooks::WebhookEndpoint {
                id: ids::new_id(),
                event_id: event.id,
                sponsor_id: Some(sponsor.id),
                url: "https://warm-up.invalid/hook".into(),
                events: ",lead.created,lead.updated,lead.intent_changed,".into(),
                secret: crate::webhooks::new_secret(),
                description: None,
                is_enabled: true,
                disabled_reason: None,
                consecutive_failures: 0,
                created_by_user_id: None,
                created_at: now,
                updated_at: now,
            };
            sponsorhub_store::webhooks::insert_endpoint(tx, &endpoint).await?;
        }
        let scan = CaptureLead {
            interaction_type: InteractionType::QrScan.as_str().into(),
            attendee: Some(Attendee {
                name: Some("Warm-up Attendee".into()),
                email: Some(format!("attendee-{hooked}-{staff}@warm-up.invalid")),
                company: Some("Warm-up".into()),
                ..Attendee::default()
            }),
            badge_code: None,
            source: None,
            device: None,
            occurred_at: None,
            metadata: None,
            answers: None,
        };
        capture_in(tx, None, &p, event.id, sponsor.id, check(&scan)?, None).await?;
        let key = IdempotencyKey::new(format!("warm-up {hooked} {staff}"), event.id, sponsor.id, &scan);
        idempotency::claim(tx, staff, &key.key, &key.fingerprint, instance, now).await?;
        capture_in(tx, None, &p, event.id, sponsor.id, check(&scan)?, Some(&key)).await?;
        // the writes held for the commit go out, so that they are prepared too
        tx.flush().await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_ignore_key_order_but_not_values() {
        let input = |body: &str| serde_json::from_str::<CaptureLead>(body).unwrap();
        let (e, s) = (Uuid::nil(), Uuid::max());
        let key = |i: &CaptureLead| IdempotencyKey::new("k".into(), e, s, i).fingerprint;
        let a = input(r#"{"interaction_type":"qr_scan","metadata":{"a":1,"b":2}}"#);
        let b = input(r#"{ "metadata": {"b": 2, "a": 1}, "interaction_type": "qr_scan" }"#);
        let c = input(r#"{"interaction_type":"qr_scan","metadata":{"a":1,"b":3}}"#);
        assert_eq!(key(&a), key(&b));
        assert_ne!(key(&a), key(&c));
        assert_ne!(key(&a), IdempotencyKey::new("k".into(), s, e, &a).fingerprint);
    }
}
