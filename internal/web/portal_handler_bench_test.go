package web_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/store/storetest"
	"github.com/qingdan/qingdan/internal/web"
)

// BenchmarkPortalHandler is the server's own cost per uncached portal
// request, with no network and no concurrency: the handler called directly
// over a small list (5,000 items), the page cache out of the way (a portal
// without PortalGenerations), for profiling (-cpuprofile). BenchmarkPortal
// is the one that measures the target.
func BenchmarkPortalHandler(b *testing.B) {
	db := storetest.SQLite(b)
	ids, _ := loadBenchItems(b, db, 5000)
	srv := portalServerWith(b, db, struct{ web.Portal }{web.NewPortal(db, catdb.New(db))})
	serve := func(b *testing.B, next func(*rand.Rand) string) {
		rng := rand.New(rand.NewPCG(1, 2))
		for b.Loop() {
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, next(rng), nil))
			if rec.Code != http.StatusOK {
				b.Fatalf("status %d", rec.Code)
			}
		}
	}
	b.Run("item", func(b *testing.B) {
		serve(b, func(rng *rand.Rand) string { return fmt.Sprintf("/portal/items/%d", ids[rng.IntN(len(ids))]) })
	})
	b.Run("search", func(b *testing.B) {
		serve(b, func(rng *rand.Rand) string {
			return "/portal/search?q=" + url.QueryEscape(benchQueries[rng.IntN(len(benchQueries))])
		})
	})
}

// BenchmarkPortalHandlerParallel is the same with 50 goroutines at once.
func BenchmarkPortalHandlerParallel(b *testing.B) {
	db := storetest.SQLite(b)
	ids, _ := loadBenchItems(b, db, 5000)
	srv := portalServerWith(b, db, struct{ web.Portal }{web.NewPortal(db, catdb.New(db))})
	b.SetParallelism(25)
	b.RunParallel(func(pb *testing.PB) {
		rng := rand.New(rand.NewPCG(rand.Uint64(), 2))
		for pb.Next() {
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, fmt.Sprintf("/portal/items/%d", ids[rng.IntN(len(ids))]), nil))
			if rec.Code != http.StatusOK {
				b.Errorf("status %d", rec.Code)
				return
			}
		}
	})
}
