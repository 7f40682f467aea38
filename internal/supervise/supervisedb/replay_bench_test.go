package supervisedb_test

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/casework/caseworkdb"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/store"
)

// replayUnits is the units of the replayed body.
const replayUnits = 200

// BenchmarkReplay_S5_quarterOf200Units measures `qingdan simulate
// --replay FROM TO --rules FILE` as the command runs it (Service.Replay:
// every case registered in the quarter read with its timeline and judged
// twice, under the rules in force and under the proposed file, and the two
// compared per unit) over one quarter of a body with 200 units.
// QINGDAN_BENCH_REPLAY_CASES cases (default 50,000: 250 a unit) are copies
// of six real cases at different points of the flow (waiting, accepted,
// handed over, received, completed, asked to supplement; each opened and
// moved on through the service), every copy with its own timeline emitted
// through the store and its own unit among the 200. Beside it, "raw": the
// same reads — the quarter's case numbers, then each case's row and its
// timeline's payloads — without judging.
//
//	QINGDAN_TEST_POSTGRES=… QINGDAN_BENCH_REPLAY_CASES=50000 go test -run '^$' \
//	  -bench Replay_S5 -benchtime 3x -timeout 60m ./internal/supervise/supervisedb/
func BenchmarkReplay_S5_quarterOf200Units(b *testing.B) {
	v := os.Getenv("QINGDAN_BENCH_REPLAY_CASES")
	if v == "" {
		b.Skip("set QINGDAN_BENCH_REPLAY_CASES (e.g. 50000) to build the history (minutes)")
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 6 {
		b.Fatalf("QINGDAN_BENCH_REPLAY_CASES=%q: a number of cases, at least 6", v)
	}
	proposed := []byte("version: 1\nrules:\n  - id: h5.hand_over\n    watch: hand_over\n    level: red\n    limit: {n: 2, unit: working_days}\n" +
		"    after: {n: 0, unit: working_days}\n    notify: [responsible]\n")
	from, to := at("2026-01-01T00:00"), at("2026-04-01T00:00")
	for _, e := range benchEngines {
		b.Run(fmt.Sprintf("%s/cases=%d", e.name, n), func(b *testing.B) {
			t0 := time.Now()
			f := buildHistory(b, e.open(b), n)
			b.Logf("%s: %d cases of %d units built in %s", e.name, n, replayUnits, time.Since(t0).Round(time.Second))
			sup := f.who("supervisor1")
			f.set("2026-04-01T00:00")
			b.Run("Replay", func(b *testing.B) {
				var units int
				c0 := cpuTime(b)
				for b.Loop() {
					r, err := f.sup.Replay(ctx, sup, from, to, proposed)
					if err != nil {
						b.Fatal(err)
					}
					if r.Cases != n {
						b.Fatalf("%d cases replayed, want %d", r.Cases, n)
					}
					units = len(r.Units)
				}
				b.ReportMetric((cpuTime(b)-c0).Seconds()/float64(b.N), "cpu-s/op")
				b.ReportMetric(float64(units), "units")
			})
			b.Run("raw", func(b *testing.B) {
				c0 := cpuTime(b)
				for b.Loop() {
					if k := rawReplayReads(b, f, from, to); k != n {
						b.Fatalf("raw: %d cases, want %d", k, n)
					}
				}
				b.ReportMetric((cpuTime(b)-c0).Seconds()/float64(b.N), "cpu-s/op")
			})
		})
	}
}

// buildHistory makes a body of 200 units with n cases registered on
// Monday 2 March 2026.
func buildHistory(b *testing.B, db *store.DB, n int) *fixture {
	b.Helper()
	f := newFixture(b, db)
	body := f.who("supervisor1").BodyID
	orgs := org.NewService(db)
	for u := range replayUnits {
		if _, err := orgs.CreateUnit(ctx, org.System, org.UnitInput{BodyID: body, Kind: org.KindSection,
			Code: fmt.Sprintf("R%03d", u), Name: fmt.Sprintf("科室%03d", u)}); err != nil {
			b.Fatal(err)
		}
	}
	// Six cases at six points of the flow, moved on over the week.
	var templates []string
	waiting, err := f.cases.Open(ctx, f.who("window1"), caseworkdbApp("申请书", "场地使用证明"), "")
	if err != nil {
		b.Fatal(err)
	}
	templates = append(templates, waiting.Case.Number)
	supp, err := f.cases.Open(ctx, f.who("window1"), caseworkdbApp("申请书"), "")
	if err != nil {
		b.Fatal(err)
	}
	f.act(b, "window1", supp.Case.Number, casework.Action{ID: "request_supplement", Missing: []string{"场地使用证明"}})
	templates = append(templates, supp.Case.Number)
	path := []struct {
		at, login string
		action    casework.Action
	}{
		{"2026-03-02T15:00", "window1", casework.Action{ID: "hand_over"}},
		{"2026-03-03T09:00", "unit1", casework.Action{ID: "receive"}},
		{"2026-03-05T10:00", "unit1", casework.Action{ID: "decide", Outcome: "approved", Opinion: "准予"}},
		{"2026-03-05T15:00", "unit1", casework.Action{ID: "hand_back"}},
		{"2026-03-06T10:00", "window1", casework.Action{ID: "complete", Certificate: "青广许〔2026〕1号"}},
	}
	stops := []int{0, 1, 2, len(path)} // accepted, handed over, received, completed
	var moving []string
	for range stops {
		moving = append(moving, f.accepted(b))
	}
	templates = append(templates, moving...)
	for k, p := range path {
		f.set(p.at)
		for i, number := range moving {
			if k < stops[i] {
				f.act(b, p.login, number, p.action)
			}
		}
	}
	f.catchUp(b, 0)
	// The copies: rows copied in Go, timelines emitted, 500 cases a write.
	type tpl struct {
		row    []any
		events []store.Event
	}
	cols := `version, query_hash, body_id, body_path, queue_path, item_code, flow_id, status, step, owner_id, due_on, registered_at, updated_at, data`
	var tpls []tpl
	for _, number := range templates {
		var t tpl
		var version, bodyID, flowID, ownerID, reg, upd int64
		var qh, path, queue, item, status, step, due, data string
		if err := db.QueryRow(ctx, `SELECT `+cols+` FROM cases WHERE number = ?`, number).Scan(&version, &qh, &bodyID, &path, &queue,
			&item, &flowID, &status, &step, &ownerID, &due, &reg, &upd, &data); err != nil {
			b.Fatal(err)
		}
		t.row = []any{number, version, qh, bodyID, path, queue, item, flowID, status, step, ownerID, due, reg, upd, data}
		evs, err := db.Events(ctx, store.EventFilter{RootType: caseworkdb.ObjectCase, RootID: number})
		if err != nil {
			b.Fatal(err)
		}
		for _, e := range evs {
			if e.ObjectType == caseworkdb.ObjectCase {
				t.events = append(t.events, e)
			}
		}
		tpls = append(tpls, t)
	}
	for lo := len(templates); lo < n; lo += 500 {
		hi := min(lo+500, n)
		err := db.Write(ctx, func(tx *store.Tx) error {
			for i := lo; i < hi; i++ {
				t := tpls[i%len(tpls)]
				src := t.row[0].(string)
				number := fmt.Sprintf("%s-%07d", src, i)
				unit := fmt.Sprintf("R%03d", i%replayUnits)
				data := strings.ReplaceAll(strings.ReplaceAll(t.row[14].(string), src, number), `"ZHZF"`, `"`+unit+`"`)
				args := append([]any{number}, t.row[1:12]...)
				args = append(args, unit)
				args = append(args, t.row[12], t.row[13], data)
				if _, err := tx.Exec(ctx, `INSERT INTO cases (number, version, query_hash, body_id, body_path, queue_path, item_code,
					flow_id, status, step, owner_id, due_on, unit, registered_at, updated_at, data)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...); err != nil {
					return err
				}
				for _, e := range t.events {
					p := strings.ReplaceAll(strings.ReplaceAll(string(e.Payload), src, number), `"ZHZF"`, `"`+unit+`"`)
					if err := tx.Emit(store.Event{Actor: e.Actor, Action: e.Action, ObjectType: e.ObjectType, ObjectID: number,
						BodyID: e.BodyID, RootType: e.RootType, RootID: number, From: e.From, To: e.To, Payload: []byte(p)}); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			b.Fatalf("copies: %v", err)
		}
	}
	err = db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `ANALYZE`)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return f
}

// rawReplayReads is the replay's reads without its judging.
func rawReplayReads(b *testing.B, f *fixture, from, to time.Time) int {
	b.Helper()
	sup := f.who("supervisor1")
	rows, err := f.db.Query(ctx, `SELECT number FROM cases WHERE body_path LIKE ? AND registered_at >= ? AND registered_at < ? ORDER BY id`,
		sup.BodyPath+"%", store.Micros(from), store.Micros(to))
	if err != nil {
		b.Fatal(err)
	}
	var numbers []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			b.Fatal(err)
		}
		numbers = append(numbers, n)
	}
	if err := rows.Close(); err != nil {
		b.Fatal(err)
	}
	for _, n := range numbers {
		var data string
		if err := f.db.QueryRow(ctx, `SELECT data FROM cases WHERE number = ?`, n).Scan(&data); err != nil {
			b.Fatal(err)
		}
		evs, err := f.db.Query(ctx, `SELECT payload FROM events WHERE root_type = ? AND root_id = ? ORDER BY seq`, caseworkdb.ObjectCase, n)
		if err != nil {
			b.Fatal(err)
		}
		for evs.Next() {
			var p string
			if err := evs.Scan(&p); err != nil {
				b.Fatal(err)
			}
		}
		if err := evs.Close(); err != nil {
			b.Fatal(err)
		}
	}
	return len(numbers)
}
