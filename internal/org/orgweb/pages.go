package orgweb

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/web/page"
)

func bodyURL(id int64) string  { return "/admin/org/bodies/" + strconv.FormatInt(id, 10) }
func unitURL(id int64) string  { return "/admin/org/units/" + strconv.FormatInt(id, 10) }
func staffURL(id int64) string { return "/admin/org/staff/" + strconv.FormatInt(id, 10) }

// treePage: the caller's subtree and the units missing a head or liaison.
type treePage struct {
	Bodies []org.Body
	Gaps   []org.Gap
	Names  map[int64]string
}

func (h *handlers) tree(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	bodies, err := h.s.Bodies(r.Context(), p, 0, true)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	gaps, err := h.s.Gaps(r.Context(), p)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Render(w, r, http.StatusOK, "tree", treePage{Bodies: bodies, Gaps: gaps, Names: names(bodies)}, nil)
}

func names(bs []org.Body) map[int64]string {
	m := map[int64]string{}
	for _, b := range bs {
		m[b.ID] = b.Name
	}
	return m
}

// bodyPage: one body with its children, units and the forms acting on it.
// Edit holds the edit form's values and Base the version it is based on:
// the stored body's, or after a refused edit what was sent (see conflict.go).
type bodyPage struct {
	Body        org.Body
	Edit        org.Body
	Base        int64
	Conflict    []conflictRow
	Parent      *org.Body
	Children    []org.Body
	Units       []org.Unit
	MoveTargets []org.Body
	Levels      []org.Level
	Kinds       []org.UnitKind
}

func (h *handlers) loadBody(r *http.Request, id int64) (bodyPage, error) {
	p := principal(r)
	ctx := r.Context()
	b, err := h.s.Body(ctx, p, id)
	if err != nil {
		return bodyPage{}, err
	}
	pg := bodyPage{Body: b, Edit: b, Base: b.Version, Levels: org.Levels, Kinds: org.UnitKinds}
	if b.ParentID != 0 {
		// The parent may lie outside the caller's jurisdiction: shown only
		// when readable.
		parent, err := h.s.Body(ctx, p, b.ParentID)
		switch {
		case err == nil:
			pg.Parent = &parent
		case apperr.CodeOf(err) != apperr.Forbidden:
			return bodyPage{}, err
		}
	}
	sub, err := h.s.Bodies(ctx, p, id, true)
	if err != nil {
		return bodyPage{}, err
	}
	for _, c := range sub {
		if c.ParentID == id {
			pg.Children = append(pg.Children, c)
		}
	}
	if pg.Units, err = h.s.Units(ctx, p, id, true); err != nil {
		return bodyPage{}, err
	}
	all, err := h.s.Bodies(ctx, p, 0, false)
	if err != nil {
		return bodyPage{}, err
	}
	for _, t := range all {
		if !strings.HasPrefix(t.Path, b.Path) && t.Level.Rank() < b.Level.Rank() && t.ID != b.ParentID {
			pg.MoveTargets = append(pg.MoveTargets, t)
		}
	}
	return pg, nil
}

func (h *handlers) body(w http.ResponseWriter, r *http.Request) {
	h.showBody(w, r, page.PathID(r), nil)
}

// showBody renders a body's page, with the error of a failed action if any.
func (h *handlers) showBody(w http.ResponseWriter, r *http.Request, id int64, failure error) {
	h.showBodyEdit(w, r, id, failure, nil)
}

// sentBody is a body's edit form as submitted.
type sentBody struct {
	edit org.BodyEdit
	base int64
}

// showBodyEdit renders a body's page after a refused edit: the form keeps
// what was sent; a stale edit also gets the conflict table and the
// current version.
func (h *handlers) showBodyEdit(w http.ResponseWriter, r *http.Request, id int64, failure error, sent *sentBody) {
	pg, err := h.loadBody(r, id)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if sent != nil {
		pg.Edit.Level, pg.Edit.Code, pg.Edit.Name, pg.Edit.TimeZone = sent.edit.Level, sent.edit.Code, sent.edit.Name, sent.edit.TimeZone
		pg.Base = sent.base
		if apperr.IsStale(failure) {
			pg.Conflict, pg.Base = bodyConflict(lang(r), pg.Edit, pg.Body), pg.Body.Version
		}
	}
	h.Render(w, r, http.StatusOK, "body", pg, failure)
}

