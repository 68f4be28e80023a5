-- Each lead's points per interaction type, kept on the lead by every capture in
-- the statement that writes the lead anyway (store/src/leads.rs), so that an
-- export reads them with the lead instead of summing its interactions
-- (docs/PERFORMANCE.md, "Exporting 100,000 leads"). Filled here from the
-- interactions recorded so far. Keep in step with ../sqlite/0023_points_by_type.sql.
ALTER TABLE sponsor_leads ADD COLUMN points_by_type JSONB NOT NULL DEFAULT '{}';
UPDATE sponsor_leads SET points_by_type = p.points
FROM (SELECT lead_id, jsonb_object_agg(interaction_type, s) AS points
      FROM (SELECT lead_id, interaction_type, SUM(points) AS s FROM sponsor_lead_interactions
            GROUP BY lead_id, interaction_type) AS t
      GROUP BY lead_id) AS p
WHERE p.lead_id = sponsor_leads.id;
