package catsearch_test

import (
	"context"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/catalog/catsearch"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// TestVerify_C9_indexEditedBehindTheBackIsNamed (issue #11 item 4): the
// public search rows are derived from the audited list, and Verify
// recomputes them: the index the demo's publications built agrees; each
// edit made directly in the database (a name the public would see, a
// standing, a posting gone or added, a document frequency, a stray or a
// missing row) is named; Rebuild puts it right.
func TestVerify_C9_indexEditedBehindTheBackIsNamed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		demoIndexed(t, db)
		verify := func() string {
			t.Helper()
			m, n, err := catsearch.Verify(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			if m == "" && n < 60 {
				t.Fatalf("verified %d items", n)
			}
			return m
		}
		if m := verify(); m != "" {
			t.Fatalf("the index as published: %s", m)
		}
		var item int64
		if err := db.QueryRow(ctx, `SELECT MIN(item_id) FROM catsearch_docs WHERE standing = 'listed'`).Scan(&item); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			edit, want string
			args       []any
		}{
			{`UPDATE catsearch_docs SET name = name || '(收费100元)' WHERE item_id = ?`, "name", []any{item}},
			{`UPDATE catsearch_docs SET standing = 'suspended' WHERE item_id = ?`, "standing", []any{item}},
			{`DELETE FROM catsearch_grams WHERE item_id = ? AND gram = (SELECT MIN(gram) FROM catsearch_grams WHERE item_id = ?)`, "postings missing", []any{item, item}},
			{`INSERT INTO catsearch_grams (gram, code_norm, item_id) VALUES ('收费', '0000000000', ?)`, "catsearch_grams", []any{item}},
			{`UPDATE catsearch_df SET n = n + 1 WHERE gram = (SELECT MIN(gram) FROM catsearch_df)`, "catsearch_df", nil},
			{`INSERT INTO catsearch_docs (item_id, body_id, version_id, code, code_norm, name, name_norm, category, unit, standing, keywords, haystack)
				VALUES (999999, 1, 1, '0100009999', '0100009999', '假事项', '假事项', 'licensing', '', 'listed', '', '假事项')`, "item_id=999999", nil},
			{`DELETE FROM catsearch_docs WHERE item_id = ?`, "missing", []any{item}},
		} {
			if err := db.Write(ctx, func(tx *store.Tx) error {
				_, err := tx.Exec(ctx, c.edit, c.args...)
				return err
			}); err != nil {
				t.Fatalf("%s: %v", c.edit, err)
			}
			if m := verify(); !strings.Contains(m, c.want) {
				t.Errorf("after %s: %q, want it to name %q", c.edit, m, c.want)
			}
			if _, err := catsearch.Rebuild(ctx, db); err != nil {
				t.Fatal(err)
			}
			if m := verify(); m != "" {
				t.Fatalf("after Rebuild: %s", m)
			}
		}
	})
}
