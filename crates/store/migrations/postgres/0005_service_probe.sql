-- One row the readiness probe writes: the database takes writes.
CREATE TABLE service_probe (
    id          INTEGER PRIMARY KEY,
    checked_at  TIMESTAMPTZ NOT NULL
);
