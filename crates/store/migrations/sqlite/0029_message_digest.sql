-- The e-mail that tells someone away of unread messages (docs/DECISIONS.md,
-- "Messaging"). Keep in step with ../postgres/0029_message_digest.sql.
-- SQLite cannot change a CHECK constraint, so email_outbox is rebuilt with the
-- wider list of kinds (same columns, constraint and index names). A later
-- change of the kinds lists every kind named here.
CREATE TABLE email_outbox_new (
    id               BLOB PRIMARY KEY,
    kind             TEXT NOT NULL CONSTRAINT email_outbox_kind_check CHECK (kind IN ('invitation', 'lead_digest', 'follow_up_reminder', 'webhook_disabled', 'leads_erased', 'retention_warning', 'message_digest')),
    -- the sponsor the e-mail is about (kept when the sponsor goes: the outbox is a log)
    sponsor_id       BLOB REFERENCES sponsors(id) ON DELETE SET NULL,
    -- JSON array of addresses
    recipients       TEXT NOT NULL CHECK (json_valid(recipients)),
    subject          TEXT NOT NULL,
    -- rendered parts; an invitation's hold its accept link (the token in clear)
    text_body        TEXT NOT NULL,
    html_body        TEXT NOT NULL,
    -- pending: waits for next_attempt_at; sending: claimed by a worker until
    -- claimed_until (then claimable again); sent; failed: gave up after max attempts
    status           TEXT NOT NULL DEFAULT 'pending' CONSTRAINT email_outbox_status_check CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0 CONSTRAINT email_outbox_attempts_check CHECK (attempts >= 0),
    next_attempt_at  TEXT NOT NULL,
    claimed_until    TEXT,
    last_error       TEXT,
    sent_at          TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    CONSTRAINT email_outbox_claim_check CHECK ((status = 'sending') = (claimed_until IS NOT NULL)),
    CONSTRAINT email_outbox_sent_check CHECK ((status = 'sent') = (sent_at IS NOT NULL))
);
INSERT INTO email_outbox_new SELECT * FROM email_outbox;
DROP TABLE email_outbox;
ALTER TABLE email_outbox_new RENAME TO email_outbox;
-- the worker's two questions: which pending e-mails are due, whose lease ran out
CREATE INDEX email_outbox_due_idx ON email_outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX email_outbox_lease_idx ON email_outbox (claimed_until) WHERE status = 'sending';
CREATE INDEX email_outbox_sponsor_idx ON email_outbox (sponsor_id, id);
