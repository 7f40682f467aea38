package caseworkweb

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
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
	"github.com/qingdan/qingdan/internal/ident"
	"github.com/qingdan/qingdan/internal/web/httpx"
	"github.com/qingdan/qingdan/internal/web/page"
)

// The case pages (issue #14 items 2, 3, 4, 6): the window console, a
// case's page with the actions its step offers, the unit's inbox with bulk
// actions, and the public's online application and follow-up. They work
// without JavaScript: every action is a form posted back, answered by a
// redirect (or, for a refusal, the same page with the field-named errors).

//go:embed templates/*.html
var templateFS embed.FS

var pageNames = []string{"error", "window", "registered", "inbox", "case", "apply", "applied", "follow", "posts"}

// cst is China Standard Time, the users' clock whatever the server's zone.
var cst = time.FixedZone("CST", 8*3600)

// PageOptions wire the pages.
type PageOptions struct {
	// Frame puts pages into the site's layout (*web.Frame).
	Frame page.Frame
	// Documents lists a case's issued documents on its page and on the
	// portal (documentweb.Links); none are listed when nil.
	Documents Documents
	// Attachments lists a case's files on its page and takes its upload
	// form (attachweb.CaseFiles); without it the page has neither.
	Attachments Attachments
	// MaxUpload bounds the upload form's body (attachweb.MaxUpload).
	MaxUpload int64
}

// Attachments are a case's files (issue #15 item 3): listed for staff who
// see the case, added by those who act on it from a multipart form.
type Attachments interface {
	ForCase(ctx context.Context, p access.Principal, number string) ([]AttachmentLink, error)
	Attach(ctx context.Context, p access.Principal, number string, r *http.Request) error
}

// AttachmentLink is a case's file as its page lists it.
type AttachmentLink struct {
	ID                   int64
	Slot, Name, Size     string
	Kind, SHA256         string
	AddedBy              string
	AddedAt              time.Time
	Replaces, ReplacedBy int64
	URL                  string
}

// Documents lists the documents issued for a case (H4), for staff and
// for the applicant holding the query code (only theirs, masked: L7).
type Documents interface {
	ForStaff(ctx context.Context, p access.Principal, number string) ([]DocumentLink, error)
	ForApplicant(ctx context.Context, number, code string) ([]DocumentLink, error)
}

// DocumentLink is an issued document as the case pages list it.
type DocumentLink struct {
	ID                   int64
	Number, Kind, Zh, En string
	IssuedOn             string
	Sealed               bool
	Replaces, ReplacedBy string
	Page, PDF, Correct   string // URLs
	CanCorrect           bool
}

// Title is the document's title in lang.
func (l DocumentLink) Title(lang string) string {
	if lang == httpx.LangEn && l.En != "" {
		return l.En
	}
	return l.Zh
}

type pages struct {
	*page.Kit
	svc    *caseworkdb.Service
	docs   Documents
	attach Attachments
}

