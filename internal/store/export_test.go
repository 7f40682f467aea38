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

// SetLeaseTTLForTest shortens leases (lease.go) for in-process tests. Call it
// before RunPeriodic or Consume.
func (db *DB) SetLeaseTTLForTest(ttl time.Duration) { db.leaseTTL = ttl }

// ErrSavepointLostForTest is errSavepointLost, for the tests of a refusal
// that took SQLite's transaction with it.
var ErrSavepointLostForTest = errSavepointLost
