-- Review tasks (C6) become a declared aggregate like the rest of the
-- catalogue (issue #12 item 7): each row carries its version, 1 when
-- opened and + 1 when done, in the audited State. Rows written before get
-- 0, which `qingdan migrate` moves to 1 with one audited event each
-- (store.AddVersions, catdb.VersionedTables).

-- +goose Up
ALTER TABLE catalog_reviews ADD COLUMN version BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE catalog_reviews DROP COLUMN version;
