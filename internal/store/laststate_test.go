package store_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// TestLastState: the State of an object's last event, through the reader
// pool and inside a write (where an event emitted earlier in the group is
// the last one); nothing for an object without events. The SQLite
// by-object index is folded in batches, so the object's events are found
// on both sides of the fold.
func TestLastState(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		prepare(t, db)
		for i := range int64(3) {
			write(t, db, item{ID: 1, Name: "one", N: i})
			write(t, db, item{ID: 2, Name: "two", N: i})
		}
		st, seq, err := store.LastState(ctx, db, "test_item", "1")
		if err != nil || seq == 0 || string(st) != `{"id":1,"name":"one","n":2}` {
			t.Fatalf("last state of 1: %s #%d %v", st, seq, err)
		}
		if st, seq, err := store.LastState(ctx, db, "test_item", "9"); err != nil || st != nil || seq != 0 {
			t.Fatalf("no events: %s #%d %v", st, seq, err)
		}
		err = db.Write(ctx, func(tx *store.Tx) error {
			if err := setItem(ctx, tx, item{ID: 1, Name: "one", N: 7}); err != nil {
				return err
			}
			st, _, err := store.LastState(ctx, tx, "test_item", "1")
			if err != nil {
				return err
			}
			var it item
			if err := json.Unmarshal(st, &it); err != nil || it.N != 7 {
				t.Errorf("inside the write: %s %v", st, err)
			}
			st, _, err = store.LastState(ctx, tx, "test_item", "2")
			if string(st) != `{"id":2,"name":"two","n":2}` {
				t.Errorf("another object inside the write: %s %v", st, err)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
