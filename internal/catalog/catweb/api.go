package catweb

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

// ActionRequest takes one step of an adjustment (C3).
type ActionRequest struct {
	Kind    catalog.ActionKind  `json:"kind"`            // sign, office_approve, office_return, group_approve, reform_return, publish, withdraw
	Group   catalog.ReformGroup `json:"group,omitempty"` // for group_approve: power_list or duty_list
	Comment string              `json:"comment,omitempty"`
}

// ReviewDoneRequest completes a derived-list review (C6).
type ReviewDoneRequest struct {
	Note string `json:"note"`
}

// ReformGroupsRequest sets a general-office member's review groups.
type ReformGroupsRequest struct {
	Groups []catalog.ReformGroup `json:"groups"`
}

// apiRoutes are the catalogue's API routes (issue #4 item 9): public
// reads of the published lists, items, proofs and standings; authorised
// writes of draft adjustments, their steps and review tasks.
func apiRoutes(s Catalog) []httpx.Route {
	h := catalogHandlers{s}
	p := api.Prefix + "/catalog"
	scope := func(kind, param string) func(r *http.Request) (string, error) {
		return func(r *http.Request) (string, error) {
			id, err := pathInt(r, param)
			if err != nil {
				return "", err
			}
			return s.PathOf(r.Context(), kind, id)
		}
	}
	public := httpx.Policy{Public: true}
	tags := []string{"catalog"}
	steps := []access.Role{access.RoleListLiaison, access.RoleUnitStaff, access.RoleGeneralOffice}
	bodyParam := httpx.Param{Name: "body", In: "path", Type: "integer", Description: "the body's id", Required: true}
	idParam := func(what string) httpx.Param {
		return httpx.Param{Name: "id", In: "path", Type: "integer", Description: "the " + what + "'s id", Required: true}
	}
	return []httpx.Route{
		{Pattern: "GET " + p + "/bodies/{body}/items", Policy: public, Handler: http.HandlerFunc(h.list),
			Doc: &httpx.Doc{Summary: "A body's published list", Tags: tags,
				Description: "The current published version of every item, by base code; suspended items are included and say so (C7).",
				Params: []httpx.Param{bodyParam,
					{Name: "category", In: "query", Description: "only this category (licensing, penalty …)"},
					{Name: "unit", In: "query", Description: "only this responsible unit"},
					{Name: "cancelled", In: "query", Type: "boolean", Description: "include cancelled items"},
					{Name: "limit", In: "query", Type: "integer", Description: "at most this many (default 500, at most 5000)"},
					{Name: "offset", In: "query", Type: "integer", Description: "skip this many (by base code)"}},
				Response: []catdb.Version{}}},
		{Pattern: "GET " + p + "/bodies/{body}/items/{code}", Policy: public, Handler: http.HandlerFunc(h.item),
			Doc: &httpx.Doc{Summary: "One item of a body's list with its version history", Tags: tags,
				Description: "By base or implementation code; every earlier version stays visible with its dates (C9).",
				Params:      []httpx.Param{bodyParam, {Name: "code", In: "path", Description: "base or implementation code", Required: true}},
				Response:    catdb.ItemDetail{}}},
		{Pattern: "GET " + p + "/items/{impl}", Policy: public, Handler: http.HandlerFunc(h.itemByImpl),
			Doc: &httpx.Doc{Summary: "An item by its implementation code", Tags: tags,
				Params:   []httpx.Param{{Name: "impl", In: "path", Description: "implementation code (实施编码)", Required: true}},
				Response: catdb.ItemDetail{}}},
		{Pattern: "GET " + p + "/versions/{id}/proof", Policy: public, Handler: http.HandlerFunc(h.proof),
			Doc: &httpx.Doc{Summary: "Proof that a published version is unchanged (C9)", Tags: tags,
				Description: "The audit leaf of the version's publication (its canonical content and SHA-256), the leaf's inclusion path and a signed checkpoint.",
				Params:      []httpx.Param{idParam("version")}, Response: catdb.Proof{}}},
		{Pattern: "GET " + p + "/standing", Policy: public, Handler: http.HandlerFunc(h.standing),
			Doc: &httpx.Doc{Summary: "Whether an item is on a body's list at an instant (C4)", Tags: tags,
				Description: "listed, suspended, cancelled or unknown, with the version in force; only a listed item may have a case opened under it.",
				Params: []httpx.Param{
					{Name: "body", In: "query", Type: "integer", Required: true, Description: "the body's id"},
					{Name: "code", In: "query", Required: true, Description: "base or implementation code"},
					{Name: "at", In: "query", Description: "RFC 3339 instant (default: now)"}},
				Response: catdb.StandingAnswer{}}},

		{Pattern: "GET " + p + "/adjustments", Policy: httpx.Policy{}, Handler: http.HandlerFunc(h.adjustments),
			Doc: &httpx.Doc{Summary: "Adjustments in the caller's jurisdiction", Tags: tags,
				Params: []httpx.Param{
					{Name: "body", In: "query", Type: "integer", Description: "of this body's list, or reviewed by its reform office"},
					{Name: "stage", In: "query", Description: "drafting, signed, office_reviewed, approved, published, returned, withdrawn"}},
				Response: []catdb.Adjustment{}}},
		{Pattern: "GET " + p + "/adjustments/{id}", Policy: httpx.Policy{Scope: scope("adjustment", "id")}, Handler: http.HandlerFunc(h.adjustment),
			Doc: &httpx.Doc{Summary: "One adjustment with its trace", Tags: tags, Params: []httpx.Param{idParam("adjustment")},
				Response: catdb.Adjustment{}, Versioned: true}},
		{Pattern: "GET " + p + "/adjustments/{id}/elements", Policy: httpx.Policy{Scope: scope("adjustment", "id")}, Handler: http.HandlerFunc(h.elements),
			Doc: &httpx.Doc{Summary: "The elements each draft changes against the current version", Tags: tags,
				Description: "By base code: the top-level element names (materials, promised_limit …) in which the draft differs.",
				Params:      []httpx.Param{idParam("adjustment")}, Response: map[string][]string{}}},
		{Pattern: "POST " + p + "/adjustments", Policy: httpx.Policy{Roles: []access.Role{access.RoleListLiaison}, Write: true},
			Handler: http.HandlerFunc(h.create),
			Doc: &httpx.Doc{Summary: "Draft an adjustment (add, change, suspend, re-enable, cancel items)", Tags: tags, Status: http.StatusCreated,
				Description: "By a list liaison of the proposing unit (C3). Checked in full: fields, drafts, the upper list (C5) and the standing each change acts on; nothing is stored when anything is wrong.",
				Request:     catdb.AdjustmentInput{}, Response: catdb.Adjustment{}}},
		{Pattern: "PUT " + p + "/adjustments/{id}", Policy: httpx.Policy{Roles: []access.Role{access.RoleListLiaison}, Write: true, Scope: scope("adjustment", "id")},
			Handler: http.HandlerFunc(h.update),
			Doc: &httpx.Doc{Summary: "Replace a draft or returned adjustment's proposal", Tags: tags, Params: []httpx.Param{idParam("adjustment")},
				Request: catdb.AdjustmentInput{}, Response: catdb.Adjustment{}, Versioned: true}},
		{Pattern: "POST " + p + "/adjustments/{id}/actions", Policy: httpx.Policy{Roles: steps, Write: true, Scope: scope("adjustment", "id")},
			Handler: http.HandlerFunc(h.act),
			Doc: &httpx.Doc{Summary: "Take one step of the adjustment procedure (C3)", Tags: tags, Params: []httpx.Param{idParam("adjustment")},
				Description: "sign (unit head), office_approve / office_return (the body's general office), group_approve / reform_return (the upper reform office's groups), publish (the body's general office), withdraw (the liaison). Returns need a comment. " +
					"With If-Match (the adjustment's ETag) the step is taken only on the version the actor decided on.",
				Request: ActionRequest{}, Response: catdb.Adjustment{}, Versioned: true}},
		{Pattern: "GET " + p + "/reviews", Policy: httpx.Policy{}, Handler: http.HandlerFunc(h.reviews),
			Doc: &httpx.Doc{Summary: "Derived-list review tasks (C6)", Tags: tags,
				Params: []httpx.Param{
					{Name: "body", In: "query", Type: "integer", Description: "only this body's tasks"},
					{Name: "open", In: "query", Type: "boolean", Description: "only open tasks"}},
				Response: []catdb.Review{}}},
		{Pattern: "POST " + p + "/reviews/{id}/done", Policy: httpx.Policy{Roles: []access.Role{access.RoleListLiaison, access.RoleGeneralOffice}, Write: true, Scope: scope("review", "id")},
			Handler: http.HandlerFunc(h.reviewDone),
			Doc: &httpx.Doc{Summary: "Complete a review task with its conclusion", Tags: tags, Params: []httpx.Param{idParam("review")},
				Request: ReviewDoneRequest{}, Response: catdb.Review{}}},
		{Pattern: "GET " + p + "/reform-groups/{id}", Policy: httpx.Policy{Roles: []access.Role{access.RoleAdmin, access.RoleGeneralOffice}, Scope: scope("staff", "id")},
			Handler: http.HandlerFunc(h.reformSeats),
			Doc: &httpx.Doc{Summary: "A general-office member's reform review groups (C3)", Tags: tags,
				Params: []httpx.Param{idParam("staff member")}, Response: catdb.ReformSeats{}, Versioned: true}},
		{Pattern: "PUT " + p + "/reform-groups/{id}", Policy: httpx.Policy{Roles: []access.Role{access.RoleAdmin, access.RoleGeneralOffice}, Write: true, Scope: scope("staff", "id")},
			Handler: http.HandlerFunc(h.reformGroups),
			Doc: &httpx.Doc{Summary: "Set a general-office member's reform review groups (C3)", Tags: tags,
				Params:  []httpx.Param{idParam("staff member")},
				Request: ReformGroupsRequest{}, Response: catdb.ReformSeats{}, Versioned: true}},
	}
}

