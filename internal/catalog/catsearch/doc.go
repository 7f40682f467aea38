// Package catsearch is the public search index of the power & responsibility
// list: one row per item (its current published version) and a table of
// character grams, the same on SQLite and PostgreSQL.
//
// Why grams: Chinese has no spaces, so word tokenisers and PostgreSQL's
// default text search miss two-character words such as 低保. Every field is
// cut into runs of letters and digits and each run into its character
// bigrams, plus unigrams so one-character queries work. A query term is cut
// the same way; the postings of its grams are intersected in SQL, and the
// candidates are verified with a substring test on the normalised text, so
// a gram index hit on "保低" for 低保 never shows. Ranking: exact code match,
// then name prefix, then name contains, then the rest (keyword, unit or
// category match), each by code.
//
// Codes (基本编码) are matched by prefix on an indexed column rather than
// grammed: digit bigrams ("00", "01") would be in every item and slow every
// query.
//
// Abbreviations are not substrings of what they abbreviate (低保 is not in
// 最低生活保障), so the index adds the keywords the caller gives plus those
// derived from a small alias table (aliases.go); a citizen typing 低保 finds
// 最低生活保障待遇认定.
//
// The publisher calls IndexVersion (or Remove) inside the publication
// transaction, so the index never disagrees with the published list.
package catsearch
