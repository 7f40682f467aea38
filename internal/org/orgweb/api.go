package orgweb

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

// maxImport bounds an uploaded import file.
const maxImport = 10 << 20

type apiHandlers struct {
	s *org.Service
	// The versioned objects (concurrent edits): read with their ETag,
	// changed with api.Edited.
	bodies         object[org.Body]
	units          object[org.Unit]
	staff          object[org.Staff]
	qualifications object[org.Qualification]
}

func newAPIHandlers(s *org.Service) apiHandlers {
	return apiHandlers{s: s,
		bodies:         object[org.Body]{get: s.Body, version: func(b org.Body) int64 { return b.Version }},
		units:          object[org.Unit]{get: s.Unit, version: func(u org.Unit) int64 { return u.Version }},
		staff:          object[org.Staff]{get: s.Staff, version: func(st org.Staff) int64 { return st.Version }},
		qualifications: object[org.Qualification]{get: s.Qualification, version: func(q org.Qualification) int64 { return q.Version }},
	}
}

// object is how the API reads one kind of versioned org object: by id
// within the principal's jurisdiction, and its version (the ETag).
type object[T any] struct {
	get     func(ctx context.Context, p access.Principal, id int64) (T, error)
	version func(T) int64
}

// changeFunc changes the object with the path id (an edit or an action).
type changeFunc[T any] func(ctx context.Context, p access.Principal, id int64, w http.ResponseWriter, r *http.Request) (T, error)

// read answers GET of the object with its version as ETag.
func (o object[T]) read() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			api.WriteError(w, r, err)
			return
		}
		v, err := o.get(r.Context(), principal(r), id)
		if err != nil {
			api.WriteError(w, r, err)
			return
		}
		api.WriteVersioned(w, r, http.StatusOK, v, o.version(v))
	}
}

// change answers a change of the object: the object and its new ETag, or
// on a stale base the 409 carrying the object as it is now.
func (o object[T]) change(f changeFunc[T]) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			api.WriteError(w, r, err)
			return
		}
		ctx, p := r.Context(), principal(r)
		v, err := f(ctx, p, id, w, r)
		api.Edited(w, r, http.StatusOK, v, err, o.version, func() (T, error) { return o.get(ctx, p, id) })
	}
}

var admin = []access.Role{access.RoleAdmin}

