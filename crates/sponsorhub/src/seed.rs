//! `sponsorhub seed`: a ready-made organizer, event, sponsors and a booth staff
//! member on every sponsor, through the same service functions the API uses. For
//! trying the service out and for the benchmarks (bench/), which need a staff token.

use anyhow::Context;
use sponsorhub_server::Config;
use sponsorhub_services::accounts::{self, SignupInput};
use sponsorhub_services::events::{self, CreateEvent};
use sponsorhub_services::invitations::{self, AcceptInvitation, CreateInvitation};
use sponsorhub_services::notify::Notification;
use sponsorhub_services::sponsors::{self, CreateSponsor};
use sponsorhub_services::{Limits, Principal, Services, tiers};
use std::time::Duration;

pub struct Seeded {
    pub event_id: String,
    pub sponsor_ids: Vec<String>,
    pub organizer_token: String,
    pub staff_token: String,
    pub organization_id: String,
}

pub async fn seed(config: &Config, sponsor_count: usize) -> anyhow::Result<Seeded> {
    let mut config = config.clone();
    // the seed invites one person to every sponsor: lift the per-minute limit here only
    config.limits = Limits { invitations_per_minute: u32::MAX, ..config.limits.clone() };
    let state = sponsorhub_server::app::build_state(&config).await?;
    let svc = &state.services;
    let tag = uuid::Uuid::now_v7().simple().to_string();
    let tag = &tag[tag.len() - 8..];
    let password = format!("seed-password-{tag}");

    let organizer = accounts::signup(
        svc,
        SignupInput {
            email: format!("organizer-{tag}@seed.test"),
            password: password.clone(),
            name: "Seed Organizer".into(),
            organization_name: Some(format!("Seed Events {tag}")),
        },
        "seed",
    )
    .await
    .map_err(|e| anyhow::anyhow!("signup: {e}"))?;
    let org = organizer.organization.clone().context("organization")?;
    let op = Principal {
        user_id: organizer.user.id,
        email: organizer.user.email.clone(),
        name: organizer.user.name.clone(),
        org: Some((org.id, sponsorhub_domain::OrgRole::Owner)),
        expires_at: None,
    };
    let event = events::create_event(
        svc,
        &op,
        org.id,
        CreateEvent {
            name: format!("Seed Summit {tag}"),
            slug: None,
            description: Some("Made by `sponsorhub seed`".into()),
            starts_at: None,
            ends_at: None,
            timezone: None,
            venue: Some("Hall A".into()),
            shared_attendee_fields: None,
            consent_rule: None,
            consent_text: None,
            hall_access: None,
            retention_days: None,
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("event: {e}"))?;
    let (tier_list, _) = tiers::create_default_tiers(svc, &op, Some(org.id), event.id)
        .await
        .map_err(|e| anyhow::anyhow!("tiers: {e}"))?;

    let staff = accounts::signup(
        svc,
        SignupInput {
            email: format!("staff-{tag}@seed.test"),
            password,
            name: "Seed Booth Staff".into(),
            organization_name: None,
        },
        "seed",
    )
    .await
    .map_err(|e| anyhow::anyhow!("signup: {e}"))?;
    let sp = Principal {
        user_id: staff.user.id,
        email: staff.user.email.clone(),
        name: staff.user.name.clone(),
        org: None,
        expires_at: None,
    };

    let mut rx = svc.notifier.subscribe();
    let mut sponsor_ids = Vec::new();
    for i in 0..sponsor_count {
        let s = sponsors::create_sponsor(
            svc,
            &op,
            Some(org.id),
            event.id,
            CreateSponsor {
                company_name: format!("Sponsor {:02}", i + 1),
                tier_id: None,
                company_description: None,
                company_website: None,
                company_logo_url: None,
                contact_name: None,
                contact_email: None,
                contact_phone: None,
                booth_number: Some(format!("B{:02}", i + 1)),
                booth_description: None,
                social_links: None,
                is_featured: Some(i == 0),
                lead_capture_enabled: None,
                lead_notification_email: None,
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("sponsor: {e}"))?;
        if i < tier_list.len() {
            // the first sponsors get a tier each, so the directory has something to group
            let _ = sponsors::update_sponsor(
                svc,
                &op,
                Some(org.id),
                s.sponsor.id,
                sponsors::UpdateSponsor { tier_id: Some(Some(tier_list[i].id)), ..Default::default() },
            )
            .await;
        }
        invitations::create_invitation(
            svc,
            &op,
            Some(org.id),
            s.sponsor.id,
            CreateInvitation {
                email: staff.user.email.clone(),
                role: sponsorhub_domain::SponsorRole::BoothStaff.as_str().into(),
                personal_message: None,
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("invitation: {e}"))?;
        let token = next_token(&mut rx, svc).await?;
        invitations::accept_invitation(svc, &sp, AcceptInvitation { token })
            .await
            .map_err(|e| anyhow::anyhow!("accept: {e}"))?;
        sponsor_ids.push(s.sponsor.id.to_string());
    }
    let staff_token = svc
        .tokens
        .issue_with_ttl(staff.user.id, &staff.user.email, &staff.user.name, None, Duration::from_secs(7 * 24 * 3600))
        .map_err(|e| anyhow::anyhow!("token: {e}"))?;
    state.realtime.close().await;
    svc.store.close().await;
    Ok(Seeded {
        event_id: event.id.to_string(),
        sponsor_ids,
        organizer_token: organizer.access_token,
        staff_token,
        organization_id: org.id.to_string(),
    })
}

async fn next_token(
    rx: &mut tokio::sync::broadcast::Receiver<Notification>,
    _svc: &Services,
) -> anyhow::Result<String> {
    loop {
        match tokio::time::timeout(Duration::from_secs(5), rx.recv()).await?? {
            Notification::InvitationIssued(m) => return Ok(m.token),
            _ => continue,
        }
    }
}
