package web_test

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/auth"
	"github.com/qingdan/qingdan/internal/web"
	"github.com/qingdan/qingdan/internal/web/httpx"
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

// TestMetrics_onlyForItsAudience (#11.10): /metrics answers the loopback
// by default, the configured networks, or a request with the configured
// bearer token; anyone else gets 403 and no metrics. Behind a trusted
// proxy the client is the address the proxy names.
func TestMetrics_onlyForItsAudience(t *testing.T) {
	get := func(env *wt.Env, remote string, header map[string]string) (int, string) {
		req := httptest.NewRequest("GET", "/metrics", nil)
		req.RemoteAddr = remote
		for k, v := range header {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		env.Server.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	const metric = "go_goroutines"
	def := wt.New(t)
	for _, tc := range []struct {
		remote string
		status int
	}{{"127.0.0.1:9100", 200}, {"[::1]:9100", 200}, {"192.0.2.10:9100", 403}, {"[2001:db8::1]:9100", 403}} {
		status, body := get(def, tc.remote, nil)
		if status != tc.status || (status == 200) != strings.Contains(body, metric) {
			t.Errorf("default, from %s: %d, want %d: %.200s", tc.remote, status, tc.status, body)
		}
	}
	cfg := &web.Config{MetricsFrom: []netip.Prefix{netip.MustParsePrefix("10.1.0.0/16")}, MetricsToken: "s3cret-metrics-token",
		ClientIPHeader: "X-Real-IP"}
	env := wt.NewWith(t, wt.Options{Config: cfg})
	for _, tc := range []struct {
		name   string
		remote string
		header map[string]string
		status int
	}{
		{"configured network", "10.1.2.3:9100", nil, 200},
		{"loopback no longer", "127.0.0.1:9100", nil, 403},
		{"token from anywhere", "203.0.113.9:9100", map[string]string{"Authorization": "Bearer s3cret-metrics-token"}, 200},
		{"wrong token", "203.0.113.9:9100", map[string]string{"Authorization": "Bearer guess"}, 403},
		{"client behind the proxy", "127.0.0.1:1234", map[string]string{"X-Real-IP": "10.1.9.9"}, 200},
		{"outsider behind the proxy", "10.1.0.1:1234", map[string]string{"X-Real-IP": "198.51.100.7"}, 403},
	} {
		status, body := get(env, tc.remote, tc.header)
		if status != tc.status || (status == 200) != strings.Contains(body, metric) {
			t.Errorf("%s: %d, want %d: %.200s", tc.name, status, tc.status, body)
		}
	}
}

// TestHSTS_whenServedOverTLS (#11.10): Strict-Transport-Security is sent
// over TLS, and over plain HTTP when --secure-cookies says TLS ends at a
// proxy in front; not on a plain-HTTP server.
func TestHSTS_whenServedOverTLS(t *testing.T) {
	plain := wt.New(t)
	proxied := wt.NewWith(t, wt.Options{Config: &web.Config{Cookie: auth.CookieOptions{Secure: true}}})
	for _, tc := range []struct {
		name string
		env  *wt.Env
		tls  bool
		want bool
	}{{"plain HTTP", plain, false, false}, {"TLS", plain, true, true}, {"TLS at the proxy", proxied, false, true}} {
		req := httptest.NewRequest("GET", "/login", nil)
		if tc.tls {
			req.TLS = &tls.ConnectionState{}
		}
		rec := httptest.NewRecorder()
		tc.env.Server.ServeHTTP(rec, req)
		got := rec.Header().Get("Strict-Transport-Security")
		if (got != "") != tc.want || (tc.want && !strings.Contains(got, "max-age=31536000")) {
			t.Errorf("%s: Strict-Transport-Security %q", tc.name, got)
		}
	}
}

// TestImports_busyServerSays429 (#11.9): imports running at once are
// bounded server-wide; the next is refused with 429, Retry-After and a
// message saying why, until one ends. Only a principal the policy admits
// takes a slot.
func TestImports_busyServerSays429(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	route := httpx.Route{Pattern: "POST /api/v1/fixture/import", Policy: httpx.Policy{Write: true, Roles: []access.Role{access.RoleAdmin}},
		Import: true, MaxBody: 1 << 20, Doc: &httpx.Doc{Summary: "fixture import"},
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			entered <- struct{}{}
			<-release
			w.WriteHeader(http.StatusOK)
		})}
	env := wt.NewWith(t, wt.Options{Config: &web.Config{MaxImports: 1}, Routes: []httpx.Route{route}})
	imp := wt.Scenario{Method: "POST", URL: "/api/v1/fixture/import", As: wt.Admin, Bearer: true, ContentType: "text/csv", Body: "a,b\n"}
	first := make(chan int)
	go func() {
		rec := httptest.NewRecorder()
		env.Server.ServeHTTP(rec, imp.Request())
		first <- rec.Code
	}()
	<-entered
	res, body := wt.Do(t, env.Server, imp)
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Errorf("second import while one runs: %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
	}
	if code, msg, _ := apiError(t, body); code != "too_many" || !strings.Contains(msg, "至多 1 个") {
		t.Errorf("refusal: %s %q", code, msg)
	}
	anon := imp
	anon.As, anon.Status = wt.Anonymous, http.StatusUnauthorized // refused for who it is, not for a busy server
	wt.Do(t, env.Server, anon)
	close(release)
	if code := <-first; code != http.StatusOK {
		t.Fatalf("first import: %d", code)
	}
	go func() { <-entered }()
	wt.Do(t, env.Server, wt.Scenario{Method: imp.Method, URL: imp.URL, As: imp.As, Bearer: true, ContentType: imp.ContentType,
		Body: imp.Body, Status: http.StatusOK})
}

