package caldb_test

import (
	"context"
	"encoding/json"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// FuzzImportYear: whatever is uploaded, either the parser's error comes back
// and nothing changed (no event, no stored year), or exactly the parsed
// years are stored (L9).
func FuzzImportYear(f *testing.F) {
	f.Add("2027.json", []byte(year2027))
	f.Add("2027.json", []byte(`{"year":2027,"days":[{"name":"元旦","date":"2027-01-32","isOffDay":true}]}`))
	f.Add("2027.ics", []byte("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20270101\r\nSUMMARY:元旦\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))
	f.Add("2027.ics", []byte("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20270101T090000\r\nSUMMARY:元旦\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))
	f.Add("x.json", []byte(`{"year":1800,"days":[]}`))
	f.Add("x.json", []byte(`{"year":2026,"days":[{"name":"a","date":"2026-03-03","isOffDay":true}]}`))
	db := storetest.SQLite(f)
	svc := caldb.New(db)
	admin := fixtureAdmin()
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		before := eventCount(t, db)
		storedBefore, err := svc.StoredYears(ctx)
		if err != nil {
			t.Fatal(err)
		}
		parsed, perr := calendar.Parse(name, data)
		infos, err := svc.ImportYear(ctx, admin, data, name)
		if err != nil {
			if eventCount(t, db) != before {
				t.Fatalf("a refused upload emitted events: %v", err)
			}
			after, err2 := svc.StoredYears(ctx)
			if err2 != nil {
				t.Fatal(err2)
			}
			if !reflect.DeepEqual(jsonOf(t, after), jsonOf(t, storedBefore)) {
				t.Fatalf("a refused upload changed the stored years: %v", err)
			}
			return
		}
		if perr != nil {
			t.Fatalf("stored a file the parser refuses: %v", perr)
		}
		if len(infos) != len(parsed) {
			t.Fatalf("stored %d years, parsed %d", len(infos), len(parsed))
		}
		cal, err := svc.Calendar(ctx, 0)
		if err != nil {
			t.Fatalf("the calendar no longer builds after an accepted upload: %v", err)
		}
		for _, y := range parsed {
			if !cal.Covers(y.Year) {
				t.Fatalf("year %d stored but not covered", y.Year)
			}
		}
	})
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Concurrent single-day edits of one year are both kept: each edit reads
// the year inside its own write, so none overwrites the other.
func TestSetDay_concurrentEditsKeepBoth(t *testing.T) {
	db := storetest.SQLite(t)
	svc := caldb.New(db)
	admin := fixtureAdmin()
	ctx := context.Background()
	days := []calendar.Date{calendar.DateOf(2026, 3, 3), calendar.DateOf(2026, 3, 4), calendar.DateOf(2026, 3, 5), calendar.DateOf(2026, 3, 6)}
	var wg sync.WaitGroup
	errs := make([]error, len(days))
	for i, d := range days {
		wg.Go(func() { _, errs[i] = svc.SetDay(ctx, admin, d, 0, true, "临时") })
	}
	wg.Wait()
	cal, err := svc.Calendar(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range days {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if isWork(t, cal, d) {
			t.Errorf("%s: edit lost", d)
		}
	}
	// Unchanged data: the cached calendar is reused, not rebuilt.
	again, err := svc.Calendar(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if again != cal {
		t.Error("calendar rebuilt without a change")
	}
}

// Two instances on one PostgreSQL database edit days of one year at once:
// every edit is kept and both instances answer with all of them.
func TestSetDay_twoInstancesPostgres(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	ctx := context.Background()
	var dbs [2]*store.DB
	for i := range dbs {
		db, err := store.Open(ctx, dsn, store.Options{DataDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := db.Close(); err != nil {
				t.Error(err)
			}
		})
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		dbs[i] = db
	}
	svcs := [2]*caldb.Service{caldb.New(dbs[0]), caldb.New(dbs[1])}
	for _, s := range svcs { // warm both caches
		if _, err := s.Calendar(ctx, 0); err != nil {
			t.Fatal(err)
		}
	}
	admin := fixtureAdmin()
	var days []calendar.Date
	for d := calendar.DateOf(2026, 4, 13); len(days) < 8; d = d.AddDays(1) {
		if d.Weekday() != time.Saturday && d.Weekday() != time.Sunday {
			days = append(days, d)
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, len(days))
	for i, d := range days {
		wg.Go(func() { _, errs[i] = svcs[i%2].SetDay(ctx, admin, d, 0, true, "临时") })
	}
	wg.Wait()
	for i := range errs {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
	}
	for n, s := range svcs {
		cal, err := s.Calendar(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range days {
			if isWork(t, cal, d) {
				t.Errorf("instance %d: %s edit lost or stale", n, d)
			}
		}
	}
}
