// Package webtest is the test kit for qingdan's HTTP layer: in-memory fakes
// of the server's dependencies, a fixture organisation with a principal of
// every kind, and a scenario runner (name, method, URL, principal, body →
// status, body contains) that route × role × jurisdiction tables use.
// Feature tests extend the tables with their own routes and scenarios.
package webtest

import (
	"bytes"
	"context"
	"crypto/subtle"
	"github.com/qingdan/qingdan/internal/api"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/web"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

// The fixture organisation: a district with two towns, a community in
// town A. Paths are materialised like bodies.path.
const (
	District   = "/1/"
	TownA      = "/1/2/"
	TownB      = "/1/3/"
	CommunityA = "/1/2/5/"
)

// Principal names of the fixture, one per kind of user.
const (
	Anonymous     = ""
	Admin         = "admin"          // district administrator
	DistrictSuper = "district_super" // supervisor at the district: covers both towns
	WindowA       = "window_a"       // window staff of town A
	StaffA        = "staff_a"        // unit staff of town A
	StaffB        = "staff_b"        // unit staff of town B
	LiaisonA      = "liaison_a"      // list liaison of town A
	OfficeA       = "office_a"       // general office of town A
	LeaderA       = "leader_a"       // leader of town A
	ExternalA     = "external_a"     // external supervisor (read-only) of town A
	PendingA      = "pending_a"      // town A staff who must change the initial password
)

// Password of every fixture account.
const Password = "correct horse battery"

// CSRFToken is the token the fake CSRF protection hands out and expects.
const CSRFToken = "test-csrf-token"

// Principals returns the fixture principals by name.
func Principals() map[string]access.Principal {
	mk := func(id int64, login, path string, roles ...access.Role) access.Principal {
		return access.Principal{AccountID: id, StaffID: id, Login: login, Name: "用户 " + login,
			BodyID: id, BodyPath: path, Roles: roles}
	}
	ps := map[string]access.Principal{
		Admin:         mk(1, Admin, District, access.RoleAdmin),
		DistrictSuper: mk(2, DistrictSuper, District, access.RoleSupervisor),
		WindowA:       mk(3, WindowA, TownA, access.RoleWindow),
		StaffA:        mk(4, StaffA, TownA, access.RoleUnitStaff),
		StaffB:        mk(5, StaffB, TownB, access.RoleUnitStaff),
		LiaisonA:      mk(6, LiaisonA, TownA, access.RoleListLiaison),
		OfficeA:       mk(7, OfficeA, TownA, access.RoleGeneralOffice),
		LeaderA:       mk(8, LeaderA, TownA, access.RoleLeader),
		ExternalA:     mk(9, ExternalA, TownA, access.RoleExternalSupervisor),
		PendingA:      mk(10, PendingA, TownA, access.RoleUnitStaff),
	}
	p := ps[PendingA]
	p.MustChangePassword = true
	ps[PendingA] = p
	return ps
}

// Token is the session/API token of a fixture principal.
func Token(name string) string { return "token-" + name }

// Sessions is an in-memory web.Sessions: tokens from the session cookie or
// an Authorization: Bearer header.
type Sessions struct {
	Cookie string
	mu     sync.Mutex
	byTok  map[string]access.Principal
	// Err, when set, is returned for every request carrying a credential
	// (a database outage).
	Err error
}

// Principal implements web.Sessions.
func (s *Sessions) Principal(r *http.Request) (access.Principal, error) {
	tok := ""
	if h := r.Header.Get("Authorization"); h != "" {
		t, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return access.Principal{}, apperr.New(apperr.Unauthorized, "", "webtest.invalid_credentials")
		}
		tok = t
	} else if c, err := r.Cookie(s.Cookie); err == nil {
		tok = c.Value
	}
	if tok == "" {
		return access.Principal{}, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return access.Principal{}, s.Err
	}
	p, ok := s.byTok[tok]
	if !ok {
		return access.Principal{}, apperr.New(apperr.Unauthorized, "", "webtest.session_expired")
	}
	return p, nil
}

// Put registers a token for p.
func (s *Sessions) Put(token string, p access.Principal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byTok[token] = p
}

func (s *Sessions) drop(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.byTok, token)
}

// update applies f to every session of the account.
func (s *Sessions) update(accountID int64, f func(*access.Principal)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for tok, p := range s.byTok {
		if p.AccountID == accountID {
			f(&p)
			s.byTok[tok] = p
		}
	}
}

// Auth is an in-memory web.Authenticator over the fixture accounts.
type Auth struct {
	Sessions  *Sessions
	mu        sync.Mutex
	passwords map[string]string // login → password
	accounts  map[string]access.Principal
	// LoginIPs records the client address of every login attempt.
	LoginIPs []string
}

// Login implements web.Authenticator.
func (a *Auth) Login(_ context.Context, login, password, ip string) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.LoginIPs = append(a.LoginIPs, ip)
	want, ok := a.passwords[login]
	if !ok || subtle.ConstantTimeCompare([]byte(want), []byte(password)) != 1 {
		return "", apperr.New(apperr.Unauthorized, "password", "webtest.wrong_account_or_password")
	}
	tok := "login-" + login
	a.Sessions.Put(tok, a.accounts[login])
	return tok, nil
}

