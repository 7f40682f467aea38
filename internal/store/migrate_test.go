package store_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// TestPending: a database never migrated has every migration pending, a
// migrated one none, and one an older binary migrated (the newest
// migration not applied) exactly the missing one; Pending changes nothing.
func TestPending(t *testing.T) {
	ctx := context.Background()
	check := func(t *testing.T, db *store.DB, fresh *store.DB) {
		t.Helper()
		all, err := fresh.Pending(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) < 5 || all[0] != 1 || !slices.IsSorted(all) {
			t.Fatalf("never migrated: pending %v", all)
		}
		if again, err := fresh.Pending(ctx); err != nil || !slices.Equal(again, all) {
			t.Fatalf("second look: %v %v", again, err)
		}
		if got, err := db.Pending(ctx); err != nil || len(got) != 0 {
			t.Fatalf("migrated: pending %v %v", got, err)
		}
		newest := all[len(all)-1]
		err = db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `DELETE FROM goose_db_version WHERE version_id = ?`, newest)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := db.Pending(ctx); err != nil || !slices.Equal(got, []int64{newest}) {
			t.Fatalf("older binary's database: pending %v %v, want [%d]", got, err, newest)
		}
	}
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		fresh, err := store.Open(ctx, filepath.Join(dir, "fresh.db"), store.Options{DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := fresh.Close(); err != nil {
				t.Error(err)
			}
		})
		check(t, storetest.SQLite(t), fresh)
	})
	t.Run("postgres", func(t *testing.T) {
		fresh, err := store.Open(ctx, storetest.PostgresDSN(t), store.Options{DataDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := fresh.Close(); err != nil {
				t.Error(err)
			}
		})
		check(t, storetest.Postgres(t), fresh)
	})
}
