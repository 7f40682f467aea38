package store_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// inOneGroup runs n writes that share one commit group: a first write holds
// the committer until all n are waiting, so the next group takes them all.
func inOneGroup(t *testing.T, db *store.DB, n int, fn func(i int) func(*store.Tx) error) []error {
	t.Helper()
	ctx := context.Background()
	hold := make(chan struct{})
	held := make(chan error, 1)
	go func() {
		held <- db.Write(ctx, func(tx *store.Tx) error { <-hold; return nil })
	}()
	time.Sleep(20 * time.Millisecond) // the holder is in the committer
	errs := make([]error, n)
	var started, wg sync.WaitGroup
	for i := range n {
		started.Add(1)
		wg.Go(func() {
			started.Done()
			errs[i] = db.Write(ctx, fn(i))
		})
	}
	started.Wait()
	time.Sleep(50 * time.Millisecond) // all n are blocked handing in their fn
	close(hold)
	wg.Wait()
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	return errs
}

// TestWrite_refusedWriteCostsOnlyItself (#12.6): in a group of 32 writes
// where five in eight are refused — by its own error after writing, by a
// statement whose row count is wrong (on PostgreSQL found only in the
// group's pipeline), by an SQL error queued or run at once, or after an
// immediate read — each fn
// runs exactly once, the refused ones leave no row and no event, and the
// others commit.
func TestWrite_refusedWriteCostsOnlyItself(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		prepare(t, db)
		ctx := context.Background()
		write(t, db, item{ID: 1000, Name: "taken"})
		const n = 32
		refusal := errors.New("refused by its own rule")
		conflict := errors.New("stale")
		runs := make([]atomic.Int32, n)
		errs := inOneGroup(t, db, n, func(i int) func(*store.Tx) error {
			return func(tx *store.Tx) error {
				runs[i].Add(1)
				name := fmt.Sprint("w", i)
				if i%8 == 5 {
					name = "taken" // unique violation, queued
				}
				if err := queueItem(ctx, tx, item{ID: int64(i), Name: name, N: 1}); err != nil {
					return err
				}
				switch i % 8 {
				case 1: // refused by fn after its statement and event
					return refusal
				case 3: // refused by a row count, found late on PostgreSQL
					tx.QueueExpect(ctx, 1, conflict, "UPDATE test_items SET n = 2 WHERE id = ? AND n = 99", i)
				case 4: // refused by an immediate statement that failed on the server
					if _, err := tx.Exec(ctx, "INSERT INTO test_items (id, name, n) VALUES (?, 'taken', 1)", 1000+i); err != nil {
						return err
					}
				case 7: // refused after an immediate read (its savepoint reached the server)
					var got int64
					if err := tx.QueryRow(ctx, "SELECT n FROM test_items WHERE id = ?", i).Scan(&got); err != nil {
						return err
					}
					if got == 1 {
						return refusal
					}
				case 2, 6: // an accepted write that reads after others were refused
					var got int64
					if err := tx.QueryRow(ctx, "SELECT count(*) FROM test_items WHERE id < ?", i).Scan(&got); err != nil {
						return err
					}
				}
				return nil
			}
		})
		for i := range n {
			if r := runs[i].Load(); r != 1 {
				t.Errorf("fn %d ran %d times, want once", i, r)
			}
			refused := i%8 == 1 || i%8 == 3 || i%8 == 4 || i%8 == 5 || i%8 == 7
			switch {
			case i%8 == 1 || i%8 == 7:
				if !errors.Is(errs[i], refusal) {
					t.Errorf("fn %d: %v, want its refusal", i, errs[i])
				}
			case i%8 == 3:
				if !errors.Is(errs[i], conflict) {
					t.Errorf("fn %d: %v, want the conflict", i, errs[i])
				}
			case i%8 == 4 || i%8 == 5:
				if !store.IsUniqueViolation(errs[i]) {
					t.Errorf("fn %d: %v, want a unique violation", i, errs[i])
				}
			default:
				if errs[i] != nil {
					t.Errorf("fn %d: %v", i, errs[i])
				}
			}
			rows := count(t, db, "SELECT count(*) FROM test_items WHERE id = ?", i)
			evs := count(t, db, "SELECT count(*) FROM events WHERE object_id = ?", strconv.Itoa(i))
			if refused && (rows != 0 || evs != 0) || !refused && (rows != 1 || evs != 1) {
				t.Errorf("fn %d (refused %v): %d rows, %d events", i, refused, rows, evs)
			}
		}
		verifyOK(t, db)
	})
}

