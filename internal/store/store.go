// Package store opens qingdan's database (SQLite embedded, PostgreSQL in
// production), migrates it, and owns the write path: every change goes
// through DB.Write, which groups concurrent callers into one transaction,
// assigns each emitted event its sequence number (= its leaf index in the
// audit log) and appends the event, the new Merkle nodes and the tree head in
// that same transaction (docs/INTERNALS.md, "The write path").
package store

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/qingdan/qingdan/internal/audit"
)

// Dialect is the database engine behind a DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Options configure Open.
type Options struct {
	// DataDir holds the checkpoint signing key (audit-ed25519.key, created on
	// first start). Ignored when SigningKey is set. With neither, the store
	// works but cannot sign checkpoints and Verify cannot check them.
	DataDir string
	// SigningKey signs checkpoints; instances sharing one PostgreSQL database
	// must use the same key.
	SigningKey ed25519.PrivateKey
	// ReadConns bounds the reader pool (default 8).
	ReadConns int
}

// ErrClosed is returned by Write after Close.
var ErrClosed = errors.New("store: database is closed")

// DB is an open database: a writer used only by the committer goroutine and
// a pool of readers. It is safe for concurrent use.
type DB struct {
	dialect Dialect
	// writer is the single connection (SQLite) or the small pool
	// (PostgreSQL) the committer begins its transactions on; migrations
	// also run on it.
	writer *sql.DB
	// reader serves Query and QueryRow.
	reader *sql.DB
	key    ed25519.PrivateKey

	reqs chan *request
	quit chan struct{}
	done chan struct{}
	once sync.Once

	// stmts caches prepared statements on the SQLite writer connection; only
	// the committer goroutine touches it. pgx caches statements itself.
	stmts  map[string]*sql.Stmt
	missed map[string]struct{}

	// head caches the PostgreSQL tree head between groups (pgwrite.go).
	head treeHead

	// readStmts caches prepared statements of the SQLite reader pool
	// (query → *sql.Stmt; database/sql prepares each on a connection when
	// first used there). At most maxCachedStmts, never evicted, so a
	// statement in use is never closed under its caller.
	readStmts sync.Map
	readN     atomic.Int32

	groups, writes atomic.Int64 // committed groups and the writes in them

	// commitCh is closed (and replaced) when a group with events commits:
	// consumers waiting on it wake (consumer.go).
	commitMu sync.Mutex
	commitCh chan struct{}

	// leaseTTL is how long a job's lease lasts unless renewed (lease.go).
	leaseTTL time.Duration
}

// WriteStats counts committed groups and the writes they carried; their
// ratio is how well group commit is amortising the fsync.
type WriteStats struct {
	Groups int64
	Writes int64
}

// Stats returns counters since Open.
func (db *DB) Stats() WriteStats {
	return WriteStats{Groups: db.groups.Load(), Writes: db.writes.Load()}
}

