package web

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

// Catalog is the catalogue service behind the staff pages (issue #4: list
// administration, adjustments, review tasks); *catdb.Service is one.
type Catalog interface {
	Items(ctx context.Context, p access.Principal, bodyID int64) ([]catdb.Item, error)
	Bodies(ctx context.Context, p access.Principal) ([]catdb.BodyRef, error)
	ItemByID(ctx context.Context, id int64) (catdb.ItemDetail, error)
	Adjustments(ctx context.Context, p access.Principal, f catdb.AdjustmentFilter) ([]catdb.Adjustment, error)
	Adjustment(ctx context.Context, p access.Principal, id int64) (catdb.Adjustment, error)
	Allowed(ctx context.Context, p access.Principal, id int64) ([]catalog.Action, error)
	ChangedElements(ctx context.Context, p access.Principal, id int64) (map[string][]string, error)
	DraftBases(ctx context.Context, p access.Principal, id int64) (map[string]catalog.ItemVersion, error)
	ActorNames(ctx context.Context, actors []string) (map[string]string, error)
	CreateAdjustment(ctx context.Context, p access.Principal, in catdb.AdjustmentInput) (catdb.Adjustment, error)
	UpdateAdjustment(ctx context.Context, p access.Principal, id, version int64, in catdb.AdjustmentInput) (catdb.Adjustment, error)
	Act(ctx context.Context, p access.Principal, id, version int64, a catalog.Action) (catdb.Adjustment, error)
	Reviews(ctx context.Context, p access.Principal, f catdb.ReviewFilter) ([]catdb.Review, error)
	CompleteReview(ctx context.Context, p access.Principal, id int64, note string) (catdb.Review, error)
	RequestExemption(ctx context.Context, p access.Principal, id int64, reason string) (catdb.Review, error)
	DecideExemption(ctx context.Context, p access.Principal, id int64, approve bool, comment string) (catdb.Review, error)
	Tasks(ctx context.Context, p access.Principal) ([]catdb.Task, error)
	NextActors(ctx context.Context, a catdb.Adjustment) ([]catdb.Waiting, error)
	ReviewActors(ctx context.Context, r catdb.Review) ([]catdb.Waiting, error)
	PersonName(ctx context.Context, who string) (string, error)
	PathOf(ctx context.Context, kind string, id int64) (string, error)
	ReformMembers(ctx context.Context, p access.Principal) ([]catdb.ReformMember, error)
	SetReformGroups(ctx context.Context, p access.Principal, staffID, version int64, groups []catalog.ReformGroup) (catdb.ReformSeats, error)
}

// Roles taking steps of the adjustment procedure (catalog.Transition decides
// which step each may take).
var (
	catalogDrafters = []access.Role{access.RoleListLiaison}
	catalogStepper  = []access.Role{access.RoleListLiaison, access.RoleUnitStaff, access.RoleGeneralOffice}
	catalogReviewer = []access.Role{access.RoleListLiaison, access.RoleGeneralOffice}
)

