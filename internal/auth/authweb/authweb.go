// Package authweb is how people reach the account service (issue #2 item 6,
// O3): administrators create a staff member's login account, reset its
// password and switch it off or on, within their jurisdiction; every
// logged-in staff member creates, lists and revokes their own API tokens.
// Both as server-rendered pages inside the site layout (web.Frame) and as
// JSON API routes with OpenAPI docs, every route registered with its policy
// through the web server's route table (web.Deps.Routes):
//
//	frame := web.NewFrame()
//	accountRoutes, err := authweb.Routes(authSvc, orgs, frame)
//	routes := [][]httpx.Route{…, accountRoutes}
//
// The guard checks role, write and jurisdiction before a handler runs; the
// auth service checks them again, so neither relies on the other's care.
//
// Token routes are Self, not Write: they act only on the caller's own
// account, and a token can do no more than its creator, because its scopes
// are a subset of the creator's roles. An external supervisor (read-only,
// S7) may therefore create a token for a machine that reads, and that
// token is read-only too — its principal holds only read-only roles, so
// the guard refuses it every Write route.
package authweb

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/auth"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

// Frame puts a page's content into the site's layout; *web.Frame is one.
type Frame interface {
	// Page writes a complete HTML page with the given title and content.
	Page(w http.ResponseWriter, r *http.Request, status int, title string, content template.HTML)
	// CSRFToken is the token every form carries in the field auth.CSRFField.
	CSRFToken(r *http.Request) string
}

//go:embed templates/*.html
var templateFS embed.FS

// pageNames are the pages; each file defines "title" and "content".
var pageNames = []string{"accounts", "account", "tokens", "error"}

type pages map[string]*template.Template

func parsePages() (pages, error) {
	funcs := template.FuncMap{
		"t": func(lang, key string, args ...any) string { return msg(lang, key, args...) },
		"roleName": func(lang string, r auth.Role) string {
			if lang == httpx.LangEn {
				return string(r)
			}
			return org.RoleZh(r)
		},
		"when": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(cst).Format("2006-01-02 15:04")
		},
		"deref": func(t *time.Time) time.Time {
			if t == nil {
				return time.Time{}
			}
			return *t
		},
		// rowView passes a row and the language to the shared "state" template.
		"rowView": func(lang string, row StaffAccount) rowView { return rowView{Lang: lang, Row: row} },
		"hasRole": func(rs []auth.Role, r auth.Role) bool {
			for _, x := range rs {
				if x == r {
					return true
				}
			}
			return false
		},
	}
	base, err := template.New("").Funcs(funcs).ParseFS(templateFS, "templates/common.html")
	if err != nil {
		return nil, err
	}
	out := pages{}
	for _, name := range pageNames {
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := t.ParseFS(templateFS, "templates/"+name+".html"); err != nil {
			return nil, err
		}
		out[name] = t
	}
	return out, nil
}

// rowView is what the shared "state" template receives.
type rowView struct {
	Lang string
	Row  StaffAccount
}

// cst is China Standard Time, in which the pages show times: the users'
// clock, whatever the server's zone.
var cst = time.FixedZone("CST", 8*3600)

type handlers struct {
	svc   *auth.Service
	orgs  *org.Service
	frame Frame
	pages pages
}

var (
	admins      = []auth.Role{auth.RoleAdmin}
	accountTags = []string{"accounts"}
	tokenTags   = []string{"tokens"}
)

// Routes returns the account administration and API token routes, pages
// and API, with their policies.
func Routes(svc *auth.Service, orgs *org.Service, frame Frame) ([]httpx.Route, error) {
	if svc == nil || orgs == nil || frame == nil {
		return nil, fmt.Errorf("authweb: Routes needs the account service, the organisation and a frame")
	}
	ps, err := parsePages()
	if err != nil {
		return nil, fmt.Errorf("authweb: templates: %w", err)
	}
	h := &handlers{svc: svc, orgs: orgs, frame: frame, pages: ps}
	return append(h.accountRoutes(), h.tokenRoutes()...), nil
}

