-- Webhook endpoints (internal/notify/notifydb/endpoints.go): the systems
-- that receive signed webhooks, registered by the root body's
-- administrator. An audited aggregate (store.Declare): every change is an
-- event whose State carries the secret's SHA-256, never the secret. The
-- secret itself is here, as the deliverer signs with it: protect backups
-- like the database. Rows are never deleted; active switches one off.

-- +goose Up
CREATE TABLE notify_endpoints (
    id         INTEGER PRIMARY KEY,
    version    BIGINT  NOT NULL,
    name       TEXT    NOT NULL UNIQUE,
    url        TEXT    NOT NULL,
    secret     TEXT    NOT NULL,
    active     BOOLEAN NOT NULL,
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL
);

-- +goose Down
DROP TABLE notify_endpoints;
