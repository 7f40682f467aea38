package caseworkdb_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"github.com/qingdan/qingdan/internal/casework"
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
	svc, got, _ := demoCasesOf(t, db, now, n)
	return svc, got
}

// demoCasesOf is demoCases with the demo organisation's people.
func demoCasesOf(t *testing.T, db *store.DB, now time.Time, n int) (*caseworkdb.Service, []string, orgtest.Demo) {
	t.Helper()
	demo := orgtest.Load(t, db)
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
	return svc, out, demo
}

func TestDemoCases_everyStage_audited_deterministic(t *testing.T) {
	now := at("2026-12-07T10:00")
	var first []string
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, got := demoCases(t, db, now, 1000)
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

// TestDemo_H13_everyCasesUnitExistsAndWindowsHaveABPairs (#14 items 3, 4):
// every demo case is handled by a unit the demo organisation has (its code
// names a unit of the case's body, with a head), and the demo's A/B pairs
// give 陈晓 (window1) and 王芳 (head_bmfw) each other as backup.
func TestDemo_H13_everyCasesUnitExistsAndWindowsHaveABPairs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		svc, got, demo := demoCasesOf(t, db, at("2026-12-07T10:00"), 400)
		if len(got) == 0 {
			t.Fatal("no demo cases")
		}
		var missing []string
		rows, err := db.Query(ctx, `SELECT DISTINCT c.unit FROM cases c WHERE c.unit <> '' AND NOT EXISTS
			(SELECT 1 FROM units u JOIN staff s ON s.unit_id = u.id AND s.is_head AND s.active
			 WHERE u.body_id = c.body_id AND u.code = c.unit) ORDER BY c.unit`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var u string
			if err := rows.Scan(&u); err != nil {
				t.Fatal(err)
			}
			missing = append(missing, u)
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		if len(missing) > 0 {
			t.Fatalf("demo cases handled by units the organisation lacks: %v", missing)
		}
		if n := count(t, db, `SELECT COUNT(DISTINCT c.unit) FROM cases c WHERE c.unit LIKE 'ZZ%'`); n == 0 {
			t.Fatal("no demo case is handled by one of the district's list units")
		}
		n, err := svc.DemoPosts(ctx)
		if err != nil || n == 0 {
			t.Fatalf("demo posts: %d, %v", n, err)
		}
		who := demo.People
		pt, err := svc.ABPost(ctx, who["window1"], who["window1"].StaffID)
		if err != nil || pt.Backup.ID != who["head_bmfw"].StaffID || pt.Away() {
			t.Fatalf("window1's demo post %+v, %v", pt, err)
		}
		if again, err := svc.DemoPosts(ctx); err != nil || again != 0 {
			t.Fatalf("second run: %d, %v", again, err)
		}
		verify(t, db)
	})
}

// TestCatalogItems_C4_standingAloneAnswersAsTheListing: acceptance asks
// the list only for the item's standing (C4), through StandingAt, which
// skips reading the version in force and its unit; over the demo list —
// listed, suspended and cancelled items, codes of no item, an instant
// before any publication — it answers what Listing answers.
func TestCatalogItems_C4_standingAloneAnswersAsTheListing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		demo := orgtest.Load(t, db)
		cals := caldb.New(db)
		cat := catdb.New(db)
		cat.SetCalendars(cals)
		if _, err := catdb.LoadDemo(ctx, cat); err != nil {
			t.Fatal(err)
		}
		items := caseworkdb.CatalogItems{Cat: cat}
		seen := map[string]int{}
		for _, bodyID := range demo.Bodies {
			list, err := cat.PublishedList(ctx, bodyID, catdb.ListFilter{IncludeCancelled: true})
			if err != nil {
				t.Fatal(err)
			}
			codes := []string{"NO-SUCH-ITEM"}
			for _, v := range list {
				codes = append(codes, v.BaseCode, v.ImplCode)
			}
			body := casework.Body{ID: bodyID}
			for _, code := range codes {
				if code == "" {
					continue
				}
				for _, at := range []time.Time{time.Now(), time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)} {
					l, err := items.Listing(ctx, body, code, at)
					if err != nil {
						t.Fatalf("%s at %s: listing: %v", code, at, err)
					}
					st, err := items.StandingAt(ctx, body, code, at)
					if err != nil || st != l.Standing {
						t.Fatalf("%s at %s: standing %q %v, listing %q", code, at, st, err, l.Standing)
					}
					seen[string(st)]++
				}
			}
		}
		for _, want := range []casework.Standing{casework.Listed, casework.Suspended, casework.Cancelled, casework.Unlisted} {
			if seen[string(want)] == 0 {
				t.Fatalf("no %q item in the demo list to compare: %v", want, seen)
			}
		}
	})
}
