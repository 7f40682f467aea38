package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/qingdan/qingdan/internal/store"
)

// Snapshots of public item pages (issue #4: the item page p99 ≤ 10 ms with
// 100,000 items). The in-memory page cache (portal_cache.go) helps only the
// pages asked for again within seconds; citizens spread over 100,000 items,
// so most item pages would be read and rendered anew, which costs far more
// than serving bytes. A snapshot is an item or guide page rendered for the
// anonymous, kept in the database (portal_snapshots), and served again
// while nothing it was rendered from changed:
//
//   - the item row (every publication moves its version and updated_at),
//   - the body row (a rename or move moves its updated_at),
//   - the build (the binary that renders: templates, messages, assets and
//     code; see snapshotBuild).
//
// The stamps are read before the page's data, and a page is stored under
// the stamps read before it: a change racing the render leaves a row whose
// stamps are already old, so it is rendered again on its next view. Rows
// are written after the page is served, in batches, by one goroutine; a
// failed write loses nothing but the shortcut.

// PortalSnapshots is implemented by a Portal that keeps rendered item pages.
type PortalSnapshots interface {
	// Snapshot reads the stamps of an item and its body and, if one was
	// stored under those stamps by this build, the page. A found false
	// (no such item) is not an error: the page's own read will say so.
	Snapshot(ctx context.Context, k SnapshotKey) (s Snapshot, found bool, err error)
	// SaveSnapshot stores a page rendered under s's stamps, later and
	// without waiting; it may drop it.
	SaveSnapshot(k SnapshotKey, s Snapshot)
}

// SnapshotKey names a snapshot: which page of which item, in which
// language, rendered by which build.
type SnapshotKey struct {
	ItemID int64
	Page   string // "portal_item" or "portal_guide"
	Lang   string
	Build  string
}

// Snapshot is a page and the stamps it was rendered under.
type Snapshot struct {
	ItemVersion, ItemUpdated, BodyUpdated int64
	// BodyName is the body's name when the stamps were read: the page must
	// show it, else it was rendered from an older copy and is not stored.
	BodyName string
	// HTML is the page with a NUL byte where the visitor's CSRF token goes;
	// empty when there is no fresh one.
	HTML string
}

// snapshotBuild identifies the running binary for snapshots: a hash of the
// executable (templates, messages and assets are embedded in it), read once
// at start, so that any change to what renders a page makes every stored
// page stale. When the
// executable cannot be read, a random value: pages are reused within this
// process only.
var snapshotBuild = sync.OnceValue(func() string {
	sum, err := hashExecutable()
	if err != nil {
		return "process-" + rand.Text()
	}
	return sum
})

func hashExecutable() (string, error) {
	name, err := os.Executable()
	if err != nil {
		return "", err
	}
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil))[:32], nil
}

// snapshotKeyFor says whether r asks for a page kept as a snapshot: the
// current version's item page or the guide, without a query.
func (s *Server) snapshotKeyFor(r *http.Request, page, lang string) (SnapshotKey, bool) {
	if r.URL.RawQuery != "" || (page != "portal_item" && page != "portal_guide") || r.PathValue("version") != "" {
		return SnapshotKey{}, false
	}
	id, err := pathID(r, "item")
	if err != nil {
		return SnapshotKey{}, false
	}
	return SnapshotKey{ItemID: id, Page: page, Lang: lang, Build: s.build}, true
}

// pageFromSnapshot cuts a stored page at its token places.
func pageFromSnapshot(html string) cachedPage {
	return cachedPage{parts: strings.Split(html, "\x00")}
}

// snapshotHTML joins a rendered page's parts with NUL where the token goes;
// false if the page itself holds a NUL (html/template escapes NUL in
// values, so only a template could put one there), which would make the
// places ambiguous.
func snapshotHTML(p cachedPage) (string, bool) {
	for _, part := range p.parts {
		if strings.IndexByte(part, 0) >= 0 {
			return "", false
		}
	}
	return strings.Join(p.parts, "\x00"), true
}

// The store portal's snapshots.

// snapshotBatch bounds the pages written in one transaction: a batch rides
// in a group commit with other writers' changes, and ~64 pages of ~5 kB
// keep that group's commit short.
const (
	snapshotBatch   = 64
	snapshotPending = 4096 // pages waiting to be written; more are dropped
	snapshotIdle    = time.Second
)