// catalogRoutes are the staff pages of the list. Reads are open to every
// logged-in principal within jurisdiction (external supervisors included,
// read-only); writes name their roles and the object's body (Scope).
func (s *Server) catalogRoutes() []httpx.Route {
	c := s.deps.Catalog
	if c == nil {
		return nil
	}
	scope := func(kind string) func(r *http.Request) (string, error) {
		return func(r *http.Request) (string, error) {
			id, err := catalogID(r)
			if err != nil {
				return "", err
			}
			return c.PathOf(r.Context(), kind, id)
		}
	}
	read := httpx.Policy{}
	return []httpx.Route{
		{Pattern: "GET /catalog", Policy: read, Handler: http.HandlerFunc(s.catalogItems),
			Nav: &httpx.Nav{Label: "nav.catalog", Order: 40}},
		{Pattern: "GET /catalog/items/{id}", Policy: httpx.Policy{Scope: scope("item")}, Handler: http.HandlerFunc(s.catalogItem)},
		{Pattern: "GET /catalog/adjustments", Policy: read, Handler: http.HandlerFunc(s.catalogAdjustments),
			Nav: &httpx.Nav{Label: "nav.catalog_adjustments", Order: 41}},
		{Pattern: "GET /catalog/adjustments/new", Policy: httpx.Policy{Roles: catalogDrafters}, Handler: http.HandlerFunc(s.catalogNewForm)},
		{Pattern: "POST /catalog/adjustments", Policy: httpx.Policy{Roles: catalogDrafters, Write: true}, Handler: http.HandlerFunc(s.catalogCreate),
			MaxBody: maxCatalogForm},
		{Pattern: "GET /catalog/adjustments/{id}", Policy: httpx.Policy{Scope: scope("adjustment")}, Handler: http.HandlerFunc(s.catalogAdjustment)},
		{Pattern: "GET /catalog/adjustments/{id}/edit", Policy: httpx.Policy{Roles: catalogDrafters, Scope: scope("adjustment")}, Handler: http.HandlerFunc(s.catalogEditForm)},
		{Pattern: "POST /catalog/adjustments/{id}/edit", Policy: httpx.Policy{Roles: catalogDrafters, Write: true, Scope: scope("adjustment")}, Handler: http.HandlerFunc(s.catalogUpdate),
			MaxBody: maxCatalogForm},
		{Pattern: "POST /catalog/adjustments/{id}/act", Policy: httpx.Policy{Roles: catalogStepper, Write: true, Scope: scope("adjustment")}, Handler: http.HandlerFunc(s.catalogAct)},
		{Pattern: "GET /catalog/reviews", Policy: read, Handler: http.HandlerFunc(s.catalogReviews),
			Nav: &httpx.Nav{Label: "nav.catalog_reviews", Order: 42}},
		{Pattern: "POST /catalog/reviews/{id}/done", Policy: httpx.Policy{Roles: catalogReviewer, Write: true, Scope: scope("review")}, Handler: http.HandlerFunc(s.catalogReviewDone)},
		{Pattern: "POST /catalog/reviews/{id}/exempt", Policy: httpx.Policy{Roles: catalogReviewer, Write: true, Scope: scope("review")}, Handler: http.HandlerFunc(s.catalogReviewExempt)},
		// The upper level's reform office decides; its jurisdiction covers
		// the derived body the task belongs to.
		{Pattern: "POST /catalog/reviews/{id}/decide", Policy: httpx.Policy{Roles: []access.Role{access.RoleGeneralOffice}, Write: true, Scope: scope("review")}, Handler: http.HandlerFunc(s.catalogReviewDecide)},
		{Pattern: "GET /catalog/reform-groups", Policy: httpx.Policy{Roles: catalogReformSetters}, Handler: http.HandlerFunc(s.catalogReformGroups),
			Nav: &httpx.Nav{Label: "nav.catalog_reform_groups", Order: 44}},
		{Pattern: "POST /catalog/reform-groups/{id}", Policy: httpx.Policy{Roles: catalogReformSetters, Write: true, Scope: scope("staff")},
			Handler: http.HandlerFunc(s.catalogSetReformGroups)},
	}
}

func catalogID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.Invalidf("id", "web.not_a_valid_id")
	}
	return id, nil
}

// postedID reads the path id and the posted form of an action on one
// catalogue object; when either is bad it has answered and returns false.
func (s *Server) postedID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := catalogID(r)
	if err == nil {
		err = s.parseForm(w, r)
	}
	if err != nil {
		s.fail(w, r, err)
		return 0, false
	}
	return id, true
}

// formVersion is the version a posted form says it was based on (the
// hidden field "version"); 0 when absent or not a number.
func formVersion(r *http.Request) int64 {
	v, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil || v < 0 {
		return 0
	}
	return v
}

// pick returns zh or en for the request's language.
func pick(r *http.Request, zh, en string) string {
	if httpx.LangFrom(r.Context()) == httpx.LangEn {
		return en
	}
	return zh
}

// when formats an instant in the body's (default) zone.
func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(calendar.DefaultLocation).Format("2006-01-02 15:04")
}

func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(calendar.DefaultLocation).Format(time.DateOnly)
}

func categoryName(r *http.Request, c catalog.Category) string {
	if info, ok := c.Info(); ok {
		return pick(r, info.Zh, info.En)
	}
	return string(c)
}

func standingName(r *http.Request, st catalog.Standing) string { return pick(r, st.Zh(), string(st)) }

