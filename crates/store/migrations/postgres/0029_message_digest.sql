-- The e-mail that tells someone away of unread messages (docs/DECISIONS.md,
-- "Messaging"). Keep in step with ../sqlite/0029_message_digest.sql.
ALTER TABLE email_outbox DROP CONSTRAINT email_outbox_kind_check;
ALTER TABLE email_outbox ADD CONSTRAINT email_outbox_kind_check
    CHECK (kind IN ('invitation', 'lead_digest', 'follow_up_reminder', 'webhook_disabled', 'leads_erased',
                    'retention_warning', 'message_digest'));
