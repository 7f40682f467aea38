package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/catalog/catsearch"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

// The public portal (issue #4 items 6 and 7): the published list, searchable
// and browsable by body, category and unit, item pages with their version
// history (C9), service guides with a QR code (C10) and each body's change
// history. No login, no JavaScript needed (plain links and GET forms), and
// nothing personal: items and guides carry only office contacts, and the
// change history names no staff (L7, O4).

// Portal is what the portal reads: the published list. NewPortal builds it
// over the store and the catalogue's read API; tests may fake it.
type Portal interface {
	// Search finds items in the search index (catsearch).
	Search(ctx context.Context, f catsearch.Filter) (catsearch.Result, error)
	// Facets counts a body's items by category and by unit.
	Facets(ctx context.Context, bodyID int64) (categories, units []catsearch.Count, err error)
	// Bodies lists the bodies that have a published list.
	Bodies(ctx context.Context) ([]PortalBody, error)
	// Item returns a published item with every published version; an
	// apperr NotFound when there is none.
	Item(ctx context.Context, itemID int64) (PortalItem, error)
	// Changes lists the publications of a body's list, newest first, at
	// most limit of them; an apperr NotFound for an unknown body.
	Changes(ctx context.Context, bodyID int64, limit int) (PortalBody, []PortalChange, error)
}

// PortalBody is a body with a published list.
type PortalBody struct {
	ID    int64
	Name  string
	Items int
}

// PortalItem is a published item as the public sees it.
type PortalItem struct {
	ID       int64
	Body     PortalBody
	Standing catalog.Standing
	// Versions are every published version, newest first; Versions[0] is
	// the current one. Drafts never appear.
	Versions []catalog.ItemVersion
}

// PortalChange is one publication in a body's list: an item added,
// changed, suspended, re-enabled or cancelled by a version.
type PortalChange struct {
	At       time.Time
	ItemID   int64
	Code     string
	Name     string
	Version  int
	Kind     catalog.AdjustmentKind
	Category catalog.Category
}

// portalPageSize is how many items a result page lists.
const portalPageSize = 20

func (s *Server) portalRoutes() []httpx.Route {
	if s.deps.Portal == nil {
		return nil
	}
	pub := httpx.Policy{Public: true}
	return []httpx.Route{
		{Pattern: "GET /portal", Policy: pub, Handler: http.HandlerFunc(s.portalHome),
			Nav: &httpx.Nav{Label: "nav.portal", Order: 5}},
		{Pattern: "GET /portal/search", Policy: pub, Handler: http.HandlerFunc(s.portalSearch)},
		{Pattern: "GET /portal/bodies/{body}", Policy: pub, Handler: http.HandlerFunc(s.portalBody)},
		{Pattern: "GET /portal/bodies/{body}/changes", Policy: pub, Handler: http.HandlerFunc(s.portalChanges)},
		{Pattern: "GET /portal/items/{item}", Policy: pub, Handler: http.HandlerFunc(s.portalItem)},
		{Pattern: "GET /portal/items/{item}/versions/{version}", Policy: pub, Handler: http.HandlerFunc(s.portalItem)},
		{Pattern: "GET /portal/items/{item}/guide", Policy: pub, Handler: http.HandlerFunc(s.portalGuide)},
		{Pattern: "GET /portal/items/{item}/guide/qr.png", Policy: pub, Handler: http.HandlerFunc(s.portalQRPNG)},
		{Pattern: "GET /portal/items/{item}/guide/qr.svg", Policy: pub, Handler: http.HandlerFunc(s.portalQRSVG)},
	}
}

// portalHomePage is the data of the portal's home.
type portalHomePage struct {
	Bodies     []PortalBody
	Categories []portalCategory
}

// portalCategory is a category link with its display key.
type portalCategory struct {
	Value string
	Key   string
	N     int
	On    bool
}

func categoryKey(c string) string { return "portal.cat." + c }

func standingKey(s catalog.Standing) string { return "portal.standing." + string(s) }

func (s *Server) portalHome(w http.ResponseWriter, r *http.Request) {
	s.renderPortal(w, r, "portal_home", func() (any, error) {
		bodies, err := s.deps.Portal.Bodies(r.Context())
		if err != nil {
			return nil, err
		}
		page := portalHomePage{Bodies: bodies}
		for _, c := range catalog.Categories {
			page.Categories = append(page.Categories, portalCategory{Value: string(c.Category), Key: categoryKey(string(c.Category))})
		}
		return page, nil
	})
}

// portalListPage is the data of the search and browse pages.
type portalListPage struct {
	Query      string
	Body       *PortalBody // browsing one body's list
	Bodies     []PortalBody
	BodyID     int64
	Category   string
	Unit       string
	Categories []portalCategory
	Units      []catsearch.Count
	Hits       []portalHit
	// Total is the number of hits up to this page's end; More says further
	// hits follow (then Total is a lower bound).
	Total      int
	More       bool
	Page       int
	Prev, Next string // page links, "" when none
	Searched   bool
}

type portalHit struct {
	catsearch.Hit
	// Body names the body whose list holds the item: the same item is on
	// several bodies' lists (three 最低生活保障待遇认定), told apart by body
	// and unit.
	Body        string
	CategoryKey string
	StandingKey string
	Suspended   bool
	Cancelled   bool
}

func (s *Server) portalSearch(w http.ResponseWriter, r *http.Request) {
	s.renderPortal(w, r, "portal_search", func() (any, error) {
		bodies, err := s.deps.Portal.Bodies(r.Context())
		if err != nil {
			return nil, err
		}
		page := portalListPage{Bodies: bodies, Searched: true}
		return &page, s.portalList(r, &page)
	})
}

