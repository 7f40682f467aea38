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

// ItemPageMemory reports the pages in s's item page cache and their bytes.
func ItemPageMemory(s *Server) (pages, bytes int) { return s.itemPages.len() }
