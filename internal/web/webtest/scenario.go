package webtest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/web"
)

// Scenario is one request and what must come back.
type Scenario struct {
	Name   string
	Method string // default GET
	URL    string
	// As names the fixture principal making the request (Anonymous: none).
	As string
	// Bearer sends the principal's token as "Authorization: Bearer" instead
	// of the session cookie.
	Bearer bool
	Body   string
	// ContentType of Body; default form-urlencoded, or JSON under /api/.
	ContentType string
	Header      map[string]string
	// NoCSRF leaves out the CSRF token that unsafe requests otherwise carry.
	NoCSRF bool

	Status      int
	Contains    []string // in the body
	NotContains []string
	// Location is the expected redirect target (prefix match).
	Location string
	// Check runs last for anything else.
	Check func(t *testing.T, res *http.Response, body string)
}

// Request builds the scenario's request.
func (sc Scenario) Request() *http.Request {
	method := sc.Method
	if method == "" {
		method = http.MethodGet
	}
	var body io.Reader
	if sc.Body != "" {
		body = strings.NewReader(sc.Body)
	}
	req := httptest.NewRequest(method, sc.URL, body)
	req.RemoteAddr = "192.0.2.10:4711"
	if sc.Body != "" {
		ct := sc.ContentType
		if ct == "" {
			ct = "application/x-www-form-urlencoded"
			if strings.HasPrefix(sc.URL, "/api/") {
				ct = "application/json"
			}
		}
		req.Header.Set("Content-Type", ct)
	}
	if sc.As != Anonymous {
		if sc.Bearer {
			req.Header.Set("Authorization", "Bearer "+Token(sc.As))
		} else {
			req.AddCookie(&http.Cookie{Name: Cookie, Value: Token(sc.As)})
		}
	}
	if !sc.NoCSRF {
		req.Header.Set(web.CSRFHeader, CSRFToken)
	}
	for k, v := range sc.Header {
		req.Header.Set(k, v)
	}
	return req
}

// Run runs scenarios against h, each as a subtest.
func Run(t *testing.T, h http.Handler, scenarios []Scenario) {
	t.Helper()
	for _, sc := range scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			Do(t, h, sc)
		})
	}
}

// Do runs one scenario and returns the response and its body.
func Do(t *testing.T, h http.Handler, sc Scenario) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, sc.Request())
	res := rec.Result()
	body := rec.Body.String()
	label := sc.Method + " " + sc.URL + " as " + sc.As
	if sc.Status != 0 && res.StatusCode != sc.Status {
		t.Errorf("%s: status %d, want %d; body:\n%.600s", label, res.StatusCode, sc.Status, body)
	}
	for _, want := range sc.Contains {
		if !strings.Contains(body, want) {
			t.Errorf("%s: body lacks %q; body:\n%.600s", label, want, body)
		}
	}
	for _, bad := range sc.NotContains {
		if strings.Contains(body, bad) {
			t.Errorf("%s: body contains %q", label, bad)
		}
	}
	if sc.Location != "" && !strings.HasPrefix(res.Header.Get("Location"), sc.Location) {
		t.Errorf("%s: Location %q, want prefix %q", label, res.Header.Get("Location"), sc.Location)
	}
	if sc.Check != nil {
		sc.Check(t, res, body)
	}
	return res, body
}
