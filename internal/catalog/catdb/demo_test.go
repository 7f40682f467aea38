package catdb_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/catalog"

	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// demoDB loads org's demo and the catalogue demo into db.
func demoDB(t *testing.T, db *store.DB) (*catdb.Service, catdb.DemoResult) {
	t.Helper()
	ctx := context.Background()
	if err := org.LoadDemo(ctx, db, nil); err != nil {
		t.Fatalf("org demo: %v", err)
	}
	s := catdb.New(db)
	res, err := catdb.LoadDemo(ctx, s)
	if err != nil {
		t.Fatalf("catalogue demo: %v", err)
	}
	return s, res
}

func TestDemoLoadsAndVerifies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, res := demoDB(t, db)
		if res.Items < 60 || res.Adjustments != 8 {
			t.Fatalf("demo result %+v", res)
		}
		// One adjustment in progress at each stage (C3).
		for _, st := range []catalog.Stage{catalog.StageDrafting, catalog.StageSigned, catalog.StageOfficeReviewed,
			catalog.StageApproved, catalog.StagePublished, catalog.StageReturned, catalog.StageWithdrawn} {
			as, err := s.Adjustments(context.Background(), org.System, catdb.AdjustmentFilter{Stage: st})
			if err != nil || len(as) == 0 {
				t.Errorf("no demo adjustment %s (%v)", st, err)
			}
		}
		// The district's change gives both lower bodies a review task (C6),
		// due 5 working days after its publication on Thursday 19 November
		// 2026, naming the material their versions lack.
		revs, err := s.Reviews(context.Background(), org.System, catdb.ReviewFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(revs) != 2 {
			t.Fatalf("demo reviews: %+v", revs)
		}
		due := time.Date(2026, 11, 27, 0, 0, 0, 0, calendar.DefaultLocation)
		for _, r := range revs {
			if !r.Due.Equal(due) || r.Status != catdb.ReviewOpen || !strings.Contains(r.Violations, "materials") {
				t.Errorf("review %+v", r)
			}
		}
		rep, err := db.Verify(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if !rep.OK() {
			t.Fatalf("verify after demo: %s", rep.Mismatch)
		}
	})
}

// demoFingerprint is what a demo load leaves, independent of row ids:
// every version (body, code, number, status, content hash), every
// adjustment (body, title, stage, steps) and every review task.
func demoFingerprint(t *testing.T, db *store.DB) []string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT 'v|' || b.code || '|' || i.base_code || '|' || CAST(v.version AS TEXT) || '|' || v.status || '|' || v.content_hash
			FROM catalog_versions v JOIN catalog_items i ON i.id = v.item_id JOIN bodies b ON b.id = v.body_id`,
		`SELECT 'a|' || b.code || '|' || a.title || '|' || a.stage FROM catalog_adjustments a JOIN bodies b ON b.id = a.body_id`,
		`SELECT 'r|' || b.code || '|' || r.base_code || '|' || r.status || '|' || CAST(r.due AS TEXT) FROM catalog_reviews r JOIN bodies b ON b.id = r.body_id`,
	} {
		rows, err := db.Query(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(out)
	return out
}

// TestDemoResumesAfterInterruption: a demo list load that fails part-way —
// in the last body's list (the others stored), at the publication inside a replayed
// adjustment (drafted and moved on, not yet published), at the very last
// publication — is completed by ResumeDemo to exactly what an
// uninterrupted load makes, and the audit log verifies. The failure is
// injected through the search indexer, which runs inside every
// publication's write.
func TestDemoResumesAfterInterruption(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fresh := func() *store.DB {
			if db.Dialect() == store.Postgres {
				return storetest.Postgres(t)
			}
			return storetest.SQLite(t)
		}
		// The uninterrupted load, counting the publications it indexes.
		if err := org.LoadDemo(ctx, db, nil); err != nil {
			t.Fatal(err)
		}
		s := catdb.New(db)
		total := 0
		s.SetIndexer(func(context.Context, *store.Tx, catdb.Version) error { total++; return nil })
		res, err := catdb.LoadDemo(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		want := demoFingerprint(t, db)
		if res.Versions < 2 || total <= res.Versions {
			t.Fatalf("demo: %+v, %d publications", res, total)
		}
		for name, failAt := range map[string]int{"lists": res.Versions, "adjustment": res.Versions + 1, "last": total} {
			t.Run(name, func(t *testing.T) {
				db := fresh()
				if err := org.LoadDemo(ctx, db, nil); err != nil {
					t.Fatal(err)
				}
				s := catdb.New(db)
				n := 0
				injected := errors.New("injected failure")
				s.SetIndexer(func(context.Context, *store.Tx, catdb.Version) error {
					if n++; n == failAt {
						return injected
					}
					return nil
				})
				if _, err := catdb.LoadDemo(ctx, s); !errors.Is(err, injected) {
					t.Fatalf("interrupted load: %v", err)
				}
				if got := demoFingerprint(t, db); len(got) >= len(want) {
					t.Fatalf("the interrupted load stored everything (%d rows)", len(got))
				}
				if _, err := catdb.LoadDemo(ctx, s); err == nil {
					t.Fatal("LoadDemo into a partly loaded list was not refused")
				}
				if _, err := catdb.ResumeDemo(ctx, s); err != nil {
					t.Fatalf("resume: %v", err)
				}
				if got := demoFingerprint(t, db); !slices.Equal(got, want) {
					t.Fatalf("resumed demo differs:\n got %d rows %v\nwant %d rows", len(got), got, len(want))
				}
				// Resuming a complete demo changes nothing.
				head, err := db.Head(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if r, err := catdb.ResumeDemo(ctx, s); err != nil || r != (catdb.DemoResult{}) {
					t.Fatalf("resuming a complete demo: %+v %v", r, err)
				}
				if after, err := db.Head(ctx); err != nil || after.Size != head.Size {
					t.Fatalf("resuming a complete demo wrote events: %d → %d (%v)", head.Size, after.Size, err)
				}
				rep, err := db.Verify(ctx, nil)
				if err != nil || !rep.OK() {
					t.Fatalf("verify: %v %s", err, rep.Mismatch)
				}
			})
		}
	})
}
