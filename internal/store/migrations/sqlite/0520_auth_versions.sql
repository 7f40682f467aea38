-- Accounts and API tokens become declared aggregates (issue #12 item 7):
-- each row carries its version, 1 when inserted and + 1 on every change,
-- in the audited State. Rows written before this migration get 0 ("not
-- versioned yet", rendered without a version as their events were), which
-- `qingdan migrate` moves to 1 with one audited event each
-- (store.AddVersions, auth.VersionedTables).

-- +goose Up
ALTER TABLE accounts ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE api_tokens ADD COLUMN version BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE api_tokens DROP COLUMN version;
ALTER TABLE accounts DROP COLUMN version;
