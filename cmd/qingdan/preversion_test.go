package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// loadPreVersion makes a database of engine from the dump in
// testdata/preversion (see its README: written by the code before rows had
// versions) and returns its DSN.
func loadPreVersion(t *testing.T, engine string) string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "preversion", engine+".sql.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	dump, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	dsn, driver, open := filepath.Join(t.TempDir(), "old.db"), "sqlite", ""
	if engine == "postgres" {
		dsn = storetest.PostgresDSN(t)
		driver, open = "pgx", dsn
	} else {
		open = dsn
	}
	// Its own pool, closed at once: pg_dump's script empties search_path
	// for the session it runs in.
	raw, err := sql.Open(driver, open)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	if _, err := raw.ExecContext(context.Background(), string(dump)); err != nil {
		t.Fatalf("load the %s dump: %v", engine, err)
	}
	return dsn
}

// TestMigrate_H1_databaseFromBeforeVersions: a database written by the
// code before rows had versions (testdata/preversion; it verified with that
// code, whose generator ends with Verify): `qingdan migrate` gives each of its editable rows version 1 with one
// audited store.versioned event carrying the new State, after which
// `qingdan verify` passes and the rows are edited through their versions.
// A row changed behind the log's back before the migration is not
// versioned: migrate names it and fails, and verify names it too.
func TestMigrate_H1_databaseFromBeforeVersions(t *testing.T) {
	ctx := context.Background()
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			for _, tampered := range []bool{false, true} {
				dsn := loadPreVersion(t, engine)
				dir := t.TempDir()
				flags := []string{"--db", dsn, "--data-dir", dir}
				cmd := func(wantCode int, args ...string) (string, string) {
					t.Helper()
					var out, errb bytes.Buffer
					if code := run(ctx, append(args, flags...), &out, &errb); code != wantCode {
						t.Fatalf("qingdan %v: exit %d, want %d\nstdout: %s\nstderr: %s", args, code, wantCode, out.String(), errb.String())
					}
					return out.String(), errb.String()
				}
				old, err := store.Open(ctx, dsn, store.Options{DataDir: dir})
				if err != nil {
					t.Fatal(err)
				}
				var tamperedID int64
				if tampered {
					if err := old.QueryRow(ctx, `SELECT id FROM staff WHERE name = '吴刚'`).Scan(&tamperedID); err != nil {
						t.Fatal(err)
					}
					if err := old.Write(ctx, func(tx *store.Tx) error {
						_, err := tx.Exec(ctx, `UPDATE staff SET phone = '13999999999' WHERE id = ?`, tamperedID)
						return err
					}); err != nil {
						t.Fatal(err)
					}
				}
				head, err := old.Head(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if err := old.Close(); err != nil {
					t.Fatal(err)
				}

				if tampered {
					_, stderr := cmd(1, "migrate")
					if !strings.Contains(stderr, "staff id="+idText(tamperedID)+": the row differs from its last audited event") {
						t.Fatalf("migrate of a tampered row said %q", stderr)
					}
					_, stderr = cmd(1, "verify")
					if !strings.Contains(stderr, "staff id="+idText(tamperedID)+": row differs from its last audited event") {
						t.Fatalf("verify of the tampered row said %q", stderr)
					}
					db := reopen(t, dsn, dir)
					evs, err := db.Events(ctx, store.EventFilter{ObjectType: "staff", ObjectID: idText(tamperedID)})
					if err != nil || evs[len(evs)-1].Action == store.ActionVersioned {
						t.Fatalf("the tampered row was versioned into the log: %v", err)
					}
					continue
				}

				out, _ := cmd(0, "migrate")
				if !strings.HasPrefix(out, "OK:") {
					t.Fatalf("migrate said %q", out)
				}
				if out, _ := cmd(0, "verify"); !strings.HasPrefix(out, "OK:") {
					t.Fatalf("verify said %q", out)
				}
				db := reopen(t, dsn, dir)
				// Every editable row: version 1 and its one event.
				rows := int64(0)
				for _, vt := range versionedTables() {
					var n, unversioned int64
					if err := db.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN version = 1 THEN 0 ELSE 1 END), 0) FROM `+vt.Table).Scan(&n, &unversioned); err != nil {
						t.Fatal(err)
					}
					if unversioned != 0 {
						t.Errorf("%s: %d of %d rows not at version 1", vt.Table, unversioned, n)
					}
					rows += n
				}
				if rows < 60 {
					t.Fatalf("only %d editable rows in the old database", rows)
				}
				var versioned int64
				if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM events WHERE action = ? AND seq >= ?`, store.ActionVersioned, head.Size).Scan(&versioned); err != nil {
					t.Fatal(err)
				}
				if versioned != rows {
					t.Fatalf("migrate wrote %d %s events for %d rows", versioned, store.ActionVersioned, rows)
				}
				after, err := db.Head(ctx)
				if err != nil {
					t.Fatal(err)
				}
				// A second migrate has nothing left to version.
				cmd(0, "migrate")
				if again, err := db.Head(ctx); err != nil || again.Size != after.Size {
					t.Fatalf("a second migrate wrote events: %d → %d (%v)", after.Size, again.Size, err)
				}
				// The migrated rows are edited through their versions.
				orgs := org.NewService(db)
				found, err := orgs.SearchStaff(ctx, org.System, org.StaffQuery{Text: "吴刚"})
				if err != nil || len(found) != 1 || found[0].Version != 1 || found[0].Phone != "13900000098" {
					t.Fatalf("吴刚 after the migration: %+v %v", found, err)
				}
				st := found[0]
				in := org.StaffInput{BodyID: st.BodyID, UnitID: st.UnitID, Name: st.Name, Phone: "13900000097", Roles: st.Roles}
				if _, err := orgs.UpdateStaff(ctx, org.System, st.ID, 1, in); err != nil {
					t.Fatal(err)
				}
				if _, err := orgs.UpdateStaff(ctx, org.System, st.ID, 1, in); err == nil {
					t.Fatal("an edit based on the migrated version passed twice")
				}
				if rep, err := db.Verify(ctx, nil); err != nil || !rep.OK() {
					t.Fatalf("verify after an edit: %+v %v", rep, err)
				}
			}
		})
	}
}

func reopen(t *testing.T, dsn, dir string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn, store.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	return db
}

func idText(id int64) string { return strconv.FormatInt(id, 10) }
