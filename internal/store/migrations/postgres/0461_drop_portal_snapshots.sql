-- Public portal: rendered pages are no longer kept in the database. They
-- were a cache (about 2 GB at 100,000 items) written by page views into the
-- primary database, in every backup and competing with case writes; pages
-- now live only in the serving process's memory (web/portal_cache.go), and
-- a new process renders each page on its first view.

-- +goose Up
DROP TABLE portal_snapshots;

-- +goose Down
CREATE TABLE portal_snapshots (
    item_id      BIGINT NOT NULL,
    page         TEXT   NOT NULL,
    lang         TEXT   NOT NULL,
    build        TEXT   NOT NULL,
    item_version BIGINT NOT NULL,
    item_updated BIGINT NOT NULL,
    body_updated BIGINT NOT NULL,
    html         BYTEA  NOT NULL,
    PRIMARY KEY (item_id, page, lang)
);
