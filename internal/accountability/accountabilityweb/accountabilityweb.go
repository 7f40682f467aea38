// Package accountabilityweb is how supervisors keep accountability records
// (责任追究, A1, A2) and how the people concerned and leaders read them:
// the list (/accountability), the new record's form, a record's page with
// the hearing and the decision, and the decision's printable document.
package accountabilityweb

import (
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/accountability"
	"github.com/qingdan/qingdan/internal/accountability/accountabilitydb"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/web/httpx"
	"github.com/qingdan/qingdan/internal/web/page"
)

//go:embed templates/*.html
var templateFS embed.FS

var pageNames = []string{"list", "new", "record", "document", "error"}

var cst = time.FixedZone("CST", 8*3600)

func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(cst).Format("2006-01-02 15:04")
}

func day(t time.Time) string { return t.In(cst).Format("2006年1月2日") }

// funcs are the templates' functions beside "t".
func funcs() template.FuncMap {
	return template.FuncMap{
		"when":     when,
		"day":      day,
		"grounds":  func() []accountability.Ground { return accountability.Grounds },
		"measures": func() []accountability.Measure { return accountability.Measures },
		"ground":   func(lang string, g accountability.Ground) string { return g.In(lang) },
		"measure":  func(lang string, m accountability.Measure) string { return m.In(lang) },
	}
}

type handlers struct {
	*page.Kit
	svc *accountabilitydb.Service
}

var hf = func(f func(http.ResponseWriter, *http.Request)) http.Handler { return http.HandlerFunc(f) }

// Routes returns the accountability pages with their policies.
func Routes(svc *accountabilitydb.Service, frame page.Frame) ([]httpx.Route, error) {
	if svc == nil || frame == nil {
		return nil, fmt.Errorf("accountabilityweb: Routes needs the service and a frame")
	}
	ps, err := page.Parse(templateFS, messages, funcs(), pageNames...)
	if err != nil {
		return nil, fmt.Errorf("accountabilityweb: templates: %w", err)
	}
	h := &handlers{Kit: &page.Kit{Frame: frame, Pages: ps, Messages: messages, What: "accountability page"}, svc: svc}
	sup := []access.Role{access.RoleSupervisor}
	scope := func(r *http.Request) (string, error) {
		id := page.PathID(r)
		if id <= 0 {
			return "", apperr.NotFoundf("accountabilityweb.no_such_accountability_record")
		}
		return svc.Path(r.Context(), id)
	}
	return append([]httpx.Route{
		{Pattern: "GET /accountability", Handler: hf(h.listPage), Nav: &httpx.Nav{Label: "nav.accountability", Order: 63}},
		{Pattern: "GET /accountability/new", Policy: httpx.Policy{Roles: sup}, Handler: hf(h.newPage)},
		{Pattern: "POST /accountability/new", Policy: httpx.Policy{Roles: sup, Write: true}, Handler: hf(h.open)},
		// A record is read by the person concerned too, whose jurisdiction
		// need not cover it: the service decides who reads what.
		{Pattern: "GET /accountability/{id}", Handler: hf(h.recordPage)},
		{Pattern: "GET /accountability/{id}/decision", Handler: hf(h.documentPage)},
		{Pattern: "POST /accountability/{id}", Policy: httpx.Policy{Roles: sup, Write: true, Scope: scope}, Handler: hf(h.act)},
	}, h.apiRoutes(scope)...), nil
}

func principal(r *http.Request) access.Principal { return httpx.PrincipalFrom(r.Context()) }

type listPage struct {
	Records    []accountability.Record
	Supervisor bool
}

func (h *handlers) listPage(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	rs, err := h.svc.List(r.Context(), p)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Render(w, r, http.StatusOK, "list", listPage{Records: rs, Supervisor: p.Has(access.RoleSupervisor)}, nil)
}

type newForm struct {
	Subject, Ground, Facts, Proposed, Case string
}

