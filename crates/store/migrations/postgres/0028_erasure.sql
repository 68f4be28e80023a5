-- Withdrawal, erasure and retention (docs/DECISIONS.md, "Withdrawal and
-- erasure", "Retention"). Keep in step with ../sqlite/0028_erasure.sql.
-- The e-mails an erasure and a coming retention deadline send to a sponsor.
ALTER TABLE email_outbox DROP CONSTRAINT email_outbox_kind_check;
ALTER TABLE email_outbox ADD CONSTRAINT email_outbox_kind_check
    CHECK (kind IN ('invitation', 'lead_digest', 'follow_up_reminder', 'webhook_disabled', 'leads_erased',
                    'retention_warning'));
-- Which lead a webhook message is about, so an erasure deletes its messages
-- (queued and logged: their payloads hold the lead's personal data).
ALTER TABLE webhook_deliveries ADD COLUMN lead_id UUID;
UPDATE webhook_deliveries SET lead_id = CAST(CAST(payload AS JSONB) -> 'data' ->> 'id' AS UUID)
    WHERE event_type IN ('lead.created', 'lead.updated', 'lead.intent_changed');
CREATE INDEX webhook_deliveries_lead_idx ON webhook_deliveries (lead_id) WHERE lead_id IS NOT NULL;
-- Days after the event's end when its leads' personal data is erased (none: kept).
ALTER TABLE events ADD COLUMN retention_days INTEGER
    CONSTRAINT events_retention_days_check CHECK (retention_days BETWEEN 0 AND 3650);
CREATE INDEX events_retention_idx ON events (ends_at) WHERE retention_days IS NOT NULL;
-- One row per sponsor and erasure deadline once its admins were warned: the key
-- makes a second instance (or a second run) skip it.
CREATE TABLE retention_warnings (
    sponsor_id  UUID NOT NULL REFERENCES sponsors(id) ON DELETE CASCADE,
    deadline    TIMESTAMPTZ NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (sponsor_id, deadline)
);
