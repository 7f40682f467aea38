-- The portal's cache bookkeeping leaves the catalogue's tables: the counter
-- catalog_epoch and the epoch column on catalog_items (migration 0470) go.
-- The portal learns which items changed from the audit log instead: every
-- publication emits an event per item it changes, and the events' seq is
-- handed out in commit order (catdb.ChangedItems).

-- +goose Up
DROP INDEX catalog_items_epoch;
ALTER TABLE catalog_items DROP COLUMN epoch;
DROP TABLE catalog_epoch;

-- +goose Down
CREATE TABLE catalog_epoch (
    id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    n  BIGINT  NOT NULL
);
INSERT INTO catalog_epoch (id, n) VALUES (1, 0);
ALTER TABLE catalog_items ADD COLUMN epoch BIGINT NOT NULL DEFAULT 0;
CREATE INDEX catalog_items_epoch ON catalog_items (epoch);
