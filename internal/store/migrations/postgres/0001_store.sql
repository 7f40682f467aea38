-- The write path's tables (docs/ARCHITECTURE.md): the event history, which is
-- also the audit log's leaves (seq = leaf index), the stored Merkle nodes,
-- the tree head and the signed checkpoints. Timestamps: unix µs UTC.
-- payload and state are TEXT, not jsonb: jsonb reorders keys and the leaf
-- hash is over the exact bytes.

-- +goose Up
CREATE TABLE events (
    seq         BIGINT PRIMARY KEY,           -- leaf index, 0, 1, 2 … without gaps
    at          BIGINT NOT NULL,
    actor       TEXT   NOT NULL,
    body_id     BIGINT NOT NULL,
    action      TEXT   NOT NULL,
    object_type TEXT   NOT NULL,
    object_id   TEXT   NOT NULL,
    from_state  TEXT   NOT NULL,
    to_state    TEXT   NOT NULL,
    payload     TEXT   NOT NULL,
    state       TEXT   NOT NULL,
    leaf_hash   BYTEA  NOT NULL
);
CREATE INDEX events_object ON events (object_type, object_id, seq);

CREATE TABLE audit_nodes (
    level INTEGER NOT NULL,
    idx   BIGINT  NOT NULL,
    hash  BYTEA   NOT NULL,
    PRIMARY KEY (level, idx)
);

CREATE TABLE audit_head (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    size     BIGINT  NOT NULL,
    root     BYTEA   NOT NULL,
    frontier BYTEA   NOT NULL
);
INSERT INTO audit_head (id, size, root, frontier)
VALUES (1, 0, '\xE3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855'::bytea, ''::bytea);

CREATE TABLE audit_checkpoints (
    size BIGINT PRIMARY KEY,
    root BYTEA  NOT NULL,
    at   BIGINT NOT NULL,
    sig  BYTEA  NOT NULL
);

-- +goose Down
DROP TABLE audit_checkpoints;
DROP TABLE audit_head;
DROP TABLE audit_nodes;
DROP TABLE events;
