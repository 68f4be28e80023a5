-- Follow-up (docs/DECISIONS.md, "Follow-up"): a lead's owner on the sponsor's
-- staff and the day it is due; notes as a history of entries.
ALTER TABLE sponsor_leads ADD COLUMN owner_user_id BLOB;
ALTER TABLE sponsor_leads ADD COLUMN due_on TEXT;
-- an owner's leads by due day (the reminders)
CREATE INDEX sponsor_leads_owner_due_idx ON sponsor_leads (owner_user_id, due_on) WHERE owner_user_id IS NOT NULL;
CREATE TABLE lead_notes (
    id              BLOB PRIMARY KEY,
    lead_id         BLOB NOT NULL REFERENCES sponsor_leads(id) ON DELETE CASCADE,
    sponsor_id      BLOB NOT NULL,
    author_user_id  BLOB,
    body            TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
-- a lead's notes, newest first
CREATE INDEX lead_notes_lead_idx ON lead_notes (lead_id, created_at DESC, id DESC);
