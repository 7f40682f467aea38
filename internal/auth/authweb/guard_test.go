package authweb

import (
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"regexp"
	"slices"
	"testing"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/auth"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
	"github.com/qingdan/qingdan/internal/web/httpx"
	"github.com/qingdan/qingdan/internal/web/webtest"
)

// AdminA is an extra fixture principal: the administrator of town A.
const AdminA = "admin_a"

// fixture stores webtest's organisation (bodies with its paths, a staff
// member with an account for every fixture principal) and logs every
// principal in under webtest.Token(name) with the stored ids, so the
// services behind the routes find what the guard was told.
type fixture struct {
	env      *webtest.Env
	staff    map[string]int64 // fixture name → staff id
	accounts map[string]int64 // fixture name → account id
	routes   []httpx.Route
	svc      *auth.Service
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	orgs := org.NewService(db)
	bodies := map[string]int64{}
	for _, b := range []struct {
		parent string
		level  org.Level
		code   string
		path   string
	}{
		{"", org.LevelDistrict, "330102", webtest.District},
		{webtest.District, org.LevelTown, "330102001", webtest.TownA},
		{webtest.District, org.LevelTown, "330102002", webtest.TownB},
		{webtest.TownB, org.LevelCommunity, "330102002001", "/1/3/4/"},
		{webtest.TownA, org.LevelCommunity, "330102001001", webtest.CommunityA},
	} {
		got, err := orgs.CreateBody(ctx, org.System, org.BodyInput{ParentID: bodies[b.parent], Level: b.level, Code: b.code, Name: "单位" + b.code})
		if err != nil {
			t.Fatal(err)
		}
		if got.Path != b.path {
			t.Fatalf("body %s has path %s, want %s", b.code, got.Path, b.path)
		}
		bodies[b.path] = got.ID
	}
	svc := auth.NewService(db, orgs, auth.Config{Argon2: cheap})
	routes, err := Routes(svc, orgs, fakeFrame{})
	if err != nil {
		t.Fatal(err)
	}
	env := webtest.New(t, routes...)
	ps := webtest.Principals()
	ps[AdminA] = access.Principal{Login: AdminA, BodyPath: webtest.TownA, Roles: []access.Role{access.RoleAdmin}}
	f := &fixture{env: env, staff: map[string]int64{}, accounts: map[string]int64{}, routes: routes, svc: svc}
	for name, p := range ps {
		st, err := orgs.CreateStaff(ctx, org.System, org.StaffInput{BodyID: bodies[p.BodyPath], Name: "用户 " + name, Roles: p.Roles})
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.CreateInitialAccount(ctx, st.ID, name, "fixture-password-1", p.MustChangePassword); err != nil {
			t.Fatal(err)
		}
		acc, err := svc.AccountsOf(ctx, ps[webtest.Admin], []int64{st.ID})
		if err != nil {
			t.Fatal(err)
		}
		p.StaffID, p.AccountID, p.BodyID = st.ID, acc[st.ID].ID, bodies[p.BodyPath]
		// A browser session (tokens are made only from one).
		p.SessionID = "session-" + name
		env.Sessions.Put(webtest.Token(name), p)
		f.staff[name], f.accounts[name] = st.ID, p.AccountID
	}
	return f
}

// fakeFrame renders the content bare: the table checks the guard and the
// handlers, not the layout.
type fakeFrame struct{}

func (fakeFrame) Page(w http.ResponseWriter, _ *http.Request, status int, title string, content template.HTML) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<title>%s</title>%s", title, content)
}
func (fakeFrame) CSRFToken(*http.Request) string { return webtest.CSRFToken }

