// Package storetest opens throw-away databases for tests of any package:
// SQLite in a temp dir, and a fresh PostgreSQL database per call when
// QINGDAN_TEST_POSTGRES is set (skipped otherwise, unless
// QINGDAN_REQUIRE_POSTGRES=1 turns the skip into a failure, as CI does).
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver for the admin connection

	"github.com/qingdan/qingdan/internal/store"
)

// SQLite opens and migrates a database in t.TempDir(); closed at cleanup.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	dir := t.TempDir()
	return open(t, filepath.Join(dir, "qingdan.db"), dir)
}

// PostgresDSN creates a fresh database named qd_<pkg>_<random> and returns
// its DSN; it is dropped at cleanup. It skips (or fails, see the package doc)
// without QINGDAN_TEST_POSTGRES.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	admin := os.Getenv("QINGDAN_TEST_POSTGRES")
	if admin == "" {
		if os.Getenv("QINGDAN_REQUIRE_POSTGRES") == "1" {
			t.Fatal("QINGDAN_REQUIRE_POSTGRES=1 but QINGDAN_TEST_POSTGRES is not set")
		}
		t.Skip("QINGDAN_TEST_POSTGRES not set")
	}
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("QINGDAN_TEST_POSTGRES: %v", err)
	}
	var rnd [6]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		t.Fatal(err)
	}
	name := "qd_" + pkgName(t) + "_" + hex.EncodeToString(rnd[:])
	a, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := a.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", admin)
		if err != nil {
			t.Error(err)
			return
		}
		defer a.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := a.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// Postgres opens and migrates a fresh PostgreSQL database (see PostgresDSN).
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	return open(t, PostgresDSN(t), t.TempDir())
}

// Instance opens (and migrates) another connection to the database at dsn,
// as a second instance of the application would; closed at cleanup.
func Instance(t testing.TB, dsn string) *store.DB {
	t.Helper()
	return open(t, dsn, t.TempDir())
}

// Each runs f against a fresh SQLite and a fresh PostgreSQL database as two
// subtests, so one test body proves the behaviour on both engines.
func Each(t *testing.T, f func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { f(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { f(t, Postgres(t)) })
}

func open(t testing.TB, dsn, dataDir string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, store.Options{DataDir: dataDir})
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}

var nonIdent = regexp.MustCompile(`[^a-z0-9]+`)

// pkgName derives a short database-name part from the test binary's name
// (store.test → store), so that leftover databases say who made them.
func pkgName(t testing.TB) string {
	n := strings.ToLower(strings.TrimSuffix(filepath.Base(os.Args[0]), ".test"))
	n = nonIdent.ReplaceAllString(n, "")
	if len(n) > 20 {
		n = n[:20]
	}
	if n == "" {
		n = "t"
	}
	return n
}
