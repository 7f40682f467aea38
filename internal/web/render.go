package web

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

// Templates: layout.html defines the page frame ("layout") and shared
// pieces; each file in pages/ defines that page's "title" and "content".
//
//go:embed templates
var templateFS embed.FS

type pageTemplate = template.Template

// parseTemplates parses every page at start, each in its own set over a
// clone of the layout (so every page can define "content"). Any error stops
// the server from starting.
func parseTemplates(a *assets) (map[string]*pageTemplate, error) {
	funcs := template.FuncMap{"asset": a.URL}
	base, err := template.New("").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	files, err := fs.Glob(templateFS, "templates/pages/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	pages := map[string]*pageTemplate{}
	for _, f := range files {
		t, err := base.Clone()
		if err != nil {
			return nil, fmt.Errorf("web: templates: %w", err)
		}
		if _, err := t.ParseFS(templateFS, f); err != nil {
			return nil, fmt.Errorf("web: templates: %w", err)
		}
		for _, need := range []string{"title", "content"} {
			if t.Lookup(need) == nil {
				return nil, fmt.Errorf("web: template %s does not define %q", f, need)
			}
		}
		pages[strings.TrimSuffix(path.Base(f), ".html")] = t
	}
	for _, name := range requiredPages {
		if pages[name] == nil {
			return nil, fmt.Errorf("web: no page template %q", name)
		}
	}
	return pages, nil
}

// View is what every template receives: the request's language, principal,
// navigation and CSRF token, plus the page's own Data.
type View struct {
	Lang      string
	Principal access.Principal
	Nav       []NavItem
	// Path is the current request URI (the language switch returns to it).
	Path      string
	RequestID string
	CSRFField string
	CSRFToken string
	Version   string
	// Notices are banners for this principal (Deps.Notices), in Lang.
	Notices []Notice
	// Badges are header links with counts (Deps.Badges), in Lang.
	Badges []Badge
	Data   any
	cat    catalogue
}

// NavItem is one navigation link.
type NavItem struct {
	URL     string
	Label   string // message key
	Current bool
}

// T returns the message key in the view's language, formatted with args.
// Templates call it as {{.T "key"}} (or {{$.T "key"}} inside range/with).
func (v View) T(key string, args ...any) string { return v.cat.text(v.Lang, key, args...) }

// HTMLLang is the lang attribute of the page.
func (v View) HTMLLang() string {
	if v.Lang == httpx.LangEn {
		return "en"
	}
	return "zh-Hans"
}

// HXHeaders is the JSON of the headers htmx adds to its requests: the CSRF
// token, since an htmx request outside a form sends no form fields.
func (v View) HXHeaders() (string, error) {
	b, err := json.Marshal(map[string]string{CSRFHeader: v.CSRFToken})
	return string(b), err
}

// RoleKey is the message key naming a role.
func (v View) RoleKey(r access.Role) string { return "role." + string(r) }

func (s *Server) view(r *http.Request, data any) View {
	p := httpx.PrincipalFrom(r.Context())
	var notices []Notice
	var badges []Badge
	if !p.Anonymous() {
		if s.deps.Notices != nil {
			notices = s.deps.Notices(r.Context(), p, httpx.LangFrom(r.Context()))
		}
		if s.deps.Badges != nil {
			badges = s.deps.Badges(r.Context(), p, httpx.LangFrom(r.Context()))
		}
	}
	return View{
		Notices:   notices,
		Badges:    badges,
		Lang:      httpx.LangFrom(r.Context()),
		Principal: p,
		Nav:       s.navFor(p, r.URL.Path),
		Path:      r.URL.RequestURI(),
		RequestID: httpx.RequestIDFrom(r.Context()),
		CSRFField: CSRFField,
		CSRFToken: s.deps.CSRF.Token(r),
		Version:   s.cfg.Version,
		Data:      data,
		cat:       s.cat,
	}
}

// navFor lists the navigation links p's roles admit.
func (s *Server) navFor(p access.Principal, current string) []NavItem {
	var out []NavItem
	for _, rt := range s.nav {
		if !s.admits(rt.Policy, p) {
			continue
		}
		u := api.OpenAPIPath(rt.Path())
		out = append(out, NavItem{URL: u, Label: rt.Nav.Label, Current: u == current})
	}
	return out
}

// render writes a page. An htmx request (not a boosted link) gets only the
// page's content, to swap into the current page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	t, ok := s.pages[page]
	if !ok {
		s.fail(w, r, errNoPage(page))
		return
	}
	name := "layout"
	if r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-Boosted") != "true" {
		name = "content"
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, s.view(r, data)); err != nil {
		if page == "error" {
			s.plainError(w, r, err)
			return
		}
		s.fail(w, r, errRender(page, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	// A failed write means the client went away.
	_, _ = w.Write(buf.Bytes())
}

// errorPage is the data of the error page.
type errorPage struct {
	Status  int
	Title   string // message key
	Hint    string // message key
	Message string // already in the request's language
}

// fail answers an error: JSON under /api/, otherwise the friendly error
// page with the status of the one table (api.Status) and the request ID.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if httpx.IsAPIPath(r.URL.Path) {
		api.WriteError(w, r, err)
		return
	}
	status, body := api.Describe(r, err)
	p := errorPage{Status: status, Message: body.Message, Title: "error.generic.title", Hint: "error.generic.hint"}
	switch status {
	case http.StatusForbidden:
		p.Title, p.Hint = "error.forbidden.title", "error.forbidden.hint"
	case http.StatusNotFound:
		p.Title, p.Hint = "error.not_found.title", "error.not_found.hint"
	case http.StatusInternalServerError:
		p.Title, p.Hint = "error.internal.title", "error.internal.hint"
	}
	s.render(w, r, status, "error", p)
}

// plainError is the last resort when even the error page fails to render.
func (s *Server) plainError(w http.ResponseWriter, r *http.Request, err error) {
	httpx.LoggerFrom(r.Context()).Error("render error page", "error", err)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	lang := httpx.LangFrom(r.Context())
	// A failed write means the client went away.
	_, _ = fmt.Fprintf(w, "%s\n%s: %s\n", s.cat.text(lang, "error.internal.title"),
		s.cat.text(lang, "error.request_id"), httpx.RequestIDFrom(r.Context()))
}
