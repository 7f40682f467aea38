-- Login attempts per account and source address (issue #11.7; the policy is
-- auth.LockoutPolicy, stated in docs/SECURITY.md). An attempt is claimed
-- here before its password is checked: failures counts it in advance and
-- last_attempt_at starts the source's wait, so parallel attempts from one
-- source on one account are checked one at a time, on every instance
-- sharing the database. A success resets the row and sets last_success_at:
-- a source the account logged in from recently is exempt from the
-- account-wide lock (accounts.locked_until). source is auth.ThrottleKey of
-- the client address (an IPv4 address or an IPv6 /64). Throttling state, not
-- audited: every failure is an event on the account anyway. Timestamps are
-- unix microseconds UTC, 0 meaning never.

-- +goose Up
CREATE TABLE login_sources (
    account_id      BIGINT  NOT NULL REFERENCES accounts (id),
    source          TEXT    NOT NULL,
    failures        INTEGER NOT NULL DEFAULT 0,
    last_attempt_at BIGINT  NOT NULL DEFAULT 0,
    locked_until    BIGINT  NOT NULL DEFAULT 0,
    last_success_at BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, source)
);

-- +goose Down
DROP TABLE login_sources;
