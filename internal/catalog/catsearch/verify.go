package catsearch

import (
	"context"
	"fmt"
	"strings"

	"github.com/qingdan/qingdan/internal/store"
)

// verifyBatch is how many items Verify compares per read.
const verifyBatch = 1000

// Verify recomputes the index from the audited list — the current
// published version of every item, read from catalog_items as Rebuild
// reads it (those rows are audited: qingdan verify compares them with
// their last event) — and compares it with what is stored: every
// catsearch_docs row column by column, every item's postings, the number
// of docs and postings (so stray rows show) and the document frequencies.
// It returns "" when they agree, or a sentence naming the first difference,
// and the number of items compared. The index is derived data; a row
// edited behind the publisher's back (issue #11 item 4) is named here, and
// Rebuild writes it anew.
//
// It reads batch by batch, not in one snapshot: a publication committing
// meanwhile may make a batch look wrong, so a mismatch found while the list
// changed (its versions' count or newest id moved) is checked again, up to
// three times.
func Verify(ctx context.Context, q store.Querier) (mismatch string, items int, err error) {
	for range 3 {
		before, err := listStamp(ctx, q)
		if err != nil {
			return "", 0, err
		}
		mismatch, items, err = verifyOnce(ctx, q)
		if err != nil || mismatch == "" {
			return mismatch, items, err
		}
		after, err := listStamp(ctx, q)
		if err != nil {
			return "", 0, err
		}
		if after == before {
			return mismatch, items, nil
		}
	}
	return mismatch, items, nil
}

// listStamp changes with every publication: each inserts a version.
func listStamp(ctx context.Context, q store.Querier) (string, error) {
	var n, newest int64
	if err := q.QueryRow(ctx, `SELECT count(*), COALESCE(MAX(id), 0) FROM catalog_versions`).Scan(&n, &newest); err != nil {
		return "", fmt.Errorf("catsearch: verify: %w", err)
	}
	return fmt.Sprint(n, newest), nil
}

func verifyOnce(ctx context.Context, q store.Querier) (string, int, error) {
	df := map[string]int64{}
	var postings int64
	items := 0
	var after int64
	for {
		docs, last, err := currentDocs(ctx, q, after, verifyBatch)
		if err != nil {
			return "", items, err
		}
		if len(docs) == 0 {
			break
		}
		stored, err := storedRows(ctx, q, after, last)
		if err != nil {
			return "", items, err
		}
		var want []row
		for _, d := range docs {
			r := d.prepare()
			want = append(want, r)
			for _, g := range r.grams {
				df[g]++
			}
			postings += int64(len(r.grams))
		}
		if m := compareRows(want, stored); m != "" {
			return m, items, nil
		}
		if m, err := comparePostings(ctx, q, want); m != "" || err != nil {
			return m, items, err
		}
		items += len(docs)
		after = last
	}
	var docs, grams int64
	if err := q.QueryRow(ctx, `SELECT (SELECT count(*) FROM catsearch_docs), (SELECT count(*) FROM catsearch_grams)`).Scan(&docs, &grams); err != nil {
		return "", items, fmt.Errorf("catsearch: verify: %w", err)
	}
	if docs != int64(items) {
		// Rows within the items' range were compared: a stray is beyond it.
		var stray int64
		if err := q.QueryRow(ctx, `SELECT COALESCE(MIN(item_id), 0) FROM catsearch_docs WHERE item_id > ?`, after).Scan(&stray); err != nil {
			return "", items, fmt.Errorf("catsearch: verify: %w", err)
		}
		return fmt.Sprintf("catsearch_docs item_id=%d: no current published item has it (%d rows for %d items)", stray, docs, items), items, nil
	}
	if grams != postings {
		return fmt.Sprintf("catsearch_grams: %d postings, the list's items make %d", grams, postings), items, nil
	}
	return compareDF(ctx, q, df, items)
}

