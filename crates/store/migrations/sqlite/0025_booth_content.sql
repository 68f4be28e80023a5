-- Downloadable content items of a sponsor's booth page (docs/DECISIONS.md,
-- "Booth pages"): the metadata here, the bytes in the object store under
-- `object_key` (random, never shown: a key cannot be guessed from an item's id or
-- its sponsor). `content_type` is what the content was found to be. Keep in step
-- with ../postgres/0025_booth_content.sql.
CREATE TABLE booth_content_items (
    id                  BLOB PRIMARY KEY,
    sponsor_id          BLOB NOT NULL REFERENCES sponsors(id) ON DELETE CASCADE,
    title               TEXT NOT NULL,
    file_name           TEXT NOT NULL,
    content_type        TEXT NOT NULL,
    byte_size           INTEGER NOT NULL CONSTRAINT booth_content_items_byte_size_check CHECK (byte_size > 0),
    sha256              TEXT NOT NULL,
    object_key          TEXT NOT NULL CONSTRAINT booth_content_items_object_key_key UNIQUE,
    created_by_user_id  BLOB,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
-- a booth's items in the order they were added
CREATE INDEX booth_content_items_sponsor_idx ON booth_content_items (sponsor_id, created_at, id);