// apiRoutes returns the organisation's API routes.
func apiRoutes(s *org.Service) []httpx.Route {
	h := newAPIHandlers(s)
	p := api.Prefix
	scope := func(kind string) func(r *http.Request) (string, error) {
		return func(r *http.Request) (string, error) {
			id, err := pathID(r)
			if err != nil {
				return "", err
			}
			return s.PathOf(r.Context(), kind, id)
		}
	}
	idParam := func(what string) []httpx.Param {
		return []httpx.Param{{Name: "id", In: "path", Type: "integer", Description: "the " + what + "'s id"}}
	}
	read := httpx.Policy{}
	write := httpx.Policy{Roles: admin, Write: true}
	// Staff, their roles, seats and certificates: the accounts duty (the
	// security administrator when duties are separated).
	people := httpx.Policy{Roles: access.DutyRoles(access.DutyAccounts), Duty: access.DutyAccounts, Write: true}
	scoped := func(pol httpx.Policy, kind string) httpx.Policy { pol.Scope = scope(kind); return pol }
	tags := func(t string) []string { return []string{t} }
	return []httpx.Route{
		// Bodies (O1)
		{Pattern: "GET " + p + "/bodies", Policy: read, Handler: http.HandlerFunc(h.bodyList),
			Doc: &httpx.Doc{Summary: "Bodies of a subtree", Tags: tags("org"),
				Description: "The subtree under root (default: the caller's body), parents before children. Only bodies in the caller's jurisdiction.",
				Params: []httpx.Param{{Name: "root", In: "query", Type: "integer", Description: "id of the subtree's root"},
					{Name: "inactive", In: "query", Type: "boolean", Description: "include deactivated bodies"}},
				Response: []org.Body{}}},
		{Pattern: "GET " + p + "/bodies/{id}", Policy: scoped(read, "body"), Handler: h.bodies.read(),
			Doc: &httpx.Doc{Summary: "One body", Tags: tags("org"), Params: idParam("body"), Response: org.Body{}, Versioned: true}},
		{Pattern: "POST " + p + "/bodies", Policy: write, Handler: http.HandlerFunc(h.createBody),
			Doc: &httpx.Doc{Summary: "Create a body", Tags: tags("org"), Status: http.StatusCreated,
				Description: "Under a parent in the caller's jurisdiction; the level must be below the parent's (O1).",
				Request:     BodyRequest{}, Response: org.Body{}}},
		{Pattern: "PATCH " + p + "/bodies/{id}", Policy: scoped(write, "body"), Handler: h.bodies.change(h.updateBody),
			Doc: &httpx.Doc{Summary: "Edit a body's code, name, level or time zone", Tags: tags("org"), Params: idParam("body"),
				Request: BodyRequest{}, Response: org.Body{}, Versioned: true}},
		{Pattern: "POST " + p + "/bodies/{id}/move", Policy: scoped(write, "body"), Handler: h.bodies.change(h.moveBody),
			Doc: &httpx.Doc{Summary: "Move a body and its subtree under another parent", Tags: tags("org"), Params: idParam("body"),
				Description: "Rewrites the subtree's paths in one transaction; refuses a move under the body itself or a descendant.",
				Request:     MoveRequest{}, Response: org.Body{}, Versioned: true}},
		{Pattern: "POST " + p + "/bodies/{id}/deactivate", Policy: scoped(write, "body"), Handler: h.bodies.change(h.bodyActive(false)),
			Doc: &httpx.Doc{Summary: "Deactivate a body (it has no active sub-bodies, units or staff)", Tags: tags("org"), Params: idParam("body"), Response: org.Body{}, Versioned: true}},
		{Pattern: "POST " + p + "/bodies/{id}/reactivate", Policy: scoped(write, "body"), Handler: h.bodies.change(h.bodyActive(true)),
			Doc: &httpx.Doc{Summary: "Reactivate a body", Tags: tags("org"), Params: idParam("body"), Response: org.Body{}, Versioned: true}},
		{Pattern: "GET " + p + "/bodies/{id}/units", Policy: scoped(read, "body"), Handler: http.HandlerFunc(h.unitsOf),
			Doc: &httpx.Doc{Summary: "Units of a body", Tags: tags("org"),
				Params:   append(idParam("body"), httpx.Param{Name: "inactive", In: "query", Type: "boolean", Description: "include deactivated units"}),
				Response: []org.Unit{}}},

		// Units (O2)
		{Pattern: "GET " + p + "/units/{id}", Policy: scoped(read, "unit"), Handler: h.units.read(),
			Doc: &httpx.Doc{Summary: "One unit", Tags: tags("org"), Params: idParam("unit"), Response: org.Unit{}, Versioned: true}},
		{Pattern: "POST " + p + "/units", Policy: write, Handler: http.HandlerFunc(h.createUnit),
			Doc: &httpx.Doc{Summary: "Create a unit (站所/科室/窗口) under a body", Tags: tags("org"), Status: http.StatusCreated,
				Request: UnitRequest{}, Response: org.Unit{}}},
		{Pattern: "PATCH " + p + "/units/{id}", Policy: scoped(write, "unit"), Handler: h.units.change(h.updateUnit),
			Doc: &httpx.Doc{Summary: "Edit a unit's kind, code or name", Tags: tags("org"), Params: idParam("unit"),
				Request: UnitRequest{}, Response: org.Unit{}, Versioned: true}},
		{Pattern: "POST " + p + "/units/{id}/head", Policy: scoped(people, "unit"), Handler: h.units.change(h.setHead),
			Doc: &httpx.Doc{Summary: "Appoint the unit's head (O2: exactly one)", Tags: tags("org"), Params: idParam("unit"),
				Request: HeadRequest{}, Response: org.Unit{}, Versioned: true}},
		{Pattern: "POST " + p + "/units/{id}/deactivate", Policy: scoped(write, "unit"), Handler: h.units.change(h.unitActive(false)),
			Doc: &httpx.Doc{Summary: "Deactivate a unit", Tags: tags("org"), Params: idParam("unit"), Response: org.Unit{}, Versioned: true}},
		{Pattern: "POST " + p + "/units/{id}/reactivate", Policy: scoped(write, "unit"), Handler: h.units.change(h.unitActive(true)),
			Doc: &httpx.Doc{Summary: "Reactivate a unit", Tags: tags("org"), Params: idParam("unit"), Response: org.Unit{}, Versioned: true}},
		{Pattern: "GET " + p + "/org/gaps", Policy: read, Handler: http.HandlerFunc(h.gaps),
			Doc: &httpx.Doc{Summary: "Active units lacking a head or a list liaison (O2)", Tags: tags("org"), Response: []org.Gap{}}},

		// Staff
		{Pattern: "GET " + p + "/staff", Policy: read, Handler: http.HandlerFunc(h.searchStaff),
			Doc: &httpx.Doc{Summary: "Search staff in the caller's jurisdiction", Tags: tags("org"),
				Params: []httpx.Param{
					{Name: "body", In: "query", Type: "integer", Description: "only the subtree of this body"},
					{Name: "unit", In: "query", Type: "integer", Description: "only this unit"},
					{Name: "role", In: "query", Description: "only staff holding this role"},
					{Name: "q", In: "query", Description: "name or phone contains this"},
					{Name: "inactive", In: "query", Type: "boolean", Description: "include deactivated staff"},
					{Name: "limit", In: "query", Type: "integer", Description: "at most this many (default 100, at most 1000)"},
					{Name: "offset", In: "query", Type: "integer", Description: "skip this many"}},
				Response: []org.Staff{}}},
		{Pattern: "GET " + p + "/staff/{id}", Policy: scoped(read, "staff"), Handler: h.staff.read(),
			Doc: &httpx.Doc{Summary: "One staff member", Tags: tags("org"), Params: idParam("staff member"), Response: org.Staff{}, Versioned: true}},
		{Pattern: "POST " + p + "/staff", Policy: people, Handler: http.HandlerFunc(h.createStaff),
			Doc: &httpx.Doc{Summary: "Create a staff member", Tags: tags("org"), Status: http.StatusCreated,
				Description: "is_head fails when the unit has a head (use /units/{id}/head); is_liaison fails when it has two liaisons (O2).",
				Request:     StaffRequest{}, Response: org.Staff{}}},
		{Pattern: "PATCH " + p + "/staff/{id}", Policy: scoped(people, "staff"), Handler: h.staff.change(h.updateStaff),
			Doc: &httpx.Doc{Summary: "Edit a staff member (also moves them to another body or unit)", Tags: tags("org"),
				Params: idParam("staff member"), Request: StaffRequest{}, Response: org.Staff{}, Versioned: true}},
		{Pattern: "POST " + p + "/staff/{id}/deactivate", Policy: scoped(people, "staff"), Handler: h.staff.change(h.staffActive(false)),
			Doc: &httpx.Doc{Summary: "Deactivate a staff member (not a unit's head or last liaison: appoint a successor first)", Tags: tags("org"),
				Params: idParam("staff member"), Response: org.Staff{}, Versioned: true}},
		{Pattern: "POST " + p + "/staff/{id}/reactivate", Policy: scoped(people, "staff"), Handler: h.staff.change(h.staffActive(true)),
			Doc: &httpx.Doc{Summary: "Reactivate a staff member", Tags: tags("org"), Params: idParam("staff member"), Response: org.Staff{}, Versioned: true}},

		// Qualifications
		{Pattern: "GET " + p + "/staff/{id}/qualifications", Policy: scoped(read, "staff"), Handler: http.HandlerFunc(h.qualificationsOf),
			Doc: &httpx.Doc{Summary: "A staff member's law-enforcement certificates", Tags: tags("org"), Params: idParam("staff member"),
				Response: []org.Qualification{}}},
		{Pattern: "POST " + p + "/qualifications", Policy: people, Handler: http.HandlerFunc(h.addQualification),
			Doc: &httpx.Doc{Summary: "Register a law-enforcement certificate", Tags: tags("org"), Status: http.StatusCreated,
				Request: QualificationRequest{}, Response: org.Qualification{}}},
		{Pattern: "GET " + p + "/qualifications/{id}", Policy: scoped(read, "qualification"), Handler: h.qualifications.read(),
			Doc: &httpx.Doc{Summary: "One certificate", Tags: tags("org"), Params: idParam("certificate"), Response: org.Qualification{}, Versioned: true}},
		{Pattern: "PATCH " + p + "/qualifications/{id}", Policy: scoped(people, "qualification"), Handler: h.qualifications.change(h.updateQualification),
			Doc: &httpx.Doc{Summary: "Correct a certificate", Tags: tags("org"), Params: idParam("certificate"),
				Request: QualificationRequest{}, Response: org.Qualification{}, Versioned: true}},
		{Pattern: "POST " + p + "/qualifications/{id}/revoke", Policy: scoped(people, "qualification"), Handler: h.qualifications.change(h.revokeQualification),
			Doc: &httpx.Doc{Summary: "Revoke a certificate (it stays on record)", Tags: tags("org"), Params: idParam("certificate"),
				Response: org.Qualification{}, Versioned: true}},

		// Import
		{Pattern: "POST " + p + "/org/import", Policy: httpx.Policy{Roles: access.DutyRoles(access.DutyAccounts), Write: true}, Handler: http.HandlerFunc(h.importFile),
			MaxBody: maxImport, Import: true,
			Doc: &httpx.Doc{Summary: "Import bodies, units and staff from an Excel or CSV file", Tags: tags("org"),
				Description: "The body is the file itself (Content-Type text/csv or application/vnd.openxmlformats-officedocument.spreadsheetml.sheet), " +
					"or a multipart/form-data upload with the field \"file\". All or nothing: any bad row fails the import with every problem " +
					"listed in errors[], each field naming the cell (\"人员!D7\"). Template and rules: docs/org-import.md.",
				Response: org.ImportResult{}}},
		{Pattern: "GET " + p + "/org/import/template", Policy: read, Handler: http.HandlerFunc(h.template),
			Doc: &httpx.Doc{Summary: "Download the import template", Tags: tags("org"), Raw: true,
				Params: []httpx.Param{{Name: "format", In: "query", Description: "xlsx (default) or csv"}}}},
	}
}

