//! GraphQL output types that are views of the adapter (pages, statistics, the lead
//! with its batched history) and the loader that batches nested fields.

use super::Gql;
use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::{ComplexObject, Context, SimpleObject};
use chrono::{DateTime, Utc};
use sponsorhub_domain::IntentLevel;
use sponsorhub_services::leads::LeadStats;
use sponsorhub_services::notify::IntentChange;
use sponsorhub_services::{Principal, Services, leads};
use sponsorhub_store::records::{Interaction, Lead};
use std::collections::HashMap;
use uuid::Uuid;

/// A lead; its `interactions` are loaded for a whole page at once.
#[derive(SimpleObject, Clone)]
#[graphql(complex, name = "SponsorLead")]
pub struct LeadNode {
    #[graphql(flatten)]
    pub lead: Lead,
    /// Filled by a list resolver that loaded the whole page's histories up front.
    #[graphql(skip)]
    pub prefetched: Option<Vec<Interaction>>,
}

#[ComplexObject]
impl LeadNode {
    /// The lead's interactions, newest first.
    async fn interactions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Interaction>> {
        if let Some(list) = &self.prefetched {
            return Ok(list.clone());
        }
        // Elsewhere (single leads, mutation results) the loader batches what arrives together.
        let loader = ctx.data_unchecked::<DataLoader<InteractionLoader>>();
        Ok(loader.load_one(self.lead.id).await?.unwrap_or_default())
    }
}

impl From<Lead> for LeadNode {
    fn from(lead: Lead) -> Self {
        LeadNode { lead, prefetched: None }
    }
}

/// Loads the histories of every lead a request touches in one service call.
pub struct InteractionLoader {
    pub services: Services,
    pub principal: Principal,
}

impl Loader<Uuid> for InteractionLoader {
    type Value = Vec<Interaction>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Vec<Interaction>>, Self::Error> {
        leads::interactions_of(&self.services, &self.principal, keys).await.gql()
    }
}

/// A page of leads.
#[derive(SimpleObject)]
pub struct LeadPage {
    pub items: Vec<LeadNode>,
    /// Pass as `after` for the next page; null on the last one.
    pub next_cursor: Option<String>,
    /// Pass as `after` for the previous page; null on the first one.
    pub prev_cursor: Option<String>,
    /// How many leads match the filters (at most 1,000 when `totalCapped`).
    pub total: i64,
    /// More than `total` match (a search or a minimum score counts up to 1,000).
    pub total_capped: bool,
    /// The position of the first item in the whole list, from 1 (0 when empty).
    pub first: i64,
}

/// One bucket of a count.
#[derive(SimpleObject)]
pub struct KeyCount {
    pub key: String,
    pub count: i64,
}

fn buckets(m: &std::collections::BTreeMap<String, i64>) -> Vec<KeyCount> {
    m.iter().map(|(k, v)| KeyCount { key: k.clone(), count: *v }).collect()
}

/// Lead statistics of a sponsor.
#[derive(SimpleObject)]
pub struct SponsorStats {
    pub total: i64,
    pub hot: i64,
    pub warm: i64,
    pub cold: i64,
    pub by_follow_up_status: Vec<KeyCount>,
    pub starred: i64,
    pub archived: i64,
    pub average_score: f64,
    pub captured_today: i64,
    pub by_interaction_type: Vec<KeyCount>,
}

impl From<LeadStats> for SponsorStats {
    fn from(s: LeadStats) -> Self {
        let level = |k: &str| s.by_intent_level.get(k).copied().unwrap_or(0);
        SponsorStats {
            total: s.total,
            hot: level(IntentLevel::Hot.as_str()),
            warm: level(IntentLevel::Warm.as_str()),
            cold: level(IntentLevel::Cold.as_str()),
            by_follow_up_status: buckets(&s.by_follow_up_status),
            starred: s.starred,
            archived: s.archived,
            average_score: s.average_score,
            captured_today: s.captured_today,
            by_interaction_type: buckets(&s.by_interaction_type),
        }
    }
}

/// What a capture did.
#[derive(SimpleObject)]
pub struct CaptureResult {
    /// A new lead rather than an update of the attendee's lead.
    pub created: bool,
    /// The answer is the stored one of an earlier request with the same idempotency key.
    pub replayed: bool,
    /// The lead, for staff who may view leads and organizers; null for everyone else.
    pub lead: Option<LeadNode>,
    /// What was recorded and with whom: every caller gets it.
    pub receipt: sponsorhub_services::capture::CaptureReceipt,
}

/// A capture changed a lead's score.
#[derive(SimpleObject, Clone)]
pub struct LeadIntentUpdate {
    pub lead_id: Uuid,
    pub sponsor_id: Uuid,
    pub intent_score: i32,
    pub intent_level: String,
    pub previous_intent_level: String,
    pub interaction_count: i32,
    pub updated_at: DateTime<Utc>,
}

impl From<IntentChange> for LeadIntentUpdate {
    fn from(c: IntentChange) -> Self {
        LeadIntentUpdate {
            lead_id: c.lead_id,
            sponsor_id: c.sponsor_id,
            intent_score: c.intent_score,
            intent_level: c.intent_level.as_str().to_string(),
            previous_intent_level: c.previous_intent_level.as_str().to_string(),
            interaction_count: c.interaction_count,
            updated_at: c.updated_at,
        }
    }
}

/// An answer on a lead to one of the booth's qualification questions.
#[derive(SimpleObject)]
pub struct LeadAnswerNode {
    pub question_id: Uuid,
    pub prompt: String,
    /// text, single_choice, multiple_choice or rating
    pub kind: String,
    /// Text, an option's label, a list of labels, or a number of stars.
    pub value: async_graphql::Json<serde_json::Value>,
    pub points: i32,
    pub answered_by_user_id: Option<Uuid>,
    pub answered_at: DateTime<Utc>,
}

/// A lead with its answers and why it has its score.
#[derive(SimpleObject)]
pub struct LeadQualification {
    pub lead: LeadNode,
    pub answers: Vec<LeadAnswerNode>,
    pub score_breakdown: sponsorhub_services::questions::ScoreBreakdown,
}

impl From<leads::LeadDetail> for LeadQualification {
    fn from(d: leads::LeadDetail) -> Self {
        LeadQualification {
            lead: LeadNode { lead: d.lead, prefetched: Some(d.interactions) },
            answers: d
                .answers
                .into_iter()
                .map(|a| LeadAnswerNode {
                    question_id: a.question_id,
                    prompt: a.prompt,
                    kind: a.kind.as_str().to_string(),
                    value: async_graphql::Json(a.value),
                    points: a.points,
                    answered_by_user_id: a.answered_by_user_id,
                    answered_at: a.answered_at,
                })
                .collect(),
            score_breakdown: d.score_breakdown,
        }
    }
}
