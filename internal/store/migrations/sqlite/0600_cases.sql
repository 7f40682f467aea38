-- Cases (办件, internal/casework/caseworkdb, issue #14). Both tables are
-- audited aggregates (store.Declare): every change is an event whose State
-- is the row. Rows are never deleted. Timestamps are unix microseconds UTC;
-- due_on is the last day of the limit in force, 'YYYY-MM-DD' ('' when no
-- limit runs: before acceptance, during a special procedure, once done).

-- +goose Up
-- Flow versions cases run on (H1): a case names its flow row, so it runs on
-- the version it started with whatever is published later.
CREATE TABLE case_flows (
    id           INTEGER PRIMARY KEY,
    version      BIGINT  NOT NULL,
    code         TEXT    NOT NULL,
    flow_version BIGINT  NOT NULL,
    hash         TEXT    NOT NULL UNIQUE,
    content      TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL
);
CREATE INDEX case_flows_code ON case_flows (code, flow_version);

CREATE TABLE cases (
    id            INTEGER PRIMARY KEY,
    version       BIGINT  NOT NULL,
    number        TEXT    NOT NULL UNIQUE,
    query_hash    TEXT    NOT NULL,
    body_id       BIGINT  NOT NULL REFERENCES bodies (id),
    body_path     TEXT    NOT NULL, -- the case's body (jurisdiction, O1)
    queue_path    TEXT    NOT NULL, -- the body whose queue holds it now (O1)
    item_code     TEXT    NOT NULL,
    flow_id       BIGINT  NOT NULL REFERENCES case_flows (id),
    status        TEXT    NOT NULL,
    step          TEXT    NOT NULL,
    owner_id      BIGINT  NOT NULL, -- first responder (H6), 0 before one
    unit          TEXT    NOT NULL, -- code of the unit handling it
    due_on        TEXT    NOT NULL,
    registered_at BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL,
    data          TEXT    NOT NULL  -- the case, casework.Case as JSON
);
-- The staff list: a unit's cases by status and due date; the window queue:
-- a body's queue by status; the L2 job: submitted cases.
CREATE INDEX cases_unit ON cases (body_id, unit, status, due_on, id);
CREATE INDEX cases_queue ON cases (queue_path, status, due_on, id);
CREATE INDEX cases_status ON cases (status, id);

-- The sequence of case numbers per body and year (V3).
CREATE TABLE case_numbers (
    body_id BIGINT NOT NULL,
    year    BIGINT NOT NULL,
    last    BIGINT NOT NULL,
    PRIMARY KEY (body_id, year)
);

-- Online submissions by the SHA-256 of their Idempotency-Key: the same
-- submission sent twice makes one case (#14 item 6).
CREATE TABLE case_submissions (
    key_hash     TEXT   NOT NULL PRIMARY KEY,
    request_hash TEXT   NOT NULL,
    case_id      BIGINT NOT NULL REFERENCES cases (id),
    created_at   BIGINT NOT NULL
);

-- +goose Down
DROP TABLE case_submissions;
DROP TABLE case_numbers;
DROP TABLE cases;
DROP TABLE case_flows;
