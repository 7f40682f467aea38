package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// twoInstances opens the same database twice, as two instances would.
func twoInstances(t *testing.T, engine string) (*store.DB, *store.DB) {
	t.Helper()
	dir := t.TempDir()
	dsn := filepath.Join(dir, "shared.db")
	if engine == "postgres" {
		dsn = storetest.PostgresDSN(t)
	}
	open := func() *store.DB {
		db, err := store.Open(context.Background(), dsn, store.Options{DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := db.Close(); err != nil {
				t.Error(err)
			}
		})
		if err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		return db
	}
	return open(), open()
}

func createRuns(t *testing.T, db *store.DB) {
	t.Helper()
	raw(t, db, "CREATE TABLE lease_runs (holder TEXT NOT NULL, token BIGINT NOT NULL, started BIGINT NOT NULL, ended BIGINT NOT NULL)")
}

// TestLease_oneHolderAtATimeAndFenced (#12.4), in process on both engines:
// two instances run the same periodic job; it never runs on both at once,
// the other takes over when the holder stops, and a holder whose lease was
// taken over while it was paused cannot write when it resumes.
func TestLease_oneHolderAtATimeAndFenced(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			a, b := twoInstances(t, engine)
			createRuns(t, a)
			const ttl = 600 * time.Millisecond
			a.SetLeaseTTLForTest(ttl)
			b.SetLeaseTTLForTest(ttl)
			var active, overlaps, runsA, runsB atomic.Int32
			job := func(who *atomic.Int32) func(context.Context, *store.Lease) error {
				return func(ctx context.Context, l *store.Lease) error {
					if active.Add(1) > 1 {
						overlaps.Add(1)
					}
					defer active.Add(-1)
					who.Add(1)
					time.Sleep(20 * time.Millisecond)
					return l.Write(ctx, func(tx *store.Tx) error {
						tx.Queue(ctx, "INSERT INTO lease_runs (holder, token, started, ended) VALUES ('x', ?, 0, 0)", l.Token())
						return nil
					})
				}
			}
			ctxA, stopA := context.WithCancel(context.Background())
			ctxB, stopB := context.WithCancel(context.Background())
			defer stopB()
			var wg sync.WaitGroup
			wg.Go(func() { _ = a.RunPeriodic(ctxA, "sweep", 30*time.Millisecond, job(&runsA)) })
			time.Sleep(300 * time.Millisecond) // a holds it
			wg.Go(func() { _ = b.RunPeriodic(ctxB, "sweep", 30*time.Millisecond, job(&runsB)) })
			time.Sleep(ttl * 2)
			if runsA.Load() < 3 || runsB.Load() != 0 {
				t.Fatalf("while a holds the lease: a ran %d times, b %d", runsA.Load(), runsB.Load())
			}
			stopA() // a stops and gives the lease up
			deadline := time.Now().Add(5 * ttl)
			for runsB.Load() < 3 && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			if runsB.Load() < 3 {
				t.Fatalf("b did not take over: %d runs", runsB.Load())
			}
			stopB()
			wg.Wait()
			if overlaps.Load() != 0 {
				t.Fatalf("the job ran on both instances at once %d times", overlaps.Load())
			}

			// Fencing: a takes the lease again and pauses in its job; its
			// lease expires behind its back (as if the process had been
			// stopped), b takes over; a's write after resuming is refused.
			ctxA, stopA = context.WithCancel(context.Background())
			ctxB, stopB = context.WithCancel(context.Background())
			defer stopA()
			defer stopB()
			paused, resume := make(chan int64), make(chan struct{})
			resumed := make(chan error, 1)
			var once sync.Once
			wg.Go(func() {
				_ = a.RunPeriodic(ctxA, "fenced", time.Hour, func(ctx context.Context, l *store.Lease) error {
					once.Do(func() {
						paused <- l.Token()
						<-resume
						resumed <- l.Write(context.Background(), func(tx *store.Tx) error {
							tx.Queue(ctx, "INSERT INTO lease_runs (holder, token, started, ended) VALUES ('stale', ?, 0, 0)", l.Token())
							return nil
						})
					})
					return nil
				})
			})
			tokenA := <-paused
			raw(t, a, "UPDATE leases SET expires_at = 0 WHERE name = 'fenced'")
			tokenB := make(chan int64, 1)
			wg.Go(func() {
				_ = b.RunPeriodic(ctxB, "fenced", time.Hour, func(ctx context.Context, l *store.Lease) error {
					tokenB <- l.Token()
					return nil
				})
			})
			select {
			case tb := <-tokenB:
				if tb <= tokenA {
					t.Fatalf("b's token %d is not above a's %d", tb, tokenA)
				}
			case <-time.After(10 * ttl):
				t.Fatal("b did not take the expired lease")
			}
			close(resume)
			if err := <-resumed; !errors.Is(err, store.ErrLeaseLost) {
				t.Fatalf("the paused holder's write after the takeover: %v", err)
			}
			if n := count(t, a, "SELECT count(*) FROM lease_runs WHERE holder = 'stale'"); n != 0 {
				t.Fatalf("the paused holder wrote %d rows", n)
			}
			stopA()
			stopB()
			wg.Wait()
		})
	}
}

