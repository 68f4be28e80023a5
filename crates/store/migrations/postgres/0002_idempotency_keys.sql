-- Idempotency-Key of lead captures: the first answer, replayed to retries.
CREATE TABLE idempotency_keys (
    user_id           UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    idempotency_key   TEXT NOT NULL,
    -- SHA-256 of method, path and body: the same key with another request is refused
    request_hash      TEXT NOT NULL,
    -- NULL while the first request is still running
    response_status   INTEGER,
    response_body     TEXT,
    created_at        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, idempotency_key)
);
-- expiry sweep
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
