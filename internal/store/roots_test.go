package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/store"
)

// TestEventRoots_timelineByRoot (#12.2): events name the root their object
// belongs to (their object by default); a root's timeline is read by root,
// in seq order, and includes the events recorded before roots were (v1
// leaves, found by their object). Old and new leaves both verify, and the
// root is covered by the leaf hash.
func TestEventRoots_timelineByRoot(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db := openAtMigration(t, engine, 1)
			writeOldLayout(t, db, 9) // test_item 0…8, events #0…#8, v1 leaves
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			emit := func(e store.Event) {
				t.Helper()
				e.Actor = "tester"
				if err := db.Write(ctx, func(tx *store.Tx) error { return tx.Emit(e) }); err != nil {
					t.Fatal(err)
				}
			}
			emit(store.Event{Action: "case.accepted", ObjectType: "case", ObjectID: "7"})                                                         // #9
			emit(store.Event{Action: "clock.started", ObjectType: "clock", ObjectID: "70", RootType: "case", RootID: "7"})                        // #10
			emit(store.Event{Action: "case.accepted", ObjectType: "case", ObjectID: "8"})                                                         // #11
			emit(store.Event{Action: "document.added", ObjectType: "document", ObjectID: "5", RootType: "case", RootID: "7"})                     // #12
			emit(store.Event{Action: "test.item.touched", ObjectType: "test_item", ObjectID: "3", State: []byte(`{"id":3,"name":"old3","n":3}`)}) // #13
			emit(store.Event{Action: "clock.started", ObjectType: "clock", ObjectID: "80", RootType: "case", RootID: "8"})                        // #14
			seqs := func(f store.EventFilter) []int64 {
				t.Helper()
				evs, err := db.Events(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				var out []int64
				for _, e := range evs {
					out = append(out, e.Seq)
				}
				return out
			}
			if got := seqs(store.EventFilter{RootType: "case", RootID: "7"}); !slices.Equal(got, []int64{9, 10, 12}) {
				t.Fatalf("case 7's timeline: %v", got)
			}
			if got := seqs(store.EventFilter{RootType: "case", RootID: "7", FromSeq: 10, Limit: 1}); !slices.Equal(got, []int64{10}) {
				t.Fatalf("case 7's timeline from #10, one event: %v", got)
			}
			if got := seqs(store.EventFilter{RootType: "test_item", RootID: "3"}); !slices.Equal(got, []int64{3, 13}) {
				t.Fatalf("test_item 3's timeline (a v1 event, then a v2 one): %v", got)
			}
			evs, err := db.Events(ctx, store.EventFilter{FromSeq: 3, ToSeq: 4})
			if err != nil || len(evs) != 1 || evs[0].RootType != "" || evs[0].Leaf().Version() != 1 {
				t.Fatalf("the old event: %+v %v", evs, err)
			}
			evs, err = db.Events(ctx, store.EventFilter{FromSeq: 9, ToSeq: 10})
			if err != nil || len(evs) != 1 || evs[0].RootType != "case" || evs[0].RootID != "7" || evs[0].Leaf().Version() != 2 {
				t.Fatalf("a new event's default root: %+v %v", evs, err)
			}
			if _, err := db.Events(ctx, store.EventFilter{RootType: "case"}); err == nil {
				t.Fatal("half a root accepted by Events")
			}
			err = db.Write(ctx, func(tx *store.Tx) error {
				return tx.Emit(store.Event{Actor: "t", Action: "x", ObjectType: "clock", ObjectID: "1", RootType: "case"})
			})
			if err == nil || !strings.Contains(err.Error(), "RootType and RootID go together") {
				t.Fatalf("half a root emitted: %v", err)
			}
			if engine == "sqlite" {
				var plan []string
				rows, err := db.Query(ctx, "EXPLAIN QUERY PLAN SELECT seq FROM events WHERE root_type = ? AND root_id = ? ORDER BY seq", "case", "7")
				if err != nil {
					t.Fatal(err)
				}
				for rows.Next() {
					var id, parent, unused int
					var detail string
					if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
						t.Fatal(err)
					}
					plan = append(plan, detail)
				}
				rows.Close()
				if p := strings.Join(plan, "; "); !strings.Contains(p, "events_root") || strings.Contains(p, "TEMP B-TREE") {
					t.Fatalf("a root's timeline is not one indexed read: %s", p)
				}
			}
			verifyOK(t, db)
			// The root is hashed: moving an event to another root, or
			// making it look like an old event, is named.
			raw(t, db, "UPDATE events SET root_id = '8' WHERE seq = 10")
			verifyMismatch(t, db, "event #10 (clock.started clock:70): stored content does not match its leaf hash")
			raw(t, db, "UPDATE events SET root_type = '', root_id = '' WHERE seq = 10")
			verifyMismatch(t, db, "event #10 (clock.started clock:70): stored content does not match its leaf hash")
		})
	}
}
