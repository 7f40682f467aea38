// Package catweb is the catalogue's staff pages (issue #4): the list of a
// body's items and an item's versions, adjustments with their draft form
// (every element in a control of its own, rows added without JavaScript),
// the review's old → new comparison and its distinct approve and return,
// the derived-list review tasks (C6) with their exemptions, the reform
// office's review groups, and the Excel pages (download a list or the
// template, upload a workbook, follow its parse, see every bad cell or the
// differences, create the draft adjustment) — and the catalogue's JSON API
// (api.go: public lists, items, proofs and standings; adjustments, their
// steps, reviews and review groups; api_excel.go: a body's list as .xlsx
// and its import). Pages render inside the site's layout through a Frame;
// every route carries its policy, and the catalogue service checks roles
// and jurisdiction again.
//
// The binary wires them beside the other features' routes:
//
//	routes, err := catweb.Routes(cat, catweb.Options{Frame: frame,
//		Excel: catxlsx.NewService(cat), Jobs: catxlsx.NewJobs(2, 30*time.Minute),
//		HandOverImport: web.HandOverImport})
//
// and the catalogue's part of the home page's to-do list is ToDos.
package catweb

import (
	"context"
	"embed"
	"fmt"
	"net/http"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/catalog/catxlsx"
	"github.com/qingdan/qingdan/internal/web/httpx"
	"github.com/qingdan/qingdan/internal/web/page"
)

