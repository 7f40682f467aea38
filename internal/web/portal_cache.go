package web

import (
	"bytes"
	"container/list"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/qingdan/qingdan/internal/web/httpx"
)

// The portal's page cache (issue #4: search and item pages fast at 100,000
// items). A public page is the same for every anonymous visitor but for
// the CSRF token in its frame (the language form). So the cache keeps whole
// pages rendered for the anonymous with a stand-in token, keyed by what
// determines them: the page, the language and the request URI; serving one
// puts the visitor's own token in place of the stand-in. Logged-in
// staff (their name, navigation and notices in the frame) and htmx partial
// requests are rendered as usual, without the cache.
//
// Freshness: an entry is used only while the published list's generation is
// the one it was rendered under, and for at most portalCacheTTL; for one
// more TTL it may still be served while one request renders it anew. A
// publication in this process bumps the generation after its commit
// (catdb's OnPublish), so the next request already sees it; another
// instance's publication or body change is noticed by the store portal's
// periodic check of the audit log's new events and the bodies' signature
// (PortalGenerations), and the TTL bounds anything else (a rebuilt index).

// Item and guide pages (the current version's, without a query) of a
// portal with item generations (PortalItemGenerations) have a cache of
// their own, bounded by Config.PortalPageMemoryMB and without TTL: an
// item's generation changes with everything its pages show (the item's
// publications and any body's change, storePortal.ItemGeneration), so a
// page is good for as long as its generation stands, and a publication
// ends only its items' pages. Citizens spread over a whole list of 100,000
// items; the short-lived cache holds only the popular pages, this one the
// whole list. Pages live in this process's memory only: a new process
// renders each on its first view.

// PortalItemGenerations is implemented by a Portal whose item pages have
// a generation of their own.
type PortalItemGenerations interface {
	// ItemGeneration changes (grows) whenever a page of the item may have
	// changed: the item's own publications, a body's change, or any
	// doubt. A value read before a database read is the one to store the
	// result under.
	ItemGeneration(ctx context.Context, itemID int64) uint64
}

// PortalGenerations is implemented by a Portal that can tell when its
// published list changed; only such a portal's pages are cached.
type PortalGenerations interface {
	// Generation changes (grows) whenever the published list may have
	// changed. A value read before a database read is the one to store
	// the result under.
	Generation(ctx context.Context) uint64
}

// Bounds of the page cache: at most portalCacheEntries pages and
// portalCacheBytes of rendered HTML (keys included), least recently used
// first out. An item page is about 12 kB, a result page about 10 kB.
const (
	portalCacheEntries = 4096
	portalCacheBytes   = 32 << 20
	portalCacheTTL     = 5 * time.Second
	// portalCacheMaxKey: longer paths and queries are served but not
	// cached, so junk queries cannot crowd the cache with huge keys.
	portalCacheMaxKey = 512
)

// itemPageForever is the TTL of the item page cache: its pages end with
// their generation or to make room, never by age.
const itemPageForever = 100 * 365 * 24 * time.Hour

// newItemPageCache makes the item page cache of mb MiB (0: the default,
// negative: none), at most one entry per 2 kB.
func newItemPageCache(mb int) *pageCache {
	if mb == 0 {
		mb = DefaultPortalPageMemoryMB
	}
	mb = max(mb, 0)
	return newPageCache(mb<<20/2048, mb<<20, itemPageForever)
}

// cachedPage is a page rendered for the anonymous, cut at each occurrence
// of the stand-in token.
type cachedPage struct {
	parts []string
}

type cacheEntry struct {
	key  string
	gen  uint64
	at   time.Time
	page cachedPage
	size int
}

// flight is a page being rendered; done is closed when it is over, and
// then ok says whether page holds it.
type flight struct {
	done chan struct{}
	page cachedPage
	ok   bool
}

type flightKey struct {
	key string
	gen uint64
}

// pageCache is a bounded LRU of rendered pages.
type pageCache struct {
	mu         sync.Mutex
	ll         *list.List // front: most recently used
	m          map[string]*list.Element
	flights    map[flightKey]*flight
	bytes      int
	maxEntries int
	maxBytes   int
	ttl        time.Duration
	now        func() time.Time // time.Now; tests move it
}

func newPageCache(entries, bytes int, ttl time.Duration) *pageCache {
	return &pageCache{ll: list.New(), m: map[string]*list.Element{}, flights: map[flightKey]*flight{},
		maxEntries: entries, maxBytes: bytes, ttl: ttl, now: time.Now}
}

// join returns the flight rendering key under gen, starting one (leader
// true) if there is none; the leader must land it.
func (c *pageCache) join(key string, gen uint64) (*flight, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := flightKey{key, gen}
	if f, ok := c.flights[k]; ok {
		return f, false
	}
	f := &flight{done: make(chan struct{})}
	c.flights[k] = f
	return f, true
}

// land ends a flight, releasing its waiters.
func (c *pageCache) land(key string, gen uint64, f *flight) {
	c.mu.Lock()
	delete(c.flights, flightKey{key, gen})
	c.mu.Unlock()
	close(f.done)
}

