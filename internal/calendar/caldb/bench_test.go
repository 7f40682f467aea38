package caldb_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// benchDue is the number of clocks due in every size: 1 % of 1,000,000.
const benchDue = 10000

// BenchmarkClocks_L10_due measures what a sweep reads (issue #12 item 5):
// the clocks due among 1,000,000 open ones, 1 % of them, through the
// product's own Due, beside a bare SELECT of the same columns over the same
// index (the raw limit)
// and beside the read before the change — every open clock read and its
// status computed, measured on the first 100,000 rows of the same table
// (multiply by the table's size over 100,000). The table is generated in
// one statement per engine (fillClocks).
//
// It runs only when asked, for its tables take minutes to build:
// QINGDAN_BENCH_CLOCKS=1m for 1,000,000 open clocks, =10m for 1,000,000
// and 10,000,000 (with the same 10,000 due), on SQLite and, with
// QINGDAN_TEST_POSTGRES, PostgreSQL:
//
//	QINGDAN_BENCH_CLOCKS=10m go test -run '^$' -bench Clocks_L10_due -benchtime 20x ./internal/calendar/caldb/
func BenchmarkClocks_L10_due(b *testing.B) {
	var sizes []int
	switch os.Getenv("QINGDAN_BENCH_CLOCKS") {
	case "100k": // a quick run of the benchmark itself, 10 % due
		sizes = []int{100000}
	case "1m":
		sizes = []int{1000000}
	case "10m":
		sizes = []int{1000000, 10000000}
	default:
		b.Skip("set QINGDAN_BENCH_CLOCKS=1m or 10m to build the tables (minutes)")
	}
	engines := []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite", storetest.SQLite}, {"postgres", storetest.Postgres}}
	until := time.Date(2026, 6, 1, 0, 0, 0, 0, calendar.DefaultLocation)
	for _, e := range engines {
		for _, n := range sizes {
			b.Run(fmt.Sprintf("%s/open=%d", e.name, n), func(b *testing.B) {
				ctx := context.Background()
				db := e.open(b)
				body, err := org.NewService(db).CreateBody(ctx, org.System, org.BodyInput{Level: org.LevelDistrict, Code: "330102", Name: "区"})
				if err != nil {
					b.Fatal(err)
				}
				t0 := time.Now()
				fillClocks(b, db, body.ID, n, benchDue, until)
				b.Logf("%s: %d clocks generated in %s", e.name, n, time.Since(t0).Round(time.Second))
				cals := caldb.New(db)
				clocks := caldb.NewClocks(db, cals)

				b.Run("Due", func(b *testing.B) {
					for b.Loop() {
						ds, err := clocks.Due(ctx, until, benchDue)
						if err != nil {
							b.Fatal(err)
						}
						if len(ds) != benchDue {
							b.Fatalf("%d due, want %d", len(ds), benchDue)
						}
					}
				})
				b.Run("raw", func(b *testing.B) {
					for b.Loop() {
						rows, err := db.Query(ctx, `SELECT id, body_id, next_check_at FROM clocks WHERE next_check_at <= ? ORDER BY next_check_at LIMIT ?`,
							store.Micros(until), benchDue)
						if err != nil {
							b.Fatal(err)
						}
						k := 0
						for rows.Next() {
							var id, body, next int64
							if err := rows.Scan(&id, &body, &next); err != nil {
								b.Fatal(err)
							}
							k++
						}
						if err := rows.Err(); err != nil {
							b.Fatal(err)
						}
						rows.Close()
						if k != benchDue {
							b.Fatalf("%d due, want %d", k, benchDue)
						}
					}
				})
				if n != sizes[0] {
					return
				}
				b.Run("before_fullscan_100k", func(b *testing.B) {
					cal, err := cals.Calendar(ctx, body.ID)
					if err != nil {
						b.Fatal(err)
					}
					warned := 0
					for b.Loop() {
						k, w := statusScan(b, db, cal, until, 100000)
						if k != 100000 {
							b.Fatalf("scanned %d", k)
						}
						warned = w
					}
					b.ReportMetric(float64(warned), "warned/op")
				})
			})
		}
	}
}

// statusScan is the sweep before next checks: read n open clocks and
// compute each one's status to find those due soon or overdue.
func statusScan(b *testing.B, db *store.DB, cal *calendar.Calendar, now time.Time, n int) (scanned, warned int) {
	rows, err := db.Query(context.Background(), `SELECT id, spec, events FROM clocks ORDER BY id LIMIT ?`, n)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	k := 0
	for rows.Next() {
		var id int64
		var spec, events string
		if err := rows.Scan(&id, &spec, &events); err != nil {
			b.Fatal(err)
		}
		var s calendar.Spec
		var evs []calendar.Event
		if err := json.Unmarshal([]byte(spec), &s); err != nil {
			b.Fatal(err)
		}
		if err := json.Unmarshal([]byte(events), &evs); err != nil {
			b.Fatal(err)
		}
		c, err := calendar.NewClock(s, evs...)
		if err != nil {
			b.Fatal(err)
		}
		st, err := c.At(cal, now)
		if err != nil {
			b.Fatal(err)
		}
		if st.State == calendar.DueSoon || st.State == calendar.Overdue {
			warned++
		}
		k++
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	return k, warned
}

// BenchmarkClocks_L9_calendarChangeRechecks measures a national single-day
// correction that reaches 100,000 open clocks: the write that sets the day
// recomputes each one's next check (recheckClocks). Run with the tables
// above (QINGDAN_BENCH_CLOCKS set).
func BenchmarkClocks_L9_calendarChangeRechecks(b *testing.B) {
	if os.Getenv("QINGDAN_BENCH_CLOCKS") == "" {
		b.Skip("set QINGDAN_BENCH_CLOCKS to build the table")
	}
	const n = 100000
	until := time.Date(2026, 6, 1, 0, 0, 0, 0, calendar.DefaultLocation)
	for _, e := range []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite", storetest.SQLite}, {"postgres", storetest.Postgres}} {
		b.Run(fmt.Sprintf("%s/reached=%d", e.name, n), func(b *testing.B) {
			ctx := context.Background()
			db := e.open(b)
			body, err := org.NewService(db).CreateBody(ctx, org.System, org.BodyInput{Level: org.LevelDistrict, Code: "330102", Name: "区"})
			if err != nil {
				b.Fatal(err)
			}
			fillClocks(b, db, body.ID, n, benchDue, until)
			cals := caldb.New(db)
			cals.SetNow(func() time.Time { return until }) // the clocks run then
			admin := access.Principal{Login: "admin", Roles: []access.Role{access.RoleAdmin}, BodyID: body.ID, BodyPath: body.Path}
			day := calendar.DateOf(2026, 5, 26) // a Tuesday inside every generated clock's limit
			off := true
			for b.Loop() {
				if _, err := cals.SetDay(ctx, admin, day, 0, off, "更正"); err != nil {
					b.Fatal(err)
				}
				off = !off
			}
		})
	}
}
