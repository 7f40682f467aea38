// Package documentweb is how people reach case documents (issue #15):
// a document as an A4 page with its print stylesheet
// (/cases/{number}/documents/{doc}) and as a PDF (…/{doc}.pdf), its
// correction, the applicant's copies on the portal (masked, with the query
// code), the approval seal's page for the seal keeper (/admin/seal) and the
// seal register with its Excel export (/admin/seal/register). Every route
// is registered with its policy:
//
//	docs := documentdb.New(db, documentdb.Options{PublicURL: url})
//	routes = append(routes, documentweb.Routes(docs, frame)...)
package documentweb

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/casework/caseworkweb"
	"github.com/qingdan/qingdan/internal/document"
	"github.com/qingdan/qingdan/internal/document/documentdb"
	"github.com/qingdan/qingdan/internal/web/httpx"
	"github.com/qingdan/qingdan/internal/web/page"
)

//go:embed templates/*.html
var templateFS embed.FS

var pageNames = []string{"seal", "register", "templates", "template", "error"}

// Stylesheet is where the documents' print stylesheet is served (the
// site's content security policy forbids inline styles).
const Stylesheet = "/documents/document.css"

var cst = time.FixedZone("CST", 8*3600)

func when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(cst).Format("2006-01-02 15:04")
}

type handlers struct {
	*page.Kit
	svc *documentdb.Service
}

var hf = func(f func(http.ResponseWriter, *http.Request)) http.Handler { return http.HandlerFunc(f) }

var (
	// staffRoles read a case's documents (as they read the case), and the
	// seal keeper the documents of the register (masked, as they do not
	// act on cases).
	staffRoles = []access.Role{access.RoleWindow, access.RoleUnitStaff, access.RoleLeader, access.RoleGeneralOffice,
		access.RoleSupervisor, access.RoleAdmin, access.RoleSealKeeper}
	// correctors issue corrections: those who act on cases.
	correctors = []access.Role{access.RoleWindow, access.RoleUnitStaff, access.RoleLeader}
	// registerReaders read the seal register: its keeper, supervisors and
	// administrators (H8: the register is there to be checked).
	registerReaders = []access.Role{access.RoleSealKeeper, access.RoleSupervisor, access.RoleAdmin}
	keeper          = []access.Role{access.RoleSealKeeper}
	// admin edits the body's templates (the system duty).
	admin      = httpx.Policy{Roles: []access.Role{access.RoleAdmin}, Duty: access.DutySystem}
	adminWrite = httpx.Policy{Roles: []access.Role{access.RoleAdmin}, Duty: access.DutySystem, Write: true}
)

// templateForm bounds the template form: the largest template and the
// form's other fields, encoded.
const templateForm = 4 * document.MaxTemplate

// Routes returns the documents' routes with their policies.
func Routes(svc *documentdb.Service, frame page.Frame) ([]httpx.Route, error) {
	if svc == nil || frame == nil {
		return nil, fmt.Errorf("documentweb: Routes needs the service and a frame")
	}
	ps, err := page.Parse(templateFS, messages, template.FuncMap{"when": when, "day": day, "title": title}, pageNames...)
	if err != nil {
		return nil, fmt.Errorf("documentweb: templates: %w", err)
	}
	h := &handlers{Kit: &page.Kit{Frame: frame, Pages: ps, Messages: messages, What: "document page"}, svc: svc}
	scope := func(r *http.Request) (string, error) { return svc.BodyPath(r.Context(), r.PathValue("number")) }
	return []httpx.Route{
		{Pattern: "GET " + Stylesheet, Policy: httpx.Policy{Public: true, Stateless: true}, Handler: hf(stylesheet)},
		{Pattern: "GET /cases/{number}/documents/{doc}", Policy: httpx.Policy{Roles: staffRoles, Scope: scope}, Handler: hf(h.document)},
		{Pattern: "POST /cases/{number}/documents/{doc}/correct", Policy: httpx.Policy{Roles: correctors, Write: true, Scope: scope},
			Handler: hf(h.correct)},
		{Pattern: "GET /portal/cases/{number}/documents/{doc}", Policy: httpx.Policy{Public: true}, Handler: hf(h.publicDocument)},
		{Pattern: "GET /admin/seal", Policy: httpx.Policy{Roles: keeper}, Handler: hf(h.sealPage),
			Nav: &httpx.Nav{Label: "nav.seal", Order: 85}},
		{Pattern: "POST /admin/seal", Policy: httpx.Policy{Roles: keeper, Write: true}, Handler: hf(h.setSeal)},
		{Pattern: "GET /admin/seal/register", Policy: httpx.Policy{Roles: registerReaders}, Handler: hf(h.register),
			Nav: &httpx.Nav{Label: "nav.seal_register", Order: 86}},
		{Pattern: "GET /admin/seal/register.xlsx", Policy: httpx.Policy{Roles: registerReaders}, Handler: hf(h.export)},
		{Pattern: "GET /admin/documents/templates", Policy: admin, Handler: hf(h.templatesPage),
			Nav: &httpx.Nav{Label: "nav.doc_templates", Order: 87}},
		{Pattern: "GET /admin/documents/templates/{kind}", Policy: admin, Handler: hf(h.templatePage)},
		{Pattern: "POST /admin/documents/templates/{kind}", Policy: adminWrite, Handler: hf(h.saveTemplate), MaxBody: templateForm},
		{Pattern: "POST /admin/documents/templates/{kind}/preview", Policy: adminWrite, Handler: hf(h.previewTemplate), MaxBody: templateForm},
	}, nil
}