// The route × role × jurisdiction table of every route of the package
// behind the web server's guard: roles, read-only principals, the forced
// password change, the anonymous, CSRF and jurisdiction.
func TestRoutes_O3_roleJurisdictionTable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		staff := func(name, suffix string) string {
			return fmt.Sprintf("/admin/accounts/staff/%d%s", f.staff[name], suffix)
		}
		acct := func(name, suffix string) string {
			return fmt.Sprintf("/api/v1/accounts/%d%s", f.accounts[name], suffix)
		}
		pw := "password=a-good-initial-pw"
		scenarios := []webtest.Scenario{
			// Account list: administrators only; anonymous to the login, pending to the password page.
			{Name: "list admin", URL: "/admin/accounts", As: webtest.Admin, Status: 200, Contains: []string{"用户 staff_b", "用户 window_a"}},
			{Name: "list town admin sees only the town", URL: "/admin/accounts", As: AdminA, Status: 200,
				Contains: []string{"用户 window_a"}, NotContains: []string{"用户 staff_b"}},
			{Name: "list anonymous", URL: "/admin/accounts", Status: 303, Location: "/login"},
			{Name: "list pending", URL: "/admin/accounts", As: webtest.PendingA, Status: 303, Location: "/password"},
			{Name: "list leader", URL: "/admin/accounts", As: webtest.LeaderA, Status: 403},
			{Name: "list supervisor", URL: "/admin/accounts", As: webtest.DistrictSuper, Status: 403},
			{Name: "list external", URL: "/admin/accounts", As: webtest.ExternalA, Status: 403},
			{Name: "api list admin", URL: "/api/v1/accounts", As: webtest.Admin, Status: 200, Contains: []string{`"login":"staff_b"`}},
			{Name: "api list bearer admin", URL: "/api/v1/accounts?body=3", As: webtest.Admin, Bearer: true, Status: 200,
				Contains: []string{`"login":"staff_b"`}, NotContains: []string{`"login":"window_a"`}},
			{Name: "api list bad body", URL: "/api/v1/accounts?body=x", As: webtest.Admin, Status: 400, Contains: []string{`"field":"body"`}},
			{Name: "api list town admin", URL: "/api/v1/accounts", As: AdminA, Status: 200, NotContains: []string{`"login":"staff_b"`}},
			{Name: "api list window", URL: "/api/v1/accounts", As: webtest.WindowA, Status: 403},
			{Name: "api list anonymous", URL: "/api/v1/accounts", Status: 401},

			// One staff member's page: role and jurisdiction.
			{Name: "staff page admin", URL: staff(webtest.StaffB, ""), As: webtest.Admin, Status: 200, Contains: []string{"重置密码", "staff_b"}},
			{Name: "staff page town admin, own town", URL: staff(webtest.WindowA, ""), As: AdminA, Status: 200},
			{Name: "staff page town admin, other town", URL: staff(webtest.StaffB, ""), As: AdminA, Status: 403},
			{Name: "staff page town admin, the district", URL: staff(webtest.Admin, ""), As: AdminA, Status: 403},
			{Name: "staff page unit staff", URL: staff(webtest.StaffA, ""), As: webtest.StaffA, Status: 403},
			{Name: "staff page unknown", URL: "/admin/accounts/staff/99999", As: webtest.Admin, Status: 404},
			{Name: "staff page anonymous", URL: staff(webtest.StaffB, ""), Status: 303, Location: "/login"},

			// Page writes: Write (read-only refused), role, jurisdiction, CSRF.
			{Name: "create: has one", Method: "POST", URL: staff(webtest.StaffB, ""), As: webtest.Admin, Body: "login=again&" + pw, Status: 409},
			{Name: "create other town", Method: "POST", URL: staff(webtest.StaffB, ""), As: AdminA, Body: "login=x1&" + pw, Status: 403},
			{Name: "create external", Method: "POST", URL: staff(webtest.StaffA, ""), As: webtest.ExternalA, Body: "login=x1&" + pw, Status: 403},
			{Name: "create leader", Method: "POST", URL: staff(webtest.StaffA, ""), As: webtest.LeaderA, Body: "login=x1&" + pw, Status: 403},
			{Name: "reset other town", Method: "POST", URL: staff(webtest.StaffB, "/password"), As: AdminA, Body: pw, Status: 403},
			{Name: "reset without CSRF", Method: "POST", URL: staff(webtest.StaffB, "/password"), As: webtest.Admin, Body: pw, NoCSRF: true, Status: 403},
			{Name: "reset own town", Method: "POST", URL: staff(webtest.StaffA, "/password"), As: AdminA, Body: pw, Status: 303,
				Location: staff(webtest.StaffA, "?done=reset")},
			{Name: "active other town", Method: "POST", URL: staff(webtest.StaffB, "/active"), As: AdminA, Body: "active=false", Status: 403},
			{Name: "active supervisor", Method: "POST", URL: staff(webtest.StaffB, "/active"), As: webtest.DistrictSuper, Body: "active=false", Status: 403},
			{Name: "active district admin", Method: "POST", URL: staff(webtest.StaffB, "/active"), As: webtest.Admin, Body: "active=false", Status: 303},
			{Name: "active district admin back", Method: "POST", URL: staff(webtest.StaffB, "/active"), As: webtest.Admin, Body: "active=true", Status: 303},

			// API writes.
			{Name: "api create other town", Method: "POST", URL: "/api/v1/accounts", As: AdminA,
				Body: fmt.Sprintf(`{"staff_id":%d,"login":"x2","password":"a-good-initial-pw"}`, f.staff[webtest.StaffB]), Status: 403},
			{Name: "api create external", Method: "POST", URL: "/api/v1/accounts", As: webtest.ExternalA,
				Body: fmt.Sprintf(`{"staff_id":%d,"login":"x2","password":"a-good-initial-pw"}`, f.staff[webtest.StaffA]), Status: 403},
			{Name: "api create anonymous", Method: "POST", URL: "/api/v1/accounts",
				Body: `{"staff_id":1,"login":"x2","password":"a-good-initial-pw"}`, Status: 401},
			{Name: "api reset other town", Method: "POST", URL: acct(webtest.StaffB, "/password"), As: AdminA, Body: `{"password":"a-good-initial-pw"}`, Status: 403},
			{Name: "api reset window", Method: "POST", URL: acct(webtest.StaffA, "/password"), As: webtest.WindowA, Body: `{"password":"a-good-initial-pw"}`, Status: 403},
			{Name: "api reset own town", Method: "POST", URL: acct(webtest.StaffA, "/password"), As: AdminA, Body: `{"password":"another-initial-pw"}`,
				Status: 200, Contains: []string{`"state":"must_change_password"`}},
			{Name: "api reset unknown", Method: "POST", URL: "/api/v1/accounts/99999/password", As: webtest.Admin, Body: `{"password":"a-good-initial-pw"}`, Status: 404},
			{Name: "api active other town", Method: "POST", URL: acct(webtest.StaffB, "/active"), As: AdminA, Body: `{"active":false}`, Status: 403},
			{Name: "api active external", Method: "POST", URL: acct(webtest.StaffA, "/active"), As: webtest.ExternalA, Body: `{"active":false}`, Status: 403},
			{Name: "api active district admin", Method: "POST", URL: acct(webtest.StaffB, "/active"), As: webtest.Admin, Body: `{"active":true}`,
				Status: 200, Contains: []string{`"state":"active"`}},

			// Tokens: any logged-in principal, read-only ones included (Self).
			{Name: "tokens page window", URL: "/account/tokens", As: webtest.WindowA, Status: 200, Contains: []string{`value="window"`}},
			{Name: "tokens page external", URL: "/account/tokens", As: webtest.ExternalA, Status: 200, Contains: []string{`value="external_supervisor"`}},
			{Name: "tokens page anonymous", URL: "/account/tokens", Status: 303, Location: "/login"},
			{Name: "tokens page pending", URL: "/account/tokens", As: webtest.PendingA, Status: 303, Location: "/password"},
			{Name: "token create external", Method: "POST", URL: "/account/tokens", As: webtest.ExternalA,
				Body: "name=monitor&scopes=external_supervisor", Status: 201, Contains: []string{auth.TokenPrefix}},
			{Name: "token create beyond own roles", Method: "POST", URL: "/account/tokens", As: webtest.ExternalA,
				Body: "name=monitor&scopes=admin", Status: 400, NotContains: []string{auth.TokenPrefix}},
			{Name: "token create without CSRF", Method: "POST", URL: "/account/tokens", As: webtest.WindowA, NoCSRF: true,
				Body: "name=x&scopes=window", Status: 403},
			{Name: "token create anonymous", Method: "POST", URL: "/account/tokens", Body: "name=x&scopes=window", Status: 303, Location: "/login"},
			{Name: "token create pending", Method: "POST", URL: "/account/tokens", As: webtest.PendingA, Body: "name=x&scopes=unit_staff", Status: 303, Location: "/password"},
			{Name: "api tokens window", URL: "/api/v1/tokens", As: webtest.WindowA, Status: 200},
			{Name: "api tokens anonymous", URL: "/api/v1/tokens", Status: 401},
			{Name: "api tokens pending", URL: "/api/v1/tokens", As: webtest.PendingA, Status: 403},
			{Name: "api token create leader", Method: "POST", URL: "/api/v1/tokens", As: webtest.LeaderA,
				Body: `{"name":"reports","scopes":["leader"]}`, Status: 201, Contains: []string{`"secret":"qdt_`}},
			{Name: "api token create anonymous", Method: "POST", URL: "/api/v1/tokens", Body: `{"name":"x","scopes":["leader"]}`, Status: 401},
			{Name: "api token revoke someone else's", Method: "POST", URL: "/api/v1/tokens/1/revoke", As: webtest.WindowA, Status: 404},
			{Name: "page token revoke someone else's", Method: "POST", URL: "/account/tokens/1/revoke", As: webtest.StaffB, Status: 404},
			{Name: "api token revoke anonymous", Method: "POST", URL: "/api/v1/tokens/1/revoke", Status: 401},
			{Name: "api token revoke own", Method: "POST", URL: "/api/v1/tokens/1/revoke", As: webtest.ExternalA, Status: 200, Contains: []string{`"revoked":true`}},
			{Name: "page token revoke own", Method: "POST", URL: "/account/tokens/2/revoke", As: webtest.LeaderA, Status: 303, Location: "/account/tokens?done=revoked"},
			{Name: "OpenAPI lists the routes", URL: "/api/v1/openapi.json", Status: 200,
				Contains: []string{"/api/v1/accounts/{id}/password", "/api/v1/tokens/{id}/revoke"}},
		}
		webtest.Run(t, f.env.Server, scenarios)

		// Every route of the package is in the table.
		mux := http.NewServeMux()
		for _, rt := range f.routes {
			mux.Handle(rt.Pattern, http.NotFoundHandler())
		}
		covered := map[string]bool{}
		for _, sc := range scenarios {
			if _, pattern := mux.Handler(sc.Request()); pattern != "" {
				covered[pattern] = true
			}
		}
		for _, rt := range f.routes {
			if !covered[rt.Pattern] {
				t.Errorf("route %s is not in the table", rt.Pattern)
			}
		}
		// The service refuses the list to anyone but an administrator, behind
		// the guard's back too.
		if _, err := f.svc.AccountsOf(ctx, webtest.Principals()[webtest.WindowA], []int64{f.staff[webtest.WindowA]}); apperr.CodeOf(err) != apperr.Forbidden {
			t.Errorf("AccountsOf for window staff: %v, want Forbidden", err)
		}
		rep, err := db.Verify(ctx, nil)
		if err != nil || !rep.OK() {
			t.Fatalf("verify: %v %+v", err, rep)
		}
	})
}

