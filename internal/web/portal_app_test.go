package web_test

import (
	"context"
	"crypto/rand"
	"log/slog"
	"os"
	"testing"

	"github.com/qingdan/qingdan/internal/auth"
	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/catalog/catsearch"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/web"
)

// The portal's tests, browser test and benchmark run the full handler as
// `qingdan serve` wires it: real store, org, auth sessions and CSRF, and the
// catalogue with the search index hooked into publication.

// demoCatalogue loads org's demo and the catalogue demo into db, indexing
// every publication through catsearch.Hook.
func demoCatalogue(t testing.TB, db *store.DB) *catdb.Service {
	t.Helper()
	ctx := context.Background()
	if err := org.LoadDemo(ctx, db, nil); err != nil {
		t.Fatalf("org demo: %v", err)
	}
	cat := catdb.New(db)
	cat.SetIndexer(catsearch.Hook)
	if _, err := catdb.LoadDemo(ctx, cat); err != nil {
		t.Fatalf("catalogue demo: %v", err)
	}
	return cat
}

type dbPinger struct{ db *store.DB }

func (p dbPinger) Ping(ctx context.Context) error {
	var one int
	return p.db.QueryRow(ctx, "SELECT 1").Scan(&one)
}

// portalServer builds the whole web server over db and cat.
func portalServer(t testing.TB, db *store.DB, cat *catdb.Service) *web.Server {
	t.Helper()
	return portalServerWith(t, db, web.NewPortal(db, cat))
}

// portalServerWith builds the whole web server with that portal.
func portalServerWith(t testing.TB, db *store.DB, portal web.Portal) *web.Server {
	t.Helper()
	cookie := auth.CookieOptions{}
	as := auth.NewService(db, org.NewService(db), auth.Config{Cookie: cookie})
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	csrf, err := auth.NewCSRF(key, cookie.Read)
	if err != nil {
		t.Fatal(err)
	}
	csrf.Cookie = cookie
	// Errors only: access lines would swamp the benchmark's output.
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	srv, err := web.New(web.Config{Version: "test", Cookie: cookie},
		web.Deps{Logger: logger, Sessions: as, Auth: as, CSRF: csrf, DB: dbPinger{db},
			Portal: portal})
	if err != nil {
		t.Fatal(err)
	}
	csrf.Deny = srv.Deny
	return srv
}