// PageRoutes returns the case pages with their policies.
func PageRoutes(svc *caseworkdb.Service, o PageOptions) ([]httpx.Route, error) {
	if svc == nil || o.Frame == nil {
		return nil, fmt.Errorf("caseworkweb: PageRoutes needs the service and a frame")
	}
	ps, err := page.Parse(templateFS, messages, funcs, pageNames...)
	if err != nil {
		return nil, fmt.Errorf("caseworkweb: templates: %w", err)
	}
	h := &pages{Kit: &page.Kit{Frame: o.Frame, Pages: ps, Messages: messages, What: "case page"}, svc: svc, docs: o.Documents, attach: o.Attachments}
	scope := func(r *http.Request) (string, error) { return svc.BodyPath(r.Context(), r.PathValue("number")) }
	window := []access.Role{access.RoleWindow}
	pub := httpx.Policy{Public: true}
	pubWrite := httpx.Policy{Public: true, Write: true}
	routes := []httpx.Route{
		{Pattern: "GET /cases/window", Policy: httpx.Policy{Roles: window}, Handler: hf(h.windowPage),
			Nav: &httpx.Nav{Label: "nav.window", Order: 20}},
		{Pattern: "POST /cases/window", Policy: httpx.Policy{Roles: window, Write: true}, Handler: hf(h.register)},
		{Pattern: "GET /cases", Policy: httpx.Policy{Roles: staffRoles}, Handler: hf(h.inboxPage),
			Nav: &httpx.Nav{Label: "nav.cases", Order: 21}},
		// Bulk actions name several cases; each is checked by the service
		// against the caller's jurisdiction, as no one path scopes them.
		{Pattern: "POST /cases/bulk", Policy: httpx.Policy{Roles: actingRoles, Write: true}, Handler: hf(h.bulk)},
		{Pattern: "GET /cases/{number}", Policy: httpx.Policy{Roles: staffRoles, Scope: scope}, Handler: hf(h.casePage)},
		{Pattern: "POST /cases/{number}/act", Policy: httpx.Policy{Roles: actingRoles, Write: true, Scope: scope}, Handler: hf(h.act)},
		// A/B posts (H13): one's own, and a head's unit's; the service
		// checks who may change whose.
		{Pattern: "GET /cases/ab-post", Policy: httpx.Policy{Roles: staffRoles}, Handler: hf(h.postsPage)},
		{Pattern: "POST /cases/ab-post", Policy: httpx.Policy{Roles: staffRoles, Write: true}, Handler: hf(h.setPost)},

		{Pattern: "GET /portal/apply/{item}", Policy: pub, Handler: hf(h.applyPage)},
		{Pattern: "POST /portal/apply/{item}", Policy: pubWrite, Handler: hf(h.apply)},
		{Pattern: "GET /portal/cases", Policy: pub, Handler: hf(h.followPage)},
		{Pattern: "POST /portal/cases/{number}/supplement", Policy: pubWrite, Handler: hf(h.publicAct("supplement"))},
		{Pattern: "POST /portal/cases/{number}/withdraw", Policy: pubWrite, Handler: hf(h.publicAct("withdraw"))},
	}
	routes = append(routes, feedbackPageRoutes(h, scope)...)
	if o.Attachments != nil {
		// The upload form of the case page: a multipart form of at most
		// MaxUpload, read at the edge.
		routes = append(routes, httpx.Route{Pattern: "POST /cases/{number}/files",
			Policy: httpx.Policy{Roles: actingRoles, Write: true, Scope: scope}, Handler: hf(h.attachFiles), MaxBody: o.MaxUpload})
	}
	return routes, nil
}

var funcs = template.FuncMap{
	"when": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(cst).Format("2006-01-02 15:04")
	},
	"day": func(d calendar.Date) string {
		if d == 0 {
			return ""
		}
		return d.String()
	},
	"text": func(t flow.Text, lang string) string { return t.In(lang) },
	"hours": func(d time.Duration) string {
		if d < 0 {
			d = -d
		}
		return strconv.FormatFloat(d.Hours(), 'f', 1, 64)
	},
	"neg":     func(n int) int { return -n },
	"has":     slices.Contains[[]string],
	"join":    strings.Join,
	"queryOf": queryOf,
	"list":    func(s ...string) []string { return s },
	// dict passes several values to a shared template: key, value, …
	"dict": func(kv ...any) (map[string]any, error) {
		m := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			k, ok := kv[i].(string)
			if !ok {
				return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
			}
			m[k] = kv[i+1]
		}
		return m, nil
	},
}

func queryOf(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			v.Set(kv[i], kv[i+1])
		}
	}
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

// render is Kit.Render where status 0 means 200 unless failure says
// otherwise: handlers that re-show a page after a refusal pass 0.
func (h *pages) render(w http.ResponseWriter, r *http.Request, status int, name string, data any, failure error) {
	if status == 0 {
		status = http.StatusOK
	}
	h.Render(w, r, status, name, data, failure)
}

func lang(r *http.Request) string { return httpx.LangFrom(r.Context()) }

