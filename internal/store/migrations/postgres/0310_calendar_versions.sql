-- Concurrent edits (issue #11 item 3, docs/ARCHITECTURE.md): stored years,
-- regional days and business hours carry their version, 1 when inserted and
-- + 1 on every change, in the audited State. A change names the version it
-- was based on and changes nothing when the row has moved on since.
-- Regional days and business hours are no longer deleted, so a version never
-- starts again at 1 for the same (body, date) or body: a removed regional
-- day keeps its row with active false (adding the date again revives it),
-- and cleared business hours keep theirs with hours ''.
-- Rows written before this migration get 0, which `qingdan migrate` moves to
-- 1 with one audited event each (store.AddVersions).

-- +goose Up
ALTER TABLE calendar_years ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE calendar_regional_days ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE calendar_regional_days ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE calendar_business_hours ADD COLUMN version BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE calendar_business_hours DROP COLUMN version;
ALTER TABLE calendar_regional_days DROP COLUMN version;
ALTER TABLE calendar_regional_days DROP COLUMN active;
ALTER TABLE calendar_years DROP COLUMN version;
