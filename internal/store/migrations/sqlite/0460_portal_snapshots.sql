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
    html         BLOB   NOT NULL,
    PRIMARY KEY (item_id, page, lang)
);

-- +goose Down
DROP TABLE portal_snapshots;