// BodyRequest creates (parent_id used) or edits (parent_id ignored) a body.
// Without parent_id it is a root; without time_zone, Asia/Shanghai.
type BodyRequest struct {
	ParentID int64  `json:"parent_id,omitempty"`
	Level    string `json:"level"`
	Code     string `json:"code"`
	Name     string `json:"name"`
	TimeZone string `json:"time_zone,omitempty"`
}

// MoveRequest names the new parent.
type MoveRequest struct {
	ParentID int64 `json:"parent_id"`
}

// UnitRequest creates (body_id used) or edits a unit.
type UnitRequest struct {
	BodyID int64  `json:"body_id"`
	Kind   string `json:"kind"`
	Code   string `json:"code"`
	Name   string `json:"name"`
}

// HeadRequest names a unit's new head.
type HeadRequest struct {
	StaffID int64 `json:"staff_id"`
}

// StaffRequest creates or edits a staff member; unit, phone and the head
// and liaison marks are optional (none, not a head, not a liaison).
type StaffRequest struct {
	BodyID    int64    `json:"body_id"`
	UnitID    int64    `json:"unit_id,omitempty"`
	Name      string   `json:"name"`
	Phone     string   `json:"phone,omitempty"`
	Roles     []string `json:"roles"`
	IsHead    bool     `json:"is_head,omitempty"`
	IsLiaison bool     `json:"is_liaison,omitempty"`
}

