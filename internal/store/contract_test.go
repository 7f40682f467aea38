package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/audit"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// item is the small audited state table the tests write through the store.
type item struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	N    int64  `json:"n"`
}

func init() {
	store.RegisterAudited(store.AuditedTable{
		ObjectType: "test_item",
		Table:      "test_items",
		Snapshot: func(ctx context.Context, q store.Querier, yield func(string, json.RawMessage) error) error {
			rows, err := q.Query(ctx, "SELECT id, name, n FROM test_items ORDER BY id")
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var it item
				if err := rows.Scan(&it.ID, &it.Name, &it.N); err != nil {
					return err
				}
				b, err := json.Marshal(it)
				if err != nil {
					return err
				}
				if err := yield(strconv.FormatInt(it.ID, 10), b); err != nil {
					return err
				}
			}
			return rows.Err()
		},
	})
}

func prepare(t *testing.T, db *store.DB) {
	t.Helper()
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		_, err := tx.Exec(context.Background(), "CREATE TABLE test_items (id BIGINT PRIMARY KEY, name TEXT NOT NULL UNIQUE, n BIGINT NOT NULL)")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// setItem writes an item and its event, the way a domain service does.
func setItem(ctx context.Context, tx *store.Tx, it item) error {
	if _, err := tx.Exec(ctx, `INSERT INTO test_items (id, name, n) VALUES (?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, n = excluded.n`, it.ID, it.Name, it.N); err != nil {
		return err
	}
	state, err := json.Marshal(it)
	if err != nil {
		return err
	}
	return tx.Emit(store.Event{Actor: "tester", Action: "test.item.set", ObjectType: "test_item",
		ObjectID: strconv.FormatInt(it.ID, 10), Payload: json.RawMessage(`{ "why" : "test" }`), State: state})
}

func write(t *testing.T, db *store.DB, it item) {
	t.Helper()
	ctx := context.Background()
	if err := db.Write(ctx, func(tx *store.Tx) error { return setItem(ctx, tx, it) }); err != nil {
		t.Fatal(err)
	}
}

func count(t *testing.T, db *store.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestStoreContract runs the same behaviour against SQLite and PostgreSQL.
// The Verify and proof cases are what makes the record of every step
// unalterable (C3 "every step is recorded", C9 "published information may
// not be altered"; DESIGN decision 5): any edit of an event, a node, a
// checkpoint or a state row behind the store's back is named by Verify.
func TestStoreContract(t *testing.T) {
	tests := []struct {
		name string
		f    func(t *testing.T, db *store.DB)
	}{
		{"MigrateTwiceIsIdempotent", migrateTwice},
		{"WriteReturnsEachCallersResult", writeResults},
		{"FailingFnAmongConcurrentCallersFailsAlone", failingFnAlone},
		{"PanickingFnFailsAlone", panickingFnAlone},
		{"FailedAppendFailsOnlyItsCallerAndChangesNothing", failedAppend},
		{"CancelledContextBeforeStartIsHonoured", cancelledBeforeStart},
		{"QuestionMarksRebindOutsideLiterals", rebinding},
		{"TimesRoundTripAsMicrosUTC", timesRoundTrip},
		{"UniqueViolationIsDetected", uniqueViolation},
		{"EventSeqsContiguousUnderConcurrency", seqContiguous},
		{"EventsOfOneObjectInOrder", eventsOfObject},
		{"ObjectHistoryExactAcrossIndexFolds_C3", historyAcrossFolds},
		{"FailedGroupLeavesObjectHistoryAsItWas_C3", historyAfterFailedGroup},
		{"ProofsVerifyAndTamperedProofsFail", proofs},
		{"VerifyCleanDataIsOK", verifyClean},
		{"VerifyNamesTamperedEventRow", verifyTamperedEvent},
		{"VerifyNamesTamperedStateRow", verifyTamperedState},
		{"VerifyNamesRowWithoutEvent", verifyRowWithoutEvent},
		{"VerifyNamesForgedCheckpoint", verifyForgedCheckpoint},
		{"VerifyNamesDeletedEvent", verifyDeletedEvent},
		{"VerifyNamesRehashedLeafByItsNode", verifyRehashedLeaf},
		{"VerifyNamesMissingRowOfLiveObject", verifyMissingRow},
		{"VerifyNamesNodeRowNotInTheLog", verifyForeignNode},
		{"Backup", backup},
		{"WriteAfterCloseFails", writeAfterClose},
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

func migrateTwice(t *testing.T, db *store.DB) {
	for range 2 {
		if err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, db, "SELECT count(*) FROM audit_head"); n != 1 {
		t.Fatalf("audit_head has %d rows after migrating again", n)
	}
}

func writeResults(t *testing.T, db *store.DB) {
	ctx := context.Background()
	var wg sync.WaitGroup
	results := make([]int64, 50)
	errs := make([]error, 50)
	for i := range 50 {
		wg.Go(func() {
			errs[i] = db.Write(ctx, func(tx *store.Tx) error {
				if err := setItem(ctx, tx, item{ID: int64(i), Name: fmt.Sprint("n", i), N: int64(i * i)}); err != nil {
					return err
				}
				return tx.QueryRow(ctx, "SELECT n FROM test_items WHERE id = ?", i).Scan(&results[i])
			})
		})
	}
	wg.Wait()
	for i := range 50 {
		if errs[i] != nil || results[i] != int64(i*i) {
			t.Fatalf("caller %d: result %d, err %v", i, results[i], errs[i])
		}
	}
	if n := count(t, db, "SELECT count(*) FROM events"); n != 50 {
		t.Fatalf("%d events, want 50", n)
	}
}

func failingFnAlone(t *testing.T, db *store.DB) {
	ctx := context.Background()
	bad := errors.New("refused")
	var wg sync.WaitGroup
	errs := make([]error, 40)
	for i := range 40 {
		wg.Go(func() {
			errs[i] = db.Write(ctx, func(tx *store.Tx) error {
				if err := setItem(ctx, tx, item{ID: int64(i), Name: fmt.Sprint("n", i)}); err != nil {
					return err
				}
				if i%7 == 3 {
					return bad // after changing a row and emitting: both must vanish
				}
				return nil
			})
		})
	}
	wg.Wait()
	for i := range 40 {
		want := i%7 == 3
		if (errs[i] != nil) != want || (want && !errors.Is(errs[i], bad)) {
			t.Fatalf("caller %d: err %v", i, errs[i])
		}
		rows := count(t, db, "SELECT count(*) FROM test_items WHERE id = ?", i)
		evs := count(t, db, "SELECT count(*) FROM events WHERE object_id = ?", strconv.Itoa(i))
		if want && (rows != 0 || evs != 0) {
			t.Fatalf("failed caller %d left %d rows, %d events", i, rows, evs)
		}
		if !want && (rows != 1 || evs != 1) {
			t.Fatalf("caller %d: %d rows, %d events", i, rows, evs)
		}
	}
	// A SQL error (which aborts the whole transaction on PostgreSQL) is
	// isolated the same way.
	errs = make([]error, 10)
	for i := range 10 {
		wg.Go(func() {
			errs[i] = db.Write(ctx, func(tx *store.Tx) error {
				if i == 5 {
					_, err := tx.Exec(ctx, "INSERT INTO no_such_table VALUES (1)")
					return err
				}
				return setItem(ctx, tx, item{ID: int64(100 + i), Name: fmt.Sprint("m", i)})
			})
		})
	}
	wg.Wait()
	for i := range 10 {
		if (errs[i] != nil) != (i == 5) {
			t.Fatalf("caller %d: err %v", i, errs[i])
		}
	}
	verifyOK(t, db)
}

// A group whose events cannot be appended (here one fn took the next
// sequence number behind the store's back) commits nothing: that caller gets
// the error, the others' writes are retried without it and succeed.
func failedAppend(t *testing.T, db *store.DB) {
	ctx := context.Background()
	fill(t, db)
	head, err := db.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range 8 {
		wg.Go(func() {
			errs[i] = db.Write(ctx, func(tx *store.Tx) error {
				if i == 3 {
					if _, err := tx.Exec(ctx, `INSERT INTO events (seq, at, actor, body_id, action, object_type, object_id,
						from_state, to_state, payload, state, leaf_hash) VALUES (?, 0, 'x', 0, 'x', 'x', 'x', '', '', '', '', ?)`,
						int64(head.Size), make([]byte, 32)); err != nil {
						return err
					}
				}
				return setItem(ctx, tx, item{ID: int64(200 + i), Name: fmt.Sprint("a", i), N: int64(i)})
			})
		})
	}
	wg.Wait()
	for i := range 8 {
		if (errs[i] != nil) != (i == 3) {
			t.Fatalf("caller %d: err %v", i, errs[i])
		}
	}
	if !store.IsUniqueViolation(errs[3]) {
		t.Fatalf("caller 3: %v, want the append's unique violation", errs[3])
	}
	if n := count(t, db, "SELECT count(*) FROM test_items WHERE id = 203"); n != 0 {
		t.Fatal("the failed caller's row was kept")
	}
	if n := count(t, db, "SELECT count(*) FROM events WHERE seq >= ?", int64(head.Size)); n != 7 {
		t.Fatalf("%d events after the head, want the 7 others'", n)
	}
	rep := verifyOK(t, db)
	if rep.Events != head.Size+7 {
		t.Fatalf("report %+v", rep)
	}
}

func panickingFnAlone(t *testing.T, db *store.DB) {
	ctx := context.Background()
	err := db.Write(ctx, func(tx *store.Tx) error {
		if err := setItem(ctx, tx, item{ID: 1, Name: "a"}); err != nil {
			return err
		}
		panic("boom")
	})
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("panic returned %v", err)
	}
	write(t, db, item{ID: 2, Name: "b"})
	if n := count(t, db, "SELECT count(*) FROM test_items"); n != 1 {
		t.Fatalf("%d rows, want only the second write's", n)
	}
}

func cancelledBeforeStart(t *testing.T, db *store.DB) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	err := db.Write(ctx, func(tx *store.Tx) error { ran = true; return nil })
	if !errors.Is(err, context.Canceled) || ran {
		t.Fatalf("cancelled write: err %v, ran %v", err, ran)
	}
}

func rebinding(t *testing.T, db *store.DB) {
	ctx := context.Background()
	err := db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO test_items (id, name, n) VALUES (?, 'why? ' || ?, ?)", 1, "because", 2)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var name string
	if err := db.QueryRow(ctx, "SELECT name FROM test_items WHERE id = ? AND n = ? AND name <> '?'", 1, 2).Scan(&name); err != nil {
		t.Fatal(err)
	}
	if name != "why? because" {
		t.Fatalf("name %q", name)
	}
}

func timesRoundTrip(t *testing.T, db *store.DB) {
	ctx := context.Background()
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 23, 9, 30, 1, 123456789, sh)
	err = db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO test_items (id, name, n) VALUES (?, ?, ?)", 1, "t", store.Micros(at)); err != nil {
			return err
		}
		return tx.Emit(store.Event{At: at, Action: "test.time", ObjectType: "clock", ObjectID: "1"})
	})
	if err != nil {
		t.Fatal(err)
	}
	var us int64
	if err := db.QueryRow(ctx, "SELECT n FROM test_items WHERE id = ?", 1).Scan(&us); err != nil {
		t.Fatal(err)
	}
	got := store.FromMicros(us)
	want := at.Truncate(time.Microsecond).UTC()
	if !got.Equal(want) || got.Location() != time.UTC {
		t.Fatalf("round trip %v, want %v in UTC", got, want)
	}
	evs, err := db.Events(ctx, store.EventFilter{ObjectType: "clock", ObjectID: "1"})
	if err != nil || len(evs) != 1 || !evs[0].At.Equal(want) {
		t.Fatalf("event time %v, err %v", evs, err)
	}
}

