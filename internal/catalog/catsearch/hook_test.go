package catsearch_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/catalog/catsearch"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// snapshot renders the whole index, docs and document frequencies.
func snapshot(t *testing.T, db *store.DB) []string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT item_id, body_id, version_id, code, name, category, unit, standing, haystack FROM catsearch_docs ORDER BY item_id`,
		`SELECT gram, n, '', '', '', '', '', '', '' FROM catsearch_df WHERE n > 0 ORDER BY gram`,
	} {
		rows, err := db.Query(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var c [9]string
			if err := rows.Scan(&c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &c[6], &c[7], &c[8]); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprint(c))
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// demoIndexed loads org's demo and the catalogue demo into db, every
// publication indexed through Hook.
func demoIndexed(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	if err := org.LoadDemo(ctx, db, nil); err != nil {
		t.Fatal(err)
	}
	cat := catdb.New(db)
	cat.SetIndexer(catsearch.Hook)
	if _, err := catdb.LoadDemo(ctx, cat); err != nil {
		t.Fatal(err)
	}
}

// TestHookAndRebuild_agree: the index catdb's publications build through
// Hook (every demo version published in turn, suspensions and cancellations
// included) equals the one Rebuild makes from the stored list.
func TestHookAndRebuild_agree(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		demoIndexed(t, db)
		hooked := snapshot(t, db)
		if len(hooked) < 60 {
			t.Fatalf("index holds %d rows after the demo", len(hooked))
		}
		if need, err := catsearch.NeedsRebuild(ctx, db); err != nil || need {
			t.Fatalf("NeedsRebuild on a full index: %v %v", need, err)
		}
		if err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `DELETE FROM catsearch_docs`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if need, err := catsearch.NeedsRebuild(ctx, db); err != nil || !need {
			t.Fatalf("NeedsRebuild on an empty index: %v %v", need, err)
		}
		n, err := catsearch.Rebuild(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		rebuilt := snapshot(t, db)
		if !slices.Equal(hooked, rebuilt) {
			for i := range min(len(hooked), len(rebuilt)) {
				if hooked[i] != rebuilt[i] {
					t.Fatalf("rebuilt %d items; first difference:\nhook    %s\nrebuild %s", n, hooked[i], rebuilt[i])
				}
			}
			t.Fatalf("rebuilt %d rows, hooked %d", len(rebuilt), len(hooked))
		}
	})
}
