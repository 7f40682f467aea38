package web_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/auth"
	"github.com/qingdan/qingdan/internal/web"
	wt "github.com/qingdan/qingdan/internal/web/webtest"
)

func TestLanguages(t *testing.T) {
	env := wt.New(t)
	en := map[string]string{"Accept-Language": "en-GB,en;q=0.8"}
	wt.Run(t, env.Server, []wt.Scenario{
		{Name: "Chinese by default", URL: "/", Status: 200, Contains: []string{`lang="zh-Hans"`, "权责清单运行平台", ">登录<"}},
		{Name: "English by Accept-Language", URL: "/", Header: en, Status: 200, Contains: []string{`lang="en"`, ">Log in<"}},
		{Name: "zh-CN is Chinese", URL: "/", Header: map[string]string{"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}, Status: 200,
			Contains: []string{">登录<"}},
		{Name: "unsupported falls back to Chinese", URL: "/", Header: map[string]string{"Accept-Language": "fr-FR"}, Status: 200,
			Contains: []string{">登录<"}},
		{Name: "cookie beats Accept-Language", URL: "/", Header: map[string]string{"Accept-Language": "zh-CN", "Cookie": "lang=en"},
			Status: 200, Contains: []string{">Log in<"}},
		{Name: "switch sets the cookie and returns", Method: "POST", URL: "/lang", Body: "lang=en&next=%2Flogin%3Fnext%3D%252Fx",
			Status: 303, Location: "/login?next=%2Fx", Check: func(t *testing.T, res *http.Response, _ string) {
				c := cookie(res, "lang")
				if c == nil || c.Value != "en" || c.MaxAge <= 0 {
					t.Errorf("lang cookie %+v", c)
				}
			}},
		{Name: "switch refuses other sites", Method: "POST", URL: "/lang", Body: "lang=zh&next=%2F%2Fevil.example", Status: 303, Location: "/"},
		{Name: "switch refuses unknown language", Method: "POST", URL: "/lang", Body: "lang=fr", Status: 400, Contains: []string{"不支持该语言"}},
		{Name: "switch needs the CSRF token", Method: "POST", URL: "/lang", Body: "lang=en", NoCSRF: true, Status: 403},
	})
}

func cookie(res *http.Response, name string) *http.Cookie {
	for _, c := range res.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func TestLoginLogout(t *testing.T) {
	env := wt.New(t)
	res, _ := wt.Do(t, env.Server, wt.Scenario{Method: "POST", URL: "/login",
		Body:   "login=staff_a&password=" + strings.ReplaceAll(wt.Password, " ", "+") + "&next=%2Fpassword",
		Status: 303, Location: "/password"})
	c := cookie(res, wt.Cookie)
	if c == nil || c.Value == "" || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure {
		t.Fatalf("session cookie %+v", c)
	}
	if got := env.Auth.LoginIPs; len(got) != 1 || got[0] != "192.0.2.10" {
		t.Errorf("login IPs %v", got)
	}
	// The new session works, then logout ends it.
	req := wt.Scenario{URL: "/api/v1/whoami", Status: 200, Contains: []string{`"login":"staff_a"`}}.Request()
	req.AddCookie(c)
	rec := httptest.NewRecorder()
	env.Server.ServeHTTP(rec, req)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"login":"staff_a"`) {
		t.Fatalf("whoami after login: %d %s", rec.Code, rec.Body)
	}
	req = wt.Scenario{Method: "POST", URL: "/logout"}.Request()
	req.AddCookie(c)
	rec = httptest.NewRecorder()
	env.Server.ServeHTTP(rec, req)
	if rec.Code != 303 || rec.Header().Get("Location") != "/login" {
		t.Fatalf("logout: %d %v", rec.Code, rec.Header())
	}
	if cl := cookie(rec.Result(), wt.Cookie); cl == nil || cl.MaxAge >= 0 {
		t.Errorf("logout does not clear the cookie: %+v", cl)
	}
	req = wt.Scenario{URL: "/api/v1/whoami"}.Request()
	req.AddCookie(c)
	rec = httptest.NewRecorder()
	env.Server.ServeHTTP(rec, req)
	if rec.Code != 401 {
		t.Errorf("session survives logout: %d", rec.Code)
	}

	// Logging in over another user's session ends that session.
	wt.Do(t, env.Server, wt.Scenario{Method: "POST", URL: "/login", As: wt.StaffB,
		Body: "login=staff_a&password=" + strings.ReplaceAll(wt.Password, " ", "+"), Status: 303})
	wt.Do(t, env.Server, wt.Scenario{URL: "/api/v1/whoami", As: wt.StaffB, Status: 401})

	wt.Run(t, env.Server, []wt.Scenario{
		{Name: "wrong password re-renders the form", Method: "POST", URL: "/login", Body: "login=staff_a&password=nope",
			Status: 401, Contains: []string{"账号或密码错误", `value="staff_a"`, `aria-invalid="true"`}},
		{Name: "login page keeps next", URL: "/login?next=%2Fcases%3Fq%3D1", Status: 200, Contains: []string{`value="/cases?q=1"`, wt.CSRFToken}},
		{Name: "login page drops foreign next", URL: "/login?next=%2F%2Fevil.example", Status: 200,
			Contains: []string{`<input type="hidden" name="next" value="/">`}},
		{Name: "logged-in user skips login", URL: "/login", As: wt.StaffA, Status: 303, Location: "/"},
		{Name: "login needs the CSRF token", Method: "POST", URL: "/login", Body: "login=a&password=b", NoCSRF: true, Status: 403},
		{Name: "anonymous cannot log out", Method: "POST", URL: "/logout", Status: 303, Location: "/login"},
	})
}

func TestForcedPasswordChange(t *testing.T) {
	env := wt.New(t)
	newPw := "a much longer secret"
	form := func(old, nw, confirm string) string {
		return "old_password=" + strings.ReplaceAll(old, " ", "+") + "&new_password=" + strings.ReplaceAll(nw, " ", "+") +
			"&confirm_password=" + strings.ReplaceAll(confirm, " ", "+")
	}
	wt.Run(t, env.Server, []wt.Scenario{
		{Name: "home sends to the change page", URL: "/", As: wt.PendingA, Status: 303, Location: "/password"},
		{Name: "htmx request is redirected by header", URL: "/", As: wt.PendingA, Header: map[string]string{"HX-Request": "true"},
			Status: 204, Check: func(t *testing.T, res *http.Response, _ string) {
				if res.Header.Get("HX-Redirect") != "/password" {
					t.Errorf("HX-Redirect %q", res.Header.Get("HX-Redirect"))
				}
			}},
		{Name: "change page says why", URL: "/password", As: wt.PendingA, Status: 200, Contains: []string{"首次登录须先修改初始密码"}},
		{Name: "whoami still answers", URL: "/api/v1/whoami", As: wt.PendingA, Bearer: true, Status: 200,
			Contains: []string{`"must_change_password":true`}},
		{Name: "mismatch", Method: "POST", URL: "/password", As: wt.PendingA, Body: form(wt.Password, newPw, newPw+"x"),
			Status: 400, Contains: []string{"两次输入的新密码不一致", `id="confirm_password" name="confirm_password" type="password" autocomplete="new-password" required aria-invalid="true"`}},
		{Name: "wrong old password", Method: "POST", URL: "/password", As: wt.PendingA, Body: form("wrong", newPw, newPw),
			Status: 400, Contains: []string{"当前密码不正确"}},
		{Name: "too short in English", Method: "POST", URL: "/password", As: wt.PendingA, Body: form(wt.Password, "short", "short"),
			Header: map[string]string{"Accept-Language": "en"}, Status: 400, Contains: []string{"at least 10 characters"}},
		{Name: "change", Method: "POST", URL: "/password", As: wt.PendingA, Body: form(wt.Password, newPw, newPw),
			Status: 303, Location: "/"},
		{Name: "then home opens", URL: "/", As: wt.PendingA, Status: 200, Contains: []string{"用户 pending_a"}},
	})
}

func TestErrorPages(t *testing.T) {
	env := wt.New(t, fixtureRoutes()...)
	rid := regexp.MustCompile(`<code>([0-9a-f]{24})</code>`)
	wt.Run(t, env.Server, []wt.Scenario{
		{Name: "404 Chinese", URL: "/no/such/page", Status: 404, Contains: []string{"页面不存在", "请求编号", "返回首页"}},
		{Name: "404 English", URL: "/no/such/page", Header: map[string]string{"Accept-Language": "en"}, Status: 404,
			Contains: []string{"Page not found", "Request ID"}},
		{Name: "404 API is JSON", URL: "/api/v1/no/such", Status: 404, Contains: []string{`"code":"not_found"`}},
		{Name: "403 page", URL: "/fixture/admin", As: wt.StaffA, Status: 403, Contains: []string{"无权访问", "您的角色无权进行此操作"}},
		{Name: "403 page English", URL: "/fixture/admin", As: wt.StaffA, Header: map[string]string{"Accept-Language": "en"},
			Status: 403, Contains: []string{"Access denied"}},
		{Name: "500 page with request ID", URL: "/fixture/panic", Status: 500, Contains: []string{"服务器出错了"},
			NotContains: []string{"fixture panic"}, Check: func(t *testing.T, res *http.Response, body string) {
				m := rid.FindStringSubmatch(body)
				if m == nil || m[1] != res.Header.Get("X-Request-ID") {
					t.Errorf("request ID not shown: header %q", res.Header.Get("X-Request-ID"))
				}
			}},
		{Name: "500 English", URL: "/fixture/panic", Header: map[string]string{"Accept-Language": "en"}, Status: 500,
			Contains: []string{"Server error"}},
		{Name: "500 API", URL: "/api/v1/fixture/panic", Status: 500, Contains: []string{`"code":"internal"`},
			NotContains: []string{"fixture panic"}},
	})
	if log := env.Log.String(); !strings.Contains(log, `"msg":"panic"`) || !strings.Contains(log, "fixture panic") {
		t.Errorf("panic not logged:\n%s", log)
	}
}

func TestAssets(t *testing.T) {
	env := wt.New(t)
	_, body := wt.Do(t, env.Server, wt.Scenario{URL: "/", Status: 200})
	css := regexp.MustCompile(`href="(/static/app\.[0-9a-f]{10}\.css)"`).FindStringSubmatch(body)
	js := regexp.MustCompile(`src="(/static/vendor/htmx\.min\.[0-9a-f]{10}\.js)"`).FindStringSubmatch(body)
	if css == nil || js == nil {
		t.Fatalf("hashed asset URLs missing:\n%s", body)
	}
	for url, ctype := range map[string]string{css[1]: "text/css", js[1]: "javascript"} {
		res, body := wt.Do(t, env.Server, wt.Scenario{URL: url, Status: 200})
		if !strings.Contains(res.Header.Get("Content-Type"), ctype) {
			t.Errorf("%s: Content-Type %q", url, res.Header.Get("Content-Type"))
		}
		if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") || !strings.Contains(cc, "max-age=31536000") {
			t.Errorf("%s: Cache-Control %q", url, cc)
		}
		if len(body) < 100 {
			t.Errorf("%s: body %d bytes", url, len(body))
		}
	}
	_, cssBody := wt.Do(t, env.Server, wt.Scenario{URL: css[1]})
	if !strings.Contains(cssBody, "@media print") {
		t.Error("no print stylesheet")
	}
	wt.Run(t, env.Server, []wt.Scenario{
		{Name: "unhashed name is not served", URL: "/static/app.css", Status: 404},
		{Name: "stale hash is not served", URL: "/static/app.0000000000.css", Status: 404},
	})
}

func TestSecurityHeadersAndRequestID(t *testing.T) {
	env := wt.New(t)
	res, body := wt.Do(t, env.Server, wt.Scenario{URL: "/", Header: map[string]string{"X-Request-ID": "proxy-42.a"}, Status: 200})
	h := res.Header
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "default-src 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP allows inline code: %q", csp)
	}
	if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" || h.Get("X-Frame-Options") != "DENY" {
		t.Errorf("headers %v", h)
	}
	if h.Get("X-Request-ID") != "proxy-42.a" {
		t.Errorf("sane request ID not kept: %q", h.Get("X-Request-ID"))
	}
	// Pages work without JavaScript and carry none inline.
	if strings.Contains(body, "<script>") || strings.Contains(body, " style=") || strings.Contains(body, " onclick=") {
		t.Error("inline script or style in page")
	}
	if !strings.Contains(env.Log.String(), `"request_id":"proxy-42.a"`) {
		t.Error("request ID not logged")
	}
	res, _ = wt.Do(t, env.Server, wt.Scenario{URL: "/", Header: map[string]string{"X-Request-ID": "bad id\n<script>"}})
	if id := res.Header.Get("X-Request-ID"); !regexp.MustCompile(`^[0-9a-f]{24}$`).MatchString(id) {
		t.Errorf("insane request ID not replaced: %q", id)
	}
}

func TestHTMXPartial(t *testing.T) {
	env := wt.New(t)
	wt.Run(t, env.Server, []wt.Scenario{
		{Name: "fragment", URL: "/login", Header: map[string]string{"HX-Request": "true"}, Status: 200,
			Contains: []string{`action="/login"`}, NotContains: []string{"<html", "<header"}},
		{Name: "boosted gets the page", URL: "/login", Header: map[string]string{"HX-Request": "true", "HX-Boosted": "true"},
			Status: 200, Contains: []string{"<html"}},
	})
}

func TestOps(t *testing.T) {
	// The test requests come from 192.0.2.10: the monitoring network here.
	env := wt.NewWith(t, wt.Options{Config: &web.Config{MetricsFrom: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}}})
	wt.Run(t, env.Server, []wt.Scenario{
		{Name: "healthz", URL: "/healthz", Status: 200, Contains: []string{`"status":"ok"`}},
		{Name: "readyz", URL: "/readyz", Status: 200, Contains: []string{`"status":"ok"`}},
	})
	env.DB.Fail(errors.New("connection refused"))
	wt.Do(t, env.Server, wt.Scenario{URL: "/readyz", Status: 503, Contains: []string{"unavailable"}, NotContains: []string{"refused"}})
	env.DB.Fail(nil)
	wt.Do(t, env.Server, wt.Scenario{URL: "/readyz", Status: 200})
	wt.Do(t, env.Server, wt.Scenario{URL: "/no/such/page", Status: 404})
	_, body := wt.Do(t, env.Server, wt.Scenario{URL: "/metrics", Status: 200})
	for _, want := range []string{
		`qingdan_http_requests_total{method="GET",route="/healthz",status="2xx"} 1`,
		`qingdan_http_requests_total{method="GET",route="/readyz",status="5xx"} 1`,
		`qingdan_http_requests_total{method="GET",route="/",status="4xx"} 1`,
		`qingdan_http_request_duration_seconds_bucket{method="GET",route="/readyz",status="2xx",le="+Inf"} 2`,
		"go_goroutines",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(body, "/no/such/page") {
		t.Error("metrics labelled by raw path")
	}
}

// TestOpenAPIMatchesRoutes: the document lists every API route and nothing
// else, and every operation is well formed.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	env := wt.New(t, fixtureRoutes()...)
	_, body := wt.Do(t, env.Server, wt.Scenario{URL: "/api/v1/openapi.json", Status: 200})
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi %q", doc.OpenAPI)
	}
	var documented, registered []string
	for path, item := range doc.Paths {
		for method, op := range item {
			documented = append(documented, strings.ToUpper(method)+" "+path)
			if op["summary"] == "" || op["responses"] == nil {
				t.Errorf("%s %s: incomplete operation %v", method, path, op)
			}
		}
	}
	for _, rt := range env.Server.Routes() {
		if rt.IsAPI() {
			registered = append(registered, rt.Method()+" "+api.OpenAPIPath(rt.Path()))
		}
	}
	slices.Sort(documented)
	slices.Sort(registered)
	if !slices.Equal(documented, registered) {
		t.Errorf("document and routes differ:\ndocumented %v\nregistered %v", documented, registered)
	}
	if !slices.Contains(registered, "GET /api/v1/whoami") {
		t.Error("whoami missing")
	}
}

func TestWhoAmI(t *testing.T) {
	env := wt.New(t)
	wt.Run(t, env.Server, []wt.Scenario{
		{Name: "by token", URL: "/api/v1/whoami", As: wt.ExternalA, Bearer: true, Status: 200,
			Contains: []string{`"login":"external_a"`, `"roles":["external_supervisor"]`, `"read_only":true`, `"body_path":"/1/2/"`}},
		{Name: "by cookie", URL: "/api/v1/whoami", As: wt.Admin, Status: 200, Contains: []string{`"read_only":false`}},
		{Name: "anonymous", URL: "/api/v1/whoami", Status: 401, Contains: []string{`"code":"unauthorized"`, `"message":"请先登录。"`, `"field":""`},
			Check: func(t *testing.T, res *http.Response, _ string) {
				if res.Header.Get("WWW-Authenticate") == "" || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
					t.Errorf("headers %v", res.Header)
				}
			}},
		{Name: "anonymous in English", URL: "/api/v1/whoami", Header: map[string]string{"Accept-Language": "en"}, Status: 401,
			Contains: []string{`"message":"Please log in first."`}},
	})
}

// TestSessionOutage: a failing session store is a 500 on protected routes
// and leaves public pages usable.
func TestSessionOutage(t *testing.T) {
	env := wt.New(t)
	env.Sessions.Err = errors.New("database is locked")
	wt.Run(t, env.Server, []wt.Scenario{
		{Name: "protected", URL: "/api/v1/whoami", As: wt.Admin, Status: 500, NotContains: []string{"locked"}},
		{Name: "public", URL: "/login", As: wt.Admin, Status: 200},
	})
	if !strings.Contains(env.Log.String(), "database is locked") {
		t.Error("outage not logged")
	}
}

// TestWithAuthCSRF runs the pages behind the real CSRF protection of
// package auth: the token the pages embed is the one it checks, and its
// refusals render as the server's own error page.
func TestWithAuthCSRF(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	csrf, err := auth.NewCSRF(key, func(r *http.Request) string {
		c, err := r.Cookie(wt.Cookie)
		if err != nil {
			return ""
		}
		return c.Value
	})
	if err != nil {
		t.Fatal(err)
	}
	env := wt.NewWith(t, wt.Options{CSRF: csrf})
	csrf.Deny = env.Server.Deny

	// An anonymous visitor gets a pre-session cookie and its token.
	res, body := wt.Do(t, env.Server, wt.Scenario{URL: "/login", NoCSRF: true, Status: 200})
	pre := cookie(res, auth.CSRFCookie)
	m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(body)
	if pre == nil || m == nil {
		t.Fatalf("no pre-session cookie or token: %v\n%s", res.Cookies(), body)
	}
	post := func(token string) *httptest.ResponseRecorder {
		req := wt.Scenario{Method: "POST", URL: "/lang", Body: "lang=en&next=%2Flogin&csrf_token=" + token, NoCSRF: true}.Request()
		req.AddCookie(pre)
		rec := httptest.NewRecorder()
		env.Server.ServeHTTP(rec, req)
		return rec
	}
	if rec := post(m[1]); rec.Code != http.StatusSeeOther {
		t.Errorf("with token: %d %s", rec.Code, rec.Body)
	}
	rec := post("forged")
	if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "请求编号") {
		t.Errorf("forged token: %d %s", rec.Code, rec.Body)
	}

	// A logged-in page's token works for that session's htmx header.
	_, body = wt.Do(t, env.Server, wt.Scenario{URL: "/", As: wt.StaffA, NoCSRF: true, Status: 200})
	m = regexp.MustCompile(`hx-headers="\{&#34;X-CSRF-Token&#34;:&#34;([^&]+)&#34;\}"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no hx-headers token:\n%s", body)
	}
	wt.Do(t, env.Server, wt.Scenario{Method: "POST", URL: "/logout", As: wt.StaffA, NoCSRF: true,
		Header: map[string]string{"X-CSRF-Token": m[1]}, Status: http.StatusSeeOther, Location: "/login"})
}

// TestClientIPHeader: behind a proxy, login throttling sees the client's
// address from the configured header, not the proxy's.
func TestClientIPHeader(t *testing.T) {
	env := wt.NewWith(t, wt.Options{Config: &web.Config{ClientIPHeader: "X-Real-IP"}})
	wt.Do(t, env.Server, wt.Scenario{Method: "POST", URL: "/login", Body: "login=x&password=y",
		Header: map[string]string{"X-Real-IP": "198.51.100.7"}, Status: 401})
	wt.Do(t, env.Server, wt.Scenario{Method: "POST", URL: "/login", Body: "login=x&password=y", Status: 401})
	if got := env.Auth.LoginIPs; len(got) != 2 || got[0] != "198.51.100.7" || got[1] != "192.0.2.10" {
		t.Errorf("login IPs %v", got)
	}
}