func (h *handlers) createBody(w http.ResponseWriter, r *http.Request) {
	if err := page.ParseForm(w, r); err != nil {
		h.Fail(w, r, err)
		return
	}
	parent := formInt(r, "parent_id")
	b, err := h.s.CreateBody(r.Context(), principal(r), org.BodyInput{ParentID: parent, Level: org.Level(r.PostFormValue("level")),
		Code: r.PostFormValue("code"), Name: r.PostFormValue("name"), TimeZone: r.PostFormValue("time_zone")})
	if err != nil {
		h.showBody(w, r, parent, err)
		return
	}
	page.Done(w, r, bodyURL(b.ID), "created")
}

func (h *handlers) updateBody(w http.ResponseWriter, r *http.Request) {
	id := page.PathID(r)
	if err := page.ParseForm(w, r); err != nil {
		h.showBody(w, r, id, err)
		return
	}
	sent := &sentBody{base: formInt(r, "version"), edit: org.BodyEdit{Level: org.Level(r.PostFormValue("level")),
		Code: r.PostFormValue("code"), Name: r.PostFormValue("name"), TimeZone: r.PostFormValue("time_zone")}}
	if _, err := h.s.UpdateBody(r.Context(), principal(r), id, sent.base, sent.edit); err != nil {
		h.showBodyEdit(w, r, id, err, sent)
		return
	}
	page.Done(w, r, bodyURL(id), "saved")
}

func (h *handlers) moveBody(w http.ResponseWriter, r *http.Request) {
	id := page.PathID(r)
	if err := page.ParseForm(w, r); err != nil {
		h.showBody(w, r, id, err)
		return
	}
	parent := formInt(r, "parent_id")
	if parent == 0 {
		h.showBody(w, r, id, apperr.Invalidf("parent_id", "orgweb.choose_the_new_parent"))
		return
	}
	if _, err := h.s.MoveBody(r.Context(), principal(r), id, formInt(r, "version"), parent); err != nil {
		h.showBody(w, r, id, err)
		return
	}
	page.Done(w, r, bodyURL(id), "moved")
}

// confirmed refuses a deactivation the form did not confirm: deactivating is
// destructive (a whole district's staff stop working), so the page asks for
// a tick in its danger zone, which works without JavaScript.
func confirmed(r *http.Request, active bool) error {
	if active || r.PostFormValue("confirm") == "yes" {
		return nil
	}
	return apperr.Invalidf("confirm", "orgweb.confirm.required")
}

func (h *handlers) bodyActive(w http.ResponseWriter, r *http.Request) {
	id := page.PathID(r)
	if err := page.ParseForm(w, r); err != nil {
		h.showBody(w, r, id, err)
		return
	}
	active := r.PostFormValue("active") == "true"
	if err := confirmed(r, active); err != nil {
		h.showBody(w, r, id, err)
		return
	}
	if _, err := h.s.SetBodyActive(r.Context(), principal(r), id, formInt(r, "version"), active); err != nil {
		h.showBody(w, r, id, err)
		return
	}
	page.Done(w, r, bodyURL(id), map[bool]string{true: "reactivated", false: "deactivated"}[active])
}

// unitPage: a unit with its people (O2 marks) and forms; Edit, Base and
// Conflict as in bodyPage.
type unitPage struct {
	Unit     org.Unit
	Edit     org.Unit
	Base     int64
	Conflict []conflictRow
	Body     org.Body
	Staff    []org.Staff
	Kinds    []org.UnitKind
}

func (h *handlers) showUnit(w http.ResponseWriter, r *http.Request, id int64, failure error) {
	h.showUnitEdit(w, r, id, failure, nil)
}

// sentUnit is a unit's edit form as submitted.
type sentUnit struct {
	edit org.UnitInput
	base int64
}

