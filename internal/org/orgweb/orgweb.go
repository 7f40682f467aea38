// Package orgweb is the organisation's pages and JSON API: the tree of bodies,
// units, staff, qualifications and the import, server-rendered under
// /admin/org and as JSON under /api/v1 (bodies, units, staff,
// qualifications, org/import), every route registered with its policy and
// OpenAPI description through the web server's route table (web.Deps.Routes).
// The org service checks roles and jurisdiction again on every call; the
// policies here make the route table tell the truth. Pages render their
// content into a Frame: the site's layout when the web package provides one,
// PlainFrame otherwise.
//
// The binary wires them beside the other routes:
//
//	routes, err := orgweb.Routes(orgs, orgweb.PlainFrame{CSRF: csrf})
package orgweb

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/web/httpx"
	"github.com/qingdan/qingdan/internal/web/page"
)

// Frame puts a page's content into the site's layout.
type Frame = page.Frame

// Tokens hands out CSRF tokens (auth.CSRF and the web package's CSRF do).
type Tokens interface {
	Token(r *http.Request) string
}

// PlainFrame is a minimal layout: title, a link home, the content. It is the
// frame until the web package offers its own layout to feature packages.
type PlainFrame struct{ CSRF Tokens }

// CSRFToken implements Frame.
func (f PlainFrame) CSRFToken(r *http.Request) string { return f.CSRF.Token(r) }

