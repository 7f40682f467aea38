-- SQLite looks events up by object through a plain index again, as
-- PostgreSQL always has (issue #12 item 7): migration 0003's event_objects,
-- folded in batches off most commits, saved index pages per commit, but with
-- the root index of 0005 every commit writes a page per distinct root
-- anyway, and the measured figures hold without it (BENCHMARKS.md, "Event
-- lookup by object: fold or index"). One mechanism on both engines, and an
-- aggregate's last event (Aggregate.Lock) is one index seek instead of a
-- scan of the unfolded tail.

-- +goose Up
CREATE INDEX events_object ON events (object_type, object_id, seq);
DROP TABLE event_objects;
ALTER TABLE audit_head DROP COLUMN indexed_upto;

-- +goose Down
CREATE TABLE event_objects (
    object_type TEXT    NOT NULL,
    object_id   TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    PRIMARY KEY (object_type, object_id, seq)
) WITHOUT ROWID;
INSERT INTO event_objects (object_type, object_id, seq)
SELECT object_type, object_id, seq FROM events ORDER BY 1, 2, 3;
ALTER TABLE audit_head ADD COLUMN indexed_upto BIGINT NOT NULL DEFAULT 0;
UPDATE audit_head SET indexed_upto = size WHERE id = 1;
DROP INDEX events_object;
