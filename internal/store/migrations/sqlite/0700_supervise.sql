-- E-supervision stored (internal/supervise/supervisedb, issue #16).
--
-- supervise_cards: yellow and red cards and reminders, an audited
-- aggregate (store.Declare). The ledger's key (object, rule, level) is
-- unique, so each fires once however many sweepers or consumers judge it;
-- a cleared card stays (cleared_at > 0). at is the rule's instant,
-- raised_at when a sweep or consumer found it. data is the card as JSON.
--
-- supervise_counts: open cards per body path, unit ('' for the whole
-- body) and level, kept in the same write as every card raised or
-- cleared (supervise.Deltas), so the dashboard reads them, never counts.
-- Derived, not audited: a test checks them against a recount.
--
-- supervise_rules: a body's own rule set (canonical JSON of
-- supervise.RuleSet), an audited aggregate keyed by the body; the rules
-- in force at a body merge the sets of the path down to it (supervise.Merge).

-- +goose Up
CREATE TABLE supervise_cards (
    id           INTEGER PRIMARY KEY,
    version      BIGINT  NOT NULL,
    object_type  TEXT    NOT NULL,
    object_id    TEXT    NOT NULL,
    rule         TEXT    NOT NULL,
    level        TEXT    NOT NULL,
    rule_region  TEXT    NOT NULL,
    rule_version BIGINT  NOT NULL,
    at           BIGINT  NOT NULL,
    raised_at    BIGINT  NOT NULL,
    body_path    TEXT    NOT NULL,
    case_number  TEXT    NOT NULL,
    unit         TEXT    NOT NULL,
    cleared_at   BIGINT  NOT NULL,
    data         TEXT    NOT NULL
);
CREATE UNIQUE INDEX supervise_cards_key ON supervise_cards (object_type, object_id, rule, level);
CREATE INDEX supervise_cards_case ON supervise_cards (case_number);
CREATE INDEX supervise_cards_open ON supervise_cards (body_path, unit, cleared_at, at);

CREATE TABLE supervise_counts (
    body_path TEXT   NOT NULL,
    unit      TEXT   NOT NULL,
    level     TEXT   NOT NULL,
    n         BIGINT NOT NULL,
    PRIMARY KEY (body_path, unit, level)
);

CREATE TABLE supervise_rules (
    body_id    BIGINT NOT NULL PRIMARY KEY,
    version    BIGINT NOT NULL,
    data       TEXT   NOT NULL,
    updated_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE supervise_rules;
DROP TABLE supervise_counts;
DROP TABLE supervise_cards;