func (r StaffRequest) input() (org.StaffInput, error) {
	in := org.StaffInput{BodyID: r.BodyID, UnitID: r.UnitID, Name: r.Name, Phone: r.Phone, IsHead: r.IsHead, IsLiaison: r.IsLiaison}
	for i, s := range r.Roles {
		role, ok := access.ParseRole(s)
		if !ok {
			return in, apperr.Invalidf("roles["+strconv.Itoa(i)+"]", "orgweb.unknown_role", s)
		}
		in.Roles = append(in.Roles, role)
	}
	return in, nil
}

// QualificationRequest adds (staff_id used) or corrects a certificate.
type QualificationRequest struct {
	StaffID   int64  `json:"staff_id"`
	CertNo    string `json:"cert_no"`
	Scope     string `json:"scope"`
	ValidFrom string `json:"valid_from"`
	ValidTo   string `json:"valid_to"`
}

func (r QualificationRequest) input() org.QualificationInput {
	return org.QualificationInput{StaffID: r.StaffID, CertNo: r.CertNo, Scope: r.Scope, ValidFrom: r.ValidFrom, ValidTo: r.ValidTo}
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.Invalidf("id", "orgweb.not_a_valid_id")
	}
	return id, nil
}

func queryInt(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, apperr.Invalidf(name, "orgweb.must_be_a_non_negative_integer")
	}
	return n, nil
}

