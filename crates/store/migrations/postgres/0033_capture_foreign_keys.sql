-- Fewer foreign-key checks on a new lead (docs/PERFORMANCE.md, "Fewer checks
-- on a new lead"). PostgreSQL checks each foreign key of a new row with a query
-- that share-locks its parent row, at the end of the capture's statement:
-- - The lead's event and sponsor become one key, (event_id, sponsor_id) to the
--   sponsor's (event_id, id): the lead's sponsor must be of the lead's event (as
--   the capture always made it; now the database holds it too), checked by one
--   lookup where the two keys took two, and the event's row, which
--   every capture of the event locked, is no longer locked by them. Deleting an
--   event deletes its sponsors, and they their leads, as before.
-- - The sponsor of an interaction and of an e-mail notice is their lead's
--   (they are written together, from the lead): their own keys to the sponsor
--   are dropped; their lead's key deletes them with the lead, and the lead goes
--   with its sponsor.
-- SQLite checks its foreign keys by an index lookup with no lock and keeps its
-- keys (docs/DECISIONS.md, "Foreign keys a capture checks").
DROP INDEX sponsors_event_idx;
CREATE UNIQUE INDEX sponsors_event_idx ON sponsors (event_id, id);
ALTER TABLE sponsor_leads
    DROP CONSTRAINT sponsor_leads_event_id_fkey,
    DROP CONSTRAINT sponsor_leads_sponsor_id_fkey,
    ADD CONSTRAINT sponsor_leads_sponsor_fkey FOREIGN KEY (event_id, sponsor_id)
        REFERENCES sponsors (event_id, id) ON DELETE CASCADE;
ALTER TABLE sponsor_lead_interactions DROP CONSTRAINT sponsor_lead_interactions_sponsor_id_fkey;
ALTER TABLE lead_notifications DROP CONSTRAINT lead_notifications_sponsor_id_fkey;
