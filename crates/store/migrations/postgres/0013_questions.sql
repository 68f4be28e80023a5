-- Qualification questions of a sponsor's booth and the answers on its leads
-- (docs/DECISIONS.md, "Qualification questions"). Options are [{label, points}]
-- of a choice question; `points` is what a text answer or a rating's star is
-- worth. Deleting a question archives it: the answers given stay and count.
CREATE TABLE qualification_questions (
    id           UUID PRIMARY KEY,
    sponsor_id   UUID NOT NULL REFERENCES sponsors(id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('text', 'single_choice', 'multiple_choice', 'rating')),
    prompt       TEXT NOT NULL,
    required     BOOLEAN NOT NULL DEFAULT FALSE,
    options      JSONB NOT NULL DEFAULT '[]',
    points       INTEGER NOT NULL DEFAULT 0,
    is_archived  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
-- the booth's questions in their order
CREATE INDEX qualification_questions_sponsor_idx ON qualification_questions (sponsor_id, position, id);
-- One answer per lead and question; `points` as scored when it was given.
CREATE TABLE lead_answers (
    lead_id              UUID NOT NULL REFERENCES sponsor_leads(id) ON DELETE CASCADE,
    question_id          UUID NOT NULL REFERENCES qualification_questions(id) ON DELETE CASCADE,
    sponsor_id           UUID NOT NULL,
    value                JSONB NOT NULL,
    points               INTEGER NOT NULL,
    answered_by_user_id  UUID,
    answered_at          TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (lead_id, question_id)
);
-- a question's answers (distributions, exports)
CREATE INDEX lead_answers_question_idx ON lead_answers (question_id);
