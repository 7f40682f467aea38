package store_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// TestCheckWitness_C9 (#11.4) on both engines: two logs signed with one key
// stand for a database and an older (or rewritten) copy of it. The log
// extends a checkpoint of its own past; a log shorter than a witnessed
// checkpoint is named rolled back; a log as long but with other events is
// named as not extending it.
func TestCheckWitness_C9(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			keyDir := t.TempDir()
			open := func(name string) *store.DB {
				dsn := filepath.Join(t.TempDir(), name+".db")
				if engine == "postgres" {
					dsn = storetest.PostgresDSN(t)
				}
				db, err := store.Open(ctx, dsn, store.Options{DataDir: keyDir})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = db.Close() })
				if err := db.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				return db
			}
			ping := func(db *store.DB, who string, n int) {
				for range n {
					if err := db.Write(ctx, func(tx *store.Tx) error {
						return tx.Emit(store.Event{Actor: who, Action: "test.ping", ObjectType: "ping", ObjectID: "1"})
					}); err != nil {
						t.Fatal(err)
					}
				}
			}
			live, copyOf := open("live"), open("copy")
			ping(live, "live", 6)
			cp, err := live.LatestCheckpoint(ctx)
			if err != nil {
				t.Fatal(err)
			}
			ping(live, "live", 3)
			if msg, err := live.CheckWitness(ctx, cp); err != nil || msg != "" {
				t.Fatalf("the live log against its own checkpoint: %q %v", msg, err)
			}
			ping(copyOf, "copy", 4)
			if msg, err := copyOf.CheckWitness(ctx, cp); err != nil || !strings.Contains(msg, "saw 6 events, the log now has 4") {
				t.Fatalf("a shorter log: %q %v", msg, err)
			}
			ping(copyOf, "copy", 4)
			if msg, err := copyOf.CheckWitness(ctx, cp); err != nil || !strings.Contains(msg, "does not extend the witness's checkpoint (size 6)") {
				t.Fatalf("another log as long: %q %v", msg, err)
			}
		})
	}
}
