-- Analytics rollup (docs/DECISIONS.md, "Analytics"). Keep in step with
-- ../sqlite/0019_analytics.sql (same tables, columns and index names).

-- What happened per sponsor and hour, by kind, staff member and device: kept up
-- by the transactions that cause it (one upsert per capture), read whole by the
-- analytics (a sponsor's rows are hours x kinds x staff x devices, not leads).
-- Kinds: an interaction type, or 'lead' (a new lead), 'warm' and 'hot' (a lead
-- reached that level; `seconds` sums the time since its first interaction), and
-- 'followed_up' (a lead's status left 'new' the first time). Counts survive the
-- erasure of the leads they came from.
CREATE TABLE lead_activity (
    sponsor_id  UUID NOT NULL REFERENCES sponsors(id) ON DELETE CASCADE,
    event_id    UUID NOT NULL,
    hour        TIMESTAMPTZ NOT NULL,
    kind        TEXT NOT NULL,
    -- who; the nil id when nobody on the staff (an attendee's own interaction)
    staff_id    UUID NOT NULL,
    device      TEXT NOT NULL DEFAULT '',
    n           BIGINT NOT NULL,
    seconds     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (sponsor_id, hour, kind, staff_id, device)
);
-- an event's report, per sponsor
CREATE INDEX lead_activity_event_idx ON lead_activity (event_id, sponsor_id, kind);
-- a sponsor's answers per question (distributions)
CREATE INDEX lead_answers_sponsor_idx ON lead_answers (sponsor_id, question_id);

-- What happened before this table existed: interactions and new leads (when a
-- lead turned warm or hot, or was first followed up, was not recorded).
INSERT INTO lead_activity (sponsor_id, event_id, hour, kind, staff_id, device, n, seconds)
SELECT i.sponsor_id, l.event_id, date_trunc('hour', i.occurred_at), i.interaction_type,
       COALESCE(i.captured_by_user_id, '00000000-0000-0000-0000-000000000000'::uuid), COALESCE(i.device, ''), COUNT(*), 0
FROM sponsor_lead_interactions i JOIN sponsor_leads l ON l.id = i.lead_id
GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO lead_activity (sponsor_id, event_id, hour, kind, staff_id, device, n, seconds)
SELECT sponsor_id, event_id, date_trunc('hour', first_interaction_at), 'lead', '00000000-0000-0000-0000-000000000000'::uuid, '',
       COUNT(*), 0
FROM sponsor_leads GROUP BY 1, 2, 3;
