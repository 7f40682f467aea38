package caseworkdb_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"github.com/qingdan/qingdan/internal/casework/caseworkdb"
	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/org/orgtest"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// demoCases loads the demo organisation and list into db and generates n
// demo cases as of now; it returns each case's number, status and step.
func demoCases(t *testing.T, db *store.DB, now time.Time, n int) (*caseworkdb.Service, []string) {
	t.Helper()
	orgtest.Load(t, db)
	cals := caldb.New(db)
	cat := catdb.New(db)
	cat.SetCalendars(cals)
	if _, err := catdb.LoadDemo(ctx, cat); err != nil {
		t.Fatal(err)
	}
	svc := caseworkdb.New(db, cals, caseworkdb.CatalogItems{Cat: cat}, caseworkdb.Options{Now: func() time.Time { return now }})
	if err := svc.StoreShipped(ctx); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	made, err := svc.DemoCases(ctx, now, n)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d demo cases of %d drawn in %v", made, n, time.Since(start))
	rows, err := db.Query(ctx, `SELECT number, status, step FROM cases ORDER BY number`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var number, status, step string
		if err := rows.Scan(&number, &status, &step); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(number, " ", status, " ", step))
	}
	if len(out) != made {
		t.Fatalf("%d rows, %d made", len(out), made)
	}
	return svc, out
}

func TestDemoCases_everyStage_audited_deterministic(t *testing.T) {
	now := at("2026-12-07T10:00")
	var first []string
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, got := demoCases(t, db, now, 400)
		statuses := map[string]int{}
		for _, g := range got {
			var number, status, step string
			fmt.Sscan(g, &number, &status, &step)
			statuses[status]++
		}
		t.Logf("by status: %v", statuses)
		for _, s := range []string{"submitted", "supplementing", "accepted", "handling", "completed", "refused", "withdrawn"} {
			if statuses[s] == 0 {
				t.Errorf("no demo case %s: %v", s, statuses)
			}
		}
		if first == nil {
			first = got
		} else if !slices.Equal(first, got) {
			t.Errorf("the two engines' demo cases differ: generation is not deterministic")
		}
		// Each is a case like any other: its timeline, its record, its
		// public view with the demo's query code.
		var number string
		fmt.Sscan(got[len(got)-1], &number)
		if _, err := svc.Lookup(ctx, number, caseworkdb.DemoQueryCode(number)); err != nil {
			t.Fatalf("lookup %s: %v", number, err)
		}
		verify(t, db)
		// Again: nothing when cases exist.
		if n, err := svc.DemoCases(ctx, now, 10); err != nil || n != 0 {
			t.Fatalf("second run: %d %v", n, err)
		}
	})
}
