-- Webhooks (docs/DECISIONS.md, "Webhooks"). Keep in step with
-- ../sqlite/0018_webhooks.sql (same tables, columns, constraint and index names).

-- An HTTPS endpoint that hears of a sponsor's leads (sponsor_id set), or of every
-- sponsor's leads of an event (sponsor_id NULL: an organizer's).
CREATE TABLE webhook_endpoints (
    id                    UUID PRIMARY KEY,
    event_id              UUID NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    sponsor_id            UUID REFERENCES sponsors(id) ON DELETE CASCADE,
    url                   TEXT NOT NULL,
    -- the subscribed event types between commas: ",lead.created,lead.updated,"
    events                TEXT NOT NULL,
    -- the signing key ("whsec_" + base64): signing needs it, so it cannot be a hash;
    -- it is shown once, never logged, never answered again
    secret                TEXT NOT NULL,
    description           TEXT,
    is_enabled            BOOLEAN NOT NULL DEFAULT TRUE,
    disabled_reason       TEXT,
    -- failed attempts in a row (a delivered one resets it); at the limit the
    -- endpoint is disabled and its creator told
    consecutive_failures  INTEGER NOT NULL DEFAULT 0,
    created_by_user_id    UUID,
    created_at            TIMESTAMPTZ NOT NULL,
    updated_at            TIMESTAMPTZ NOT NULL
);
-- the endpoints a lead event goes to: the sponsor's, and the event's own
CREATE INDEX webhook_endpoints_sponsor_idx ON webhook_endpoints (sponsor_id) WHERE is_enabled = TRUE;
CREATE INDEX webhook_endpoints_event_idx ON webhook_endpoints (event_id) WHERE sponsor_id IS NULL AND is_enabled = TRUE;

-- One message to one endpoint: written in the transaction of the change, sent by
-- the delivery worker (claimed with a lease like the e-mail outbox), its last
-- outcome kept as the delivery log.
CREATE TABLE webhook_deliveries (
    -- the message's id (webhook-id header), the same for every endpoint and retry
    message_id        UUID NOT NULL,
    endpoint_id       UUID NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    event_type        TEXT NOT NULL,
    payload           TEXT NOT NULL,
    status            TEXT NOT NULL DEFAULT 'pending' CONSTRAINT webhook_deliveries_status_check CHECK (status IN ('pending', 'sending', 'delivered', 'failed')),
    attempts          INTEGER NOT NULL DEFAULT 0,
    next_attempt_at   TIMESTAMPTZ NOT NULL,
    claimed_until     TIMESTAMPTZ,
    last_status_code  INTEGER,
    last_error        TEXT,
    delivered_at      TIMESTAMPTZ,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (endpoint_id, message_id)
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_lease_idx ON webhook_deliveries (claimed_until) WHERE status = 'sending';
