-- Follow-up reminders (docs/DECISIONS.md, "Follow-up"): one digest a day per lead
-- owner of the leads due that day, and the new e-mail kinds. Keep in step with
-- ../sqlite/0017_reminders.sql.
ALTER TABLE email_outbox DROP CONSTRAINT email_outbox_kind_check;
ALTER TABLE email_outbox ADD CONSTRAINT email_outbox_kind_check
    CHECK (kind IN ('invitation', 'lead_digest', 'follow_up_reminder', 'webhook_disabled'));

-- One row per owner and day once that day's reminder is queued: the key makes a
-- second instance (or a second run) skip it.
CREATE TABLE follow_up_reminders (
    user_id     UUID NOT NULL,
    due_on      DATE NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, due_on)
);
-- the leads due on a day, for every owner
CREATE INDEX sponsor_leads_due_idx ON sponsor_leads (due_on, owner_user_id) WHERE due_on IS NOT NULL;