// limit is a deadline as pages show it: working days (or the limit's own
// unit) left or overdue, working hours, the due day, provisional marked.
type limit struct {
	State       calendar.State
	Due         calendar.Date
	Remaining   int // in the budget's units; negative: overdue
	Unit        calendar.Unit
	Hours       time.Duration
	Provisional bool
	Running     bool
}

func limitOf(d casework.Deadline) limit {
	l := limit{State: d.State, Due: d.DueDate, Remaining: d.Remaining.Days, Unit: d.Budget.Unit, Hours: d.WorkingHours,
		Provisional: d.Provisional}
	if d.Budget.Unit == calendar.WorkingHours {
		l.Remaining = int(d.Remaining.Time.Hours())
	}
	l.Running = d.State == calendar.Running || d.State == calendar.DueSoon || d.State == calendar.Overdue
	return l
}

// ---- the window console ----

type windowPage struct {
	Today      string
	Queue      []row
	DueSoon    []row
	Waiting    []row
	Items      []caseworkdb.ListedItem
	Item       *casework.Item // chosen: its materials to check
	ItemCode   string
	Form       registerForm
	Deliveries []casework.Delivery
}

type registerForm struct {
	Kind, Name, ID, Code, Phone, Address string
	Email                                string
	Materials                            []string
	Delivery                             string
	Assisted                             bool
	// Secret and Privacy keep the case's details off the public side (H12).
	Secret, Privacy bool
	// Errs are the failed submission's messages by form field, shown next
	// to the field (the list above the form names them too).
	Errs map[string]string
}

// formFields maps the fields the service names to the form's inputs.
var formFields = map[string]string{
	"applicant.name": "name", "applicant.kind": "kind", "applicant.resident_id": "resident_id",
	"applicant.credit_code": "credit_code", "applicant.phone": "phone", "applicant.address": "address", "applicant.email": "email",
	"name": "name", "kind": "kind", "resident_id": "resident_id", "credit_code": "credit_code", "phone": "phone",
	"address": "address", "materials": "materials", "delivery": "delivery", "item": "item",
}

// withErrors sets the form's messages by field from the failure.
func (f registerForm) withErrors(r *http.Request, failure error) registerForm {
	if failure == nil {
		return f
	}
	_, body := api.Describe(r, failure)
	f.Errs = map[string]string{}
	add := func(field, msg string) {
		if in, ok := formFields[field]; ok {
			if _, seen := f.Errs[in]; !seen {
				f.Errs[in] = msg
			}
		}
	}
	add(body.Field, body.Message)
	for _, e := range body.Errors {
		add(e.Field, e.Message)
	}
	return f
}

// row is one case in a list, with its limits when read.
type row struct {
	caseworkdb.Summary
	CaseLimit *limit
	StepLimit *limit
}

// dueSoonDays: a case whose limit ends within this many days shows under
// "due soon" at the window.
const dueSoonDays = 5

func (h *pages) windowPage(w http.ResponseWriter, r *http.Request) {
	h.showWindow(w, r, http.StatusOK, registerForm{Kind: string(casework.Person), Delivery: string(casework.PickUp)}, nil)
}

func (h *pages) showWindow(w http.ResponseWriter, r *http.Request, status int, form registerForm, failure error) {
	ctx, p := r.Context(), principal(r)
	d := windowPage{Form: form.withErrors(r, failure), Deliveries: []casework.Delivery{casework.PickUp, casework.Post, casework.OnlineSend}}
	cal, err := h.svc.Calendar(ctx, p.BodyID)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	today := cal.Date(time.Now())
	d.Today = today.String()
	if d.Queue, err = h.rows(r, caseworkdb.Filter{Status: flow.Submitted, Limit: 50}, false); err == nil {
		if d.Waiting, err = h.rows(r, caseworkdb.Filter{Status: flow.Supplementing, Limit: 50}, false); err == nil {
			d.DueSoon, err = h.rows(r, caseworkdb.Filter{DueBefore: today.AddDays(dueSoonDays + 1), Limit: 20}, true)
		}
	}
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if d.Items, err = h.svc.ListedItems(ctx, p); err != nil {
		h.Fail(w, r, err)
		return
	}
	code := strings.TrimSpace(r.FormValue("item"))
	if code != "" {
		d.ItemCode = code
		_, it, err := h.svc.Listed(ctx, p.BodyID, code)
		if err != nil && failure == nil {
			failure, status = err, 0
		}
		if err == nil {
			d.Item = &it
		}
	}
	h.render(w, r, status, "window", d, failure)
}