// storedRows reads the stored docs with after < item_id <= last.
func storedRows(ctx context.Context, q store.Querier, after, last int64) ([]row, error) {
	rows, err := q.Query(ctx, `SELECT item_id, body_id, version_id, code, code_norm, name, name_norm, category, unit, standing, keywords, haystack
		FROM catsearch_docs WHERE item_id > ? AND item_id <= ? ORDER BY item_id`, after, last)
	if err != nil {
		return nil, fmt.Errorf("catsearch: verify: %w", err)
	}
	defer rows.Close()
	var out []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.ItemID, &r.BodyID, &r.VersionID, &r.Code, &r.codeNorm, &r.Name, &r.nameNorm, &r.Category,
			&r.Unit, &r.Standing, &r.keywords, &r.haystack); err != nil {
			return nil, fmt.Errorf("catsearch: verify: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("catsearch: verify: %w", err)
	}
	return out, nil
}

// compareRows names the first stored doc that differs from the one the
// list makes, or is missing, or has no item.
func compareRows(want, stored []row) string {
	for i, w := range want {
		if i >= len(stored) || stored[i].ItemID > w.ItemID {
			return fmt.Sprintf("catsearch_docs item_id=%d: missing (the item's current version is %d)", w.ItemID, w.VersionID)
		}
		s := stored[i]
		if s.ItemID < w.ItemID {
			return fmt.Sprintf("catsearch_docs item_id=%d: no current published item has it", s.ItemID)
		}
		for _, c := range []struct {
			col       string
			got, want any
		}{{"body_id", s.BodyID, w.BodyID}, {"version_id", s.VersionID, w.VersionID}, {"code", s.Code, w.Code},
			{"code_norm", s.codeNorm, w.codeNorm}, {"name", s.Name, w.Name}, {"name_norm", s.nameNorm, w.nameNorm},
			{"category", s.Category, w.Category}, {"unit", s.Unit, w.Unit}, {"standing", s.Standing, w.Standing},
			{"keywords", s.keywords, w.keywords}, {"haystack", s.haystack, w.haystack}} {
			if c.got != c.want {
				return fmt.Sprintf("catsearch_docs item_id=%d: %s is %q, its published version makes %q", w.ItemID, c.col, c.got, c.want)
			}
		}
	}
	if len(stored) > len(want) {
		return fmt.Sprintf("catsearch_docs item_id=%d: no current published item has it", stored[len(want)].ItemID)
	}
	return ""
}

// comparePostings names the first item some of whose postings are missing
// (stray ones show in the total).
func comparePostings(ctx context.Context, q store.Querier, want []row) (string, error) {
	for _, r := range want {
		for start := 0; start < len(r.grams); start += gramChunk {
			chunk := r.grams[start:min(start+gramChunk, len(r.grams))]
			args := make([]any, 0, 3*len(chunk))
			for _, g := range chunk {
				args = append(args, g, r.codeNorm, r.ItemID)
			}
			var n int
			// PostgreSQL types a bare VALUES parameter as text: the id is cast.
			if err := q.QueryRow(ctx, `SELECT count(*) FROM catsearch_grams WHERE (gram, code_norm, item_id) IN (VALUES `+
				strings.TrimSuffix(strings.Repeat("(?,?,CAST(? AS BIGINT)),", len(chunk)), ",")+`)`, args...).Scan(&n); err != nil {
				return "", fmt.Errorf("catsearch: verify: %w", err)
			}
			if n != len(chunk) {
				return fmt.Sprintf("catsearch_grams item_id=%d: %d of its %d postings missing", r.ItemID, len(chunk)-n, len(r.grams)), nil
			}
		}
	}
	return "", nil
}

// compareDF names the first gram whose stored document frequency is not
// the number of items holding it.
func compareDF(ctx context.Context, q store.Querier, want map[string]int64, items int) (string, int, error) {
	rows, err := q.Query(ctx, `SELECT gram, n FROM catsearch_df WHERE n <> 0`)
	if err != nil {
		return "", items, fmt.Errorf("catsearch: verify: %w", err)
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var (
			g string
			n int64
		)
		if err := rows.Scan(&g, &n); err != nil {
			return "", items, fmt.Errorf("catsearch: verify: %w", err)
		}
		if want[g] != n {
			return fmt.Sprintf("catsearch_df gram %q: %d, %d items hold it", g, n, want[g]), items, nil
		}
		seen++
	}
	if err := rows.Err(); err != nil {
		return "", items, fmt.Errorf("catsearch: verify: %w", err)
	}
	if seen != len(want) {
		return fmt.Sprintf("catsearch_df: %d grams counted, the items hold %d", seen, len(want)), items, nil
	}
	return "", items, nil
}
