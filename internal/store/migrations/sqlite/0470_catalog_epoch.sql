-- The catalogue's epoch: a counter bumped by every transaction that
-- publishes (catdb's store of item versions), under the lock of its one
-- row. Readers that keep pages of the published list (the portal's caches)
-- compare it rather than the newest version id: ids are handed out when a
-- row is inserted, so on PostgreSQL two instances' publications may commit
-- in the other order, and a late commit of a lower id would leave the
-- newest id unchanged; the epoch grows with every commit, in commit order.

-- +goose Up
CREATE TABLE catalog_epoch (
    id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    n  BIGINT  NOT NULL
);
INSERT INTO catalog_epoch (id, n) VALUES (1, 0);

-- +goose Down
DROP TABLE catalog_epoch;
