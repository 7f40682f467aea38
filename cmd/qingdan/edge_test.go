package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/auth"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

// badText is what the edge tests send where text belongs, as raw bytes:
// a byte that is never UTF-8, a NUL, and a broken two-byte sequence.
var badText = []string{"\xff", "\x00", "a\xc3\x28"}

// client is one kind of caller of the wired application: anonymous, or a
// logged-in administrator (session cookie for pages, bearer token for the
// API). Both pass the CSRF check, so a refusal is the edge's.
type client struct {
	name    string
	srv     *httptest.Server
	session string
	token   string
}

func (c client) do(t *testing.T, method, target, contentType string, body []byte) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, c.srv.URL+target, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s %q: %v", method, target, err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Origin", c.srv.URL)
	switch {
	case c.token != "" && httpx.IsAPIPath(req.URL.Path):
		req.Header.Set("Authorization", "Bearer "+c.token)
	case c.session != "":
		req.AddCookie(&http.Cookie{Name: auth.DefaultSessionCookie, Value: c.session})
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noRedirect.Do(req)
	if err != nil {
		t.Fatalf("%s %q: %v", method, target, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

// payload is a request body and its content type.
type payload struct {
	ct   string
	data []byte
}

// fieldNames are the names a body of any route may carry: every JSON
// field of every documented request and the forms' fields.
func fieldNames(routes []httpx.Route) []string {
	names := map[string]bool{}
	for _, n := range []string{"login", "password", "old_password", "new_password", "confirm_password", "next", "lang",
		"name", "title", "note", "comment", "code", "level", "time_zone", "kind", "phone", "roles", "scope", "cert_no",
		"valid_from", "valid_to", "date", "hours", "off", "active", "reason", "basis_title", "basis_doc_no", "basis_issued",
		"base_code", "category", "unit", "conditions", "mat.0.name", "mat.0.source_note", "step.0.key", "step.0.risk.0.description",
		"fee.0.min", "lb.0.law", "duty.0.text", "add", "group", "groups", "q"} {
		names[n] = true
	}
	for _, rt := range routes {
		if rt.Doc == nil || rt.Doc.Request == nil {
			continue
		}
		t := reflect.TypeOf(rt.Doc.Request)
		for i := range t.NumField() {
			if n, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); n != "" && n != "-" {
				names[n] = true
			}
		}
	}
	out := make([]string, 0, len(names))
	for n := range names {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// jsonWithText is a JSON object of a request type with every string field
// set to bad (raw, so invalid UTF-8 stays invalid in the body).
func jsonWithText(request any, bad string) []byte {
	t := reflect.TypeOf(request)
	var b bytes.Buffer
	b.WriteByte('{')
	n := 0
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Type.Kind() != reflect.String || name == "" || name == "-" {
			continue
		}
		if n > 0 {
			b.WriteByte(',')
		}
		n++
		text := strings.ReplaceAll(bad, "\x00", `\u0000`)
		b.WriteString(`"` + name + `":"x` + text + `"`)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// TestApp_invalidTextOnEveryRouteChangesNothing (#11.2): invalid UTF-8 and
// NUL bytes in the path, the query and the body of every wired route, sent
// by the anonymous public and by the district administrator, are refused
// without a server error, the path and query with a 400 naming the field,
// and change nothing: the audit log, where every change is an event, does
// not grow. PostgreSQL refused such text with SQLSTATE 22021 (a 500, some
// of them anonymous); SQLite stored it raw.
func TestApp_invalidTextOnEveryRouteChangesNothing(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			a, srv := demoAppOn(t, engine)
			ctx := context.Background()
			session, err := a.auth.Login(ctx, "admin", org.DemoPassword, "127.0.0.1")
			if err != nil {
				t.Fatal(err)
			}
			clients := []client{{name: "anonymous", srv: srv}, {name: "admin", srv: srv, session: session, token: bearer(t, a, "admin")}}
			before := logSize(t, a)
			routes := a.web.Routes()
			names := fieldNames(routes)
			var sent, refused int
			for _, rt := range routes {
				method := rt.Method()
				for _, c := range clients {
					for _, bad := range badText {
						esc := url.PathEscape(bad)
						// The path: every parameter, or appended to a path without one.
						target := concrete(rt, esc)
						if !strings.Contains(rt.Path(), "{") {
							target += esc
						}
						status, body := c.do(t, method, target, "", nil)
						sent++
						wantRefusal(t, c.name, method, target, status, body, "path")

						// The query: each documented parameter and a few common ones.
						params := []string{"q", "body", "code", "next"}
						if rt.Doc != nil {
							for _, p := range rt.Doc.Params {
								if p.In == "query" {
									params = append(params, p.Name)
								}
							}
						}
						for _, p := range params {
							target := concrete(rt, "1") + "?" + p + "=" + url.QueryEscape(bad)
							status, body := c.do(t, method, target, "", nil)
							sent++
							wantRefusal(t, c.name, method, target, status, body, p)
						}

						// The body, as the route reads one.
						if !isWrite(method) && method != http.MethodPost {
							continue
						}
						target = concrete(rt, "1")
						var bodies []payload
						form := url.Values{}
						for _, n := range names {
							form.Set(n, "x"+bad)
						}
						bodies = append(bodies, payload{"application/x-www-form-urlencoded", []byte(form.Encode())})
						if rt.Doc != nil && rt.Doc.Request != nil {
							bodies = append(bodies, payload{"application/json", jsonWithText(rt.Doc.Request, bad)})
						}
						if rt.Import {
							var mp bytes.Buffer
							w := multipart.NewWriter(&mp)
							for _, n := range []string{"title", "note", "basis_title"} {
								if err := w.WriteField(n, "x"+bad); err != nil {
									t.Fatal(err)
								}
							}
							if err := w.Close(); err != nil {
								t.Fatal(err)
							}
							bodies = append(bodies, payload{w.FormDataContentType(), mp.Bytes()})
						}
						for _, b := range bodies {
							status, out := c.do(t, method, target, b.ct, b.data)
							sent++
							if status >= 500 {
								t.Errorf("%s %s %s with %s %q: %d: %.300s", c.name, method, target, b.ct, bad, status, out)
							}
							if status == http.StatusBadRequest {
								refused++
							}
						}
					}
				}
			}
			if after := logSize(t, a); after != before {
				t.Errorf("invalid text changed something: the audit log grew from %d to %d events", before, after)
			}
			t.Logf("%d routes, %d requests, %d bodies refused with 400", len(routes), sent, refused)
			if refused < len(routes) {
				t.Errorf("only %d bodies refused with 400", refused)
			}
		})
	}
}

// wantRefusal checks a refusal of invalid text in the path or the query:
// 400 and, from the API, the error shape naming the field.
func wantRefusal(t *testing.T, who, method, target string, status int, body, field string) {
	t.Helper()
	if status != http.StatusBadRequest {
		t.Errorf("%s %s %s: %d, want 400: %.300s", who, method, target, status, body)
		return
	}
	if !strings.HasPrefix(target, "/api/") {
		if !strings.Contains(body, "无效字符") {
			t.Errorf("%s %s %s: the error page does not say what is wrong: %.300s", who, method, target, body)
		}
		return
	}
	var e struct{ Code, Message, Field string }
	if err := json.Unmarshal([]byte(body), &e); err != nil || e.Code != "invalid" || e.Field != field || e.Message == "" {
		t.Errorf("%s %s %s: %v %+v, want field %q", who, method, target, err, e, field)
	}
}

// TestApp_requiredFieldsOnEveryAPIWrite (#11.6): every API write that
// takes a JSON body answers {}, null and [] with a 400 naming a missing
// field, and nothing changes. {} used to make National Day a working day,
// empty a person's review groups; null cleared a body's business hours.
// Writes without a JSON request are actions whose body is not read, or
// imports whose body is the file (their OpenAPI operation has no JSON
// request); they are listed, not sent.
func TestApp_requiredFieldsOnEveryAPIWrite(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			a, srv := demoAppOn(t, engine, func(c *serveConfig) { c.demoCases = 300 })
			withSupervision(t, a, srv)
			tokens := districtTokens(t, a)
			before := logSize(t, a)
			fields := map[string]string{} // route → the field named for {}
			var bodyless, files []string
			for _, rt := range a.web.Routes() {
				if !rt.IsAPI() || !isWrite(rt.Method()) {
					continue
				}
				switch {
				case rt.Doc.Request == nil && rt.Import:
					files = append(files, rt.Pattern)
					continue
				case rt.Doc.Request == nil:
					bodyless = append(bodyless, rt.Pattern)
					continue
				}
				token := tokenFor(tokens, rt)
				path, status, out := existingObject(t, srv, rt, token)
				for _, body := range []string{`{}`, `null`, `[]`, ` {} `} {
					if body != `{}` {
						status, out = call(t, srv, rt.Method(), path, token, body)
					}
					var e struct{ Code, Message, Field string }
					if err := json.Unmarshal([]byte(out), &e); err != nil || status != http.StatusBadRequest || e.Field == "" || e.Message == "" {
						t.Errorf("%s %s with %s: %d %.300s, want 400 naming a field", rt.Method(), path, body, status, out)
						continue
					}
					if body == `{}` {
						fields[rt.Method()+" "+api.OpenAPIPath(rt.Path())] = e.Field
					}
				}
			}
			if after := logSize(t, a); after != before {
				t.Errorf("empty bodies changed something: the audit log grew from %d to %d events", before, after)
			}
			for route, field := range map[string]string{
				"PUT /api/v1/calendar/days/{date}":                "off",
				"PUT /api/v1/catalog/reform-groups/{id}":          "groups",
				"PUT /api/v1/calendar/bodies/{id}/business-hours": "hours",
				"POST /api/v1/calendar/bodies/{id}/regional":      "date",
				"POST /api/v1/catalog/adjustments/{id}/actions":   "kind",
			} {
				if fields[route] != field {
					t.Errorf("%s with {}: field %q, want %q", route, fields[route], field)
				}
			}
			t.Logf("%d API writes with a body refuse {}, null and []; body-less actions: %v; file uploads: %v", len(fields), bodyless, files)
			if len(fields) < 20 {
				t.Errorf("only %d API writes with a JSON body", len(fields))
			}
		})
	}
}

