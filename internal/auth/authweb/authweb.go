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
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/auth"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/web/httpx"
	"github.com/qingdan/qingdan/internal/web/page"
)

// Frame puts a page's content into the site's layout; *web.Frame is one.
type Frame = page.Frame

//go:embed templates/*.html
var templateFS embed.FS

// pageNames are the pages; each file defines "title" and "content".
var pageNames = []string{"accounts", "account", "tokens", "error"}

func parsePages() (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"roleName": func(lang string, r access.Role) string {
			if lang == httpx.LangEn {
				return org.RoleEn(r)
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
		"role":    func(s string) access.Role { return access.Role(s) },
		"hasRole": func(rs []access.Role, r access.Role) bool {
			for _, x := range rs {
				if x == r {
					return true
				}
			}
			return false
		},
	}
	return page.Parse(templateFS, messages, funcs, pageNames...)
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
	*page.Kit
	svc  *auth.Service
	orgs *org.Service
}

var (
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
	h := &handlers{Kit: &page.Kit{Frame: frame, Pages: ps, Messages: messages, What: "account page"}, svc: svc, orgs: orgs}
	return append(h.accountRoutes(), h.tokenRoutes()...), nil
}

// scopeStaff is the jurisdiction of routes addressing …/staff/{id}: the
// staff member's body.
func (h *handlers) scopeStaff(r *http.Request) (string, error) {
	id := page.PathID(r)
	if id <= 0 {
		return "", apperr.NotFoundf("authweb.no_such_staff_member")
	}
	return h.orgs.PathOf(r.Context(), "staff", id)
}

// scopeAccount is the jurisdiction of routes addressing …/accounts/{id}:
// the body of the account's staff member.
func (h *handlers) scopeAccount(r *http.Request) (string, error) {
	id := page.PathID(r)
	if id <= 0 {
		return "", apperr.NotFoundf("authweb.no_such_account")
	}
	staff, err := h.svc.AccountStaff(r.Context(), id)
	if err != nil {
		return "", err
	}
	return h.orgs.PathOf(r.Context(), "staff", staff)
}

func principal(r *http.Request) access.Principal { return httpx.PrincipalFrom(r.Context()) }

// noStore keeps a response out of every cache: it may show a secret (a new
// token) or account details.
func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
}

// trimmed returns s without surrounding blanks (form fields).
func trimmed(r *http.Request, name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
