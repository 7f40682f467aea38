-- Search index: items are found by the pinyin of their names and keywords
-- too, full and by initials (dibao, zdshbz; issue #13 item 6), which
-- changes every item's stored haystack and postings. The index is emptied
-- so catsearch.Rebuild refills it at start.

-- +goose Up
DELETE FROM catsearch_grams;
DELETE FROM catsearch_docs;
DELETE FROM catsearch_df;

-- +goose Down
DELETE FROM catsearch_grams;
DELETE FROM catsearch_docs;
DELETE FROM catsearch_df;
