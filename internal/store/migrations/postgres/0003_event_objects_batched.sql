-- SQLite's 0003 replaces its events_object index with event_objects, filled
-- in batches off most commits (issue #2). PostgreSQL keeps events_object:
-- this version exists so that both dialects carry the same migrations.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
