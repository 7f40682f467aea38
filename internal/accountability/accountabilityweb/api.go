package accountabilityweb

import (
	"net/http"
	"slices"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/accountability"
	"github.com/qingdan/qingdan/internal/accountability/accountabilitydb"
	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/web/httpx"
	"github.com/qingdan/qingdan/internal/web/page"
)

// OpenRequest opens an accountability record (A1, A2) through the API:
// a staff member or a window (one of the two), the ground, the facts, the
// proposed measure and, optionally, the case it concerns.
type OpenRequest struct {
	StaffID  int64  `json:"staff_id,omitempty"`
	WindowID int64  `json:"window_id,omitempty"`
	Ground   string `json:"ground"`
	Facts    string `json:"facts"`
	Proposed string `json:"proposed"`
	Case     string `json:"case,omitempty"`
}

// Action is hear (the person's statement) or decide (the measure, with
// reasons) on a record.
type Action struct {
	Action    string `json:"action"`
	Statement string `json:"statement,omitempty"`
	Measure   string `json:"measure,omitempty"`
	Reasons   string `json:"reasons,omitempty"`
}

// apiRoutes are the records under /api/v1/accountability, as the pages
// offer them: the list, opening one, one record with its version as the
// ETag, and its hearing and decision with If-Match.
func (h *handlers) apiRoutes(scope func(*http.Request) (string, error)) []httpx.Route {
	p := api.Prefix + "/accountability"
	sup := []access.Role{access.RoleSupervisor}
	tags := []string{"accountability"}
	id := httpx.Param{Name: "id", In: "path", Description: "the record's id", Type: "integer"}
	return []httpx.Route{
		{Pattern: "GET " + p, Handler: hf(h.apiList),
			Doc: &httpx.Doc{Summary: "Accountability records", Tags: tags, Response: []accountability.Record{},
				Description: "A1, A2: the records a supervisor's jurisdiction covers, and the caller's own."}},
		{Pattern: "POST " + p, Policy: httpx.Policy{Roles: sup, Write: true}, Handler: hf(h.apiOpen),
			Doc: &httpx.Doc{Summary: "Open an accountability record", Tags: tags, Request: OpenRequest{}, Response: accountability.Record{},
				Description: "A supervisor holds a staff member or a window to account on a ground of A1, proposing a measure of A2."}},
		{Pattern: "GET " + p + "/{id}", Handler: hf(h.apiGet),
			Doc: &httpx.Doc{Summary: "One accountability record", Tags: tags, Response: accountability.Record{}, Params: []httpx.Param{id}, Versioned: true,
				Description: "The record with its hearing and decision; read by the supervisors over it and the person concerned. The version is the ETag."}},
		{Pattern: "POST " + p + "/{id}/actions", Policy: httpx.Policy{Roles: sup, Write: true, Scope: scope}, Handler: hf(h.apiAct),
			Doc: &httpx.Doc{Summary: "Hear or decide", Tags: tags, Request: Action{}, Response: accountability.Record{}, Params: []httpx.Param{id}, Versioned: true,
				Description: "hear (statement: the person's own account) then decide (measure of A2, reasons). With If-Match; a stale version is 409."}},
	}
}

func (h *handlers) apiList(w http.ResponseWriter, r *http.Request) {
	rs, err := h.svc.List(r.Context(), principal(r))
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	if rs == nil {
		rs = []accountability.Record{}
	}
	api.WriteJSON(w, r, http.StatusOK, rs)
}

func (h *handlers) apiOpen(w http.ResponseWriter, r *http.Request) {
	var in OpenRequest
	if err := api.Decode(w, r, &in); err != nil {
		api.WriteError(w, r, err)
		return
	}
	rec, err := h.svc.Open(r.Context(), principal(r), accountabilitydb.Input{StaffID: in.StaffID, WindowID: in.WindowID, Ground: in.Ground,
		Facts: in.Facts, Proposed: in.Proposed, Case: in.Case})
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	api.WriteVersioned(w, r, http.StatusCreated, rec, int64(rec.Version))
}

func (h *handlers) apiGet(w http.ResponseWriter, r *http.Request) {
	rec, err := h.svc.Get(r.Context(), principal(r), page.PathID(r))
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	api.WriteVersioned(w, r, http.StatusOK, rec, int64(rec.Version))
}

func (h *handlers) apiAct(w http.ResponseWriter, r *http.Request) {
	// The body is read first: bad JSON or no action is a 400 naming the
	// field, with or without a version.
	var in Action
	if err := api.Decode(w, r, &in); err != nil {
		api.WriteError(w, r, err)
		return
	}
	if !slices.Contains([]string{"hear", "decide"}, in.Action) {
		api.WriteError(w, r, apperr.Invalidf("action", "accountabilityweb.unknown_action"))
		return
	}
	base, err := api.IfMatch(r)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	p, id := principal(r), page.PathID(r)
	var out accountability.Record
	switch in.Action {
	case "hear":
		out, err = h.svc.Hear(r.Context(), p, id, base, in.Statement)
	case "decide":
		out, err = h.svc.Decide(r.Context(), p, id, base, in.Measure, in.Reasons)
	default:
		err = apperr.Invalidf("action", "accountabilityweb.unknown_action")
	}
	api.Edited(w, r, http.StatusOK, out, err, func(r accountability.Record) int64 { return int64(r.Version) },
		func() (accountability.Record, error) { return h.svc.Get(r.Context(), p, id) })
}
