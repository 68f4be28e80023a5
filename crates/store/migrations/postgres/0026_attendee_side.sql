-- The attendee side of the expo hall (docs/DECISIONS.md, "Booth pages"). Per
-- event: whether its hall (the sponsor directory and booth pages) is public or
-- for the event's signed-in people only. Keep in step with
-- ../sqlite/0026_attendee_side.sql.
ALTER TABLE events ADD COLUMN hall_access TEXT NOT NULL DEFAULT 'public'
    CHECK (hall_access IN ('public', 'attendees'));