func uniqueViolation(t *testing.T, db *store.DB) {
	ctx := context.Background()
	write(t, db, item{ID: 1, Name: "same"})
	err := db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO test_items (id, name, n) VALUES (?, ?, ?)", 2, "same", 0)
		return err
	})
	if !store.IsUniqueViolation(err) {
		t.Fatalf("duplicate name: %v not detected as a unique violation", err)
	}
	err = db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO test_items (id, name, n) VALUES (?, ?, ?)", 3, nil, 0)
		return err
	})
	if err == nil || store.IsUniqueViolation(err) {
		t.Fatalf("NOT NULL violation %v taken for a unique violation", err)
	}
}

func seqContiguous(t *testing.T, db *store.DB) {
	ctx := context.Background()
	const writers, each = 8, 200
	var wg sync.WaitGroup
	errc := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				it := item{ID: int64(w), Name: fmt.Sprint("w", w), N: int64(i)}
				if err := db.Write(ctx, func(tx *store.Tx) error { return setItem(ctx, tx, it) }); err != nil {
					errc <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	evs, err := db.Events(ctx, store.EventFilter{Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != writers*each {
		t.Fatalf("%d events", len(evs))
	}
	tree, err := audit.NewTree(0, nil)
	if err != nil {
		t.Fatal(err)
	}
	last := map[string]int64{}
	for i, e := range evs {
		if e.Seq != int64(i) {
			t.Fatalf("event %d has seq %d", i, e.Seq)
		}
		var it item
		if err := json.Unmarshal(e.State, &it); err != nil {
			t.Fatal(err)
		}
		if prev, ok := last[e.ObjectID]; ok && it.N != prev+1 {
			t.Fatalf("writer %s: n %d after %d: order lost", e.ObjectID, it.N, prev)
		}
		last[e.ObjectID] = it.N
		if err := tree.Append(e.Leaf().Hash(), nil); err != nil {
			t.Fatal(err)
		}
	}
	head, err := db.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if head.Size != writers*each || head.Root != tree.Root() {
		t.Fatalf("head size %d, root matches recompute: %v", head.Size, head.Root == tree.Root())
	}
	if st := db.Stats(); st.Writes < writers*each || st.Groups >= st.Writes {
		t.Fatalf("stats %+v: concurrent writers never shared a commit", st)
	}
	if string(evs[0].Payload) != `{"why":"test"}` {
		t.Fatalf("payload not compacted: %s", evs[0].Payload)
	}
	verifyOK(t, db)
}

func eventsOfObject(t *testing.T, db *store.DB) {
	ctx := context.Background()
	for i := range 5 {
		write(t, db, item{ID: 1, Name: "a", N: int64(i)})
		write(t, db, item{ID: 2, Name: "b", N: int64(i)})
	}
	evs, err := db.Events(ctx, store.EventFilter{ObjectType: "test_item", ObjectID: "2"})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 5 || evs[0].Seq != 1 || evs[4].Seq != 9 {
		t.Fatalf("history of item 2: %+v", evs)
	}
	evs, err = db.Events(ctx, store.EventFilter{FromSeq: 3, ToSeq: 6})
	if err != nil || len(evs) != 3 || evs[0].Seq != 3 {
		t.Fatalf("range 3..6: %v %v", evs, err)
	}
	_, err = db.Events(ctx, store.EventFilter{ObjectType: "test_item"})
	if apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("type without id: %v", err)
	}
}

// checkHistories compares every by-object read with the same events picked
// out of the whole log, read in one snapshot each: the history of an object
// (C3 "every step is recorded", 痕迹化) must be exactly its events, in order,
// whether they are in SQLite's event_objects, in its unfolded tail, or both.
// Also through a write transaction (QueryEvents on a Tx) and with seq
// bounds and limits that cut across the fold boundary.
func checkHistories(t *testing.T, db *store.DB, objects []string) {
	t.Helper()
	ctx := context.Background()
	all, err := db.Events(ctx, store.EventFilter{Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]int64{}
	for _, e := range all {
		if e.ObjectType == "test_item" {
			want[e.ObjectID] = append(want[e.ObjectID], e.Seq)
		}
	}
	seqs := func(evs []store.Event) []int64 {
		out := []int64{}
		for _, e := range evs {
			out = append(out, e.Seq)
		}
		return out
	}
	size := int64(len(all))
	for _, id := range objects {
		w := append([]int64{}, want[id]...)
		f := store.EventFilter{ObjectType: "test_item", ObjectID: id}
		got, err := db.Events(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(seqs(got)) != fmt.Sprint(w) {
			t.Fatalf("history of item %s at size %d: %v, want %v", id, size, seqs(got), w)
		}
		for i, e := range got {
			if fmt.Sprint(e) != fmt.Sprint(all[e.Seq]) {
				t.Fatalf("history of item %s, event %d: %+v, want %+v", id, i, e, all[e.Seq])
			}
		}
		var inTx []store.Event
		err = db.Write(ctx, func(tx *store.Tx) error {
			var err error
			inTx, err = store.QueryEvents(ctx, tx, f)
			return err
		})
		if err != nil || fmt.Sprint(seqs(inTx)) != fmt.Sprint(w) {
			t.Fatalf("history of item %s read in a write: %v (%v), want %v", id, seqs(inTx), err, w)
		}
		// Windows over the sequence and limits: [from, to) at every third
		// seq, so windows start and end on both sides of the watermark.
		for from := int64(0); from <= size; from += 3 {
			to := from + 5
			bounded := []int64{}
			for _, s := range w {
				if s >= from && s < to {
					bounded = append(bounded, s)
				}
			}
			got, err := db.Events(ctx, store.EventFilter{ObjectType: "test_item", ObjectID: id, FromSeq: from, ToSeq: to})
			if err != nil || fmt.Sprint(seqs(got)) != fmt.Sprint(bounded) {
				t.Fatalf("item %s in [%d, %d): %v (%v), want %v", id, from, to, seqs(got), err, bounded)
			}
		}
		if len(w) > 2 {
			got, err := db.Events(ctx, store.EventFilter{ObjectType: "test_item", ObjectID: id, Limit: 2})
			if err != nil || fmt.Sprint(seqs(got)) != fmt.Sprint(w[:2]) {
				t.Fatalf("item %s, limit 2: %v (%v), want %v", id, seqs(got), err, w[:2])
			}
		}
	}
}

// watermark is SQLite's audit_head.indexed_upto, -1 on PostgreSQL.
func watermark(t *testing.T, db *store.DB) int64 {
	t.Helper()
	if db.Dialect() != store.SQLite {
		return -1
	}
	return count(t, db, "SELECT indexed_upto FROM audit_head WHERE id = 1")
}

// historyAcrossFolds writes three objects' events one by one and in groups,
// with SQLite folding every 7 events, and checks every history after each
// write: before a fold, across it, and after it.
func historyAcrossFolds(t *testing.T, db *store.DB) {
	ctx := context.Background()
	if err := db.SetFoldForTest(ctx, 7, time.Hour); err != nil {
		t.Fatal(err)
	}
	objects := []string{"1", "2", "3", "4"} // 4 is never written
	marks := map[int64]bool{}
	n := 0
	for round := range 12 {
		if round%3 == 2 {
			// A group of 8 concurrent writers (a group may carry more events
			// than the bound).
			var wg sync.WaitGroup
			errs := make([]error, 8)
			for i := range 8 {
				wg.Go(func() {
					errs[i] = db.Write(ctx, func(tx *store.Tx) error {
						return setItem(ctx, tx, item{ID: int64(1 + i%3), Name: fmt.Sprint("i", 1+i%3), N: int64(round*100 + i)})
					})
				})
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			n += 8
		} else {
			write(t, db, item{ID: int64(1 + round%3), Name: fmt.Sprint("i", 1+round%3), N: int64(round)})
			n++
		}
		checkHistories(t, db, objects)
		if w := watermark(t, db); w >= 0 {
			if w > int64(n) || int64(n)-w >= 7 {
				t.Fatalf("watermark %d at size %d: the tail must stay below the bound 7", w, n)
			}
			marks[w] = true
		}
	}
	if db.Dialect() == store.SQLite {
		if len(marks) < 3 {
			t.Fatalf("watermarks seen %v: the tail was not folded repeatedly", marks)
		}
		if n := count(t, db, "SELECT count(*) FROM event_objects"); n != watermark(t, db) {
			t.Fatalf("event_objects has %d rows, watermark %d", n, watermark(t, db))
		}
	}
	verifyOK(t, db)
}

// historyAfterFailedGroup: a group that fails (its events cannot be appended,
// or on SQLite its fold cannot be completed) leaves the events, the
// by-object histories and SQLite's event_objects and watermark exactly as
// they were; the next group folds normally.
func historyAfterFailedGroup(t *testing.T, db *store.DB) {
	ctx := context.Background()
	if err := db.SetFoldForTest(ctx, 5, time.Hour); err != nil {
		t.Fatal(err)
	}
	objects := []string{"1", "2"}
	for i := range 9 { // a fold at 5; tail 4, one short of the next
		write(t, db, item{ID: int64(1 + i%2), Name: fmt.Sprint("i", 1+i%2), N: int64(i)})
	}
	snapshot := func() string {
		s := fmt.Sprint(count(t, db, "SELECT count(*) FROM events"), watermark(t, db))
		if db.Dialect() == store.SQLite {
			s += fmt.Sprint(" ", count(t, db, "SELECT count(*) FROM event_objects"))
		}
		return s
	}
	before := snapshot()
	if db.Dialect() == store.SQLite && before != "9 5 5" {
		t.Fatalf("events, watermark, event_objects: %s, want 9 5 5", before)
	}
	// The append fails: the fn took the next seq behind the store's back.
	err := db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO events (seq, at, actor, body_id, action, object_type, object_id,
			from_state, to_state, payload, state, leaf_hash) VALUES (9, 0, 'x', 0, 'x', 'test_item', '1', '', '', '', '', ?)`,
			make([]byte, 32)); err != nil {
			return err
		}
		return setItem(ctx, tx, item{ID: 1, Name: "i1", N: 100})
	})
	if !store.IsUniqueViolation(err) {
		t.Fatalf("failed append: %v", err)
	}
	if after := snapshot(); after != before {
		t.Fatalf("after a failed group: %s, want %s", after, before)
	}
	checkHistories(t, db, objects)
	if db.Dialect() == store.SQLite {
		// The fold itself is written, then the group fails after it: a
		// trigger refuses to move the watermark. Everything rolls back.
		raw(t, db, `CREATE TRIGGER refuse_fold BEFORE UPDATE OF indexed_upto ON audit_head
			WHEN NEW.indexed_upto <> OLD.indexed_upto BEGIN SELECT RAISE(ABORT, 'fold refused'); END`)
		err := db.Write(ctx, func(tx *store.Tx) error { return setItem(ctx, tx, item{ID: 2, Name: "i2", N: 200}) })
		if err == nil || !strings.Contains(err.Error(), "fold refused") {
			t.Fatalf("write whose fold fails: %v", err)
		}
		if after := snapshot(); after != before {
			t.Fatalf("after a failed fold: %s, want %s", after, before)
		}
		checkHistories(t, db, objects)
		raw(t, db, "DROP TRIGGER refuse_fold")
	}
	write(t, db, item{ID: 2, Name: "i2", N: 300})
	if w := watermark(t, db); db.Dialect() == store.SQLite && w != 10 {
		t.Fatalf("watermark %d after the next group, want 10 (folded)", w)
	}
	checkHistories(t, db, objects)
	verifyOK(t, db)
}

func proofs(t *testing.T, db *store.DB) {
	ctx := context.Background()
	for i := range 11 {
		write(t, db, item{ID: int64(i), Name: fmt.Sprint(i)})
	}
	cp1, err := db.LatestCheckpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := cp1.Verify(db.PublicKey()); err != nil || cp1.Size != 11 {
		t.Fatalf("checkpoint %d: %v", cp1.Size, err)
	}
	for i := range 30 {
		write(t, db, item{ID: int64(100 + i), Name: fmt.Sprint(100 + i)})
	}
	cp2, err := db.LatestCheckpoint(ctx)
	if err != nil || cp2.Size != 41 {
		t.Fatalf("second checkpoint %d: %v", cp2.Size, err)
	}
	again, err := db.LatestCheckpoint(ctx)
	if err != nil || again.Size != 41 || string(again.Sig) != string(cp2.Sig) {
		t.Fatal("unchanged tree signed a new checkpoint")
	}
	for _, seq := range []uint64{0, 5, 10, 40} {
		leaf, err := db.LeafHash(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		p, err := db.InclusionProof(ctx, seq, cp2.Size)
		if err != nil {
			t.Fatal(err)
		}
		if err := audit.VerifyInclusion(seq, cp2.Size, leaf, p, cp2.Root); err != nil {
			t.Fatalf("inclusion of %d: %v", seq, err)
		}
		leaf[0] ^= 1
		if audit.VerifyInclusion(seq, cp2.Size, leaf, p, cp2.Root) == nil {
			t.Fatalf("inclusion of a tampered leaf %d verified", seq)
		}
	}
	p, err := db.ConsistencyProof(ctx, cp1.Size, cp2.Size)
	if err != nil {
		t.Fatal(err)
	}
	if err := audit.VerifyConsistency(cp1.Size, cp2.Size, p, cp1.Root, cp2.Root); err != nil {
		t.Fatalf("consistency: %v", err)
	}
	p[0][0] ^= 1
	if audit.VerifyConsistency(cp1.Size, cp2.Size, p, cp1.Root, cp2.Root) == nil {
		t.Fatal("tampered consistency proof verified")
	}
	if _, err := db.InclusionProof(ctx, 3, 42); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("proof beyond the log: %v", err)
	}
}

func verifyOK(t *testing.T, db *store.DB) store.Report {
	t.Helper()
	if _, err := db.LatestCheckpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	rep, err := db.Verify(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("clean data: %s", rep.Mismatch)
	}
	return rep
}

func verifyMismatch(t *testing.T, db *store.DB, want string) {
	t.Helper()
	rep, err := db.Verify(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Mismatch != want {
		t.Fatalf("mismatch %q, want %q", rep.Mismatch, want)
	}
}

// raw changes the database behind the store's back, as a tamperer would.
func raw(t *testing.T, db *store.DB, q string, args ...any) {
	t.Helper()
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		_, err := tx.Exec(context.Background(), q, args...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func fill(t *testing.T, db *store.DB) {
	for i := range 20 {
		write(t, db, item{ID: int64(i % 7), Name: fmt.Sprint("item", i%7), N: int64(i)})
	}
}

func verifyClean(t *testing.T, db *store.DB) {
	fill(t, db)
	rep := verifyOK(t, db)
	// n leaves complete n − popcount(n) internal nodes: 20 − 2.
	if rep.Events != 20 || rep.Rows != 7 || rep.Checkpoints != 1 || rep.Nodes != 18 {
		t.Fatalf("report %+v", rep)
	}
}

func verifyTamperedEvent(t *testing.T, db *store.DB) {
	fill(t, db)
	verifyOK(t, db)
	raw(t, db, `UPDATE events SET state = '{"id":3,"name":"forged","n":0}' WHERE seq = 10`)
	verifyMismatch(t, db, "event #10 (test.item.set test_item:3): stored content does not match its leaf hash")
}

func verifyTamperedState(t *testing.T, db *store.DB) {
	fill(t, db)
	verifyOK(t, db)
	raw(t, db, "UPDATE test_items SET n = 99 WHERE id = 4")
	// Item 4's last write was i = 18, seq 18.
	verifyMismatch(t, db, "test_items id=4: row differs from its last audited event #18")
}

func verifyRowWithoutEvent(t *testing.T, db *store.DB) {
	fill(t, db)
	raw(t, db, "INSERT INTO test_items (id, name, n) VALUES (50, 'sneaked', 0)")
	verifyMismatch(t, db, "test_items id=50: row has no audited event")
}

func verifyForgedCheckpoint(t *testing.T, db *store.DB) {
	fill(t, db)
	verifyOK(t, db)
	raw(t, db, "UPDATE audit_checkpoints SET size = 19 WHERE size = 20")
	verifyMismatch(t, db, "checkpoint at size 19: signature does not verify with this log's key")
}

func verifyDeletedEvent(t *testing.T, db *store.DB) {
	fill(t, db)
	raw(t, db, "DELETE FROM events WHERE seq = 6")
	verifyMismatch(t, db, "event #6 is missing (the next stored event is #7)")
}

// A tamperer who also recomputes the leaf hash is caught one level up, by
// the node over that leaf and its neighbour.
func verifyRehashedLeaf(t *testing.T, db *store.DB) {
	ctx := context.Background()
	fill(t, db)
	evs, err := db.Events(ctx, store.EventFilter{FromSeq: 5, ToSeq: 6})
	if err != nil || len(evs) != 1 {
		t.Fatal(evs, err)
	}
	e := evs[0]
	e.Actor = "someone else"
	h := e.Leaf().Hash()
	raw(t, db, "UPDATE events SET actor = ?, leaf_hash = ? WHERE seq = 5", e.Actor, h[:])
	verifyMismatch(t, db, "audit node (level 1, index 2): stored hash does not match the events below it")
}

func verifyMissingRow(t *testing.T, db *store.DB) {
	fill(t, db)
	raw(t, db, "DELETE FROM test_items WHERE id = 2")
	verifyMismatch(t, db, "test_items id=2: row is missing, but its last audited event #16 has a state")
}

// A node row that no log of this size has (here a level-3 node cannot end
// at leaf 5) is named, not just counted.
func verifyForeignNode(t *testing.T, db *store.DB) {
	fill(t, db)
	raw(t, db, "INSERT INTO audit_nodes (last_leaf, level, hash) VALUES (5, 3, ?)", make([]byte, 32))
	verifyMismatch(t, db, "audit_nodes: row (last leaf 5, level 3) is not a node of the log")
}

func writeAfterClose(t *testing.T, db *store.DB) {
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	err := db.Write(context.Background(), func(tx *store.Tx) error { return nil })
	if !errors.Is(err, store.ErrClosed) {
		t.Fatalf("write after close: %v", err)
	}
}

func backup(t *testing.T, db *store.DB) {
	ctx := context.Background()
	fill(t, db)
	path := filepath.Join(t.TempDir(), "copy.db")
	err := db.Backup(ctx, path)
	if db.Dialect() == store.Postgres {
		if !errors.Is(err, store.ErrBackupPostgres) || !strings.Contains(err.Error(), "pg_dump") {
			t.Fatalf("postgres backup: %v", err)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Backup(ctx, path); err == nil {
		t.Fatal("backup overwrote an existing file")
	}
	cp, err := store.Open(ctx, path, store.Options{SigningKey: nil})
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	var n int64
	if err := cp.QueryRow(ctx, "SELECT count(*) FROM events").Scan(&n); err != nil || n != 20 {
		t.Fatalf("backup has %d events (%v)", n, err)
	}
	if _, err := os.Stat(path + "-wal"); err == nil {
		// Opening the copy made a WAL; that is fine, the copy is a database.
		return
	}
}

// TestSQLiteSkipWithoutPostgres documents the CI rule: without
// QINGDAN_TEST_POSTGRES the PostgreSQL half skips, unless
// QINGDAN_REQUIRE_POSTGRES=1 makes that a failure.
func TestOpenRejectsInMemorySQLite(t *testing.T) {
	for _, dsn := range []string{":memory:", "sqlite::memory:", "file:x.db?mode=memory"} {
		if _, err := store.Open(context.Background(), dsn, store.Options{}); err == nil {
			t.Errorf("%s accepted", dsn)
		}
	}
	var _ sql.Result // database/sql is the API the store hands out
}
