-- The attendee side of the expo hall (docs/DECISIONS.md, "Booth pages"). Per
-- event: whether its hall (the sponsor directory and booth pages) is public or
-- for the event's signed-in people only; which staff are at a booth now. Keep in step with
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
