// Package web is qingdan's HTTP front: the HTML pages (html/template + htmx,
// embedded assets, zh/en messages), the middleware every request crosses
// (request ID, access log, metrics, security headers, panic recovery, CSRF,
// principal and permission checks) and the server that mounts the JSON API
// of package api beside the pages. Every route, page or API, is registered
// with its permission policy in one table (httpx.Route), so tests can
// enumerate routes × roles × jurisdictions.
package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"slices"
	"sort"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/auth"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

// Sessions turns a request into its principal: from the session cookie
// (Config.SessionCookie) or an "Authorization: Bearer" API token. The
// anonymous public is the zero Principal with a nil error. A bad or expired
// credential is an apperr Unauthorized error; anything else is internal.
// For an API token, Roles must already be narrowed to the token's scopes:
// the guard checks Roles only.
type Sessions interface {
	Principal(r *http.Request) (access.Principal, error)
}

// Authenticator is the account service behind the login, logout and
// change-password pages. Errors are apperr errors (Unauthorized for a wrong
// login or password, TooMany for a locked account or throttled IP, Invalid
// with Field "new_password" for a password breaking the rules).
type Authenticator interface {
	// Login checks the credentials and opens a session; the token goes into
	// the session cookie.
	Login(ctx context.Context, login, password, ip string) (token string, err error)
	// Logout ends the session of the token.
	Logout(ctx context.Context, token string) error
	// ChangePassword changes p's password after checking the old one, and
	// clears p's MustChangePassword.
	ChangePassword(ctx context.Context, p access.Principal, oldPassword, newPassword string) error
}

// CSRF protects unsafe requests (http.CrossOriginProtection plus a token
// for old browsers); *auth.CSRF is one. Forms send the token in the field
// CSRFField, htmx in the header CSRFHeader. Requests with an
// Authorization: Bearer token carry no cookie and need no token.
type CSRF interface {
	// Protect wraps the whole router and refuses forged unsafe requests.
	Protect(next http.Handler) http.Handler
	// Token returns the token to embed in r's pages (also for anonymous
	// visitors: the login form needs one).
	Token(r *http.Request) string
}

// Names of the CSRF token in forms and in htmx requests (auth's).
const (
	CSRFField  = auth.CSRFField
	CSRFHeader = auth.CSRFHeader
)

// Pinger reports whether the database is reachable (/readyz).
type Pinger interface {
	Ping(ctx context.Context) error
}

// Config is the server's settings (flags of `qingdan serve`).
type Config struct {
	// Version is shown in the footer and the OpenAPI document.
	Version string
	// Cookie is how the session cookie is named and written; the same
	// options must be given to the auth service that reads it. Its Secure
	// also applies to the language cookie.
	Cookie auth.CookieOptions
	// PublicURL is the address the public reaches the site at (scheme, host,
	// optional path prefix; CheckPublicURL), used in QR codes and links that
	// leave the site. Empty: the request's Host, for tests only — qingdan
	// serve always sets it (--public-url), since a Host header is the
	// client's to choose.
	PublicURL string
	// ClientIPHeader, when set (e.g. "X-Real-IP"), names the header a trusted
	// proxy puts the client address in; otherwise the peer address is used.
	ClientIPHeader string
	// ReadyTimeout bounds the database ping of /readyz (default 2s).
	ReadyTimeout time.Duration
	// PortalPageMemoryMB bounds the item and guide pages kept in memory,
	// in MiB of HTML (an item page is about 5 kB): 0 is the default
	// (DefaultPortalPageMemoryMB), a negative value keeps none.
	PortalPageMemoryMB int
	// MetricsFrom are the networks whose clients (as clientIP sees them)
	// may read /metrics; nil means loopback only. MetricsToken, when set,
	// admits a request from anywhere that carries it as
	// "Authorization: Bearer …" (Prometheus' bearer_token).
	MetricsFrom  []netip.Prefix
	MetricsToken string
	// MaxImports bounds the imports (httpx.Route.Import) running at once,
	// server-wide: the next is refused with 429 and Retry-After. 0 means
	// DefaultMaxImports.
	MaxImports int
	// BodyTimeout and BodyMinRate pace a request body: it may take
	// BodyTimeout plus one second for every BodyMinRate bytes that arrived,
	// so an upload arriving at least that fast goes on as long as it needs,
	// and a client that trickles (or stops) is cut off. 0 means
	// DefaultBodyTimeout, DefaultBodyMinRate.
	BodyTimeout time.Duration
	BodyMinRate int64 // bytes per second
}

// Body pacing defaults: 20 s of grace, then 16 KiB/s (128 kbit/s) on
// average — a 20 MB upload may take 21 minutes, 300 connections trickling
// a byte a second are gone after 20.
const (
	DefaultBodyTimeout = 20 * time.Second
	DefaultBodyMinRate = 16 << 10
)

// DefaultMaxImports lets two imports run at once: reading a workbook takes
// memory (bounded by xlsxlimit) and seconds of CPU.
const DefaultMaxImports = 2