// Policies: admin routes need the role, their writes are Write and scoped;
// token routes are Self (the caller's own account); every API route has a Doc.
func TestRoutes_policies(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	for _, rt := range f.routes {
		unsafe := rt.Method() != http.MethodGet
		switch {
		case rt.IsAPI() && rt.Doc == nil:
			t.Errorf("%s: no Doc", rt.Pattern)
		case unsafe && !rt.Policy.Write && !rt.Policy.Self:
			t.Errorf("%s: unsafe without Write or Self", rt.Pattern)
		case rt.Policy.Public:
			t.Errorf("%s: public", rt.Pattern)
		}
		admin := rt.Policy.Duty == access.DutyAccounts && slices.Equal(rt.Policy.Roles, access.DutyRoles(access.DutyAccounts))
		isToken := regexp.MustCompile(`/tokens`).MatchString(rt.Pattern)
		if isToken && (len(rt.Policy.Roles) > 0 || rt.Policy.Write || (unsafe && !rt.Policy.Self)) {
			t.Errorf("%s: token routes are Self routes of any logged-in principal", rt.Pattern)
		}
		if !isToken && !admin {
			t.Errorf("%s: account routes are for the accounts duty's administrators", rt.Pattern)
		}
		if !isToken && unsafe && rt.Pattern != "POST /api/v1/accounts" && rt.Policy.Scope == nil {
			t.Errorf("%s: no jurisdiction scope", rt.Pattern)
		}
	}
}

// Every message key a template uses exists in both languages.
func TestPages_messagesComplete(t *testing.T) {
	re := regexp.MustCompile(`\bt \S+ "([a-z_.]+)"`)
	err := fs.WalkDir(templateFS, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(templateFS, path)
		if err != nil {
			return err
		}
		for _, m := range re.FindAllStringSubmatch(string(data), -1) {
			if !messages.Has(m[1]) {
				t.Errorf("%s: message %q missing", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{StateNone, StateInactive, StateLocked, StateMustChange, StateActive} {
		if !messages.Has("state." + s) {
			t.Errorf("state %s has no message", s)
		}
	}
	if _, err := parsePages(); err != nil {
		t.Fatal(err)
	}
}
