package caldb_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// L10: clocks stored before migration 0320 get their columns: an open one
// is due at once (its standing unknown) and reached by any calendar change,
// one not started or finished has no next check; the sweep's Check then
// settles it. On both engines.
func TestClocks_L10_migrationBackfillsStoredClocks(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			dsn, driver, dialect := filepath.Join(t.TempDir(), "qingdan.db"), "sqlite", goose.DialectSQLite3
			if engine == "postgres" {
				dsn, driver, dialect = storetest.PostgresDSN(t), "pgx", goose.DialectPostgres
			}
			raw, err := sql.Open(driver, dsn)
			if err != nil {
				t.Fatal(err)
			}
			p, err := goose.NewProvider(dialect, raw, os.DirFS(filepath.Join("..", "..", "store", "migrations", engine)),
				goose.WithAllowOutofOrder(true), goose.WithDisableGlobalRegistry(true))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.UpTo(ctx, 310); err != nil {
				t.Fatal(err)
			}
			if err := raw.Close(); err != nil {
				t.Fatal(err)
			}
			db, err := store.Open(ctx, dsn, store.Options{DataDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if err := db.Close(); err != nil {
					t.Error(err)
				}
			})
			body, err := org.NewService(db).CreateBody(ctx, org.System, org.BodyInput{Level: org.LevelDistrict, Code: "330102", Name: "区"})
			if err != nil {
				t.Fatal(err)
			}
			rows := map[string]string{
				"new":      `[]`,
				"running":  `[{"kind":"start","at":"2026-03-02T10:00:00+08:00"}]`,
				"finished": `[{"kind":"start","at":"2026-03-02T10:00:00+08:00"},{"kind":"finish","at":"2026-03-03T10:00:00+08:00"}]`,
			}
			err = db.Write(ctx, func(tx *store.Tx) error {
				for id, events := range rows {
					if _, err := tx.Exec(ctx, `INSERT INTO clocks (object_type, object_id, kind, body_id, spec, events, created_at, updated_at)
						VALUES ('case', ?, 'handling', ?, ?, ?, 0, 0)`, id, body.ID, `{"statutory":{"n":20,"unit":"working_days"},"due_soon_units":3}`, events); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			clocks := caldb.NewClocks(db, caldb.New(db))
			for id := range rows {
				rec, err := clocks.Get(ctx, db, caldb.Ref{ObjectType: "case", ObjectID: id, Kind: "handling"})
				if err != nil {
					t.Fatal(err)
				}
				due := id == "running"
				if !rec.NextCheck.IsZero() != due || (due && rec.NextCheck.UnixMicro() != 0) || rec.Standing != "" {
					t.Fatalf("%s after the migration: next %v, standing %q", id, rec.NextCheck, rec.Standing)
				}
			}
			now := time.Date(2026, 3, 4, 9, 0, 0, 0, sh)
			ds, err := clocks.Due(ctx, now, 10)
			if err != nil || len(ds) != 1 {
				t.Fatalf("due: %+v, %v", ds, err)
			}
			var checked caldb.Checked
			err = db.Write(ctx, func(tx *store.Tx) error {
				var err error
				checked, err = clocks.Check(ctx, tx, ds[0].ID, now)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if checked.Was != "" || checked.Standing != "running" || !checked.NextCheck.After(now) {
				t.Fatalf("settled: %+v", checked)
			}
			if ds, err := clocks.Due(ctx, now, 10); err != nil || len(ds) != 0 {
				t.Fatalf("due after the sweep: %+v, %v", ds, err)
			}
		})
	}
}
