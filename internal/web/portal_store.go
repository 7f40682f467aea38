package web

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/catalog/catsearch"
	"github.com/qingdan/qingdan/internal/ident"
	"github.com/qingdan/qingdan/internal/store"
)

// NewPortal is the Portal over the store: search and facets from the
// catsearch index, items through catdb's public reads, body names from
// org's bodies table and the change history from catdb's version rows
// (public facts only: dates, kinds, codes; never who acted).
//
// Its pages are cached in memory (PortalGenerations): the audit log's new
// events (catdb.ChangedItems) and the bodies' signature are checked at most
// every genCheck for changes by other instances, and right after each of
// cat's publications. Nothing of the cache is stored in the database.
func NewPortal(db *store.DB, cat *catdb.Service) Portal {
	p := &storePortal{db: db, cat: cat}
	// After this process's publication has committed, and before the
	// publishing call returns, so its next request sees it: the check
	// finds the new events (or fails) and bumps what changed.
	cat.OnPublish(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		p.checkMu.Lock()
		defer p.checkMu.Unlock()
		p.check(ctx)
	})
	return p
}

// genCheck is how often Generation looks for changes made by other
// instances sharing the database (two short indexed reads and the bodies
// per period).
const genCheck = time.Second

// bodiesTTL is how long the list of bodies is reused: it is read on every
// search and item page, and a new body or a renamed one may show a few
// seconds late without harm.
const bodiesTTL = 10 * time.Second

type storePortal struct {
	db  *store.DB
	cat *catdb.Service

	mu        sync.Mutex
	bodies    []PortalBody
	bodiesAt  time.Time
	bodiesGen uint64 // the generation before bodies was read

	// gen is every public page's generation: any change bumps it.
	gen atomic.Uint64
	// An item's pages have a generation of their own (ItemGeneration): the
	// greater of itemBase, bumped when every item page may have changed (a
	// body changed, a check failed), and the item's mark, set when the
	// item changed. Both are handed out by seq, so they only grow.
	seq      atomic.Uint64
	itemBase atomic.Uint64
	marks    sync.Map // item id → uint64

	checkMu    sync.Mutex   // one check at a time; guards the fields below
	checkedAt  atomic.Int64 // unix nanoseconds of the last check
	checked    bool
	lastEvent  int64 // the newest event seq seen then
	lastBodies int64 // the bodies' signature seen then
}

// Generation is the published list's generation: it changes, at most
// genCheck after anyone's change, and at once after this process's
// publications, with anything a public page shows: every publication
// emits an event per item it changes (read by catdb.ChangedItems in the
// order the events' seq gives, which is commit order), and a body renamed,
// moved or (de)activated changes the bodies' signature (their count and
// the sum of their updated_at, taken modulo a prime so it cannot
// overflow). One request per period runs the check; the others use the
// value as it is. A failed check bumps it, so a database hiccup never
// extends the life of cached pages.
func (p *storePortal) Generation(ctx context.Context) uint64 {
	if time.Now().UnixNano()-p.checkedAt.Load() >= int64(genCheck) && p.checkMu.TryLock() {
		p.check(ctx)
		p.checkMu.Unlock()
	}
	return p.gen.Load()
}

// ItemGeneration is the generation of an item's pages: it changes when the
// item is published or a body changes, not with other items' publications,
// so a publication leaves the rest of the list's pages in memory.
func (p *storePortal) ItemGeneration(ctx context.Context, itemID int64) uint64 {
	p.Generation(ctx)
	g := p.itemBase.Load()
	if m, ok := p.marks.Load(itemID); ok {
		g = max(g, m.(uint64))
	}
	return g
}

// maxMarks bounds the items marked one by one in a check; more changed
// (a reform's mass adjustment) end every item page at once.
const maxMarks = 10_000

// check reads the bodies' signature and the items changed by the events
// since the last check, and bumps what changed; the caller holds checkMu.
func (p *storePortal) check(ctx context.Context) {
	p.checkedAt.Store(time.Now().UnixNano())
	var bodies int64
	err := p.db.QueryRow(ctx, `SELECT count(*) * 1000000007 + CAST(COALESCE(SUM(updated_at % 1000000007), 0) AS BIGINT) FROM bodies`).Scan(&bodies)
	var (
		ids  []int64
		upto int64
		more bool
	)
	if err == nil {
		ids, upto, more, err = p.cat.ChangedItems(ctx, p.lastEvent, maxMarks)
	}
	switch {
	case err != nil:
		p.endItemPages()
		p.gen.Add(1)
		return
	case !p.checked || bodies != p.lastBodies || upto < p.lastEvent || more:
		// upto below the last seen: the database was restored or
		// replaced under this process.
		p.endItemPages()
		p.gen.Add(1)
	case len(ids) > 0:
		for _, id := range ids {
			p.marks.Store(id, p.seq.Add(1))
		}
		p.gen.Add(1)
	}
	p.checked, p.lastEvent, p.lastBodies = true, upto, bodies
}

// endItemPages gives every item page a new generation: the base first,
// then the marks (all below it now) go.
func (p *storePortal) endItemPages() {
	p.itemBase.Store(p.seq.Add(1))
	p.marks.Clear()
}

func (p *storePortal) Search(ctx context.Context, f catsearch.Filter) (catsearch.Result, error) {
	return catsearch.Search(ctx, p.db, f)
}

