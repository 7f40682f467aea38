-- Search index: how many items hold each gram (document frequency), so a
-- query drives from its rarest gram with one lookup instead of counting
-- postings. Kept by catsearch in the same transaction as the postings. The
-- index is emptied so catsearch.Rebuild refills it with the counts at start.

-- +goose Up
CREATE TABLE catsearch_df (
    gram TEXT COLLATE "C" PRIMARY KEY,
    n    BIGINT NOT NULL
);
DELETE FROM catsearch_grams;
DELETE FROM catsearch_docs;

-- +goose Down
DROP TABLE catsearch_df;
