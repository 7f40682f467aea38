package store_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/audit"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// TestNodesMigration_C9_oldLogKeepsProving builds a log in the layout of
// migration 0001 (audit_nodes keyed by level, idx), migrates it to 0002
// (keyed by last leaf, level) and checks that nothing published changed:
// Verify passes, inclusion and consistency proofs against the roots computed
// before the migration verify, and the log goes on growing through the write
// path with proofs spanning old and new nodes.
func TestNodesMigration_C9_oldLogKeepsProving(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db := openAtMigration(t, engine, 1)
			const oldSize, midSize = 45, 13
			roots := writeOldLayout(t, db, oldSize)

			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if n := count(t, db, "SELECT count(*) FROM audit_nodes WHERE last_leaf >= 0"); n != oldSize-4 { // n leaves complete n − popcount(n) nodes; 45 = 101101b
				t.Fatalf("%d nodes after migration, want %d", n, oldSize-4)
			}
			rep := verifyOK(t, db)
			if rep.Events != oldSize || rep.Nodes != oldSize-4 {
				t.Fatalf("report %+v", rep)
			}
			if r, err := db.RootAt(ctx, midSize); err != nil || r != roots[midSize] {
				t.Fatalf("root at %d from migrated nodes: %x, %v", midSize, r, err)
			}
			for _, seq := range []uint64{0, 7, 31, 44} {
				leaf, err := db.LeafHash(ctx, seq)
				if err != nil {
					t.Fatal(err)
				}
				p, err := db.InclusionProof(ctx, seq, oldSize)
				if err != nil {
					t.Fatal(err)
				}
				if err := audit.VerifyInclusion(seq, oldSize, leaf, p, roots[oldSize]); err != nil {
					t.Fatalf("inclusion of %d in the pre-migration root: %v", seq, err)
				}
			}
			p, err := db.ConsistencyProof(ctx, midSize, oldSize)
			if err != nil {
				t.Fatal(err)
			}
			if err := audit.VerifyConsistency(midSize, oldSize, p, roots[midSize], roots[oldSize]); err != nil {
				t.Fatalf("consistency %d→%d across the migration: %v", midSize, oldSize, err)
			}

			// The write path appends to the migrated tree.
			for i := range 20 {
				write(t, db, item{ID: int64(1000 + i), Name: "new" + strconv.Itoa(i), N: int64(i)})
			}
			rep = verifyOK(t, db)
			if rep.Events != oldSize+20 || rep.Nodes != oldSize+20-2 { // 65 = 1000001b
				t.Fatalf("report after new writes %+v", rep)
			}
			cp, err := db.LatestCheckpoint(ctx)
			if err != nil {
				t.Fatal(err)
			}
			p, err = db.ConsistencyProof(ctx, oldSize, cp.Size)
			if err != nil {
				t.Fatal(err)
			}
			if err := audit.VerifyConsistency(oldSize, cp.Size, p, roots[oldSize], cp.Root); err != nil {
				t.Fatalf("consistency from the migrated log to the grown one: %v", err)
			}
			leaf, err := db.LeafHash(ctx, 3)
			if err != nil {
				t.Fatal(err)
			}
			if p, err = db.InclusionProof(ctx, 3, cp.Size); err != nil {
				t.Fatal(err)
			}
			if err := audit.VerifyInclusion(3, cp.Size, leaf, p, cp.Root); err != nil {
				t.Fatalf("inclusion of an old leaf in the grown log: %v", err)
			}
		})
	}
}

// writeOldLayout appends n test_item events the way the 0001 layout stored
// them: events rows, internal nodes as (level, idx, hash), the tree head. It
// returns the root at every size.
func writeOldLayout(t *testing.T, db *store.DB, n int) map[uint64][32]byte {
	t.Helper()
	ctx := context.Background()
	tree, err := audit.NewTree(0, nil)
	if err != nil {
		t.Fatal(err)
	}
	roots := map[uint64][32]byte{0: tree.Root()}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	err = db.Write(ctx, func(tx *store.Tx) error {
		for i := range n {
			it := item{ID: int64(i % 9), Name: "old" + strconv.Itoa(i%9), N: int64(i)}
			state, err := json.Marshal(it)
			if err != nil {
				return err
			}
			l := audit.Leaf{Seq: uint64(i), AtMicros: store.Micros(at), Actor: "tester", Action: "test.item.set",
				ObjectType: "test_item", ObjectID: strconv.FormatInt(it.ID, 10), Payload: []byte(`{"why":"old"}`), State: state}
			h := l.Hash()
			if _, err := tx.Exec(ctx, `INSERT INTO events (seq, at, actor, body_id, action, object_type, object_id,
				from_state, to_state, payload, state, leaf_hash) VALUES (?, ?, ?, 0, ?, ?, ?, '', '', ?, ?, ?)`,
				i, l.AtMicros, l.Actor, l.Action, l.ObjectType, l.ObjectID, string(l.Payload), string(l.State), h[:]); err != nil {
				return err
			}
			var nodeErr error
			if err := tree.Append(h, func(id audit.NodeID, nh [32]byte) {
				if nodeErr == nil {
					_, nodeErr = tx.Exec(ctx, "INSERT INTO audit_nodes (level, idx, hash) VALUES (?, ?, ?)",
						int64(id.Level), int64(id.Index), nh[:])
				}
			}); err != nil {
				return err
			}
			if nodeErr != nil {
				return nodeErr
			}
			if _, err := tx.Exec(ctx, `INSERT INTO test_items (id, name, n) VALUES (?, ?, ?)
				ON CONFLICT (id) DO UPDATE SET name = excluded.name, n = excluded.n`, it.ID, it.Name, it.N); err != nil {
				return err
			}
			roots[tree.Size()] = tree.Root()
		}
		root := tree.Root()
		_, err := tx.Exec(ctx, "UPDATE audit_head SET size = ?, root = ?, frontier = ? WHERE id = 1",
			n, root[:], audit.EncodeFrontier(tree.Frontier()))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return roots
}

// openAtMigration opens a fresh store of the engine with migrations applied
// up to version only, ready for a log written in that version's layout.
func openAtMigration(t *testing.T, engine string, version int64) *store.DB {
	t.Helper()
	ctx := context.Background()
	dsn, dir := filepath.Join(t.TempDir(), "old.db"), t.TempDir()
	if engine == "postgres" {
		dsn = storetest.PostgresDSN(t)
	}
	db, err := store.Open(ctx, dsn, store.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	if err := db.MigrateToForTest(ctx, version); err != nil {
		t.Fatal(err)
	}
	prepare(t, db)
	return db
}
