package caseworkdb_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/casework/caseworkdb"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// benchClients is how many clients act at once (#14: 32).
const benchClients = 32

// BenchmarkCaseActions measures case actions through the service from 32
// concurrent clients: each an acceptance (Act "accept"), a full transition
// — the case row saved with its version check, its audited event, the
// clock's start (a clock row update and its event) and two outbox rows (the
// acceptance and promise notices to the applicant), durably committed —
// beside the raw limit in the same run: the store's bare audited write (one
// queued UPDATE and one event) from as many clients. Cases are registered
// before the timer starts.
//
//	QINGDAN_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test?sslmode=disable \
//	  go test ./internal/casework/caseworkdb -run '^$' -bench CaseActions -benchtime 10000x
func BenchmarkCaseActions(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			open := func(b *testing.B) *store.DB {
				if engine == "sqlite" {
					return storetest.SQLite(b)
				}
				return storetest.Postgres(b)
			}
			b.Run("accept", func(b *testing.B) { benchAccept(b, open(b)) })
			b.Run("raw-audited-write", func(b *testing.B) { benchRaw(b, open(b)) })
		})
	}
}

func benchAccept(b *testing.B, db *store.DB) {
	f := newFixture(b, db)
	f.set("2026-03-02T09:00")
	numbers := make([]string, b.N)
	var next sync.Mutex
	i := 0
	err := parallel(benchClients, func(int) error {
		for {
			next.Lock()
			k := i
			i++
			next.Unlock()
			if k >= b.N {
				return nil
			}
			o, err := f.svc.Open(context.Background(), f.who("window1"), caseworkdb.Application{Item: "XK0001", Applicant: lisi,
				Materials: []string{"申请书", "场地使用证明"}}, "")
			if err != nil {
				return err
			}
			numbers[k] = o.Case.Number
		}
	})
	if err != nil {
		b.Fatal(err)
	}
	f.set("2026-03-02T09:10")
	p := f.who("window1")
	drive(b, func(k int) error {
		_, err := f.svc.Act(context.Background(), p, numbers[k], 0, casework.Action{ID: "accept"})
		return err
	})
	if n := count(b, db, `SELECT COUNT(*) FROM cases WHERE status = 'accepted'`); n != b.N {
		b.Fatalf("%d of %d accepted", n, b.N)
	}
}

func benchRaw(b *testing.B, db *store.DB) {
	ctx := context.Background()
	err := db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, "CREATE TABLE bench_state (id BIGINT PRIMARY KEY, n BIGINT NOT NULL)"); err != nil {
			return err
		}
		for w := range benchClients {
			if _, err := tx.Exec(ctx, "INSERT INTO bench_state (id, n) VALUES (?, 0)", w); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	drive(b, func(k int) error {
		w := k % benchClients
		return db.Write(ctx, func(tx *store.Tx) error {
			tx.Queue(ctx, "UPDATE bench_state SET n = n + 1 WHERE id = ?", w)
			return tx.Emit(store.Event{Actor: "bench", Action: "bench.counted", ObjectType: "bench", ObjectID: fmt.Sprint(w),
				Payload: []byte(`{"n":1}`)})
		})
	})
}

// drive runs b.N operations (op(k) for k in 0..b.N-1) over benchClients
// goroutines and reports actions/s and the p99 latency of one.
func drive(b *testing.B, op func(k int) error) {
	lat := make([][]time.Duration, benchClients)
	var mu sync.Mutex
	next := 0
	b.ResetTimer()
	cpu0 := processCPU(b)
	start := time.Now()
	err := parallel(benchClients, func(w int) error {
		for {
			mu.Lock()
			k := next
			next++
			mu.Unlock()
			if k >= b.N {
				return nil
			}
			t0 := time.Now()
			if err := op(k); err != nil {
				return err
			}
			lat[w] = append(lat[w], time.Since(t0))
		}
	})
	elapsed := time.Since(start)
	cpu := processCPU(b) - cpu0
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	p99 := all[min(len(all)-1, len(all)*99/100)]
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "actions/s")
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
	// The process's CPU time per action (every goroutine, not the
	// PostgreSQL server's): on 2 cores, 2 s / this bounds the rate.
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-us/op")
	b.ReportMetric(0, "ns/op") // one client's ns/op says nothing with 32
}

// parallel runs f on n goroutines and returns the first error.
func parallel(n int, f func(w int) error) error {
	var wg sync.WaitGroup
	errs := make([]error, n)
	for w := range n {
		wg.Go(func() { errs[w] = f(w) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// processCPU is the CPU time this process has used (user and system).
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