// showUnitEdit is showBodyEdit for a unit.
func (h *handlers) showUnitEdit(w http.ResponseWriter, r *http.Request, id int64, failure error, sent *sentUnit) {
	p := principal(r)
	u, err := h.s.Unit(r.Context(), p, id)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	b, err := h.s.Body(r.Context(), p, u.BodyID)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	st, err := h.s.SearchStaff(r.Context(), p, org.StaffQuery{BodyID: u.BodyID, UnitID: u.ID, IncludeInactive: true, Limit: 1000})
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	pg := unitPage{Unit: u, Edit: u, Base: u.Version, Body: b, Staff: st, Kinds: org.UnitKinds}
	if sent != nil {
		pg.Edit.Kind, pg.Edit.Code, pg.Edit.Name, pg.Base = sent.edit.Kind, sent.edit.Code, sent.edit.Name, sent.base
		if apperr.IsStale(failure) {
			pg.Conflict, pg.Base = unitConflict(lang(r), pg.Edit, u), u.Version
		}
	}
	h.Render(w, r, http.StatusOK, "unit", pg, failure)
}

func (h *handlers) unit(w http.ResponseWriter, r *http.Request) {
	h.showUnit(w, r, page.PathID(r), nil)
}

func (h *handlers) createUnit(w http.ResponseWriter, r *http.Request) {
	if err := page.ParseForm(w, r); err != nil {
		h.Fail(w, r, err)
		return
	}
	body := formInt(r, "body_id")
	u, err := h.s.CreateUnit(r.Context(), principal(r), org.UnitInput{BodyID: body, Kind: org.UnitKind(r.PostFormValue("kind")),
		Code: r.PostFormValue("code"), Name: r.PostFormValue("name")})
	if err != nil {
		h.showBody(w, r, body, err)
		return
	}
	page.Done(w, r, unitURL(u.ID), "created")
}

func (h *handlers) updateUnit(w http.ResponseWriter, r *http.Request) {
	id := page.PathID(r)
	if err := page.ParseForm(w, r); err != nil {
		h.showUnit(w, r, id, err)
		return
	}
	sent := &sentUnit{base: formInt(r, "version"), edit: org.UnitInput{Kind: org.UnitKind(r.PostFormValue("kind")),
		Code: r.PostFormValue("code"), Name: r.PostFormValue("name")}}
	if _, err := h.s.UpdateUnit(r.Context(), principal(r), id, sent.base, sent.edit); err != nil {
		h.showUnitEdit(w, r, id, err, sent)
		return
	}
	page.Done(w, r, unitURL(id), "saved")
}

func (h *handlers) setHead(w http.ResponseWriter, r *http.Request) {
	id := page.PathID(r)
	if err := page.ParseForm(w, r); err != nil {
		h.showUnit(w, r, id, err)
		return
	}
	if _, err := h.s.SetUnitHead(r.Context(), principal(r), id, formInt(r, "version"), formInt(r, "staff_id")); err != nil {
		h.showUnit(w, r, id, err)
		return
	}
	page.Done(w, r, unitURL(id), "saved")
}

func (h *handlers) unitActive(w http.ResponseWriter, r *http.Request) {
	id := page.PathID(r)
	if err := page.ParseForm(w, r); err != nil {
		h.showUnit(w, r, id, err)
		return
	}
	active := r.PostFormValue("active") == "true"
	if err := confirmed(r, active); err != nil {
		h.showUnit(w, r, id, err)
		return
	}
	if _, err := h.s.SetUnitActive(r.Context(), principal(r), id, formInt(r, "version"), active); err != nil {
		h.showUnit(w, r, id, err)
		return
	}
	page.Done(w, r, unitURL(id), map[bool]string{true: "reactivated", false: "deactivated"}[active])
}

// unitChoice is a unit with its body's name, for selects.
type unitChoice struct {
	Unit     org.Unit
	BodyName string
}

// staffForm holds the choices of the staff forms.
type staffForm struct {
	Bodies []org.Body
	Units  []unitChoice
	Roles  []access.Role
}

