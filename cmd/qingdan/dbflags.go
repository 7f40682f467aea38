package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/auth"
	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/store"
)

// dbConfig is where the database and the data directory (checkpoint signing
// key, attachments) are. Every command that touches the database uses it.
type dbConfig struct {
	DSN     string
	DataDir string
}

// dbFlags registers --db and --data-dir on fs; parseFlags fills them from
// QINGDAN_DB and QINGDAN_DATA_DIR when not given.
func dbFlags(fs *flag.FlagSet) *dbConfig {
	c := &dbConfig{}
	fs.StringVar(&c.DSN, "db", "./data/qingdan.db", t("qingdan.flag.db"))
	fs.StringVar(&c.DataDir, "data-dir", "./data", t("qingdan.flag.data_dir"))
	return c
}

// open opens the database without migrating it (verify and backup must not
// change what they inspect). A database this binary's migrations have not
// all been applied to (made by an older binary, or never migrated) is
// refused, naming the pending versions: its tables are not what the
// commands expect.
func (c *dbConfig) open(ctx context.Context) (*store.DB, error) {
	db, err := c.openAsIs(ctx)
	if err != nil {
		return nil, err
	}
	pending, err := db.Pending(ctx)
	if err != nil {
		return nil, closeAfter(db, fmt.Errorf("%s: %w", t("qingdan.cannot_read_the_migration_status_of", c.redacted()), err))
	}
	if len(pending) > 0 {
		return nil, closeAfter(db, c.needsMigrate(pending))
	}
	return db, nil
}

// needsMigrate says which migrations are pending and what to run.
func (c *dbConfig) needsMigrate(pending []int64) error {
	vs := make([]string, len(pending))
	for i, v := range pending {
		vs[i] = fmt.Sprintf("%04d", v)
	}
	list := strings.Join(vs, ", ")
	return errors.New(t("qingdan.the_database_needs_qingdan_migrate", c.redacted(), len(pending), list))
}

func (c *dbConfig) openAsIs(ctx context.Context) (*store.DB, error) {
	db, err := store.Open(ctx, c.DSN, store.Options{DataDir: c.DataDir})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t("qingdan.cannot_open_the_database", c.redacted()), err)
	}
	return db, nil
}

// openMigrated opens the database and migrates it (migrate). Rows that
// could not be versioned are logged; `qingdan migrate` names them too, and
// `qingdan verify` fails on them.
func (c *dbConfig) openMigrated(ctx context.Context) (*store.DB, error) {
	db, err := c.openAsIs(ctx)
	if err != nil {
		return nil, err
	}
	refused, err := migrate(ctx, db)
	if err != nil {
		return nil, closeAfter(db, err)
	}
	for _, row := range refused {
		slog.Error("row not versioned: it differs from its last audited event (qingdan verify names it)", "row", row)
	}
	return db, nil
}

// migrate applies pending migrations, then brings the audited rows written
// before forward: every row written before its table had a version column
// gets its version, with one audited event each (store.AddVersions: the
// version is part of the audited State, so without these events the
// migrated database would not verify), and accounts and tokens their
// credential digests (auth.UpgradeAuditedState). It returns the rows left
// unversioned because they are not what the audit log says.
func migrate(ctx context.Context, db *store.DB) ([]string, error) {
	if err := db.Migrate(ctx); err != nil {
		return nil, fmt.Errorf("%s: %w", t("qingdan.migration_failed"), err)
	}
	// Accounts and tokens written before their State held credential
	// digests are brought forward first, once per database: versioning
	// compares a row with its last event, which must then hold the digest.
	if _, err := auth.UpgradeAuditedState(ctx, db, time.Now()); err != nil {
		return nil, fmt.Errorf("%s: %w", t("qingdan.upgrading_the_audited_state_failed"), err)
	}
	rep, err := db.AddVersions(ctx, migrateActor, versionedTables())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t("qingdan.migration_failed"), err)
	}
	return rep.Refused, nil
}

// migrateActor is the actor of the events migrate writes.
const migrateActor = "system"

// versionedTables are every audited table that gained a version column.
func versionedTables() []store.VersionedTable {
	return slices.Concat(org.VersionedTables(), catdb.VersionedTables(), caldb.VersionedTables(), auth.VersionedTables())
}

// closeAfter closes db after err, keeping both errors.
func closeAfter(db *store.DB, err error) error {
	if cerr := db.Close(); cerr != nil {
		return fmt.Errorf("%w (and closing: %v)", err, cerr)
	}
	return err
}

// postgres reports whether the database is PostgreSQL, the production
// engine (else an SQLite file).
func (c *dbConfig) postgres() bool {
	return strings.HasPrefix(c.DSN, "postgres://") || strings.HasPrefix(c.DSN, "postgresql://")
}

// redacted is the DSN safe to print: a PostgreSQL password is masked.
func (c *dbConfig) redacted() string {
	if c.postgres() {
		if u, err := url.Parse(c.DSN); err == nil {
			return u.Redacted()
		}
		return "postgres://…"
	}
	return c.DSN
}
