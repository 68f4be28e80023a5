-- The attendee side of the expo hall (docs/DECISIONS.md, "Booth pages"). Per
-- event: whether its hall (the sponsor directory and booth pages) is public or
-- for the event's signed-in people only; which staff are at a booth now; the
-- event's service tokens. Keep in step with
-- ../postgres/0026_attendee_side.sql.
ALTER TABLE events ADD COLUMN hall_access TEXT NOT NULL DEFAULT 'public'
    CHECK (hall_access IN ('public', 'attendees'));
-- Which of a sponsor's staff are at its booth now: a row per staff member who
-- said so, read only until it lapses (`available_until`, 4 hours after the mark);
-- leaving deletes it.
CREATE TABLE booth_presence (
    sponsor_id       BLOB NOT NULL REFERENCES sponsors(id) ON DELETE CASCADE,
    user_id          BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    available_until  TEXT NOT NULL,
    PRIMARY KEY (sponsor_id, user_id)
);
-- Service tokens of an event: the platform reports session attendance with
-- them. Only the SHA-256 of each token is kept (shown once when issued).
CREATE TABLE event_service_tokens (
    id                  BLOB PRIMARY KEY,
    event_id            BLOB NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    name                TEXT NOT NULL,
    token_hash          TEXT NOT NULL,
    created_by_user_id  BLOB REFERENCES users(id) ON DELETE SET NULL,
    created_at          TEXT NOT NULL,
    last_used_at        TEXT,
    revoked_at          TEXT
);
CREATE UNIQUE INDEX event_service_tokens_hash_key ON event_service_tokens (token_hash);
CREATE INDEX event_service_tokens_event_idx ON event_service_tokens (event_id);