// existingObject finds a path of rt that addresses an object the token
// reaches — its id parameter 1, 2, … until the answer to {} is not 404; a
// date is National Day — and returns the path and that answer.
func existingObject(t *testing.T, srv *httptest.Server, rt httpx.Route, token string) (string, int, string) {
	t.Helper()
	values := []string{"2026-10-01"}
	if !strings.Contains(rt.Path(), "{date}") {
		values = values[:0]
		for id := 1; id <= 200; id++ {
			values = append(values, strconv.Itoa(id))
		}
	}
	for _, v := range values {
		path := concrete(rt, v)
		status, out := call(t, srv, rt.Method(), path, token, `{}`)
		if status != http.StatusNotFound || !strings.Contains(rt.Path(), "{") {
			return path, status, out
		}
	}
	t.Fatalf("%s: no object answers", rt.Pattern)
	return "", 0, ""
}

// TestServe_metricsFlags (#11.10): --metrics-from takes networks and
// addresses (default: loopback), refuses anything else naming the flag, and
// with --metrics-token reaches the server: with no network, /metrics
// refuses even the loopback and answers the token.
func TestServe_metricsFlags(t *testing.T) {
	parse := func(args ...string) (*serveConfig, error) {
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		cfg := serveFlags(fs)
		return cfg, parseFlags(fs, args, io.Discard)
	}
	cfg, err := parse()
	if err != nil || cfg.metricsFrom.String() != "127.0.0.0/8,::1/128" {
		t.Fatalf("default %q, %v", cfg.metricsFrom.String(), err)
	}
	if cfg, err = parse("--metrics-from", "10.1.2.0/16, 192.0.2.7,2001:db8::/32"); err != nil ||
		cfg.metricsFrom.String() != "10.1.0.0/16,192.0.2.7/32,2001:db8::/32" {
		t.Fatalf("parsed %q, %v", cfg.metricsFrom.String(), err)
	}
	if _, err := parse("--metrics-from", "10.0.0.0/8,intranet"); err == nil || !strings.Contains(err.Error(), "metrics-from") {
		t.Fatalf("a bad network: %v", err)
	}

	_, srv := demoAppOn(t, "sqlite", func(c *serveConfig) {
		c.metricsFrom, c.metricsToken = prefixes{}, "s3cret-metrics-token"
	})
	if status, body := call(t, srv, "GET", "/metrics", "", ""); status != http.StatusForbidden || strings.Contains(body, "go_goroutines") {
		t.Errorf("loopback without a network: %d %.200s", status, body)
	}
	if status, body := call(t, srv, "GET", "/metrics", "s3cret-metrics-token", ""); status != http.StatusOK || !strings.Contains(body, "go_goroutines") {
		t.Errorf("with the token: %d %.200s", status, body)
	}
}

