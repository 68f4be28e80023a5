-- E-mail outbox and pending lead notifications, SQLite flavour. Keep in step with
-- ../postgres/0003_email_outbox.sql (same tables, columns, constraint and index names).

-- Each e-mail, written in the transaction of the change that causes it and
-- delivered by the background worker.
CREATE TABLE email_outbox (
    id               BLOB PRIMARY KEY,
    kind             TEXT NOT NULL CONSTRAINT email_outbox_kind_check CHECK (kind IN ('invitation', 'lead_digest')),
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
-- the worker's two questions: which pending e-mails are due, whose lease ran out
CREATE INDEX email_outbox_due_idx ON email_outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX email_outbox_lease_idx ON email_outbox (claimed_until) WHERE status = 'sending';
CREATE INDEX email_outbox_sponsor_idx ON email_outbox (sponsor_id, id);

-- A lead to tell the sponsor about (new, or turned hot), recorded by the capture's
-- transaction; the worker folds a sponsor's pending ones into one digest e-mail
-- once the oldest is older than the digest window, and deletes them.
CREATE TABLE lead_notifications (
    id          BLOB PRIMARY KEY,
    sponsor_id  BLOB NOT NULL REFERENCES sponsors(id) ON DELETE CASCADE,
    lead_id     BLOB NOT NULL REFERENCES sponsor_leads(id) ON DELETE CASCADE,
    reason      TEXT NOT NULL CONSTRAINT lead_notifications_reason_check CHECK (reason IN ('new', 'hot')),
    created_at  TEXT NOT NULL
);
CREATE INDEX lead_notifications_sponsor_idx ON lead_notifications (sponsor_id, created_at);
CREATE INDEX lead_notifications_lead_idx ON lead_notifications (lead_id);
