-- A sponsor's booth page (docs/DECISIONS.md, "Booth pages"): the hall, a
-- Markdown description with its HTML rendered and sanitized when it is saved,
-- opening hours and links (JSON lists), and a demo video link. One row per
-- sponsor, written by staff who manage the booth and by organizers. Keep in step
-- with ../postgres/0024_booths.sql.
CREATE TABLE sponsor_booths (
    sponsor_id        BLOB PRIMARY KEY REFERENCES sponsors(id) ON DELETE CASCADE,
    hall              TEXT,
    description_md    TEXT,
    description_html  TEXT,
    opening_hours     TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(opening_hours)),
    links             TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(links)),
    demo_video_url    TEXT,
    updated_at        TEXT NOT NULL
);