func (s *Server) portalBody(w http.ResponseWriter, r *http.Request) {
	s.renderPortal(w, r, "portal_search", func() (any, error) {
		id, err := pathID(r, "body")
		if err != nil {
			return nil, err
		}
		bodies, err := s.deps.Portal.Bodies(r.Context())
		if err != nil {
			return nil, err
		}
		page := portalListPage{Bodies: bodies, Searched: true}
		for i := range bodies {
			if bodies[i].ID == id {
				page.Body = &bodies[i]
			}
		}
		if page.Body == nil {
			return nil, s.errorf(apperr.NotFound, "", "error.not_found.message")
		}
		cats, units, err := s.deps.Portal.Facets(r.Context(), id)
		if err != nil {
			return nil, err
		}
		page.Units = units
		page.BodyID = id
		counts := map[string]int{}
		for _, c := range cats {
			counts[c.Value] = c.N
		}
		for _, c := range catalog.Categories {
			if n := counts[string(c.Category)]; n > 0 {
				page.Categories = append(page.Categories, portalCategory{Value: string(c.Category), Key: categoryKey(string(c.Category)), N: n})
			}
		}
		return &page, s.portalList(r, &page)
	})
}

// portalList reads the query parameters (q, body, category, unit, page) and
// runs the search into page (search and browse pages share one template).
func (s *Server) portalList(r *http.Request, page *portalListPage) error {
	qs := r.URL.Query()
	page.Query = qs.Get("q")
	if page.Body == nil && qs.Get("body") != "" {
		id, err := strconv.ParseInt(qs.Get("body"), 10, 64)
		if err != nil || id <= 0 {
			return apperr.Invalidf("body", "web.invalid_body_number")
		}
		page.BodyID = id
	}
	if c := qs.Get("category"); c != "" {
		if !catalog.Category(c).Valid() {
			return apperr.Invalidf("category", "web.unknown_category")
		}
		page.Category = c
	}
	page.Unit = qs.Get("unit")
	page.Page = 1
	if p := qs.Get("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > catsearch.MaxResults/portalPageSize {
			return apperr.Invalidf("page", "web.invalid_page_number")
		}
		page.Page = n
	}
	for i := range page.Categories {
		page.Categories[i].On = page.Categories[i].Value == page.Category
	}
	if page.Categories == nil {
		for _, c := range catalog.Categories {
			page.Categories = append(page.Categories, portalCategory{Value: string(c.Category), Key: categoryKey(string(c.Category)), On: string(c.Category) == page.Category})
		}
	}
	f := catsearch.Filter{Query: catsearch.Parse(page.Query), BodyID: page.BodyID, Category: page.Category,
		Unit: page.Unit, Limit: portalPageSize, Offset: (page.Page - 1) * portalPageSize}
	if f.Query.Empty() && page.Category == "" && page.Unit == "" && page.BodyID == 0 {
		// An empty search shows the form only, not the whole list.
		page.Searched = false
		return nil
	}
	res, err := s.deps.Portal.Search(r.Context(), f)
	if err != nil {
		return err
	}
	page.Total, page.More = f.Offset+len(res.Hits), res.More
	bodyName := map[int64]string{}
	for _, b := range page.Bodies {
		bodyName[b.ID] = b.Name
	}
	for _, h := range res.Hits {
		st := catalog.Standing(h.Standing)
		page.Hits = append(page.Hits, portalHit{Hit: h, Body: bodyName[h.BodyID], CategoryKey: categoryKey(h.Category), StandingKey: standingKey(st),
			Suspended: st == catalog.Suspended, Cancelled: st == catalog.Cancelled})
	}
	link := func(p int) string {
		v := url.Values{}
		for _, k := range []string{"q", "body", "category", "unit"} {
			if qs.Get(k) != "" {
				v.Set(k, qs.Get(k))
			}
		}
		v.Set("page", strconv.Itoa(p))
		return r.URL.Path + "?" + v.Encode()
	}
	if page.Page > 1 {
		page.Prev = link(page.Page - 1)
	}
	if res.More && page.Page < catsearch.MaxResults/portalPageSize {
		page.Next = link(page.Page + 1)
	}
	return nil
}

// portalChangesPage is the data of a body's change history.
type portalChangesPage struct {
	Body    PortalBody
	Changes []portalChangeRow
}

type portalChangeRow struct {
	PortalChange
	KindKey string
	Date    string
}

// portalChangesLimit bounds the change history page.
const portalChangesLimit = 500

func (s *Server) portalChanges(w http.ResponseWriter, r *http.Request) {
	s.renderPortal(w, r, "portal_changes", func() (any, error) {
		id, err := pathID(r, "body")
		if err != nil {
			return nil, err
		}
		body, changes, err := s.deps.Portal.Changes(r.Context(), id, portalChangesLimit)
		if err != nil {
			return nil, err
		}
		page := portalChangesPage{Body: body}
		for _, c := range changes {
			page.Changes = append(page.Changes, portalChangeRow{PortalChange: c, KindKey: "portal.change." + string(c.Kind), Date: portalDate(c.At)})
		}
		return page, nil
	})
}

// pathID parses a positive integer path value.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.NotFoundf("web.not_found")
	}
	return id, nil
}

// portalZone is where dates on the portal are shown (the district's zone;
// the list of one district has one).
var portalZone = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600) // tzdata missing: China has no DST
	}
	return loc
}()

func portalDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(portalZone).Format("2006-01-02")
}