func queryBool(r *http.Request, name string) (bool, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, apperr.Invalidf(name, "orgweb.must_be_true_or_false")
	}
	return b, nil
}

// respond writes v or the error.
func respond[T any](w http.ResponseWriter, r *http.Request, status int, v T, err error) {
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	api.WriteJSON(w, r, status, v)
}

// withID runs f with the path id, answering a bad id.
func withID[T any](status int, f func(ctx context.Context, p access.Principal, id int64, r *http.Request) (T, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			api.WriteError(w, r, err)
			return
		}
		v, err := f(r.Context(), principal(r), id, r)
		respond(w, r, status, v, err)
	}
}

func (h apiHandlers) bodyList(w http.ResponseWriter, r *http.Request) {
	root, err := queryInt(r, "root")
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	inactive, err := queryBool(r, "inactive")
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	bs, err := h.s.Bodies(r.Context(), principal(r), root, inactive)
	respond(w, r, http.StatusOK, nonNil(bs), err)
}

func (h apiHandlers) createBody(w http.ResponseWriter, r *http.Request) {
	var req BodyRequest
	if err := api.Decode(w, r, &req); err != nil {
		api.WriteError(w, r, err)
		return
	}
	b, err := h.s.CreateBody(r.Context(), principal(r), org.BodyInput{ParentID: req.ParentID, Level: org.Level(req.Level),
		Code: req.Code, Name: req.Name, TimeZone: req.TimeZone})
	respond(w, r, http.StatusCreated, b, err)
}

// The edits below decode the body before reading If-Match: malformed input
// is a 400 whatever the headers. An edit without If-Match is refused by the
// service (428) after its permission checks, so a forbidden one is a 403.

func (h apiHandlers) updateBody(ctx context.Context, p access.Principal, id int64, w http.ResponseWriter, r *http.Request) (org.Body, error) {
	var req BodyRequest
	if err := api.Decode(w, r, &req); err != nil {
		return org.Body{}, err
	}
	version, err := api.OptionalIfMatch(r)
	if err != nil {
		return org.Body{}, err
	}
	return h.s.UpdateBody(ctx, p, id, version, org.BodyEdit{Level: org.Level(req.Level), Code: req.Code, Name: req.Name, TimeZone: req.TimeZone})
}

func (h apiHandlers) moveBody(ctx context.Context, p access.Principal, id int64, w http.ResponseWriter, r *http.Request) (org.Body, error) {
	var req MoveRequest
	if err := api.Decode(w, r, &req); err != nil {
		return org.Body{}, err
	}
	if req.ParentID <= 0 {
		return org.Body{}, apperr.Invalidf("parent_id", "orgweb.required")
	}
	version, err := api.OptionalIfMatch(r)
	if err != nil {
		return org.Body{}, err
	}
	return h.s.MoveBody(ctx, p, id, version, req.ParentID)
}

func (h apiHandlers) bodyActive(active bool) changeFunc[org.Body] {
	return func(ctx context.Context, p access.Principal, id int64, _ http.ResponseWriter, r *http.Request) (org.Body, error) {
		version, err := api.OptionalIfMatch(r)
		if err != nil {
			return org.Body{}, err
		}
		return h.s.SetBodyActive(ctx, p, id, version, active)
	}
}

func (h apiHandlers) unitsOf(w http.ResponseWriter, r *http.Request) {
	withID(http.StatusOK, func(ctx context.Context, p access.Principal, id int64, r *http.Request) ([]org.Unit, error) {
		inactive, err := queryBool(r, "inactive")
		if err != nil {
			return nil, err
		}
		us, err := h.s.Units(ctx, p, id, inactive)
		return nonNil(us), err
	})(w, r)
}

