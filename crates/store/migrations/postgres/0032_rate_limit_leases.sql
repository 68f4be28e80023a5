-- How many tokens the last take of a bucket granted: an instance takes a
-- high-quota bucket's tokens several at a time and hands them out from memory
-- (docs/DECISIONS.md, "Rate limits on PostgreSQL"). Only PostgreSQL's buckets
-- are read; the column is here too so that both schemas stay alike. Keep in
-- step with the other database's 0032.
ALTER TABLE rate_limits ADD COLUMN granted DOUBLE PRECISION NOT NULL DEFAULT 1;