// Logout implements web.Authenticator.
func (a *Auth) Logout(_ context.Context, token string) error {
	a.Sessions.drop(token)
	return nil
}

// ChangePassword implements web.Authenticator.
func (a *Auth) ChangePassword(_ context.Context, p access.Principal, oldPw, newPw string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.passwords[p.Login] != oldPw {
		return apperr.Invalidf("old_password", "webtest.the_current_password_is_wrong")
	}
	if len(newPw) < 10 {
		return apperr.Invalidf("new_password", "webtest.the_new_password_needs_at_least")
	}
	a.passwords[p.Login] = newPw
	acc := a.accounts[p.Login]
	acc.MustChangePassword = false
	a.accounts[p.Login] = acc
	a.Sessions.update(p.AccountID, func(q *access.Principal) { q.MustChangePassword = false })
	return nil
}

// CSRF is a fake web.CSRF: unsafe requests without a bearer token must
// carry CSRFToken in the form field or the header.
type CSRF struct{}

// Protect implements web.CSRF.
func (CSRF) Protect(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
		default:
			if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") &&
				r.Header.Get(web.CSRFHeader) != CSRFToken && r.PostFormValue(web.CSRFField) != CSRFToken {
				http.Error(w, "csrf", http.StatusForbidden)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// Token implements web.CSRF.
func (CSRF) Token(*http.Request) string { return CSRFToken }

// DB is a fake web.Pinger.
type DB struct {
	mu  sync.Mutex
	err error
}

// Ping implements web.Pinger.
func (d *DB) Ping(context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.err
}

// Fail makes Ping fail with err (nil: healthy again).
func (d *DB) Fail(err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.err = err
}

// Env is a test server with its fakes.
type Env struct {
	Server   *web.Server
	Sessions *Sessions
	Auth     *Auth
	DB       *DB
	// Log collects the server's log (JSON lines).
	Log *SafeBuffer
}

// Cookie is the session cookie name of test servers.
const Cookie = "qingdan_session"

// Options change what New builds.
type Options struct {
	// Routes are extra routes (feature fixtures) behind the same guard.
	Routes []httpx.Route
	// CSRF replaces the fake CSRF protection (e.g. with the real auth.CSRF).
	CSRF web.CSRF
	// Config replaces the default configuration; its Cookie name is kept
	// at Cookie so the fake sessions find it.
	Config *web.Config
	// Audit is the audit log of the transparency page (nil: no page).
	Audit api.AuditLog
	// Portal is the published list of the public portal (nil: no portal).
	Portal web.Portal
	// Frame, Notices and Badges are passed to the server as they are.
	Frame   *web.Frame
	Notices web.Notices
	Badges  web.Badges
}

// New builds a server over fresh fakes, with every fixture principal
// logged in under Token(name), plus extra routes.
func New(t testing.TB, extra ...httpx.Route) *Env {
	t.Helper()
	return NewWith(t, Options{Routes: extra})
}

// NewWith is New with options.
func NewWith(t testing.TB, opts Options) *Env {
	t.Helper()
	sess := &Sessions{Cookie: Cookie, byTok: map[string]access.Principal{}}
	a := &Auth{Sessions: sess, passwords: map[string]string{}, accounts: map[string]access.Principal{}}
	for name, p := range Principals() {
		sess.Put(Token(name), p)
		a.passwords[p.Login] = Password
		a.accounts[p.Login] = p
	}
	buf := &SafeBuffer{}
	log, err := web.NewLoggerLevel(web.LogJSON, buf, slog.LevelDebug)
	if err != nil {
		t.Fatal(err)
	}
	var csrf web.CSRF = CSRF{}
	if opts.CSRF != nil {
		csrf = opts.CSRF
	}
	cfg := web.Config{Version: "test"}
	if opts.Config != nil {
		cfg = *opts.Config
	}
	cfg.Cookie.Name = Cookie
	db := &DB{}
	srv, err := web.New(cfg,
		web.Deps{Logger: log, Sessions: sess, Auth: a, CSRF: csrf, DB: db, Routes: opts.Routes, Audit: opts.Audit, Portal: opts.Portal, Frame: opts.Frame, Notices: opts.Notices, Badges: opts.Badges})
	if err != nil {
		t.Fatal(err)
	}
	return &Env{Server: srv, Sessions: sess, Auth: a, DB: db, Log: buf}
}

// Reset logs every fixture principal in again under Token(name), with its
// fixture state, undoing logouts and password changes of earlier requests.
func (e *Env) Reset() {
	for name, p := range Principals() {
		e.Sessions.Put(Token(name), p)
	}
}

// SafeBuffer is a bytes.Buffer safe for concurrent writes (the log).
type SafeBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SafeBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written.
func (b *SafeBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
