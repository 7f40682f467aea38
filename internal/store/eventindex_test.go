package store_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
)

// TestEventsObjectIndexMigration_C3 builds a log before migration 0007 (on
// SQLite: event_objects and its watermark, as migration 0003 left them, with
// part of the log still in the unfolded tail), migrates it and checks that
// every object's history (C3 "every step is recorded", 痕迹化) reads the
// same as before through the plain index events_object, that the fold's
// table and watermark are gone, and that the log verifies and goes on
// growing with exact histories.
func TestEventsObjectIndexMigration_C3(t *testing.T) {
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
			if err := db.MigrateToForTest(ctx, 6); err != nil {
				t.Fatal(err)
			}
			if engine == "sqlite" {
				// As a process folding by batches left it: the last 20
				// events in the tail.
				raw(t, db, "DELETE FROM event_objects WHERE seq >= 25")
				raw(t, db, "UPDATE audit_head SET indexed_upto = 25 WHERE id = 1")
			}
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if after := histories(); after != before {
				t.Fatalf("events changed by the migration:\n%s\n%s", after, before)
			}
			if engine == "sqlite" {
				if n := count(t, db, "SELECT count(*) FROM sqlite_schema WHERE name = 'event_objects'"); n != 0 {
					t.Fatal("event_objects is still there")
				}
				if n := count(t, db, "SELECT count(*) FROM pragma_table_info('audit_head') WHERE name = 'indexed_upto'"); n != 0 {
					t.Fatal("the watermark is still there")
				}
				if n := count(t, db, "SELECT count(*) FROM sqlite_schema WHERE name = 'events_object'"); n != 1 {
					t.Fatal("no events_object index")
				}
			}
			objects := make([]string, 10)
			for i := range objects {
				objects[i] = strconv.Itoa(i)
			}
			checkHistories(t, db, objects)
			if rep := verifyOK(t, db); rep.Events != oldSize {
				t.Fatalf("report %+v", rep)
			}
			for i := range 20 {
				write(t, db, item{ID: int64(i % 10), Name: "new" + strconv.Itoa(i%10), N: int64(i)})
				checkHistories(t, db, objects)
			}
			verifyOK(t, db)
		})
	}
}
