-- Messaging between a sponsor's staff and the event's attendees
-- (docs/DECISIONS.md, "Messaging"). Keep in step with
-- ../postgres/0027_messages.sql.
-- One thread per sponsor and attendee (a sponsor belongs to one event). Each side
-- has its unread count, raised by the other side's messages and zeroed when
-- the side reads the thread.
CREATE TABLE message_threads (
    id                     BLOB PRIMARY KEY,
    event_id               BLOB NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    sponsor_id             BLOB NOT NULL REFERENCES sponsors(id) ON DELETE CASCADE,
    attendee_user_id       BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- the staff member who wrote last: told by e-mail of answers left unread
    last_staff_user_id     BLOB REFERENCES users(id) ON DELETE SET NULL,
    created_at             TEXT NOT NULL,
    last_message_at        TEXT NOT NULL,
    staff_unread           INTEGER NOT NULL DEFAULT 0 CHECK (staff_unread >= 0),
    attendee_unread        INTEGER NOT NULL DEFAULT 0 CHECK (attendee_unread >= 0)
);
CREATE UNIQUE INDEX message_threads_pair_key ON message_threads (sponsor_id, attendee_user_id);
CREATE INDEX message_threads_sponsor_idx ON message_threads (sponsor_id, last_message_at, id);
CREATE INDEX message_threads_attendee_idx ON message_threads (attendee_user_id, event_id, last_message_at, id);
-- The messages of a thread, in id (UUIDv7, creation) order.
CREATE TABLE messages (
    id              BLOB PRIMARY KEY,
    thread_id       BLOB NOT NULL REFERENCES message_threads(id) ON DELETE CASCADE,
    sender_side     TEXT NOT NULL CHECK (sender_side IN ('staff', 'attendee')),
    sender_user_id  BLOB REFERENCES users(id) ON DELETE SET NULL,
    body            TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX messages_thread_idx ON messages (thread_id, id);
-- An attendee who blocked a sponsor: no messages either way, the thread hidden
-- from the attendee.
CREATE TABLE message_blocks (
    sponsor_id        BLOB NOT NULL REFERENCES sponsors(id) ON DELETE CASCADE,
    attendee_user_id  BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    event_id          BLOB NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    created_at        TEXT NOT NULL,
    PRIMARY KEY (sponsor_id, attendee_user_id)
);
CREATE INDEX message_blocks_user_idx ON message_blocks (attendee_user_id, event_id);
-- A side's unread messages of a thread waiting for the e-mail digest: one row
-- per thread and side (the oldest unread message's time), deleted when the side
-- reads the thread or when the digest takes it.
CREATE TABLE message_notices (
    thread_id          BLOB NOT NULL REFERENCES message_threads(id) ON DELETE CASCADE,
    side               TEXT NOT NULL CHECK (side IN ('staff', 'attendee')),
    recipient_user_id  BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at         TEXT NOT NULL,
    PRIMARY KEY (thread_id, side)
);
CREATE INDEX message_notices_due_idx ON message_notices (created_at);
CREATE INDEX message_notices_recipient_idx ON message_notices (recipient_user_id);
