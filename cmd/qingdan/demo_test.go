package main

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/qingdan/qingdan/internal/auth"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// failingAccounts creates the first n accounts through next, then fails:
// the process stopping part-way through the demo's accounts.
type failingAccounts struct {
	n    int
	next org.AccountCreator
}

var errInjected = errors.New("injected failure")

func (f *failingAccounts) CreateInitialAccount(ctx context.Context, staffID int64, login, password string, mustChange bool) error {
	if f.n == 0 {
		return errInjected
	}
	f.n--
	return f.next.CreateInitialAccount(ctx, staffID, login, password, mustChange)
}

// TestServe_demoLoadResumesAfterInterruption: a first demo load that stops
// after three of the demo accounts (the organisation stored, no catalogue
// yet) leaves the demo unmarked; the next start completes it — every demo
// account, each able to log in, and the catalogue — and marks it loaded;
// a start after that loads nothing and writes nothing. SQLite and
// PostgreSQL.
func TestServe_demoLoadResumesAfterInterruption(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo")
	}
	ctx := context.Background()
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			dir := t.TempDir()
			cfg := &dbConfig{DSN: filepath.Join(dir, "q.db"), DataDir: dir}
			if engine == "postgres" {
				cfg.DSN = storetest.PostgresDSN(t)
			}
			db, err := cfg.openMigrated(ctx)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if err := db.Close(); err != nil {
					t.Error(err)
				}
			})
			accounts := auth.NewService(db, org.NewService(db), auth.Config{})
			count := func(q string) int {
				t.Helper()
				var n int
				if err := db.QueryRow(ctx, q).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			loaded, err := loadDemo(ctx, db, &failingAccounts{n: 3, next: accounts})
			if !errors.Is(err, errInjected) || loaded {
				t.Fatalf("interrupted load: %v %v", loaded, err)
			}
			if n := count(`SELECT COUNT(*) FROM accounts`); n != 3 {
				t.Fatalf("%d accounts after the interruption", n)
			}
			if n := count(`SELECT COUNT(*) FROM catalog_items`); n != 0 {
				t.Fatalf("%d items after the interruption", n)
			}
			if done, err := org.DemoLoaded(ctx, db); err != nil || done {
				t.Fatalf("interrupted demo marked loaded: %v %v", done, err)
			}

			// The next start completes it.
			if loaded, err := loadDemo(ctx, db, accounts); err != nil || !loaded {
				t.Fatalf("resumed load: %v %v", loaded, err)
			}
			demo := org.DemoAccounts()
			if n := count(`SELECT COUNT(*) FROM accounts`); n != len(demo) {
				t.Fatalf("%d accounts after resuming, want %d", n, len(demo))
			}
			if n := count(`SELECT COUNT(*) FROM catalog_items`); n < 60 {
				t.Fatalf("%d items after resuming", n)
			}
			for _, a := range []org.DemoAccount{demo[0], demo[len(demo)-1]} {
				if _, err := accounts.Login(ctx, a.Login, org.DemoPassword, "127.0.0.1"); err != nil {
					t.Errorf("demo account %s: %v", a.Login, err)
				}
			}
			if done, err := org.DemoLoaded(ctx, db); err != nil || !done {
				t.Fatalf("completed demo not marked: %v %v", done, err)
			}

			// A later start leaves the complete demo alone.
			head, err := db.Head(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if loaded, err := loadDemo(ctx, db, accounts); err != nil || loaded {
				t.Fatalf("third start: %v %v", loaded, err)
			}
			if after, err := db.Head(ctx); err != nil || after.Size != head.Size {
				t.Fatalf("third start wrote events: %d → %d (%v)", head.Size, after.Size, err)
			}
			rep, err := db.Verify(ctx, nil)
			if err != nil || !rep.OK() {
				t.Fatalf("verify: %v %s", err, rep.Mismatch)
			}
		})
	}
}
