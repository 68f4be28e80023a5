-- Sponsorhub schema, SQLite flavour. Keep in step with ../postgres/0001_foundation.sql:
-- same tables, columns, constraint and index names (the catalog test checks both).

CREATE TABLE organizations (
    id          BLOB PRIMARY KEY,
    name        TEXT NOT NULL CONSTRAINT organizations_name_check CHECK (length(name) BETWEEN 1 AND 200),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE users (
    id             BLOB PRIMARY KEY,
    -- stored lowercased: e-mail addresses compare case-insensitively everywhere
    email          TEXT NOT NULL CONSTRAINT users_email_key UNIQUE,
    name           TEXT NOT NULL,
    -- argon2id PHC string; NULL for users known only through platform tokens
    password_hash  TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    CONSTRAINT users_email_lowercase_check CHECK (email = lower(email))
);

CREATE TABLE organization_members (
    organization_id  BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    user_id          BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role             TEXT NOT NULL CONSTRAINT organization_members_role_check CHECK (role IN ('OWNER', 'ADMIN', 'MEMBER')),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    PRIMARY KEY (organization_id, user_id)
);
-- "which organizations is this user in" (login, my-sponsors)
CREATE INDEX organization_members_user_idx ON organization_members (user_id, organization_id);

CREATE TABLE events (
    id               BLOB PRIMARY KEY,
    organization_id  BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    slug             TEXT NOT NULL,
    description      TEXT,
    starts_at        TEXT,
    ends_at          TEXT,
    timezone         TEXT NOT NULL DEFAULT 'UTC',
    venue            TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    CONSTRAINT events_organization_slug_key UNIQUE (organization_id, slug),
    CONSTRAINT events_dates_check CHECK (ends_at IS NULL OR starts_at IS NULL OR ends_at >= starts_at)
);
-- event list of an organization, keyset on id (UUIDv7 = creation order)
CREATE INDEX events_organization_idx ON events (organization_id, id);

CREATE TABLE sponsor_tiers (
    id                   BLOB PRIMARY KEY,
    organization_id      BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    event_id             BLOB NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    name                 TEXT NOT NULL,
    description          TEXT,
    display_order        INTEGER NOT NULL DEFAULT 0,
    color                TEXT,
    benefits             TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(benefits)),
    max_representatives  INTEGER NOT NULL DEFAULT 5 CONSTRAINT sponsor_tiers_max_representatives_check CHECK (max_representatives >= 1),
    price_cents          INTEGER CONSTRAINT sponsor_tiers_price_check CHECK (price_cents IS NULL OR price_cents >= 0),
    currency             TEXT NOT NULL DEFAULT 'USD',
    is_active            BOOLEAN NOT NULL DEFAULT TRUE,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    CONSTRAINT sponsor_tiers_event_name_key UNIQUE (event_id, name)
);
CREATE INDEX sponsor_tiers_event_order_idx ON sponsor_tiers (event_id, display_order, id);

CREATE TABLE sponsors (
    id                       BLOB PRIMARY KEY,
    organization_id          BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    event_id                 BLOB NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    tier_id                  BLOB REFERENCES sponsor_tiers(id) ON DELETE RESTRICT,
    company_name             TEXT NOT NULL,
    company_description      TEXT,
    company_website          TEXT,
    company_logo_url         TEXT,
    contact_name             TEXT,
    contact_email            TEXT,
    contact_phone            TEXT,
    booth_number             TEXT,
    booth_description        TEXT,
    social_links             TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(social_links)),
    is_featured              BOOLEAN NOT NULL DEFAULT FALSE,
    is_archived              BOOLEAN NOT NULL DEFAULT FALSE,
    archived_at              TEXT,
    lead_capture_enabled     BOOLEAN NOT NULL DEFAULT TRUE,
    lead_notification_email  TEXT,
    created_at               TEXT NOT NULL,
    updated_at               TEXT NOT NULL,
    CONSTRAINT sponsors_archived_check CHECK (is_archived = (archived_at IS NOT NULL))
);
-- all sponsors of an event (organizer view, include_archived) and per tier
CREATE INDEX sponsors_event_idx ON sponsors (event_id, id);
CREATE INDEX sponsors_tier_idx ON sponsors (tier_id);
-- the common case: active (non-archived) sponsors of an event
CREATE INDEX sponsors_event_active_idx ON sponsors (event_id, tier_id, id) WHERE is_archived = FALSE;

CREATE TABLE sponsor_users (
    id                     BLOB PRIMARY KEY,
    sponsor_id             BLOB NOT NULL REFERENCES sponsors(id) ON DELETE CASCADE,
    user_id                BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role                   TEXT NOT NULL CONSTRAINT sponsor_users_role_check CHECK (role IN ('admin', 'representative', 'booth_staff', 'viewer')),
    can_view_leads         BOOLEAN NOT NULL,
    can_export_leads       BOOLEAN NOT NULL,
    can_message_attendees  BOOLEAN NOT NULL,
    can_manage_booth       BOOLEAN NOT NULL,
    can_invite_others      BOOLEAN NOT NULL,
    is_active              BOOLEAN NOT NULL DEFAULT TRUE,
    joined_at              TEXT NOT NULL,
    last_active_at         TEXT,
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL,
    CONSTRAINT sponsor_users_sponsor_id_user_id_key UNIQUE (sponsor_id, user_id)
);
-- "my sponsors" of a user
CREATE INDEX sponsor_users_user_idx ON sponsor_users (user_id, sponsor_id);

