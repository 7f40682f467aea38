-- Credentials under audit (issue #11.4) and API token expiry (issue #13.9).
--
-- Sessions become an audited table: each row must match the State of its
-- creation event (auth.session.created). Sessions opened before had no such
-- event, so they end here: everyone logs in again once after the upgrade.
--
-- API tokens get an expiry (unix microseconds UTC). Tokens created before
-- have none (0), which counts as expired until the start-up upgrade
-- (auth.UpgradeAuditedState) gives each its 90 days from the upgrade and
-- records it in an event, with the token's and the accounts' new audited
-- State (credential digests).

-- +goose Up
DELETE FROM sessions;
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE api_tokens DROP COLUMN expires_at;
