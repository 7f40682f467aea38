package web_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/catalog/catsearch"
	"github.com/qingdan/qingdan/internal/store/storetest"
	"github.com/qingdan/qingdan/internal/web"
)

// clock is a settable time for the page cache.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// namePortal serves one item whose name the test changes, with a
// generation it bumps as a publication would; Item can be made to block
// until released, to hold a render in flight.
type namePortal struct {
	web.Portal
	gen   atomic.Uint64
	name  atomic.Value // string
	hold  atomic.Pointer[chan struct{}]
	calls atomic.Int64
}

func (p *namePortal) Generation(context.Context) uint64 { return p.gen.Load() }

func (p *namePortal) Item(ctx context.Context, id int64) (web.PortalItem, error) {
	p.calls.Add(1)
	name := p.name.Load().(string) // read before the hold: a render in flight has the data it read
	if h := p.hold.Load(); h != nil {
		<-*h
	}
	at := time.Date(2026, 1, 5, 2, 0, 0, 0, time.UTC)
	return web.PortalItem{ID: id, Body: web.PortalBody{ID: 1, Name: "某区"}, Standing: catalog.Listed,
		Versions: []catalog.ItemVersion{{Name: name, Version: 1, Status: catalog.StatusPublished, ValidFrom: at, PublishedAt: &at}}}, nil
}

func (p *namePortal) Bodies(context.Context) ([]web.PortalBody, error) { return nil, nil }

func (p *namePortal) Search(context.Context, catsearch.Filter) (catsearch.Result, error) {
	return catsearch.Result{}, nil
}

// TestPortalCache_staleWhileRendering: past its TTL a page is served as it
// was to everyone but the one request rendering it anew; after that render
// the new page is served. A publication drops it at once, stale or not,
// even while a render of the old generation is in flight.
func TestPortalCache_staleWhileRendering(t *testing.T) {
	db := storetest.SQLite(t)
	p := &namePortal{}
	p.name.Store("旧名称")
	srv := portalServerWith(t, db, p)
	clk := &clock{t: time.Now()}
	web.SetPortalClock(srv, clk.now)
	const u = "/portal/items/7"
	page := func() string { t.Helper(); return getOK(t, srv, u) }
	if !strings.Contains(page(), "旧名称") {
		t.Fatal("first render lacks the name")
	}
	// Changed without a publication (as a renamed body would be): the
	// cached page stands for the TTL.
	p.name.Store("新名称")
	if !strings.Contains(page(), "旧名称") || p.calls.Load() != 1 {
		t.Fatal("a fresh page was not served from the cache")
	}
	// Past the TTL: one request renders (held in flight here), the others
	// get the stale page without waiting.
	clk.add(web.PortalCacheTTL + time.Second)
	release := make(chan struct{})
	p.hold.Store(&release)
	leader := make(chan string)
	go func() { _, _, body := get(t, srv, u); leader <- body }()
	for p.calls.Load() != 2 {
		time.Sleep(time.Millisecond)
	}
	for range 3 {
		got := make(chan string, 1)
		go func() { _, _, body := get(t, srv, u); got <- body }()
		select {
		case body := <-got:
			if !strings.Contains(body, "旧名称") {
				t.Fatal("a reader during the render did not get the stale page")
			}
		case <-time.After(2 * time.Second):
			close(release) // unblock the render so the test can end
			t.Fatal("a reader during the render waited for it instead of getting the stale page")
		}
	}
	if p.calls.Load() != 2 {
		t.Errorf("%d renders; the stale page's readers rendered too", p.calls.Load()-1)
	}
	p.hold.Store(nil)
	close(release)
	if body := <-leader; !strings.Contains(body, "新名称") {
		t.Error("the rendering request did not get the new page")
	}
	if !strings.Contains(page(), "新名称") {
		t.Error("the new page was not cached")
	}
	// Stale again, a render of this generation in flight, then a
	// publication: nobody gets a page from before it.
	clk.add(web.PortalCacheTTL + time.Second)
	release = make(chan struct{})
	p.hold.Store(&release)
	go func() { _, _, body := get(t, srv, u); leader <- body }()
	calls := p.calls.Load()
	for p.calls.Load() == calls {
		time.Sleep(time.Millisecond)
	}
	p.name.Store("发布后名称")
	p.gen.Add(1)
	p.hold.Store(nil)
	if body := page(); !strings.Contains(body, "发布后名称") {
		t.Error("after a publication a page from before it was served")
	}
	close(release)
	<-leader
	if body := page(); !strings.Contains(body, "发布后名称") {
		t.Error("the render in flight before the publication replaced the page after it")
	}
	// Twice the TTL: not served even stale.
	p.name.Store("最后名称")
	clk.add(2 * web.PortalCacheTTL)
	if body := page(); !strings.Contains(body, "最后名称") {
		t.Error("a page twice as old as the TTL was served")
	}
}

// TestPortalCache_C7_staleNeverOutlivesPublication: over the real store, a
// suspension published while the item's page and search results are stale
// in the cache shows on the next request.
func TestPortalCache_C7_staleNeverOutlivesPublication(t *testing.T) {
	db := storetest.SQLite(t)
	cat := demoCatalogue(t, db)
	srv := portalServer(t, db, cat)
	clk := &clock{t: time.Now()}
	web.SetPortalClock(srv, clk.now)
	const code, name = "0700001000", "残疾人证核发"
	id := itemID(t, db, districtID(t, db), code)
	pages := map[string]string{fmt.Sprintf("/portal/items/%d", id): `id="standing"`, "/portal/search?q=" + code: `class="suspended"`}
	for u, mark := range pages {
		if _, _, body := get(t, srv, u); strings.Contains(body, mark) {
			t.Fatalf("%s shows the item suspended before the suspension", u)
		}
	}
	clk.add(web.PortalCacheTTL + time.Second) // stale, still cached
	suspendAtDistrict(t, db, cat, code, name)
	for u, mark := range pages {
		if _, _, body := get(t, srv, u); !strings.Contains(body, mark) {
			t.Errorf("%s: a stale page from before the suspension was served", u)
		}
	}
}