type pendingSnapshot struct {
	k SnapshotKey
	s Snapshot
}

// Snapshot reads a snapshot: on PostgreSQL through the batched readers,
// where concurrent requests' reads share one query (see snapshotRead); on
// SQLite, in process and without round trips, alone (batching measured
// slower there).
func (p *storePortal) Snapshot(ctx context.Context, k SnapshotKey) (Snapshot, bool, error) {
	alone := func() (Snapshot, bool, error) {
		res, err := p.readSnapshots(ctx, k.Page, k.Lang, k.Build, []int64{k.ItemID})
		if err != nil {
			return Snapshot{}, false, err
		}
		s, found := res[k.ItemID]
		return s, found, nil
	}
	if p.db.Dialect() != store.Postgres {
		return alone()
	}
	r := &snapshotRead{k: k, done: make(chan struct{})}
	select {
	case p.reads <- r:
	default:
		return alone() // readers far behind: read alone rather than queue longer
	}
	// Enqueued first, counted second: a reader that leaves after this
	// load finds the request in the queue (readSnapshotsLoop).
	if p.readers.Load() < snapshotReaders {
		if p.readers.Add(1) <= snapshotReaders {
			go p.readSnapshotsLoop()
		} else {
			p.readers.Add(-1)
		}
	}
	select {
	case <-r.done:
		return r.s, r.found, r.err
	case <-ctx.Done():
		return Snapshot{}, false, ctx.Err()
	}
}

// snapshotRead is one request's snapshot read waiting for a reader.
type snapshotRead struct {
	k     SnapshotKey
	s     Snapshot
	found bool
	err   error
	done  chan struct{}
}

// Batched snapshot reads, as the write path groups commits: a reader takes
// the first waiting request and every other one queued meanwhile (up to
// snapshotReadBatch) and answers them with one query per page and language.
// Over PostgreSQL a query's fixed cost (a round trip, waking the backend and
// this process again) is most of a snapshot read's; 50 clients' requests
// come in bursts, so two readers answer them with few queries (1, 2 and 4
// readers were measured: 2 was best, BENCHMARKS.md).
const (
	snapshotReaders   = 2
	snapshotReadBatch = 32
	snapshotReadQueue = 256
)

