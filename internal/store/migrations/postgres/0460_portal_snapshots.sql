-- Public portal: rendered item and guide pages kept beside the list, so an
-- item page seen once since its item, its body or the binary changed is
-- served with one indexed read instead of decoding its versions and
-- rendering (issue #4's item page at 100,000 items). A cache, not a record:
-- web writes it after serving a page, any row may be deleted at any time,
-- and a row is used only while its stamps match the item's and body's rows
-- and the build that rendered it is the one running (web/portal_snapshot.go).

-- +goose Up
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
-- A page (~5 kB) stays in its heap row, uncompressed: TOAST would move it
-- out of line and pglz-compress it, costing a second lookup and a
-- decompression on every read.
ALTER TABLE portal_snapshots SET (toast_tuple_target = 8160);

-- +goose Down
DROP TABLE portal_snapshots;
