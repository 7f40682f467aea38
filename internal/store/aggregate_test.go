package store_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// widget is the test aggregate, declared once as a domain package would.
type widget struct {
	ID      int64  `json:"id"`
	Version int64  `json:"version"`
	Name    string `json:"name"`
	Qty     int64  `json:"qty"`
}

var widgets = store.Declare(store.Aggregate[widget]{
	Table: "widgets", ObjectType: "widget", Columns: []string{"name", "qty"},
	Fields: func(w *widget) []any { return []any{&w.ID, &w.Version, &w.Name, &w.Qty} },
	State:  func(w *widget) any { return w },
})

func insertWidget(t *testing.T, db *store.DB, w widget) widget {
	t.Helper()
	ctx := context.Background()
	err := db.Write(ctx, func(tx *store.Tx) error {
		return widgets.Insert(ctx, tx, &w, store.Event{Actor: "tester", Action: "widget.created"})
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// countBy changes a widget's qty the way a service does: Lock, Save.
func countBy(ctx context.Context, db *store.DB, id, delta int64) error {
	return db.Write(ctx, func(tx *store.Tx) error {
		w, err := widgets.Lock(ctx, tx, id)
		if err != nil {
			return err
		}
		w.Qty += delta
		return widgets.Save(ctx, tx, &w, store.Event{Actor: "tester", Action: "widget.counted"})
	})
}

// TestAggregate_declaredOnce (#12.7): a declared aggregate inserts (with an
// id given or assigned), reads, locks and saves with a version check,
// every change emitting the row's State with its version, and verify
// compares the table with its events.
func TestAggregate_declaredOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		prepare(t, db)
		ctx := context.Background()
		a := insertWidget(t, db, widget{Name: "bolt", Qty: 3})
		b := insertWidget(t, db, widget{ID: 100, Name: "nut", Qty: 5})
		if a.ID == 0 || a.Version != 1 || b.ID != 100 || b.Version != 1 {
			t.Fatalf("inserted %+v and %+v", a, b)
		}
		if err := countBy(ctx, db, a.ID, 4); err != nil {
			t.Fatal(err)
		}
		got, err := widgets.Get(ctx, db, a.ID)
		if err != nil || got != (widget{ID: a.ID, Version: 2, Name: "bolt", Qty: 7}) {
			t.Fatalf("after a save: %+v %v", got, err)
		}
		evs, err := db.Events(ctx, store.EventFilter{ObjectType: "widget", ObjectID: itoa(int(a.ID))})
		if err != nil || len(evs) != 2 || string(evs[1].State) != `{"id":`+itoa(int(a.ID))+`,"version":2,"name":"bolt","qty":7}` {
			t.Fatalf("events: %+v %v", evs, err)
		}
		if _, err := widgets.Get(ctx, db, 999); apperr.CodeOf(err) != apperr.NotFound {
			t.Fatalf("missing widget: %v", err)
		}
		verifyOK(t, db)
		raw(t, db, "UPDATE widgets SET name = 'washer' WHERE id = 100")
		verifyMismatch(t, db, "widgets id=100: row differs from its last audited event #1")
	})
}

// TestAggregate_H1_staleVersionIsAConflict: a save of a version that is no
// longer the row's fails with a Conflict naming the version field and
// changes nothing; of ten concurrent saves based on the same version, one
// wins.
func TestAggregate_H1_staleVersionIsAConflict(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		prepare(t, db)
		ctx := context.Background()
		w := insertWidget(t, db, widget{Name: "bolt", Qty: 1})
		errs := concurrently(10, func(i int) error {
			return db.Write(ctx, func(tx *store.Tx) error {
				based := w // read before, e.g. in the form the user edited
				based.Qty = int64(10 + i)
				return widgets.Save(ctx, tx, &based, store.Event{Actor: "tester", Action: "widget.counted"})
			})
		})
		won := 0
		for _, err := range errs {
			switch e := apperr.As(err); {
			case err == nil:
				won++
			case e == nil || e.Code != apperr.Conflict || e.Field != "version" || !strings.Contains(e.Message("en"), "no longer at version 1"):
				t.Fatalf("a stale save: %v", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d saves of version 1 won", won)
		}
		if n := count(t, db, "SELECT count(*) FROM events WHERE object_type = 'widget'"); n != 2 {
			t.Fatalf("%d widget events, want the insert and one save", n)
		}
		verifyOK(t, db)
	})
}