// scopeStaff is the jurisdiction of routes addressing …/staff/{id}: the
// staff member's body.
func (h *handlers) scopeStaff(r *http.Request) (string, error) {
	id := pathID(r)
	if id <= 0 {
		return "", apperr.NotFoundf("没有该人员", "no such staff member")
	}
	return h.orgs.PathOf(r.Context(), "staff", id)
}

// scopeAccount is the jurisdiction of routes addressing …/accounts/{id}:
// the body of the account's staff member.
func (h *handlers) scopeAccount(r *http.Request) (string, error) {
	id := pathID(r)
	if id <= 0 {
		return "", apperr.NotFoundf("账号不存在", "no such account")
	}
	staff, err := h.svc.AccountStaff(r.Context(), id)
	if err != nil {
		return "", err
	}
	return h.orgs.PathOf(r.Context(), "staff", staff)
}

// view is what every page template receives.
type view struct {
	Lang      string
	CSRFField string
	CSRFToken string
	Errors    []string // messages of the failed action, in Lang, each naming its field
	Notice    string
	Data      any
}

// render writes a page; failure, when set, is the error of the action the
// page answers (its status wins, its messages are listed).
func (h *handlers) render(w http.ResponseWriter, r *http.Request, status int, page string, data any, failure error) {
	lang := httpx.LangFrom(r.Context())
	v := view{Lang: lang, CSRFField: auth.CSRFField, CSRFToken: h.frame.CSRFToken(r), Data: data,
		Notice: noticeText(lang, r.URL.Query().Get("done"))}
	if failure != nil {
		s, body := api.Describe(r, failure)
		status = s
		if len(body.Errors) > 0 {
			for _, e := range body.Errors {
				v.Errors = append(v.Errors, fieldMessage(lang, e.Field, e.Message))
			}
		} else {
			v.Errors = []string{fieldMessage(lang, body.Field, body.Message)}
		}
	}
	t := h.pages[page]
	var title, content bytes.Buffer
	if err := t.ExecuteTemplate(&title, "title", v); err != nil {
		h.internal(w, r, err)
		return
	}
	if err := t.ExecuteTemplate(&content, "content", v); err != nil {
		h.internal(w, r, err)
		return
	}
	// content comes from html/template, so it is already escaped.
	h.frame.Page(w, r, status, title.String(), template.HTML(content.String()))
}

// fieldMessage prefixes a message with the name of the form field it
// concerns, so the user sees which input to fix.
func fieldMessage(lang, field, message string) string {
	if field == "" {
		return message
	}
	if _, ok := messages["field."+field]; !ok {
		return field + ": " + message
	}
	if lang == httpx.LangEn {
		return msg(lang, "field."+field) + ": " + message
	}
	return msg(lang, "field."+field) + "：" + message
}

func (h *handlers) internal(w http.ResponseWriter, r *http.Request, err error) {
	httpx.LoggerFrom(r.Context()).Error("render account page", "error", err)
	http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
}

// fail shows an error page for a request that has no page of its own to
// return to.
func (h *handlers) fail(w http.ResponseWriter, r *http.Request, err error) {
	h.render(w, r, http.StatusInternalServerError, "error", nil, err)
}

// done redirects after a successful action (POST, redirect, GET) with a
// notice for the next page.
func done(w http.ResponseWriter, r *http.Request, to, notice string) {
	http.Redirect(w, r, to+"?done="+url.QueryEscape(notice), http.StatusSeeOther)
}

func noticeText(lang, key string) string {
	if key == "" {
		return ""
	}
	if _, ok := messages["done."+key]; !ok {
		return ""
	}
	return msg(lang, "done."+key)
}

func pathID(r *http.Request) int64 {
	n, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0
	}
	return n
}

// parseForm reads a small form (a login, a password, a token's name).
func parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return apperr.Invalidf("form", "表单无法读取", "the form cannot be read")
	}
	return nil
}

func principal(r *http.Request) auth.Principal { return httpx.PrincipalFrom(r.Context()) }

// noStore keeps a response out of every cache: it may show a secret (a new
// token) or account details.
func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
}

// trimmed returns s without surrounding blanks (form fields).
func trimmed(r *http.Request, name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
