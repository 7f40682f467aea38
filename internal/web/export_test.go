package web

import (
	"testing"
	"time"
)

// UntranslatedTemplates makes s render every page with its templates as
// parsed, each message looked up at run time by View.T: the reference the
// pre-translated templates must match byte for byte.
func UntranslatedTemplates(t testing.TB, s *Server) {
	t.Helper()
	pages, err := parseTemplates(s.assets)
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range Langs {
		s.pages[lang] = pages
	}
}

// PortalCacheTTL is the page cache's time to live.
const PortalCacheTTL = portalCacheTTL

// SetPortalClock makes s's page caches read the time from now.
func SetPortalClock(s *Server, now func() time.Time) { s.portalCache.now, s.itemPages.now = now, now }

// WaitSnapshots waits until p (a NewPortal) has written every page it was
// given to save.
func WaitSnapshots(t testing.TB, p Portal) {
	t.Helper()
	sp := p.(*storePortal)
	deadline := time.Now().Add(10 * time.Second)
	for !sp.snapshotsDrained() {
		if time.Now().After(deadline) {
			t.Fatal("portal snapshots still being written after 10 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// SetSnapshotBuild makes s render as another build would.
func SetSnapshotBuild(s *Server, build string) { s.build = build }

// NoPortalMemoryCache leaves s's portal pages to the snapshots: its memory
// cache keeps nothing.
func NoPortalMemoryCache(s *Server) {
	s.portalCache, s.itemPages = newPageCache(0, 0, portalCacheTTL), newItemPageCache(-1)
}

// ItemPageMemory reports the pages in s's item page cache and their bytes.
func ItemPageMemory(s *Server) (pages, bytes int) { return s.itemPages.len() }
