-- Attendees of an event, as the organizer imports them from the ticketing platform,
-- and their badges (docs/DECISIONS.md, "Attendees and badges"). The badge code is
-- derived from the badge secret, the attendee and the badge's generation; only its
-- SHA-256 is kept, for the lookup at a scan. NULL badge_hash: revoked.
CREATE TABLE attendees (
    id                UUID PRIMARY KEY,
    organization_id   UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    event_id          UUID NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    platform_id       TEXT,
    name              TEXT NOT NULL,
    email             TEXT,
    company           TEXT,
    title             TEXT,
    phone             TEXT,
    country           TEXT,
    ticket_type       TEXT,
    custom_fields     JSONB NOT NULL DEFAULT '{}',
    badge_generation  INTEGER NOT NULL DEFAULT 1,
    badge_hash        TEXT,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL
);
-- the list of an event's attendees, keyset on id
CREATE INDEX attendees_event_idx ON attendees (event_id, id);
-- one attendee per platform id and per e-mail address in an event (the upsert keys)
CREATE UNIQUE INDEX attendees_event_platform_key ON attendees (event_id, platform_id) WHERE platform_id IS NOT NULL;
CREATE UNIQUE INDEX attendees_event_email_key ON attendees (event_id, email) WHERE email IS NOT NULL;
-- a scan finds the badge by the hash of its code
CREATE UNIQUE INDEX attendees_badge_key ON attendees (badge_hash) WHERE badge_hash IS NOT NULL;
