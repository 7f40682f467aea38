package store_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// emitN writes n events of objects named from offset on.
func emitN(t *testing.T, db *store.DB, offset, n int) {
	t.Helper()
	errs := concurrently(n, func(i int) error {
		return db.Write(context.Background(), func(tx *store.Tx) error {
			return tx.Emit(store.Event{Actor: "tester", Action: "test.ping", ObjectType: "ping", ObjectID: itoa(offset + i)})
		})
	})
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// waitConsumed waits until consumer name's position reaches the log's size.
func waitConsumed(t *testing.T, db *store.DB, name string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		h, err := db.Head(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var pos int64
		err = db.QueryRow(context.Background(), "SELECT position FROM consumer_positions WHERE name = ?", name).Scan(&pos)
		if err == nil && uint64(pos) == h.Size {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("consumer %s at %d (err %v), log at %d", name, pos, err, h.Size)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestConsumer_everyEventHandledExactlyOnce (#12.1): a consumer that writes
// one row per event is failed by an injected error in the middle of a
// batch (after writing some of its rows), stopped and started again, and
// run twice at once, while writers keep committing; in the end every event
// has exactly one row.
func TestConsumer_everyEventHandledExactlyOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		raw(t, db, "CREATE TABLE consumed (seq BIGINT NOT NULL, consumer TEXT NOT NULL)")
		emitN(t, db, 0, 150)
		injected := errors.New("injected failure")
		var failed atomic.Bool
		var calls atomic.Int64
		consumer := func(who string) store.Consumer {
			return store.Consumer{Name: "rows", Batch: 40, Poll: 20 * time.Millisecond,
				Handle: func(ctx context.Context, tx *store.Tx, events []store.Event) error {
					calls.Add(1)
					for _, e := range events {
						tx.Queue(ctx, "INSERT INTO consumed (seq, consumer) VALUES (?, ?)", e.Seq, who)
						if e.Seq == 61 && failed.CompareAndSwap(false, true) {
							return injected // mid-batch: rows 40..61 were written
						}
					}
					return nil
				}}
		}
		// First run: fails at #61 once, goes on, and is stopped part-way.
		run, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- db.Consume(run, consumer("first")) }()
		waitConsumed(t, db, "rows")
		stop()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("Consume returned %v", err)
		}
		if !failed.Load() {
			t.Fatal("the injected failure never happened")
		}
		// Restarted twice at once while more events commit.
		run, stop = context.WithCancel(ctx)
		var wg sync.WaitGroup
		for _, who := range []string{"second", "third"} {
			wg.Go(func() {
				if err := db.Consume(run, consumer(who)); !errors.Is(err, context.Canceled) {
					t.Errorf("Consume %s returned %v", who, err)
				}
			})
		}
		emitN(t, db, 150, 200)
		waitConsumed(t, db, "rows")
		stop()
		wg.Wait()

		h, err := db.Head(ctx)
		if err != nil {
			t.Fatal(err)
		}
		rows := count(t, db, "SELECT count(*) FROM consumed")
		distinct := count(t, db, "SELECT count(DISTINCT seq) FROM consumed")
		if rows != int64(h.Size) || distinct != rows {
			t.Fatalf("%d rows for %d distinct events, log has %d events", rows, distinct, h.Size)
		}
		if n := count(t, db, "SELECT count(*) FROM consumed WHERE seq < 0 OR seq >= ?", h.Size); n != 0 {
			t.Fatalf("%d rows for events outside the log", n)
		}
		if calls.Load() < 2 {
			t.Fatalf("Handle called %d times", calls.Load())
		}
	})
}

// TestConsumer_wakesOnLocalCommit: a consumer waiting with a long poll
// interval handles this instance's new events at once.
func TestConsumer_wakesOnLocalCommit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, stop := context.WithCancel(context.Background())
		defer stop()
		seen := make(chan int64, 10)
		go func() {
			_ = db.Consume(ctx, store.Consumer{Name: "wake", Poll: time.Hour,
				Handle: func(ctx context.Context, tx *store.Tx, events []store.Event) error {
					for _, e := range events {
						seen <- e.Seq
					}
					return nil
				}})
		}()
		time.Sleep(100 * time.Millisecond) // the consumer found nothing and waits
		emitN(t, db, 0, 1)
		select {
		case seq := <-seen:
			if seq != 0 {
				t.Fatalf("handled #%d", seq)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("the consumer did not wake on the commit")
		}
	})
}

func itoa(i int) string { return strconv.Itoa(i) }
