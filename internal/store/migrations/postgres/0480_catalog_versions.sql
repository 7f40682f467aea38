-- Concurrent edits (issue #11 item 3, docs/ARCHITECTURE.md): adjustments
-- and reform-group seats carry their version, 1 when inserted and + 1 on
-- every change, in the audited State. An edit of a draft, a step of the
-- procedure taken from a page, or a change of someone's review groups
-- names the version it was based on and changes nothing when the row has
-- moved on since. (catalog_items.version is another thing: the number of
-- the item's published version.) Rows written before this migration get 0,
-- which `qingdan migrate` moves to 1 with one audited event each
-- (store.AddVersions).

-- +goose Up
ALTER TABLE catalog_adjustments ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE catalog_reform_members ADD COLUMN version BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE catalog_reform_members DROP COLUMN version;
ALTER TABLE catalog_adjustments DROP COLUMN version;
