package catweb

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/apperr"
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
	Next      string // who must act next, by name and role
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

func (h *handlers) catalogAdjustments(w http.ResponseWriter, r *http.Request) {
	p := httpx.PrincipalFrom(r.Context())
	stage := catalog.Stage(r.URL.Query().Get("stage"))
	if stage != "" && !stage.Known() {
		h.fail(w, r, apperr.Invalidf("stage", "catweb.unknown_stage"))
		return
	}
	as, err := h.svc.Adjustments(r.Context(), p, catdb.AdjustmentFilter{Stage: stage})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var actors []string
	for _, a := range as {
		actors = append(actors, a.CreatedBy)
	}
	names, err := h.svc.ActorNames(r.Context(), actors)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	page := catalogAdjustmentsPage{CanDraft: p.Has(access.RoleListLiaison) && !p.ReadOnly()}
	for _, st := range catalogStages {
		page.Stages = append(page.Stages, catalogOption{Value: string(st), Label: stageName(r, st), Selected: st == stage})
	}
	for _, a := range as {
		row := catalogAdjRow{ID: a.ID, Title: a.Title, Stage: stageName(r, a.Stage), Changes: len(a.Changes),
			CreatedBy: nameOf(names, a.CreatedBy), Updated: when(a.UpdatedAt), Late: a.Late}
		if a.PublicationDue != nil && a.Stage == catalog.StageApproved {
			row.Due = when(*a.PublicationDue)
		}
		ws, err := h.svc.NextActors(r.Context(), a)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		row.Next = waitingWords(httpx.LangFrom(r.Context()), ws)
		page.Rows = append(page.Rows, row)
	}
	h.Render(w, r, http.StatusOK, "adjustments", page, nil)
}

type catalogChangeRow struct {
	Kind     string
	BaseCode string
	Name     string
	Note     string
	Promised string
	Elements string // what the draft changes
	// Diff is every changed element, the version the draft was written
	// against beside the draft (C3: reviewers see what they approve).
	Diff []diffRow
	New  bool // an added item: no old side
}

// diffRow is one changed element side by side; a line only on one side is
// marked Changed.
type diffRow struct {
	Label    string
	Old, New []catalog.Line
}

// diffRows lays out the elements in which draft differs from base.
func diffRows(r *http.Request, base, draft catalog.ItemVersion) ([]diffRow, error) {
	changes, err := catalog.Compare(base, draft, httpx.LangFrom(r.Context()) == httpx.LangEn)
	if err != nil {
		return nil, err
	}
	out := make([]diffRow, 0, len(changes))
	for _, c := range changes {
		old, now := c.Marked()
		out = append(out, diffRow{Label: pick(r, c.Zh, c.En), Old: old, New: now})
	}
	return out, nil
}

// nameOf is the person an actor of a trace names, or the actor as
// recorded when no one is found.
func nameOf(names map[string]string, actor string) string {
	if n, ok := names[actor]; ok {
		return n
	}
	return actor
}

// elementNames are the guide's names of the elements a change may touch.
var elementNames = msg.Catalogue("catweb.elementNames")

func elementList(r *http.Request, keys []string) string {
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k
		if elementNames.Has(k) {
			names[i] = elementNames.Text(string(httpx.LangFrom(r.Context())), k)
		}
	}
	return strings.Join(names, msg.Text(httpx.LangFrom(r.Context()), "catweb.list_separator"))
}

type catalogTraceRow struct {
	At, Action, From, To, Actor, Role, Comment, Group string
}

type catalogActionButton struct {
	Kind, Group, Label string
	// Return sends the proposal back: a distinct action, with its reason
	// required (C3).
	Return bool
	// Withdraw is the proposer's own end of it.
	Withdraw bool
}

type catalogAdjustmentPage struct {
	A         catdb.Adjustment
	Stage     string
	Reason    string
	Bases     []string
	Changes   []catalogChangeRow
	Trace     []catalogTraceRow
	Actions   []catalogActionButton
	Returns   []catalogActionButton
	CreatedBy string
	CanEdit   bool
	Due       string
	Error     string
	Problems  []string
	Next      string // who must act next, by name and role
}

