//! Subscriptions over graphql-ws: a sponsor's new leads and intent changes, for
//! callers allowed to read its leads (the rule of the socket.io room).

use super::types::{LeadIntentUpdate, LeadNode};
use super::{Gql, principal, services, uuid};
use async_graphql::{Context, ID, Result, Subscription};
use futures_util::{Stream, StreamExt};
use sponsorhub_services::leads;
use sponsorhub_services::notify::Notification;
use tokio_stream::wrappers::BroadcastStream;

pub struct SubscriptionRoot;

#[Subscription]
impl SubscriptionRoot {
    /// A lead captured for the first time.
    async fn lead_captured(&self, ctx: &Context<'_>, sponsor_id: ID) -> Result<impl Stream<Item = LeadNode> + use<>> {
        let sponsor = uuid(&sponsor_id)?;
        let svc = services(ctx);
        leads::authorize_lead_feed(svc, principal(ctx)?, sponsor).await.gql()?;
        Ok(BroadcastStream::new(svc.notifier.subscribe()).filter_map(move |n| async move {
            match n {
                Ok(Notification::LeadCaptured { lead }) if lead.sponsor_id == sponsor => Some(LeadNode::from(lead)),
                _ => None,
            }
        }))
    }

    /// A capture changed a lead's score.
    async fn lead_intent_updated(
        &self,
        ctx: &Context<'_>,
        sponsor_id: ID,
    ) -> Result<impl Stream<Item = LeadIntentUpdate> + use<>> {
        let sponsor = uuid(&sponsor_id)?;
        let svc = services(ctx);
        leads::authorize_lead_feed(svc, principal(ctx)?, sponsor).await.gql()?;
        Ok(BroadcastStream::new(svc.notifier.subscribe()).filter_map(move |n| async move {
            match n {
                Ok(Notification::LeadIntentUpdated(c)) if c.sponsor_id == sponsor => Some(LeadIntentUpdate::from(c)),
                _ => None,
            }
        }))
    }
}
