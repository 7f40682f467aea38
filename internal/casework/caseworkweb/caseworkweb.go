// Package caseworkweb is the cases' HTTP side (issue #14): the JSON API of
// registration, the staff list, a case, its actions and its exchange
// record, and the public's lookup by number and query code. Pages (the
// window console, the unit inbox, the public apply and follow pages) join
// this package. Every route is an httpx.Route with its policy; the guard
// checks role, write and jurisdiction (the case's body, O1) before a
// handler runs, and caseworkdb checks them again.
package caseworkweb

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/casework/caseworkdb"
	"github.com/qingdan/qingdan/internal/flow"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

// ActionRequest is one action on a case: the flow action's id and the
// fields it reads (docs/CASES.md, "The actions").
type ActionRequest struct {
	Action      string     `json:"action"`
	Materials   []string   `json:"materials,omitempty"`
	Missing     []string   `json:"missing,omitempty"`
	Reason      string     `json:"reason,omitempty"`
	Basis       string     `json:"basis,omitempty"`
	Kind        string     `json:"kind,omitempty"`
	Days        int        `json:"days,omitempty"`
	Outcome     string     `json:"outcome,omitempty"`
	Opinion     string     `json:"opinion,omitempty"`
	Unit        string     `json:"unit,omitempty"` // transfer: the unit's code
	Certificate string     `json:"certificate,omitempty"`
	Delivery    string     `json:"delivery,omitempty"`
	NotifiedAt  *time.Time `json:"notified_at,omitempty"`
	Assisted    bool       `json:"assisted,omitempty"`
}

func (in ActionRequest) action() casework.Action {
	a := casework.Action{ID: strings.TrimSpace(in.Action), Materials: in.Materials, Missing: in.Missing, Reason: in.Reason,
		Basis: in.Basis, Kind: flow.SpecialKind(in.Kind), Days: in.Days, Outcome: in.Outcome, Opinion: in.Opinion,
		Unit: casework.Unit{Code: strings.TrimSpace(in.Unit)}, Certificate: in.Certificate,
		Delivery: casework.Delivery(in.Delivery), Assisted: in.Assisted}
	if in.NotifiedAt != nil {
		a.NotifiedAt = *in.NotifiedAt
	}
	return a
}

var (
	tags       = []string{"cases"}
	publicTags = []string{"public"}
	// staffRoles read cases of their jurisdiction.
	staffRoles = []access.Role{access.RoleWindow, access.RoleUnitStaff, access.RoleLeader, access.RoleGeneralOffice,
		access.RoleSupervisor, access.RoleAdmin}
	// actingRoles take actions: the window, the units, and the leaders
	// who approve special procedures and extensions (L3, L4).
	actingRoles = []access.Role{access.RoleWindow, access.RoleUnitStaff, access.RoleLeader}
)

type handlers struct {
	svc *caseworkdb.Service
}

var hf = func(f func(http.ResponseWriter, *http.Request)) http.Handler { return http.HandlerFunc(f) }

func principal(r *http.Request) access.Principal { return httpx.PrincipalFrom(r.Context()) }