// readSnapshotsLoop answers queued reads until none came for snapshotIdle.
func (p *storePortal) readSnapshotsLoop() {
	idle := time.NewTimer(snapshotIdle)
	defer idle.Stop()
	for {
		var first *snapshotRead
		select {
		case first = <-p.reads:
		default:
			idle.Reset(snapshotIdle)
			select {
			case first = <-p.reads:
			case <-idle.C:
				p.readers.Add(-1)
				// A request queued before the decrement may have seen
				// every reader running and started none: stay for it,
				// unless the others are enough.
				if len(p.reads) == 0 {
					return
				}
				if p.readers.Add(1) > snapshotReaders {
					p.readers.Add(-1)
					return
				}
				continue
			}
		}
		batch := []*snapshotRead{first}
	drain:
		for len(batch) < snapshotReadBatch {
			select {
			case r := <-p.reads:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		p.answerSnapshots(batch)
	}
}

// answerSnapshots reads a batch's snapshots, one query per page, language
// and build among them, and answers each request.
func (p *storePortal) answerSnapshots(batch []*snapshotRead) {
	type group struct{ page, lang, build string }
	ids := map[group][]int64{}
	for _, r := range batch {
		g := group{r.k.Page, r.k.Lang, r.k.Build}
		ids[g] = append(ids[g], r.k.ItemID)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for g, gids := range ids {
		res, err := p.readSnapshots(ctx, g.page, g.lang, g.build, gids)
		for _, r := range batch {
			if (group{r.k.Page, r.k.Lang, r.k.Build}) != g {
				continue
			}
			r.s, r.found = res[r.k.ItemID]
			r.err = err
			close(r.done)
		}
	}
}

// readSnapshots reads, for each item, its and its body's stamps and the
// page stored under exactly those stamps by build, if any. An id with no
// item is absent from the result. The id list is padded to a power of two
// so that a few statements serve every batch size.
func (p *storePortal) readSnapshots(ctx context.Context, page, lang, build string, ids []int64) (map[int64]Snapshot, error) {
	n := 1
	for n < len(ids) {
		n *= 2
	}
	args := make([]any, 0, 3+n)
	args = append(args, page, lang, build)
	for i := range n {
		args = append(args, ids[min(i, len(ids)-1)])
	}
	rows, err := p.db.Query(ctx, snapshotQuery(n), args...)
	if err != nil {
		return nil, fmt.Errorf("portal: snapshot: %w", err)
	}
	defer rows.Close()
	out := make(map[int64]Snapshot, len(ids))
	for rows.Next() {
		var (
			id   int64
			s    Snapshot
			html sql.NullString // NULL: no fresh page
		)
		if err := rows.Scan(&id, &s.ItemVersion, &s.ItemUpdated, &s.BodyUpdated, &s.BodyName, &html); err != nil {
			return nil, fmt.Errorf("portal: snapshot: %w", err)
		}
		s.HTML = html.String
		out[id] = s
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("portal: snapshot: %w", err)
	}
	return out, nil
}

// snapshotQueries are the statements for n ids, n a power of two.
var snapshotQueries sync.Map

func snapshotQuery(n int) string {
	if q, ok := snapshotQueries.Load(n); ok {
		return q.(string)
	}
	q := `SELECT i.id, i.version, i.updated_at, b.updated_at, b.name, s.html
		FROM catalog_items i JOIN bodies b ON b.id = i.body_id
		LEFT JOIN portal_snapshots s ON s.item_id = i.id AND s.page = ? AND s.lang = ? AND s.build = ?
			AND s.item_version = i.version AND s.item_updated = i.updated_at AND s.body_updated = b.updated_at
		WHERE i.id IN (?` + strings.Repeat(", ?", n-1) + `)`
	snapshotQueries.Store(n, q)
	return q
}

func (p *storePortal) SaveSnapshot(k SnapshotKey, s Snapshot) {
	select {
	case p.pending <- pendingSnapshot{k, s}:
	default:
		return // the writer is behind: this page is rendered again next time
	}
	if p.saving.CompareAndSwap(false, true) {
		go p.saveSnapshots()
	}
}

// saveSnapshots writes pending pages in batches until none came for
// snapshotIdle, then ends; the next SaveSnapshot starts it again.
func (p *storePortal) saveSnapshots() {
	for {
		batch := p.nextBatch()
		if len(batch) == 0 {
			p.saving.Store(false)
			// A page queued between the last receive and the store above
			// found saving still true and started nothing: take it over.
			if len(p.pending) == 0 || !p.saving.CompareAndSwap(false, true) {
				return
			}
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := p.db.Write(ctx, func(tx *store.Tx) error {
			for _, x := range batch {
				if _, err := tx.Exec(ctx, `INSERT INTO portal_snapshots (item_id, page, lang, build, item_version, item_updated, body_updated, html)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?)
					ON CONFLICT (item_id, page, lang) DO UPDATE SET build = excluded.build, item_version = excluded.item_version,
						item_updated = excluded.item_updated, body_updated = excluded.body_updated, html = excluded.html`,
					x.k.ItemID, x.k.Page, x.k.Lang, x.k.Build, x.s.ItemVersion, x.s.ItemUpdated, x.s.BodyUpdated, []byte(x.s.HTML)); err != nil {
					return err
				}
			}
			return nil
		})
		cancel()
		if err != nil && p.log != nil {
			p.log.Warn("portal: snapshots not saved (pages are rendered again on their next view)", "pages", len(batch), "err", err)
		}
	}
}

// nextBatch takes up to snapshotBatch pending pages, waiting at most
// snapshotIdle for the first.
func (p *storePortal) nextBatch() []pendingSnapshot {
	var batch []pendingSnapshot
	select {
	case x := <-p.pending:
		batch = append(batch, x)
	case <-time.After(snapshotIdle):
		return nil
	}
	for len(batch) < snapshotBatch {
		select {
		case x := <-p.pending:
			batch = append(batch, x)
		default:
			return batch
		}
	}
	return batch
}

// snapshotsDrained reports whether no page waits to be written (tests and
// the benchmark wait for it).
func (p *storePortal) snapshotsDrained() bool {
	return len(p.pending) == 0 && !p.saving.Load()
}