// rows lists cases of the caller's body; withLimits reads each one's
// deadlines (case and step) for the due-soon list, which is short.
func (h *pages) rows(r *http.Request, f caseworkdb.Filter, withLimits bool) ([]row, error) {
	pg, err := h.svc.List(r.Context(), principal(r), f)
	if err != nil {
		return nil, err
	}
	out := make([]row, 0, len(pg.Cases))
	for _, s := range pg.Cases {
		rw := row{Summary: s}
		if withLimits {
			if slices.Contains([]flow.Status{flow.Completed, flow.Refused, flow.Withdrawn}, s.Status) {
				continue
			}
			d, err := h.svc.Get(r.Context(), principal(r), s.Number)
			if err != nil {
				return nil, err
			}
			c := limitOf(d.Deadlines.Case)
			rw.CaseLimit = &c
			if d.Deadlines.Step != nil {
				st := limitOf(*d.Deadlines.Step)
				rw.StepLimit = &st
			}
		}
		out = append(out, rw)
	}
	return out, nil
}

func (h *pages) register(w http.ResponseWriter, r *http.Request) {
	if err := page.ParseForm(w, r); err != nil {
		h.showWindow(w, r, 0, registerForm{}, err)
		return
	}
	form := registerFormOf(r)
	app, err := applicationOf(form, r.PostForm.Get("item"))
	if err != nil {
		h.showWindow(w, r, 0, form, err)
		return
	}
	app.Assisted = form.Assisted
	o, err := h.svc.Open(r.Context(), principal(r), app, strings.TrimSpace(r.PostForm.Get("key")))
	if err != nil {
		h.showWindow(w, r, 0, form, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store") // the query code
	h.render(w, r, http.StatusCreated, "registered", o, nil)
}

func registerFormOf(r *http.Request) registerForm {
	f := r.PostForm
	return registerForm{Kind: f.Get("kind"), Name: strings.TrimSpace(f.Get("name")), ID: strings.TrimSpace(f.Get("resident_id")),
		Code: strings.TrimSpace(f.Get("credit_code")), Phone: strings.TrimSpace(f.Get("phone")), Email: strings.TrimSpace(f.Get("email")),
		Address: strings.TrimSpace(f.Get("address")), Materials: f["materials"], Delivery: f.Get("delivery"),
		Assisted: f.Get("assisted") == "on", Secret: f.Get("secret") == "on", Privacy: f.Get("privacy") == "on"}
}

// applicationOf is the form as the service takes it; the service checks
// the applicant (V1, V2) and names each field it refuses.
func applicationOf(f registerForm, item string) (caseworkdb.Application, error) {
	item = strings.TrimSpace(item)
	if item == "" {
		return caseworkdb.Application{}, apperr.Invalidf("item", "caseworkweb.choose_the_item")
	}
	a := casework.Applicant{Kind: casework.ApplicantKind(f.Kind), Name: f.Name, Phone: f.Phone, Email: f.Email, Address: f.Address}
	switch a.Kind {
	case casework.Person:
		a.ResidentID = f.ID
	case casework.Organisation:
		a.CreditCode = f.Code
	}
	return caseworkdb.Application{Item: item, Applicant: a, Materials: f.Materials, Delivery: casework.Delivery(f.Delivery),
		Secret: f.Secret, Privacy: f.Privacy}, nil
}

// ---- a case's page ----

type casePage struct {
	caseworkdb.View
	Applicant string // as this viewer may see it
	Masked    bool
	CaseLimit limit
	Statutory limit
	StepLimit *limit
	StepName  string
	// OwnerAway: the first responder is marked away, so the backup acts
	// (H13); Backup is their backup now.
	OwnerAway bool
	Backup    casework.Staff
	Diagram   template.HTML
	Actions   []actionForm
	Timeline  []timelineRow
	Flags     []flagRow
	Documents []DocumentLink
	// Files are the case's attachments, replaced ones included; CanAttach
	// shows the upload form.
	Files     []AttachmentLink
	CanAttach bool
	// Deliveries: the messages sent about the case with their delivery
	// state (H7); Feedback: the supervising unit's (H9), with its history,
	// and whether the viewer may attach it (feedback.go).
	Deliveries      []deliveryRow
	Feedback        caseworkdb.Feedback
	FeedbackHistory []caseworkdb.Feedback
	MayFeedBack     bool
}

type timelineRow struct {
	casework.Event
	Name string
}

type flagRow struct {
	Rule, Text string
	At         time.Time
}

// actionForm is one action the step offers the viewer, with its fields.
type actionForm struct {
	ID, Name string
	Fields   []formField
}

type formField struct {
	Name     string
	Kind     string // checks, text, textarea, number, select, checkbox, datetime
	Required bool
	Options  []option
}

type option struct {
	Value, Label string
}

// seesPersonalData: staff who act on cases see the applicant in full;
// supervisors and administrators read a masked applicant (L7: personal
// data only to those who need it).
func seesPersonalData(p access.Principal) bool {
	return p.HasAny(access.RoleWindow, access.RoleUnitStaff, access.RoleLeader)
}

func (h *pages) casePage(w http.ResponseWriter, r *http.Request) {
	h.showCase(w, r, http.StatusOK, nil)
}

func (h *pages) showCase(w http.ResponseWriter, r *http.Request, status int, failure error) {
	ctx, p, lg := r.Context(), principal(r), lang(r)
	v, err := h.svc.View(ctx, p, r.PathValue("number"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	c := v.Case
	d := casePage{View: v, CaseLimit: limitOf(v.Deadlines.Case), Statutory: limitOf(v.Deadlines.Statutory)}
	if !seesPersonalData(p) {
		// A person's name, ID, phone and address are masked; an
		// organisation's name and credit code are public (L7).
		a := c.Applicant
		if a.Kind == casework.Person {
			a.Name = ident.MaskName(a.Name)
		}
		a.ResidentID, a.Phone, a.Address = ident.MaskResidentID(a.ResidentID), ident.MaskPhone(a.Phone), ident.MaskAddress(a.Address)
		a.Email = maskEmail(a.Email)
		d.View.Case.Applicant, d.Masked = a, true
	}
	d.Applicant = applicantText(d.View.Case.Applicant)
	if v.Deadlines.Step != nil {
		s := limitOf(*v.Deadlines.Step)
		d.StepLimit = &s
	}
	if d.OwnerAway, d.Backup, err = h.svc.OwnerCover(ctx, c.FirstResponder.ID); err != nil {
		h.Fail(w, r, err)
		return
	}
	if d.Backup.IsZero() {
		d.Backup = c.Backup
	}
	d.StepName = stepName(v.Run, c.Step, lg)
	d.Diagram = diagram(v.Run, c.Step, lg)
	for _, e := range v.Events {
		if d.Masked {
			e.Reason, e.Basis, e.Opinion = ident.MaskText(e.Reason), ident.MaskText(e.Basis), ident.MaskText(e.Opinion)
		}
		d.Timeline = append(d.Timeline, timelineRow{Event: e, Name: actionName(v.Run, e.Action, lg)})
	}
	for _, f := range c.Flags {
		d.Flags = append(d.Flags, flagRow{Rule: f.Rule, Text: casework.FlagText(lg, f.Rule), At: f.At})
	}
	units, err := h.svc.Units(ctx, c.Body.ID)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	for _, id := range v.Offered {
		a, ok := v.Run.Action(id)
		if !ok || !materialsAllow(a, c) {
			continue
		}
		d.Actions = append(d.Actions, actionFormOf(a, c, units, lg))
	}
	if h.docs != nil {
		if d.Documents, err = h.docs.ForStaff(ctx, p, c.Number); err != nil {
			h.Fail(w, r, err)
			return
		}
	}
	if h.attach != nil {
		if d.Files, err = h.attach.ForCase(ctx, p, c.Number); err != nil {
			h.Fail(w, r, err)
			return
		}
		d.CanAttach = p.HasAny(actingRoles...)
	}
	if err := h.caseExtras(r, &d); err != nil {
		h.Fail(w, r, err)
		return
	}
	h.render(w, r, status, "case", d, failure)
}

// diagram is the flow's SVG with the case's step marked (data-current,
// which the stylesheet draws in bold red). flow.SVG escapes every text it
// draws and carries no script.
func diagram(f *flow.Flow, step, lg string) template.HTML {
	svg := string(f.SVG(flow.DrawOptions{Lang: lg}))
	mark := `data-id="` + template.HTMLEscapeString(step) + `"`
	svg = strings.Replace(svg, mark, mark+` data-current="true"`, 1)
	return template.HTML(svg)
}

// materialsAllow reports whether the action's guards on the materials hold
// for the case as it is: the page offers acceptance only with every
// required material in hand, and the one-time notice only without (the
// flow refuses the others anyway).
func materialsAllow(a flow.Action, c casework.Case) bool {
	in := flow.Input{}
	if c.MaterialsComplete() {
		in["materials_complete"] = "true"
	}
	for _, g := range a.Guards {
		if g.Field == "materials_complete" && !g.Holds(in) {
			return false
		}
	}
	return true
}

func applicantText(a casework.Applicant) string {
	parts := []string{a.Name}
	for _, s := range []string{a.ResidentID, a.CreditCode, a.Phone, a.Email, a.Address} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " · ")
}

func stepName(f *flow.Flow, id, lg string) string {
	if s, ok := f.Step(id); ok {
		return s.Name.In(lg)
	}
	for _, o := range f.Outcomes {
		if o.ID == id {
			return o.Name.In(lg)
		}
	}
	return id
}

func actionName(f *flow.Flow, id, lg string) string {
	if a, ok := f.Action(id); ok {
		return a.Name.In(lg)
	}
	if id == casework.DeemAction {
		return messages.Text(lg, "action.deem_accept")
	}
	return id
}

// extraFields are the optional fields an action reads besides the ones
// its flow requires (casework.Action says which).
var extraFields = map[string][]string{
	"pause":      {"kind", "days"},
	"complete":   {"certificate", "delivery"},
	"notify":     {"notified_at"},
	"supplement": {"assisted"},
	"withdraw":   {"reason", "assisted"},
}

func actionFormOf(a flow.Action, c casework.Case, units []casework.Unit, lg string) actionForm {
	out := actionForm{ID: a.ID, Name: a.Name.In(lg)}
	add := func(name string, required bool) {
		for _, f := range out.Fields {
			if f.Name == name {
				return
			}
		}
		f := formField{Name: name, Required: required}
		switch name {
		case "missing":
			f.Kind = "checks"
			for _, m := range c.Item.Materials {
				if !slices.Contains(c.Received, m.Name) {
					f.Options = append(f.Options, option{Value: m.Name, Label: m.Name})
				}
			}
		case "materials":
			f.Kind = "checks"
			for _, m := range c.Missing {
				f.Options = append(f.Options, option{Value: m, Label: m})
			}
		case "reason", "basis", "opinion":
			f.Kind = "textarea"
		case "days":
			f.Kind = "number"
		case "outcome":
			f.Kind = "select"
			for _, v := range a.Choices["outcome"] {
				f.Options = append(f.Options, option{Value: v, Label: messages.Text(lg, "outcome."+v)})
			}
		case "unit":
			f.Kind = "select"
			for _, u := range units {
				if u.Code != c.Unit.Code {
					f.Options = append(f.Options, option{Value: u.Code, Label: u.Name})
				}
			}
		case "kind":
			f.Kind = "select"
			f.Options = append(f.Options, option{})
			for _, k := range []flow.SpecialKind{flow.SiteSurvey, flow.ExpertReview, flow.Hearing, flow.Testing, flow.Inspection,
				flow.Quarantine, flow.Appraisal, flow.Bidding, flow.Auction} {
				f.Options = append(f.Options, option{Value: string(k), Label: messages.Text(lg, "special."+string(k))})
			}
		case "delivery":
			f.Kind = "select"
			f.Options = append(f.Options, option{})
			for _, d := range []casework.Delivery{casework.PickUp, casework.Post, casework.OnlineSend} {
				f.Options = append(f.Options, option{Value: string(d), Label: messages.Text(lg, "delivery."+string(d))})
			}
		case "assisted":
			f.Kind = "checkbox"
		case "notified_at":
			f.Kind = "datetime"
		default:
			f.Kind = "text"
		}
		out.Fields = append(out.Fields, f)
	}
	for _, name := range a.Fields {
		add(name, true)
	}
	for _, name := range extraFields[a.ID] {
		add(name, false)
	}
	return out
}

func (h *pages) act(w http.ResponseWriter, r *http.Request) {
	if err := page.ParseForm(w, r); err != nil {
		h.showCase(w, r, 0, err)
		return
	}
	base, err := versionOf(r.PostForm.Get("version"))
	if err != nil {
		h.showCase(w, r, 0, err)
		return
	}
	a, err := formAction(r.PostForm)
	if err != nil {
		h.showCase(w, r, 0, err)
		return
	}
	number := r.PathValue("number")
	if _, err := h.svc.Act(r.Context(), principal(r), number, base, a); err != nil {
		// A stale version re-reads the case: the page shows it as it is now
		// beside the conflict (409).
		h.showCase(w, r, 0, err)
		return
	}
	page.Done(w, r, "/cases/"+url.PathEscape(number), "act")
}

// attachFiles takes the case page's upload form: the files are checked,
// scanned and recorded, or the page shows why not, naming the field, with
// nothing changed.
func (h *pages) attachFiles(w http.ResponseWriter, r *http.Request) {
	number := r.PathValue("number")
	if err := h.attach.Attach(r.Context(), principal(r), number, r); err != nil {
		h.showCase(w, r, 0, err)
		return
	}
	page.Done(w, r, "/cases/"+url.PathEscape(number), "attached")
}

func versionOf(s string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 {
		return 0, apperr.Invalidf("version", "caseworkweb.the_version_is_missing_reload_the")
	}
	return n, nil
}

// formAction reads an action form into the action casework takes.
func formAction(f url.Values) (casework.Action, error) {
	in := ActionRequest{Action: f.Get("action"), Materials: f["materials"], Missing: f["missing"], Reason: f.Get("reason"),
		Basis: f.Get("basis"), Kind: f.Get("kind"), Outcome: f.Get("outcome"), Opinion: f.Get("opinion"),
		Unit: f.Get("unit"), Certificate: f.Get("certificate"), Delivery: f.Get("delivery"), Assisted: f.Get("assisted") == "on"}
	if strings.TrimSpace(in.Action) == "" {
		return casework.Action{}, apperr.Invalidf("action", "caseworkweb.the_action_is_required")
	}
	if v := strings.TrimSpace(f.Get("days")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return casework.Action{}, apperr.Invalidf("days", "caseworkweb.days_must_be_a_positive_whole")
		}
		in.Days = n
	}
	if v := strings.TrimSpace(f.Get("notified_at")); v != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", v, cst)
		if err != nil {
			return casework.Action{}, apperr.Invalidf("notified_at", "caseworkweb.the_notification_time_must_be_yyyy")
		}
		in.NotifiedAt = &t
	}
	return in.action(), nil
}

// ---- the unit's inbox ----

type inboxPage struct {
	Rows                []row
	Status, Unit, Due   string
	Next                string
	Statuses            []flow.Status
	BulkActions         []string
	Queue               bool
	Results             []bulkResult
	FilterQuery, Cursor string
}

type bulkResult struct {
	Number, Error string
}

// bulkActions are the actions the inbox takes on several cases at once:
// those that need no field (H5: receive several handed over together).
var bulkActions = []string{"receive", "hand_over", "hand_back", "accept"}

func (h *pages) inboxPage(w http.ResponseWriter, r *http.Request) {
	h.showInbox(w, r, http.StatusOK, nil, nil)
}

func (h *pages) showInbox(w http.ResponseWriter, r *http.Request, status int, results []bulkResult, failure error) {
	q := r.URL.Query()
	d := inboxPage{Status: q.Get("status"), Unit: q.Get("unit"), Due: q.Get("due_before"), Cursor: q.Get("after"),
		Statuses:    []flow.Status{flow.Submitted, flow.Supplementing, flow.Accepted, flow.Handling, flow.Suspended, flow.Completed, flow.Refused, flow.Withdrawn},
		BulkActions: bulkActions, Queue: q.Get("queue") == "on", Results: results}
	f := caseworkdb.Filter{Status: flow.Status(d.Status), Unit: d.Unit, After: d.Cursor, Queue: d.Queue}
	if p := principal(r); !q.Has("unit") && p.HasAny(access.RoleUnitStaff) && !p.HasAny(access.RoleWindow) {
		// Unit staff start on their own unit's cases.
		f.Unit = h.unitCode(r)
		d.Unit = f.Unit
	}
	if d.Due != "" {
		day, err := calendar.ParseDate("due_before", d.Due)
		if err != nil {
			h.render(w, r, 0, "inbox", d, err)
			return
		}
		f.DueBefore = day
	}
	d.FilterQuery = queryOf("status", d.Status, "unit", d.Unit, "due_before", d.Due, "queue", q.Get("queue"))
	pg, err := h.svc.List(r.Context(), principal(r), f)
	if err != nil {
		h.render(w, r, 0, "inbox", d, err)
		return
	}
	for _, s := range pg.Cases {
		d.Rows = append(d.Rows, row{Summary: s})
	}
	d.Next = pg.Next
	h.render(w, r, status, "inbox", d, failure)
}

// unitCode is the code of the caller's unit, "" without one.
func (h *pages) unitCode(r *http.Request) string {
	p := principal(r)
	if p.UnitID == 0 {
		return ""
	}
	code, err := h.svc.UnitCode(r.Context(), p.UnitID)
	if err != nil {
		httpx.LoggerFrom(r.Context()).Warn("case inbox: unit", "error", err)
		return ""
	}
	return code
}

// bulk takes one action on every case checked, each on the version the
// list showed (a case changed since is reported, not acted on).
func (h *pages) bulk(w http.ResponseWriter, r *http.Request) {
	if err := page.ParseForm(w, r); err != nil {
		h.showInbox(w, r, 0, nil, err)
		return
	}
	action := r.PostForm.Get("action")
	if !slices.Contains(bulkActions, action) {
		h.showInbox(w, r, 0, nil, apperr.Invalidf("action", "caseworkweb.this_action_cannot_be_taken_on"))
		return
	}
	numbers := r.PostForm["case"]
	if len(numbers) == 0 {
		h.showInbox(w, r, 0, nil, apperr.Invalidf("case", "caseworkweb.check_at_least_one_case"))
		return
	}
	if len(numbers) > 200 {
		h.showInbox(w, r, 0, nil, apperr.Invalidf("case", "caseworkweb.at_most_200_cases_at_once"))
		return
	}
	var results []bulkResult
	status := http.StatusOK
	for _, n := range numbers {
		res := bulkResult{Number: n}
		base, err := versionOf(r.PostForm.Get("v." + n))
		if err == nil {
			_, err = h.svc.Act(r.Context(), principal(r), n, base, casework.Action{ID: action})
		}
		if err != nil {
			res.Error = apperr.As(err).Message(lang(r))
			if status == http.StatusOK {
				// The first refusal's status (403 outside the jurisdiction,
				// 409 for a case changed since) answers the whole form;
				// each case's own outcome is listed.
				status, _ = api.Describe(r, err)
			}
		}
		results = append(results, res)
	}
	h.showInbox(w, r, status, results, nil)
}
