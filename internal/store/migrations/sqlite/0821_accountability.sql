-- Accountability records (责任追究, A1, A2; internal/accountability/
-- accountabilitydb): an audited aggregate (store.Declare). body_path is
-- the subject's body (jurisdiction), staff_id the person held to account
-- (0 for a window), unit the window's or the person's unit code; data is
-- the record as JSON (accountability.Record). year and seq number the
-- decisions' documents (seq 0 until decided).

-- +goose Up
CREATE TABLE accountability_records (
    id        INTEGER PRIMARY KEY,
    version   BIGINT NOT NULL,
    body_path TEXT   NOT NULL,
    staff_id  BIGINT NOT NULL,
    unit      TEXT   NOT NULL,
    state     TEXT   NOT NULL,
    year      INTEGER NOT NULL,
    seq       INTEGER NOT NULL,
    opened_at BIGINT NOT NULL,
    data      TEXT   NOT NULL
);
CREATE INDEX accountability_body ON accountability_records (body_path, opened_at);
CREATE INDEX accountability_staff ON accountability_records (staff_id);

-- +goose Down
DROP TABLE accountability_records;
