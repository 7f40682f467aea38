package web

import (
	"bytes"
	"container/list"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"sync"
	"time"

	"github.com/qingdan/qingdan/internal/web/httpx"
)

// The portal's page cache (issue #4: search and item pages fast at 100,000
// items). Public pages are the same for every visitor except the frame
// (CSRF token, login link, language switch), so the cache keeps a page's
// rendered title and content, keyed by what determines them: the page, the
// language and the request path with its query. The frame is rendered
// around them on every request.
//
// Freshness: an entry is used only while the published list's generation is
// the one it was rendered under, and for at most portalCacheTTL. A
// publication in this process bumps the generation after its commit
// (catdb's OnPublish), so the next request already sees it; another
// instance's publication is noticed by the store portal's periodic check of
// the newest version row (PortalGenerations), and the TTL bounds anything
// else (a renamed body, a rebuilt index).

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
// first out. An item page is about 10 kB, a result page about 8 kB.
const (
	portalCacheEntries = 4096
	portalCacheBytes   = 32 << 20
	portalCacheTTL     = 5 * time.Second
	// portalCacheMaxKey: longer paths and queries are served but not
	// cached, so junk queries cannot crowd the cache with huge keys.
	portalCacheMaxKey = 512
)

// pageFragments are a rendered page without its frame.
type pageFragments struct {
	Title   template.HTML
	Content template.HTML
}

type cacheEntry struct {
	key   string
	gen   uint64
	at    time.Time
	frags pageFragments
	size  int
}

// pageCache is a bounded LRU of rendered fragments.
type pageCache struct {
	mu         sync.Mutex
	ll         *list.List // front: most recently used
	m          map[string]*list.Element
	bytes      int
	maxEntries int
	maxBytes   int
	ttl        time.Duration
}

func newPageCache(entries, bytes int, ttl time.Duration) *pageCache {
	return &pageCache{ll: list.New(), m: map[string]*list.Element{}, maxEntries: entries, maxBytes: bytes, ttl: ttl}
}

// get returns the fragments of key rendered under gen, not older than ttl.
func (c *pageCache) get(key string, gen uint64, now time.Time) (pageFragments, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.m[key]
	if !ok {
		return pageFragments{}, false
	}
	e := el.Value.(*cacheEntry)
	if e.gen != gen || now.Sub(e.at) >= c.ttl {
		c.remove(el)
		return pageFragments{}, false
	}
	c.ll.MoveToFront(el)
	return e.frags, true
}

// put stores fragments rendered under gen, evicting the least recently used
// entries beyond the bounds.
func (c *pageCache) put(key string, gen uint64, now time.Time, f pageFragments) {
	size := len(key) + len(f.Title) + len(f.Content)
	if size > c.maxBytes/16 {
		return // one page must not evict a large part of the cache
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.m[key]; ok {
		c.remove(el)
	}
	c.m[key] = c.ll.PushFront(&cacheEntry{key: key, gen: gen, at: now, frags: f, size: size})
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

// renderPortal renders a public portal page through the cache: build
// computes the page's data on a miss; an error from it is answered with the
// error page and nothing is cached. Only the page's title and content are
// cached, never the frame, so nothing of one visitor reaches another.
func (s *Server) renderPortal(w http.ResponseWriter, r *http.Request, page string, build func() (any, error)) {
	gens, ok := s.deps.Portal.(PortalGenerations)
	key := page + "\x00" + httpx.LangFrom(r.Context()) + "\x00" + r.URL.Path + "?" + r.URL.RawQuery
	if !ok || s.portalCache == nil || len(key) > portalCacheMaxKey {
		data, err := build()
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.render(w, r, http.StatusOK, page, data)
		return
	}
	gen := gens.Generation(r.Context())
	if f, hit := s.portalCache.get(key, gen, time.Now()); hit {
		s.writeFragments(w, r, page, f)
		return
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
	v := s.view(r, data)
	var title, content bytes.Buffer
	if err := t.ExecuteTemplate(&title, "title", v); err != nil {
		s.fail(w, r, errRender(page, err))
		return
	}
	if err := t.ExecuteTemplate(&content, "content", v); err != nil {
		s.fail(w, r, errRender(page, err))
		return
	}
	// Both are html/template output: already escaped HTML.
	f := pageFragments{Title: template.HTML(title.String()), Content: template.HTML(content.String())} //nolint:gosec // escaped by html/template
	s.portalCache.put(key, gen, time.Now(), f)
	s.writeFragments(w, r, page, f)
}

// writeFragments writes cached fragments in the frame (or alone to an htmx
// request, as render does).
func (s *Server) writeFragments(w http.ResponseWriter, r *http.Request, page string, f pageFragments) {
	if r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-Boosted") != "true" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(f.Content)) // a failed write means the client went away
		return
	}
	v := s.view(r, nil)
	v.Frag = &f
	var buf bytes.Buffer
	if err := s.pages[page].ExecuteTemplate(&buf, "layout", v); err != nil {
		s.fail(w, r, errRender(page, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes()) // a failed write means the client went away
}

func errNoPage(page string) error { return fmt.Errorf("web: no page template %q", page) }

func errRender(page string, err error) error { return fmt.Errorf("web: render %s: %w", page, err) }