type newPage struct {
	Candidates []accountabilitydb.Candidate
	Form       newForm
}

func (h *handlers) newPage(w http.ResponseWriter, r *http.Request) {
	h.showNew(w, r, http.StatusOK, newForm{}, nil)
}

func (h *handlers) showNew(w http.ResponseWriter, r *http.Request, status int, f newForm, failure error) {
	cs, err := h.svc.Candidates(r.Context(), principal(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Render(w, r, status, "new", newPage{Candidates: cs, Form: f}, failure)
}

// subjectOf reads the subject field: "s:<staff id>" or "w:<window unit id>".
func subjectOf(v string) (staff, window int64) {
	kind, id, ok := strings.Cut(strings.TrimSpace(v), ":")
	n, err := strconv.ParseInt(id, 10, 64)
	if !ok || err != nil || n <= 0 {
		return 0, 0
	}
	switch kind {
	case "s":
		return n, 0
	case "w":
		return 0, n
	}
	return 0, 0
}

func (h *handlers) open(w http.ResponseWriter, r *http.Request) {
	if err := page.ParseForm(w, r); err != nil {
		h.showNew(w, r, 0, newForm{}, err)
		return
	}
	f := newForm{Subject: r.PostForm.Get("subject"), Ground: r.PostForm.Get("ground"), Facts: r.PostForm.Get("facts"),
		Proposed: r.PostForm.Get("proposed"), Case: r.PostForm.Get("case")}
	staff, window := subjectOf(f.Subject)
	rec, err := h.svc.Open(r.Context(), principal(r), accountabilitydb.Input{StaffID: staff, WindowID: window, Ground: f.Ground,
		Facts: f.Facts, Proposed: f.Proposed, Case: f.Case})
	if err != nil {
		h.showNew(w, r, 0, f, err)
		return
	}
	page.Done(w, r, "/accountability/"+strconv.FormatInt(rec.ID, 10), "opened")
}

type recordPage struct {
	Record     accountability.Record
	Supervisor bool
}

func (h *handlers) showRecord(w http.ResponseWriter, r *http.Request, name string, failure error) {
	p := principal(r)
	rec, err := h.svc.Get(r.Context(), p, page.PathID(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if name == "document" && rec.Decision == nil {
		h.Fail(w, r, apperr.NotFoundf("accountabilityweb.no_decision_has_been_made_yet"))
		return
	}
	h.Render(w, r, http.StatusOK, name, recordPage{Record: rec, Supervisor: p.Has(access.RoleSupervisor)}, failure)
}

func (h *handlers) recordPage(w http.ResponseWriter, r *http.Request) {
	h.showRecord(w, r, "record", nil)
}
func (h *handlers) documentPage(w http.ResponseWriter, r *http.Request) {
	h.showRecord(w, r, "document", nil)
}

// act records the hearing or the decision; the form carries its version.
func (h *handlers) act(w http.ResponseWriter, r *http.Request) {
	err := page.ParseForm(w, r)
	if err == nil {
		var base int64
		base, err = strconv.ParseInt(strings.TrimSpace(r.PostForm.Get("version")), 10, 64)
		if err != nil || base <= 0 {
			err = apperr.Invalidf("version", "accountabilityweb.the_form_carries_no_version_reload")
		} else {
			p, id := principal(r), page.PathID(r)
			switch r.PostForm.Get("action") {
			case "hear":
				_, err = h.svc.Hear(r.Context(), p, id, base, r.PostForm.Get("statement"))
			case "decide":
				_, err = h.svc.Decide(r.Context(), p, id, base, r.PostForm.Get("measure"), r.PostForm.Get("reasons"))
			default:
				err = apperr.Invalidf("action", "accountabilityweb.unknown_action")
			}
		}
	}
	if err != nil {
		h.showRecord(w, r, "record", err)
		return
	}
	page.Done(w, r, "/accountability/"+strconv.FormatInt(page.PathID(r), 10), "acted")
}
