package web_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/auth"
	wt "github.com/qingdan/qingdan/internal/web/webtest"
)

// apiError reads the API's error shape from a body.
func apiError(t *testing.T, body string) (code, message, field string) {
	t.Helper()
	var e struct{ Code, Message, Field string }
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("not the error shape: %v: %.300s", err, body)
	}
	return e.Code, e.Message, e.Field
}

// TestEdge_invalidTextRefusedNamingTheField: invalid UTF-8 or NUL in the
// path, a query parameter, a form field or a stored header is a 400 naming
// it, in the request's language, before any handler runs: the login never
// reaches the account service.
func TestEdge_invalidTextRefusedNamingTheField(t *testing.T) {
	env := wt.New(t)
	for _, tc := range []struct {
		name, method, url, body string
		header                  map[string]string
		field, zh               string
	}{
		{name: "path of the API", url: "/api/v1/whoami/%ff", field: "path", zh: "请求路径"},
		{name: "NUL in the path", url: "/portal/items/a%00b", field: "path", zh: "请求路径"},
		{name: "query value", url: "/api/v1/whoami?body=1&code=%ff", field: "code", zh: "查询参数“code”"},
		{name: "query name", url: "/api/v1/whoami?%ff=1", field: "query", zh: "查询参数“query”"},
		{name: "login form", method: "POST", url: "/login", body: "login=ad%00min&password=x", field: "login", zh: "表单字段“login”"},
		{name: "user agent", url: "/api/v1/whoami", header: map[string]string{"User-Agent": "curl\xff"}, field: "User-Agent", zh: "请求头“User-Agent”"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url, method := tc.url, tc.method
			if method == "" {
				method = "GET"
			}
			_, body := wt.Do(t, env.Server, wt.Scenario{Method: method, URL: url, Body: tc.body, Header: tc.header, Status: 400})
			if strings.HasPrefix(url, "/api/") {
				code, msg, field := apiError(t, body)
				if code != "invalid" || field != tc.field || !strings.Contains(msg, tc.zh) {
					t.Errorf("%s %s: %s %q field %q, want field %q and %q", method, url, code, msg, field, tc.field, tc.zh)
				}
			} else if !strings.Contains(body, tc.zh) {
				t.Errorf("%s %s: error page lacks %q:\n%.600s", method, url, tc.zh, body)
			}
		})
	}
	// English, too.
	_, body := wt.Do(t, env.Server, wt.Scenario{URL: "/api/v1/whoami?q=%ff", Header: map[string]string{"Accept-Language": "en"}, Status: 400})
	if _, msg, _ := apiError(t, body); !strings.Contains(msg, "Query parameter “q” contains invalid text") {
		t.Errorf("English message: %q", msg)
	}
	if len(env.Auth.LoginIPs) != 0 {
		t.Errorf("the login with a NUL in it reached the account service: %v", env.Auth.LoginIPs)
	}
	// Valid text, Chinese included, passes.
	wt.Do(t, env.Server, wt.Scenario{URL: "/portal/search?q=%E4%BD%8E%E4%BF%9D", NotContains: []string{"无效字符"}})
}

// TestEdge_formOverTheLimitIsTooLarge: a form over its route's limit is a
// 413 naming the limit — also behind the real CSRF check, which reads the
// form for its token first and used to refuse such a form as forged.
func TestEdge_formOverTheLimitIsTooLarge(t *testing.T) {
	csrf, err := auth.NewCSRF(bytes.Repeat([]byte{7}, 32), func(*http.Request) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	env := wt.NewWith(t, wt.Options{CSRF: csrf, Routes: fixtureRoutes()})
	csrf.Deny = env.Server.Deny
	big := "login=admin&password=" + strings.Repeat("x", 80<<10)
	for _, chunked := range []bool{false, true} {
		req := httptest.NewRequest("POST", "/login", strings.NewReader(big))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: auth.CSRFCookie, Value: "pre-session"})
		if chunked {
			req.ContentLength = -1 // the size is known only by reading
		}
		rec := httptest.NewRecorder()
		env.Server.ServeHTTP(rec, req)
		if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "请求过大：上限为 64 KB") ||
			strings.Contains(rec.Body.String(), "请求来源校验失败") {
			t.Errorf("chunked %v: %d, want 413 naming 64 KB:\n%.600s", chunked, rec.Code, rec.Body)
		}
	}
	// The API's JSON limit, in the error shape.
	_, body := wt.Do(t, env.Server, wt.Scenario{Method: "POST", URL: "/api/v1/fixture/objects/a1", As: wt.Admin, Bearer: true,
		Body: `{"x":"` + strings.Repeat("y", 1<<20) + `"}`, Status: http.StatusRequestEntityTooLarge})
	if code, msg, _ := apiError(t, body); code != "too_large" || !strings.Contains(msg, "1 MB") {
		t.Errorf("API body over 1 MB: %s %q", code, msg)
	}
}