// Open opens the database named by dsn: "postgres://…" or "postgresql://…"
// for PostgreSQL; otherwise an SQLite file path, optionally prefixed by
// "sqlite:" or "file:". It does not migrate: call Migrate.
func Open(ctx context.Context, dsn string, opts Options) (*DB, error) {
	db := &DB{
		reqs:   make(chan *request),
		quit:   make(chan struct{}),
		done:   make(chan struct{}),
		stmts:  map[string]*sql.Stmt{},
		missed: map[string]struct{}{},

		commitCh: make(chan struct{}),
		leaseTTL: defaultLeaseTTL,
	}
	switch {
	case opts.SigningKey != nil:
		db.key = opts.SigningKey
	case opts.DataDir != "":
		k, err := audit.LoadOrCreateKey(opts.DataDir)
		if err != nil {
			return nil, err
		}
		db.key = k
	}
	readConns := opts.ReadConns
	if readConns <= 0 {
		readConns = 8
	}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		db.dialect = Postgres
		// Two pools: readers can never starve the committer of a
		// connection, and the committer's connection keeps its prepared
		// statements warm. The writer pool has room for goose's advisory
		// lock connection beside the migration's own.
		w, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("store: open postgres: %w", err)
		}
		w.SetMaxOpenConns(4)
		w.SetMaxIdleConns(2)
		r, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, errors.Join(fmt.Errorf("store: open postgres: %w", err), w.Close())
		}
		r.SetMaxOpenConns(readConns)
		r.SetMaxIdleConns(readConns)
		r.SetConnMaxIdleTime(5 * time.Minute)
		db.writer, db.reader = w, r
	} else {
		db.dialect = SQLite
		path, err := sqlitePath(dsn)
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		w, err := sql.Open("sqlite", sqliteDSN(path, true))
		if err != nil {
			return nil, fmt.Errorf("store: open sqlite: %w", err)
		}
		// One writer connection: SQLite allows one writer at a time anyway,
		// and the committer is its only user.
		w.SetMaxOpenConns(1)
		w.SetMaxIdleConns(1)
		w.SetConnMaxLifetime(0)
		w.SetConnMaxIdleTime(0)
		r, err := sql.Open("sqlite", sqliteDSN(path, false))
		if err != nil {
			return nil, errors.Join(fmt.Errorf("store: open sqlite: %w", err), w.Close())
		}
		r.SetMaxOpenConns(readConns)
		r.SetMaxIdleConns(readConns)
		db.writer, db.reader = w, r
	}
	if err := errors.Join(db.writer.PingContext(ctx), db.reader.PingContext(ctx)); err != nil {
		return nil, errors.Join(fmt.Errorf("store: connect: %w", err), db.closePools())
	}
	if db.dialect == SQLite {
		// Check the pragmas took: a silently ignored synchronous=FULL would
		// weaken durability without anyone noticing.
		var mode string
		var sync int
		err := db.writer.QueryRowContext(ctx, "SELECT journal_mode, synchronous FROM pragma_journal_mode, pragma_synchronous").Scan(&mode, &sync)
		if err != nil {
			return nil, errors.Join(fmt.Errorf("store: %w", err), db.closePools())
		}
		if mode != "wal" || sync != 2 {
			return nil, errors.Join(fmt.Errorf("store: journal_mode %q synchronous %d, want wal and 2 (FULL)", mode, sync), db.closePools())
		}
	}
	go db.commitLoop()
	return db, nil
}

// sqlitePath extracts the file path from an SQLite dsn.
func sqlitePath(dsn string) (string, error) {
	p := strings.TrimPrefix(dsn, "sqlite:")
	p = strings.TrimPrefix(p, "file:")
	if p == "" || p == ":memory:" || strings.HasPrefix(p, ":memory:") {
		return "", errors.New("store: SQLite needs a file (the writer and the readers must share it), not :memory:")
	}
	if strings.ContainsAny(p, "?#") {
		return "", fmt.Errorf("store: SQLite path %q: parameters are not accepted, qingdan sets its own pragmas", p)
	}
	return p, nil
}

