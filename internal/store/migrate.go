package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrations holds one folder per dialect. Versions are numbered in ranges per
// package (store 0001–0099, org 0100–0199, auth 0200–0299, calendar
// 0300–0399, catalog 0400–0499) and every migration exists for both dialects.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

// Migrate applies every pending migration. It is idempotent. Because packages
// number their files in separate ranges, a lower-numbered file can appear
// after higher ones were applied (org adds 0105 after catalog's 0400 ran):
// goose is told to apply such out-of-order files rather than refuse.
func (db *DB) Migrate(ctx context.Context) error {
	p, err := db.migrationProvider()
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	return nil
}

// migrationProvider is the goose provider over this dialect's migrations.
func (db *DB) migrationProvider() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations/"+string(db.dialect))
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	opts := []goose.ProviderOption{
		goose.WithAllowOutofOrder(true),
		goose.WithDisableGlobalRegistry(true),
	}
	dialect := goose.DialectSQLite3
	if db.dialect == Postgres {
		dialect = goose.DialectPostgres
		// Several instances may start at once against one database; an
		// advisory lock makes one migrate while the others wait.
		l, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, fmt.Errorf("store: migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(l))
	}
	p, err := goose.NewProvider(dialect, db.writer, sub, opts...)
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	return p, nil
}

// Pending returns the versions of the migrations this binary carries that
// the database has not applied (all of them for a database never migrated),
// in order, without changing anything: commands that inspect a database
// (verify, backup) must not migrate it, but must say that it needs
// migrating rather than fail on a missing table.
func (db *DB) Pending(ctx context.Context) ([]int64, error) {
	files, err := fs.ReadDir(migrations, "migrations/"+string(db.dialect))
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	var known []int64
	for _, f := range files {
		if !strings.HasSuffix(f.Name(), ".sql") {
			continue
		}
		v, err := goose.NumericComponent(f.Name())
		if err != nil {
			return nil, fmt.Errorf("store: migration %s: %w", f.Name(), err)
		}
		known = append(known, v)
	}
	slices.Sort(known)
	exists := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'goose_db_version'`
	if db.dialect == Postgres {
		exists = `SELECT COUNT(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename = 'goose_db_version'`
	}
	var n int
	if err := db.reader.QueryRowContext(ctx, exists).Scan(&n); err != nil {
		return nil, fmt.Errorf("store: migration status: %w", err)
	}
	if n == 0 {
		return known, nil
	}
	rows, err := db.reader.QueryContext(ctx, `SELECT version_id FROM goose_db_version WHERE is_applied`)
	if err != nil {
		return nil, fmt.Errorf("store: migration status: %w", err)
	}
	applied := map[int64]bool{}
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: migration status: %w", err)
		}
		applied[v] = true
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, fmt.Errorf("store: migration status: %w", err)
	}
	return slices.DeleteFunc(known, func(v int64) bool { return applied[v] }), nil
}
