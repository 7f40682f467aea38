package web

import "time"

// PortalCacheTTL is the page cache's time to live.
const PortalCacheTTL = portalCacheTTL

// SetPortalClock makes s's page caches read the time from now.
func SetPortalClock(s *Server, now func() time.Time) { s.portalCache.now, s.itemPages.now = now, now }

// ItemPageMemory reports the pages in s's item page cache and their bytes.
func ItemPageMemory(s *Server) (pages, bytes int) { return s.itemPages.len() }