func (h *handlers) loadStaffForm(r *http.Request) (staffForm, error) {
	p := principal(r)
	bodies, err := h.s.Bodies(r.Context(), p, 0, false)
	if err != nil {
		return staffForm{}, err
	}
	f := staffForm{Bodies: bodies, Roles: access.AllRoles}
	for _, b := range bodies {
		us, err := h.s.Units(r.Context(), p, b.ID, false)
		if err != nil {
			return staffForm{}, err
		}
		for _, u := range us {
			f.Units = append(f.Units, unitChoice{Unit: u, BodyName: b.Name})
		}
	}
	return f, nil
}

// staffListPage: search results and the create form.
type staffListPage struct {
	Q, Role string
	Results []org.Staff
	Blank   org.Staff // the empty create form
	Names   map[int64]string
	Form    staffForm
}

func (h *handlers) showStaffList(w http.ResponseWriter, r *http.Request, failure error) {
	p := principal(r)
	q := org.StaffQuery{Text: r.URL.Query().Get("q"), Role: access.Role(r.URL.Query().Get("role")), IncludeInactive: true, Limit: 200}
	if b, err := strconv.ParseInt(r.URL.Query().Get("body"), 10, 64); err == nil {
		q.BodyID = b
	}
	if _, ok := access.ParseRole(string(q.Role)); !ok {
		q.Role = ""
	}
	res, err := h.s.SearchStaff(r.Context(), p, q)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	form, err := h.loadStaffForm(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Render(w, r, http.StatusOK, "staff_list", staffListPage{Q: q.Text, Role: string(q.Role), Results: res, Names: names(form.Bodies), Form: form}, failure)
}

func (h *handlers) staffList(w http.ResponseWriter, r *http.Request) { h.showStaffList(w, r, nil) }

func staffInput(r *http.Request) (org.StaffInput, error) {
	in := org.StaffInput{BodyID: formInt(r, "body_id"), UnitID: formInt(r, "unit_id"), Name: r.PostFormValue("name"),
		Phone: r.PostFormValue("phone"), IsHead: r.PostFormValue("is_head") == "true", IsLiaison: r.PostFormValue("is_liaison") == "true"}
	for _, v := range r.PostForm["roles"] {
		role, ok := access.ParseRole(v)
		if !ok {
			return in, apperr.Invalidf("roles", "orgweb.unknown_role", v)
		}
		in.Roles = append(in.Roles, role)
	}
	return in, nil
}

func (h *handlers) createStaff(w http.ResponseWriter, r *http.Request) {
	if err := page.ParseForm(w, r); err != nil {
		h.Fail(w, r, err)
		return
	}
	in, err := staffInput(r)
	if err == nil {
		var st org.Staff
		if st, err = h.s.CreateStaff(r.Context(), principal(r), in); err == nil {
			page.Done(w, r, staffURL(st.ID), "created")
			return
		}
	}
	h.showStaffList(w, r, err)
}

// staffPage: one staff member, the edit form and their certificates; Edit,
// Base and Conflict as in bodyPage.
type staffPage struct {
	Staff          org.Staff
	Edit           org.Staff
	Base           int64
	Conflict       []conflictRow
	Form           staffForm
	Qualifications []org.Qualification
}

func (h *handlers) showStaff(w http.ResponseWriter, r *http.Request, id int64, failure error) {
	h.showStaffEdit(w, r, id, failure, nil)
}

// sentStaff is a staff member's edit form as submitted.
type sentStaff struct {
	edit org.StaffInput
	base int64
}

// showStaffEdit is showBodyEdit for a staff member.
func (h *handlers) showStaffEdit(w http.ResponseWriter, r *http.Request, id int64, failure error, sent *sentStaff) {
	p := principal(r)
	st, err := h.s.Staff(r.Context(), p, id)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	form, err := h.loadStaffForm(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	qs, err := h.s.Qualifications(r.Context(), p, id)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	pg := staffPage{Staff: st, Edit: st, Base: st.Version, Form: form, Qualifications: qs}
	if sent != nil {
		in := sent.edit
		pg.Edit.BodyID, pg.Edit.UnitID, pg.Edit.Name, pg.Edit.Phone, pg.Edit.Roles = in.BodyID, in.UnitID, in.Name, in.Phone, in.Roles
		pg.Edit.IsHead, pg.Edit.IsLiaison, pg.Base = in.IsHead, in.IsLiaison, sent.base
		if apperr.IsStale(failure) {
			pg.Conflict, pg.Base = staffConflict(lang(r), form, pg.Edit, st), st.Version
		}
	}
	h.Render(w, r, http.StatusOK, "staff", pg, failure)
}

func (h *handlers) staff(w http.ResponseWriter, r *http.Request) {
	h.showStaff(w, r, page.PathID(r), nil)
}

func (h *handlers) updateStaff(w http.ResponseWriter, r *http.Request) {
	id := page.PathID(r)
	if err := page.ParseForm(w, r); err != nil {
		h.showStaff(w, r, id, err)
		return
	}
	in, err := staffInput(r)
	sent := &sentStaff{edit: in, base: formInt(r, "version")}
	if err == nil {
		if _, err = h.s.UpdateStaff(r.Context(), principal(r), id, sent.base, in); err == nil {
			page.Done(w, r, staffURL(id), "saved")
			return
		}
	}
	h.showStaffEdit(w, r, id, err, sent)
}

func (h *handlers) staffActive(w http.ResponseWriter, r *http.Request) {
	id := page.PathID(r)
	if err := page.ParseForm(w, r); err != nil {
		h.showStaff(w, r, id, err)
		return
	}
	active := r.PostFormValue("active") == "true"
	if err := confirmed(r, active); err != nil {
		h.showStaff(w, r, id, err)
		return
	}
	if _, err := h.s.SetStaffActive(r.Context(), principal(r), id, formInt(r, "version"), active); err != nil {
		h.showStaff(w, r, id, err)
		return
	}
	page.Done(w, r, staffURL(id), map[bool]string{true: "reactivated", false: "deactivated"}[active])
}

func (h *handlers) addQualification(w http.ResponseWriter, r *http.Request) {
	if err := page.ParseForm(w, r); err != nil {
		h.Fail(w, r, err)
		return
	}
	staff := formInt(r, "staff_id")
	_, err := h.s.AddQualification(r.Context(), principal(r), org.QualificationInput{StaffID: staff, CertNo: r.PostFormValue("cert_no"),
		Scope: r.PostFormValue("scope"), ValidFrom: r.PostFormValue("valid_from"), ValidTo: r.PostFormValue("valid_to")})
	if err != nil {
		h.showStaff(w, r, staff, err)
		return
	}
	page.Done(w, r, staffURL(staff), "saved")
}

func (h *handlers) revokeQualification(w http.ResponseWriter, r *http.Request) {
	if err := page.ParseForm(w, r); err != nil {
		h.Fail(w, r, err)
		return
	}
	q, err := h.s.RevokeQualification(r.Context(), principal(r), page.PathID(r), formInt(r, "version"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	page.Done(w, r, staffURL(q.StaffID), "saved")
}

// importPage: the upload form, then the result or every bad cell.
type importPage struct {
	Result *org.ImportResult
	Rows   []api.FieldError
}

func (h *handlers) importForm(w http.ResponseWriter, r *http.Request) {
	h.Render(w, r, http.StatusOK, "import", importPage{}, nil)
}

func (h *handlers) importFile(w http.ResponseWriter, r *http.Request) {
	name, data, err := readUpload(w, r)
	if err == nil {
		var res org.ImportResult
		if res, err = h.s.Import(r.Context(), principal(r), name, data); err == nil {
			h.Render(w, r, http.StatusOK, "import", importPage{Result: &res}, nil)
			return
		}
	}
	// Every bad cell goes into the table; the summary line says how many.
	_, body := api.Describe(r, err)
	pg := importPage{Rows: body.Errors}
	var list apperr.List
	if !errors.As(err, &list) {
		pg.Rows = nil
	}
	h.Render(w, r, http.StatusOK, "import", pg, err)
}
