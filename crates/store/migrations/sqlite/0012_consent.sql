-- Consent (docs/DECISIONS.md, "Consent"). Per event: what counts as an attendee's
-- consent (presenting the badge, or an opt-in per sponsor) and the text shown to
-- attendees, whose version rises with every change of the text.
ALTER TABLE events ADD COLUMN consent_rule TEXT NOT NULL DEFAULT 'badge_scan'
    CHECK (consent_rule IN ('badge_scan', 'opt_in'));
ALTER TABLE events ADD COLUMN consent_text TEXT;
ALTER TABLE events ADD COLUMN consent_text_version INTEGER NOT NULL DEFAULT 1;
-- Each lead's consent: on what basis, since when, captured by whom, under which
-- version of the text. NULL basis: a lead recorded before consent was kept.
ALTER TABLE sponsor_leads ADD COLUMN consent_basis TEXT
    CHECK (consent_basis IN ('badge_scan', 'opt_in', 'attendee', 'staff_entry'));
ALTER TABLE sponsor_leads ADD COLUMN consent_at TEXT;
ALTER TABLE sponsor_leads ADD COLUMN consent_by_user_id BLOB;
ALTER TABLE sponsor_leads ADD COLUMN consent_text_version INTEGER;
-- An attendee's opt-in to one sponsor; withdrawing deletes the row.
CREATE TABLE attendee_consents (
    attendee_id   BLOB NOT NULL REFERENCES attendees(id) ON DELETE CASCADE,
    sponsor_id    BLOB NOT NULL REFERENCES sponsors(id) ON DELETE CASCADE,
    event_id      BLOB NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    given_at      TEXT NOT NULL,
    text_version  INTEGER NOT NULL,
    PRIMARY KEY (attendee_id, sponsor_id)
);
