-- The outbox (issue #12 item 3, internal/notify/notifydb): every message
-- qingdan sends — email, SMS, webhook, in-app — is a row written in the
-- same transaction as the change that causes it, so a rolled-back change
-- sends nothing and a committed one is always delivered (at least once,
-- under its stable delivery_id). The deliverer claims due rows under its
-- lease, fencing every change with its token and the attempt number.
-- state: pending (never tried), sending (claimed until next_attempt_at),
-- failed (next attempt at next_attempt_at), sent (delivered_at set),
-- dead (given up; an administrator may retry it). next_attempt_at is set
-- exactly while a message waits (the CHECK), so "what is due" is a range
-- of the partial index notify_outbox_due, which holds only those rows and
-- which no state predicate can lead a planner away from. Times are unix
-- µs UTC.
-- payload: a webhook's data, or an in-app digest's items (JSON).
-- dedup_key: NULL, or a key that makes a second enqueue a no-op.
-- Delivery bookkeeping, not audited row by row: the outcome of each
-- message (notify.sent, notify.dead) and each retry are events of its root.
--
-- notify_inbox: the in-app messages that landed in a staff member's inbox
-- (inserted with the message's sent state, in one write), read or not.

-- +goose Up
CREATE TABLE notify_outbox (
    id              INTEGER PRIMARY KEY,
    delivery_id     TEXT    NOT NULL UNIQUE,
    dedup_key       TEXT    UNIQUE,
    channel         TEXT    NOT NULL CHECK (channel IN ('email', 'sms', 'webhook', 'inapp')),
    recipient       TEXT    NOT NULL,
    subject         TEXT    NOT NULL DEFAULT '',
    body            TEXT    NOT NULL DEFAULT '',
    link            TEXT    NOT NULL DEFAULT '',
    payload         TEXT    NOT NULL DEFAULT '',
    body_id         BIGINT  NOT NULL REFERENCES bodies (id),
    root_type       TEXT    NOT NULL DEFAULT '',
    root_id         TEXT    NOT NULL DEFAULT '',
    cause           TEXT    NOT NULL DEFAULT '',
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT,
    claim_token     BIGINT  NOT NULL DEFAULT 0,
    last_error      TEXT    NOT NULL DEFAULT '',
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    delivered_at    BIGINT  NOT NULL DEFAULT 0,
    CHECK ((next_attempt_at IS NULL) = (state IN ('sent', 'dead')))
);
CREATE INDEX notify_outbox_due ON notify_outbox (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX notify_outbox_state ON notify_outbox (state, channel, id);
-- The outbox page counts what was sent recently, not since the beginning.
CREATE INDEX notify_outbox_sent ON notify_outbox (delivered_at) WHERE state = 'sent';
CREATE INDEX notify_outbox_root ON notify_outbox (root_type, root_id) WHERE root_type <> '';

CREATE TABLE notify_inbox (
    message_id BIGINT PRIMARY KEY REFERENCES notify_outbox (id),
    staff_id   BIGINT NOT NULL REFERENCES staff (id),
    read_at    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX notify_inbox_staff ON notify_inbox (staff_id, message_id);
CREATE INDEX notify_inbox_unread ON notify_inbox (staff_id) WHERE read_at = 0;

-- +goose Down
DROP TABLE notify_inbox;
DROP TABLE notify_outbox;
