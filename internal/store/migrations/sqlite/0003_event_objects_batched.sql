-- The by-object lookup of events, maintained in batches (issue #2). An
-- index on events (object_type, object_id, seq) writes one leaf page per
-- distinct object in every commit — 8 of the ~13 WAL pages a group of 8
-- writers commits. event_objects holds the same keys, but the committer adds
-- them in batches (append.go, fold): the events with seq >= indexed_upto
-- (the tail, at most a fold's bound) are not in it yet, and readers scan
-- that tail by seq (store.objectEventsWhere). Folded in the group's own
-- transaction, so the table and the watermark always match events in every
-- snapshot. PostgreSQL keeps its index (0003 there changes nothing).

-- +goose Up
CREATE TABLE event_objects (
    object_type TEXT    NOT NULL,
    object_id   TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    PRIMARY KEY (object_type, object_id, seq)
) WITHOUT ROWID;
INSERT INTO event_objects (object_type, object_id, seq)
SELECT object_type, object_id, seq FROM events ORDER BY 1, 2, 3;
-- indexed_upto: the first seq not in event_objects; every event is in it now.
ALTER TABLE audit_head ADD COLUMN indexed_upto BIGINT NOT NULL DEFAULT 0;
UPDATE audit_head SET indexed_upto = (SELECT coalesce(max(seq) + 1, 0) FROM events) WHERE id = 1;
DROP INDEX events_object;

-- +goose Down
CREATE INDEX events_object ON events (object_type, object_id, seq);
ALTER TABLE audit_head DROP COLUMN indexed_upto;
DROP TABLE event_objects;
