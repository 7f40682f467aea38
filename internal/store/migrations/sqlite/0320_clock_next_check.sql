-- Clocks that can be swept (issue #12 item 5, DESIGN 7): each clock keeps
-- the next instant its standing can change without an event (next_check_at,
-- micros UTC; NULL when nothing can: not started, finished, overdue on every
-- limit, paused without a longest pause), the standing it had when that was
-- computed, and how far into the calendar its answer reaches (reach_at), so
-- a sweep reads only what is due and a calendar change finds only the open
-- clocks it may move, both as index range scans. All three are derived from
-- the audited spec and events and the calendar, so they are not part of the
-- clock's audited State.
-- Existing open clocks (started, not finished) cannot be computed here: they
-- are due at once (next_check_at 0, standing unknown) and reached by any
-- calendar change, so the first sweep or change gives them their values.

-- +goose Up
ALTER TABLE clocks ADD COLUMN next_check_at BIGINT;
ALTER TABLE clocks ADD COLUMN standing TEXT NOT NULL DEFAULT '';
ALTER TABLE clocks ADD COLUMN reach_at BIGINT;
UPDATE clocks SET next_check_at = 0, reach_at = 9223372036854775807
    WHERE events <> '[]' AND events NOT LIKE '%"kind":"finish"%';
CREATE INDEX clocks_next_check ON clocks (next_check_at, id, body_id) WHERE next_check_at IS NOT NULL;
CREATE INDEX clocks_reach ON clocks (reach_at) WHERE reach_at IS NOT NULL;

-- +goose Down
DROP INDEX clocks_reach;
DROP INDEX clocks_next_check;
ALTER TABLE clocks DROP COLUMN reach_at;
ALTER TABLE clocks DROP COLUMN standing;
ALTER TABLE clocks DROP COLUMN next_check_at;
