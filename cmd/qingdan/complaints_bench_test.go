package main

import (
	"context"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/store"
)

// BenchmarkComplaintsAtScale (#17): the demo's complaints (every stage,
// real events) are copied until the district holds
// QINGDAN_BENCH_COMPLAINTS complaints (default 100,000; the target is
// stated at 1,000,000), then one client at a time (the latency the office
// sees) asks for the district's complaints of one status, filtered and
// paged — the first page and the second, half each:
//
//   - list: GET /api/v1/complaints?status=received&page=1|2 with the
//     general office's API token, through the application `qingdan serve`
//     wires (router, guard, token, handler, service; O4's check per row);
//
//   - raw-list-select: the bare indexed SELECT of the first page's rows
//     (one body, one status, by due day), the engine's own limit.
//
//     QINGDAN_TEST_POSTGRES=… QINGDAN_BENCH_COMPLAINTS=1000000 \
//     go test ./cmd/qingdan -run '^$' -bench 'ComplaintsAtScale' -benchtime 2000x -timeout 60m
func BenchmarkComplaintsAtScale(b *testing.B) {
	n := 100_000
	if v := os.Getenv("QINGDAN_BENCH_COMPLAINTS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("QINGDAN_BENCH_COMPLAINTS=%q: a positive number of complaints", v)
		}
	}
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			a, srv := benchApp(b, engine, 1)
			start := time.Now()
			total := multiplyComplaints(b, a, n)
			runtime.GC()
			debug.FreeOSMemory()
			var path string
			if err := a.db.QueryRow(context.Background(), `SELECT path FROM bodies WHERE code = '330199'`).Scan(&path); err != nil {
				b.Fatal(err)
			}
			var received int
			if err := a.db.QueryRow(context.Background(), `SELECT COUNT(*) FROM complaints WHERE body_path = ? AND status = 'received'`, path).
				Scan(&received); err != nil {
				b.Fatal(err)
			}
			b.Logf("%d complaints (%s to copy), %d of them received", total, time.Since(start).Round(time.Second), received)
			token := benchBearer(b, a, "office1")
			client := benchClient()
			list := srv.URL + "/api/v1/complaints?status=received&page="
			b.Run("list", func(b *testing.B) {
				drive(b, readers, func(k int) error {
					return expect(client, "GET", list+strconv.Itoa(1+k%2), token, "")
				})
				reportRSS(b)
			})
			b.Run("raw-list-select", func(b *testing.B) {
				q := `SELECT id, number, data FROM complaints WHERE body_path = ? AND status = 'received' ORDER BY due_on, id LIMIT 51`
				drive(b, readers, func(int) error {
					rows, err := a.db.Query(context.Background(), q, path)
					if err != nil {
						return err
					}
					defer rows.Close()
					for rows.Next() {
						var id int64
						var number, data string
						if err := rows.Scan(&id, &number, &data); err != nil {
							return err
						}
					}
					return rows.Err()
				})
			})
		})
	}
}

// multiplyComplaints doubles the complaint rows (each copy a new number:
// the original's with the round's suffix) until the table holds n, in one
// write per round; it returns how many there are. The copies are set-up,
// not audited: nothing measured writes or verifies them.
func multiplyComplaints(b *testing.B, a *app, n int) int {
	b.Helper()
	ctx := context.Background()
	var have, maxID int
	if err := a.db.QueryRow(ctx, `SELECT COUNT(*), MAX(id) FROM complaints`).Scan(&have, &maxID); err != nil {
		b.Fatal(err)
	}
	if have == 0 {
		b.Fatal("the demo filed no complaints")
	}
	for round := 1; have < n; round++ {
		k := min(have, n-have)
		err := a.db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO complaints (id, version, number, query_hash, body_id, body_path, status, target_key,
				target_unit, target_staff_id, ground, verified, due_on, received_at, answered_at, updated_at, data)
				SELECT id + ?, version, number || ?, query_hash, body_id, body_path, status, target_key, target_unit, target_staff_id,
				ground, verified, due_on, received_at, answered_at, updated_at, data FROM complaints WHERE id <= ? ORDER BY id LIMIT ?`,
				maxID, "-"+strconv.Itoa(round), maxID, k)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		have += k
		maxID *= 2
	}
	err := a.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `ANALYZE`)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return have
}
