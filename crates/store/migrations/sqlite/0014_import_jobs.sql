-- Attendee imports that run as jobs (docs/DECISIONS.md, "Attendees and badges"):
-- the file is checked whole first, then written in chunks, each chunk's
-- transaction also advancing `processed`, so progress is what is committed.
-- `updated_at` moves with every chunk: a running job silent for a minute died
-- with its process.
CREATE TABLE import_jobs (
    id                  BLOB PRIMARY KEY,
    organization_id     BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    event_id            BLOB NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    created_by_user_id  BLOB,
    file_name           TEXT,
    status              TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    total_rows          INTEGER NOT NULL,
    processed_rows      INTEGER NOT NULL DEFAULT 0,
    created_count       INTEGER NOT NULL DEFAULT 0,
    updated_count       INTEGER NOT NULL DEFAULT 0,
    error               TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    finished_at         TEXT
);
-- an event's imports, newest first
CREATE INDEX import_jobs_event_idx ON import_jobs (event_id, created_at DESC, id);
