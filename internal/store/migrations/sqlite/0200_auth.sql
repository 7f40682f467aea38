-- Accounts and access (O3): one personal account per staff member, browser
-- sessions and API tokens. Secrets are stored only as hashes: the password as
-- an argon2id PHC string, a session's id and an API token's token_hash as the
-- hex SHA-256 of the random token the client holds. Timestamps are unix
-- microseconds UTC; 0 means "never" (locked_until, password_changed_at,
-- last_used_at, revoked_at). Rows are kept (events reference them); "active"
-- and revoked_at switch them off. Sessions are deleted when they end.

-- +goose Up
CREATE TABLE accounts (
    id                   INTEGER PRIMARY KEY,
    staff_id             BIGINT  NOT NULL UNIQUE REFERENCES staff (id),
    login                TEXT    NOT NULL UNIQUE,   -- lower case
    password_hash        TEXT    NOT NULL,
    must_change_password BOOLEAN NOT NULL DEFAULT TRUE,
    failed_logins        INTEGER NOT NULL DEFAULT 0,
    locked_until         BIGINT  NOT NULL DEFAULT 0,
    created_at           BIGINT  NOT NULL,
    password_changed_at  BIGINT  NOT NULL DEFAULT 0,
    active               BOOLEAN NOT NULL DEFAULT TRUE
);

CREATE TABLE sessions (
    id           TEXT    PRIMARY KEY,               -- hex SHA-256 of the cookie's token
    account_id   BIGINT  NOT NULL REFERENCES accounts (id),
    created_at   BIGINT  NOT NULL,
    last_seen_at BIGINT  NOT NULL,
    ip           TEXT    NOT NULL DEFAULT '',
    user_agent   TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX sessions_account ON sessions (account_id);
CREATE INDEX sessions_last_seen ON sessions (last_seen_at);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    account_id   BIGINT  NOT NULL REFERENCES accounts (id),
    name         TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL UNIQUE,           -- hex SHA-256 of the bearer token
    scopes       TEXT    NOT NULL,                  -- space-separated role names
    created_at   BIGINT  NOT NULL,
    last_used_at BIGINT  NOT NULL DEFAULT 0,
    revoked_at   BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX api_tokens_account ON api_tokens (account_id);

-- +goose Down
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE accounts;
