package supervisedb_test

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/casework/caseworkdb"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
	"github.com/qingdan/qingdan/internal/supervise/supervisedb"
)

// benchDue is the number of case clocks due in every size: 1 % of
// 1,000,000.
const benchDue = 10000

// benchSizes are the open cases the benchmarks build, from
// QINGDAN_BENCH_SUPERVISE: "100k" (a quick run, 10 % due), "1m", "10m"
// (1,000,000 then 10,000,000, the same 10,000 due).
func benchSizes(b *testing.B) []int {
	switch os.Getenv("QINGDAN_BENCH_SUPERVISE") {
	case "100k":
		return []int{100000}
	case "1m":
		return []int{1000000}
	case "10m":
		return []int{1000000, 10000000}
	case "10m-only":
		return []int{10000000}
	}
	b.Skip("set QINGDAN_BENCH_SUPERVISE=100k, 1m or 10m to build the tables (minutes)")
	return nil
}

var benchEngines = []struct {
	name string
	open func(testing.TB) *store.DB
}{{"sqlite", storetest.SQLite}, {"postgres", storetest.Postgres}}

// BenchmarkSweep_L10_cardsOfDueCases measures one supervision sweep as
// `serve` runs it (Service.Sweep: the due clocks read from the index,
// each settled, its case judged under the rules in force, the cards
// raised with their events, the counts moved and the digests queued, in
// writes of SweepBatch) over N open cases of which 10,000 are due, each
// raising two cards (H5 red: not handed over; L10 yellow: the limit's last
// working day). Beside it, in the same run, "raw": the same reads and
// writes without the product's logic — the due clocks' bare SELECT, each
// case's row and timeline read, as many bare card rows inserted and the clock's
// next check moved, in writes of the same size, with no audit events.
//
// The open cases are copies of one real case (opened and accepted through
// the service; its row, clock and, for the due ones, its timeline's events
// copied under new numbers): every due case is judged on a real row with
// its real timeline. The 990,000 (9,990,000) not due have their case row and
// clock row, not their events (the sweep never reads them). Between
// iterations (untimed) the cards, their counts and the digests are removed
// and the due clocks set due again.
//
//	QINGDAN_TEST_POSTGRES=… QINGDAN_BENCH_SUPERVISE=1m go test -run '^$' \
//	  -bench Sweep_L10 -benchtime 5x -timeout 120m ./internal/supervise/supervisedb/
func BenchmarkSweep_L10_cardsOfDueCases(b *testing.B) {
	sizes := benchSizes(b)
	for _, e := range benchEngines {
		for _, n := range sizes {
			b.Run(fmt.Sprintf("%s/open=%d", e.name, n), func(b *testing.B) {
				due := min(benchDue, n/10)
				f, sc := buildSweepScale(b, e.open(b), n, due)
				b.Run("Sweep", func(b *testing.B) {
					var cpu time.Duration
					for b.Loop() {
						b.StopTimer()
						sc.reset(b)
						b.StartTimer()
						c0 := cpuTime(b)
						k, err := f.sup.Sweep(ctx, nil)
						if err != nil {
							b.Fatal(err)
						}
						b.StopTimer()
						cpu += cpuTime(b) - c0
						if k != due {
							b.Fatalf("%d clocks settled, want %d", k, due)
						}
						if c := count(b, f.db, `SELECT COUNT(*) FROM supervise_cards WHERE id > ?`, sc.cardsBefore); c != sc.perCase*due {
							b.Fatalf("%d cards raised, want %d", c, sc.perCase*due)
						}
						b.StartTimer()
					}
					b.StopTimer()
					b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
					checkCounts(b, f.db)
				})
				b.Run("raw", func(b *testing.B) {
					var cpu time.Duration
					for b.Loop() {
						b.StopTimer()
						sc.reset(b)
						b.StartTimer()
						c0 := cpuTime(b)
						if k := sc.raw(b); k != due {
							b.Fatalf("raw: %d clocks, want %d", k, due)
						}
						cpu += cpuTime(b) - c0
					}
					b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
				})
				// The dashboard: 500 calls an iteration, their median and
				// 99th percentile reported (one call takes milliseconds).
				b.Run("Dashboard", func(b *testing.B) {
					// The cards of the last sweep stand: the page's counts.
					sc.reset(b)
					if _, err := f.sup.Sweep(ctx, nil); err != nil {
						b.Fatal(err)
					}
					p := f.who("supervisor1")
					latencies(b, func() error {
						rows, err := f.sup.Dashboard(ctx, p)
						if err == nil && len(rows) == 0 {
							err = fmt.Errorf("an empty dashboard")
						}
						return err
					})
				})
				b.Run("Dashboard-raw-counts", func(b *testing.B) {
					p := f.who("supervisor1")
					latencies(b, func() error {
						_, err := f.sup.Counts(ctx, p)
						return err
					})
				})
				b.Run("Dashboard-by-recount", func(b *testing.B) {
					// What the page would cost without maintained counts.
					for b.Loop() {
						if _, err := supervisedb.Recount(ctx, f.db); err != nil {
							b.Fatal(err)
						}
					}
				})
			})
		}
	}
}

