-- Per-sponsor lead counters (docs/DECISIONS.md, "Analytics"): how many of a
-- sponsor's leads sit in each combination of intent level, follow-up status,
-- star, archive and owner, with their scores summed, kept by every insert and
-- update of a lead (store/src/leads.rs) in the same transaction. Statistics,
-- follow-up progress and the lead list's count read a few dozen rows here
-- instead of every lead. Each lead counts in one of 8 shards (from its id), so
-- concurrent captures of one sponsor rarely wait on the same row. Keep in step
-- with ../sqlite/0021_lead_counts.sql.
CREATE TABLE lead_counts (
    sponsor_id        UUID NOT NULL REFERENCES sponsors(id) ON DELETE CASCADE,
    shard             SMALLINT NOT NULL,
    intent_level      TEXT NOT NULL,
    follow_up_status  TEXT NOT NULL,
    is_starred        BOOLEAN NOT NULL,
    is_archived       BOOLEAN NOT NULL,
    owned             BOOLEAN NOT NULL,
    n                 BIGINT NOT NULL,
    score_sum         BIGINT NOT NULL,
    PRIMARY KEY (sponsor_id, shard, intent_level, follow_up_status, is_starred, is_archived, owned)
);
INSERT INTO lead_counts (sponsor_id, shard, intent_level, follow_up_status, is_starred, is_archived, owned, n, score_sum)
SELECT sponsor_id, 0, intent_level, follow_up_status, is_starred, is_archived, owner_user_id IS NOT NULL, COUNT(*), SUM(intent_score)
FROM sponsor_leads GROUP BY sponsor_id, intent_level, follow_up_status, is_starred, is_archived, owner_user_id IS NOT NULL;
-- open leads due on a day, per sponsor (follow-up progress), without reading the leads
CREATE INDEX sponsor_leads_sponsor_due_idx ON sponsor_leads (sponsor_id, due_on, follow_up_status, is_archived) WHERE due_on IS NOT NULL;
