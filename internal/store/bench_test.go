package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// benchWriters is the number of concurrent writers in every benchmark.
const benchWriters = 8

// BenchmarkWrite measures audited writes/s through db.Write with 8
// concurrent writers (each write: one UPDATE of a state row + one Emit; the
// UPDATE queued with Tx.Queue, and in "audited-exec" run at once with
// Tx.Exec), next to the raw limit of the same engine: a bare UPDATE + INSERT
// per transaction, and 64 of them per transaction, statement by statement
// and (PostgreSQL) as one pipeline with BEGIN and COMMIT. Durability is the product's:
// SQLite synchronous=FULL on disk, PostgreSQL with its defaults (fsync on,
// synchronous_commit on).
//
//	QINGDAN_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test?sslmode=disable \
//	  go test ./internal/store -run '^$' -bench Write -benchtime 20000x
func BenchmarkWrite(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			open := func(b *testing.B) *store.DB {
				var db *store.DB
				if engine == "sqlite" {
					db = storetest.SQLite(b)
				} else {
					db = storetest.Postgres(b)
				}
				benchSchema(b, db)
				return db
			}
			b.Run("audited", func(b *testing.B) { benchAudited(b, open(b), benchWriters, true) })
			b.Run("audited-exec", func(b *testing.B) { benchAudited(b, open(b), benchWriters, false) })
			b.Run("raw-1-per-tx", func(b *testing.B) { benchRaw(b, open(b), 1) })
			b.Run("raw-64-per-tx", func(b *testing.B) { benchRaw(b, open(b), 64) })
			if engine == "postgres" {
				b.Run("raw-1-per-tx-pipelined", func(b *testing.B) { benchRawPipelined(b, open(b), 1) })
				b.Run("raw-64-per-tx-pipelined", func(b *testing.B) { benchRawPipelined(b, open(b), 64) })
			}
			// Group commit's throughput is writers ÷ (fsync + work): with 8
			// closed-loop writers it is capped by the disk's fsync latency.
			// 64 writers show how far grouping carries when more requests
			// wait (a busy server has many).
			b.Run("audited-64-writers", func(b *testing.B) { benchAudited(b, open(b), 64, true) })
			// Refusals are routine (a stale version, a rule that says no):
			// with 32 writers a quarter of whose writes are refused, each
			// fn must run about once (runs/fn) and the accepted writes keep
			// their pace (#12.6).
			b.Run("audited-32-writers-25pct-refused", func(b *testing.B) { benchRefused(b, open(b), 32) })
		})
	}
}

