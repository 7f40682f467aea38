package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/store"
)

// walFrameBytes is one WAL frame: a 24-byte header and a 4 KiB page.
const walFrameBytes = 24 + 4096

// testAutocheckpoint replaces SQLite's default wal_autocheckpoint (1000
// frames) on the writer, so that a short test crosses it many times.
const testAutocheckpoint = 100

// openSQLiteFile opens a migrated SQLite database in a temp dir and returns
// it with its file's path; the writer checkpoints every testAutocheckpoint
// frames.
func openSQLiteFile(t *testing.T) (*store.DB, string) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "qingdan.db")
	db, err := store.Open(ctx, path, store.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	prepare(t, db)
	w := db.WriterForTest() // one connection: the pragma stays set on it
	var n int64
	if err := w.QueryRowContext(ctx, fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", testAutocheckpoint)).Scan(&n); err != nil || n != testAutocheckpoint {
		t.Fatalf("wal_autocheckpoint %d: %v", n, err)
	}
	// The migrations leave a WAL file as large as their biggest run
	// (SQLite reuses the file without shrinking it), which grows with
	// every migration added: start the tests' WAL from nothing.
	var busy, frames, done int64
	if err := w.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &frames, &done); err != nil || busy != 0 {
		t.Fatalf("truncating the WAL after the migrations: busy %d, %v", busy, err)
	}
	return db, path
}

// writeLoad runs writers concurrent writers doing n writes each.
func writeLoad(t *testing.T, db *store.DB, writers, n, base int) {
	t.Helper()
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range n {
				err := db.Write(ctx, func(tx *store.Tx) error {
					return setItem(ctx, tx, item{ID: int64(base + w), Name: "w" + string(rune('a'+base+w)), N: int64(i)})
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// walFrames runs a passive checkpoint and returns the frames in the WAL
// (busy = 1 means the checkpointer was at work: try again).
func walFrames(t *testing.T, db *store.DB) int64 {
	t.Helper()
	for range 1000 {
		var busy, frames, done int64
		if err := db.QueryRow(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &done); err != nil {
			t.Fatal(err)
		}
		if busy == 0 {
			return frames
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("no passive checkpoint could run")
	return 0
}

// TestSQLiteWALStaysBoundedUnderSustainedWrites: with writers never pausing
// and readers coming and going, the WAL file does not grow without bound:
// the committer's automatic checkpoint copies it back every
// wal_autocheckpoint frames and the next commit starts it over.
func TestSQLiteWALStaysBoundedUnderSustainedWrites(t *testing.T) {
	db, path := openSQLiteFile(t)

	stop := make(chan struct{})
	var maxSeen atomic.Int64
	var bg sync.WaitGroup
	bg.Go(func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
			if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > maxSeen.Load() {
				maxSeen.Store(fi.Size())
			}
		}
	})
	bg.Go(func() { // short readers, as the web pages are
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
			if n := count(t, db, "SELECT count(*) FROM events"); n < 0 {
				t.Error("negative count")
			}
		}
	})
	before := db.Stats()
	writeLoad(t, db, 2, 1000, 0) // small groups: many commits
	close(stop)
	bg.Wait()
	st := db.Stats()

	// Each group writes at least 3 pages (its events, the tree head, the
	// item rows): without checkpoints the WAL would hold all of them.
	written := (st.Groups - before.Groups) * 3 * walFrameBytes
	bound := int64(4 * testAutocheckpoint * walFrameBytes)
	if written < 4*bound {
		t.Fatalf("only %d bytes written: too few to test a bound of %d", written, bound)
	}
	if m := maxSeen.Load(); m > bound || m == 0 {
		t.Fatalf("WAL reached %d bytes (at least %d written), bound %d", m, written, bound)
	}
	t.Logf("WAL at most %d bytes of at least %d written", maxSeen.Load(), written)
	verifyOK(t, db)
}

// TestSQLiteWALRestartsAfterALongReader: a reader on an old snapshot keeps
// the WAL from restarting (SQLite must keep the frames it reads) without
// blocking writes; once it ends, the WAL goes back under the bound.
func TestSQLiteWALRestartsAfterALongReader(t *testing.T) {
	ctx := context.Background()
	db, _ := openSQLiteFile(t)
	writeLoad(t, db, 2, 5, 0)

	rows, err := db.Query(ctx, "SELECT seq FROM events ORDER BY seq")
	if err != nil {
		t.Fatal(err)
	}
	if !rows.Next() { // the statement stays open: its snapshot is held
		t.Fatal("no events")
	}
	start := time.Now()
	writeLoad(t, db, 8, 40, 10)
	if frames := walFrames(t, db); frames <= 2*testAutocheckpoint {
		t.Fatalf("WAL at %d frames while a reader held it: the test did not cross the bound", frames)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("320 writes beside the long reader took %v", time.Since(start))

	deadline := time.Now().Add(10 * time.Second)
	for walFrames(t, db) > 2*testAutocheckpoint {
		if time.Now().After(deadline) {
			t.Fatalf("WAL not restarted after the reader ended: %d frames", walFrames(t, db))
		}
		writeLoad(t, db, 8, 2, 10)
	}
	verifyOK(t, db)
}
