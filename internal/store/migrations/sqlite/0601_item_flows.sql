-- Which flow an item's new cases run on (internal/casework/caseworkdb,
-- issue #14 item 1): an administrator of the body assigns one of the
-- published flows (case_flows, by code) to an item of the body's list. An
-- item without a row runs on the shipped flow of its kind (instant,
-- promised). An audited aggregate (store.Declare); rows are never deleted.

-- +goose Up
CREATE TABLE item_flows (
    id         INTEGER PRIMARY KEY,
    version    BIGINT  NOT NULL,
    body_id    BIGINT  NOT NULL REFERENCES bodies (id),
    body_path  TEXT    NOT NULL, -- jurisdiction (O1)
    item_code  TEXT    NOT NULL,
    flow_code  TEXT    NOT NULL, -- '' : the shipped flow of the item's kind
    updated_at BIGINT  NOT NULL,
    UNIQUE (body_id, item_code)
);
CREATE INDEX item_flows_flow ON item_flows (flow_code);

-- +goose Down
DROP TABLE item_flows;