func principal(r *http.Request) access.Principal { return httpx.PrincipalFrom(r.Context()) }

// title is a kind's title in lang.
func title(lang string, k casework.DocumentKind) string {
	s, err := document.SpecOf("kind", k)
	if err != nil {
		return string(k)
	}
	return s.Title(lang)
}

func day(d calendar.Date) string {
	if d == 0 {
		return ""
	}
	return d.String()
}

func stylesheet(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(document.Stylesheet) // a client gone away is not our error
}

// docRef reads {doc}: "12" is the page, "12.pdf" the PDF.
func docRef(r *http.Request) (id int64, pdf bool) {
	s := r.PathValue("doc")
	s, pdf = strings.CutSuffix(s, ".pdf")
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != s { // one spelling per document: no 012, no +12
		return 0, pdf // no document has id 0: not found
	}
	return id, pdf
}

func (h *handlers) document(w http.ResponseWriter, r *http.Request) {
	id, pdf := docRef(r)
	d, err := h.svc.Get(r.Context(), principal(r), r.PathValue("number"), id)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.serve(w, r, d, pdf)
}

// publicDocument is a document for the applicant, found with the case's
// number and query code (?code=); masked (L7), the internal forms never.
func (h *handlers) publicDocument(w http.ResponseWriter, r *http.Request) {
	id, pdf := docRef(r)
	w.Header().Set("Cache-Control", "no-store")
	d, err := h.svc.GetPublic(r.Context(), r.PathValue("number"), r.URL.Query().Get("code"), id)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.serve(w, r, d, pdf)
}

// serve writes the document as its A4 page or as its PDF.
func (h *handlers) serve(w http.ResponseWriter, r *http.Request, d documentdb.Rendered, pdf bool) {
	w.Header().Set("Cache-Control", "private, no-store")
	if !pdf {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(d.HTML(Stylesheet)) // a client gone away is not our error
		return
	}
	p, err := d.PDF()
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if len(p.Missing) > 0 {
		httpx.LoggerFrom(r.Context()).Warn("document PDF: characters the font lacks", "number", d.Number, "missing", string(p.Missing))
	}
	w.Header().Set("Content-Type", "application/pdf")
	name := fmt.Sprintf("document-%d.pdf", d.ID)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, name,
		url.PathEscape(d.Number+".pdf")))
	_, _ = w.Write(p.Bytes)
}

func (h *handlers) correct(w http.ResponseWriter, r *http.Request) {
	number := r.PathValue("number")
	if err := page.ParseForm(w, r); err != nil {
		h.Fail(w, r, err)
		return
	}
	id, _ := docRef(r)
	d, err := h.svc.Correct(r.Context(), principal(r), number, id, r.PostForm.Get("reason"))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/cases/"+url.PathEscape(number)+"?done=document_corrected#doc-"+strconv.FormatInt(d.ID, 10), http.StatusSeeOther)
}

// Links lists a case's documents for the case pages (caseworkweb).
type Links struct{ Svc *documentdb.Service }

// ForStaff lists the documents of case number for p.
func (l Links) ForStaff(ctx context.Context, p access.Principal, number string) ([]caseworkweb.DocumentLink, error) {
	ds, err := l.Svc.ForCase(ctx, p, number)
	if err != nil {
		return nil, err
	}
	base := "/cases/" + url.PathEscape(number) + "/documents/"
	out := make([]caseworkweb.DocumentLink, len(ds))
	for i, d := range ds {
		out[i] = link(d, base, "")
		out[i].CanCorrect = d.ReplacedBy == "" && p.HasAny(correctors...)
	}
	return out, nil
}

// ForApplicant lists the documents issued to the applicant of case number.
func (l Links) ForApplicant(ctx context.Context, number, code string) ([]caseworkweb.DocumentLink, error) {
	ds, err := l.Svc.ForApplicant(ctx, number, code)
	if err != nil {
		return nil, err
	}
	base := "/portal/cases/" + url.PathEscape(number) + "/documents/"
	q := "?code=" + url.QueryEscape(code)
	out := make([]caseworkweb.DocumentLink, len(ds))
	for i, d := range ds {
		out[i] = link(d, base, q)
	}
	return out, nil
}

