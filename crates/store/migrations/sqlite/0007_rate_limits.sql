-- Token buckets of the rate limits, shared by every instance on one PostgreSQL
-- database (SQLite has one instance, which counts in memory; the table exists on
-- both so that the schemas stay alike). The bucket is a hash of limit and key.
CREATE TABLE rate_limits (
    bucket      TEXT PRIMARY KEY,
    tokens      REAL NOT NULL,
    updated_at  TEXT NOT NULL
);
-- the sweep of buckets that have refilled
CREATE INDEX rate_limits_updated_idx ON rate_limits (updated_at);
