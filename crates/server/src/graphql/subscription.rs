//! Subscriptions over graphql-ws: a sponsor's new leads and intent changes, for
//! callers allowed to read its leads. Each subscription holds a live grant
//! (`services::live`): it completes when the token expires or the access ends.

use super::types::{LeadIntentUpdate, LeadNode};
use super::{Gql, principal, services, uuid};
use async_graphql::{Context, ID, Result, Subscription};
use futures_util::{Stream, StreamExt};
use sponsorhub_services::live::{self, LiveGrant};
use sponsorhub_services::notify::Notification;
use tokio_stream::wrappers::BroadcastStream;

pub struct SubscriptionRoot;

/// The notifications of the grant's sponsor that `pick` keeps, until the grant ends.
fn feed<T: Send + 'static>(
    rx: tokio::sync::broadcast::Receiver<Notification>,
    mut grant: LiveGrant,
    pick: impl Fn(Notification) -> Option<T> + Send + Sync + Copy + 'static,
) -> impl Stream<Item = T> {
    BroadcastStream::new(rx)
        .filter_map(move |n| async move { n.ok().and_then(pick) })
        .take_until(async move { grant.ended().await })
}

#[Subscription]
impl SubscriptionRoot {
    /// A lead captured for the first time.
    async fn lead_captured(&self, ctx: &Context<'_>, sponsor_id: ID) -> Result<impl Stream<Item = LeadNode> + use<>> {
        let sponsor = uuid(&sponsor_id)?;
        let svc = services(ctx);
        let rx = svc.notifier.subscribe();
        let grant = live::open_lead_feed(svc, principal(ctx)?, sponsor).await.gql()?;
        Ok(feed(rx, grant, move |n| match n {
            Notification::LeadCaptured { lead } if lead.sponsor_id == sponsor => Some(LeadNode::from(lead)),
            _ => None,
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
        let rx = svc.notifier.subscribe();
        let grant = live::open_lead_feed(svc, principal(ctx)?, sponsor).await.gql()?;
        Ok(feed(rx, grant, move |n| match n {
            Notification::LeadIntentUpdated(c) if c.sponsor_id == sponsor => Some(LeadIntentUpdate::from(c)),
            _ => None,
        }))
    }
}