func benchSchema(b *testing.B, db *store.DB) {
	ctx := context.Background()
	err := db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, "CREATE TABLE bench_state (id BIGINT PRIMARY KEY, n BIGINT NOT NULL)"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "CREATE TABLE bench_log (w BIGINT NOT NULL, n BIGINT NOT NULL, at BIGINT NOT NULL, payload TEXT NOT NULL)"); err != nil {
			return err
		}
		for w := range 64 {
			if _, err := tx.Exec(ctx, "INSERT INTO bench_state (id, n) VALUES (?, 0)", w); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// drive runs total operations over `writers` goroutines, each op doing
// `batch` writes, and reports writes/s and p99 latency of one op.
func drive(b *testing.B, writers, batch int, op func(w, i int) error) {
	total := b.N
	ops := (total + batch - 1) / batch
	lat := make([][]time.Duration, writers)
	var wg sync.WaitGroup
	errc := make(chan error, writers)
	b.ResetTimer()
	start := time.Now()
	for w := range writers {
		n := ops / writers
		if w < ops%writers {
			n++
		}
		wg.Go(func() {
			lat[w] = make([]time.Duration, 0, n)
			for i := range n {
				t0 := time.Now()
				if err := op(w, i); err != nil {
					errc <- err
					return
				}
				lat[w] = append(lat[w], time.Since(t0))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	close(errc)
	for err := range errc {
		b.Fatal(err)
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	if len(all) == 0 {
		return
	}
	p99 := all[min(len(all)-1, len(all)*99/100)]
	b.ReportMetric(float64(ops*batch)/elapsed.Seconds(), "writes/s")
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
	b.ReportMetric(0, "ns/op") // ns/op of one writer's op is misleading with 8 writers
}

func benchAudited(b *testing.B, db *store.DB, writers int, queue bool) {
	ctx := context.Background()
	before := db.Stats()
	defer func() {
		st := db.Stats()
		if g := st.Groups - before.Groups; g > 0 {
			b.ReportMetric(float64(st.Writes-before.Writes)/float64(g), "writes/group")
		}
	}()
	drive(b, writers, 1, func(w, i int) error {
		return db.Write(ctx, func(tx *store.Tx) error {
			if queue {
				tx.Queue(ctx, "UPDATE bench_state SET n = ? WHERE id = ?", i, w)
			} else if _, err := tx.Exec(ctx, "UPDATE bench_state SET n = ? WHERE id = ?", i, w); err != nil {
				return err
			}
			return tx.Emit(store.Event{Actor: "bench", BodyID: 1, Action: "bench.state.set", ObjectType: "bench_state",
				ObjectID: strconv.Itoa(w), Payload: []byte(`{"i":` + strconv.Itoa(i) + `}`),
				State: []byte(fmt.Sprintf(`{"id":%d,"n":%d}`, w, i))})
		})
	})
}

// errBenchRefused is the benchmark's refusal by rule.
var errBenchRefused = errors.New("bench: refused")

// benchRefused is benchAudited where every fourth write is refused: half of
// them by the fn's own rule after its statement, half by a stale version
// (QueueExpect, found only in the group's pipeline on PostgreSQL).
// writes/s counts accepted writes only.
func benchRefused(b *testing.B, db *store.DB, writers int) {
	ctx := context.Background()
	var runs, accepted atomic.Int64
	defer func() {
		b.ReportMetric(float64(runs.Load())/float64(b.N), "runs/fn")
	}()
	stale := errors.New("bench: stale")
	start := time.Now()
	drive(b, writers, 1, func(w, i int) error {
		err := db.Write(ctx, func(tx *store.Tx) error {
			runs.Add(1)
			switch i % 8 {
			case 3:
				tx.QueueExpect(ctx, 1, stale, "UPDATE bench_state SET n = ? WHERE id = ? AND n = -1", i, w)
			default:
				tx.Queue(ctx, "UPDATE bench_state SET n = ? WHERE id = ?", i, w)
			}
			if err := tx.Emit(store.Event{Actor: "bench", BodyID: 1, Action: "bench.state.set", ObjectType: "bench_state",
				ObjectID: strconv.Itoa(w), Payload: []byte(`{"i":` + strconv.Itoa(i) + `}`),
				State: []byte(fmt.Sprintf(`{"id":%d,"n":%d}`, w, i))}); err != nil {
				return err
			}
			if i%8 == 7 {
				return errBenchRefused
			}
			return nil
		})
		switch {
		case err == nil:
			accepted.Add(1)
			return nil
		case errors.Is(err, errBenchRefused) || errors.Is(err, stale):
			return nil
		}
		return err
	})
	b.ReportMetric(float64(accepted.Load())/time.Since(start).Seconds(), "accepted-writes/s")
}

// benchRaw is the engine's own limit: a transaction of batch × (UPDATE +
// INSERT) straight on the writer pool, no event, no hashing, no grouping.
func benchRaw(b *testing.B, db *store.DB, batch int) {
	ctx := context.Background()
	sqlDB := db.WriterForTest()
	sqlDB.SetMaxOpenConns(benchWriters) // one connection per writer, as a client pool would
	upd, ins := "UPDATE bench_state SET n = ? WHERE id = ?", "INSERT INTO bench_log (w, n, at, payload) VALUES (?, ?, ?, ?)"
	if db.Dialect() == store.Postgres {
		upd, ins = store.Rebind(upd), store.Rebind(ins)
	}
	var busy atomic.Int64
	defer func() { b.ReportMetric(float64(busy.Load()), "busy-retries") }()
	drive(b, benchWriters, batch, func(w, i int) error {
		tx, err := sqlDB.BeginTx(ctx, nil)
		// SQLite's busy handler is not fair: with 8 connections taking
		// turns at one write lock, a waiter can sleep past busy_timeout
		// while the others commit. The raw limit is the engine's
		// throughput, so that BEGIN is tried again (and counted).
		for isBusy(err) {
			busy.Add(1)
			tx, err = sqlDB.BeginTx(ctx, nil)
		}
		if err != nil {
			return err
		}
		for k := range batch {
			if _, err := tx.ExecContext(ctx, upd, i*batch+k, w); err != nil {
				return rollback(tx, err)
			}
			if _, err := tx.ExecContext(ctx, ins, w, i*batch+k, time.Now().UnixMicro(), `{"id":1}`); err != nil {
				return rollback(tx, err)
			}
		}
		return tx.Commit()
	})
}

// benchRawPipelined is benchRaw with the whole transaction (BEGIN, the
// statements, COMMIT) sent as one pgx pipeline: one round trip, as the
// audited path sends a group.
func benchRawPipelined(b *testing.B, db *store.DB, batch int) {
	ctx := context.Background()
	sqlDB := db.WriterForTest()
	sqlDB.SetMaxOpenConns(benchWriters) // one connection per writer, as a client pool would
	upd, ins := store.Rebind("UPDATE bench_state SET n = ? WHERE id = ?"), store.Rebind("INSERT INTO bench_log (w, n, at, payload) VALUES (?, ?, ?, ?)")
	drive(b, benchWriters, batch, func(w, i int) error {
		conn, err := sqlDB.Conn(ctx)
		if err != nil {
			return err
		}
		err = conn.Raw(func(dc any) error {
			var q pgx.Batch
			q.Queue("BEGIN")
			for k := range batch {
				q.Queue(upd, i*batch+k, w)
				q.Queue(ins, w, i*batch+k, time.Now().UnixMicro(), `{"id":1}`)
			}
			q.Queue("COMMIT")
			return dc.(*stdlib.Conn).Conn().SendBatch(ctx, &q).Close()
		})
		return errors.Join(err, conn.Close())
	})
}

func isBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}

func rollback(tx *sql.Tx, err error) error {
	if rbErr := tx.Rollback(); rbErr != nil {
		return fmt.Errorf("%w (rollback: %v)", err, rbErr)
	}
	return err
}
