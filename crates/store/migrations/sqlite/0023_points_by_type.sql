-- Each lead's points per interaction type, kept on the lead by every capture in
-- the statement that writes the lead anyway (store/src/leads.rs), so that an
-- export reads them with the lead instead of summing its interactions
-- (docs/PERFORMANCE.md, "Exporting 100,000 leads"). Filled here from the
-- interactions recorded so far. Keep in step with ../postgres/0023_points_by_type.sql.
ALTER TABLE sponsor_leads ADD COLUMN points_by_type TEXT NOT NULL DEFAULT '{}';
UPDATE sponsor_leads SET points_by_type = p.points
FROM (SELECT lead_id, json_group_object(interaction_type, s) AS points
      FROM (SELECT lead_id, interaction_type, SUM(points) AS s FROM sponsor_lead_interactions
            GROUP BY lead_id, interaction_type)
      GROUP BY lead_id) AS p
WHERE p.lead_id = sponsor_leads.id;