// Routes returns the cases' routes with their policies.
func Routes(svc *caseworkdb.Service) []httpx.Route {
	h := &handlers{svc: svc}
	scope := func(r *http.Request) (string, error) { return svc.BodyPath(r.Context(), r.PathValue("number")) }
	number := httpx.Param{Name: "number", In: "path", Description: "the case number (330199-2026-000123)"}
	const p = "/api/v1/cases"
	return append([]httpx.Route{
		{Pattern: "POST " + p, Policy: httpx.Policy{Roles: []access.Role{access.RoleWindow}, Write: true}, Handler: hf(h.apiOpen),
			Doc: &httpx.Doc{Summary: "Register an application at the window", Tags: tags, Request: caseworkdb.Application{},
				Response: caseworkdb.Opened{}, Status: http.StatusCreated,
				Description: "The window staff member registers the applicant (a person's resident ID, V1, or an organisation's credit code, V2), " +
					"the item by its code and the materials received, and becomes the case's first responder (H6). The item must be on the list " +
					"at this instant (C4). The answer carries the query code, shown this once. With an Idempotency-Key header (16–200 visible " +
					"ASCII characters, a random UUID) the same submission sent again answers the case it made (replayed), with its code; " +
					"another submission under the key is a 409."}},
		{Pattern: "GET " + p, Policy: httpx.Policy{Roles: staffRoles}, Handler: hf(h.apiList),
			Doc: &httpx.Doc{Summary: "The staff case list", Tags: tags, Response: caseworkdb.Page{},
				Params: []httpx.Param{
					{Name: "body", In: "query", Description: "the body's id (default: the caller's)", Type: "integer"},
					{Name: "queue", In: "query", Description: "the body's queue now (O1) rather than its own cases", Type: "boolean"},
					{Name: "unit", In: "query", Description: "the handling unit's code"},
					{Name: "status", In: "query", Description: "submitted, supplementing, accepted, handling, suspended, completed, refused or withdrawn"},
					{Name: "due_before", In: "query", Description: "limit in force ending before this day (YYYY-MM-DD)"},
					{Name: "after", In: "query", Description: "the cursor of the next page (next)"},
					{Name: "limit", In: "query", Description: "page size (default 50, at most 200)", Type: "integer"},
				},
				Description: "Ordered by due date (cases without a running limit first), then by number; the caller's jurisdiction only."}},
		{Pattern: "GET " + p + "/{number}", Policy: httpx.Policy{Roles: staffRoles, Scope: scope}, Handler: hf(h.apiGet),
			Doc: &httpx.Doc{Summary: "One case", Tags: tags, Response: caseworkdb.Detail{}, Params: []httpx.Param{number}, Versioned: true,
				Description: "The case, where its limits stand now (remaining and overdue in working days, L10), its flow version and the " +
					"actions its step offers the caller. The version is the ETag."}},
		{Pattern: "POST " + p + "/{number}/actions", Policy: httpx.Policy{Roles: actingRoles, Write: true, Scope: scope}, Handler: hf(h.apiAct),
			Doc: &httpx.Doc{Summary: "Take an action on a case", Tags: tags, Request: ActionRequest{}, Response: casework.Case{},
				Params: []httpx.Param{number}, Versioned: true,
				Description: "One flow action (accept, request_supplement, refuse, transfer, hand_over, receive, pause, resume, extend, decide, " +
					"hand_back, complete, notify, withdraw …) with its fields. With If-Match, an action on a case changed since is 409 with " +
					"the case as it is now; two staff acting at once: one wins. The row, its event, its clock and its messages are one write."}},
		{Pattern: "GET " + p + "/{number}/record", Policy: httpx.Policy{Roles: staffRoles, Scope: scope}, Handler: hf(h.apiRecord),
			Doc: &httpx.Doc{Summary: "The case's exchange record", Tags: tags, Response: casework.Record{}, Params: []httpx.Param{number},
				Description: "The 办件 as the national and provincial exchange platforms expect it (docs/CASES.md, \"The exchange record\"): " +
					"serial number, item, applicant, acceptance, limits, materials, supplementation notices, every step, special procedures, " +
					"extensions, refusal, completion and delivery. Times are RFC 3339."}},
		{Pattern: "GET /api/v1/public/cases/{number}", Policy: httpx.Policy{Public: true}, Handler: hf(h.apiLookup),
			Doc: &httpx.Doc{Summary: "Follow a case (the public)", Tags: publicTags, Response: casework.PublicView{},
				Params: []httpx.Param{number, {Name: "code", In: "query", Description: "the query code given at application", Required: true}},
				Description: "By number and query code together (V3): a wrong code is the same 404 as an unknown number. Personal data is " +
					"masked (L7); a case of a minor, or involving secrets or privacy, shows its number and status only (H12)."}},
	}, feedbackAPIRoutes(h, scope, number)...)
}

