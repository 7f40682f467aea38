-- The rectification list (整改清单, S8, S7; internal/supervise/supervisedb):
-- an audited aggregate (store.Declare). body_path is the body that put the
-- problem on the list (its supervisors oversee it), unit_body and unit the
-- unit that must fix it, owner_id the staff member answering for it;
-- source and ref say where the problem came from (a card, an order, a
-- complaint, a rating, an external supervisor's report …); deadline is the
-- last day to close it (YYYY-MM-DD); data is the item as JSON
-- (supervise.Rectification). check_at is the instant rectification.red can
-- next fire, NULL when none can: derived and not audited, like an order's,
-- so the sweep finds overdue items by an index range.

-- +goose Up
CREATE TABLE supervise_rectifications (
    id          INTEGER PRIMARY KEY,
    version     BIGINT NOT NULL,
    body_path   TEXT   NOT NULL,
    unit_body   TEXT   NOT NULL,
    unit        TEXT   NOT NULL,
    owner_id    BIGINT NOT NULL,
    source      TEXT   NOT NULL,
    ref         TEXT   NOT NULL,
    state       TEXT   NOT NULL,
    deadline    TEXT   NOT NULL,
    data        TEXT   NOT NULL,
    check_at    BIGINT
);
CREATE INDEX supervise_rectifications_unit ON supervise_rectifications (unit_body, unit, state);
CREATE INDEX supervise_rectifications_body ON supervise_rectifications (body_path, state);
CREATE INDEX supervise_rectifications_owner ON supervise_rectifications (owner_id, state);
CREATE INDEX supervise_rectifications_check ON supervise_rectifications (check_at, id);

-- +goose Down
DROP TABLE supervise_rectifications;
