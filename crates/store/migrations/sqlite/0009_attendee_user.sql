-- The account an attendee's platform id names (ids::external_id of it), so an
-- attendee signed in with the platform's token finds their own badge.
ALTER TABLE attendees ADD COLUMN platform_user_id BLOB;
CREATE INDEX attendees_event_user_idx ON attendees (event_id, platform_user_id);
