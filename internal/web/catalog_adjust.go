package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/auth"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/msg"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

// catalogAdjRow is one line of the adjustments list.
type catalogAdjRow struct {
	ID        int64
	Title     string
	Stage     string
	Changes   int
	CreatedBy string
	Updated   string
	Due       string
	Late      bool
}

type catalogOption struct {
	Value, Label string
	Selected     bool
}

type catalogAdjustmentsPage struct {
	Stages   []catalogOption
	Rows     []catalogAdjRow
	CanDraft bool
}

var catalogStages = []catalog.Stage{catalog.StageDrafting, catalog.StageSigned, catalog.StageOfficeReviewed,
	catalog.StageApproved, catalog.StagePublished, catalog.StageReturned, catalog.StageWithdrawn}

func (s *Server) catalogAdjustments(w http.ResponseWriter, r *http.Request) {
	p := httpx.PrincipalFrom(r.Context())
	stage := catalog.Stage(r.URL.Query().Get("stage"))
	if stage != "" && stage.Zh() == "" {
		s.fail(w, r, apperr.Invalidf("stage", "web.unknown_stage"))
		return
	}
	as, err := s.deps.Catalog.Adjustments(r.Context(), p, catdb.AdjustmentFilter{Stage: stage})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := catalogAdjustmentsPage{CanDraft: p.Has(auth.RoleListLiaison) && !p.ReadOnly()}
	for _, st := range catalogStages {
		page.Stages = append(page.Stages, catalogOption{Value: string(st), Label: stageName(r, st), Selected: st == stage})
	}
	for _, a := range as {
		row := catalogAdjRow{ID: a.ID, Title: a.Title, Stage: stageName(r, a.Stage), Changes: len(a.Changes),
			CreatedBy: a.CreatedBy, Updated: when(a.UpdatedAt), Late: a.Late}
		if a.PublicationDue != nil && a.Stage == catalog.StageApproved {
			row.Due = when(*a.PublicationDue)
		}
		page.Rows = append(page.Rows, row)
	}
	s.render(w, r, http.StatusOK, "catalog_adjustments", page)
}

type catalogChangeRow struct {
	Kind     string
	BaseCode string
	Name     string
	Note     string
	Promised string
	Elements string // what the draft changes
}

// elementNames are the guide's names of the elements a change may touch.
var elementNames = msg.Catalogue("web.elementNames")

func elementList(r *http.Request, keys []string) string {
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k
		if elementNames.Has(k) {
			names[i] = elementNames.Text(httpx.LangFrom(r.Context()), k)
		}
	}
	return strings.Join(names, pick(r, "、", ", "))
}

type catalogTraceRow struct {
	At, Action, From, To, Actor, Role, Comment, Group string
}

type catalogActionButton struct {
	Kind, Group, Label string
	NeedsComment       bool
}

type catalogAdjustmentPage struct {
	A        catdb.Adjustment
	Stage    string
	Reason   string
	Bases    []string
	Changes  []catalogChangeRow
	Trace    []catalogTraceRow
	Actions  []catalogActionButton
	CanEdit  bool
	Due      string
	Error    string
	Problems []string
}

func (s *Server) catalogAdjustment(w http.ResponseWriter, r *http.Request) {
	id, err := catalogID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.showAdjustment(w, r, id, http.StatusOK, nil)
}