func (h *handlers) catalogAdjustment(w http.ResponseWriter, r *http.Request) {
	id, err := catalogID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.showAdjustment(w, r, id, http.StatusOK, nil)
}

// showAdjustment renders the adjustment page, with the error of a refused
// step when there is one.
func (h *handlers) showAdjustment(w http.ResponseWriter, r *http.Request, id int64, status int, stepErr error) {
	p := httpx.PrincipalFrom(r.Context())
	a, err := h.svc.Adjustment(r.Context(), p, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	page := catalogAdjustmentPage{A: a, Stage: stageName(r, a.Stage), Reason: reasonName(r, a.Reason)}
	ws, err := h.svc.NextActors(r.Context(), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	page.Next = waitingWords(httpx.LangFrom(r.Context()), ws)
	if a.PublicationDue != nil {
		page.Due = when(*a.PublicationDue)
	}
	for _, b := range a.Bases {
		page.Bases = append(page.Bases, strings.TrimSpace(b.Title+" "+b.DocNo+" "+day(b.Issued)))
	}
	changed, err := h.svc.ChangedElements(r.Context(), p, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	bases, err := h.svc.DraftBases(r.Context(), p, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, c := range a.Changes {
		row := catalogChangeRow{Kind: c.Kind.In(httpx.LangFrom(r.Context())), BaseCode: c.BaseCode, Name: c.Name, Note: c.Note,
			Elements: elementList(r, changed[c.BaseCode])}
		if c.Draft != nil {
			row.Promised = c.Draft.PromisedLimit.In(httpx.LangFrom(r.Context()))
			base, ok := bases[c.BaseCode]
			row.New = !ok
			if row.Diff, err = diffRows(r, base, *c.Draft); err != nil {
				h.fail(w, r, err)
				return
			}
		}
		page.Changes = append(page.Changes, row)
	}
	actors := []string{a.CreatedBy}
	for _, t := range a.Trace {
		actors = append(actors, t.Actor)
	}
	names, err := h.svc.ActorNames(r.Context(), actors)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	page.CreatedBy = nameOf(names, a.CreatedBy)
	for _, t := range a.Trace {
		page.Trace = append(page.Trace, catalogTraceRow{At: when(t.At), Action: actionName(r, t.Action, t.Group),
			From: stageName(r, t.From), To: stageName(r, t.To), Actor: nameOf(names, t.Actor), Role: stepRoleName(r, t.Role), Comment: t.Comment})
	}
	if !p.ReadOnly() {
		allowed, err := h.svc.Allowed(r.Context(), p, id)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, act := range allowed {
			b := catalogActionButton{Kind: string(act.Kind), Group: string(act.Group), Label: actionName(r, act.Kind, act.Group),
				Return: act.Kind == catalog.ActOfficeReturn || act.Kind == catalog.ActReformReturn, Withdraw: act.Kind == catalog.ActWithdraw}
			if b.Return || b.Withdraw {
				page.Returns = append(page.Returns, b)
			} else {
				page.Actions = append(page.Actions, b)
			}
		}
		page.CanEdit = p.Has(access.RoleListLiaison) && p.BodyID == a.BodyID && p.UnitID == a.UnitID &&
			(a.Stage == catalog.StageDrafting || a.Stage == catalog.StageReturned) && len(a.Changes) == 1
	}
	if stepErr != nil {
		page.Error, page.Problems = describe(r, stepErr)
	}
	h.Render(w, r, status, "adjustment", page, nil)
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
		return msg.Text(string(httpx.LangFrom(r.Context())), "catweb.problems", len(l)), out
	}
	_, body := api.Describe(r, err)
	if body.Field != "" {
		return body.Field + ": " + body.Message, nil
	}
	return body.Message, nil
}

func reasonName(r *http.Request, x catalog.Reason) string {
	return msg.Name(httpx.LangFrom(r.Context()), "catweb.reason", string(x))
}

func actionName(r *http.Request, k catalog.ActionKind, g catalog.ReformGroup) string {
	lang := httpx.LangFrom(r.Context())
	name := msg.Name(lang, "catweb.action", string(k))
	if g == catalog.PowerListGroup || g == catalog.DutyListGroup {
		return msg.Text(lang, "catweb.actiongroup."+string(g), name)
	}
	return name
}

func stepRoleName(r *http.Request, role string) string {
	if !msg.Has("catweb.steprole." + role) {
		return strings.ReplaceAll(role, "_", " ")
	}
	return msg.Name(httpx.LangFrom(r.Context()), "catweb.steprole", role)
}

func (h *handlers) catalogAct(w http.ResponseWriter, r *http.Request) {
	id, ok := h.postedID(w, r)
	if !ok {
		return
	}
	act := catalog.Action{Kind: catalog.ActionKind(r.PostFormValue("kind")), Group: catalog.ReformGroup(r.PostFormValue("group")),
		Comment: r.PostFormValue("comment")}
	if _, err := h.svc.Act(r.Context(), httpx.PrincipalFrom(r.Context()), id, formVersion(r), act); err != nil {
		status := refusedStatus(r, err)
		if status >= http.StatusInternalServerError {
			h.fail(w, r, err)
			return
		}
		h.showAdjustment(w, r, id, status, err)
		return
	}
	redirect(w, r, fmt.Sprintf("/catalog/adjustments/%d", id))
}

// ---- the draft form (catalog_form.go) ----

var (
	catalogReasons = []catalog.Reason{catalog.LawMade, catalog.LawAmended, catalog.LawRepealed, catalog.LawInterpreted,
		catalog.InstitutionalReform, catalog.OperatingExperience}
	catalogKinds = []catalog.AdjustmentKind{catalog.AddItem, catalog.ChangeItem, catalog.SuspendItem, catalog.ReenableItem, catalog.CancelItem}
)

// showForm renders the draft form with its rows numbered and choices filled.
func (h *handlers) showForm(w http.ResponseWriter, r *http.Request, status int, f catalogForm) {
	h.finish(r, &f)
	h.Render(w, r, status, "form", f, nil)
}

func (h *handlers) catalogNewForm(w http.ResponseWriter, r *http.Request) {
	in := catdb.AdjustmentInput{Reason: catalog.OperatingExperience, Changes: []catalog.Change{{Kind: catalog.AdjustmentKind(r.URL.Query().Get("kind"))}}}
	if in.Changes[0].Kind == "" {
		in.Changes[0].Kind = catalog.AddItem
	}
	if v := r.URL.Query().Get("item"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			h.fail(w, r, apperr.Invalidf("item", "catweb.not_a_valid_item_id"))
			return
		}
		d, err := h.svc.ItemByID(r.Context(), id)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		// Staff see only their jurisdiction's items.
		path, err := h.svc.PathOf(r.Context(), "item", id)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if !httpx.PrincipalFrom(r.Context()).Covers(path) {
			h.fail(w, r, apperr.Forbiddenf("catweb.not_in_your_jurisdiction"))
			return
		}
		draft := d.Current.ItemVersion.Clone()
		// The new version takes effect when published unless a date is set.
		draft.ValidFrom, draft.Version, draft.Status = time.Time{}, 0, catalog.StatusDraft
		draft.PublishedAt, draft.ValidTo, draft.ContentHash = nil, nil, ""
		k := in.Changes[0].Kind
		in.Title = msg.Text(httpx.LangFrom(r.Context()), "catweb.adjustment_title", k, d.Item.Name)
		in.Changes[0].BaseCode, in.Changes[0].Name = d.Item.BaseCode, d.Item.Name
		if k == catalog.AddItem || k == catalog.ChangeItem {
			in.Changes[0].Draft = &draft
		}
	}
	f := formOf(in)
	if in.Changes[0].Kind == catalog.AddItem && in.Changes[0].Draft == nil {
		// A new item is implemented by the proposer's body: its name and
		// codes as the body's listed items give them.
		p := httpx.PrincipalFrom(r.Context())
		items, err := h.svc.Items(r.Context(), p, p.BodyID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, it := range items {
			if it.Standing != catalog.Listed {
				continue
			}
			d, err := h.svc.ItemByID(r.Context(), it.ID)
			if err != nil {
				h.fail(w, r, err)
				return
			}
			b := d.Current.Body
			f.BodyName, f.BodyCode, f.BodyNature, f.BodyLevel = b.Name, b.CreditCode, string(b.Nature), string(b.Level)
			break
		}
	}
	h.showForm(w, r, http.StatusOK, f)
}

func (h *handlers) catalogCreate(w http.ResponseWriter, r *http.Request) {
	h.saveForm(w, r, 0)
}

func (h *handlers) catalogEditForm(w http.ResponseWriter, r *http.Request) {
	id, err := catalogID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	a, err := h.svc.Adjustment(r.Context(), httpx.PrincipalFrom(r.Context()), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := formOf(catdb.AdjustmentInput{Title: a.Title, Reason: a.Reason, Bases: a.Bases, Changes: a.Changes})
	f.ID, f.Version = id, a.Version
	h.showForm(w, r, http.StatusOK, f)
}

func (h *handlers) catalogUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := catalogID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.saveForm(w, r, id)
}

// saveForm creates (id 0) or updates adjustment id from the posted form;
// an "add a row" button shows the form again with the row, saving nothing.
func (h *handlers) saveForm(w http.ResponseWriter, r *http.Request, id int64) {
	if err := parseLargeForm(w, r); err != nil {
		h.fail(w, r, err)
		return
	}
	f, err := postedForm(r.PostForm)
	f.ID, f.Version = id, formVersion(r)
	if add := r.PostFormValue("add"); add != "" && err == nil {
		f.addRow(add)
		h.showForm(w, r, http.StatusOK, f)
		return
	}
	var in catdb.AdjustmentInput
	if err == nil {
		in, err = f.input()
	}
	var a catdb.Adjustment
	if err == nil {
		p := httpx.PrincipalFrom(r.Context())
		if id == 0 {
			a, err = h.svc.CreateAdjustment(r.Context(), p, in)
		} else {
			a, err = h.svc.UpdateAdjustment(r.Context(), p, id, f.Version, in)
		}
	}
	if err != nil {
		h.formError(w, r, f, err)
		return
	}
	redirect(w, r, fmt.Sprintf("/catalog/adjustments/%d", a.ID))
}

// formError shows the form again with what was entered and every problem
// beside its control.
func (h *handlers) formError(w http.ResponseWriter, r *http.Request, f catalogForm, err error) {
	status := refusedStatus(r, err)
	if status >= http.StatusInternalServerError {
		h.fail(w, r, err)
		return
	}
	h.explain(r, &f, err)
	if apperr.IsStale(err) {
		cur, cerr := h.svc.Adjustment(r.Context(), httpx.PrincipalFrom(r.Context()), f.ID)
		if cerr != nil {
			h.fail(w, r, cerr)
			return
		}
		stored := formOf(catdb.AdjustmentInput{Title: cur.Title, Reason: cur.Reason, Bases: cur.Bases, Changes: cur.Changes})
		f.Conflict, f.Version = h.formConflict(r, f, stored), cur.Version
	}
	h.showForm(w, r, status, f)
}

// maxCatalogForm bounds a draft form: an item's elements are larger than the
// shell's small forms.
const maxCatalogForm = 512 << 10

// parseLargeForm reads a draft form, within its own limit (page.ParseForm's
// is the small forms').
func parseLargeForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxCatalogForm)
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("form", "catweb.the_form_cannot_be_read")
	}
	return nil
}

// refusedStatus is the status of a refused action answered on its own page:
// the one error table's, and 400 for a list of field problems.
func refusedStatus(r *http.Request, err error) int {
	status, _ := api.Describe(r, err)
	var l apperr.List
	if errors.As(err, &l) {
		status = http.StatusBadRequest
	}
	return status
}
