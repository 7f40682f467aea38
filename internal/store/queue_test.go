package store_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// queueItem is setItem with the row written by Tx.Queue.
func queueItem(ctx context.Context, tx *store.Tx, it item) error {
	tx.Queue(ctx, `INSERT INTO test_items (id, name, n) VALUES (?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, n = excluded.n`, it.ID, it.Name, it.N)
	return tx.Emit(store.Event{Actor: "tester", Action: "test.item.set", ObjectType: "test_item",
		ObjectID: strconv.FormatInt(it.ID, 10), State: []byte(fmt.Sprintf(`{"id":%d,"name":%q,"n":%d}`, it.ID, it.Name, it.N))})
}

// concurrently runs n writes at once (so that they share groups) and
// returns each one's error.
func concurrently(n int, f func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = f(i) })
	}
	wg.Wait()
	return errs
}

// TestQueue runs the queued-statement cases on both engines: the outcome
// must not depend on whether the statement ran at once (SQLite) or later in
// the group's pipeline (PostgreSQL).
func TestQueue(t *testing.T) {
	tests := []struct {
		name string
		f    func(t *testing.T, db *store.DB)
	}{
		{"QueuedWritesCommitInOrderWithImmediateOnes", queueSuccess},
		{"WrongRowCountFailsOnlyItsCaller", queueWrongRowCount},
		{"SQLErrorIsAttributedToTheCallerWhoQueuedIt", queueSQLError},
		{"CancelledContext", queueCancelled},
		{"QueueExpectRejectsStatementsItCannotCount", queueExpectRejects},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				prepare(t, db)
				tc.f(t, db)
			})
		})
	}
}

func queueSuccess(t *testing.T, db *store.DB) {
	ctx := context.Background()
	got := make([]int64, 30)
	errs := concurrently(30, func(i int) error {
		return db.Write(ctx, func(tx *store.Tx) error {
			tx.Queue(ctx, "INSERT INTO test_items (id, name, n) VALUES (?, ?, 1)", i, fmt.Sprint("q", i))
			tx.Queue(ctx, "UPDATE test_items SET n = n + 1 WHERE id = ?", i)
			// An immediate read sees the queued statements before it, in order.
			if err := tx.QueryRow(ctx, "SELECT n FROM test_items WHERE id = ?", i).Scan(&got[i]); err != nil {
				return err
			}
			return tx.Emit(store.Event{Actor: "tester", Action: "test.item.set", ObjectType: "test_item",
				ObjectID: strconv.Itoa(i), State: []byte(fmt.Sprintf(`{"id":%d,"name":"q%d","n":%d}`, i, i, got[i]))})
		})
	})
	for i, err := range errs {
		if err != nil || got[i] != 2 {
			t.Fatalf("caller %d: read %d inside the write, err %v", i, got[i], err)
		}
	}
	if n := count(t, db, "SELECT count(*) FROM test_items WHERE n = 2"); n != 30 {
		t.Fatalf("%d rows with n = 2, want 30", n)
	}
	verifyOK(t, db)
}

func queueWrongRowCount(t *testing.T, db *store.DB) {
	ctx := context.Background()
	for i := range 20 {
		write(t, db, item{ID: int64(i), Name: fmt.Sprint("v", i)})
	}
	conflict := errors.New("stale version")
	// Callers 3, 10 and 17 expect a version the row does not have.
	errs := concurrently(20, func(i int) error {
		return db.Write(ctx, func(tx *store.Tx) error {
			want := int64(0)
			if i%7 == 3 {
				want = 5
			}
			tx.QueueExpect(ctx, 1, conflict, "UPDATE test_items SET n = n + 1 WHERE id = ? AND n = ?", i, want)
			return tx.Emit(store.Event{Actor: "tester", Action: "test.item.set", ObjectType: "test_item",
				ObjectID: strconv.Itoa(i), State: []byte(fmt.Sprintf(`{"id":%d,"name":"v%d","n":1}`, i, i))})
		})
	})
	for i, err := range errs {
		bad := i%7 == 3
		if bad != (err != nil) || (bad && !errors.Is(err, conflict)) {
			t.Fatalf("caller %d: err %v", i, err)
		}
		n := count(t, db, "SELECT n FROM test_items WHERE id = ?", i)
		evs := count(t, db, "SELECT count(*) FROM events WHERE object_id = ?", strconv.Itoa(i))
		if bad && (n != 0 || evs != 1) || !bad && (n != 1 || evs != 2) {
			t.Fatalf("caller %d (conflict %v): n %d, %d events", i, bad, n, evs)
		}
	}
	// Without an error of its own the caller gets ErrRowCount with the counts.
	err := db.Write(ctx, func(tx *store.Tx) error {
		tx.QueueExpect(ctx, 1, nil, "DELETE FROM test_items WHERE id = ?", 999)
		return nil
	})
	if !errors.Is(err, store.ErrRowCount) || err.Error() != store.ErrRowCount.Error()+" (0, want 1)" {
		t.Fatalf("missing row: %v", err)
	}
	verifyOK(t, db)
}

