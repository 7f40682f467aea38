package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

// errMustChange refuses a principal who must change their password first.
var errMustChange = errors.New("web: password change required")

// guard wraps a route's handler with its policy: the one place where
// permissions are checked (O3).
func (s *Server) guard(rt httpx.Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if st := stateFrom(r.Context()); st != nil {
			st.route = r.Pattern
			st.quiet = rt.Policy.Stateless
		}
		if rt.Policy.Stateless {
			rt.Handler.ServeHTTP(w, r)
			return
		}
		p, err := s.deps.Sessions.Principal(r)
		if err != nil {
			if !rt.Policy.Public {
				s.refuse(w, r, rt, err)
				return
			}
			// A stale cookie or a database hiccup must not lock anyone out
			// of the public pages (the login page above all): serve them as
			// to the anonymous.
			if apperr.CodeOf(err) != apperr.Unauthorized {
				httpx.LoggerFrom(r.Context()).Warn("loading principal", "error", err)
			}
			p = access.Principal{}
		}
		r = r.WithContext(httpx.WithPrincipal(r.Context(), p))
		if err := s.authorize(rt.Policy, p, r); err != nil {
			s.refuse(w, r, rt, err)
			return
		}
		if rt.Import {
			st := stateFrom(r.Context())
			if !s.takeImport(st) {
				w.Header().Set("Retry-After", strconv.Itoa(importRetrySeconds))
				s.refuse(w, r, rt, s.errorf(apperr.TooMany, "", "error.imports_busy", s.cfg.MaxImports))
				return
			}
			defer func() {
				if st.importDone != nil {
					st.importDone()
				}
			}()
			// Read only now that the principal may import (edge.go).
			if err := s.readForm(r, rt.BodyLimit()); err != nil {
				s.refuse(w, r, rt, err)
				return
			}
		}
		rt.Handler.ServeHTTP(w, r)
	})
}

// importRetrySeconds is what a refused import is told to wait: imports take
// seconds.
const importRetrySeconds = 10

// takeImport takes one of the server's import slots for the request, or
// reports that all are taken. The guard frees it when the handler returns,
// unless the handler hands it over.
func (s *Server) takeImport(st *reqState) bool {
	select {
	case s.imports <- struct{}{}:
	default:
		return false
	}
	var once sync.Once
	st.importDone = func() { once.Do(func() { <-s.imports }) }
	return true
}

// handOverImport gives the caller the request's import slot, for work that
// outlives the request (an import parsed in the background): the caller
// must call the function returned once that work ends.
func HandOverImport(r *http.Request) func() {
	st := stateFrom(r.Context())
	if st == nil || st.importDone == nil {
		return func() {}
	}
	done := st.importDone
	st.importDone = nil
	return done
}

// authorize applies a policy to a principal. The order makes refusals
// predictable: forced password change, login, read-only, role (and duty),
// jurisdiction.
func (s *Server) authorize(pol httpx.Policy, p access.Principal, r *http.Request) error {
	// A forced password change comes first, public pages included: the
	// home page is where a login lands.
	if !p.Anonymous() && p.MustChangePassword && !pol.AllowPending {
		return errMustChange
	}
	// A read-only principal (S7) writes nowhere, public forms included
	// (the portal's online application).
	if pol.Write && p.ReadOnly() && !pol.ExternalReport {
		return s.errorf(apperr.Forbidden, "", "error.read_only")
	}
	if pol.Public {
		return nil
	}
	if p.Anonymous() {
		return s.errorf(apperr.Unauthorized, "", "error.login_required")
	}
	if len(pol.Roles) > 0 && !p.HasAny(pol.Roles...) || pol.Duty != 0 && !p.Can(pol.Duty) {
		return s.errorf(apperr.Forbidden, "", "error.role")
	}
	if pol.Scope != nil {
		path, err := pol.Scope(r)
		if err != nil {
			return err
		}
		if !p.Covers(path) {
			return s.errorf(apperr.Forbidden, "", "error.jurisdiction")
		}
	}
	return nil
}

// admits reports whether a policy lets p in, leaving out the parts that
// depend on the request (jurisdiction): for navigation.
func (s *Server) admits(pol httpx.Policy, p access.Principal) bool {
	pol.Scope = nil
	return s.authorize(pol, p, nil) == nil
}

// refuse answers a refused request: JSON for the API; for pages, the
// anonymous go to the login page, a forced password change to its page,
// anything else to an error page.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, rt httpx.Route, err error) {
	if rt.IsAPI() {
		if errors.Is(err, errMustChange) {
			err = s.errorf(apperr.Forbidden, "", "error.password_change_required")
		}
		api.WriteError(w, r, err)
		return
	}
	switch {
	case errors.Is(err, errMustChange):
		s.redirect(w, r, "/password")
	case apperr.CodeOf(err) == apperr.Unauthorized:
		next := ""
		if r.Method == http.MethodGet {
			next = r.URL.RequestURI()
		}
		target := "/login"
		if next != "" && next != "/" {
			target += "?next=" + url.QueryEscape(next)
		}
		s.redirect(w, r, target)
	default:
		s.fail(w, r, err)
	}
}

// redirect sends the browser elsewhere after a request: 303 so a POST
// becomes a GET, or HX-Redirect for an htmx request, which would otherwise
// swap the target page into a fragment.
func (s *Server) redirect(w http.ResponseWriter, r *http.Request, target string) {
	if r.Header.Get("HX-Request") == "true" {
		w.Header().Set("HX-Redirect", target)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// safeNext keeps a post-login target on this site: a local absolute path,
// never "//host" or "/\host" which browsers treat as another origin.
func safeNext(next string) string {
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") || strings.HasPrefix(next, `/\`) {
		return "/"
	}
	for _, c := range next {
		if c < 0x20 || c == 0x7f || c == '\\' {
			return "/"
		}
	}
	return next
}
