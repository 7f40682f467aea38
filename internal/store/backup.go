package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrBackupPostgres explains how PostgreSQL is backed up; qingdan does not
// reimplement pg_dump.
var ErrBackupPostgres = errors.New("store: PostgreSQL is backed up with pg_dump, e.g.\n" +
	"  pg_dump --format=custom --no-owner --file=FILE 'postgres://user@host:5432/dbname'\n" +
	"and restored with: pg_restore --no-owner --dbname='postgres://…' FILE")

// Backup writes a consistent copy of a live SQLite database to path (VACUUM
// INTO reads one snapshot while writers go on). It refuses to overwrite an
// existing file. On PostgreSQL it returns ErrBackupPostgres.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.dialect == Postgres {
		return ErrBackupPostgres
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	if _, err := os.Lstat(abs); err == nil {
		return fmt.Errorf("store: backup: %s already exists; choose a new file", abs)
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("store: backup: %w", err)
	}
	if _, err := db.reader.ExecContext(ctx, "VACUUM INTO ?", abs); err != nil {
		return fmt.Errorf("store: backup to %s: %w", abs, err)
	}
	// VACUUM INTO does not fsync the copy; a backup that a crash can lose
	// is no backup.
	f, err := os.Open(abs)
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	if err := f.Sync(); err != nil {
		return errors.Join(fmt.Errorf("store: backup: sync %s: %w", abs, err), f.Close())
	}
	return f.Close()
}