func queueSQLError(t *testing.T, db *store.DB) {
	ctx := context.Background()
	write(t, db, item{ID: 1000, Name: "taken"})
	// Callers 5, 12 and 19 queue a duplicate name and stop; everybody else
	// queues a good row and then reads, so on PostgreSQL a culprit's
	// statement may fail during the next caller's round trip: the error
	// must still go to the culprit.
	errs := concurrently(24, func(i int) error {
		return db.Write(ctx, func(tx *store.Tx) error {
			name := fmt.Sprint("s", i)
			if i%7 == 5 {
				name = "taken"
			}
			if err := queueItem(ctx, tx, item{ID: int64(i), Name: name}); err != nil {
				return err
			}
			if i%7 == 5 {
				return nil
			}
			var n int64
			return tx.QueryRow(ctx, "SELECT count(*) FROM test_items WHERE id = ?", i).Scan(&n)
		})
	})
	for i, err := range errs {
		bad := i%7 == 5
		if bad != (err != nil) || (bad && !store.IsUniqueViolation(err)) {
			t.Fatalf("caller %d: err %v", i, err)
		}
		rows := count(t, db, "SELECT count(*) FROM test_items WHERE id = ?", i)
		evs := count(t, db, "SELECT count(*) FROM events WHERE object_id = ?", strconv.Itoa(i))
		if bad && (rows != 0 || evs != 0) || !bad && (rows != 1 || evs != 1) {
			t.Fatalf("caller %d (culprit %v): %d rows, %d events", i, bad, rows, evs)
		}
	}
	// Several callers queue the same statement that cannot even be
	// prepared: on PostgreSQL that fails before anything runs, and when its
	// text names several callers of one round trip nobody may be blamed
	// until each runs alone.
	bad := func(i int) bool { return i%5 == 2 }
	errs = concurrently(40, func(i int) error {
		return db.Write(ctx, func(tx *store.Tx) error {
			if bad(i) {
				tx.Queue(ctx, "INSERT INTO no_such_table VALUES (?)", i)
				return nil
			}
			if err := queueItem(ctx, tx, item{ID: int64(200 + i), Name: fmt.Sprint("p", i)}); err != nil {
				return err
			}
			var n int64
			return tx.QueryRow(ctx, "SELECT count(*) FROM test_items WHERE id = ?", 200+i).Scan(&n)
		})
	})
	for i, err := range errs {
		if bad(i) != (err != nil) {
			t.Fatalf("unpreparable statement, caller %d: err %v", i, err)
		}
	}
	if n := count(t, db, "SELECT count(*) FROM test_items WHERE id >= 200 AND id < 240"); n != 32 {
		t.Fatalf("%d rows of the innocent callers, want 32", n)
	}
	// Statements after a failed queued one fail too, with the queued
	// statement's error as the write's.
	var after error
	err := db.Write(ctx, func(tx *store.Tx) error {
		tx.Queue(ctx, "INSERT INTO no_such_table VALUES (1)")
		_, after = tx.Exec(ctx, "UPDATE test_items SET n = 7 WHERE id = 1000")
		return nil
	})
	if err == nil || after == nil || count(t, db, "SELECT n FROM test_items WHERE id = 1000") != 0 {
		t.Fatalf("write after a failed queued statement: err %v, later Exec %v", err, after)
	}
	verifyOK(t, db)
}

func queueCancelled(t *testing.T, db *store.DB) {
	ctx := context.Background()
	// Cancelled when queueing: that caller gets ctx's error, the others commit.
	errs := concurrently(10, func(i int) error {
		qctx, cancel := context.WithCancel(ctx)
		defer cancel()
		return db.Write(ctx, func(tx *store.Tx) error {
			if i == 4 {
				cancel()
			}
			return queueItem(qctx, tx, item{ID: int64(i), Name: fmt.Sprint("c", i)})
		})
	})
	for i, err := range errs {
		if (i == 4) != errors.Is(err, context.Canceled) || (i != 4 && err != nil) {
			t.Fatalf("caller %d: err %v", i, err)
		}
	}
	if n := count(t, db, "SELECT count(*) FROM test_items"); n != 9 {
		t.Fatalf("%d rows, want 9", n)
	}
	// Cancelled after queueing: fn has run, so the write commits and says so.
	wctx, cancel := context.WithCancel(ctx)
	err := db.Write(wctx, func(tx *store.Tx) error {
		err := queueItem(wctx, tx, item{ID: 50, Name: "late"})
		cancel()
		return err
	})
	if err != nil || count(t, db, "SELECT count(*) FROM test_items WHERE id = 50") != 1 {
		t.Fatalf("cancelled after queueing: err %v", err)
	}
	verifyOK(t, db)
}

func queueExpectRejects(t *testing.T, db *store.DB) {
	ctx := context.Background()
	for _, q := range []string{
		"SELECT 1",
		"UPDATE test_items SET n = 1 RETURNING id",
		"DELETE FROM test_items; DELETE FROM events",
	} {
		err := db.Write(ctx, func(tx *store.Tx) error {
			tx.QueueExpect(ctx, 1, nil, q)
			return nil
		})
		if err == nil {
			t.Fatalf("QueueExpect accepted %q", q)
		}
	}
}
