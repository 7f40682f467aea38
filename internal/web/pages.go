package web

import (
	"net/http"
	"time"

	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/auth"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

// maxForm bounds a form body; qingdan's forms are small (uploads will have
// their own limit).
const maxForm = 64 << 10

// requiredPages must exist for the server's own answers.
var requiredPages = []string{"error", "home", "login", "password"}

// pageRoutes are the shell's pages. Feature pages add their own route
// lists beside this one (one file per feature) and append them in New.
func (s *Server) pageRoutes() []httpx.Route {
	return []httpx.Route{
		{Pattern: "GET /{$}", Policy: httpx.Policy{Public: true}, Handler: http.HandlerFunc(s.home),
			Nav: &httpx.Nav{Label: "nav.home", Order: 0}},
		{Pattern: "GET /login", Policy: httpx.Policy{Public: true}, Handler: http.HandlerFunc(s.loginForm)},
		{Pattern: "POST /login", Policy: httpx.Policy{Public: true, Self: true, AllowPending: true}, Handler: http.HandlerFunc(s.login)},
		{Pattern: "POST /logout", Policy: httpx.Policy{Self: true, AllowPending: true}, Handler: http.HandlerFunc(s.logout)},
		{Pattern: "GET /password", Policy: httpx.Policy{AllowPending: true}, Handler: http.HandlerFunc(s.passwordForm),
			Nav: &httpx.Nav{Label: "nav.password", Order: 1000}},
		{Pattern: "POST /password", Policy: httpx.Policy{Self: true, AllowPending: true}, Handler: http.HandlerFunc(s.changePassword)},
		{Pattern: "POST /lang", Policy: httpx.Policy{Public: true, Self: true, AllowPending: true}, Handler: http.HandlerFunc(s.setLang)},
		{Pattern: "GET /static/{file...}", Policy: httpx.Policy{Public: true, Stateless: true}, Handler: http.HandlerFunc(s.static)},
		// Everything else: the friendly 404 (JSON under /api/).
		{Pattern: "/", Policy: httpx.Policy{Public: true}, Handler: http.HandlerFunc(s.notFound)},
	}
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, s.errorf(apperr.NotFound, "", "error.not_found.message"))
}

func (s *Server) static(w http.ResponseWriter, r *http.Request) {
	f, ok := s.assets.lookup(r.PathValue("file"))
	if !ok {
		s.notFound(w, r)
		return
	}
	f.serve(w, r)
}

// loginPage is the data of the login page.
type loginPage struct {
	Login   string
	Next    string
	Error   string // already in the request's language
	Field   string
	Pending bool
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if !httpx.PrincipalFrom(r.Context()).Anonymous() {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, "login", loginPage{Next: next})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if err := s.parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	page := loginPage{Login: r.PostFormValue("login"), Next: safeNext(r.PostFormValue("next"))}
	token, err := s.deps.Auth.Login(auth.WithUserAgent(r.Context(), r.UserAgent()), page.Login, r.PostFormValue("password"), s.clientIP(r))
	if err != nil {
		status, body := api.Describe(r, err)
		if status >= http.StatusInternalServerError {
			s.fail(w, r, err)
			return
		}
		page.Error, page.Field = body.Message, body.Field
		s.render(w, r, status, "login", page)
		return
	}
	// A session this browser had before (another user on a shared counter
	// PC) ends now rather than idling on until its timeout.
	if old := s.cfg.Cookie.Read(r); old != "" && old != token {
		if err := s.deps.Auth.Logout(r.Context(), old); err != nil {
			httpx.LoggerFrom(r.Context()).Warn("ending the previous session at login", "error", err)
		}
	}
	s.cfg.Cookie.Set(w, r, token)
	// A principal who must change the password is sent there by the guard
	// on the next page.
	http.Redirect(w, r, page.Next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if tok := s.cfg.Cookie.Read(r); tok != "" {
		if err := s.deps.Auth.Logout(r.Context(), tok); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.cfg.Cookie.Clear(w, r)
	s.redirect(w, r, "/login")
}

// passwordPage is the data of the change-password page.
type passwordPage struct {
	Forced bool
	Error  string
	Field  string
}

func (s *Server) passwordForm(w http.ResponseWriter, r *http.Request) {
	p := httpx.PrincipalFrom(r.Context())
	s.render(w, r, http.StatusOK, "password", passwordPage{Forced: p.MustChangePassword})
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) {
	if err := s.parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	p := httpx.PrincipalFrom(r.Context())
	oldPw, newPw := r.PostFormValue("old_password"), r.PostFormValue("new_password")
	var err error
	if newPw != r.PostFormValue("confirm_password") {
		err = s.errorf(apperr.Invalid, "confirm_password", "password.mismatch")
	} else {
		err = s.deps.Auth.ChangePassword(r.Context(), p, oldPw, newPw)
	}
	if err != nil {
		status, body := api.Describe(r, err)
		if status >= http.StatusInternalServerError {
			s.fail(w, r, err)
			return
		}
		s.render(w, r, status, "password", passwordPage{Forced: p.MustChangePassword, Error: body.Message, Field: body.Field})
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) setLang(w http.ResponseWriter, r *http.Request) {
	if err := s.parseForm(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	lang := r.PostFormValue("lang")
	known := false
	for _, l := range Langs {
		known = known || l == lang
	}
	if !known {
		s.fail(w, r, s.errorf(apperr.Invalid, "lang", "lang.unknown"))
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: LangCookie, Value: lang, Path: "/", MaxAge: int((365 * 24 * time.Hour).Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil || s.cfg.Cookie.Secure,
	})
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

// parseForm reads a bounded urlencoded or multipart form.
func (s *Server) parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		e := s.errorf(apperr.Invalid, "", "form.unreadable")
		e.Err = err
		return e
	}
	return nil
}
