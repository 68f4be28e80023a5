-- lead_activity_totals no longer follows lead_activity by PL/pgSQL triggers on
-- PostgreSQL: the store holds the totals' upsert beside the rollup's, in the
-- same statement (store::analytics::record), where each trigger call ran its own
-- upsert through SPI at the statement's end, twice for a new lead
-- (docs/PERFORMANCE.md, "The totals held with the rollup"). lead_activity is
-- written nowhere else. SQLite keeps its triggers (../sqlite/0030), which run in
-- place at no such cost.
DROP TRIGGER lead_activity_totals_after_insert ON lead_activity;
DROP TRIGGER lead_activity_totals_after_update ON lead_activity;
DROP FUNCTION lead_activity_totals_follow();