// TestServe_slowClientsCutOff (#11.9): serve's server gives a client
// --read-header-timeout for its headers, and the handler paces a body
// (--body-timeout, then --body-min-rate): a client that stalls in its
// headers, or trickles a login form a byte at a time, is cut off soon
// after, where 300 such connections used to stay open past 45 s.
func TestServe_slowClientsCutOff(t *testing.T) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	def := serveFlags(fs)
	if err := parseFlags(fs, nil, io.Discard); err != nil || def.headerTimeout != 10*time.Second || def.idleTimeout != 2*time.Minute ||
		def.bodyTimeout != 20*time.Second || def.bodyMinRateKiB != 16 {
		t.Fatalf("defaults %v %v %v %v: %v", def.headerTimeout, def.idleTimeout, def.bodyTimeout, def.bodyMinRateKiB, err)
	}
	var cfg *serveConfig
	a, _ := demoAppOn(t, "sqlite", func(c *serveConfig) {
		c.headerTimeout, c.bodyTimeout, c.bodyMinRateKiB = 300*time.Millisecond, 300*time.Millisecond, 1
		cfg = c
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := newHTTPServer(cfg, a.handler, slog.New(slog.NewTextHandler(io.Discard, nil)))
	go hs.Serve(ln) //nolint:errcheck // ends with Close below
	defer hs.Close()
	// hangUp sends head and then body a byte every 100 ms, and returns how
	// long the server took to hang up and how much of the body it took.
	hangUp := func(head, body string) (time.Duration, int) {
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		start := time.Now()
		if err := conn.SetDeadline(start.Add(10 * time.Second)); err != nil {
			t.Fatal(err)
		}
		closed := make(chan struct{})
		go func() {
			io.Copy(io.Discard, conn) //nolint:errcheck // any end will do
			close(closed)
		}()
		if _, err := io.WriteString(conn, head); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < len(body); i++ {
			select {
			case <-closed:
				return time.Since(start), i
			case <-time.After(100 * time.Millisecond):
			}
			if _, err := io.WriteString(conn, body[i:i+1]); err != nil {
				break
			}
		}
		<-closed
		return time.Since(start), len(body)
	}
	if took, _ := hangUp("GET /portal HTTP/1.1\r\nHost: x\r\nUser-Agent: slow", ""); took > 3*time.Second {
		t.Errorf("a client stalling in its headers kept its connection %v", took)
	}
	form := "login=admin&password=" + strings.Repeat("x", 500)
	took, sent := hangUp(fmt.Sprintf("POST /login HTTP/1.1\r\nHost: x\r\nOrigin: http://x\r\n"+
		"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n", len(form)), form)
	if took > 3*time.Second || sent == len(form) {
		t.Errorf("a client trickling its form kept its connection %v and sent %d of %d bytes", took, sent, len(form))
	}
}
