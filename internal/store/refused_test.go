package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// TestWrite_H1_aRefusedWriteIsAnsweredAfterItsGroupCommits: two writes
// share a group and both claim one row; the second sees the first's claim
// and refuses. When its Write returns, the claim it lost to is committed:
// the caller's next read shows it (a stale edit shows the change that made
// it stale, not the state it was based on).
func TestWrite_H1_aRefusedWriteIsAnsweredAfterItsGroupCommits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		prepare(t, db)
		write(t, db, item{ID: 1, Name: "claim", N: 0})
		errTaken := errors.New("taken")
		claimed := func() int64 {
			var n int64
			if err := db.QueryRow(ctx, `SELECT n FROM test_items WHERE id = 1`).Scan(&n); err != nil {
				t.Error(err)
			}
			return n
		}
		for trial := range int64(20) {
			// A write holds the committer while both claims queue up behind
			// it, so that they share the next group.
			release, blocked := make(chan struct{}), make(chan struct{})
			var once sync.Once
			held := make(chan error, 1)
			go func() {
				held <- db.Write(ctx, func(*store.Tx) error {
					once.Do(func() { close(blocked) })
					<-release
					return nil
				})
			}()
			<-blocked
			var seen [2]int64
			var errs [2]error
			var wg sync.WaitGroup
			for i := range 2 {
				wg.Go(func() {
					errs[i] = db.Write(ctx, func(tx *store.Tx) error {
						var n int64
						if err := tx.QueryRow(ctx, `SELECT n FROM test_items WHERE id = 1`).Scan(&n); err != nil {
							return err
						}
						if n != trial {
							return errTaken
						}
						return setItem(ctx, tx, item{ID: 1, Name: "claim", N: trial + 1})
					})
					seen[i] = claimed() // at once, as a refused edit reads the current values
				})
			}
			// Both claims are waiting for the committer by then (a claim
			// that is not gets a group of its own and sees the other's
			// claim committed: the test then proves nothing, not wrong).
			time.Sleep(20 * time.Millisecond)
			close(release)
			wg.Wait()
			if err := <-held; err != nil {
				t.Fatal(err)
			}
			lost := 0
			for i, err := range errs {
				switch {
				case err == nil:
				case errors.Is(err, errTaken):
					lost++
					if seen[i] != trial+1 {
						t.Fatalf("trial %d: the refused write read the claim as %d, before the write it lost to committed", trial, seen[i])
					}
				default:
					t.Fatal(err)
				}
			}
			if lost > 1 {
				t.Fatalf("trial %d: both claims refused", trial)
			}
		}
	})
}
