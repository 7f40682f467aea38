package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// TestWrite_afterCommitRunsOnlyForCommittedWrites: in one commit group, the
// hooks of accepted writes run once each before their Write returns; the
// hooks of writes refused by their own error, by a queued statement or by
// an immediate one never run, and neither do hooks registered outside a
// write's fn.
func TestWrite_afterCommitRunsOnlyForCommittedWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		prepare(t, db)
		ctx := context.Background()
		write(t, db, item{ID: 1000, Name: "taken"})
		const n = 16
		var ran [n]atomic.Int32
		refusal := errors.New("refused")
		errs := inOneGroup(t, db, n, func(i int) func(*store.Tx) error {
			return func(tx *store.Tx) error {
				tx.AfterCommit(func() { ran[i].Add(1) })
				name := fmt.Sprint("w", i)
				switch i % 4 {
				case 1:
					name = "taken" // refused by its queued statement
				case 2:
					if _, err := tx.Exec(ctx, "INSERT INTO test_items (id, name, n) VALUES (?, 'taken', 1)", 100+i); err != nil {
						return err // refused by its immediate statement
					}
				}
				if err := queueItem(ctx, tx, item{ID: int64(i), Name: name, N: 1}); err != nil {
					return err
				}
				if i%4 == 3 {
					return refusal
				}
				return nil
			}
		})
		for i := range n {
			want := int32(0)
			if i%4 == 0 {
				want = 1
				if errs[i] != nil {
					t.Errorf("write %d: %v", i, errs[i])
				}
			} else if errs[i] == nil {
				t.Errorf("write %d was not refused", i)
			}
			if got := ran[i].Load(); got != want {
				t.Errorf("write %d (error %v): its hook ran %d times, want %d", i, errs[i], got, want)
			}
		}

		// A write that only reads (nothing to commit on PostgreSQL) still
		// runs its hook.
		var alone atomic.Int32
		if err := db.Write(ctx, func(tx *store.Tx) error {
			tx.AfterCommit(func() { alone.Add(1) })
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if alone.Load() != 1 {
			t.Errorf("the hook of a write without statements ran %d times, want 1 before Write returned", alone.Load())
		}
	})
}
