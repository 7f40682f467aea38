-- The write path's tables (docs/ARCHITECTURE.md): the event history, which is
-- also the audit log's leaves (seq = leaf index), the stored Merkle nodes,
-- the tree head and the signed checkpoints. Timestamps: unix µs UTC.

-- +goose Up
CREATE TABLE events (
    seq         INTEGER PRIMARY KEY,          -- leaf index, 0, 1, 2 … without gaps
    at          BIGINT  NOT NULL,
    actor       TEXT    NOT NULL,
    body_id     BIGINT  NOT NULL,
    action      TEXT    NOT NULL,
    object_type TEXT    NOT NULL,
    object_id   TEXT    NOT NULL,
    from_state  TEXT    NOT NULL,
    to_state    TEXT    NOT NULL,
    payload     TEXT    NOT NULL,             -- compact JSON, '' when none
    state       TEXT    NOT NULL,             -- compact JSON snapshot, '' when none
    leaf_hash   BLOB    NOT NULL              -- RFC 6962 leaf hash of the canonical encoding
);
CREATE INDEX events_object ON events (object_type, object_id, seq);

-- Internal nodes (level >= 1) of perfect subtrees; leaves are events.leaf_hash.
CREATE TABLE audit_nodes (
    level INTEGER NOT NULL,
    idx   BIGINT  NOT NULL,
    hash  BLOB    NOT NULL,
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;

CREATE TABLE audit_head (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    size     BIGINT  NOT NULL,
    root     BLOB    NOT NULL,
    frontier BLOB    NOT NULL                 -- compact range hashes, 32 bytes each
);
INSERT INTO audit_head (id, size, root, frontier)
VALUES (1, 0, X'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855', X'');

CREATE TABLE audit_checkpoints (
    size BIGINT  PRIMARY KEY,
    root BLOB    NOT NULL,
    at   BIGINT  NOT NULL,                    -- unix seconds, as signed
    sig  BLOB    NOT NULL
);

-- +goose Down
DROP TABLE audit_checkpoints;
DROP TABLE audit_head;
DROP TABLE audit_nodes;
DROP TABLE events;
