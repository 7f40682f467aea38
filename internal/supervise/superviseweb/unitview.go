package superviseweb

import (
	"net/http"

	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/supervise/supervisedb"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

// unitRoutes are a unit's own view (issue #16 item 6): its cards, the
// orders to it and its rectification items — a unit's staff their own,
// supervisors and leaders any unit of their jurisdiction.
func (h *handlers) unitRoutes() []httpx.Route {
	params := []httpx.Param{
		{Name: "body", In: "query", Description: "the unit's body's path; the caller's own when omitted", Type: "string"},
		{Name: "unit", In: "query", Description: "the unit's code; a unit's staff get their own", Type: "string"},
	}
	return []httpx.Route{
		{Pattern: "GET /supervision/unit", Handler: hf(h.unitPage), Nav: &httpx.Nav{Label: "nav.supervision_unit", Order: 60}},
		{Pattern: "GET " + api.Prefix + "/supervision/unit", Handler: hf(h.apiUnit),
			Doc: &httpx.Doc{Summary: "A unit's own supervision", Tags: tags, Response: supervisedb.UnitView{}, Params: params,
				Description: "One unit's open cards by level and its cards, the orders to it and its rectification items; a unit's staff see their own unit's only."}},
	}
}

type unitPage struct {
	View  *supervisedb.UnitView
	Units []supervisedb.UnitRef // no unit chosen: the jurisdiction's to choose from
}

func (h *handlers) unitPage(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	q := r.URL.Query()
	v, err := h.svc.Unit(r.Context(), p, q.Get("body"), q.Get("unit"))
	if err == nil {
		v.Cards = cardsFor(p, v.Cards)
		v.Rectifications = forReaderAll(p, v.Rectifications)
		h.Render(w, r, http.StatusOK, "unit", unitPage{View: &v}, nil)
		return
	}
	if q.Get("unit") != "" {
		h.Fail(w, r, err)
		return
	}
	// No unit of one's own and none chosen: choose one.
	units, uerr := h.svc.Units(r.Context(), p)
	if uerr != nil {
		h.Fail(w, r, uerr)
		return
	}
	h.Render(w, r, http.StatusOK, "unit", unitPage{Units: units}, nil)
}

func (h *handlers) apiUnit(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	q := r.URL.Query()
	v, err := h.svc.Unit(r.Context(), p, q.Get("body"), q.Get("unit"))
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	v.Cards = cardsFor(p, v.Cards)
	v.Rectifications = forReaderAll(p, v.Rectifications)
	api.WriteJSON(w, r, http.StatusOK, v)
}
