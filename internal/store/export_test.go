package store

import "database/sql"

// Internals the external tests and benchmarks need.

// WriterForTest is the committer's connection pool, for the benchmark's raw
// baseline that bypasses Write.
func (db *DB) WriterForTest() *sql.DB { return db.writer }