// latencies calls op 500 times an iteration and reports the median and
// the 99th percentile of the calls.
func latencies(b *testing.B, op func() error) {
	var all []time.Duration
	for b.Loop() {
		for range 500 {
			t0 := time.Now()
			if err := op(); err != nil {
				b.Fatal(err)
			}
			all = append(all, time.Since(t0))
		}
	}
	slices.Sort(all)
	b.ReportMetric(float64(all[len(all)/2])/1e6, "median-ms")
	b.ReportMetric(float64(all[len(all)*99/100])/1e6, "p99-ms")
}

// cpuTime is the CPU time the process has used (user and system, every
// thread): on a shared machine the wall time of a run follows the load,
// its CPU time much less.
func cpuTime(b *testing.B) time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		b.Fatal(err)
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// sweepScale is the table a sweep benchmark runs over.
type sweepScale struct {
	f           *fixture
	template    string
	due         []string // numbers of the due copies
	dueAt       int64    // the due clocks' next check
	cardsBefore int64    // the highest card id before the benchmark
	outboxMax   int64
	counts      [][4]any
	rules       []string // the rules of the cards the template raises
	perCase     int
}

// buildSweepScale opens one case at the window, accepts it, copies it into
// n open cases in all (due of them due at the sweep's instant, Monday 16
// March 2026 00:30) and sets the fixture's clock there.
func buildSweepScale(b *testing.B, db *store.DB, n, due int) (*fixture, *sweepScale) {
	b.Helper()
	t0 := time.Now()
	f := newFixture(b, db)
	tpl := f.accepted(b)
	f.catchUp(b, 0)
	f.set("2026-03-16T00:30")
	sc := &sweepScale{f: f, template: tpl, dueAt: store.Micros(at("2026-03-16T00:29"))}
	sc.fill(b, n, due)
	b.Logf("%s: %d open cases (%d due) built in %s", db.Dialect(), n, due, time.Since(t0).Round(time.Second))
	if err := db.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM supervise_cards`).Scan(&sc.cardsBefore); err != nil {
		b.Fatal(err)
	}
	if err := db.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM notify_outbox`).Scan(&sc.outboxMax); err != nil {
		b.Fatal(err)
	}
	rows, err := db.Query(ctx, `SELECT body_path, unit, level, n FROM supervise_counts`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var path, unit, level string
		var k int64
		if err := rows.Scan(&path, &unit, &level, &k); err != nil {
			b.Fatal(err)
		}
		sc.counts = append(sc.counts, [4]any{path, unit, level, k})
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	// The cards one due case raises: those of a first sweep (untimed).
	if _, err := f.sup.Sweep(ctx, nil); err != nil {
		b.Fatal(err)
	}
	r, err := db.Query(ctx, `SELECT rule || '|' || level FROM supervise_cards WHERE case_number = ? AND id > ? ORDER BY rule`, tpl, sc.cardsBefore)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	for r.Next() {
		var rule string
		if err := r.Scan(&rule); err != nil {
			b.Fatal(err)
		}
		sc.rules = append(sc.rules, rule)
	}
	if err := r.Err(); err != nil {
		b.Fatal(err)
	}
	sc.perCase = len(sc.rules)
	b.Logf("each due case raises %v", sc.rules)
	return f, sc
}

// series is the head and tail of a statement over i = 1 … n.
func series(d store.Dialect) (head, from string) {
	if d == store.Postgres {
		return `SELECT `, ` FROM generate_series(1, ?::bigint) AS s(i)`
	}
	return `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?) SELECT `, ` FROM s`
}

// suffix is copy i's number suffix, in SQL.
func suffix(d store.Dialect) string {
	if d == store.Postgres {
		return `'-' || lpad(i::text, 8, '0')`
	}
	return `printf('-%08d', i)`
}

