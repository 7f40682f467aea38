-- Concurrent edits (issue #11 item 3, docs/ARCHITECTURE.md): every row of
-- the organisation carries its version, 1 when inserted and + 1 on every
-- change, and is part of the audited State. An edit names the version it
-- was based on and changes nothing when the row has moved on since.
-- Rows written before this migration get 0 ("not versioned yet"); `qingdan
-- migrate` moves each to 1 with one audited event (store.AddVersions).

-- +goose Up
ALTER TABLE bodies ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE units ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE staff ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE staff_qualifications ADD COLUMN version BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE staff_qualifications DROP COLUMN version;
ALTER TABLE staff DROP COLUMN version;
ALTER TABLE units DROP COLUMN version;
ALTER TABLE bodies DROP COLUMN version;
