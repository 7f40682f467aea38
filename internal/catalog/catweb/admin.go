package catweb

import (
	"net/http"
	"strconv"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/msg"
	"github.com/qingdan/qingdan/internal/web/httpx"
	"github.com/qingdan/qingdan/internal/web/page"
)

// Roles taking steps of the adjustment procedure (catalog.Transition decides
// which step each may take).
var (
	catalogDrafters = []access.Role{access.RoleListLiaison}
	catalogStepper  = []access.Role{access.RoleListLiaison, access.RoleUnitStaff, access.RoleGeneralOffice}
	catalogReviewer = []access.Role{access.RoleListLiaison, access.RoleGeneralOffice}
)

func catalogID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.Invalidf("id", "catweb.not_a_valid_id")
	}
	return id, nil
}

// postedID reads the path id and the posted form of an action on one
// catalogue object; when either is bad it has answered and returns false.
func (h *handlers) postedID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := catalogID(r)
	if err == nil {
		err = page.ParseForm(w, r)
	}
	if err != nil {
		h.fail(w, r, err)
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

func standingName(r *http.Request, st catalog.Standing) string {
	return st.In(httpx.LangFrom(r.Context()))
}

func stageName(r *http.Request, st catalog.Stage) string { return st.In(httpx.LangFrom(r.Context())) }

func versionStatusName(r *http.Request, st catalog.VersionStatus) string {
	return msg.Name(httpx.LangFrom(r.Context()), "catweb.status", string(st))
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

func (h *handlers) catalogItems(w http.ResponseWriter, r *http.Request) {
	p := httpx.PrincipalFrom(r.Context())
	bodyID := p.BodyID
	if v := r.URL.Query().Get("body"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			h.fail(w, r, apperr.Invalidf("body", "catweb.not_a_valid_body_id"))
			return
		}
		bodyID = id
	}
	items, err := h.svc.Items(r.Context(), p, bodyID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	bodies, err := h.svc.Bodies(r.Context(), p)
	if err != nil {
		h.fail(w, r, err)
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
	h.Render(w, r, http.StatusOK, "items", page, nil)
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

func (h *handlers) catalogItem(w http.ResponseWriter, r *http.Request) {
	id, err := catalogID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d, err := h.svc.ItemByID(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := httpx.PrincipalFrom(r.Context())
	page := catalogItemPage{Item: d.Item, Category: categoryName(r, d.Item.Category), Standing: standingName(r, d.Item.Standing),
		Current: d.Current, Promised: d.Current.PromisedLimit.In(httpx.LangFrom(r.Context())), Stars: d.Current.Stars(),
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
	h.Render(w, r, http.StatusOK, "item", page, nil)
}