func (h *handlers) apiOpen(w http.ResponseWriter, r *http.Request) {
	var in caseworkdb.Application
	if err := api.Decode(w, r, &in); err != nil {
		api.WriteError(w, r, err)
		return
	}
	o, err := h.svc.Open(r.Context(), principal(r), in, strings.TrimSpace(r.Header.Get("Idempotency-Key")))
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store") // the query code
	status := http.StatusCreated
	if o.Replayed {
		status = http.StatusOK
	}
	api.WriteVersioned(w, r, status, o, int64(o.Case.Version))
}

func (h *handlers) apiList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var f caseworkdb.Filter
	var err error
	if v := q.Get("body"); v != "" {
		if f.BodyID, err = strconv.ParseInt(v, 10, 64); err != nil || f.BodyID <= 0 {
			api.WriteError(w, r, apperr.Invalidf("body", "caseworkweb.body_must_be_a_positive_integer"))
			return
		}
	}
	if v := q.Get("queue"); v != "" {
		if f.Queue, err = strconv.ParseBool(v); err != nil {
			api.WriteError(w, r, apperr.Invalidf("queue", "caseworkweb.queue_must_be_true_or_false"))
			return
		}
	}
	if v := q.Get("limit"); v != "" {
		if f.Limit, err = strconv.Atoi(v); err != nil || f.Limit <= 0 {
			api.WriteError(w, r, apperr.Invalidf("limit", "caseworkweb.limit_must_be_a_positive_integer"))
			return
		}
	}
	if v := q.Get("due_before"); v != "" {
		if f.DueBefore, err = calendar.ParseDate("due_before", v); err != nil {
			api.WriteError(w, r, err)
			return
		}
	}
	f.Unit, f.Status, f.After = q.Get("unit"), flow.Status(q.Get("status")), q.Get("after")
	page, err := h.svc.List(r.Context(), principal(r), f)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	api.WriteJSON(w, r, http.StatusOK, page)
}

func (h *handlers) apiGet(w http.ResponseWriter, r *http.Request) {
	d, err := h.svc.Get(r.Context(), principal(r), r.PathValue("number"))
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	api.WriteVersioned(w, r, http.StatusOK, d, int64(d.Case.Version))
}

func (h *handlers) apiAct(w http.ResponseWriter, r *http.Request) {
	base, err := api.OptionalIfMatch(r)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	var in ActionRequest
	if err := api.Decode(w, r, &in); err != nil {
		api.WriteError(w, r, err)
		return
	}
	if strings.TrimSpace(in.Action) == "" {
		api.WriteError(w, r, apperr.Invalidf("action", "caseworkweb.the_action_is_required"))
		return
	}
	number := r.PathValue("number")
	c, err := h.svc.Act(r.Context(), principal(r), number, base, in.action())
	api.Edited(w, r, http.StatusOK, c, err, func(c casework.Case) int64 { return int64(c.Version) },
		func() (casework.Case, error) {
			d, err := h.svc.Get(r.Context(), principal(r), number)
			return d.Case, err
		})
}

func (h *handlers) apiRecord(w http.ResponseWriter, r *http.Request) {
	rec, err := h.svc.Record(r.Context(), principal(r), r.PathValue("number"))
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	api.WriteJSON(w, r, http.StatusOK, rec)
}

func (h *handlers) apiLookup(w http.ResponseWriter, r *http.Request) {
	code := r.URL.Query().Get("code")
	if strings.TrimSpace(code) == "" {
		api.WriteError(w, r, apperr.Invalidf("code", "caseworkweb.the_query_code_is_required"))
		return
	}
	v, err := h.svc.Follow(r.Context(), r.PathValue("number"), code)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	api.WriteJSON(w, r, http.StatusOK, v)
}