// Loopback are the loopback networks: /metrics' default audience.
var Loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}

// DefaultPortalPageMemoryMB holds about 100,000 item or guide pages. The
// heap they take is about twice the HTML counted (measured: 412 MiB of pages
// in 869 MiB of heap, BENCHMARKS.md): pages of a few kB share spans with
// the garbage of their renders.
const DefaultPortalPageMemoryMB = 512

// Deps are the services the server needs; small interfaces so tests use fakes.
type Deps struct {
	Logger   *slog.Logger
	Sessions Sessions
	Auth     Authenticator
	CSRF     CSRF
	DB       Pinger
	// Registry collects metrics; other packages may register theirs on it.
	// Nil: a new registry with the Go and process collectors.
	Registry *prometheus.Registry
	// Frame, when set, is bound to the server so feature packages can render
	// inside the site layout.
	Frame *Frame
	// Notices, when set, gives banners for logged-in principals' pages.
	Notices Notices
	// Badges, when set, gives the header's links with counts (the inbox)
	// for logged-in principals' pages.
	Badges Badges
	// Audit, when set, is the audit log shown on the public transparency
	// page (public key and latest signed checkpoint).
	Audit api.AuditLog
	// Portal, when set, is the published list behind the public portal
	// (/portal: search, items, service guides); see NewPortal.
	Portal Portal
	// ToDos are the sources of the home page's to-do list (the catalogue's,
	// cases, supervision …), in the order the list shows them on equal dates.
	ToDos []ToDoSource
	// Routes are extra routes built outside this package (by the binary's
	// wiring, or by tests); they go through the same policy checks.
	Routes []httpx.Route
}

// Server is the HTTP handler of `qingdan serve`. Graceful shutdown is the
// caller's (http.Server.Shutdown).
type Server struct {
	cfg    Config
	deps   Deps
	log    *slog.Logger
	cat    catalogue
	assets *assets
	// pages are the page templates by name, the same in every language:
	// messages are looked up as the page renders (View.T).
	pages  map[string]*pageTemplate
	routes []httpx.Route
	nav    []httpx.Route
	// mux routes requests; byPattern finds a route by its pattern, for the
	// edge's checks before the router runs (edge.go).
	mux       *http.ServeMux
	byPattern map[string]httpx.Route
	spec      *api.Spec
	metrics   *metrics
	handler   http.Handler
	// portalCache keeps rendered public portal pages (renderPortal) for
	// a few seconds; itemPages keeps item and guide pages for as long as
	// the portal's generation stands.
	portalCache *pageCache
	itemPages   *pageCache
	// imports holds a token for each import running (Config.MaxImports).
	imports chan struct{}
}

// New builds the server: it parses every template, loads the messages and
// assets, and registers every route, failing on the first problem so that a
// broken build never starts serving.
func New(cfg Config, deps Deps) (*Server, error) {
	if cfg.PublicURL != "" {
		if err := CheckPublicURL(cfg.PublicURL); err != nil {
			return nil, fmt.Errorf("web: public URL: %w", err)
		}
	}
	var missing []string
	if deps.Logger == nil {
		missing = append(missing, "Logger")
	}
	if deps.Sessions == nil {
		missing = append(missing, "Sessions")
	}
	if deps.Auth == nil {
		missing = append(missing, "Auth")
	}
	if deps.CSRF == nil {
		missing = append(missing, "CSRF")
	}
	if deps.DB == nil {
		missing = append(missing, "DB")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("web: missing dependencies %v", missing)
	}
	if cfg.ReadyTimeout <= 0 {
		cfg.ReadyTimeout = 2 * time.Second
	}
	if cfg.Version == "" {
		cfg.Version = "dev"
	}
	if cfg.MetricsFrom == nil {
		cfg.MetricsFrom = Loopback
	}
	if cfg.MaxImports <= 0 {
		cfg.MaxImports = DefaultMaxImports
	}
	if cfg.BodyTimeout <= 0 {
		cfg.BodyTimeout = DefaultBodyTimeout
	}
	if cfg.BodyMinRate <= 0 {
		cfg.BodyMinRate = DefaultBodyMinRate
	}
	s := &Server{cfg: cfg, deps: deps, log: deps.Logger, spec: &api.Spec{},
		portalCache: newPageCache(portalCacheEntries, portalCacheBytes, portalCacheTTL),
		itemPages:   newItemPageCache(cfg.PortalPageMemoryMB),
		imports:     make(chan struct{}, cfg.MaxImports)}
	var err error
	if s.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	if s.pages, err = parseTemplates(s.assets); err != nil {
		return nil, err
	}
	reg := deps.Registry
	if reg == nil {
		reg = prometheus.NewRegistry()
		if err := reg.Register(collectors.NewGoCollector()); err != nil {
			return nil, fmt.Errorf("web: metrics: %w", err)
		}
		if err := reg.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})); err != nil {
			return nil, fmt.Errorf("web: metrics: %w", err)
		}
	}
	if s.metrics, err = newMetrics(reg); err != nil {
		return nil, err
	}

	routes := slices.Concat(s.pageRoutes(), s.transparencyRoutes(), s.portalRoutes(), s.opsRoutes(reg), api.Routes(s.spec), deps.Routes)
	mux := http.NewServeMux()
	s.byPattern = make(map[string]httpx.Route, len(routes))
	for _, rt := range routes {
		if err := s.check(rt); err != nil {
			return nil, err
		}
		if err := handle(mux, rt.Pattern, s.guard(rt)); err != nil {
			return nil, err
		}
		s.byPattern[rt.Pattern] = rt
		if rt.Nav != nil {
			s.nav = append(s.nav, rt)
		}
	}
	s.routes, s.mux = routes, mux
	sort.SliceStable(s.nav, func(i, j int) bool { return s.nav[i].Nav.Order < s.nav[j].Nav.Order })
	if err := s.spec.Build(api.Info{
		Title:         "qingdan API",
		Version:       cfg.Version,
		Description:   "权责清单运行平台 JSON API. Errors: {code, message, field}; message language follows Accept-Language.",
		SessionCookie: cookieName(cfg.Cookie),
	}, routes); err != nil {
		return nil, err
	}
	s.handler = s.middleware(deps.CSRF.Protect(mux))
	if deps.Frame != nil {
		deps.Frame.s.Store(s)
	}
	return s, nil
}