// Catalog is the catalogue service behind the staff pages and the API
// (issue #4: published lists, list administration, adjustments, review
// tasks); *catdb.Service is one.
type Catalog interface {
	PublishedList(ctx context.Context, bodyID int64, f catdb.ListFilter) ([]catdb.Version, error)
	Item(ctx context.Context, bodyID int64, code string) (catdb.ItemDetail, error)
	ItemByImplCode(ctx context.Context, implCode string) (catdb.ItemDetail, error)
	Proof(ctx context.Context, versionID int64) (catdb.Proof, error)
	Standing(ctx context.Context, bodyID int64, code string, at time.Time) (catdb.StandingAnswer, error)
	ReformSeats(ctx context.Context, p access.Principal, staffID int64) (catdb.ReformSeats, error)
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

// Frame puts pages into the site's layout and shows its error page, with
// the status and message of the one error table; *web.Frame is one.
type Frame interface {
	page.Frame
	Fail(w http.ResponseWriter, r *http.Request, err error)
}

// Options are what the pages need beside the catalogue service.
type Options struct {
	Frame Frame // required
	// Excel and Jobs serve the Excel pages (/catalog/excel…); without
	// Excel there are none.
	Excel Excel
	Jobs  *catxlsx.Jobs
	// HandOverImport takes the request's import slot for the parse that
	// outlives the upload (web.HandOverImport); nil frees none.
	HandOverImport func(r *http.Request) func()
}

//go:embed templates/*.html
var templateFS embed.FS

var pageNames = []string{"items", "item", "adjustments", "adjustment", "form", "reviews", "reform_groups",
	"excel", "excel_job", "excel_done"}

type handlers struct {
	*page.Kit
	frame    Frame
	svc      Catalog
	excel    Excel
	jobs     *catxlsx.Jobs
	handOver func(r *http.Request) func()
}

// Routes returns the catalogue's API and staff pages with their policies
// (with Options.Excel, the Excel API and pages too). The published list is
// public; the pages' reads are open to every logged-in principal within
// jurisdiction (external supervisors included, read-only); writes name
// their roles and the object's body (Scope).
func Routes(svc Catalog, o Options) ([]httpx.Route, error) {
	if svc == nil || o.Frame == nil {
		return nil, fmt.Errorf("catweb: Routes needs the catalogue service and a frame")
	}
	if o.Excel != nil && o.Jobs == nil {
		return nil, fmt.Errorf("catweb: the Excel pages need a job table")
	}
	ps, err := page.Parse(templateFS, messages, nil, pageNames...)
	if err != nil {
		return nil, fmt.Errorf("catweb: templates: %w", err)
	}
	h := &handlers{Kit: &page.Kit{Frame: o.Frame, Pages: ps, Messages: messages, What: "catalogue page"},
		frame: o.Frame, svc: svc, excel: o.Excel, jobs: o.Jobs, handOver: o.HandOverImport}
	routes := append(apiRoutes(svc), h.listRoutes()...)
	if o.Excel != nil {
		routes = append(routes, excelAPIRoutes(o.Excel)...)
		routes = append(routes, h.excelRoutes()...)
	}
	return routes, nil
}

func (h *handlers) listRoutes() []httpx.Route {
	scope := func(kind string) func(r *http.Request) (string, error) {
		return func(r *http.Request) (string, error) {
			id, err := catalogID(r)
			if err != nil {
				return "", err
			}
			return h.svc.PathOf(r.Context(), kind, id)
		}
	}
	read := httpx.Policy{}
	return []httpx.Route{
		{Pattern: "GET /catalog", Policy: read, Handler: http.HandlerFunc(h.catalogItems),
			Nav: &httpx.Nav{Label: "nav.catalog", Order: 40}},
		{Pattern: "GET /catalog/items/{id}", Policy: httpx.Policy{Scope: scope("item")}, Handler: http.HandlerFunc(h.catalogItem)},
		{Pattern: "GET /catalog/adjustments", Policy: read, Handler: http.HandlerFunc(h.catalogAdjustments),
			Nav: &httpx.Nav{Label: "nav.catalog_adjustments", Order: 41}},
		{Pattern: "GET /catalog/adjustments/new", Policy: httpx.Policy{Roles: catalogDrafters}, Handler: http.HandlerFunc(h.catalogNewForm)},
		{Pattern: "POST /catalog/adjustments", Policy: httpx.Policy{Roles: catalogDrafters, Write: true}, Handler: http.HandlerFunc(h.catalogCreate),
			MaxBody: maxCatalogForm},
		{Pattern: "GET /catalog/adjustments/{id}", Policy: httpx.Policy{Scope: scope("adjustment")}, Handler: http.HandlerFunc(h.catalogAdjustment)},
		{Pattern: "GET /catalog/adjustments/{id}/edit", Policy: httpx.Policy{Roles: catalogDrafters, Scope: scope("adjustment")}, Handler: http.HandlerFunc(h.catalogEditForm)},
		{Pattern: "POST /catalog/adjustments/{id}/edit", Policy: httpx.Policy{Roles: catalogDrafters, Write: true, Scope: scope("adjustment")}, Handler: http.HandlerFunc(h.catalogUpdate),
			MaxBody: maxCatalogForm},
		{Pattern: "POST /catalog/adjustments/{id}/act", Policy: httpx.Policy{Roles: catalogStepper, Write: true, Scope: scope("adjustment")}, Handler: http.HandlerFunc(h.catalogAct)},
		{Pattern: "GET /catalog/reviews", Policy: read, Handler: http.HandlerFunc(h.catalogReviews),
			Nav: &httpx.Nav{Label: "nav.catalog_reviews", Order: 42}},
		{Pattern: "POST /catalog/reviews/{id}/done", Policy: httpx.Policy{Roles: catalogReviewer, Write: true, Scope: scope("review")}, Handler: http.HandlerFunc(h.catalogReviewDone)},
		{Pattern: "POST /catalog/reviews/{id}/exempt", Policy: httpx.Policy{Roles: catalogReviewer, Write: true, Scope: scope("review")}, Handler: http.HandlerFunc(h.catalogReviewExempt)},
		// The upper level's reform office decides; its jurisdiction covers
		// the derived body the task belongs to.
		{Pattern: "POST /catalog/reviews/{id}/decide", Policy: httpx.Policy{Roles: []access.Role{access.RoleGeneralOffice}, Write: true, Scope: scope("review")}, Handler: http.HandlerFunc(h.catalogReviewDecide)},
		{Pattern: "GET /catalog/reform-groups", Policy: httpx.Policy{Roles: catalogReformSetters}, Handler: http.HandlerFunc(h.catalogReformGroups),
			Nav: &httpx.Nav{Label: "nav.catalog_reform_groups", Order: 44}},
		{Pattern: "POST /catalog/reform-groups/{id}", Policy: httpx.Policy{Roles: catalogReformSetters, Write: true, Scope: scope("staff")},
			Handler: http.HandlerFunc(h.catalogSetReformGroups)},
	}
}

// excelRoutes are the Excel pages (issue #4 item 8). /catalog/excel is the
// caller's own body; /catalog/excel/bodies/{id}/… any body the caller's
// jurisdiction covers (Scope = the body's path), e.g. a district
// administrator exporting a street's list.
func (h *handlers) excelRoutes() []httpx.Route {
	scope := func(r *http.Request) (string, error) {
		b, err := h.body(r)
		return b.Path, err
	}
	read := httpx.Policy{Roles: ExcelRoles}
	scoped := httpx.Policy{Roles: ExcelRoles, Scope: scope}
	upload := httpx.Policy{Roles: ExcelRoles, Write: true, Scope: scope}
	// A job is its uploader's alone (Jobs.Get) and was scoped at upload;
	// catdb checks the draft's body again.
	create := httpx.Policy{Roles: ExcelRoles, Write: true}
	return []httpx.Route{
		{Pattern: "GET /catalog/excel", Policy: read, Handler: http.HandlerFunc(h.excelHome),
			Nav: &httpx.Nav{Label: "nav.catalog_excel", Order: 43}},
		{Pattern: "GET /catalog/excel/template.xlsx", Policy: read, Handler: http.HandlerFunc(h.downloadTemplate)},
		{Pattern: "GET /catalog/excel/bodies/{id}", Policy: scoped, Handler: http.HandlerFunc(h.excelHome)},
		{Pattern: "GET /catalog/excel/bodies/{id}/list.xlsx", Policy: scoped, Handler: http.HandlerFunc(h.downloadList)},
		{Pattern: "POST /catalog/excel/bodies/{id}/import", Policy: upload, Handler: http.HandlerFunc(h.upload),
			MaxBody: MaxListUpload, Import: true},
		{Pattern: "GET /catalog/excel/jobs/{id}", Policy: read, Handler: http.HandlerFunc(h.excelJob)},
		{Pattern: "POST /catalog/excel/jobs/{id}/adjustment", Policy: create, Handler: http.HandlerFunc(h.createFromJob)},
	}
}

// fail shows the site's error page for a request with no page of its own
// to return to.
func (h *handlers) fail(w http.ResponseWriter, r *http.Request, err error) {
	h.frame.Fail(w, r, err)
}

// redirect ends a successful action: POST, redirect, GET; an htmx request
// is told where to go instead.
func redirect(w http.ResponseWriter, r *http.Request, target string) {
	if r.Header.Get("HX-Request") == "true" {
		w.Header().Set("HX-Redirect", target)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// handOverImport gives the caller the request's import slot (Options).
func (h *handlers) handOverImport(r *http.Request) func() {
	if h.handOver == nil {
		return func() {}
	}
	return h.handOver(r)
}

// errorf is an error whose words are the message key in both languages.
func errorf(code apperr.Code, field, key string, args ...any) *apperr.Error {
	return apperr.New(code, field, messages.Text(httpx.LangZh, key, args...), messages.Text(httpx.LangEn, key, args...))
}
