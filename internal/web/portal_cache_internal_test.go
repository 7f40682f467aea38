package web

import (
	"strings"
	"testing"
	"time"
)

// TestPageCache_bounded: the cache keeps at most its entries and bytes,
// dropping the least recently used, never returns an entry of another
// generation or twice as old as its TTL, and calls one older than the TTL
// stale.
func TestPageCache_bounded(t *testing.T) {
	now := time.Now()
	c := newPageCache(3, 64<<10, time.Second)
	page := func(n int) cachedPage { return cachedPage{parts: []string{"t", strings.Repeat("x", n)}} }
	for i, k := range []string{"a", "b", "c"} {
		c.put(k, 1, now, page(i))
	}
	if _, _, ok := c.get("a", 1, now); !ok { // a becomes the most recent
		t.Fatal("a missing")
	}
	c.put("d", 1, now, page(1))
	if _, _, ok := c.get("b", 1, now); ok {
		t.Error("b, least recently used, survived a fourth entry")
	}
	if n, _ := c.len(); n != 3 {
		t.Errorf("%d entries, bound 3", n)
	}
	if _, _, ok := c.get("a", 2, now); ok {
		t.Error("served an entry of an older generation")
	}
	// As old as the TTL: stale, served only while it is rendered anew;
	// twice as old: gone.
	if _, fresh, ok := c.get("c", 1, now.Add(time.Second)); !ok || fresh {
		t.Errorf("entry as old as the TTL: ok %v, fresh %v; want a stale copy", ok, fresh)
	}
	if _, _, ok := c.get("c", 2, now.Add(time.Second)); ok {
		t.Error("served a stale entry of an older generation")
	}
	c.put("c", 1, now, page(2))
	if _, _, ok := c.get("c", 1, now.Add(2*time.Second)); ok {
		t.Error("served an entry twice as old as the TTL")
	}
	// Bytes: 20 pages of 3 kB in 64 kB keep at most 64 kB.
	c = newPageCache(100, 64<<10, time.Minute)
	for i := range 40 {
		c.put(strings.Repeat("k", i+1), 1, now, cachedPage{parts: []string{strings.Repeat("x", 3000)}})
	}
	if n, b := c.len(); b > 64<<10 || n >= 40 {
		t.Errorf("%d entries of %d bytes, bound 64 kB", n, b)
	}
	// One page larger than a sixteenth of the cache is not kept.
	c.put("big", 1, now, cachedPage{parts: []string{strings.Repeat("x", 5000)}})
	if _, _, ok := c.get("big", 1, now); ok {
		t.Error("kept a page of more than a sixteenth of the cache")
	}
}

// The item page cache's bound: the default, none, or the MiB asked for.
func TestItemPageCache_bound(t *testing.T) {
	for _, c := range []struct{ mb, bytes int }{{0, DefaultPortalPageMemoryMB << 20}, {-1, 0}, {3, 3 << 20}} {
		pc := newItemPageCache(c.mb)
		if pc.maxBytes != c.bytes || pc.maxEntries != c.bytes/2048 {
			t.Errorf("%d MiB: bound %d bytes, %d entries; want %d bytes", c.mb, pc.maxBytes, pc.maxEntries, c.bytes)
		}
	}
	none := newItemPageCache(-1)
	none.put("k", 1, time.Now(), cachedPage{parts: []string{"<p>page</p>"}})
	if n, _ := none.len(); n != 0 {
		t.Errorf("a cache of none kept %d pages", n)
	}
}
