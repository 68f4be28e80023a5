-- The attendee side of the expo hall (docs/DECISIONS.md, "Booth pages"). Per
-- event: whether its hall (the sponsor directory and booth pages) is public or
-- for the event's signed-in people only; which staff are at a booth now; the
-- event's service tokens. Keep in step with
-- ../sqlite/0026_attendee_side.sql.
ALTER TABLE events ADD COLUMN hall_access TEXT NOT NULL DEFAULT 'public'
    CHECK (hall_access IN ('public', 'attendees'));
-- Which of a sponsor's staff are at its booth now: a row per staff member who
-- said so, read only until it lapses (`available_until`, 4 hours after the mark);
-- leaving deletes it.
CREATE TABLE booth_presence (
    sponsor_id       UUID NOT NULL REFERENCES sponsors(id) ON DELETE CASCADE,
    user_id          UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    available_until  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (sponsor_id, user_id)
);
-- Service tokens of an event: the platform reports session attendance with
-- them. Only the SHA-256 of each token is kept (shown once when issued).
CREATE TABLE event_service_tokens (
    id                  UUID PRIMARY KEY,
    event_id            UUID NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    name                TEXT NOT NULL,
    token_hash          TEXT NOT NULL,
    created_by_user_id  UUID REFERENCES users(id) ON DELETE SET NULL,
    created_at          TIMESTAMPTZ NOT NULL,
    last_used_at        TIMESTAMPTZ,
    revoked_at          TIMESTAMPTZ
);
CREATE UNIQUE INDEX event_service_tokens_hash_key ON event_service_tokens (token_hash);
CREATE INDEX event_service_tokens_event_idx ON event_service_tokens (event_id);