// TestBody_slowClientCutOffSteadyUploadNot (#11.9): a request body must
// keep arriving — Config.BodyTimeout of grace, then BodyMinRate on average.
// A client that trickles a byte at a time is cut off soon after the grace;
// one that sends steadily for longer than the grace is not, and its
// handler, still working after the body's deadline would have passed,
// keeps its context.
func TestBody_slowClientCutOffSteadyUploadNot(t *testing.T) {
	// The steady upload below ends after 0.8 s with a deadline of
	// grace + 8 kB / 4 kB/s = 2.3 s: its handler works on past that.
	const grace, rate, work = 300 * time.Millisecond, 4 << 10, 2500 * time.Millisecond
	route := httpx.Route{Pattern: "POST /api/v1/fixture/upload", Policy: httpx.Policy{Write: true, Roles: []access.Role{access.RoleAdmin}},
		MaxBody: 1 << 20, Doc: &httpx.Doc{Summary: "fixture upload"},
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			time.Sleep(work) // past the body's deadline
			fmt.Fprintf(w, "%d bytes, context %v", len(b), r.Context().Err())
		})}
	env := wt.NewWith(t, wt.Options{Config: &web.Config{BodyTimeout: grace, BodyMinRate: rate}, Routes: []httpx.Route{route}})
	srv := httptest.NewServer(env.Server)
	defer srv.Close()
	// send writes the request's head and then the body's chunks, pausing
	// between them, and returns the answer (the server closes the
	// connection after it), the bytes of the body sent, and how long the
	// server took to answer or hang up.
	send := func(chunks int, chunk string, pause time.Duration) (string, int, time.Duration) {
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST /api/v1/fixture/upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nConnection: close\r\n"+
			"Content-Type: text/plain\r\nContent-Length: %d\r\n\r\n", wt.Token(wt.Admin), chunks*len(chunk))
		start := time.Now()
		// Without pacing the trickle would take 7 minutes: fail in 10 s.
		if err := conn.SetDeadline(start.Add(10 * time.Second)); err != nil {
			t.Fatal(err)
		}
		answer := make(chan string, 1)
		go func() {
			b, _ := io.ReadAll(conn) //nolint:errcheck // a reset connection is an answer too
			answer <- string(b)
		}()
		sent := 0
		for i := 0; i < chunks; i++ {
			select {
			case a := <-answer:
				return a, sent, time.Since(start)
			case <-time.After(pause):
			}
			if _, err := io.WriteString(conn, chunk); err != nil {
				break
			}
			sent += len(chunk)
		}
		return <-answer, sent, time.Since(start)
	}
	// A byte every 100 ms, 4 kB announced: cut off after about the grace.
	answer, sent, took := send(4096, "x", 100*time.Millisecond)
	if sent >= 100 || took > 5*time.Second || strings.Contains(answer, "4096 bytes") {
		t.Errorf("trickling client: sent %d bytes over %v before the server hung up; answer %.200q", sent, took, answer)
	}
	// 8 kB in 1 kB chunks every 100 ms: 10 kB/s for 0.8 s, past the grace.
	answer, _, _ = send(8, strings.Repeat("y", 1<<10), 100*time.Millisecond)
	if !strings.HasPrefix(answer, "HTTP/1.1 200") || !strings.Contains(answer, "8192 bytes, context <nil>") {
		t.Errorf("steady upload: %q", answer)
	}
}