// TestWrite_refusedAfterAFailedStatementOnTheServer: a write refused by an
// immediate statement that failed leaves the server's transaction failed
// (PostgreSQL); the next write of the group, whose statements the server
// has never seen (three events: a new append text), still runs once and
// commits.
func TestWrite_refusedAfterAFailedStatementOnTheServer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		prepare(t, db)
		ctx := context.Background()
		write(t, db, item{ID: 1000, Name: "taken"})
		var runs [2]atomic.Int32
		errs := inOneGroup(t, db, 2, func(i int) func(*store.Tx) error {
			return func(tx *store.Tx) error {
				runs[i].Add(1)
				if i == 0 {
					_, err := tx.Exec(ctx, "INSERT INTO test_items (id, name, n) VALUES (1, 'taken', 1)")
					return err
				}
				for k := range 3 {
					if err := queueItem(ctx, tx, item{ID: int64(10 + k), Name: fmt.Sprint("k", k)}); err != nil {
						return err
					}
				}
				return nil
			}
		})
		if !store.IsUniqueViolation(errs[0]) || errs[1] != nil {
			t.Fatalf("errors %v", errs)
		}
		if runs[0].Load() != 1 || runs[1].Load() != 1 {
			t.Fatalf("runs %d and %d, want once each", runs[0].Load(), runs[1].Load())
		}
		if n := count(t, db, "SELECT count(*) FROM test_items WHERE id >= 10 AND id < 13"); n != 3 {
			t.Fatalf("%d rows of the accepted write", n)
		}
		verifyOK(t, db)
	})
}

// TestWrite_refusalThatLosesTheTransaction (SQLite): a write whose failed
// statement made SQLite give up the whole transaction (INSERT OR ROLLBACK)
// cannot be rolled back to its savepoint; it fails alone, and the others of
// its group run again and commit.
func TestWrite_refusalThatLosesTheTransaction(t *testing.T) {
	db := storetest.SQLite(t)
	prepare(t, db)
	ctx := context.Background()
	write(t, db, item{ID: 1000, Name: "taken"})
	errs := inOneGroup(t, db, 3, func(i int) func(*store.Tx) error {
		return func(tx *store.Tx) error {
			if i == 1 {
				_, err := tx.Exec(ctx, "INSERT OR ROLLBACK INTO test_items (id, name, n) VALUES (1, 'taken', 1)")
				return err
			}
			return queueItem(ctx, tx, item{ID: int64(10 + i), Name: fmt.Sprint("k", i)})
		}
	})
	if errs[0] != nil || errs[2] != nil || !store.IsUniqueViolation(errs[1]) || !errors.Is(errs[1], store.ErrSavepointLostForTest) {
		t.Fatalf("errors %v", errs)
	}
	if n := count(t, db, "SELECT count(*) FROM test_items WHERE id IN (10, 12)"); n != 2 {
		t.Fatalf("%d rows of the accepted writes", n)
	}
	verifyOK(t, db)
}

// TestWrite_aStoppedWriteLeavesTheGroupsConnectionAlone: a fn that reads
// after its own statement refused it, and a fn whose caller has gone away
// before its read, fail alone; the rest of their group commits. (On
// PostgreSQL the group shares one connection, which a done context handed
// to the driver used to close under everyone: "connection is already
// closed".)
func TestWrite_aStoppedWriteLeavesTheGroupsConnectionAlone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		prepare(t, db)
		write(t, db, item{ID: 1000, Name: "taken"})
		const n = 12
		conflict := errors.New("stale")
		gone, cancel := context.WithCancel(context.Background())
		cancel()
		errs := inOneGroup(t, db, n, func(i int) func(*store.Tx) error {
			return func(tx *store.Tx) error {
				ctx := context.Background()
				switch i % 3 {
				case 1: // refused by a row count, then reads on
					tx.QueueExpect(ctx, 1, conflict, "UPDATE test_items SET n = 2 WHERE id = ? AND n = 99", i)
					var k int64
					if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM test_items").Scan(&k); err == nil {
						return fmt.Errorf("read after the refusal: no error")
					}
					return nil
				case 2: // its caller is gone
					ctx = gone
				}
				var k int64
				if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM test_items").Scan(&k); err != nil {
					return err
				}
				return queueItem(context.Background(), tx, item{ID: int64(i), Name: fmt.Sprint("w", i), N: 1})
			}
		})
		for i, err := range errs {
			switch i % 3 {
			case 0:
				if err != nil {
					t.Errorf("write %d: %v", i, err)
				}
			case 1:
				if !errors.Is(err, conflict) {
					t.Errorf("write %d: %v, want the conflict", i, err)
				}
			case 2:
				if !errors.Is(err, context.Canceled) {
					t.Errorf("write %d: %v, want context.Canceled", i, err)
				}
			}
		}
		if got := count(t, db, "SELECT COUNT(*) FROM test_items WHERE id < 1000"); got != n/3 {
			t.Errorf("%d rows, want %d", got, n/3)
		}
	})
}
