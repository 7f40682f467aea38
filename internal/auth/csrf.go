package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"

	"github.com/qingdan/qingdan/internal/apperr"
)

// CSRF field, header and cookie names.
const (
	CSRFField  = "csrf_token"   // form field
	CSRFHeader = "X-CSRF-Token" // header (htmx: hx-headers)
	// CSRFCookie carries a random pre-session identifier for visitors without
	// a session (the login form, public forms), so their forms get a token too.
	CSRFCookie = "qingdan_csrf"
)

// CSRF protects unsafe requests from cross-site forgery in two layers:
//
//  1. http.CrossOriginProtection refuses requests whose Sec-Fetch-Site or
//     Origin header shows another origin. Every browser since 2023 sends one
//     of them.
//  2. The old browsers still found on government intranets send neither, and
//     CrossOriginProtection lets such requests through (it cannot tell them
//     from same-origin ones). For them the request must carry a token — the
//     HMAC of the session identifier under a server key — in the form field
//     csrf_token or the header X-CSRF-Token. A cross-site page cannot read
//     the token, so it cannot forge it.
//
// Requests authenticated by "Authorization: Bearer …" are exempt: browsers
// never attach that header on their own, so a forged request cannot carry it.
// This is only sound if the principal of such a request comes from the token
// alone, never from a cookie it also carries — the authentication middleware
// must ignore cookies when an Authorization header is present.
type CSRF struct {
	key []byte
	cop *http.CrossOriginProtection
	// SessionID returns the session identifier of r (e.g. the session
	// cookie's value) or "" when r has no session.
	sessionID func(*http.Request) string
	// Cookie options for the pre-session cookie (its Secure attribute).
	Cookie CookieOptions
	// Deny writes the refusal; nil writes a bilingual 403 in plain text.
	Deny func(w http.ResponseWriter, r *http.Request, err *apperr.Error)
}

// NewCSRF returns a CSRF middleware keyed by key (at least 32 random bytes,
// kept in the data directory so tokens survive restarts and are shared by
// instances) that reads the session identifier with sessionID.
func NewCSRF(key []byte, sessionID func(*http.Request) string) (*CSRF, error) {
	if len(key) < 32 {
		return nil, errors.New("auth: CSRF key must have at least 32 bytes")
	}
	if sessionID == nil {
		return nil, errors.New("auth: CSRF needs a session identifier function")
	}
	return &CSRF{key: append([]byte(nil), key...), cop: http.NewCrossOriginProtection(), sessionID: sessionID}, nil
}

// AddTrustedOrigin allows cross-origin requests from origin (scheme://host[:port]),
// e.g. when a reverse proxy presents another host name than the one qingdan sees.
func (c *CSRF) AddTrustedOrigin(origin string) error { return c.cop.AddTrustedOrigin(origin) }

// mac returns the token for an identifier in a domain ("s" session, "a" pre-session).
func (c *CSRF) mac(domain, id string) string {
	m := hmac.New(sha256.New, c.key)
	m.Write([]byte("qingdan csrf\x00" + domain + "\x00" + id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

type csrfCtxKey struct{}

// csrfState lets Token set the pre-session cookie once per request.
type csrfState struct {
	w    http.ResponseWriter
	anon string // pre-session identifier, set or read during this request
}

// Token returns the token forms and htmx requests of r must carry. For a
// request without a session it uses the pre-session cookie, setting one
// (once per request) if r has none; this needs r to have passed through
// Protect. Outside Protect a request without a session gets "".
func (c *CSRF) Token(r *http.Request) string {
	if sid := c.sessionID(r); sid != "" {
		return c.mac("s", sid)
	}
	st, _ := r.Context().Value(csrfCtxKey{}).(*csrfState)
	if st == nil {
		return ""
	}
	if st.anon == "" {
		b := make([]byte, 24)
		// crypto/rand.Read never returns an error (it panics on failure since Go 1.24).
		_, _ = rand.Read(b)
		st.anon = base64.RawURLEncoding.EncodeToString(b)
		http.SetCookie(st.w, &http.Cookie{Name: CSRFCookie, Value: st.anon, Path: "/", HttpOnly: true,
			Secure: c.Cookie.secure(r), SameSite: http.SameSiteLaxMode})
	}
	return c.mac("a", st.anon)
}

var errCSRF = apperr.New(apperr.Forbidden, CSRFField, "auth.the_request_could_not_be_verified")

// Protect wraps next (the whole router) with the CSRF checks.
func (c *CSRF) Protect(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := &csrfState{w: w}
		if ck, err := r.Cookie(CSRFCookie); err == nil {
			st.anon = ck.Value
		}
		r = r.WithContext(context.WithValue(r.Context(), csrfCtxKey{}, st))
		if !c.allowed(r, st) {
			c.deny(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (c *CSRF) allowed(r *http.Request, st *csrfState) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	if bearer(r) != "" {
		return true
	}
	if err := c.cop.Check(r); err != nil {
		return false
	}
	if r.Header.Get("Sec-Fetch-Site") != "" || r.Header.Get("Origin") != "" {
		// CrossOriginProtection has positively seen a same-origin request.
		return true
	}
	var want string
	if sid := c.sessionID(r); sid != "" {
		want = c.mac("s", sid)
	} else if st.anon != "" {
		want = c.mac("a", st.anon)
	} else {
		return false
	}
	got := r.Header.Get(CSRFHeader)
	if got == "" {
		// PostFormValue reads only the body, never the query string, so a
		// token never has to travel in a URL (logs, Referer).
		got = r.PostFormValue(CSRFField)
	}
	return got != "" && hmac.Equal([]byte(got), []byte(want))
}

func (c *CSRF) deny(w http.ResponseWriter, r *http.Request) {
	if c.Deny != nil {
		c.Deny(w, r, errCSRF)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusForbidden)
	_, _ = w.Write([]byte(errCSRF.Message("zh") + "\n" + errCSRF.Message("en") + "\n")) // the client is gone if this fails; nothing to do
}

// bearer returns the token of an "Authorization: Bearer …" header, or "".
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// BearerToken returns the token of r's "Authorization: Bearer" header, or "".
func BearerToken(r *http.Request) string { return bearer(r) }