// TestAggregate_C9_refusesToLaunderATamperedRow (#11.4): a row changed
// behind the log's back is not written on — Lock refuses it with
// ErrTampered and logs an error naming the table and id — so the tampered
// values are never recorded as if the actor had set them.
func TestAggregate_C9_refusesToLaunderATamperedRow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		prepare(t, db)
		ctx := context.Background()
		w := insertWidget(t, db, widget{Name: "bolt", Qty: 1})
		raw(t, db, "UPDATE widgets SET qty = 999 WHERE id = ?", w.ID)
		var logged bytes.Buffer
		prev := slog.Default()
		slog.SetDefault(slog.New(slog.NewTextHandler(&logged, nil)))
		err := countBy(ctx, db, w.ID, 1)
		slog.SetDefault(prev)
		if !errors.Is(err, store.ErrTampered) || apperr.CodeOf(err) != apperr.Conflict || !strings.Contains(apperr.As(err).Err.Error(), "widgets id="+itoa(int(w.ID))) {
			t.Fatalf("a write on a tampered row: %v", err)
		}
		if l := logged.String(); !strings.Contains(l, "level=ERROR") || !strings.Contains(l, "table=widgets") || !strings.Contains(l, "id="+itoa(int(w.ID))) {
			t.Fatalf("not logged loudly: %q", l)
		}
		if n := count(t, db, "SELECT count(*) FROM events WHERE object_type = 'widget'"); n != 1 {
			t.Fatalf("%d widget events: the tampered row was recorded", n)
		}
		// A row with no event at all is refused the same way.
		raw(t, db, "INSERT INTO widgets (id, version, name, qty) VALUES (555, 1, 'forged', 1)")
		if err := countBy(ctx, db, 555, 1); !errors.Is(err, store.ErrTampered) || !strings.Contains(apperr.As(err).Err.Error(), "no audited event") {
			t.Fatalf("a write on a row without events: %v", err)
		}
	})
}

// TestAggregate_changesInOneGroup: two writes of one group change the same
// widget one after the other; the second's check sees the first's event,
// which is not stored yet.
func TestAggregate_changesInOneGroup(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		prepare(t, db)
		ctx := context.Background()
		w := insertWidget(t, db, widget{Name: "bolt", Qty: 0})
		errs := inOneGroup(t, db, 4, func(int) func(*store.Tx) error {
			return func(tx *store.Tx) error {
				got, err := widgets.Lock(ctx, tx, w.ID)
				if err != nil {
					return err
				}
				got.Qty++
				return widgets.Save(ctx, tx, &got, store.Event{Actor: "tester", Action: "widget.counted"})
			}
		})
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if got, err := widgets.Get(ctx, db, w.ID); err != nil || got.Qty != 4 || got.Version != 5 {
			t.Fatalf("after four saves in one group: %+v %v", got, err)
		}
		verifyOK(t, db)
	})
}

// TestAggregate_lockHoldsAcrossInstances: while one instance's write holds
// a widget's lock, another instance's Lock of it waits for that commit and
// then reads the committed row.
func TestAggregate_lockHoldsAcrossInstances(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			a, b := twoInstances(t, engine)
			prepare(t, a)
			ctx := context.Background()
			w := insertWidget(t, a, widget{Name: "bolt", Qty: 0})
			locked, release := make(chan struct{}), make(chan struct{})
			var wg sync.WaitGroup
			var errA error
			wg.Go(func() {
				errA = a.Write(ctx, func(tx *store.Tx) error {
					got, err := widgets.Lock(ctx, tx, w.ID)
					if err != nil {
						return err
					}
					close(locked)
					<-release
					got.Qty = 10
					return widgets.Save(ctx, tx, &got, store.Event{Actor: "a", Action: "widget.counted"})
				})
			})
			<-locked
			done := make(chan error, 1)
			var seen widget
			go func() {
				done <- b.Write(ctx, func(tx *store.Tx) error {
					got, err := widgets.Lock(ctx, tx, w.ID)
					seen = got
					if err != nil {
						return err
					}
					got.Qty++
					return widgets.Save(ctx, tx, &got, store.Event{Actor: "b", Action: "widget.counted"})
				})
			}()
			select {
			case err := <-done:
				t.Fatalf("b's Lock did not wait for a's write: %v", err)
			case <-time.After(300 * time.Millisecond):
			}
			close(release)
			wg.Wait()
			if errA != nil {
				t.Fatal(errA)
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if seen.Qty != 10 || seen.Version != 2 {
				t.Fatalf("b locked %+v, want a's committed row", seen)
			}
		})
	}
}
