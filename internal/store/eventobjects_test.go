package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// TestEventObjectsMigration_C3 builds a log before migration 0003 (SQLite:
// events_object index; PostgreSQL: unchanged by 0003), migrates it and checks
// that every object's history (C3 "every step is recorded", 痕迹化) reads the
// same as before, that SQLite's event_objects holds every event with the
// watermark at the log's end, and that the log goes on growing and folding.
func TestEventObjectsMigration_C3(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db := openAtMigration(t, engine, 1)
			const oldSize = 45
			writeOldLayout(t, db, oldSize) // objects 0..8
			histories := func() string {
				rows, err := db.Query(ctx, "SELECT object_id, seq FROM events WHERE object_type = 'test_item' ORDER BY object_id, seq")
				if err != nil {
					t.Fatal(err)
				}
				defer rows.Close()
				h := map[string][]int64{}
				for rows.Next() {
					var id string
					var seq int64
					if err := rows.Scan(&id, &seq); err != nil {
						t.Fatal(err)
					}
					h[id] = append(h[id], seq)
				}
				if err := rows.Err(); err != nil {
					t.Fatal(err)
				}
				return fmt.Sprint(h)
			}
			before := histories()
			if err := db.MigrateToForTest(ctx, 2); err != nil {
				t.Fatal(err)
			}
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if after := histories(); after != before {
				t.Fatalf("events changed by the migration:\n%s\n%s", after, before)
			}
			objects := make([]string, 10)
			for i := range objects {
				objects[i] = strconv.Itoa(i)
			}
			checkHistories(t, db, objects)
			if engine == "sqlite" {
				if n, w := count(t, db, "SELECT count(*) FROM event_objects"), watermark(t, db); n != oldSize || w != oldSize {
					t.Fatalf("event_objects %d rows, watermark %d, want %d and %d", n, w, oldSize, oldSize)
				}
				if n := count(t, db, "SELECT count(*) FROM sqlite_schema WHERE name = 'events_object'"); n != 0 {
					t.Fatal("events_object index still there")
				}
			}
			if rep := verifyOK(t, db); rep.Events != oldSize {
				t.Fatalf("report %+v", rep)
			}
			if err := db.SetFoldForTest(ctx, 6, time.Hour); err != nil {
				t.Fatal(err)
			}
			for i := range 20 {
				write(t, db, item{ID: int64(i % 10), Name: "new" + strconv.Itoa(i%10), N: int64(i)})
				checkHistories(t, db, objects)
			}
			if w := watermark(t, db); engine == "sqlite" && (w <= oldSize || oldSize+20-w >= 6) {
				t.Fatalf("watermark %d after 20 writes folding by 6", w)
			}
			verifyOK(t, db)
		})
	}
}

// TestTailLeftByEarlierProcess (SQLite): the unfolded tail a stopped process
// left (it is committed data like any other; a group interrupted by a crash
// left nothing, as a failed group does) is read right by the next process,
// whose committer folds it once idle.
func TestTailLeftByEarlierProcess(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "q.db")
	open := func() *store.DB {
		db, err := store.Open(ctx, path, store.Options{DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		return db
	}
	db := open()
	prepare(t, db)
	if err := db.SetFoldForTest(ctx, 100, time.Hour); err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		write(t, db, item{ID: int64(i % 3), Name: fmt.Sprint("i", i%3), N: int64(i)})
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = open()
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	objects := []string{"0", "1", "2"}
	if w := watermark(t, db); w != 0 {
		t.Fatalf("watermark %d, want the tail of 10 unfolded", w)
	}
	checkHistories(t, db, objects)
	deadline := time.Now().Add(5 * time.Second)
	for watermark(t, db) != 10 {
		if time.Now().After(deadline) {
			t.Fatalf("the idle committer did not fold the tail: watermark %d", watermark(t, db))
		}
		time.Sleep(10 * time.Millisecond)
	}
	checkHistories(t, db, objects)
	verifyOK(t, db)
}

// TestVerifyNamesEventObjectsMismatch (SQLite): an event_objects row
// removed, one added, or a watermark moved behind the store's back would
// change objects' histories; Verify names the first such row.
func TestVerifyNamesEventObjectsMismatch(t *testing.T) {
	cases := []struct {
		edit, want string
	}{
		{"DELETE FROM event_objects WHERE seq = 9",
			"event_objects: event #9 (test_item:2) is missing"},
		{"INSERT INTO event_objects (object_type, object_id, seq) VALUES ('test_item', '3', 9)",
			"event_objects: row (test_item:3, #9) is not an event below indexed_upto 16"},
		{"UPDATE event_objects SET object_id = '6' WHERE seq = 12",
			"event_objects: event #12 (test_item:5) is missing"},
		{"UPDATE audit_head SET indexed_upto = 18",
			"event_objects: event #16 (test_item:2) is missing"},
		{"UPDATE audit_head SET indexed_upto = 12",
			"event_objects: row (test_item:5, #12) is not an event below indexed_upto 12"},
		{"UPDATE audit_head SET indexed_upto = 21",
			"audit_head: indexed_upto 21 is outside the log 0..20"},
	}
	for _, c := range cases {
		t.Run(c.edit, func(t *testing.T) {
			db := storetest.SQLite(t)
			prepare(t, db)
			if err := db.SetFoldForTest(context.Background(), 8, time.Hour); err != nil {
				t.Fatal(err)
			}
			fill(t, db) // 20 events, folded at 8 and 16
			if w := watermark(t, db); w != 16 {
				t.Fatalf("watermark %d, want 16", w)
			}
			verifyOK(t, db)
			raw(t, db, c.edit)
			verifyMismatch(t, db, c.want)
		})
	}
}
