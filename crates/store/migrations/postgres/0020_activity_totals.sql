-- The analytics rollup without the hour and device (docs/DECISIONS.md,
-- "Analytics"): an event's report reads a few rows per sponsor here instead of
-- every hour of every sponsor. Kept by the same upserts as lead_activity. Keep in
-- step with ../sqlite/0020_activity_totals.sql.
CREATE TABLE lead_activity_totals (
    sponsor_id  UUID NOT NULL REFERENCES sponsors(id) ON DELETE CASCADE,
    event_id    UUID NOT NULL,
    kind        TEXT NOT NULL,
    staff_id    UUID NOT NULL,
    n           BIGINT NOT NULL,
    seconds     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (sponsor_id, kind, staff_id)
);
CREATE INDEX lead_activity_totals_event_idx ON lead_activity_totals (event_id);
INSERT INTO lead_activity_totals (sponsor_id, event_id, kind, staff_id, n, seconds)
SELECT sponsor_id, event_id, kind, staff_id, SUM(n), SUM(seconds) FROM lead_activity GROUP BY sponsor_id, event_id, kind, staff_id;
-- the event's report no longer reads lead_activity by event
DROP INDEX lead_activity_event_idx;
