-- The catalogue's epoch: a counter bumped by every transaction that
-- publishes (catdb's store of item versions), under the lock of its one
-- row, and written on every item row that transaction changed. Readers that
-- keep pages of the published list (the portal's caches) watch it rather
-- than the newest version id: ids are handed out when a row is inserted, so
-- on PostgreSQL two instances' publications may commit in the other order,
-- and a late commit of a lower id would leave the newest id unchanged; the
-- epoch grows with every commit, in commit order, and the items whose
-- epoch is above the last one seen are exactly those changed since.

-- +goose Up
CREATE TABLE catalog_epoch (
    id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    n  BIGINT  NOT NULL
);
INSERT INTO catalog_epoch (id, n) VALUES (1, 0);
ALTER TABLE catalog_items ADD COLUMN epoch BIGINT NOT NULL DEFAULT 0;
CREATE INDEX catalog_items_epoch ON catalog_items (epoch);

-- +goose Down
DROP INDEX catalog_items_epoch;
ALTER TABLE catalog_items DROP COLUMN epoch;
DROP TABLE catalog_epoch;
