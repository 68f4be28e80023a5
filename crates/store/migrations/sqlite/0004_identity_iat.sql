-- When a verified platform token last set the user's e-mail and name (its `iat`,
-- seconds since the epoch; a signup sets its own time). The latest token wins; a
-- row no token or signup ever set (a contact recorded by a capture) has NULL.
-- Keep in step with ../postgres/0004_identity_iat.sql.
ALTER TABLE users ADD COLUMN identity_iat BIGINT;

-- A capture by e-mail address finds the sponsor's lead of that contact.
CREATE INDEX sponsor_leads_sponsor_email_idx ON sponsor_leads (sponsor_id, user_email);
