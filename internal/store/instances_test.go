package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// TestTwoInstancesSharingPostgresKeepOneTotalOrder runs two stores (two
// "qingdan serve" processes) on one PostgreSQL database, writing at once and
// then taking turns: each caches the tree head it last committed, so every
// turn starts from a stale head, which the head's conditional update must
// catch (reload under the row lock, run again). One gap-free sequence and
// one tree that verifies must come out (DESIGN decision 2: scale-out is
// several instances on one PostgreSQL).
func TestTwoInstancesSharingPostgresKeepOneTotalOrder(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	dataDir := t.TempDir() // shared signing key, as the deployment guide requires
	ctx := context.Background()
	var dbs []*store.DB
	for range 2 {
		db, err := store.Open(ctx, dsn, store.Options{DataDir: dataDir})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := db.Close(); err != nil {
				t.Error(err)
			}
		})
		dbs = append(dbs, db)
	}
	// Both migrate at once, as two instances starting together do.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, db := range dbs {
		wg.Go(func() { errs[i] = db.Migrate(ctx) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	prepare(t, dbs[0])
	const perWriter = 60
	errc := make(chan error, 8)
	for w := range 8 {
		db := dbs[w%2]
		wg.Go(func() {
			for i := range perWriter {
				it := item{ID: int64(w), Name: fmt.Sprint("w", w), N: int64(i)}
				set := setItem
				if w%4 >= 2 {
					set = queueItem // both ways of writing, on both instances
				}
				if err := db.Write(ctx, func(tx *store.Tx) error { return set(ctx, tx, it) }); err != nil {
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
	const turns = 20
	for i := range turns {
		it := item{ID: 100, Name: "turns", N: int64(i)}
		if err := dbs[i%2].Write(ctx, func(tx *store.Tx) error { return queueItem(ctx, tx, it) }); err != nil {
			t.Fatalf("turn %d: %v", i, err)
		}
	}
	const total = 8*perWriter + turns
	head, err := dbs[1].Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if head.Size != total {
		t.Fatalf("tree size %d, want %d", head.Size, total)
	}
	if n := count(t, dbs[0], "SELECT count(*) FROM events WHERE seq >= 0 AND seq < ?", total); n != total {
		t.Fatalf("%d events in 0..%d", n, total-1)
	}
	for _, db := range dbs {
		verifyOK(t, db)
	}
}

// TestReopenSQLiteKeepsLogAndKey reopens a file database: migrations are not
// re-applied, the log continues where it stopped and old checkpoints still
// verify with the key loaded from the data directory.
func TestReopenSQLiteKeepsLogAndKey(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/q.db"
	ctx := context.Background()
	for round := range 2 {
		db, err := store.Open(ctx, "sqlite:"+path, store.Options{DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if round == 0 {
			prepare(t, db)
		}
		for i := range 5 {
			write(t, db, item{ID: int64(round*10 + i), Name: fmt.Sprint(round, i)})
		}
		rep := verifyOK(t, db)
		if rep.Events != uint64(5*(round+1)) || rep.Checkpoints != round+1 {
			t.Fatalf("round %d: %+v", round, rep)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
