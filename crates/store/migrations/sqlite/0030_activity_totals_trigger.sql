-- lead_activity_totals follows lead_activity by triggers, in the same statement
-- as the rollup's upsert, instead of a second upsert from the application: one
-- statement less for every capture (docs/PERFORMANCE.md, "Lead capture"). An
-- upsert that inserts fires the INSERT trigger, one that updates fires the UPDATE
-- trigger with the difference. Keep in step with
-- ../postgres/0030_activity_totals_trigger.sql.
CREATE TRIGGER lead_activity_totals_after_insert AFTER INSERT ON lead_activity
BEGIN
    INSERT INTO lead_activity_totals (sponsor_id, event_id, kind, staff_id, n, seconds)
    VALUES (NEW.sponsor_id, NEW.event_id, NEW.kind, NEW.staff_id, NEW.n, NEW.seconds)
    ON CONFLICT (sponsor_id, kind, staff_id)
    DO UPDATE SET n = n + excluded.n, seconds = seconds + excluded.seconds;
END;
CREATE TRIGGER lead_activity_totals_after_update AFTER UPDATE OF n, seconds ON lead_activity
BEGIN
    INSERT INTO lead_activity_totals (sponsor_id, event_id, kind, staff_id, n, seconds)
    VALUES (NEW.sponsor_id, NEW.event_id, NEW.kind, NEW.staff_id, NEW.n - OLD.n, NEW.seconds - OLD.seconds)
    ON CONFLICT (sponsor_id, kind, staff_id)
    DO UPDATE SET n = n + excluded.n, seconds = seconds + excluded.seconds;
END;
