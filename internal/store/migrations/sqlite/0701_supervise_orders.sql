-- Supervision orders (督办单, S4, L10; internal/supervise/supervisedb):
-- an audited aggregate (store.Declare). body_path is the issuing body
-- (its supervisors accept or return), unit_body and unit the unit ordered
-- (its staff answer); data is the order as JSON (supervise.Order).

-- +goose Up
CREATE TABLE supervise_orders (
    id          INTEGER PRIMARY KEY,
    version     BIGINT NOT NULL,
    body_path   TEXT   NOT NULL,
    unit_body   TEXT   NOT NULL,
    unit        TEXT   NOT NULL,
    case_number TEXT   NOT NULL,
    state       TEXT   NOT NULL,
    due_at      BIGINT NOT NULL,
    data        TEXT   NOT NULL
);
CREATE INDEX supervise_orders_unit ON supervise_orders (unit_body, unit, state);
CREATE INDEX supervise_orders_body ON supervise_orders (body_path, state);

-- +goose Down
DROP TABLE supervise_orders;
