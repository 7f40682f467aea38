// Package httpx is the contract every qingdan HTTP handler sees, shared by
// the HTML pages (package web) and the JSON API (package api): a route and
// its permission policy, and what the middleware puts in the request context
// (principal, request ID, language, logger). It imports no domain package
// besides auth, so both adapters can use it without importing each other.
package httpx

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/qingdan/qingdan/internal/access"
)

// Policy is who may use a route. It is checked before the handler runs, in
// one place (web.Server's guard), so a test can enumerate every route with
// its policy.
type Policy struct {
	// Public routes need no login. All others refuse the anonymous: HTML
	// pages redirect to /login?next=…, API routes answer 401.
	Public bool
	// Roles, when set, are the roles of which the principal needs at least
	// one. Empty means any logged-in principal.
	Roles []access.Role
	// Duty, when set, is the administrative duty the route needs
	// (auth.Principal.Can): with duties separated (三员分立) an
	// administrator role in Roles is not enough by itself.
	Duty access.Duty
	// Write marks a route that changes data. Read-only principals (external
	// supervisors, S7) are refused on it. Every route with an unsafe method
	// must set Write or Self; the server refuses to start otherwise.
	Write bool
	// Self marks an unsafe-method route that acts only on the caller's own
	// session or account (login, logout, password change, language), which a
	// read-only principal may still do.
	Self bool
	// AllowPending lets a principal who must change their password reach the
	// route (the change-password page itself, logout). Everything else sends
	// them to the change-password page first.
	AllowPending bool
	// ExternalReport marks the one kind of write a read-only principal
	// (an external supervisor, S7) may make: reporting a problem, which
	// lands on the rectification list. It lets them past the read-only
	// refusal and nothing else — the route must be Write and name exactly
	// the external supervisor's role (the server refuses to start
	// otherwise), so it cannot open any other route to them, and what it
	// writes is a report about others, never a right of their own.
	ExternalReport bool
	// Stateless routes never look at the session (static files, health,
	// metrics), so they cost no database access. Only for Public routes.
	Stateless bool
	// Scope, when set, returns the materialised path of the body owning the
	// object the request addresses; the principal must cover it (O1) or gets
	// 403. An error (an apperr NotFound, typically) is answered as is.
	Scope func(r *http.Request) (bodyPath string, err error)
}

// Route is one registered endpoint: a ServeMux pattern with its method
// ("GET /cases/{id}"), its policy and its handler.
type Route struct {
	Pattern string
	Policy  Policy
	Handler http.Handler
	// Nav, when set on a GET route, puts a link to it in the navigation of
	// every principal the policy admits.
	Nav *Nav
	// Doc describes an API route for the OpenAPI document. Every route under
	// /api/v1/ must have one; the server refuses to start otherwise.
	Doc *Doc
	// MaxBody is the largest request body the route accepts, in bytes; 0
	// means MaxFormBody for a page and MaxAPIBody for the API. The server
	// refuses a larger body with 413 whatever the handler does with it.
	MaxBody int64
	// Import marks a route that takes a file to import. The server counts
	// such requests against the imports it runs at once (429 beyond) and
	// reads their multipart form only after the principal passed the
	// policy, so nobody else makes it parse an upload.
	Import bool
}

// Default body limits of a route without MaxBody: a page's form, an API
// request's JSON.
const (
	MaxFormBody = 64 << 10
	MaxAPIBody  = 1 << 20
)

// ValidText reports whether s may be stored as text on both databases:
// UTF-8 without NUL. PostgreSQL refuses anything else (SQLSTATE 22021)
// where SQLite would store it raw, so the edge refuses it first.
func ValidText(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// BodyLimit is the largest request body the route accepts.
func (rt Route) BodyLimit() int64 {
	switch {
	case rt.MaxBody > 0:
		return rt.MaxBody
	case rt.IsAPI():
		return MaxAPIBody
	}
	return MaxFormBody
}

// Method returns the route's method ("GET" when the pattern has none).
func (rt Route) Method() string {
	if m, _, ok := strings.Cut(rt.Pattern, " "); ok {
		return m
	}
	return http.MethodGet
}

// Path returns the pattern without its method.
func (rt Route) Path() string {
	if _, p, ok := strings.Cut(rt.Pattern, " "); ok {
		return strings.TrimSpace(p)
	}
	return rt.Pattern
}

// IsAPI reports whether the route belongs to the JSON API (errors as JSON).
func (rt Route) IsAPI() bool { return IsAPIPath(rt.Path()) }

// IsAPIPath reports whether a URL path is under the JSON API.
func IsAPIPath(p string) bool { return p == "/api" || strings.HasPrefix(p, "/api/") }

// Nav is a navigation entry. Label is a message key; entries are sorted by
// Order, then label.
type Nav struct {
	Label string
	Order int
}

// Doc describes an API operation. Path parameters come from the pattern's
// wildcards; their descriptions may be given in Params.
type Doc struct {
	Summary     string
	Description string
	Tags        []string
	// Params are query parameters (In "query") or descriptions of path
	// parameters (In "path").
	Params []Param
	// Request is a value of the request body's Go type (nil: no body).
	Request any
	// Response is a value of the 2xx response body's Go type (nil: no body).
	Response any
	// Status is the success status (default 200).
	Status int
	// Raw marks a response that is not a Go value rendered as JSON (the
	// OpenAPI document itself); its schema is a free-form object.
	Raw bool
	// Versioned marks a route on an object that carries a version
	// (concurrent edits, docs/INTERNALS.md): a GET answers with the
	// version as ETag; a PUT or PATCH requires it as If-Match (428 without,
	// 409 with the current object when stale); another write accepts it.
	Versioned bool
}

// Param is one operation parameter.
type Param struct {
	Name        string
	In          string // "query" or "path"
	Description string
	Required    bool
	Type        string // "string", "integer", "boolean" (default string)
}

type ctxKey int

const (
	keyPrincipal ctxKey = iota
	keyRequestID
	keyLang
	keyLogger
)

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p access.Principal) context.Context {
	return context.WithValue(ctx, keyPrincipal, p)
}

// PrincipalFrom returns the principal of the request (anonymous if none).
func PrincipalFrom(ctx context.Context) access.Principal {
	p, _ := ctx.Value(keyPrincipal).(access.Principal)
	return p
}

// WithRequestID returns ctx carrying the request ID.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, keyRequestID, id)
}

// RequestIDFrom returns the request ID ("" outside a request).
func RequestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(keyRequestID).(string)
	return id
}

// Languages the interface speaks; the first is the default.
const (
	LangZh = "zh"
	LangEn = "en"
)

// WithLang returns ctx carrying the negotiated language.
func WithLang(ctx context.Context, lang string) context.Context {
	return context.WithValue(ctx, keyLang, lang)
}

// LangFrom returns the request's language, Chinese by default.
func LangFrom(ctx context.Context) string {
	if l, ok := ctx.Value(keyLang).(string); ok && l != "" {
		return l
	}
	return LangZh
}

// WithLogger returns ctx carrying a logger (already tagged with the request ID).
func WithLogger(ctx context.Context, l *slog.Logger) context.Context {
	return context.WithValue(ctx, keyLogger, l)
}

// LoggerFrom returns the request's logger, or slog.Default outside a request.
func LoggerFrom(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(keyLogger).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}