// cookieName is the session cookie's name under the options.
func cookieName(o auth.CookieOptions) string {
	if o.Name == "" {
		return auth.DefaultSessionCookie
	}
	return o.Name
}

// Deny answers a refused request with the server's error page or JSON
// error; give it to auth.CSRF.Deny so CSRF refusals look like the rest. A
// form whose body passed its limit before the CSRF check found a token is
// refused as too large, which is what went wrong.
func (s *Server) Deny(w http.ResponseWriter, r *http.Request, err *apperr.Error) {
	if st := stateFrom(r.Context()); st != nil && st.tooLarge > 0 {
		err = s.tooLarge(st.tooLarge)
	}
	s.fail(w, r, err)
}

// handle registers a pattern, turning ServeMux's panic on a bad or
// conflicting pattern into an error.
func handle(mux *http.ServeMux, pattern string, h http.Handler) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("web: route %q: %v", pattern, p)
		}
	}()
	mux.Handle(pattern, h)
	return nil
}

// check enforces the rules of the route table at start.
func (s *Server) check(rt httpx.Route) error {
	p := rt.Policy
	switch {
	case rt.Handler == nil:
		return fmt.Errorf("web: route %q has no handler", rt.Pattern)
	case !safeMethod(rt.Method()) && !p.Write && !p.Self:
		return fmt.Errorf("web: route %q has an unsafe method but neither Write nor Self", rt.Pattern)
	case safeMethod(rt.Method()) && (p.Write || p.Self):
		return fmt.Errorf("web: route %q is a %s but marked Write or Self: reads must not change data", rt.Pattern, rt.Method())
	case p.Write && p.Self:
		return fmt.Errorf("web: route %q is both Write and Self", rt.Pattern)
	case p.Stateless && !p.Public:
		return fmt.Errorf("web: route %q is Stateless but not Public", rt.Pattern)
	case p.Scope != nil && p.Public:
		return fmt.Errorf("web: route %q has a Scope but is Public", rt.Pattern)
	case p.ExternalReport && (!p.Write || p.Public || len(p.Roles) != 1 || p.Roles[0] != access.RoleExternalSupervisor):
		return fmt.Errorf("web: route %q is an ExternalReport but not a Write for exactly the external supervisor's role", rt.Pattern)
	case p.Public && len(p.Roles) > 0:
		return fmt.Errorf("web: route %q is Public but lists roles", rt.Pattern)
	case rt.IsAPI() && rt.Doc == nil:
		return fmt.Errorf("web: API route %q has no Doc", rt.Pattern)
	}
	for _, role := range p.Roles {
		if _, ok := access.ParseRole(string(role)); !ok {
			return fmt.Errorf("web: route %q names unknown role %q", rt.Pattern, role)
		}
	}
	if rt.Nav != nil {
		if rt.Method() != http.MethodGet || p.Scope != nil || len(api.PathParams(rt.Path())) > 0 {
			return fmt.Errorf("web: navigation route %q must be a GET without parameters or scope", rt.Pattern)
		}
		if !s.cat.has(rt.Nav.Label) {
			return fmt.Errorf("web: navigation route %q: no message %q", rt.Pattern, rt.Nav.Label)
		}
	}
	return nil
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Routes returns every registered route with its policy (for tests and docs).
func (s *Server) Routes() []httpx.Route { return slices.Clone(s.routes) }

// errorf builds an apperr error of the given code from one of web's message
// keys: refusals by the web layer speak from the catalogue too.
func (s *Server) errorf(code apperr.Code, field, key string, args ...any) *apperr.Error {
	return apperr.New(code, field, webPrefix+key, args...)
}
