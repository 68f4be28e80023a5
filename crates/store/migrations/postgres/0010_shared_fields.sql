-- What an event's sponsors receive of an attendee beyond name and company
-- (docs/DECISIONS.md, "Attendees and badges"): {"email": bool, "phone": bool,
-- "title": bool, "country": bool, "custom_fields": [names]}.
ALTER TABLE events ADD COLUMN shared_attendee_fields JSONB NOT NULL DEFAULT '{}';
-- A lead of a badge's attendee: which attendee, and the shared fields beyond the
-- first four.
ALTER TABLE sponsor_leads ADD COLUMN attendee_id UUID;
ALTER TABLE sponsor_leads ADD COLUMN user_phone TEXT;
ALTER TABLE sponsor_leads ADD COLUMN user_country TEXT;
ALTER TABLE sponsor_leads ADD COLUMN user_fields JSONB NOT NULL DEFAULT '{}';
CREATE INDEX sponsor_leads_attendee_idx ON sponsor_leads (attendee_id);
-- How each interaction was captured, on which device, and the points that counted
-- after the score's cap (docs/DECISIONS.md, "Scoring").
ALTER TABLE sponsor_lead_interactions ADD COLUMN source TEXT NOT NULL DEFAULT 'api'
    CONSTRAINT sponsor_lead_interactions_source_check
    CHECK (source IN ('badge_scan', 'manual', 'business_card', 'content', 'meeting', 'api'));
ALTER TABLE sponsor_lead_interactions ADD COLUMN device TEXT;
ALTER TABLE sponsor_lead_interactions ADD COLUMN counted_points INTEGER NOT NULL DEFAULT 0;
UPDATE sponsor_lead_interactions SET counted_points = points;