func (h apiHandlers) createUnit(w http.ResponseWriter, r *http.Request) {
	var req UnitRequest
	if err := api.Decode(w, r, &req); err != nil {
		api.WriteError(w, r, err)
		return
	}
	u, err := h.s.CreateUnit(r.Context(), principal(r), org.UnitInput{BodyID: req.BodyID, Kind: org.UnitKind(req.Kind), Code: req.Code, Name: req.Name})
	respond(w, r, http.StatusCreated, u, err)
}

func (h apiHandlers) updateUnit(ctx context.Context, p access.Principal, id int64, w http.ResponseWriter, r *http.Request) (org.Unit, error) {
	var req UnitRequest
	if err := api.Decode(w, r, &req); err != nil {
		return org.Unit{}, err
	}
	version, err := api.OptionalIfMatch(r)
	if err != nil {
		return org.Unit{}, err
	}
	return h.s.UpdateUnit(ctx, p, id, version, org.UnitInput{Kind: org.UnitKind(req.Kind), Code: req.Code, Name: req.Name})
}

func (h apiHandlers) setHead(ctx context.Context, p access.Principal, id int64, w http.ResponseWriter, r *http.Request) (org.Unit, error) {
	var req HeadRequest
	if err := api.Decode(w, r, &req); err != nil {
		return org.Unit{}, err
	}
	if req.StaffID <= 0 {
		return org.Unit{}, apperr.Invalidf("staff_id", "orgweb.required")
	}
	version, err := api.OptionalIfMatch(r)
	if err != nil {
		return org.Unit{}, err
	}
	return h.s.SetUnitHead(ctx, p, id, version, req.StaffID)
}

func (h apiHandlers) unitActive(active bool) changeFunc[org.Unit] {
	return func(ctx context.Context, p access.Principal, id int64, _ http.ResponseWriter, r *http.Request) (org.Unit, error) {
		version, err := api.OptionalIfMatch(r)
		if err != nil {
			return org.Unit{}, err
		}
		return h.s.SetUnitActive(ctx, p, id, version, active)
	}
}

func (h apiHandlers) gaps(w http.ResponseWriter, r *http.Request) {
	gs, err := h.s.Gaps(r.Context(), principal(r))
	respond(w, r, http.StatusOK, nonNil(gs), err)
}

func (h apiHandlers) searchStaff(w http.ResponseWriter, r *http.Request) {
	var q org.StaffQuery
	var err error
	var limit, offset int64
	for _, f := range []func() error{
		func() (err error) { q.BodyID, err = queryInt(r, "body"); return },
		func() (err error) { q.UnitID, err = queryInt(r, "unit"); return },
		func() (err error) { q.IncludeInactive, err = queryBool(r, "inactive"); return },
		func() (err error) { limit, err = queryInt(r, "limit"); return },
		func() (err error) { offset, err = queryInt(r, "offset"); return },
	} {
		if err = f(); err != nil {
			api.WriteError(w, r, err)
			return
		}
	}
	q.Limit, q.Offset = int(min(limit, 1000)), int(min(offset, 1<<30))
	q.Role = access.Role(r.URL.Query().Get("role"))
	q.Text = r.URL.Query().Get("q")
	st, err := h.s.SearchStaff(r.Context(), principal(r), q)
	respond(w, r, http.StatusOK, nonNil(st), err)
}

func (h apiHandlers) createStaff(w http.ResponseWriter, r *http.Request) {
	var req StaffRequest
	if err := api.Decode(w, r, &req); err != nil {
		api.WriteError(w, r, err)
		return
	}
	in, err := req.input()
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	st, err := h.s.CreateStaff(r.Context(), principal(r), in)
	respond(w, r, http.StatusCreated, st, err)
}

func (h apiHandlers) updateStaff(ctx context.Context, p access.Principal, id int64, w http.ResponseWriter, r *http.Request) (org.Staff, error) {
	var req StaffRequest
	if err := api.Decode(w, r, &req); err != nil {
		return org.Staff{}, err
	}
	in, err := req.input()
	if err != nil {
		return org.Staff{}, err
	}
	version, err := api.OptionalIfMatch(r)
	if err != nil {
		return org.Staff{}, err
	}
	return h.s.UpdateStaff(ctx, p, id, version, in)
}

