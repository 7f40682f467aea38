-- Public search index of the list (package catalog/catsearch, issue #4 item
-- 7). One row per item with its current published version's searchable
-- fields, normalised, and the item's character unigrams and bigrams: Chinese
-- words such as 低保 are found by intersecting gram postings, then verified
-- by a substring test on haystack. Codes match by prefix on code_norm.
-- Written only inside the publication transaction.

-- +goose Up
CREATE TABLE catsearch_docs (
    item_id    BIGINT  PRIMARY KEY,
    body_id    BIGINT  NOT NULL,
    version_id BIGINT  NOT NULL,
    code       TEXT    NOT NULL,
    code_norm  TEXT    COLLATE "C" NOT NULL,  -- bytewise, so a prefix is an index range
    name       TEXT    NOT NULL,
    name_norm  TEXT    NOT NULL,
    category   TEXT    NOT NULL,
    unit       TEXT    NOT NULL,
    standing   TEXT    NOT NULL CHECK (standing IN ('listed', 'suspended', 'cancelled')),
    keywords   TEXT    NOT NULL,   -- as given, one per line
    haystack   TEXT    NOT NULL    -- normalised name, keywords, unit, category, one per line
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

-- +goose Down
DROP TABLE catsearch_grams;
DROP TABLE catsearch_docs;