type catalogHandlers struct{ s Catalog }

func pathInt(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.Invalidf(name, "catweb.not_a_valid_id")
	}
	return id, nil
}

func queryID(r *http.Request, name string, required bool) (int64, error) {
	v := strings.TrimSpace(r.URL.Query().Get(name))
	if v == "" {
		if required {
			return 0, apperr.Invalidf(name, "catweb.required")
		}
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, apperr.Invalidf(name, "catweb.not_a_valid_id")
	}
	return n, nil
}

// queryCount reads a count from least to most (def when absent).
func queryCount(r *http.Request, name string, def, least, most int) (int, error) {
	v := strings.TrimSpace(r.URL.Query().Get(name))
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < least || n > most {
		return 0, apperr.Invalidf(name, "catweb.must_be_a_whole_number_from", least, most)
	}
	return n, nil
}

func queryFlag(r *http.Request, name string) (bool, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, apperr.Invalidf(name, "catweb.must_be_true_or_false")
	}
	return b, nil
}

func answer[T any](w http.ResponseWriter, r *http.Request, status int, v T, err error) {
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	api.WriteJSON(w, r, status, v)
}

func (h catalogHandlers) list(w http.ResponseWriter, r *http.Request) {
	body, err := pathInt(r, "body")
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	cancelled, err := queryFlag(r, "cancelled")
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	limit, err := queryCount(r, "limit", 500, 1, 5000)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	offset, err := queryCount(r, "offset", 0, 0, 1<<30)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	f := catdb.ListFilter{Unit: r.URL.Query().Get("unit"), IncludeCancelled: cancelled, Limit: limit, Offset: offset}
	if c := r.URL.Query().Get("category"); c != "" {
		cat, ok := catalog.ParseCategory(c)
		if !ok {
			api.WriteError(w, r, apperr.Invalidf("category", "catweb.unknown_category"))
			return
		}
		f.Category = cat
	}
	vs, err := h.s.PublishedList(r.Context(), body, f)
	for i := range vs {
		vs[i] = vs[i].Public() // L7: a public answer
	}
	answer(w, r, http.StatusOK, nonNilSlice(vs), err)
}

