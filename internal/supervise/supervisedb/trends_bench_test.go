package supervisedb_test

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
	"github.com/qingdan/qingdan/internal/supervise/supervisedb"
)

// BenchmarkTrends_S5 reads the trends of a jurisdiction holding
// QINGDAN_BENCH_TRENDS cards (default 100,000) spread over the year before
// now on 20 units, a third cleared, through the service; beside it the
// bare grouped SELECT of the cards raised per day in the same range, the
// raw limit of reading the history. Cards are inserted raw: the read does
// not care how they came.
func BenchmarkTrends_S5(b *testing.B) {
	n := 100000
	if s := os.Getenv("QINGDAN_BENCH_TRENDS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatal(err)
		}
	}
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			var db *store.DB
			if engine == "sqlite" {
				db = storetest.SQLite(b)
			} else {
				db = storetest.Postgres(b)
			}
			f := newFixture(b, db)
			f.set("2026-12-07T12:00")
			sup := f.who("supervisor1")
			now := f.now()
			const batch = 500
			for i := 0; i < n; i += batch {
				err := db.Write(ctx, func(tx *store.Tx) error {
					var q strings.Builder
					q.WriteString(`INSERT INTO supervise_cards (id, version, object_type, object_id, rule, level, rule_region, rule_version, at, raised_at, body_path, case_number, unit, cleared_at, data) VALUES `)
					var args []any
					for j := i; j < min(i+batch, n); j++ {
						if j > i {
							q.WriteString(", ")
						}
						q.WriteString("(?, 1, 'case', ?, ?, ?, 'r', 1, ?, ?, ?, ?, ?, ?, '{}')")
						at := now.Add(-time.Duration(j%365) * 24 * time.Hour).Add(-time.Duration(j%97) * time.Minute)
						cleared := int64(0)
						if j%3 == 0 {
							cleared = store.Micros(at.Add(48 * time.Hour))
						}
						rule, level := "case.yellow", "yellow"
						if j%2 == 0 {
							rule, level = "case.red", "red"
						}
						args = append(args, j+1, fmt.Sprintf("C%d", j), rule, level, store.Micros(at), store.Micros(at), sup.BodyPath,
							fmt.Sprintf("C%d", j), fmt.Sprintf("U%02d", j%20), cleared)
					}
					_, err := tx.Exec(ctx, q.String(), args...)
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			for _, c := range []struct {
				name string
				q    supervisedb.TrendQuery
			}{
				{"weeks-12", supervisedb.TrendQuery{Period: supervisedb.Week, N: 12}},
				{"months-12", supervisedb.TrendQuery{Period: supervisedb.Month, N: 12}},
			} {
				b.Run(c.name, func(b *testing.B) {
					for b.Loop() {
						tr, err := f.sup.Trends(ctx, sup, c.q)
						if err != nil || len(tr.Periods) != 12 {
							b.Fatal(err)
						}
					}
				})
			}
			b.Run("raw-grouped-select-months-12", func(b *testing.B) {
				from := store.Micros(now.AddDate(-1, 0, 0))
				for b.Loop() {
					rows, err := db.Query(ctx, `SELECT body_path, unit, level, ((at + 28800000000) / 86400000000), COUNT(*) FROM supervise_cards
						WHERE body_path LIKE ? AND level IN ('yellow', 'red') AND at >= ? GROUP BY body_path, unit, level, ((at + 28800000000) / 86400000000)`,
						sup.BodyPath+"%", from)
					if err != nil {
						b.Fatal(err)
					}
					k := 0
					for rows.Next() {
						k++
					}
					if err := rows.Close(); err != nil || k == 0 {
						b.Fatal(err, k)
					}
				}
			})
		})
	}
}