func link(d documentdb.Document, base, query string) caseworkweb.DocumentLink {
	id := strconv.FormatInt(d.ID, 10)
	l := caseworkweb.DocumentLink{ID: d.ID, Number: d.Number, Kind: string(d.Kind), IssuedOn: d.IssuedOn, Sealed: d.Sealed,
		Replaces: d.Replaces, ReplacedBy: d.ReplacedBy, Page: base + id + query, PDF: base + id + ".pdf" + query,
		Correct: base + id + "/correct"}
	if s, err := document.SpecOf("kind", d.Kind); err == nil {
		l.Zh, l.En = s.Zh, s.En
	}
	return l
}

type sealPage struct {
	documentdb.SealView
	SVG template.HTML
}

func (h *handlers) sealPage(w http.ResponseWriter, r *http.Request) {
	v, err := h.svc.SealOf(r.Context(), principal(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	// Seal.SVG escapes the body's name it draws and holds no script.
	h.Render(w, r, http.StatusOK, "seal", sealPage{SealView: v, SVG: template.HTML(v.Seal.SVG())}, nil)
}

func (h *handlers) setSeal(w http.ResponseWriter, r *http.Request) {
	if err := page.ParseForm(w, r); err != nil {
		h.Fail(w, r, err)
		return
	}
	base, err := strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	if err != nil || base < 0 {
		h.failSeal(w, r, apperr.Invalidf("version", "documentweb.the_form_lacks_the_version"))
		return
	}
	enable := r.PostForm.Get("enabled") == "true"
	if _, err := h.svc.SetSeal(r.Context(), principal(r), base, enable); err != nil {
		h.failSeal(w, r, err)
		return
	}
	if enable {
		page.Done(w, r, "/admin/seal", "seal_enabled")
		return
	}
	page.Done(w, r, "/admin/seal", "seal_disabled")
}

// failSeal shows the seal page as it is now with the refusal.
func (h *handlers) failSeal(w http.ResponseWriter, r *http.Request, failure error) {
	v, err := h.svc.SealOf(r.Context(), principal(r))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	h.Render(w, r, 0, "seal", sealPage{SealView: v, SVG: template.HTML(v.Seal.SVG())}, failure)
}

type registerPage struct {
	From, To, Case, Number string
	Uses                   []documentdb.SealUse
	Export                 string
}

// filter reads the register's filter from the query; a bad date names
// its field.
func filter(r *http.Request) (registerPage, documentdb.RegisterFilter, error) {
	q := r.URL.Query()
	pg := registerPage{From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to")),
		Case: strings.TrimSpace(q.Get("case")), Number: strings.TrimSpace(q.Get("number"))}
	f := documentdb.RegisterFilter{Case: pg.Case, Number: pg.Number}
	var err error
	if pg.From != "" {
		if f.From, err = calendar.ParseDate("from", pg.From); err != nil {
			return pg, f, err
		}
	}
	if pg.To != "" {
		if f.To, err = calendar.ParseDate("to", pg.To); err != nil {
			return pg, f, err
		}
	}
	return pg, f, nil
}

func (h *handlers) register(w http.ResponseWriter, r *http.Request) {
	pg, f, err := filter(r)
	if err == nil {
		pg.Uses, err = h.svc.Register(r.Context(), principal(r), f)
	}
	pg.Export = strings.Replace(r.URL.RequestURI(), "/admin/seal/register", "/admin/seal/register.xlsx", 1)
	h.Render(w, r, http.StatusOK, "register", pg, err)
}

// export is the register of the filter as an Excel workbook, in the
// request's language.
func (h *handlers) export(w http.ResponseWriter, r *http.Request) {
	_, f, err := filter(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	f.Limit = 100000
	uses, err := h.svc.Register(r.Context(), principal(r), f)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	lang := httpx.LangFrom(r.Context())
	x := excelize.NewFile()
	defer x.Close()
	sw, err := x.NewStreamWriter(x.GetSheetName(0))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	var head []any
	for _, k := range []string{"col.used_at", "col.by", "col.case", "col.title", "col.number", "col.issued_on", "col.seal", "col.replaces"} {
		head = append(head, messages.Text(lang, k))
	}
	if err := sw.SetRow("A1", head); err != nil {
		h.Fail(w, r, err)
		return
	}
	for i, u := range uses {
		title := u.Title
		if s, err := document.SpecOf("kind", u.Kind); err == nil {
			title = s.Title(lang)
		}
		cell, err := excelize.CoordinatesToCellName(1, i+2)
		if err == nil {
			err = sw.SetRow(cell, []any{when(u.IssuedAt), u.IssuedBy, u.Case, title, u.Number, u.IssuedOn, u.Seal, u.Replaces})
		}
		if err != nil {
			h.Fail(w, r, err)
			return
		}
	}
	if err := sw.Flush(); err != nil {
		h.Fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="seal-register.xlsx"`)
	if err := x.Write(w); err != nil {
		httpx.LoggerFrom(r.Context()).Error("seal register export", "error", err)
	}
}