var plain = template.Must(template.New("plain").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<link rel="stylesheet" href="/admin/org/static/org.css"></head>
<body><p><a href="/">{{.Home}}</a> · <a href="/admin/org">{{.Org}}</a></p>
{{.Content}}</body></html>`))

// plainCSS styles PlainFrame; it is served as a file because the site's
// Content-Security-Policy (style-src 'self') forbids inline styles.
const plainCSS = `body{font-family:system-ui,sans-serif;margin:1rem 2rem;max-width:72rem}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}
.errors{color:#a00}.notice{color:#060}.conflict{border:1px solid #a00;padding:.5rem;margin:.5rem 0}.muted{color:#666}form.inline{display:inline}fieldset{margin:.5rem 0}label{margin-right:.8rem}
`

func serveCSS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	// A failed write means the client went away.
	_, _ = w.Write([]byte(plainCSS))
}

// Page implements Frame.
func (PlainFrame) Page(w http.ResponseWriter, r *http.Request, status int, title string, content template.HTML) {
	lang := httpx.LangFrom(r.Context())
	var buf bytes.Buffer
	err := plain.Execute(&buf, map[string]any{"Lang": htmlLang(lang), "Title": title, "Content": content,
		"Home": messages.Text(lang, "home"), "Org": messages.Text(lang, "org.title")})
	if err != nil {
		httpx.LoggerFrom(r.Context()).Error("render org page", "error", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	// A failed write means the client went away.
	_, _ = w.Write(buf.Bytes())
}

func htmlLang(lang string) string {
	if lang == httpx.LangEn {
		return "en"
	}
	return "zh-Hans"
}

//go:embed templates/*.html
var templateFS embed.FS

func parsePages() (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"levelName": levelText,
		"kindName":  kindText,
		"roleName":  roleText,
		"hasRole": func(rs []access.Role, r access.Role) bool {
			for _, x := range rs {
				if x == r {
					return true
				}
			}
			return false
		},
		"depth":  func(path string) int { return strings.Count(path, "/") - 2 },
		"indent": func(n int) string { return strings.Repeat("　", max(n, 0)) },
		// dict passes several values to a shared template.
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("dict: odd number of arguments")
			}
			m := map[string]any{}
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
	}
	return page.Parse(templateFS, messages, funcs, "tree", "body", "unit", "staff_list", "staff", "import", "error")
}

type handlers struct {
	*page.Kit
	s *org.Service
}

// Routes returns the organisation's admin pages and its API. Every page is
// for administrators; the jurisdiction of the addressed object is checked by
// the route policy (Scope) and again by the service.
func Routes(s *org.Service, frame Frame) ([]httpx.Route, error) {
	ps, err := parsePages()
	if err != nil {
		return nil, fmt.Errorf("orgweb: templates: %w", err)
	}
	h := &handlers{Kit: &page.Kit{Frame: frame, Pages: ps, Messages: messages, What: "org page"}, s: s}
	scope := func(kind string) func(r *http.Request) (string, error) {
		return func(r *http.Request) (string, error) {
			id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
			if err != nil {
				return "", apperr.NotFoundf("orgweb.no_such_page")
			}
			return s.PathOf(r.Context(), kind, id)
		}
	}
	read := httpx.Policy{Roles: []access.Role{access.RoleAdmin}}
	write := httpx.Policy{Roles: []access.Role{access.RoleAdmin}, Write: true}
	// Staff pages: the accounts duty (the security administrator when duties
	// are separated; the API's routes likewise).
	peopleRead := httpx.Policy{Roles: access.DutyRoles(access.DutyAccounts), Duty: access.DutyAccounts}
	people := peopleRead
	people.Write = true
	sc := func(p httpx.Policy, kind string) httpx.Policy { p.Scope = scope(kind); return p }
	hf := func(f func(http.ResponseWriter, *http.Request)) http.Handler { return http.HandlerFunc(f) }
	return append(apiRoutes(s), []httpx.Route{
		{Pattern: "GET /admin/org", Policy: read, Handler: hf(h.tree), Nav: &httpx.Nav{Label: "nav.org", Order: 800}},
		{Pattern: "POST /admin/org/bodies", Policy: write, Handler: hf(h.createBody)},
		{Pattern: "GET /admin/org/bodies/{id}", Policy: sc(read, "body"), Handler: hf(h.body)},
		{Pattern: "POST /admin/org/bodies/{id}", Policy: sc(write, "body"), Handler: hf(h.updateBody)},
		{Pattern: "POST /admin/org/bodies/{id}/move", Policy: sc(write, "body"), Handler: hf(h.moveBody)},
		{Pattern: "POST /admin/org/bodies/{id}/active", Policy: sc(write, "body"), Handler: hf(h.bodyActive)},
		{Pattern: "POST /admin/org/units", Policy: write, Handler: hf(h.createUnit)},
		{Pattern: "GET /admin/org/units/{id}", Policy: sc(read, "unit"), Handler: hf(h.unit)},
		{Pattern: "POST /admin/org/units/{id}", Policy: sc(write, "unit"), Handler: hf(h.updateUnit)},
		{Pattern: "POST /admin/org/units/{id}/head", Policy: sc(people, "unit"), Handler: hf(h.setHead)},
		{Pattern: "POST /admin/org/units/{id}/active", Policy: sc(write, "unit"), Handler: hf(h.unitActive)},
		{Pattern: "GET /admin/org/staff", Policy: peopleRead, Handler: hf(h.staffList), Nav: &httpx.Nav{Label: "nav.staff", Order: 802}},
		{Pattern: "POST /admin/org/staff", Policy: people, Handler: hf(h.createStaff)},
		{Pattern: "GET /admin/org/staff/{id}", Policy: sc(peopleRead, "staff"), Handler: hf(h.staff)},
		{Pattern: "POST /admin/org/staff/{id}", Policy: sc(people, "staff"), Handler: hf(h.updateStaff)},
		{Pattern: "POST /admin/org/staff/{id}/active", Policy: sc(people, "staff"), Handler: hf(h.staffActive)},
		{Pattern: "POST /admin/org/qualifications", Policy: people, Handler: hf(h.addQualification)},
		{Pattern: "POST /admin/org/qualifications/{id}/revoke", Policy: sc(people, "qualification"), Handler: hf(h.revokeQualification)},
		{Pattern: "GET /admin/org/import", Policy: httpx.Policy{Roles: access.DutyRoles(access.DutyAccounts)}, Handler: hf(h.importForm)},
		{Pattern: "POST /admin/org/import", Policy: httpx.Policy{Roles: access.DutyRoles(access.DutyAccounts), Write: true}, Handler: hf(h.importFile),
			MaxBody: maxImport, Import: true},
		{Pattern: "GET /admin/org/import/template", Policy: read, Handler: http.HandlerFunc(templateHandler)},
		{Pattern: "GET /admin/org/static/org.css", Policy: httpx.Policy{Public: true, Stateless: true}, Handler: http.HandlerFunc(serveCSS)},
	}...), nil
}

func formInt(r *http.Request, name string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(r.PostFormValue(name)), 10, 64)
	if err != nil {
		return 0
	}
	return n
}

func principal(r *http.Request) access.Principal { return httpx.PrincipalFrom(r.Context()) }

func lang(r *http.Request) string { return httpx.LangFrom(r.Context()) }