func (h catalogHandlers) item(w http.ResponseWriter, r *http.Request) {
	body, err := pathInt(r, "body")
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	d, err := h.s.Item(r.Context(), body, r.PathValue("code"))
	answer(w, r, http.StatusOK, d.Public(), err)
}

func (h catalogHandlers) itemByImpl(w http.ResponseWriter, r *http.Request) {
	d, err := h.s.ItemByImplCode(r.Context(), r.PathValue("impl"))
	answer(w, r, http.StatusOK, d.Public(), err)
}

func (h catalogHandlers) proof(w http.ResponseWriter, r *http.Request) {
	id, err := pathInt(r, "id")
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	p, err := h.s.Proof(r.Context(), id)
	answer(w, r, http.StatusOK, p, err)
}

func (h catalogHandlers) standing(w http.ResponseWriter, r *http.Request) {
	body, err := queryID(r, "body", true)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	at := time.Now()
	if v := strings.TrimSpace(r.URL.Query().Get("at")); v != "" {
		if at, err = time.Parse(time.RFC3339Nano, v); err != nil {
			api.WriteError(w, r, apperr.Invalidf("at", "catweb.must_be_an_rfc_3339_instant"))
			return
		}
	}
	a, err := h.s.Standing(r.Context(), body, r.URL.Query().Get("code"), at)
	answer(w, r, http.StatusOK, a.Public(), err)
}

func (h catalogHandlers) adjustments(w http.ResponseWriter, r *http.Request) {
	body, err := queryID(r, "body", false)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	stage := catalog.Stage(r.URL.Query().Get("stage"))
	if stage != "" && !stage.Known() {
		api.WriteError(w, r, apperr.Invalidf("stage", "catweb.unknown_stage"))
		return
	}
	as, err := h.s.Adjustments(r.Context(), httpx.PrincipalFrom(r.Context()), catdb.AdjustmentFilter{BodyID: body, Stage: stage})
	answer(w, r, http.StatusOK, nonNilSlice(as), err)
}