CREATE TABLE sponsor_invitations (
    id                   BLOB PRIMARY KEY,
    sponsor_id           BLOB NOT NULL REFERENCES sponsors(id) ON DELETE CASCADE,
    email                TEXT NOT NULL,
    role                 TEXT NOT NULL CONSTRAINT sponsor_invitations_role_check CHECK (role IN ('admin', 'representative', 'booth_staff', 'viewer')),
    -- SHA-256 of the token; the token itself is never stored
    token_hash           TEXT NOT NULL CONSTRAINT sponsor_invitations_token_hash_key UNIQUE,
    status               TEXT NOT NULL DEFAULT 'pending' CONSTRAINT sponsor_invitations_status_check CHECK (status IN ('pending', 'accepted', 'revoked', 'expired')),
    personal_message     TEXT,
    invited_by_user_id   BLOB REFERENCES users(id) ON DELETE SET NULL,
    accepted_by_user_id  BLOB REFERENCES users(id) ON DELETE SET NULL,
    expires_at           TEXT NOT NULL,
    accepted_at          TEXT,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);
CREATE INDEX sponsor_invitations_sponsor_idx ON sponsor_invitations (sponsor_id, status, id);
-- one pending invitation per (sponsor, email)
CREATE UNIQUE INDEX sponsor_invitations_pending_email_key ON sponsor_invitations (sponsor_id, email) WHERE status = 'pending';

CREATE TABLE sponsor_leads (
    id                      BLOB PRIMARY KEY,
    sponsor_id              BLOB NOT NULL REFERENCES sponsors(id) ON DELETE CASCADE,
    event_id                BLOB NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    -- the attendee
    user_id                 BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    user_name               TEXT,
    user_email              TEXT,
    user_company            TEXT,
    user_title              TEXT,
    intent_score            INTEGER NOT NULL DEFAULT 0 CONSTRAINT sponsor_leads_intent_score_check CHECK (intent_score BETWEEN 0 AND 100),
    intent_level            TEXT NOT NULL DEFAULT 'cold' CONSTRAINT sponsor_leads_intent_level_check CHECK (intent_level IN ('hot', 'warm', 'cold')),
    interaction_count       INTEGER NOT NULL DEFAULT 0 CONSTRAINT sponsor_leads_interaction_count_check CHECK (interaction_count >= 0),
    first_interaction_at    TEXT NOT NULL,
    last_interaction_at     TEXT NOT NULL,
    follow_up_status        TEXT NOT NULL DEFAULT 'new' CONSTRAINT sponsor_leads_follow_up_status_check CHECK (follow_up_status IN ('new', 'contacted', 'qualified', 'not_interested', 'converted')),
    follow_up_notes         TEXT,
    contact_notes           TEXT,
    tags                    TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags)),
    is_starred              BOOLEAN NOT NULL DEFAULT FALSE,
    is_archived             BOOLEAN NOT NULL DEFAULT FALSE,
    followed_up_at          TEXT,
    followed_up_by_user_id  BLOB REFERENCES users(id) ON DELETE SET NULL,
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL,
    CONSTRAINT sponsor_leads_sponsor_id_user_id_key UNIQUE (sponsor_id, user_id)
);
-- lead list sorts: by score, by last interaction, by creation (id), and catch-up by updated_at
CREATE INDEX sponsor_leads_sponsor_score_idx ON sponsor_leads (sponsor_id, intent_score DESC, id DESC);
CREATE INDEX sponsor_leads_sponsor_last_interaction_idx ON sponsor_leads (sponsor_id, last_interaction_at DESC, id DESC);
CREATE INDEX sponsor_leads_sponsor_created_idx ON sponsor_leads (sponsor_id, id DESC);
CREATE INDEX sponsor_leads_sponsor_updated_idx ON sponsor_leads (sponsor_id, updated_at, id);
CREATE INDEX sponsor_leads_event_idx ON sponsor_leads (event_id);
CREATE INDEX sponsor_leads_user_idx ON sponsor_leads (user_id);
-- the hot leads of a sponsor
CREATE INDEX sponsor_leads_hot_idx ON sponsor_leads (sponsor_id, intent_score DESC, id DESC) WHERE intent_level = 'hot';

CREATE TABLE sponsor_lead_interactions (
    id                   BLOB PRIMARY KEY,
    lead_id              BLOB NOT NULL REFERENCES sponsor_leads(id) ON DELETE CASCADE,
    sponsor_id           BLOB NOT NULL REFERENCES sponsors(id) ON DELETE CASCADE,
    interaction_type     TEXT NOT NULL CONSTRAINT sponsor_lead_interactions_type_check CHECK (interaction_type IN ('booth_visit', 'content_download', 'content_view', 'demo_watched', 'demo_request', 'direct_request', 'qr_scan', 'session_attendance')),
    points               INTEGER NOT NULL CONSTRAINT sponsor_lead_interactions_points_check CHECK (points >= 0),
    captured_by_user_id  BLOB REFERENCES users(id) ON DELETE SET NULL,
    metadata             TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
    occurred_at          TEXT NOT NULL
);
-- history of a lead, newest first
CREATE INDEX sponsor_lead_interactions_lead_idx ON sponsor_lead_interactions (lead_id, occurred_at DESC, id DESC);
-- analytics per sponsor and interaction type
CREATE INDEX sponsor_lead_interactions_sponsor_type_idx ON sponsor_lead_interactions (sponsor_id, interaction_type, occurred_at);
