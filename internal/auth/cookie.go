package auth

import (
	"net/http"
	"time"
)

// DefaultSessionCookie is the session cookie's name.
const DefaultSessionCookie = "qingdan_session"

// CookieOptions set how the session cookie is written (issue #2 item 6).
type CookieOptions struct {
	// Name of the cookie; "" means DefaultSessionCookie.
	Name string
	// Secure forces the Secure attribute even on a plain-HTTP request: set it
	// when TLS ends at a reverse proxy in front of qingdan. Without it the
	// attribute follows the request (r.TLS != nil).
	Secure bool
}

func (o CookieOptions) name() string {
	if o.Name == "" {
		return DefaultSessionCookie
	}
	return o.Name
}

func (o CookieOptions) secure(r *http.Request) bool { return o.Secure || r.TLS != nil }

// Set writes the session cookie carrying token: HttpOnly so page scripts
// cannot read it, SameSite=Lax so other sites' forms do not send it, Secure
// over TLS, Path=/. It has no Max-Age: it ends when the browser closes, which
// matters on the shared PCs of a service hall; the server's idle and absolute
// timeouts bound it anyway.
func (o CookieOptions) Set(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{
		Name:     o.name(),
		Value:    token,
		Path:     "/",
		HttpOnly: true,
		Secure:   o.secure(r),
		SameSite: http.SameSiteLaxMode,
	})
}

// Clear tells the browser to drop the session cookie (logout).
func (o CookieOptions) Clear(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{
		Name:     o.name(),
		Value:    "",
		Path:     "/",
		MaxAge:   -1,
		Expires:  time.Unix(0, 0),
		HttpOnly: true,
		Secure:   o.secure(r),
		SameSite: http.SameSiteLaxMode,
	})
}

// Read returns the session token the request carries, or "".
func (o CookieOptions) Read(r *http.Request) string {
	c, err := r.Cookie(o.name())
	if err != nil {
		// http.ErrNoCookie is the only error Cookie returns: no session.
		return ""
	}
	return c.Value
}
