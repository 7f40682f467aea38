-- Every event names its root (issue #12 item 2): the aggregate its object
-- belongs to — a case for its clock, documents, hand-overs and cards — so a
-- root's whole timeline is one indexed read (store.EventFilter's RootType
-- and RootID). Events recorded before this migration keep an empty root and
-- their v1 leaf encoding; every event from now on names a root (its object
-- when no other is given) and is hashed as a v2 leaf that includes it.

-- +goose Up
ALTER TABLE events ADD COLUMN root_type TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN root_id TEXT NOT NULL DEFAULT '';
CREATE INDEX events_root ON events (root_type, root_id, seq);

-- +goose Down
DROP INDEX events_root;
ALTER TABLE events DROP COLUMN root_id;
ALTER TABLE events DROP COLUMN root_type;
