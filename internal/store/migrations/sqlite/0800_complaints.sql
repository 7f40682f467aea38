-- Complaints (投诉, internal/complaint/complaintdb, issue #17). complaints is
-- an audited aggregate (store.Declare): every change is an event whose State
-- is the row, the complaint as JSON included. Rows are never deleted.
-- Timestamps are unix microseconds UTC; due_on is the last day of the limit
-- running ('YYYY-MM-DD': acceptance, then handling; '' once answered or
-- refused). Evidence files are recorded by name, size, type and SHA-256
-- in the complaint; their bytes are not kept (docs/COMPLAINTS.md).

-- +goose Up
CREATE TABLE complaints (
    id              INTEGER PRIMARY KEY,
    version         BIGINT  NOT NULL,
    number          TEXT    NOT NULL UNIQUE,
    query_hash      TEXT    NOT NULL,
    body_id         BIGINT  NOT NULL REFERENCES bodies (id),
    body_path       TEXT    NOT NULL, -- jurisdiction (O1)
    status          TEXT    NOT NULL,
    target_key      TEXT    NOT NULL, -- complaint.Target.Key: the repeat rule (P3)
    target_unit     TEXT    NOT NULL, -- the complained unit's code, '' when unknown (P5, O4)
    target_staff_id BIGINT  NOT NULL, -- the complained person, 0 when none (P9)
    ground          TEXT    NOT NULL,
    verified        BOOLEAN NOT NULL, -- findings: the complaint is true (P9)
    due_on          TEXT    NOT NULL,
    received_at     BIGINT  NOT NULL,
    answered_at     BIGINT  NOT NULL, -- 0 before the answer; its year is the tally's (P9)
    updated_at      BIGINT  NOT NULL,
    data            TEXT    NOT NULL  -- complaint.Complaint as JSON
);
-- The office's list: a body's complaints by status and due day, paged by id.
CREATE INDEX complaints_list ON complaints (body_path, status, due_on, id);
-- Repeats (P3): earlier complaints of a body with the same target and ground.
CREATE INDEX complaints_target ON complaints (body_id, target_key, ground, id);
-- The tallies (P9): verified complaints answered in a year.
CREATE INDEX complaints_verified ON complaints (verified, answered_at);

-- Sequences per body and year: complaint numbers and answer numbers.
CREATE TABLE complaint_numbers (
    body_id BIGINT NOT NULL,
    year    BIGINT NOT NULL,
    kind    TEXT   NOT NULL,
    last    BIGINT NOT NULL,
    PRIMARY KEY (body_id, year, kind)
);

-- +goose Down
DROP TABLE complaint_numbers;
DROP TABLE complaints;
