// Package catsearch is the public search index of the power & responsibility
// list: one row per item (its current published version) and a table of
// character grams, the same on SQLite and PostgreSQL.
//
// Why grams: Chinese has no spaces, so word tokenisers and PostgreSQL's
// default text search miss two-character words such as 低保. Every field
// (name, keywords, unit, category) is cut into runs of letters and digits and
// each run into its character bigrams, plus unigrams so one-character
// queries work. A query term is cut the same way. A term of one or two
// characters is exactly one gram, so its postings are the answer; a longer
// term's grams are intersected and the candidates verified by a substring
// test on the normalised text, so "保低" never matches 低保.
//
// Speed at 100,000 items: a posting's primary key is (gram, code, item), so
// one gram's postings come out in code order and a query walks them in
// keyset batches and stops after one page instead of sorting every match.
// It drives from its rarest gram (catsearch_df holds each gram's document
// frequency); a query of several terms joins the two rarest postings lists
// on their full key inside the engine, since separate words may each be
// common and rare together: a small intersection is read whole and ranked,
// a large one walked in code order.
// Candidates are verified in Go: PostgreSQL cannot estimate '%…%' patterns or
// posting probes and answered them with full sorts. Results come without a
// total: Result.More says whether another page follows.
//
// Ranking: a query holding a code term (ASCII with a digit) matches codes
// (基本编码) by prefix, in code order, so an exact code comes first; other
// queries list the items whose name starts with the first term (name order),
// then every other match in code order.
//
// Abbreviations are not substrings of what they abbreviate (低保 is not in
// 最低生活保障), so the index adds the keywords the caller gives plus those
// derived from a small alias table (aliases.go); a citizen typing 低保 finds
// 最低生活保障待遇认定.
//
// The publisher calls IndexVersion (or Remove) inside the publication
// transaction — catdb through Hook — so the index never disagrees with the
// published list. The index is derived data: Rebuild refills it from the
// list (at start when NeedsRebuild, after a migration emptied it).
package catsearch
