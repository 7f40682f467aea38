package main

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/auth"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
	"github.com/qingdan/qingdan/internal/web/httpx"
)

// demoApp wires the whole application exactly as `qingdan serve` does, over
// a fresh SQLite database with the demo loaded.
func demoApp(t *testing.T) (*app, *httptest.Server) {
	t.Helper()
	return demoAppOn(t, "sqlite")
}

// demoAppWith is demoApp logging to logger, with the settings changed by
// configure (nil: none) before the application opens.
func demoAppWith(t *testing.T, logger *slog.Logger, configure func(*serveConfig)) (*app, *httptest.Server) {
	t.Helper()
	if configure == nil {
		return demoAppLogged(t, "sqlite", logger)
	}
	return demoAppLogged(t, "sqlite", logger, configure)
}

// demoAppOn is demoApp on an engine: "sqlite", or "postgres" (a fresh
// database of storetest's server; skipped without one), with the serve
// flags' defaults changed by configure.
func demoAppOn(t *testing.T, engine string, configure ...func(*serveConfig)) (*app, *httptest.Server) {
	t.Helper()
	return demoAppLogged(t, engine, slog.New(slog.NewTextHandler(io.Discard, nil)), configure...)
}

// demoAppLogged is demoAppOn logging to logger.
func demoAppLogged(t *testing.T, engine string, logger *slog.Logger, configure ...func(*serveConfig)) (*app, *httptest.Server) {
	t.Helper()
	if testing.Short() {
		t.Skip("loads the whole demo")
	}
	dir := t.TempDir()
	cfg := serveFlags(flag.NewFlagSet("test", flag.ContinueOnError))
	cfg.db.DSN, cfg.db.DataDir = filepath.Join(dir, "q.db"), dir
	if engine == "postgres" {
		cfg.db.DSN = storetest.PostgresDSN(t)
	}
	cfg.demoCases = 0 // TestServe_demoCases draws them
	for _, c := range configure {
		c(cfg)
	}
	a, err := openApp(context.Background(), cfg, logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.close)
	if !a.demoLoaded {
		t.Fatal("demo not loaded into a fresh database")
	}
	srv := httptest.NewServer(a.handler)
	t.Cleanup(srv.Close)
	return a, srv
}

