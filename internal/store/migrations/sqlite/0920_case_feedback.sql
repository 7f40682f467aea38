-- The supervising unit's feedback on a completed case (H9, 审管分离;
-- internal/casework/caseworkdb/feedback.go): after the approval result and
-- the record were pushed, the unit attaches what came of its supervision,
-- penalties and coercive measures. One row per case, keyed by the case;
-- an audited aggregate (store.Declare): each change is an event rooted at
-- the case, so it is on the case's timeline, and carries the version it
-- was based on.

-- +goose Up
CREATE TABLE case_feedback (
    case_id     BIGINT  PRIMARY KEY REFERENCES cases (id),
    version     BIGINT  NOT NULL,
    number      TEXT    NOT NULL,
    body_id     BIGINT  NOT NULL,
    unit        TEXT    NOT NULL,
    supervision TEXT    NOT NULL,
    penalty     TEXT    NOT NULL,
    coercion    TEXT    NOT NULL,
    by_id       BIGINT  NOT NULL,
    by_login    TEXT    NOT NULL,
    by_name     TEXT    NOT NULL,
    updated_at  BIGINT  NOT NULL
);

-- +goose Down
DROP TABLE case_feedback;
