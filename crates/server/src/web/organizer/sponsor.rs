//! The one sponsor, for organizers.

use super::*;
use axum::extract::Multipart;
use axum::http::HeaderMap;
use sponsorhub_services::sponsors::LogoChange;

pub struct MemberItem {
    pub name: String,
    pub email: String,
    pub role: String,
    pub joined: String,
}

pub struct InvitationItem {
    pub id: Uuid,
    pub email: String,
    pub role: String,
    /// Still pending (revocable); else expired (only resent).
    pub pending: bool,
    pub expires: String,
    pub sent: String,
}

#[derive(Template)]
#[template(path = "sponsor.html")]
struct SponsorPage {
    ctx: Ctx,
    event: EventItem,
    card: SponsorCard,
    members: Vec<MemberItem>,
    invitations: Vec<InvitationItem>,
    may_invite: bool,
    back: String,
    roles: [view::RoleOption; 4],
    draft: view::InviteDraft,
    /// The edit form: the sponsor's fields, or what was sent with its errors.
    edit: SponsorEditForm,
    edit_errors: FieldErrors,
    /// The event's tiers to choose from: (id, name).
    tier_options: Vec<(String, String)>,
    /// Organizers edit the sponsor (tier and listing included).
    may_edit: bool,
    /// The sponsor has an uploaded logo (which may be removed).
    has_upload: bool,
}

/// The sponsor's editable fields as the form sends them.
#[derive(Deserialize, Default, Clone)]
pub struct SponsorEditForm {
    #[serde(default)]
    pub company_name: String,
    #[serde(default)]
    pub tier_id: String,
    #[serde(default)]
    pub company_website: String,
    #[serde(default)]
    pub company_logo_url: String,
    #[serde(default)]
    pub company_description: String,
    #[serde(default)]
    pub booth_number: String,
    #[serde(default)]
    pub booth_description: String,
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub contact_email: String,
    #[serde(default)]
    pub contact_phone: String,
    #[serde(default)]
    pub lead_notification_email: String,
    /// "Remove the uploaded logo" was ticked.
    #[serde(default)]
    pub remove_logo: bool,
}

impl SponsorEditForm {
    fn of(s: &sponsorhub_store::records::Sponsor) -> SponsorEditForm {
        let t = |v: &Option<String>| v.clone().unwrap_or_default();
        SponsorEditForm {
            company_name: s.company_name.clone(),
            tier_id: s.tier_id.map(|t| t.to_string()).unwrap_or_default(),
            company_website: t(&s.company_website),
            company_logo_url: t(&s.company_logo_url),
            company_description: t(&s.company_description),
            booth_number: t(&s.booth_number),
            booth_description: t(&s.booth_description),
            contact_name: t(&s.contact_name),
            contact_email: t(&s.contact_email),
            contact_phone: t(&s.contact_phone),
            lead_notification_email: t(&s.lead_notification_email),
            remove_logo: false,
        }
    }
}

/// What the sponsor page shows: its invitation form's draft, its edit form's.
#[derive(Default)]
pub(super) struct SponsorForms {
    pub invite: view::InviteDraft,
    pub edit: Option<(SponsorEditForm, FieldErrors)>,
}

pub fn invitation_items(list: Vec<sponsorhub_store::records::Invitation>) -> Vec<InvitationItem> {
    list.into_iter()
        .map(|i| InvitationItem {
            id: i.id,
            email: i.email,
            role: view::label(i.role.as_str()),
            pending: i.status == InvitationStatus::Pending,
            expires: view::when(&i.expires_at),
            sent: view::when(&i.updated_at),
        })
        .collect()
}

pub async fn sponsor_page(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path((event_id, sponsor_id)): Path<(Uuid, Uuid)>,
) -> Result<Response, WebError> {
    sponsor_view(&s, ctx, &p, event_id, sponsor_id, SponsorForms::default()).await
}