func (h catalogHandlers) adjustment(w http.ResponseWriter, r *http.Request) {
	id, err := pathInt(r, "id")
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	a, err := h.s.Adjustment(r.Context(), httpx.PrincipalFrom(r.Context()), id)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	api.WriteVersioned(w, r, http.StatusOK, a, a.Version)
}

func adjustmentVersion(a catdb.Adjustment) int64 { return a.Version }

// changedAdjustment answers a change of adjustment id (Edited: on a stale
// base, the 409 carries the adjustment as it is now).
func (h catalogHandlers) changedAdjustment(w http.ResponseWriter, r *http.Request, id int64, a catdb.Adjustment, err error) {
	api.Edited(w, r, http.StatusOK, a, err, adjustmentVersion, func() (catdb.Adjustment, error) {
		return h.s.Adjustment(r.Context(), httpx.PrincipalFrom(r.Context()), id)
	})
}

func (h catalogHandlers) elements(w http.ResponseWriter, r *http.Request) {
	id, err := pathInt(r, "id")
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	m, err := h.s.ChangedElements(r.Context(), httpx.PrincipalFrom(r.Context()), id)
	answer(w, r, http.StatusOK, m, err)
}

func (h catalogHandlers) create(w http.ResponseWriter, r *http.Request) {
	var in catdb.AdjustmentInput
	if err := api.Decode(w, r, &in); err != nil {
		api.WriteError(w, r, err)
		return
	}
	a, err := h.s.CreateAdjustment(r.Context(), httpx.PrincipalFrom(r.Context()), in)
	answer(w, r, http.StatusCreated, a, err)
}

func (h catalogHandlers) update(w http.ResponseWriter, r *http.Request) {
	var in catdb.AdjustmentInput
	id, version, ok := editRequest(w, r, &in)
	if !ok {
		return
	}
	a, err := h.s.UpdateAdjustment(r.Context(), httpx.PrincipalFrom(r.Context()), id, version, in)
	h.changedAdjustment(w, r, id, a, err)
}

func (h catalogHandlers) act(w http.ResponseWriter, r *http.Request) {
	var in ActionRequest
	id, version, ok := editRequest(w, r, &in)
	if !ok {
		return
	}
	a, err := h.s.Act(r.Context(), httpx.PrincipalFrom(r.Context()), id, version, catalog.Action{Kind: in.Kind, Group: in.Group, Comment: in.Comment})
	h.changedAdjustment(w, r, id, a, err)
}

func (h catalogHandlers) reviews(w http.ResponseWriter, r *http.Request) {
	body, err := queryID(r, "body", false)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	open, err := queryFlag(r, "open")
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	rs, err := h.s.Reviews(r.Context(), httpx.PrincipalFrom(r.Context()), catdb.ReviewFilter{BodyID: body, OpenOnly: open})
	answer(w, r, http.StatusOK, nonNilSlice(rs), err)
}

func (h catalogHandlers) reviewDone(w http.ResponseWriter, r *http.Request) {
	id, err := pathInt(r, "id")
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	var in ReviewDoneRequest
	if err := api.Decode(w, r, &in); err != nil {
		api.WriteError(w, r, err)
		return
	}
	rv, err := h.s.CompleteReview(r.Context(), httpx.PrincipalFrom(r.Context()), id, in.Note)
	answer(w, r, http.StatusOK, rv, err)
}

func (h catalogHandlers) reformGroups(w http.ResponseWriter, r *http.Request) {
	var in ReformGroupsRequest
	id, version, ok := editRequest(w, r, &in)
	if !ok {
		return
	}
	p := httpx.PrincipalFrom(r.Context())
	seats, err := h.s.SetReformGroups(r.Context(), p, id, version, in.Groups)
	api.Edited(w, r, http.StatusOK, seats, err, seatsVersion, func() (catdb.ReformSeats, error) { return h.s.ReformSeats(r.Context(), p, id) })
}

func seatsVersion(s catdb.ReformSeats) int64 { return s.Version }

func (h catalogHandlers) reformSeats(w http.ResponseWriter, r *http.Request) {
	id, err := pathInt(r, "id")
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	seats, err := h.s.ReformSeats(r.Context(), httpx.PrincipalFrom(r.Context()), id)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	api.WriteVersioned(w, r, http.StatusOK, seats, seats.Version)
}

// nonNilSlice makes an empty list answer [] rather than null.
func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// editRequest reads an edit of object {id}: its id, the body into in and
// the version the edit was based on (If-Match); when any is bad it has
// answered and returns false.
func editRequest(w http.ResponseWriter, r *http.Request, in any) (id, version int64, ok bool) {
	id, err := pathInt(r, "id")
	if err == nil {
		err = api.Decode(w, r, in)
	}
	if err == nil {
		version, err = api.OptionalIfMatch(r)
	}
	if err != nil {
		api.WriteError(w, r, err)
		return 0, 0, false
	}
	return id, version, true
}