// bearer logs a demo account in and returns an API token carrying all of
// its roles (bearer requests are CSRF-exempt, as machines use them).
func bearer(t *testing.T, a *app, login string) string {
	t.Helper()
	ctx := context.Background()
	sess, err := a.auth.Login(ctx, login, org.DemoPassword, "127.0.0.1")
	if err != nil {
		t.Fatalf("login %s: %v", login, err)
	}
	p, err := a.auth.Session(ctx, sess)
	if err != nil {
		t.Fatal(err)
	}
	scopes := make([]string, len(p.Roles))
	for i, r := range p.Roles {
		scopes[i] = string(r)
	}
	secret, _, err := a.auth.CreateToken(ctx, p, "matrix test", scopes, auth.DefaultTokenDays)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

func call(t *testing.T, srv *httptest.Server, method, path, token, body string) (int, string) {
	t.Helper()
	return send(t, srv, method, path, token, body, "application/json")
}

var pathParam = regexp.MustCompile(`\{[^}]+\}`)

// concrete fills every path parameter of a route pattern with v.
func concrete(rt httpx.Route, v string) string {
	return strings.TrimSuffix(pathParam.ReplaceAllString(rt.Path(), v), "{$}")
}

func isWrite(method string) bool {
	return method != "" && method != "GET" && method != "HEAD" && method != "OPTIONS"
}

// TestApp_O3_everyRouteRefusesWhoItMust walks the route table of the wired
// application (every feature's routes, not fakes): the anonymous public is
// refused on every non-public route, and an external supervisor (S7) on
// every write route, whatever the object.
func TestApp_O3_everyRouteRefusesWhoItMust(t *testing.T) {
	a, srv := demoApp(t)
	external := bearer(t, a, "external1")
	routes := a.web.Routes()
	if len(routes) < 40 {
		t.Fatalf("only %d routes wired", len(routes))
	}
	writes := 0
	for _, rt := range routes {
		if rt.Pattern == "/" || rt.Method() == "" {
			continue
		}
		if rt.Policy.Write {
			writes++
		}
		path := concrete(rt, "1")
		if !rt.Policy.Public {
			status, _ := call(t, srv, rt.Method(), path, "", "")
			if status != http.StatusUnauthorized && status != http.StatusSeeOther && status != http.StatusForbidden {
				t.Errorf("anonymous %s %s: %d, want 401/303/403", rt.Method(), path, status)
			}
		}
		if rt.Policy.Write && rt.Policy.ExternalReport {
			// The one exception (S7: reporting a problem): for their role alone.
			if !slices.Equal(rt.Policy.Roles, []access.Role{access.RoleExternalSupervisor}) {
				t.Errorf("%s: an external report open to roles %v", rt.Pattern, rt.Policy.Roles)
			}
			continue
		}
		if rt.Policy.Write {
			status, _ := call(t, srv, rt.Method(), path, external, "{}")
			if status != http.StatusForbidden {
				t.Errorf("external supervisor %s %s: %d, want 403", rt.Method(), path, status)
			}
		}
	}
	t.Logf("%d routes, %d write routes", len(routes), writes)
}

// TestApp_O1_townStaffCannotReachAnotherTown: jurisdiction is the subtree of
// one's body. Staff of 溪口镇 cannot read or change 青山街道's organisation,
// while the district's administrator can.
func TestApp_O1_townStaffCannotReachAnotherTown(t *testing.T) {
	a, srv := demoApp(t)
	ctx := context.Background()
	qingshan, err := a.orgs.BodyByCode(ctx, org.System, "330199001")
	if err != nil {
		t.Fatal(err)
	}
	xikouAdmin, districtAdmin := bearer(t, a, "xikou_admin"), bearer(t, a, "admin")
	id := strconv.FormatInt(qingshan.ID, 10)
	ran := 0
	for _, tc := range []struct {
		method, path, body string
	}{
		{"GET", "/api/v1/bodies/" + id, ""},
		{"GET", "/admin/org/bodies/" + id, ""},
		{"PATCH", "/api/v1/bodies/" + id, `{"name":"改名"}`},
		{"PUT", "/api/v1/bodies/" + id, `{"name":"改名"}`},
		{"GET", "/admin/calendar/bodies/" + id, ""},
		{"GET", "/catalog/excel/bodies/" + id, ""},
		{"GET", "/catalog/excel/bodies/" + id + "/list.xlsx", ""},
		{"GET", "/api/v1/bodies/" + id + "/list.xlsx", ""},
		{"GET", "/api/v1/calendar/bodies/" + id + "/regional", ""},
		{"POST", "/api/v1/calendar/bodies/" + id + "/regional", `{"date":"2026-12-01","name":"x","off":true}`},
	} {
		if !routeExists(a, tc.method, tc.path) {
			continue // not every verb exists on every resource
		}
		ran++
		status, body := call(t, srv, tc.method, tc.path, xikouAdmin, tc.body)
		if status != http.StatusForbidden && status != http.StatusNotFound {
			t.Errorf("溪口镇 admin %s %s: %d, want 403/404: %.200s", tc.method, tc.path, status, body)
		}
		if tc.method == "GET" {
			if status, _ := call(t, srv, tc.method, tc.path, districtAdmin, ""); status != http.StatusOK {
				t.Errorf("district admin %s %s: %d, want 200", tc.method, tc.path, status)
			}
		}
	}
	if ran < 3 {
		t.Fatalf("only %d of the cross-town cases match wired routes", ran)
	}
	t.Logf("%d cross-town cases", ran)
}

// routeExists reports whether the wired table has a route other than the
// catch-all for method+path, matched by a ServeMux as the server does.
func routeExists(a *app, method, path string) bool {
	mux := http.NewServeMux()
	for _, rt := range a.web.Routes() {
		mux.Handle(rt.Pattern, http.NotFoundHandler())
	}
	_, pattern := mux.Handler(httptest.NewRequest(method, path, nil))
	return pattern != "" && pattern != "/"
}

// TestApp_badJSONOnEveryAPIWriteChangesNothing: every API route that takes
// a JSON body answers malformed input with the one error shape, and the
// audit log (every change is an event) does not grow.
func TestApp_badJSONOnEveryAPIWriteChangesNothing(t *testing.T) {
	a, srv := demoApp(t)
	tokens := districtTokens(t, a)
	before := logSize(t, a)
	checked := 0
	for _, rt := range a.web.Routes() {
		if !rt.IsAPI() || !isWrite(rt.Method()) || rt.Doc == nil || rt.Doc.Request == nil {
			continue
		}
		token := tokenFor(tokens, rt)
		path := concrete(rt, "1")
		for _, body := range []string{`{`, `[1,2]`, `{"no_such_field_anywhere":1}`} {
			status, out := call(t, srv, rt.Method(), path, token, body)
			var e struct{ Code, Message, Field string }
			if err := json.Unmarshal([]byte(out), &e); err != nil || e.Code == "" || e.Message == "" {
				t.Errorf("%s %s body %s: %d, not the error shape: %.200s", rt.Method(), path, body, status, out)
				continue
			}
			if status != http.StatusBadRequest && status != http.StatusNotFound {
				t.Errorf("%s %s body %s: %d %s, want 400 (or 404 for object 1)", rt.Method(), path, body, status, e.Code)
			}
		}
		checked++
	}
	t.Logf("%d API write routes checked with bad JSON", checked)
	if checked < 5 {
		t.Fatalf("only %d API write routes with a JSON body", checked)
	}
	if after := logSize(t, a); after != before {
		t.Errorf("bad input changed something: audit log grew from %d to %d events", before, after)
	}
}

// districtTokens are API tokens of district accounts, one per role: their
// jurisdiction covers every object.
func districtTokens(t *testing.T, a *app) map[access.Role]string {
	t.Helper()
	tokens := map[access.Role]string{}
	for _, acct := range org.DemoAccounts() {
		if !strings.Contains(acct.Body, "区") {
			continue
		}
		for _, r := range acct.Roles {
			if _, ok := tokens[r]; !ok {
				tokens[r] = bearer(t, a, acct.Login)
			}
		}
	}
	return tokens
}

// tokenFor is a token of districtTokens holding one of rt's roles (the
// administrator's when the route names none of them).
func tokenFor(tokens map[access.Role]string, rt httpx.Route) string {
	for _, r := range rt.Policy.Roles {
		if tk, ok := tokens[r]; ok {
			return tk
		}
	}
	return tokens[access.RoleAdmin]
}

// TestApp_searchIndexRebuiltAtStart: a database whose search index is empty
// while its list is published (restored without the index, or published
// before the index existed) gets the index back when serve starts, so the
// public search keeps finding 低保 (issue #4 item 7).
func TestApp_searchIndexRebuiltAtStart(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the whole demo")
	}
	ctx := context.Background()
	dir := t.TempDir()
	cfg := serveFlags(flag.NewFlagSet("test", flag.ContinueOnError))
	cfg.db.DSN, cfg.db.DataDir = filepath.Join(dir, "q.db"), dir
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := openApp(ctx, cfg, quiet)
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"catsearch_grams", "catsearch_docs", "catsearch_df"} {
		if err := a.db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, "DELETE FROM "+table)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	search := func(a *app) string {
		srv := httptest.NewServer(a.handler)
		defer srv.Close()
		_, body := call(t, srv, "GET", "/portal/search?q="+url.QueryEscape("低保"), "", "")
		return body
	}
	if strings.Contains(search(a), "最低生活保障") {
		t.Fatal("search still finds 低保 with the index emptied: the test does not empty it")
	}
	a.close()

	b, err := openApp(ctx, cfg, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer b.close()
	if body := search(b); !strings.Contains(body, "最低生活保障") {
		t.Fatalf("after a restart the search does not find 低保: %.300s", body)
	}
}

