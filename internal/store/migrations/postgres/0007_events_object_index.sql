-- SQLite's 0007 goes back to the plain index events_object that PostgreSQL
-- always kept: this version exists so that both dialects carry the same
-- migrations.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