// showAdjustment renders the adjustment page, with the error of a refused
// step when there is one.
func (s *Server) showAdjustment(w http.ResponseWriter, r *http.Request, id int64, status int, stepErr error) {
	p := httpx.PrincipalFrom(r.Context())
	a, err := s.deps.Catalog.Adjustment(r.Context(), p, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := catalogAdjustmentPage{A: a, Stage: stageName(r, a.Stage), Reason: reasonName(r, a.Reason)}
	if a.PublicationDue != nil {
		page.Due = when(*a.PublicationDue)
	}
	for _, b := range a.Bases {
		page.Bases = append(page.Bases, strings.TrimSpace(b.Title+" "+b.DocNo+" "+day(b.Issued)))
	}
	changed, err := s.deps.Catalog.ChangedElements(r.Context(), p, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, c := range a.Changes {
		row := catalogChangeRow{Kind: pick(r, c.Kind.Zh(), string(c.Kind)), BaseCode: c.BaseCode, Name: c.Name, Note: c.Note,
			Elements: elementList(r, changed[c.BaseCode])}
		if c.Draft != nil {
			row.Promised = pick(r, c.Draft.PromisedLimit.Zh(), c.Draft.PromisedLimit.En())
		}
		page.Changes = append(page.Changes, row)
	}
	for _, t := range a.Trace {
		page.Trace = append(page.Trace, catalogTraceRow{At: when(t.At), Action: actionName(r, t.Action, t.Group),
			From: stageName(r, t.From), To: stageName(r, t.To), Actor: t.Actor, Role: stepRoleName(r, t.Role), Comment: t.Comment})
	}
	if !p.ReadOnly() {
		allowed, err := s.deps.Catalog.Allowed(r.Context(), p, id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, act := range allowed {
			page.Actions = append(page.Actions, catalogActionButton{Kind: string(act.Kind), Group: string(act.Group),
				Label:        actionName(r, act.Kind, act.Group),
				NeedsComment: act.Kind == catalog.ActOfficeReturn || act.Kind == catalog.ActReformReturn})
		}
		page.CanEdit = p.Has(auth.RoleListLiaison) && p.BodyID == a.BodyID && p.UnitID == a.UnitID &&
			(a.Stage == catalog.StageDrafting || a.Stage == catalog.StageReturned) && len(a.Changes) == 1
	}
	if stepErr != nil {
		page.Error, page.Problems = describe(r, stepErr)
	}
	s.render(w, r, status, "catalog_adjustment", page)
}

// describe renders an error for a page: its message, and every field
// problem of a list.
func describe(r *http.Request, err error) (string, []string) {
	var l apperr.List
	if errors.As(err, &l) {
		var out []string
		for _, e := range l {
			out = append(out, e.Field+": "+e.Message(httpx.LangFrom(r.Context())))
		}
		return msg.Text(httpx.LangFrom(r.Context()), "web.problems", len(l)), out
	}
	_, body := api.Describe(r, err)
	if body.Field != "" {
		return body.Field + ": " + body.Message, nil
	}
	return body.Message, nil
}

func reasonName(r *http.Request, x catalog.Reason) string {
	return pick(r, map[catalog.Reason]string{catalog.LawMade: "法律法规制定", catalog.LawAmended: "法律法规修改",
		catalog.LawRepealed: "法律法规废止", catalog.LawInterpreted: "法律法规解释", catalog.InstitutionalReform: "机构改革和职能调整",
		catalog.OperatingExperience: "清单运行情况"}[x], strings.ReplaceAll(string(x), "_", " "))
}

func actionName(r *http.Request, k catalog.ActionKind, g catalog.ReformGroup) string {
	zh := map[catalog.ActionKind]string{catalog.ActDraft: "起草", catalog.ActSign: "单位负责人签字", catalog.ActOfficeApprove: "党政办初审通过",
		catalog.ActOfficeReturn: "党政办退回", catalog.ActGroupApprove: "改革办审核确认", catalog.ActReformReturn: "改革办退回",
		catalog.ActPublish: "公布", catalog.ActWithdraw: "撤回"}[k]
	en := strings.ReplaceAll(string(k), "_", " ")
	switch g {
	case catalog.PowerListGroup:
		zh, en = zh+"(权力清单组)", en+" (power list group)"
	case catalog.DutyListGroup:
		zh, en = zh+"(责任清单组)", en+" (duty list group)"
	}
	return pick(r, zh, en)
}

func stepRoleName(r *http.Request, role string) string {
	return pick(r, map[string]string{"list_liaison": "清单联络员", "unit_head": "单位负责人", "general_office": "党政办",
		"reform_office": "改革办"}[role], strings.ReplaceAll(role, "_", " "))
}

func (s *Server) catalogAct(w http.ResponseWriter, r *http.Request) {
	id, ok := s.postedID(w, r)
	if !ok {
		return
	}
	act := catalog.Action{Kind: catalog.ActionKind(r.PostFormValue("kind")), Group: catalog.ReformGroup(r.PostFormValue("group")),
		Comment: r.PostFormValue("comment")}
	if _, err := s.deps.Catalog.Act(r.Context(), httpx.PrincipalFrom(r.Context()), id, formVersion(r), act); err != nil {
		status, _ := api.Describe(r, err)
		var l apperr.List
		if errors.As(err, &l) {
			status = http.StatusBadRequest
		}
		if status >= http.StatusInternalServerError {
			s.fail(w, r, err)
			return
		}
		s.showAdjustment(w, r, id, status, err)
		return
	}
	s.redirect(w, r, fmt.Sprintf("/catalog/adjustments/%d", id))
}

// ---- the draft form ----

type catalogMaterialRow struct {
	Name, Necessity, Kind, Form, Source string
	Count                               int
}

type catalogForm struct {
	ID int64
	// Version is the version of the adjustment the edit is based on; after
	// a stale edit the current one, with Conflict listing what was sent
	// beside what is stored (catalog_conflict.go).
	Version         int64
	Conflict        []conflictRow
	Title           string
	Reasons         []catalogOption
	BasisTitle      string
	BasisDocNo      string
	BasisIssued     string
	Kinds           []catalogOption
	BaseCode        string
	Note            string
	Name            string
	Categories      []catalogOption
	Unit            string
	Conditions      string
	PromisedValue   int
	PromisedUnits   []catalogOption
	CaseTypes       []catalogOption
	Visits          int
	ConsultPhone    string
	ComplaintOffice string
	ComplaintPhone  string
	Hours           string
	Address         string
	Materials       []catalogMaterialRow
	Necessities     []string
	MaterialKinds   []string
	MaterialForms   []string
	Sources         []string
	Elements        string
	Error           string
	Problems        []string
}

var (
	catalogReasons = []catalog.Reason{catalog.LawMade, catalog.LawAmended, catalog.LawRepealed, catalog.LawInterpreted,
		catalog.InstitutionalReform, catalog.OperatingExperience}
	catalogKinds = []catalog.AdjustmentKind{catalog.AddItem, catalog.ChangeItem, catalog.SuspendItem, catalog.ReenableItem, catalog.CancelItem}
)

// formOf fills the form from an adjustment proposal (its first change).
func formOf(r *http.Request, in catdb.AdjustmentInput) catalogForm {
	f := catalogForm{Title: in.Title, Necessities: []string{string(catalog.Required), string(catalog.Optional), string(catalog.Deferrable)},
		MaterialKinds: []string{string(catalog.Original), string(catalog.Copy), string(catalog.OriginalAndCopy)},
		MaterialForms: []string{string(catalog.Paper), string(catalog.Electronic), string(catalog.PaperAndElectronic)},
		Sources:       []string{string(catalog.FromApplicant), string(catalog.FromGovernment), string(catalog.FromOther)}}
	for _, x := range catalogReasons {
		f.Reasons = append(f.Reasons, catalogOption{Value: string(x), Label: reasonName(r, x), Selected: x == in.Reason})
	}
	if len(in.Bases) > 0 {
		f.BasisTitle, f.BasisDocNo, f.BasisIssued = in.Bases[0].Title, in.Bases[0].DocNo, day(in.Bases[0].Issued)
	}
	var c catalog.Change
	if len(in.Changes) > 0 {
		c = in.Changes[0]
	}
	for _, k := range catalogKinds {
		f.Kinds = append(f.Kinds, catalogOption{Value: string(k), Label: pick(r, k.Zh(), string(k)), Selected: k == c.Kind})
	}
	f.BaseCode, f.Note = c.BaseCode, c.Note
	d := catalog.ItemVersion{}
	if c.Draft != nil {
		d = c.Draft.Clone()
	}
	f.Name, f.Unit, f.Conditions = d.Name, d.Unit, strings.Join(d.Conditions, "\n")
	for _, info := range catalog.Categories {
		f.Categories = append(f.Categories, catalogOption{Value: string(info.Category), Label: pick(r, info.Zh, info.En), Selected: info.Category == d.Category})
	}
	f.PromisedValue = d.PromisedLimit.Value
	for _, u := range []catalog.TimeUnit{catalog.WorkingDays, catalog.NaturalDays, catalog.Hours} {
		f.PromisedUnits = append(f.PromisedUnits, catalogOption{Value: string(u), Label: pick(r, u.Zh(), strings.ReplaceAll(string(u), "_", " ")), Selected: u == d.PromisedLimit.Unit})
	}
	for _, ct := range []catalog.CaseType{catalog.Promised, catalog.Instant} {
		f.CaseTypes = append(f.CaseTypes, catalogOption{Value: string(ct), Label: pick(r, map[catalog.CaseType]string{catalog.Promised: "承诺件", catalog.Instant: "即办件"}[ct], string(ct)), Selected: ct == d.CaseType})
	}
	f.Visits, f.ConsultPhone, f.ComplaintOffice, f.ComplaintPhone, f.Hours, f.Address = d.Visits, d.ConsultPhone, d.ComplaintOffice, d.ComplaintPhone, d.Hours, d.Address
	for _, m := range d.Materials {
		f.Materials = append(f.Materials, catalogMaterialRow{Name: m.Name, Necessity: string(m.Necessity), Kind: string(m.Kind),
			Form: string(m.Form), Source: string(m.Source), Count: m.Count})
	}
	// Two empty rows to add materials without JavaScript.
	f.Materials = append(f.Materials, catalogMaterialRow{Count: 1}, catalogMaterialRow{Count: 1})
	// The elements the form does not show (legal bases, steps, fees, duties,
	// online capabilities …) travel as JSON, edited in place.
	rest := d.Clone()
	rest.Materials, rest.Conditions = nil, nil
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if enc.Encode(rest) == nil {
		f.Elements = buf.String()
	}
	return f
}

// inputOf reads the posted form into a proposal; bad values are field errors.
func inputOf(r *http.Request) (catdb.AdjustmentInput, error) {
	v := r.PostForm
	in := catdb.AdjustmentInput{Title: v.Get("title"), Reason: catalog.Reason(v.Get("reason"))}
	var problems apperr.List
	if t := strings.TrimSpace(v.Get("basis_title")); t != "" || v.Get("basis_issued") != "" {
		b := catalog.BasisDocument{Title: t, DocNo: strings.TrimSpace(v.Get("basis_doc_no"))}
		if s := strings.TrimSpace(v.Get("basis_issued")); s != "" {
			d, err := time.ParseInLocation(time.DateOnly, s, calendar.DefaultLocation)
			if err != nil {
				problems = append(problems, apperr.Invalidf("bases[0].issued", "web.the_date_must_look_like_2026"))
			}
			b.Issued = d
		}
		in.Bases = append(in.Bases, b)
	}
	c := catalog.Change{Kind: catalog.AdjustmentKind(v.Get("kind")), BaseCode: strings.TrimSpace(v.Get("base_code")), Note: v.Get("note")}
	if c.Kind == catalog.AddItem || c.Kind == catalog.ChangeItem {
		var d catalog.ItemVersion
		if s := strings.TrimSpace(v.Get("elements")); s != "" {
			dec := json.NewDecoder(strings.NewReader(s))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&d); err != nil {
				problems = append(problems, apperr.Invalidf("elements", "web.the_other_elements_are_not_valid", err.Error()))
			} else if err := api.CheckText([]byte(s), "elements"); err != nil {
				problems = append(problems, apperr.As(err))
			}
		}
		num := func(field string) int {
			n, err := strconv.Atoi(strings.TrimSpace(v.Get(field)))
			if err != nil {
				problems = append(problems, apperr.Invalidf(field, "web.must_be_a_whole_number"))
			}
			return n
		}
		d.BaseCode, d.Name, d.Category, d.Unit = c.BaseCode, strings.TrimSpace(v.Get("name")), catalog.Category(v.Get("category")), strings.TrimSpace(v.Get("unit"))
		d.Conditions = nil
		for _, line := range strings.Split(v.Get("conditions"), "\n") {
			if line = strings.TrimSpace(line); line != "" {
				d.Conditions = append(d.Conditions, line)
			}
		}
		d.PromisedLimit = catalog.TimeLimit{Value: num("promised_value"), Unit: catalog.TimeUnit(v.Get("promised_unit"))}
		d.CaseType, d.Visits = catalog.CaseType(v.Get("case_type")), num("visits")
		d.ConsultPhone, d.ComplaintOffice, d.ComplaintPhone = strings.TrimSpace(v.Get("consult_phone")), strings.TrimSpace(v.Get("complaint_office")), strings.TrimSpace(v.Get("complaint_phone"))
		d.Hours, d.Address = strings.TrimSpace(v.Get("hours")), strings.TrimSpace(v.Get("address"))
		d.Materials = nil
		names := v["mat_name"]
		for i, name := range names {
			if name = strings.TrimSpace(name); name == "" {
				continue
			}
			at := func(k string) string {
				if i < len(v[k]) {
					return v[k][i]
				}
				return ""
			}
			n, err := strconv.Atoi(strings.TrimSpace(at("mat_count")))
			if err != nil {
				problems = append(problems, apperr.Invalidf(fmt.Sprintf("materials[%d].count", len(d.Materials)), "web.the_count_must_be_a_whole"))
			}
			d.Materials = append(d.Materials, catalog.Material{Name: name, Necessity: catalog.Necessity(at("mat_necessity")),
				Kind: catalog.MaterialKind(at("mat_kind")), Count: n, Form: catalog.MaterialForm(at("mat_form")), Source: catalog.Source(at("mat_source"))})
		}
		d.Status = catalog.StatusDraft
		c.Draft, c.Name = &d, d.Name
	} else {
		c.Name = strings.TrimSpace(v.Get("name"))
	}
	in.Changes = []catalog.Change{c}
	if len(problems) > 0 {
		return in, problems
	}
	return in, nil
}

func (s *Server) catalogNewForm(w http.ResponseWriter, r *http.Request) {
	in := catdb.AdjustmentInput{Changes: []catalog.Change{{Kind: catalog.AdjustmentKind(r.URL.Query().Get("kind"))}}}
	if in.Changes[0].Kind == "" {
		in.Changes[0].Kind = catalog.AddItem
	}
	if v := r.URL.Query().Get("item"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			s.fail(w, r, apperr.Invalidf("item", "web.not_a_valid_item_id"))
			return
		}
		d, err := s.deps.Catalog.ItemByID(r.Context(), id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		// Staff see only their jurisdiction's items.
		path, err := s.deps.Catalog.PathOf(r.Context(), "item", id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if !httpx.PrincipalFrom(r.Context()).Covers(path) {
			s.fail(w, r, apperr.Forbiddenf("web.not_in_your_jurisdiction"))
			return
		}
		draft := d.Current.ItemVersion.Clone()
		// The new version takes effect when published unless a date is set.
		draft.ValidFrom, draft.Version, draft.Status = time.Time{}, 0, catalog.StatusDraft
		draft.PublishedAt, draft.ValidTo, draft.ContentHash = nil, nil, ""
		in.Changes[0].BaseCode, in.Changes[0].Name, in.Changes[0].Draft = d.Item.BaseCode, d.Item.Name, &draft
	}
	s.render(w, r, http.StatusOK, "catalog_form", formOf(r, in))
}

func (s *Server) catalogCreate(w http.ResponseWriter, r *http.Request) {
	if err := s.parseLargeForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	in, err := inputOf(r)
	var a catdb.Adjustment
	if err == nil {
		a, err = s.deps.Catalog.CreateAdjustment(r.Context(), httpx.PrincipalFrom(r.Context()), in)
	}
	if err != nil {
		s.formError(w, r, 0, in, err)
		return
	}
	s.redirect(w, r, fmt.Sprintf("/catalog/adjustments/%d", a.ID))
}

func (s *Server) catalogEditForm(w http.ResponseWriter, r *http.Request) {
	id, err := catalogID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := s.deps.Catalog.Adjustment(r.Context(), httpx.PrincipalFrom(r.Context()), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := formOf(r, catdb.AdjustmentInput{Title: a.Title, Reason: a.Reason, Bases: a.Bases, Changes: a.Changes})
	f.ID, f.Version = id, a.Version
	s.render(w, r, http.StatusOK, "catalog_form", f)
}

func (s *Server) catalogUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := catalogID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.parseLargeForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	in, err := inputOf(r)
	if err == nil {
		_, err = s.deps.Catalog.UpdateAdjustment(r.Context(), httpx.PrincipalFrom(r.Context()), id, formVersion(r), in)
	}
	if err != nil {
		s.formError(w, r, id, in, err)
		return
	}
	s.redirect(w, r, fmt.Sprintf("/catalog/adjustments/%d", id))
}

// formError shows the form again with what was entered and every problem.
func (s *Server) formError(w http.ResponseWriter, r *http.Request, id int64, in catdb.AdjustmentInput, err error) {
	status, _ := api.Describe(r, err)
	var l apperr.List
	if errors.As(err, &l) {
		status = http.StatusBadRequest
	}
	if status >= http.StatusInternalServerError {
		s.fail(w, r, err)
		return
	}
	f := formOf(r, in)
	f.ID, f.Version = id, formVersion(r)
	f.Elements = r.PostFormValue("elements")
	f.Error, f.Problems = describe(r, err)
	if apperr.IsStale(err) {
		cur, cerr := s.deps.Catalog.Adjustment(r.Context(), httpx.PrincipalFrom(r.Context()), id)
		if cerr != nil {
			s.fail(w, r, cerr)
			return
		}
		stored := formOf(r, catdb.AdjustmentInput{Title: cur.Title, Reason: cur.Reason, Bases: cur.Bases, Changes: cur.Changes})
		f.Conflict, f.Version = s.formConflict(r, f, stored), cur.Version
	}
	s.render(w, r, status, "catalog_form", f)
}

// maxCatalogForm bounds a draft form: an item's elements are larger than the
// shell's small forms.
const maxCatalogForm = 512 << 10

func (s *Server) parseLargeForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxCatalogForm)
	if err := r.ParseForm(); err != nil {
		e := s.errorf(apperr.Invalid, "", "form.unreadable")
		e.Err = err
		return e
	}
	return nil
}