// TestApp_H1_everyEditRouteNeedsItsVersion walks the wired route table:
// every API route that replaces an object (PUT, PATCH) is documented as
// versioned, answers a valid edit without If-Match with 428 and changes
// nothing, and the GET of the same path answers the object's version as
// ETag (concurrent edits, issue #11 item 3).
func TestApp_H1_everyEditRouteNeedsItsVersion(t *testing.T) {
	a, srv := demoApp(t)
	tokens := districtTokens(t, a)
	before, err := a.db.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// An object each path parameter can name in the demo, and a valid edit
	// of it; staff 2, not the district administrator's own record.
	path := func(rt httpx.Route) string {
		id := "1"
		if strings.HasPrefix(rt.Path(), "/api/v1/staff/") {
			id = "2"
		}
		return strings.NewReplacer("{id}", id, "{date}", "2026-10-08", "{body}", "1").Replace(rt.Path())
	}
	edits := map[string]string{
		"PATCH /api/v1/bodies/{id}":                       `{"level":"district","code":"330199","name":"青山区","time_zone":"Asia/Shanghai"}`,
		"PATCH /api/v1/units/{id}":                        `{"body_id":1,"kind":"section","code":"DZB","name":"党政办"}`,
		"PATCH /api/v1/staff/{id}":                        `{"body_id":1,"name":"韩立","phone":"13900000002","roles":["leader"]}`,
		"PATCH /api/v1/qualifications/{id}":               `{"staff_id":1,"cert_no":"ZF33019900001","scope":"城市管理,综合执法","valid_from":"2024-01-01","valid_to":"2029-12-31"}`,
		"PUT /api/v1/calendar/days/{date}":                `{"off":true,"name":"x"}`,
		"PUT /api/v1/calendar/bodies/{id}/business-hours": `{"hours":""}`,
		"PUT /api/v1/catalog/adjustments/{id}":            `{"title":"x","reason":"operating_experience","bases":[],"changes":[]}`,
		"PUT /api/v1/catalog/reform-groups/{id}":          `{"groups":[]}`,
		"PATCH /api/v1/webhooks/{id}":                     `{"url":"https://example.org/hook","active":false}`,
	}
	// The demo has no webhook endpoint: endpoint 1 is made here.
	if status, body := call(t, srv, "POST", "/api/v1/webhooks", tokens[access.RoleAdmin], `{"name":"exchange","url":"https://example.org/in"}`); status != http.StatusCreated {
		t.Fatalf("create a webhook endpoint: %d %.200s", status, body)
	}
	if before, err = a.db.Head(context.Background()); err != nil {
		t.Fatal(err)
	}
	gets := map[string]bool{}
	for _, rt := range a.web.Routes() {
		if rt.Method() == "GET" {
			gets[rt.Path()] = true
		}
	}
	checked := 0
	for _, rt := range a.web.Routes() {
		if !rt.IsAPI() || (rt.Method() != "PUT" && rt.Method() != "PATCH") {
			continue
		}
		checked++
		if rt.Doc == nil || !rt.Doc.Versioned {
			t.Errorf("%s is not documented as versioned", rt.Pattern)
		}
		token := tokenFor(tokens, rt)
		edit, ok := edits[rt.Pattern]
		if !ok {
			t.Errorf("%s: no valid edit to send", rt.Pattern)
			continue
		}
		status, body := call(t, srv, rt.Method(), path(rt), token, edit)
		// The service refuses a forbidden edit first: the demo's first
		// adjustment is not of this liaison's unit.
		forbidden := status == http.StatusForbidden && strings.Contains(rt.Pattern, "/adjustments/")
		if status != http.StatusPreconditionRequired && !forbidden {
			t.Errorf("%s %s without If-Match: %d, want 428: %.200s", rt.Method(), path(rt), status, body)
		}
		if !gets[rt.Path()] {
			t.Errorf("%s has no GET to read its ETag from", rt.Pattern)
			continue
		}
		req, err := http.NewRequest("GET", srv.URL+path(rt), nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !regexp.MustCompile(`^"[1-9][0-9]*"$`).MatchString(res.Header.Get("ETag")) {
			t.Errorf("GET %s: %d, ETag %q", path(rt), res.StatusCode, res.Header.Get("ETag"))
		}
	}
	if checked < 7 {
		t.Fatalf("only %d PUT/PATCH API routes wired", checked)
	}
	t.Logf("%d PUT/PATCH API routes", checked)
	if after, err := a.db.Head(context.Background()); err != nil || after.Size != before.Size {
		t.Fatalf("edits without If-Match changed something: %d → %d events (%v)", before.Size, after.Size, err)
	}
}