// get returns the page of key rendered under gen. fresh says it is younger
// than ttl; a page of gen up to twice ttl old comes back stale (ok, not
// fresh): it may be served while one request renders it anew, so a popular
// page expiring under load does not queue its readers behind one render.
// A page of another generation is never returned: a publication drops
// every page rendered before it at once, stale or not.
func (c *pageCache) get(key string, gen uint64, now time.Time) (p cachedPage, fresh, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.m[key]
	if !ok {
		return cachedPage{}, false, false
	}
	e := el.Value.(*cacheEntry)
	age := now.Sub(e.at)
	if e.gen != gen || age >= 2*c.ttl {
		c.remove(el)
		return cachedPage{}, false, false
	}
	c.ll.MoveToFront(el)
	return e.page, age < c.ttl, true
}

// put stores a page rendered under gen, evicting the least recently used
// entries beyond the bounds.
func (c *pageCache) put(key string, gen uint64, now time.Time, p cachedPage) {
	size := len(key)
	for _, part := range p.parts {
		size += len(part)
	}
	if size > c.maxBytes/16 {
		return // one page must not evict a large part of the cache
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.m[key]; ok {
		c.remove(el)
	}
	c.m[key] = c.ll.PushFront(&cacheEntry{key: key, gen: gen, at: now, page: p, size: size})
	c.bytes += size
	for c.ll.Len() > c.maxEntries || c.bytes > c.maxBytes {
		c.remove(c.ll.Back())
	}
}

func (c *pageCache) remove(el *list.Element) {
	e := el.Value.(*cacheEntry)
	c.ll.Remove(el)
	delete(c.m, e.key)
	c.bytes -= e.size
}

// len reports the number of entries and their bytes (tests).
func (c *pageCache) len() (int, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len(), c.bytes
}

// csrfStandIn stands for the visitor's CSRF token in cached pages: random
// per process, of characters no escaper changes (rand.Text is base32), so it
// comes out of the templates as it went in and no published text can
// contain it by chance.
var csrfStandIn = "csrf-stand-in-" + rand.Text()

// renderPortal renders a public portal page through the cache: build
// computes the page's data on a miss; an error from it is answered with the
// error page and nothing is cached.
func (s *Server) renderPortal(w http.ResponseWriter, r *http.Request, page string, build func() (any, error)) {
	gens, ok := s.deps.Portal.(PortalGenerations)
	key := page + "\x00" + httpx.LangFrom(r.Context()) + "\x00" + r.URL.RequestURI()
	if !ok || s.portalCache == nil || len(key) > portalCacheMaxKey || !httpx.PrincipalFrom(r.Context()).Anonymous() ||
		r.Header.Get("HX-Request") == "true" {
		data, err := build()
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.render(w, r, http.StatusOK, page, data)
		return
	}
	cache, gen := s.portalCache, uint64(0)
	ig, itemGens := s.deps.Portal.(PortalItemGenerations)
	if id, ok := itemPageOf(r, page); ok && itemGens {
		cache, gen = s.itemPages, ig.ItemGeneration(r.Context(), id)
	} else {
		gen = gens.Generation(r.Context())
	}
	p, fresh, hit := cache.get(key, gen, cache.now())
	if hit && fresh {
		writeCached(w, p, s.deps.CSRF.Token(r))
		return
	}
	// One request renders a missing or stale page; the others asking for
	// it meanwhile get the stale copy if there is one, or else wait for
	// the render rather than all reading and rendering at once.
	f, leader := cache.join(key, gen)
	if leader {
		defer cache.land(key, gen, f)
	} else if hit {
		writeCached(w, p, s.deps.CSRF.Token(r))
		return
	} else {
		select {
		case <-f.done:
		case <-r.Context().Done():
			return // the client went away
		}
		if f.ok {
			writeCached(w, f.page, s.deps.CSRF.Token(r))
			return
		}
		// The leader failed: try for ourselves, its error may not recur.
	}
	data, err := build()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t, ok := s.pages[page]
	if !ok {
		s.fail(w, r, errNoPage(page))
		return
	}
	v := s.view(r, data) // sets the visitor's CSRF cookie if needed
	token := v.CSRFToken
	v.CSRFToken = csrfStandIn
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		s.fail(w, r, errRender(page, err))
		return
	}
	p = cachedPage{parts: strings.Split(buf.String(), csrfStandIn)}
	cache.put(key, gen, cache.now(), p)
	if leader {
		f.page, f.ok = p, true
	}
	writeCached(w, p, token)
}

// itemPageOf says whether r asks for a page of the item page cache: the
// current version's item page or its guide, without a query.
func itemPageOf(r *http.Request, page string) (int64, bool) {
	if r.URL.RawQuery != "" || (page != "portal_item" && page != "portal_guide") || r.PathValue("version") != "" {
		return 0, false
	}
	id, err := pathID(r, "item")
	return id, err == nil
}

// writeCached writes a cached page with the visitor's token in place, part
// by part: no copy of the page per request.
func writeCached(w http.ResponseWriter, p cachedPage, token string) {
	n := len(token) * (len(p.parts) - 1)
	for _, part := range p.parts {
		n += len(part)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(n))
	w.WriteHeader(http.StatusOK)
	for i, part := range p.parts {
		if i > 0 {
			if _, err := io.WriteString(w, token); err != nil {
				return // the client went away
			}
		}
		if _, err := io.WriteString(w, part); err != nil {
			return
		}
	}
}

func errNoPage(page string) error { return fmt.Errorf("web: no page template %q", page) }

func errRender(page string, err error) error { return fmt.Errorf("web: render %s: %w", page, err) }
