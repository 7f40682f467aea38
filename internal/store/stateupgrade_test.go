package store_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// versionedThing is a row of the table the AddVersions test versions: its
// State before the migration had no version.
type versionedThing struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Version *int64 `json:"version,omitempty"` // absent before the migration
}

// TestAddVersions_H1_C9_onlyRowsTheLogVouchesForGetAVersion builds rows the
// way code before the version column wrote them (row and event State
// without version), adds the column as a migration does (0 on every row),
// then edits one row behind the log's back and inserts one without any
// event. AddVersions gives the untouched rows version 1, each with an event
// whose State is the row as rendered now, names the other two and leaves
// them at 0 without an event; a second run changes nothing.
func TestAddVersions_H1_C9_onlyRowsTheLogVouchesForGetAVersion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		exec := func(q string, args ...any) {
			t.Helper()
			if err := db.Write(ctx, func(tx *store.Tx) error {
				_, err := tx.Exec(ctx, q, args...)
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		prepare(t, db) // the table every store test's Verify reads
		exec(`CREATE TABLE test_versioned (id BIGINT PRIMARY KEY, name TEXT NOT NULL)`)
		for i := int64(1); i <= 300; i++ { // more than one batch
			th := versionedThing{ID: i, Name: "old" + strconv.FormatInt(i, 10)}
			err := db.Write(ctx, func(tx *store.Tx) error {
				if _, err := tx.Exec(ctx, `INSERT INTO test_versioned (id, name) VALUES (?, ?)`, th.ID, th.Name); err != nil {
					return err
				}
				st, err := json.Marshal(th)
				if err != nil {
					return err
				}
				return tx.Emit(store.Event{Actor: "old", BodyID: 9, Action: "test.thing.set", ObjectType: "test_thing",
					ObjectID: strconv.FormatInt(th.ID, 10), To: "set", State: st})
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		exec(`ALTER TABLE test_versioned ADD COLUMN version BIGINT NOT NULL DEFAULT 0`)
		exec(`UPDATE test_versioned SET name = 'tampered' WHERE id = 7`)
		exec(`INSERT INTO test_versioned (id, name) VALUES (1000, 'no event')`)

		render := func(ctx context.Context, q store.Querier, key int64) (json.RawMessage, error) {
			var th versionedThing
			var v int64
			if err := q.QueryRow(ctx, `SELECT id, name, version FROM test_versioned WHERE id = ?`, key).Scan(&th.ID, &th.Name, &v); err != nil {
				return nil, err
			}
			th.Version = &v
			return json.Marshal(th)
		}
		table := []store.VersionedTable{{ObjectType: "test_thing", Table: "test_versioned", Key: "id", State: render}}
		head := func() uint64 {
			h, err := db.Head(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return h.Size
		}
		before := head()
		rep, err := db.AddVersions(ctx, "system", table)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Versioned != 299 || len(rep.Refused) != 2 ||
			!strings.Contains(rep.Refused[0], "test_versioned id=7: the row differs from its last audited event") ||
			!strings.Contains(rep.Refused[1], "test_versioned id=1000: the row has no audited event") {
			t.Fatalf("report %+v", rep)
		}
		if got := head(); got != before+299 {
			t.Fatalf("%d events written, want 299", got-before)
		}
		for _, id := range []int64{1, 150, 300} {
			evs, err := db.Events(ctx, store.EventFilter{ObjectType: "test_thing", ObjectID: strconv.FormatInt(id, 10)})
			if err != nil {
				t.Fatal(err)
			}
			last := evs[len(evs)-1]
			row, err := render(ctx, db, id)
			if err != nil {
				t.Fatal(err)
			}
			if last.Action != store.ActionVersioned || last.Actor != "system" || last.BodyID != 9 || string(last.State) != string(row) ||
				!strings.Contains(string(row), `"version":1`) {
				t.Errorf("thing %d: last event %s by %s body %d state %s; row %s", id, last.Action, last.Actor, last.BodyID, last.State, row)
			}
		}
		for _, id := range []int64{7, 1000} {
			var v int64
			if err := db.QueryRow(ctx, `SELECT version FROM test_versioned WHERE id = ?`, id).Scan(&v); err != nil || v != 0 {
				t.Errorf("refused row %d: version %d, %v", id, v, err)
			}
		}
		if evs, err := db.Events(ctx, store.EventFilter{ObjectType: "test_thing", ObjectID: "7"}); err != nil || len(evs) != 1 {
			t.Errorf("the tampered row got an event: %d events, %v", len(evs), err)
		}

		again, err := db.AddVersions(ctx, "system", table)
		if err != nil {
			t.Fatal(err)
		}
		if again.Versioned != 0 || len(again.Refused) != 2 || head() != before+299 {
			t.Fatalf("second run: %+v, head %d", again, head())
		}
		if rep, err := db.Verify(ctx, nil); err != nil || !rep.OK() {
			t.Fatalf("verify: %+v %v", rep, err)
		}
	})
}
