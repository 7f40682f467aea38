package catdb_test

import (
	"context"
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