func (sc *sweepScale) fill(b *testing.B, n, due int) {
	b.Helper()
	db := sc.f.db
	d := db.Dialect()
	head, from := series(d)
	// Copies 1 … n-1 (the template is the n-th); copy i is due when
	// (i·7919) mod (n-1) < due-1, and the template is due too.
	copies := n - 1
	var caseID, maxID int64
	if err := db.QueryRow(ctx, `SELECT id FROM cases WHERE number = ?`, sc.template).Scan(&caseID); err != nil {
		b.Fatal(err)
	}
	if err := db.QueryRow(ctx, `SELECT MAX(id) FROM cases`).Scan(&maxID); err != nil {
		b.Fatal(err)
	}
	var clockMax int64
	if err := db.QueryRow(ctx, `SELECT MAX(id) FROM clocks`).Scan(&clockMax); err != nil {
		b.Fatal(err)
	}
	later := store.Micros(at("2026-04-20T00:00"))
	isDue := `((i * 7919) % ?) < ?`
	caseSQL := `INSERT INTO cases (id, version, number, query_hash, body_id, body_path, queue_path, item_code,
		flow_id, status, step, owner_id, unit, due_on, registered_at, updated_at, data) ` + head +
		`? + i, version, number || ` + suffix(d) + `, query_hash, body_id, body_path, queue_path, item_code, flow_id, status, step,
		owner_id, unit, due_on, registered_at, updated_at, replace(data, number, number || ` + suffix(d) + `)` + from + `, cases WHERE cases.id = ?`
	clockSQL := `INSERT INTO clocks (id, object_type, object_id, kind, body_id, spec, events, created_at, updated_at, standing, next_check_at, reach_at) ` +
		head + `? + i, object_type, object_id || ` + suffix(d) + `, kind, body_id, spec, events, created_at, updated_at, standing,
		CASE WHEN ` + isDue + ` THEN ? - ((i * 7919) % ?) ELSE ? + ((i * 7919) % ?) END, reach_at` + from + `, clocks WHERE clocks.object_type = ? AND clocks.object_id = ?`
	args := func(rest ...any) []any {
		if d == store.Postgres {
			return rest
		}
		return append([]any{copies}, rest...)
	}
	caseArgs := args(maxID)
	clockArgs := args(clockMax, copies, due-1, sc.dueAt, copies, later, copies)
	if d == store.Postgres {
		caseArgs = append(caseArgs, copies, caseID)
		clockArgs = append(clockArgs, copies, caseworkdb.ClockRef(sc.template).ObjectType, sc.template)
	} else {
		caseArgs = append(caseArgs, caseID)
		clockArgs = append(clockArgs, caseworkdb.ClockRef(sc.template).ObjectType, sc.template)
	}
	err := db.Write(ctx, func(tx *store.Tx) error {
		for _, table := range []string{"cases", "clocks"} {
			idx, err := secondaryIndexes(tx, d, table)
			if err != nil {
				return err
			}
			for name := range idx {
				if _, err := tx.Exec(ctx, `DROP INDEX `+name); err != nil {
					return err
				}
			}
			q, a := caseSQL, caseArgs
			if table == "clocks" {
				q, a = clockSQL, clockArgs
			}
			if _, err := tx.Exec(ctx, q, a...); err != nil {
				return fmt.Errorf("copy %s: %w", table, err)
			}
			for _, def := range idx {
				if _, err := tx.Exec(ctx, def); err != nil {
					return err
				}
			}
		}
		// The template itself is due too.
		if _, err := tx.Exec(ctx, `UPDATE clocks SET next_check_at = ? WHERE object_type = ? AND object_id = ?`,
			sc.dueAt, caseworkdb.ClockRef(sc.template).ObjectType, sc.template); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `ANALYZE`)
		return err
	})
	if err != nil {
		b.Fatalf("fill: %v", err)
	}
	sc.due = append(sc.due, sc.template)
	for i := 1; i <= copies; i++ {
		if (i*7919)%copies < due-1 {
			sc.due = append(sc.due, fmt.Sprintf("%s-%08d", sc.template, i))
		}
	}
	if len(sc.due) != due {
		b.Fatalf("%d due copies, want %d", len(sc.due), due)
	}
	// The due copies' timelines: the template's case events, emitted
	// through the store (the audit log stays whole).
	evs, err := db.Events(ctx, store.EventFilter{RootType: caseworkdb.ObjectCase, RootID: sc.template})
	if err != nil {
		b.Fatal(err)
	}
	var mine []store.Event
	for _, e := range evs {
		if e.ObjectType == caseworkdb.ObjectCase {
			mine = append(mine, e)
		}
	}
	if len(mine) == 0 {
		b.Fatal("the template has no events")
	}
	for lo := 1; lo < len(sc.due); lo += 500 {
		hi := min(lo+500, len(sc.due))
		err := db.Write(ctx, func(tx *store.Tx) error {
			for _, number := range sc.due[lo:hi] {
				for _, e := range mine {
					if err := tx.Emit(store.Event{Actor: e.Actor, Action: e.Action, ObjectType: e.ObjectType, ObjectID: number,
						BodyID: e.BodyID, RootType: e.RootType, RootID: number, From: e.From, To: e.To,
						Payload: []byte(strings.ReplaceAll(string(e.Payload), sc.template, number))}); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// secondaryIndexes are a table's indexes other than its key and unique
// constraints: name → definition.
func secondaryIndexes(tx *store.Tx, d store.Dialect, table string) (map[string]string, error) {
	q := `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL`
	if d == store.Postgres {
		q = `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ?
			AND indexname NOT IN (SELECT conname FROM pg_constraint)`
	}
	rows, err := tx.Query(ctx, q, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			return nil, err
		}
		out[name] = def
	}
	return out, rows.Err()
}

// reset removes the cards raised since the build, their counts and
// digests, and makes the due clocks due again.
func (sc *sweepScale) reset(b *testing.B) {
	b.Helper()
	err := sc.f.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM supervise_cards WHERE id > ?`, sc.cardsBefore); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM notify_outbox WHERE id > ?`, sc.outboxMax); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM supervise_counts`); err != nil {
			return err
		}
		for _, c := range sc.counts {
			if _, err := tx.Exec(ctx, `INSERT INTO supervise_counts (body_path, unit, level, n) VALUES (?, ?, ?, ?)`, c[:]...); err != nil {
				return err
			}
		}
		for lo := 0; lo < len(sc.due); lo += 500 {
			hi := min(lo+500, len(sc.due))
			args := []any{sc.dueAt, caseworkdb.ClockRef(sc.template).ObjectType}
			for _, n := range sc.due[lo:hi] {
				args = append(args, n)
			}
			if _, err := tx.Exec(ctx, `UPDATE clocks SET next_check_at = ? WHERE object_type = ? AND object_id IN (?`+
				strings.Repeat(", ?", hi-lo-1)+`)`, args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatalf("reset: %v", err)
	}
}

// raw is the sweep's reads and writes without the product: the due
// clocks' bare SELECT, then in writes of SweepBatch each case's row and
// timeline read, its card rows inserted and the clock moved on.
func (sc *sweepScale) raw(b *testing.B) int {
	b.Helper()
	db := sc.f.db
	now := store.Micros(sc.f.now())
	rows, err := db.Query(ctx, `SELECT id, object_id FROM clocks WHERE next_check_at <= ? ORDER BY next_check_at, id LIMIT ?`, now, benchDue+1)
	if err != nil {
		b.Fatal(err)
	}
	type dueClock struct {
		id     int64
		number string
	}
	var due []dueClock
	for rows.Next() {
		var c dueClock
		if err := rows.Scan(&c.id, &c.number); err != nil {
			b.Fatal(err)
		}
		due = append(due, c)
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	rows.Close()
	later := now + int64(30*24*time.Hour/time.Microsecond)
	for lo := 0; lo < len(due); lo += supervisedb.SweepBatch {
		hi := min(lo+supervisedb.SweepBatch, len(due))
		err := db.Write(ctx, func(tx *store.Tx) error {
			for _, c := range due[lo:hi] {
				var data, path, unit string
				if err := tx.QueryRow(ctx, `SELECT data, body_path, unit FROM cases WHERE number = ?`, c.number).Scan(&data, &path, &unit); err != nil {
					return err
				}
				evs, err := tx.Query(ctx, `SELECT payload FROM events WHERE root_type = ? AND root_id = ? ORDER BY seq`, caseworkdb.ObjectCase, c.number)
				if err != nil {
					return err
				}
				for evs.Next() {
					var p string
					if err := evs.Scan(&p); err != nil {
						evs.Close()
						return err
					}
				}
				if err := evs.Close(); err != nil {
					return err
				}
				for _, rule := range sc.rules {
					if _, err := tx.Exec(ctx, `INSERT INTO supervise_cards (version, object_type, object_id, rule, level, rule_region,
						rule_version, at, raised_at, body_path, case_number, unit, cleared_at, data) VALUES (1, 'case', ?, ?, 'red', '', 1, ?, ?, ?, ?, ?, 0, ?)`,
						c.number, rule, now, now, path, c.number, unit, `{}`); err != nil {
						return err
					}
				}
				if _, err := tx.Exec(ctx, `UPDATE clocks SET next_check_at = ? WHERE id = ?`, later, c.id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return len(due)
}
