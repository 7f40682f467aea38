package superviseweb

import (
	"net/http"
	"strings"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/supervise"
	"github.com/qingdan/qingdan/internal/supervise/supervisedb"
	"github.com/qingdan/qingdan/internal/web/httpx"
	"github.com/qingdan/qingdan/internal/web/page"
)

// externalRoutes are the administrator's page of external supervisors
// (S7): each one's kind recorded, which their reports carry.
func (h *handlers) externalRoutes() []httpx.Route {
	admin := []access.Role{access.RoleAdmin}
	scope := func(r *http.Request) (string, error) {
		id := page.PathID(r)
		if id <= 0 {
			return "", apperr.NotFoundf("superviseweb.no_such_external_supervisor")
		}
		return h.svc.StaffPath(r.Context(), id)
	}
	return []httpx.Route{
		{Pattern: "GET /supervision/externals", Policy: httpx.Policy{Roles: admin}, Handler: hf(h.externalsPage),
			Nav: &httpx.Nav{Label: "nav.supervision_externals", Order: 64}},
		{Pattern: "POST /supervision/externals/{id}", Policy: httpx.Policy{Roles: admin, Write: true, Scope: scope}, Handler: hf(h.setKind)},
	}
}

type externalsPage struct {
	Externals []supervisedb.External
	Kinds     []supervise.ExternalKind
}

func (h *handlers) showExternals(w http.ResponseWriter, r *http.Request, failure error) {
	es, err := h.svc.Externals(r.Context(), principal(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Render(w, r, http.StatusOK, "externals", externalsPage{Externals: es, Kinds: supervise.ExternalKinds()}, failure)
}

func (h *handlers) externalsPage(w http.ResponseWriter, r *http.Request) { h.showExternals(w, r, nil) }

func (h *handlers) setKind(w http.ResponseWriter, r *http.Request) {
	err := page.ParseForm(w, r)
	if err == nil {
		var base int
		if base, err = formInt(r, "version"); err == nil {
			err = h.svc.SetExternalKind(r.Context(), principal(r), page.PathID(r), int64(base),
				supervise.ExternalKind(strings.TrimSpace(r.PostForm.Get("kind"))))
		}
	}
	if err != nil {
		h.showExternals(w, r, err)
		return
	}
	page.Done(w, r, "/supervision/externals", "kind_set")
}
