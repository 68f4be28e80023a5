-- sponsor_leads_event_idx (event_id) is the start of sponsor_leads_event_id_idx
-- (event_id, id), which serves every query and cascade it served: one index
-- entry less for every new lead (docs/PERFORMANCE.md, "Lead capture"). Keep in
-- step with the other database's 0031.
DROP INDEX sponsor_leads_event_idx;
