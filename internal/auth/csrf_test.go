package auth

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func newTestCSRF(t *testing.T) (*CSRF, http.Handler) {
	t.Helper()
	c, err := NewCSRF([]byte(strings.Repeat("k", 32)), CookieOptions{}.Read)
	if err != nil {
		t.Fatal(err)
	}
	h := c.Protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A page handler: renders the token for its form.
		_, _ = w.Write([]byte(c.Token(r)))
	}))
	return c, h
}

func post(h http.Handler, hdr map[string]string, form url.Values, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "http://qingdan.example/cases", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	for _, c := range cookies {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestCSRF_O3(t *testing.T) {
	c, h := newTestCSRF(t)
	sess := &http.Cookie{Name: DefaultSessionCookie, Value: "session-token-1"}
	tok := c.mac("s", "session-token-1")
	withTok := url.Values{CSRFField: {tok}}

	cases := []struct {
		name string
		hdr  map[string]string
		form url.Values
		want int
	}{
		{"cross-origin POST (Sec-Fetch-Site) refused", map[string]string{"Sec-Fetch-Site": "cross-site"}, withTok, 403},
		{"cross-origin POST (Origin) refused", map[string]string{"Origin": "http://evil.example"}, withTok, 403},
		{"same-origin with token accepted", map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "http://qingdan.example"}, withTok, 200},
		{"same-origin Origin only, no token accepted", map[string]string{"Origin": "http://qingdan.example"}, nil, 200},
		{"old browser, no token refused", nil, nil, 403},
		{"old browser, wrong token refused", nil, url.Values{CSRFField: {c.mac("s", "other")}}, 403},
		{"old browser, token in form accepted", nil, withTok, 200},
		{"old browser, token in header accepted", map[string]string{CSRFHeader: tok}, nil, 200},
		{"bearer API request exempt", map[string]string{"Authorization": "Bearer abc"}, nil, 200},
	}
	for _, cs := range cases {
		if w := post(h, cs.hdr, cs.form, sess); w.Code != cs.want {
			t.Errorf("%s: status %d, want %d (%s)", cs.name, w.Code, cs.want, w.Body)
		}
	}
	// A token in the query string is not accepted: tokens stay out of URLs.
	r := httptest.NewRequest(http.MethodPost, "http://qingdan.example/cases?csrf_token="+url.QueryEscape(tok), nil)
	r.AddCookie(sess)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 403 {
		t.Errorf("query-string token: %d", w.Code)
	}
	// Safe methods pass untouched.
	r = httptest.NewRequest(http.MethodGet, "http://qingdan.example/cases", nil)
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 200 {
		t.Errorf("GET: %d", w.Code)
	}
}

// TestCSRF_O3_preSession: the login form of an old browser without a session
// gets a pre-session cookie and a token bound to it.
func TestCSRF_O3_preSession(t *testing.T) {
	_, h := newTestCSRF(t)
	r := httptest.NewRequest(http.MethodGet, "https://qingdan.example/login", nil)
	r.TLS = &tls.ConnectionState{}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	tok := w.Body.String()
	cookies := w.Result().Cookies()
	if tok == "" || len(cookies) != 1 || cookies[0].Name != CSRFCookie || !cookies[0].HttpOnly || !cookies[0].Secure {
		t.Fatalf("token %q cookies %+v", tok, cookies)
	}
	pre := &http.Cookie{Name: CSRFCookie, Value: cookies[0].Value}
	if w := post(h, nil, url.Values{CSRFField: {tok}}, pre); w.Code != 200 {
		t.Errorf("login with pre-session token: %d", w.Code)
	}
	if w := post(h, nil, url.Values{CSRFField: {tok}}); w.Code != 403 {
		t.Errorf("token without its cookie: %d", w.Code)
	}
	if w := post(h, nil, nil, pre); w.Code != 403 {
		t.Errorf("cookie without token: %d", w.Code)
	}
	// The token does not carry over to a session: after login it changes.
	if w := post(h, nil, url.Values{CSRFField: {tok}}, pre, &http.Cookie{Name: DefaultSessionCookie, Value: "s"}); w.Code != 403 {
		t.Errorf("pre-session token used with a session: %d", w.Code)
	}
}

func TestNewCSRF_shortKey(t *testing.T) {
	if _, err := NewCSRF([]byte("short"), CookieOptions{}.Read); err == nil {
		t.Error("short key accepted")
	}
}

func TestCookie_O3_attributes(t *testing.T) {
	for _, c := range []struct {
		tls, force, want bool
	}{{false, false, false}, {true, false, true}, {false, true, true}} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		if c.tls {
			r.TLS = &tls.ConnectionState{}
		}
		w := httptest.NewRecorder()
		o := CookieOptions{Secure: c.force}
		o.Set(w, r, "tok")
		ck := w.Result().Cookies()[0]
		if ck.Name != DefaultSessionCookie || ck.Value != "tok" || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode ||
			ck.Path != "/" || ck.Secure != c.want {
			t.Errorf("%+v: cookie %+v", c, ck)
		}
		r.AddCookie(ck)
		if o.Read(r) != "tok" {
			t.Error("Read")
		}
		w = httptest.NewRecorder()
		o.Clear(w, r)
		if ck := w.Result().Cookies()[0]; ck.MaxAge >= 0 || ck.Value != "" {
			t.Errorf("Clear: %+v", ck)
		}
	}
}
