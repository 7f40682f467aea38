-- Good/bad ratings (好差评, L8; internal/rating/ratingdb): each an audited
-- aggregate (store.Declare). ratings holds one row per rated case (the
-- unique index is L8's "once per matter"), with the columns the
-- statistics, the callback list and the appeals list filter on; data is
-- the rating as JSON (rating.Rating). rating_kiosks are the window devices
-- staff start (the token's hash only), rating_invitations the secret links
-- of completion messages (the token's hash only).

-- +goose Up
CREATE TABLE ratings (
    id           INTEGER PRIMARY KEY,
    version      BIGINT  NOT NULL,
    case_number  TEXT    NOT NULL,
    body_path    TEXT    NOT NULL,
    unit         TEXT    NOT NULL,
    item_code    TEXT    NOT NULL,
    level        INTEGER NOT NULL,
    status       TEXT    NOT NULL,
    callback     TEXT    NOT NULL,
    callback_due BIGINT  NOT NULL,
    appeal       TEXT    NOT NULL,
    rated_at     BIGINT  NOT NULL,
    data         TEXT    NOT NULL
);
CREATE UNIQUE INDEX ratings_case ON ratings (case_number);
CREATE INDEX ratings_stats ON ratings (body_path, unit, item_code);
CREATE INDEX ratings_callbacks ON ratings (callback, callback_due);
CREATE INDEX ratings_appeals ON ratings (appeal, body_path);

CREATE TABLE rating_kiosks (
    id         INTEGER PRIMARY KEY,
    version    BIGINT NOT NULL,
    token_hash TEXT   NOT NULL,
    body_id    BIGINT NOT NULL,
    body_path  TEXT   NOT NULL,
    unit       TEXT   NOT NULL,
    unit_name  TEXT   NOT NULL,
    started_by TEXT   NOT NULL,
    started_at BIGINT NOT NULL,
    ended_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX rating_kiosks_token ON rating_kiosks (token_hash);
CREATE INDEX rating_kiosks_body ON rating_kiosks (body_path, ended_at);

CREATE TABLE rating_invitations (
    id          INTEGER PRIMARY KEY,
    version     BIGINT NOT NULL,
    token_hash  TEXT   NOT NULL,
    case_number TEXT   NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX rating_invitations_token ON rating_invitations (token_hash);
CREATE UNIQUE INDEX rating_invitations_case ON rating_invitations (case_number);

-- +goose Down
DROP TABLE rating_invitations;
DROP TABLE rating_kiosks;
DROP TABLE ratings;