// leaseChildEnv makes the test binary a lease-holding process of
// TestLease_twoProcesses.
const leaseChildEnv = "QINGDAN_LEASE_CHILD_DSN"

// TestLease_twoProcesses_takeoverAfterSIGKILL (#12.4): two OS processes
// share a PostgreSQL database and run the same periodic job under the
// product's lease (default TTL). The holder is killed with SIGKILL; the
// other takes over within 30 s, and the runs (each records its start and
// end) never overlap.
func TestLease_twoProcesses_takeoverAfterSIGKILL(t *testing.T) {
	if dsn := os.Getenv(leaseChildEnv); dsn != "" {
		leaseChild(dsn)
		return
	}
	if testing.Short() {
		t.Skip("takes about 15 s")
	}
	dsn := storetest.PostgresDSN(t)
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, store.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	createRuns(t, db)
	start := func(name string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestLease_twoProcesses_takeoverAfterSIGKILL$")
		cmd.Env = append(os.Environ(), leaseChildEnv+"="+dsn, "QINGDAN_LEASE_CHILD_NAME="+name)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_ = cmd.Process.Kill() // already dead when the test got that far
			_ = cmd.Wait()
		})
		return cmd
	}
	runsBy := func(holder string) int64 {
		return count(t, db, "SELECT count(*) FROM lease_runs WHERE holder = ?", holder)
	}
	waitRuns := func(holder string, n int64, within time.Duration) time.Duration {
		t.Helper()
		t0 := time.Now()
		for runsBy(holder) < n {
			if time.Since(t0) > within {
				t.Fatalf("%s made %d runs in %s, want %d", holder, runsBy(holder), within, n)
			}
			time.Sleep(50 * time.Millisecond)
		}
		return time.Since(t0)
	}
	first := start("first")
	waitRuns("first", 2, 30*time.Second)
	second := start("second")
	time.Sleep(3 * time.Second) // the second waits for the lease
	if n := runsBy("second"); n != 0 {
		t.Fatalf("the second process ran the job %d times while the first held the lease", n)
	}
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	_ = first.Wait()
	took := waitRuns("second", 2, 30*time.Second)
	t.Logf("the second process took over %s after the SIGKILL", took.Round(100*time.Millisecond))
	if err := second.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = second.Wait()

	// No two runs overlap; the first's unfinished run ended at the kill.
	type run struct {
		holder     string
		start, end int64
	}
	var runs []run
	rows, err := db.Query(ctx, "SELECT holder, started, ended FROM lease_runs ORDER BY started")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var r run
		if err := rows.Scan(&r.holder, &r.start, &r.end); err != nil {
			t.Fatal(err)
		}
		if r.end == 0 {
			r.end = store.Micros(killed)
		}
		runs = append(runs, r)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(runs, func(a, b run) int { return int(a.start - b.start) })
	for i := 1; i < len(runs); i++ {
		if runs[i].start < runs[i-1].end {
			t.Fatalf("runs overlap: %+v and %+v", runs[i-1], runs[i])
		}
		if runs[i].holder == "first" && runs[i].start > store.Micros(killed) {
			t.Fatalf("the killed process ran after its death: %+v", runs[i])
		}
	}
}

// leaseChild runs the job until killed: each run records its start, works
// 200 ms and records its end, both through the lease's fenced writes.
func leaseChild(dsn string) {
	name := os.Getenv("QINGDAN_LEASE_CHILD_NAME")
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, store.Options{DataDir: os.TempDir()})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	err = db.RunPeriodic(ctx, "two-processes", 100*time.Millisecond, func(ctx context.Context, l *store.Lease) error {
		started := time.Now()
		err := l.Write(ctx, func(tx *store.Tx) error {
			tx.Queue(ctx, "INSERT INTO lease_runs (holder, token, started, ended) VALUES (?, ?, ?, 0)", name, l.Token(), store.Micros(started))
			return nil
		})
		if err != nil {
			return err
		}
		time.Sleep(200 * time.Millisecond)
		return l.Write(ctx, func(tx *store.Tx) error {
			tx.Queue(ctx, "UPDATE lease_runs SET ended = ? WHERE holder = ? AND started = ?", store.Micros(time.Now()), name, store.Micros(started))
			return nil
		})
	})
	fmt.Fprintln(os.Stderr, "lease child:", err)
	os.Exit(1)
}
