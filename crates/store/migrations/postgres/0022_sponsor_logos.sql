-- Uploaded sponsor logos (docs/DECISIONS.md, "Sponsor logos"): kept in the
-- database, so every instance serves them. One per sponsor; `content_type` is
-- what the content was found to be (PNG, JPEG, WebP, or SVG after sanitizing),
-- `sha256` (hex) names the version in the logo's URL. Keep in step with
-- ../sqlite/0022_sponsor_logos.sql.
CREATE TABLE sponsor_logos (
    sponsor_id    UUID PRIMARY KEY REFERENCES sponsors(id) ON DELETE CASCADE,
    content_type  TEXT NOT NULL CONSTRAINT sponsor_logos_content_type_check
                  CHECK (content_type IN ('image/png', 'image/jpeg', 'image/webp', 'image/svg+xml')),
    content       BYTEA NOT NULL,
    sha256        TEXT NOT NULL,
    byte_size     INTEGER NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
