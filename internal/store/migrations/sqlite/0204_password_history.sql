-- The passwords an account used before its current one (O3, issue #11.8):
-- a new password may not repeat the current one or the ones kept here, the
-- account's last auth.PasswordHistory passwords in all. Only argon2id PHC
-- strings are kept, at most auth.PasswordHistory-1 an account (the service
-- deletes older ones). Not audited: it grants nothing.

-- +goose Up
CREATE TABLE password_history (
    id            INTEGER PRIMARY KEY,
    account_id    BIGINT NOT NULL REFERENCES accounts (id),
    password_hash TEXT   NOT NULL,
    replaced_at   BIGINT NOT NULL
);
CREATE INDEX password_history_account ON password_history (account_id, id);

-- +goose Down
DROP TABLE password_history;