func (p *storePortal) Facets(ctx context.Context, bodyID int64) ([]catsearch.Count, []catsearch.Count, error) {
	return catsearch.Facets(ctx, p.db, bodyID)
}

// Bodies names the bodies with indexed items, from a copy at most bodiesTTL
// old and read under the current generation: a page cached under a
// generation never shows a body as it was before it.
func (p *storePortal) Bodies(ctx context.Context) ([]PortalBody, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	gen := p.gen.Load()
	if p.bodies != nil && p.bodiesGen == gen && time.Since(p.bodiesAt) < bodiesTTL {
		return slices.Clone(p.bodies), nil
	}
	bs, err := p.readBodies(ctx)
	if err != nil {
		return nil, err
	}
	p.bodies, p.bodiesAt, p.bodiesGen = bs, time.Now(), gen
	return slices.Clone(bs), nil
}

// readBodies reads the bodies with indexed items and counts them; each
// count is a range of the index's (body_id, code) index.
func (p *storePortal) readBodies(ctx context.Context) ([]PortalBody, error) {
	rows, err := p.db.Query(ctx, `SELECT b.id, b.name, (SELECT count(*) FROM catsearch_docs d WHERE d.body_id = b.id)
		FROM bodies b ORDER BY b.path`)
	if err != nil {
		return nil, fmt.Errorf("portal: bodies: %w", err)
	}
	defer rows.Close()
	var out []PortalBody
	for rows.Next() {
		var b PortalBody
		if err := rows.Scan(&b.ID, &b.Name, &b.Items); err != nil {
			return nil, fmt.Errorf("portal: bodies: %w", err)
		}
		if b.Items > 0 {
			out = append(out, b)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("portal: bodies: %w", err)
	}
	return out, nil
}

func (p *storePortal) body(ctx context.Context, id int64) (PortalBody, error) {
	bs, err := p.Bodies(ctx)
	if err != nil {
		return PortalBody{}, err
	}
	for _, b := range bs {
		if b.ID == id {
			return b, nil
		}
	}
	b := PortalBody{ID: id}
	err = p.db.QueryRow(ctx, `SELECT name FROM bodies WHERE id = ?`, id).Scan(&b.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return b, apperr.NotFoundf("web.no_such_body")
	}
	if err != nil {
		return b, fmt.Errorf("portal: body: %w", err)
	}
	return b, nil
}

func (p *storePortal) Item(ctx context.Context, itemID int64) (PortalItem, error) {
	d, err := p.cat.ItemByID(ctx, itemID)
	if err != nil {
		return PortalItem{}, err
	}
	if d.Item.Standing == catalog.Unknown || len(d.History) == 0 {
		return PortalItem{}, apperr.NotFoundf("web.no_such_item")
	}
	body, err := p.body(ctx, d.Item.BodyID)
	if err != nil {
		return PortalItem{}, err
	}
	it := PortalItem{ID: d.Item.ID, Body: body, Standing: d.Item.Standing}
	for _, v := range d.History {
		if v.Status.IsPublic() {
			it.Versions = append(it.Versions, v.ItemVersion.Public()) // L7, O4
		}
	}
	return it, nil
}

// Changes reads a body's publications newest first. The kind of each is
// what the version did: the first version added the item, a suspension or
// cancellation version says so, a version after a suspension re-enabled it,
// any other changed it.
func (p *storePortal) Changes(ctx context.Context, bodyID int64, limit int) (PortalBody, []PortalChange, error) {
	body, err := p.body(ctx, bodyID)
	if err != nil {
		return body, nil, err
	}
	rows, err := p.db.Query(ctx, `SELECT v.item_id, v.version, v.status, v.published_at, i.base_code, i.name, i.category,
			COALESCE((SELECT pv.status FROM catalog_versions pv WHERE pv.item_id = v.item_id AND pv.version = v.version - 1), '')
		FROM catalog_versions v JOIN catalog_items i ON i.id = v.item_id
		WHERE v.body_id = ? ORDER BY v.published_at DESC, v.id DESC LIMIT ?`, bodyID, limit)
	if err != nil {
		return body, nil, fmt.Errorf("portal: changes: %w", err)
	}
	defer rows.Close()
	var out []PortalChange
	for rows.Next() {
		var (
			c              PortalChange
			status, prev   string
			published      int64
			category, name string
		)
		if err := rows.Scan(&c.ItemID, &c.Version, &status, &published, &c.Code, &name, &category, &prev); err != nil {
			return body, nil, fmt.Errorf("portal: changes: %w", err)
		}
		c.At, c.Name, c.Category = store.FromMicros(published), ident.MaskText(name), catalog.Category(category)
		c.Kind = changeKind(catalog.VersionStatus(status), c.Version, catalog.VersionStatus(prev))
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return body, nil, fmt.Errorf("portal: changes: %w", err)
	}
	return body, out, nil
}

func changeKind(status catalog.VersionStatus, version int, prev catalog.VersionStatus) catalog.AdjustmentKind {
	switch {
	case status == catalog.StatusSuspended:
		return catalog.SuspendItem
	case status == catalog.StatusCancelled:
		return catalog.CancelItem
	case version == 1 || prev == catalog.StatusCancelled:
		return catalog.AddItem
	case prev == catalog.StatusSuspended:
		return catalog.ReenableItem
	}
	return catalog.ChangeItem
}
