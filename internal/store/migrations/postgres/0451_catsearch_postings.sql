-- Search index v2 (package catalog/catsearch): postings carry the item's
-- code, so a query streams one gram's postings in code order and stops after
-- a page instead of sorting every match; names are indexed for the
-- name-prefix rank. The index is derived data: the tables are recreated
-- empty and catsearch.Rebuild fills them from the published list at start.

-- +goose Up
DROP TABLE catsearch_grams;
DROP TABLE catsearch_docs;
CREATE TABLE catsearch_docs (
    item_id    BIGINT  PRIMARY KEY,
    body_id    BIGINT  NOT NULL,
    version_id BIGINT  NOT NULL,
    code       TEXT    NOT NULL,
    code_norm  TEXT    COLLATE "C" NOT NULL,  -- bytewise: a prefix is an index range
    name       TEXT    NOT NULL,
    name_norm  TEXT    COLLATE "C" NOT NULL,
    category   TEXT    NOT NULL,
    unit       TEXT    NOT NULL,
    standing   TEXT    NOT NULL CHECK (standing IN ('listed', 'suspended', 'cancelled')),
    keywords   TEXT    NOT NULL,   -- as given, one per line
    haystack   TEXT    NOT NULL    -- normalised name, keywords, unit, category, one per line
);
CREATE INDEX catsearch_docs_code ON catsearch_docs (code_norm);
CREATE INDEX catsearch_docs_name ON catsearch_docs (name_norm);
CREATE INDEX catsearch_docs_body_code ON catsearch_docs (body_id, code_norm);
CREATE INDEX catsearch_docs_body_category ON catsearch_docs (body_id, category, code_norm);
CREATE INDEX catsearch_docs_body_unit ON catsearch_docs (body_id, unit, code_norm);

-- One row per gram of an item: the primary key orders a gram's postings by
-- code, and removal recomputes an item's grams from its haystack, so no
-- second index is needed.
CREATE TABLE catsearch_grams (
    gram      TEXT   COLLATE "C" NOT NULL,
    code_norm TEXT   COLLATE "C" NOT NULL,
    item_id   BIGINT NOT NULL,
    PRIMARY KEY (gram, code_norm, item_id)
);

-- +goose Down
DROP TABLE catsearch_grams;
DROP TABLE catsearch_docs;
CREATE TABLE catsearch_docs (
    item_id    BIGINT  PRIMARY KEY,
    body_id    BIGINT  NOT NULL,
    version_id BIGINT  NOT NULL,
    code       TEXT    NOT NULL,
    code_norm  TEXT    COLLATE "C" NOT NULL,  -- bytewise: a prefix is an index range
    name       TEXT    NOT NULL,
    name_norm  TEXT    COLLATE "C" NOT NULL,
    category   TEXT    NOT NULL,
    unit       TEXT    NOT NULL,
    standing   TEXT    NOT NULL CHECK (standing IN ('listed', 'suspended', 'cancelled')),
    keywords   TEXT    NOT NULL,
    haystack   TEXT    NOT NULL
);
CREATE INDEX catsearch_docs_code ON catsearch_docs (code_norm);
CREATE INDEX catsearch_docs_body_code ON catsearch_docs (body_id, code_norm);
CREATE INDEX catsearch_docs_body_category ON catsearch_docs (body_id, category, code_norm);
CREATE INDEX catsearch_docs_body_unit ON catsearch_docs (body_id, unit, code_norm);
CREATE TABLE catsearch_grams (
    gram    TEXT   COLLATE "C" NOT NULL,
    item_id BIGINT NOT NULL,
    PRIMARY KEY (gram, item_id)
);
CREATE INDEX catsearch_grams_item ON catsearch_grams (item_id);
