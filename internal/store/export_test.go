package store

import (
	"context"
	"database/sql"
	"time"
)

// Internals the external tests and benchmarks need.

// WriterForTest is the committer's connection pool, for the benchmark's raw
// baseline that bypasses Write.
func (db *DB) WriterForTest() *sql.DB { return db.writer }

// MigrateToForTest applies migrations up to and including version only, to
// build a database in an older layout.
func (db *DB) MigrateToForTest(ctx context.Context, version int64) error {
	p, err := db.migrationProvider()
	if err != nil {
		return err
	}
	_, err = p.UpTo(ctx, version)
	return err
}

// SetFoldForTest sets SQLite's fold bound and idle delay (append.go). It runs
// on the committer goroutine, which owns them, as a write of nothing.
func (db *DB) SetFoldForTest(ctx context.Context, bound int, idle time.Duration) error {
	return db.Write(ctx, func(tx *Tx) error {
		db.foldBound, db.foldIdleAfter = bound, idle
		return nil
	})
}

// SetLeaseTTLForTest shortens leases (lease.go) for in-process tests. Call it
// before RunPeriodic or Consume.
func (db *DB) SetLeaseTTLForTest(ttl time.Duration) { db.leaseTTL = ttl }