/// The sponsor's page; its forms show `forms` (after a refused save).
pub(super) async fn sponsor_view(
    s: &AppState,
    ctx: Ctx,
    p: &Principal,
    event_id: Uuid,
    sponsor_id: Uuid,
    forms: SponsorForms,
) -> Result<Response, WebError> {
    let svc = &s.services;
    let event = events::get_event(svc, p, None, event_id).await?;
    let sponsor = sponsors::get_sponsor(svc, p, None, sponsor_id).await?;
    if sponsor.sponsor.event_id != event_id {
        return Err(Error::NotFound("sponsor").into());
    }
    let members = members::list_members(svc, p, None, sponsor_id)
        .await?
        .into_iter()
        .map(|m| MemberItem {
            name: m.user_name,
            email: m.user_email,
            role: view::label(m.role.as_str()),
            joined: view::when(&m.joined_at),
        })
        .collect();
    // Who may manage invitations is the service's call: a refusal hides the section.
    let (may_invite, invitations) = match invitations::list_invitations(svc, p, None, sponsor_id, None).await {
        Ok(list) => (
            true,
            invitation_items(
                list.into_iter()
                    .filter(|i| matches!(i.status, InvitationStatus::Pending | InvitationStatus::Expired))
                    .collect(),
            ),
        ),
        Err(Error::Forbidden(_)) => (false, Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let tier_options =
        tiers::list_tiers(svc, p, None, event_id).await?.into_iter().map(|t| (t.id.to_string(), t.name)).collect();
    let may_edit = sponsors::sponsor_capabilities(svc, p, sponsor_id).await?.1.manage_listing;
    let refused = forms.edit.is_some() || forms.invite.errors.any();
    // The logo shown differs from the logo URL only when one was uploaded.
    let has_upload = sponsor.logo_url.is_some() && sponsor.logo_url != sponsor.sponsor.company_logo_url;
    let (edit, edit_errors) =
        forms.edit.unwrap_or_else(|| (SponsorEditForm::of(&sponsor.sponsor), FieldErrors::default()));
    let mut res = html(&SponsorPage {
        ctx,
        event: EventItem::of(&event),
        card: SponsorCard::of(&sponsor),
        members,
        invitations,
        may_invite,
        back: format!("/events/{event_id}/sponsors/{sponsor_id}"),
        roles: view::roles(),
        draft: forms.invite,
        edit,
        edit_errors,
        tier_options,
        may_edit,
        has_upload,
    });
    if refused {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

/// Saves the sponsor's profile and listing (organizers), and its logo file when
/// one was chosen (a multipart form); a refused save shows the page again with
/// what was typed and each error at its field (the file must be chosen again:
/// a browser never fills a file input).
pub async fn edit_sponsor(
    State(s): State<AppState>,
    SignedIn(ctx, p): SignedIn,
    Path((event_id, sponsor_id)): Path<(Uuid, Uuid)>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    let (mut csrf, mut form, mut logo) = (String::new(), SponsorEditForm::default(), Vec::new());
    while let Some(field) = multipart.next_field().await.map_err(|_| WebError::BadForm)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "logo" {
            logo = field.bytes().await.map_err(|_| WebError::BadForm)?.to_vec();
            continue;
        }
        let value = field.text().await.map_err(|_| WebError::BadForm)?;
        let slot = match name.as_str() {
            "_csrf" => &mut csrf,
            "company_name" => &mut form.company_name,
            "tier_id" => &mut form.tier_id,
            "company_website" => &mut form.company_website,
            "company_logo_url" => &mut form.company_logo_url,
            "company_description" => &mut form.company_description,
            "booth_number" => &mut form.booth_number,
            "booth_description" => &mut form.booth_description,
            "contact_name" => &mut form.contact_name,
            "contact_email" => &mut form.contact_email,
            "contact_phone" => &mut form.contact_phone,
            "lead_notification_email" => &mut form.lead_notification_email,
            "remove_logo" => {
                form.remove_logo = true;
                continue;
            }
            _ => continue,
        };
        *slot = value;
    }
    match crate::session::csrf_key(&headers) {
        Some(key) if crate::session::csrf_ok(key, &csrf) => {}
        _ => return Err(WebError::Csrf),
    }
    let back = format!("/events/{event_id}/sponsors/{sponsor_id}");
    let text = |v: &str| Some(Some(v.trim().to_string()).filter(|v| !v.is_empty()));
    let tier = match form.tier_id.trim() {
        "" => Ok(None),
        t => t.parse::<Uuid>().map(Some).map_err(|_| ()),
    };
    // A browser sends an empty file part when no file was chosen.
    let logo_change = match (logo.is_empty(), form.remove_logo) {
        (false, _) => LogoChange::Upload(logo),
        (true, true) => LogoChange::Remove,
        (true, false) => LogoChange::Keep,
    };
    let result = match tier {
        Err(()) => Err(Error::invalid("tier_id", "must be one of the event's tiers")),
        Ok(tier) => {
            let input = sponsorhub_services::sponsors::UpdateSponsor {
                tier_id: Some(tier),
                company_name: Some(form.company_name.clone()),
                company_description: text(&form.company_description),
                company_website: text(&form.company_website),
                company_logo_url: text(&form.company_logo_url),
                contact_name: text(&form.contact_name),
                contact_email: text(&form.contact_email),
                contact_phone: text(&form.contact_phone),
                booth_number: text(&form.booth_number),
                booth_description: text(&form.booth_description),
                lead_notification_email: text(&form.lead_notification_email),
                ..Default::default()
            };
            sponsors::update_sponsor_and_logo(&s.services, &p, None, sponsor_id, input, logo_change).await
        }
    };
    match result {
        Ok(v) => Ok(ctx.success(&back, format!("Saved {}.", v.sponsor.company_name))),
        Err(Error::Invalid(fields)) => {
            let forms = SponsorForms { edit: Some((form, FieldErrors(fields))), ..Default::default() };
            sponsor_view(&s, ctx, &p, event_id, sponsor_id, forms).await
        }
        Err(e) => Ok(ctx.refused(&back, e)),
    }
}
