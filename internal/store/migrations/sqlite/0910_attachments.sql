-- Attachments (internal/attach/attachdb; issue #15 item 3): one row per
-- file attached to an owner (a case; a complaint's evidence is named by the
-- complaint's own State instead), an audited aggregate whose events are
-- rooted at the owner, so the owner's timeline shows every file with its
-- SHA-256. The
-- bytes are in the blob bucket under their hash. A row is never deleted:
-- a replacement is a new row, and the old one names it (replaced_by).

-- +goose Up
CREATE TABLE attachments (
    id          INTEGER PRIMARY KEY,
    version     BIGINT  NOT NULL,
    owner_type  TEXT    NOT NULL, -- case
    owner_id    TEXT    NOT NULL, -- the case's number
    body_id     BIGINT  NOT NULL,
    body_path   TEXT    NOT NULL, -- the owner's body (O1)
    slot        TEXT    NOT NULL, -- the material's or evidence's label
    name        TEXT    NOT NULL,
    size        BIGINT  NOT NULL,
    kind        TEXT    NOT NULL, -- attach.Kind, by content
    sha256      TEXT    NOT NULL,
    replaces    BIGINT  NOT NULL, -- the attachment it replaces; 0
    replaced_by BIGINT  NOT NULL, -- the attachment that replaced it; 0
    added_by    TEXT    NOT NULL,
    added_at    BIGINT  NOT NULL
);
CREATE INDEX attachments_owner ON attachments (owner_type, owner_id, id);
CREATE INDEX attachments_sha256 ON attachments (sha256);

-- +goose Down
DROP TABLE attachments;