func (h apiHandlers) staffActive(active bool) changeFunc[org.Staff] {
	return func(ctx context.Context, p access.Principal, id int64, _ http.ResponseWriter, r *http.Request) (org.Staff, error) {
		version, err := api.OptionalIfMatch(r)
		if err != nil {
			return org.Staff{}, err
		}
		return h.s.SetStaffActive(ctx, p, id, version, active)
	}
}

func (h apiHandlers) qualificationsOf(w http.ResponseWriter, r *http.Request) {
	withID(http.StatusOK, func(ctx context.Context, p access.Principal, id int64, _ *http.Request) ([]org.Qualification, error) {
		qs, err := h.s.Qualifications(ctx, p, id)
		return nonNil(qs), err
	})(w, r)
}

func (h apiHandlers) addQualification(w http.ResponseWriter, r *http.Request) {
	var req QualificationRequest
	if err := api.Decode(w, r, &req); err != nil {
		api.WriteError(w, r, err)
		return
	}
	q, err := h.s.AddQualification(r.Context(), principal(r), req.input())
	respond(w, r, http.StatusCreated, q, err)
}

func (h apiHandlers) updateQualification(ctx context.Context, p access.Principal, id int64, w http.ResponseWriter, r *http.Request) (org.Qualification, error) {
	var req QualificationRequest
	if err := api.Decode(w, r, &req); err != nil {
		return org.Qualification{}, err
	}
	version, err := api.OptionalIfMatch(r)
	if err != nil {
		return org.Qualification{}, err
	}
	return h.s.UpdateQualification(ctx, p, id, version, req.input())
}

func (h apiHandlers) revokeQualification(ctx context.Context, p access.Principal, id int64, _ http.ResponseWriter, r *http.Request) (org.Qualification, error) {
	version, err := api.OptionalIfMatch(r)
	if err != nil {
		return org.Qualification{}, err
	}
	return h.s.RevokeQualification(ctx, p, id, version)
}

// readUpload reads an import file from a request: a multipart form's "file"
// field, or the raw body. It returns the file name (which tells xlsx from
// csv) and the content, bounded by maxImport.
func readUpload(w http.ResponseWriter, r *http.Request) (string, []byte, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxImport)
	tooBig := func(err error) error {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return apperr.Invalidf("file", "orgweb.the_file_is_larger_than_mb", maxImport>>20)
		}
		return apperr.Invalidf("file", "orgweb.cannot_read_the_uploaded_file")
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" {
		f, hdr, err := r.FormFile("file")
		if err != nil {
			if errors.Is(err, http.ErrMissingFile) {
				return "", nil, apperr.Invalidf("file", "orgweb.choose_a_file_to_import")
			}
			return "", nil, tooBig(err)
		}
		defer f.Close()
		data, err := io.ReadAll(f)
		if err != nil {
			return "", nil, tooBig(err)
		}
		return hdr.Filename, data, nil
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return "", nil, tooBig(err)
	}
	name := "upload.csv"
	if strings.Contains(ct, "spreadsheetml") || bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		name = "upload.xlsx"
	}
	return name, data, nil
}

func (h apiHandlers) importFile(w http.ResponseWriter, r *http.Request) {
	name, data, err := readUpload(w, r)
	if err != nil {
		api.WriteError(w, r, err)
		return
	}
	res, err := h.s.Import(r.Context(), principal(r), name, data)
	respond(w, r, http.StatusOK, res, err)
}

// templateHandler serves the import template (?format=xlsx|csv) as a
// download; the admin page links to the same handler.
func templateHandler(w http.ResponseWriter, r *http.Request) {
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "xlsx"
	}
	ctype := map[string]string{
		"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		"csv":  "text/csv; charset=utf-8",
	}[format]
	if ctype == "" {
		api.WriteError(w, r, apperr.Invalidf("format", "orgweb.format_must_be_xlsx_or_csv"))
		return
	}
	var buf bytes.Buffer
	if err := org.WriteTemplate(&buf, format); err != nil {
		api.WriteError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="org-import-template.`+format+`"; filename*=UTF-8''%E7%BB%84%E7%BB%87%E6%9C%BA%E6%9E%84%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.`+format)
	// A failed write means the client went away.
	_, _ = w.Write(buf.Bytes())
}

func (h apiHandlers) template(w http.ResponseWriter, r *http.Request) { templateHandler(w, r) }

// nonNil makes an empty list encode as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
