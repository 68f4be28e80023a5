-- Every lead export, for sponsor admins and organizers to see who took what
-- (docs/DECISIONS.md, "Lead export"). `sponsor_id` is NULL for an organizer's
-- export of a whole event.
CREATE TABLE lead_exports (
    id           BLOB PRIMARY KEY,
    event_id     BLOB NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    sponsor_id   BLOB REFERENCES sponsors(id) ON DELETE CASCADE,
    user_id      BLOB NOT NULL,
    format       TEXT NOT NULL CHECK (format IN ('csv', 'xlsx')),
    filters      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(filters)),
    row_count    INTEGER NOT NULL,
    completed    BOOLEAN NOT NULL,
    created_at   TEXT NOT NULL
);
-- a sponsor's exports, newest first; an event's
CREATE INDEX lead_exports_sponsor_idx ON lead_exports (sponsor_id, created_at DESC, id);
CREATE INDEX lead_exports_event_idx ON lead_exports (event_id, created_at DESC, id);
-- the organizer's export of an event reads its leads in id order
CREATE INDEX sponsor_leads_event_id_idx ON sponsor_leads (event_id, id);
