-- The kind of each external supervisor (S7: deputy, adviser, grid leader,
-- citizen representative, volunteer, journalist; internal/supervise/
-- supervisedb): an audited aggregate keyed by the staff member, set by an
-- administrator covering their body; a report to the rectification list
-- carries it.

-- +goose Up
CREATE TABLE supervise_externals (
    staff_id BIGINT NOT NULL PRIMARY KEY,
    version  BIGINT NOT NULL,
    kind     TEXT   NOT NULL
);

-- +goose Down
DROP TABLE supervise_externals;
