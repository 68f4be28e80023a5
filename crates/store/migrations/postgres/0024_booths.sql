-- A sponsor's booth page (docs/DECISIONS.md, "Booth pages"): the hall, a
-- Markdown description with its HTML rendered and sanitized when it is saved,
-- opening hours and links (JSON lists), and a demo video link. One row per
-- sponsor, written by staff who manage the booth and by organizers. Keep in step
-- with ../sqlite/0024_booths.sql.
CREATE TABLE sponsor_booths (
    sponsor_id        UUID PRIMARY KEY REFERENCES sponsors(id) ON DELETE CASCADE,
    hall              TEXT,
    description_md    TEXT,
    description_html  TEXT,
    opening_hours     JSONB NOT NULL DEFAULT '[]',
    links             JSONB NOT NULL DEFAULT '[]',
    demo_video_url    TEXT,
    updated_at        TIMESTAMPTZ NOT NULL
);