// sqliteDSN builds the modernc DSN; the pragmas are applied to every new
// connection. busy_timeout comes first so that switching to WAL waits for a
// lock instead of failing.
func sqliteDSN(path string, writer bool) string {
	v := url.Values{}
	v.Add("_pragma", "busy_timeout(10000)")
	v.Add("_pragma", "journal_mode(WAL)")
	// FULL: every commit is fsynced before Write returns; the audit log
	// promises that an answered write survives a power cut.
	v.Add("_pragma", "synchronous(FULL)")
	v.Add("_pragma", "foreign_keys(1)")
	// Statement journals (the undo of one statement inside a transaction,
	// e.g. a multi-row INSERT) stay in memory instead of a temp file; they
	// are never needed after a crash, so durability is unchanged.
	v.Add("_pragma", "temp_store(MEMORY)")
	if !writer {
		// Readers map the database file (up to SQLite's default cap, just
		// under 2 GiB) instead of a pread per page: ~15% off an item
		// page served from its snapshot (BENCHMARKS.md). Writes still go
		// through the writer's pwrite and the WAL.
		v.Add("_pragma", "mmap_size(2147418112)")
	}
	if writer {
		// BEGIN IMMEDIATE takes the write lock up front, so a transaction
		// never fails half-way with SQLITE_BUSY on its first write.
		v.Add("_txlock", "immediate")
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + v.Encode()
}

// Dialect tells which engine this is.
func (db *DB) Dialect() Dialect { return db.dialect }

// PublicKey is the checkpoint verification key (nil without a signing key).
func (db *DB) PublicKey() ed25519.PublicKey {
	if db.key == nil {
		return nil
	}
	return db.key.Public().(ed25519.PublicKey)
}

// Close stops the committer (pending writes get ErrClosed) and closes the
// connections.
func (db *DB) Close() error {
	db.once.Do(func() { close(db.quit) })
	<-db.done
	var err error
	for q, s := range db.stmts {
		err = errors.Join(err, s.Close())
		delete(db.stmts, q)
	}
	db.readStmts.Range(func(q, s any) bool {
		err = errors.Join(err, s.(*sql.Stmt).Close())
		db.readStmts.Delete(q)
		return true
	})
	return errors.Join(err, db.closePools())
}

func (db *DB) closePools() error {
	err := db.writer.Close()
	if db.reader != db.writer {
		err = errors.Join(err, db.reader.Close())
	}
	return err
}

// Querier runs reads; *DB (the reader pool) and *Tx (inside a write) both
// satisfy it, so read helpers work in and out of a write.
type Querier interface {
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
}

// Both read paths satisfy Querier.
var (
	_ Querier = (*DB)(nil)
	_ Querier = (*Tx)(nil)
	_ Querier = readTx{}
)

// Query runs a read on the reader pool. SQL uses ? parameter markers.
func (db *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := db.readStmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return db.reader.QueryContext(ctx, db.rebind(query), args...)
}

// QueryRow runs a one-row read on the reader pool. sql.ErrNoRows from Scan
// must be mapped to an apperr NotFound by the caller.
func (db *DB) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if s := db.readStmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return db.reader.QueryRowContext(ctx, db.rebind(query), args...)
}

// readStmt returns the SQLite reader pool's prepared statement for query,
// preparing it on first use, or nil to run the query unprepared (the cache
// is full, the statement does not prepare — the unprepared run reports
// why — or PostgreSQL, where pgx caches prepared statements per connection
// itself). Parsing is a large share of the small reads public pages make.
func (db *DB) readStmt(ctx context.Context, query string) *sql.Stmt {
	if db.dialect != SQLite {
		return nil
	}
	if s, ok := db.readStmts.Load(query); ok {
		return s.(*sql.Stmt)
	}
	if db.readN.Load() >= maxCachedStmts {
		return nil
	}
	s, err := db.reader.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	if prev, loaded := db.readStmts.LoadOrStore(query, s); loaded {
		_ = s.Close() // another goroutine prepared it first; a close error of an unused statement changes nothing
		return prev.(*sql.Stmt)
	}
	db.readN.Add(1)
	return s
}

// Micros converts a time to the stored form: unix microseconds UTC.
func Micros(t time.Time) int64 { return t.UnixMicro() }

// FromMicros converts a stored timestamp back to a UTC time.
func FromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// IsUniqueViolation reports whether err is a unique or primary-key
// constraint violation on either engine.
func IsUniqueViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code()
		return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return false
}

// isRetryable reports PostgreSQL deadlocks and serialization failures: the
// transaction was rolled back by the server and can be run again as a whole.
func isRetryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40P01" || pe.Code == "40001"
	}
	return false
}
