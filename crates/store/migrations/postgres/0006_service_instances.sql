-- The running processes of the service and their heartbeats: an idempotency claim
-- of a process that stopped beating is released at once, not after its minute.
-- Keep in step with ../sqlite/0006_service_instances.sql.
CREATE TABLE service_instances (
    id            UUID PRIMARY KEY,
    started_at    TIMESTAMPTZ NOT NULL,
    heartbeat_at  TIMESTAMPTZ NOT NULL
);
ALTER TABLE idempotency_keys ADD COLUMN instance_id UUID;
