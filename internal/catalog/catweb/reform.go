package catweb

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

// catalogReformSetters may set who sits in the reform office's review
// groups: the rule of catdb.SetReformGroups (an administrator, or the
// general office of the member's body, within jurisdiction).
var catalogReformSetters = []access.Role{access.RoleAdmin, access.RoleGeneralOffice}

// catalogReformRow is one general-office member with their groups.
type catalogReformRow struct {
	StaffID     int64
	Name        string
	Body        string
	Unit        string
	Power, Duty bool
	Version     int64 // of the member's seats, carried by the row's form
	// Self: the viewer's own row, shown without a form — nobody sets their
	// own review groups (O3, catdb.SetReformGroups refuses it too).
	Self bool
}

type catalogReformPage struct {
	Rows     []catalogReformRow
	Error    string
	Problems []string
	Saved    string // the name of the member just saved
	savedID  int64
	// Conflict is a stale change's choice beside the member's groups now.
	Conflict []conflictRow
	stale    *staleSeats
}

// staleSeats is a refused change of someone's groups, shown beside theirs.
type staleSeats struct {
	staffID int64
	chosen  []catalog.ReformGroup
}

// catalogReformGroups shows the general-office staff in the principal's
// jurisdiction with a form each to set their review groups (C3: the
// reform office reviews in a power-list and a responsibility-list group).
func (h *handlers) catalogReformGroups(w http.ResponseWriter, r *http.Request) {
	page := catalogReformPage{}
	// After a save: the member is named only if the page lists them.
	if id, err := strconv.ParseInt(r.URL.Query().Get("saved"), 10, 64); err == nil {
		page.savedID = id
	}
	h.showReformGroups(w, r, http.StatusOK, page)
}

func (h *handlers) showReformGroups(w http.ResponseWriter, r *http.Request, status int, page catalogReformPage) {
	p := httpx.PrincipalFrom(r.Context())
	ms, err := h.svc.ReformMembers(r.Context(), p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, m := range ms {
		row := catalogReformRow{StaffID: m.StaffID, Name: m.Name, Body: m.BodyName, Unit: m.Unit, Version: m.Version,
			Power: slices.Contains(m.Groups, catalog.PowerListGroup), Duty: slices.Contains(m.Groups, catalog.DutyListGroup),
			Self: m.StaffID == p.StaffID}
		if m.StaffID == page.savedID {
			page.Saved = m.Name
		}
		if page.stale != nil && m.StaffID == page.stale.staffID {
			page.Conflict = h.reformConflict(r, page.stale.chosen, m.Groups)
		}
		page.Rows = append(page.Rows, row)
	}
	h.Render(w, r, status, "reform_groups", page, nil)
}

func (h *handlers) catalogSetReformGroups(w http.ResponseWriter, r *http.Request) {
	id, ok := h.postedID(w, r)
	if !ok {
		return
	}
	var groups []catalog.ReformGroup
	for _, g := range r.PostForm["group"] {
		groups = append(groups, catalog.ReformGroup(g))
	}
	if _, err := h.svc.SetReformGroups(r.Context(), httpx.PrincipalFrom(r.Context()), id, formVersion(r), groups); err != nil {
		status, _ := api.Describe(r, err)
		if c := apperr.CodeOf(err); c == apperr.Invalid {
			status = http.StatusBadRequest // a list of field errors too
		}
		if status >= http.StatusInternalServerError || status == http.StatusNotFound {
			h.fail(w, r, err)
			return
		}
		page := catalogReformPage{}
		page.Error, page.Problems = describe(r, err)
		if apperr.IsStale(err) {
			page.stale = &staleSeats{staffID: id, chosen: groups}
		}
		h.showReformGroups(w, r, status, page)
		return
	}
	redirect(w, r, fmt.Sprintf("/catalog/reform-groups?saved=%d", id))
}
