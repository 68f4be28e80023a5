-- An attendee who opted out of badge scanning cannot be captured by their badge
-- (docs/DECISIONS.md, "Attendees and badges").
ALTER TABLE attendees ADD COLUMN scan_opt_out BOOLEAN NOT NULL DEFAULT FALSE;
