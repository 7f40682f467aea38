package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// TestCommandsOnOlderDatabase: the commands that open a database without
// migrating it (verify, backup, export-list) refuse one this binary's
// migrations have not all been applied to — never migrated, or made by an
// older binary — saying in Chinese and English that it needs `qingdan
// migrate` and which versions are pending, with exit code 1, instead of
// failing on a missing table; after `qingdan migrate` they work. Run
// against the built binary, on SQLite and PostgreSQL.
func TestCommandsOnOlderDatabase(t *testing.T) {
	bin := buildQingdan(t)
	ctx := context.Background()
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			dir := t.TempDir()
			dsn := filepath.Join(dir, "q.db")
			if engine == "postgres" {
				dsn = storetest.PostgresDSN(t)
			}
			flags := []string{"--db", dsn, "--data-dir", dir}
			refused := func(wantVersions string, args ...string) {
				t.Helper()
				// Flags go before a command's file argument.
				line := append(append([]string{args[0]}, flags...), args[1:]...)
				// Each language in its own run: the command line speaks one.
				for _, l := range []struct{ lang, needs, versions string }{
					{"zh", "需要迁移", "(版本 "}, {"en", "needs `qingdan migrate`", "(versions "},
				} {
					out, errOut, code := runBinLang(t, bin, l.lang, line...)
					if code != 1 || out != "" || !strings.Contains(errOut, l.needs) ||
						!strings.Contains(errOut, l.versions+wantVersions) ||
						strings.Contains(errOut, "no such table") || strings.Contains(errOut, "does not exist") {
						t.Errorf("qingdan %s (%s) on a database needing migration: exit %d\nstdout: %s\nstderr: %s", args[0], l.lang, code, out, errOut)
					}
				}
			}
			ok := func(args ...string) string {
				t.Helper()
				out, errOut, code := runBin(t, bin, append(args, flags...)...)
				if code != 0 {
					t.Fatalf("qingdan %v: exit %d\n%s%s", args, code, out, errOut)
				}
				return out
			}
			// Never migrated: every migration this binary carries is pending,
			// all of them named (the list comes from the store, so a new
			// migration does not break the test).
			fresh, err := store.Open(ctx, dsn, store.Options{DataDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			all, err := fresh.Pending(ctx)
			if cerr := fresh.Close(); err == nil {
				err = cerr
			}
			if err != nil || len(all) < 5 || all[0] != 1 {
				t.Fatalf("pending on a fresh database: %v %v", all, err)
			}
			names := make([]string, len(all))
			for i, v := range all {
				names[i] = fmt.Sprintf("%04d", v)
			}
			refused(strings.Join(names, ", ")+")", "verify")

			// Migrated by a binary older than this one: the newest migration
			// (the search index's document frequencies) never ran.
			ok("migrate")
			db, err := store.Open(ctx, dsn, store.Options{DataDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			err = db.Write(ctx, func(tx *store.Tx) error {
				if _, err := tx.Exec(ctx, `DROP TABLE catsearch_df`); err != nil {
					return err
				}
				_, err := tx.Exec(ctx, `DELETE FROM goose_db_version WHERE version_id = 452`)
				return err
			})
			if cerr := db.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				t.Fatal(err)
			}
			refused("0452)", "verify")
			refused("0452)", "export-list", "--body", "330199", "-o", filepath.Join(dir, "x.xlsx"))
			if engine == "sqlite" {
				refused("0452)", "backup", filepath.Join(dir, "copy.db"))
			}
			ok("migrate")
			if out := ok("verify"); !strings.HasPrefix(out, "OK: ") {
				t.Errorf("verify after migrate: %s", out)
			}
		})
	}
}