func stageName(r *http.Request, st catalog.Stage) string {
	return pick(r, st.Zh(), map[catalog.Stage]string{catalog.StageDrafting: "drafting", catalog.StageSigned: "signed, awaiting the office",
		catalog.StageOfficeReviewed: "awaiting the reform office", catalog.StageApproved: "approved, awaiting publication",
		catalog.StagePublished: "published", catalog.StageReturned: "returned", catalog.StageWithdrawn: "withdrawn"}[st])
}

func versionStatusName(r *http.Request, st catalog.VersionStatus) string {
	return pick(r, map[catalog.VersionStatus]string{catalog.StatusDraft: "草稿", catalog.StatusPublished: "现行",
		catalog.StatusSuperseded: "已被替代", catalog.StatusSuspended: "暂停", catalog.StatusCancelled: "取消"}[st], string(st))
}

// catalogItemRow is one line of the list page.
type catalogItemRow struct {
	ID       int64
	BaseCode string
	Name     string
	Category string
	Unit     string
	Standing string
	Listed   bool
	Version  int
}

type catalogItemsPage struct {
	BodyID   int64
	Bodies   []catalogBodyLink
	Items    []catalogItemRow
	CanDraft bool
}

// catalogBodyLink lets upper-level staff open the lists below them.
type catalogBodyLink struct {
	ID      int64
	Name    string
	Items   int
	Current bool
}

func (s *Server) catalogItems(w http.ResponseWriter, r *http.Request) {
	p := httpx.PrincipalFrom(r.Context())
	bodyID := p.BodyID
	if v := r.URL.Query().Get("body"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			s.fail(w, r, apperr.Invalidf("body", "web.not_a_valid_body_id"))
			return
		}
		bodyID = id
	}
	items, err := s.deps.Catalog.Items(r.Context(), p, bodyID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	bodies, err := s.deps.Catalog.Bodies(r.Context(), p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := catalogItemsPage{BodyID: bodyID, CanDraft: p.Has(access.RoleListLiaison) && !p.ReadOnly() && bodyID == p.BodyID}
	if len(bodies) > 1 {
		for _, b := range bodies {
			page.Bodies = append(page.Bodies, catalogBodyLink{ID: b.ID, Name: b.Name, Items: b.Items, Current: b.ID == bodyID})
		}
	}
	for _, it := range items {
		page.Items = append(page.Items, catalogItemRow{ID: it.ID, BaseCode: it.BaseCode, Name: it.Name,
			Category: categoryName(r, it.Category), Unit: it.Unit, Standing: standingName(r, it.Standing),
			Listed: it.Standing == catalog.Listed, Version: it.Version})
	}
	s.render(w, r, http.StatusOK, "catalog_items", page)
}

// catalogVersionRow is one version in an item's history.
type catalogVersionRow struct {
	ID          int64
	Version     int
	Status      string
	ValidFrom   string
	ValidTo     string
	PublishedAt string
	Hash        string
	Adjustment  int64
}

type catalogItemPage struct {
	Item     catdb.Item
	Category string
	Standing string
	Current  catdb.Version
	Promised string
	Stars    int
	History  []catalogVersionRow
	CanDraft bool
	Listed   bool
	Suspend  bool
}

func (s *Server) catalogItem(w http.ResponseWriter, r *http.Request) {
	id, err := catalogID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.deps.Catalog.ItemByID(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := httpx.PrincipalFrom(r.Context())
	page := catalogItemPage{Item: d.Item, Category: categoryName(r, d.Item.Category), Standing: standingName(r, d.Item.Standing),
		Current: d.Current, Promised: pick(r, d.Current.PromisedLimit.Zh(), d.Current.PromisedLimit.En()), Stars: d.Current.Stars(),
		CanDraft: p.Has(access.RoleListLiaison) && !p.ReadOnly() && p.BodyID == d.Item.BodyID,
		Listed:   d.Item.Standing == catalog.Listed, Suspend: d.Item.Standing == catalog.Suspended}
	for _, v := range d.History {
		row := catalogVersionRow{ID: v.ID, Version: v.ItemVersion.Version, Status: versionStatusName(r, v.Status),
			ValidFrom: day(v.ValidFrom), Hash: v.ContentHash, Adjustment: v.AdjustmentID}
		if v.ValidTo != nil {
			row.ValidTo = day(*v.ValidTo)
		}
		if v.PublishedAt != nil {
			row.PublishedAt = when(*v.PublishedAt)
		}
		page.History = append(page.History, row)
	}
	s.render(w, r, http.StatusOK, "catalog_item", page)
}
