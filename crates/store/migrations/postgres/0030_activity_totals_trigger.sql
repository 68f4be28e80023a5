-- lead_activity_totals follows lead_activity by triggers, in the same statement
-- as the rollup's upsert, instead of a second upsert from the application: one
-- round trip less for every capture (docs/PERFORMANCE.md, "Lead capture"). An
-- upsert that inserts fires the INSERT trigger, one that updates fires the UPDATE
-- trigger with the difference. Keep in step with
-- ../sqlite/0030_activity_totals_trigger.sql.
CREATE FUNCTION lead_activity_totals_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO lead_activity_totals (sponsor_id, event_id, kind, staff_id, n, seconds)
    VALUES (NEW.sponsor_id, NEW.event_id, NEW.kind, NEW.staff_id,
            NEW.n - CASE WHEN TG_OP = 'UPDATE' THEN OLD.n ELSE 0 END,
            NEW.seconds - CASE WHEN TG_OP = 'UPDATE' THEN OLD.seconds ELSE 0 END)
    ON CONFLICT (sponsor_id, kind, staff_id)
    DO UPDATE SET n = lead_activity_totals.n + excluded.n,
                  seconds = lead_activity_totals.seconds + excluded.seconds;
    RETURN NULL;
END;
$$;
CREATE TRIGGER lead_activity_totals_after_insert AFTER INSERT ON lead_activity
    FOR EACH ROW EXECUTE FUNCTION lead_activity_totals_follow();
CREATE TRIGGER lead_activity_totals_after_update AFTER UPDATE OF n, seconds ON lead_activity
    FOR EACH ROW EXECUTE FUNCTION lead_activity_totals_follow();
