-- A derived-list review (C6) whose item conflicts with the upper list's
-- elements (C5, 只增不减) is closed without an adjustment only with a
-- recorded reason and the upper level's approval (issue #13 item 5): the
-- request is kept on the task until the upper reform office decides. Empty
-- for every task before, so their audited State (which omits empty
-- fields) is unchanged.

-- +goose Up
ALTER TABLE catalog_reviews ADD COLUMN exempt_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE catalog_reviews ADD COLUMN exempt_by TEXT NOT NULL DEFAULT '';
ALTER TABLE catalog_reviews ADD COLUMN exempt_at BIGINT;
ALTER TABLE catalog_reviews ADD COLUMN approved_by TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE catalog_reviews DROP COLUMN approved_by;
ALTER TABLE catalog_reviews DROP COLUMN exempt_at;
ALTER TABLE catalog_reviews DROP COLUMN exempt_by;
ALTER TABLE catalog_reviews DROP COLUMN exempt_reason;
