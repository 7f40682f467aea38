package web_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/api"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/web/httpx"
	wt "github.com/qingdan/qingdan/internal/web/webtest"
)

// objects are fixture objects owned by bodies of the fixture organisation.
var objects = map[string]string{"a1": wt.TownA, "b1": wt.TownB, "c1": wt.CommunityA}

func objectScope(r *http.Request) (string, error) {
	path, ok := objects[r.PathValue("id")]
	if !ok {
		return "", apperr.NotFoundf("web.no_object", r.PathValue("id"))
	}
	return path, nil
}

func ok(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("handled"))
}

// objectInput is the fixture write's body; fixtureBody is a valid one.
type objectInput struct {
	Name string `json:"name"`
}

const fixtureBody = `{"name":"x"}`

// writeObject decodes strictly, like every API write.
func writeObject(w http.ResponseWriter, r *http.Request) {
	var in objectInput
	if err := api.Decode(w, r, &in); err != nil {
		api.WriteError(w, r, err)
		return
	}
	ok(w, r)
}

// fixtureRoutes stand in for feature routes with a jurisdiction until
// features bring their own; they go through the same guard.
func fixtureRoutes() []httpx.Route {
	doc := &httpx.Doc{Summary: "fixture object"}
	return []httpx.Route{
		{Pattern: "GET /api/v1/fixture/objects/{id}", Policy: httpx.Policy{Scope: objectScope}, Handler: http.HandlerFunc(ok), Doc: doc},
		{Pattern: "POST /api/v1/fixture/objects/{id}", Policy: httpx.Policy{Write: true, Scope: objectScope,
			Roles: []access.Role{access.RoleUnitStaff, access.RoleAdmin}}, Handler: http.HandlerFunc(writeObject),
			Doc: &httpx.Doc{Summary: "change a fixture object", Request: objectInput{}}},
		{Pattern: "GET /fixture/objects/{id}", Policy: httpx.Policy{Scope: objectScope}, Handler: http.HandlerFunc(ok)},
		{Pattern: "POST /fixture/objects/{id}", Policy: httpx.Policy{Write: true, Scope: objectScope}, Handler: http.HandlerFunc(ok)},
		{Pattern: "GET /fixture/admin", Policy: httpx.Policy{Roles: []access.Role{access.RoleAdmin}}, Handler: http.HandlerFunc(ok),
			Nav: &httpx.Nav{Label: "role.admin", Order: 50}},
		{Pattern: "GET /fixture/panic", Policy: httpx.Policy{Public: true}, Handler: http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
			panic("fixture panic")
		})},
		{Pattern: "GET /api/v1/fixture/panic", Policy: httpx.Policy{Public: true}, Doc: &httpx.Doc{Summary: "panics"},
			Handler: http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("fixture panic") })},
	}
}

var wildcardRE = regexp.MustCompile(`\{[^}]*\}`)

// urlOf makes a concrete URL from a route pattern: every wildcard becomes
// "a1" (an object of town A), the end anchor disappears.
func urlOf(rt httpx.Route) string {
	p := strings.ReplaceAll(rt.Path(), "{$}", "")
	return wildcardRE.ReplaceAllString(p, "a1")
}

func jsonCode(t *testing.T, body string) apperr.Code {
	t.Helper()
	var e struct {
		Code apperr.Code `json:"code"`
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("not a JSON error: %v: %.300s", err, body)
	}
	return e.Code
}

// TestEveryRouteRefusesAnonymous: no non-public route answers the public.
func TestEveryRouteRefusesAnonymous(t *testing.T) {
	env := wt.New(t, fixtureRoutes()...)
	n := 0
	for _, rt := range env.Server.Routes() {
		if rt.Policy.Public {
			continue
		}
		n++
		sc := wt.Scenario{Name: rt.Pattern, Method: rt.Method(), URL: urlOf(rt), Body: bodyFor(rt)}
		if rt.IsAPI() {
			sc.Status = http.StatusUnauthorized
			sc.Contains = []string{`"code":"unauthorized"`}
		} else {
			sc.Status = http.StatusSeeOther
			sc.Location = "/login"
		}
		t.Run(rt.Pattern, func(t *testing.T) { wt.Do(t, env.Server, sc) })
	}
	if n == 0 {
		t.Fatal("no protected routes")
	}
}

// bodyFor gives unsafe requests a syntactically valid body, so a refusal
// cannot be mistaken for a decoding error.
func bodyFor(rt httpx.Route) string {
	if rt.Method() == http.MethodGet {
		return ""
	}
	if rt.IsAPI() {
		return fixtureBody
	}
	return "x=1"
}

// TestExternalSupervisorNeverWrites iterates every registered write route:
// a read-only principal (S7) is refused before any handler runs, by cookie
// and by API token alike.
func TestExternalSupervisorNeverWrites(t *testing.T) {
	env := wt.New(t, fixtureRoutes()...)
	n := 0
	for _, rt := range env.Server.Routes() {
		if !rt.Policy.Write || rt.Policy.Public || rt.Policy.ExternalReport {
			continue // an ExternalReport route: TestExternalReport_S7_theOneNarrowException
		}
		n++
		for _, bearer := range []bool{false, true} {
			sc := wt.Scenario{Name: rt.Pattern, Method: rt.Method(), URL: urlOf(rt), As: wt.ExternalA,
				Bearer: bearer, Body: bodyFor(rt), Status: http.StatusForbidden, NotContains: []string{"handled"}}
			t.Run(rt.Pattern, func(t *testing.T) {
				_, body := wt.Do(t, env.Server, sc)
				if rt.IsAPI() && jsonCode(t, body) != apperr.Forbidden {
					t.Errorf("code %s, want forbidden", jsonCode(t, body))
				}
			})
		}
	}
	if n == 0 {
		t.Fatal("no write routes registered")
	}
}

// TestRolesEnforced: for every route with roles, a principal holding only
// another role — at the district, so jurisdiction is no excuse — is refused.
func TestRolesEnforced(t *testing.T) {
	env := wt.New(t, fixtureRoutes()...)
	for _, role := range access.AllRoles {
		env.Sessions.Put(wt.Token("role-"+string(role)), access.Principal{AccountID: 100, Login: "r", BodyPath: wt.District,
			Roles: []access.Role{role}})
	}
	for _, rt := range env.Server.Routes() {
		if len(rt.Policy.Roles) == 0 {
			continue
		}
		for _, role := range access.AllRoles {
			sc := wt.Scenario{Name: rt.Pattern + " " + string(role), Method: rt.Method(), URL: urlOf(rt),
				As: "role-" + string(role), Body: bodyFor(rt), Status: http.StatusOK}
			if !slices.Contains(rt.Policy.Roles, role) {
				sc.Status = http.StatusForbidden
			} else if rt.Policy.Write && role == access.RoleExternalSupervisor {
				sc.Status = http.StatusForbidden
			}
			t.Run(sc.Name, func(t *testing.T) { wt.Do(t, env.Server, sc) })
		}
	}
}

// TestPendingPasswordChange: until the forced change, every route but the
// change itself (and logout, language, assets) sends the principal there.
func TestPendingPasswordChange(t *testing.T) {
	env := wt.New(t, fixtureRoutes()...)
	for _, rt := range env.Server.Routes() {
		if rt.Policy.AllowPending || rt.Policy.Stateless || strings.Contains(rt.Pattern, "panic") {
			continue
		}
		sc := wt.Scenario{Name: rt.Pattern, Method: rt.Method(), URL: urlOf(rt), As: wt.PendingA, Body: bodyFor(rt)}
		if rt.IsAPI() {
			sc.Status = http.StatusForbidden
			sc.Contains = []string{`"code":"forbidden"`, "请先修改初始密码"}
		} else {
			sc.Status = http.StatusSeeOther
			sc.Location = "/password"
		}
		t.Run(rt.Pattern, func(t *testing.T) { wt.Do(t, env.Server, sc) })
	}
}

// TestJurisdiction is the route × role × jurisdiction table (O1): a town's
// staff cannot read or change another town's objects; the district covers
// both; an external supervisor reads in their area and never writes.
func TestJurisdiction(t *testing.T) {
	env := wt.New(t, fixtureRoutes()...)
	const (
		api  = "/api/v1/fixture/objects/"
		page = "/fixture/objects/"
	)
	post := http.MethodPost
	wt.Run(t, env.Server, []wt.Scenario{
		{Name: "town A staff reads own object", URL: api + "a1", As: wt.StaffA, Status: 200, Contains: []string{"handled"}},
		{Name: "town A staff reads own community", URL: api + "c1", As: wt.StaffA, Status: 200},
		{Name: "town A staff refused on town B object (API)", URL: api + "b1", As: wt.StaffA, Status: 403,
			Contains: []string{`"code":"forbidden"`}, NotContains: []string{"handled"}},
		{Name: "town A staff refused on town B object (page)", URL: page + "b1", As: wt.StaffA, Status: 403,
			Contains: []string{"无权访问", "不在您的管辖范围内"}, NotContains: []string{"handled"}},
		{Name: "town B staff refused on town A object", URL: api + "a1", As: wt.StaffB, Status: 403, Bearer: true},
		{Name: "town B staff refused writing town A object", Method: post, URL: api + "a1", As: wt.StaffB, Body: "{}", Status: 403},
		{Name: "town A staff writes own object", Method: post, URL: api + "a1", As: wt.StaffA, Body: fixtureBody, Status: 200},
		{Name: "town A staff writes own object by token", Method: post, URL: api + "a1", As: wt.StaffA, Bearer: true, Body: fixtureBody, Status: 200},
		{Name: "district supervisor reads both towns", URL: api + "b1", As: wt.DistrictSuper, Status: 200},
		{Name: "district supervisor lacks the write role", Method: post, URL: api + "b1", As: wt.DistrictSuper, Body: "{}", Status: 403},
		{Name: "admin writes anywhere in the district", Method: post, URL: api + "b1", As: wt.Admin, Body: fixtureBody, Status: 200},
		{Name: "window lacks the write role", Method: post, URL: api + "a1", As: wt.WindowA, Body: "{}", Status: 403},
		{Name: "external supervisor reads own area", URL: api + "a1", As: wt.ExternalA, Status: 200},
		{Name: "external supervisor reads own area page", URL: page + "c1", As: wt.ExternalA, Status: 200},
		{Name: "external supervisor refused outside area", URL: api + "b1", As: wt.ExternalA, Status: 403},
		{Name: "external supervisor never writes, even in area", Method: post, URL: page + "a1", As: wt.ExternalA, Body: "x=1", Status: 403,
			Contains: []string{"只能查看"}},
		{Name: "unknown object is not found", URL: api + "zz", As: wt.StaffA, Status: 404, Contains: []string{`"code":"not_found"`, "zz"}},
		{Name: "refusal in English", URL: api + "b1", As: wt.StaffA, Status: 403,
			Header: map[string]string{"Accept-Language": "en-US,en;q=0.9"}, Contains: []string{"outside your jurisdiction"}},
		{Name: "bad token is 401", URL: api + "a1", Status: 401,
			Header: map[string]string{"Authorization": "Bearer nope"}, Contains: []string{`"code":"unauthorized"`}},
		{Name: "expired cookie on a page goes to login", URL: page + "a1", Status: 303, Location: "/login?next=%2Ffixture%2Fobjects%2Fa1",
			Header: map[string]string{"Cookie": wt.Cookie + "=stale"}},
		{Name: "expired cookie does not block the login page", URL: "/login", Status: 200,
			Header: map[string]string{"Cookie": wt.Cookie + "=stale"}},
	})
}

// TestNavigationByRole: navigation lists only what the roles admit.
func TestNavigationByRole(t *testing.T) {
	env := wt.New(t, fixtureRoutes()...)
	wt.Run(t, env.Server, []wt.Scenario{
		{Name: "admin sees admin entry", URL: "/", As: wt.Admin, Status: 200, Contains: []string{`href="/fixture/admin"`, `href="/password"`}},
		{Name: "staff does not", URL: "/", As: wt.StaffA, Status: 200, Contains: []string{`href="/password"`},
			NotContains: []string{`href="/fixture/admin"`}},
		{Name: "anonymous sees no account entries", URL: "/", Status: 200, NotContains: []string{`href="/fixture/admin"`, `href="/password"`}},
	})
}

// TestAPIBadInput: every API route taking a body answers malformed input
// with a field-named invalid error (or refuses the caller first) and never
// succeeds, whoever asks.
func TestAPIBadInput(t *testing.T) {
	env := wt.New(t, fixtureRoutes()...)
	bad := []struct{ body, field string }{
		{`{"no_such_field":1}`, "no_such_field"},
		{`{"name":42}`, "name"},
		{`{"name":"x"} trailing`, ""},
		{`not json`, ""},
		{``, ""},
	}
	n := 0
	for _, rt := range env.Server.Routes() {
		if !rt.IsAPI() || rt.Doc == nil || rt.Doc.Request == nil {
			continue
		}
		n++
		for _, b := range bad {
			invalid := 0
			for name := range wt.Principals() {
				sc := wt.Scenario{Method: rt.Method(), URL: urlOf(rt), As: name, Bearer: true, Body: b.body}
				if b.body == "" {
					sc.Header = map[string]string{"Content-Type": "application/json"}
				}
				res, body := wt.Do(t, env.Server, sc)
				switch res.StatusCode {
				case http.StatusBadRequest:
					invalid++
					var e api.Error
					if err := json.Unmarshal([]byte(body), &e); err != nil || e.Code != apperr.Invalid || e.Field != b.field || e.Message == "" {
						t.Errorf("%s %q as %s: %s", rt.Pattern, b.body, name, body)
					}
				case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound:
				default:
					t.Errorf("%s %q as %s: status %d: %s", rt.Pattern, b.body, name, res.StatusCode, body)
				}
			}
			if invalid == 0 {
				t.Errorf("%s: no fixture principal got past the policy to the decoder", rt.Pattern)
			}
		}
	}
	if n == 0 {
		t.Fatal("no API route takes a body")
	}
}

// TestRouteMatrix is the full route × principal × object table: for every
// registered route, every fixture principal, and an object of town A and
// of town B, the guard refuses exactly when the policy says so. Feature
// routes join the table by being registered; nothing here lists them.
func TestRouteMatrix(t *testing.T) {
	env := wt.New(t, fixtureRoutes()...)
	principals := wt.Principals()
	names := []string{wt.Anonymous}
	for name := range principals {
		names = append(names, name)
	}
	slices.Sort(names)
	// Guard messages, to tell a guard refusal from a handler's own 403.
	guardMsgs := []string{"只能查看", "您的角色无权", "不在您的管辖范围内", "请先修改初始密码"}
	checked := 0
	for _, rt := range env.Server.Routes() {
		if rt.Policy.Stateless || strings.Contains(rt.Pattern, "panic") {
			continue
		}
		objs := []string{"a1"}
		if strings.Contains(rt.Path(), "{") {
			objs = append(objs, "b1")
		}
		for _, obj := range objs {
			url := wildcardRE.ReplaceAllString(strings.ReplaceAll(rt.Path(), "{$}", ""), obj)
			for _, name := range names {
				p := principals[name]
				refusal := expectedRefusal(rt.Policy, p, objects[obj])
				sc := wt.Scenario{Method: rt.Method(), URL: url, As: name, Body: bodyFor(rt)}
				res, body := wt.Do(t, env.Server, sc)
				env.Reset() // a logout in the table must not log out the next rows
				checked++
				got := res.StatusCode
				loc := res.Header.Get("Location")
				label := rt.Pattern + " " + url + " as " + name
				switch refusal {
				case "login":
					if rt.IsAPI() && got != 401 || !rt.IsAPI() && (got != 303 || !strings.HasPrefix(loc, "/login")) {
						t.Errorf("%s: %d %s, want login refusal", label, got, loc)
					}
				case "password":
					if rt.IsAPI() && got != 403 || !rt.IsAPI() && (got != 303 || loc != "/password") {
						t.Errorf("%s: %d %s, want password change first", label, got, loc)
					}
				case "forbidden":
					if got != 403 {
						t.Errorf("%s: %d, want 403", label, got)
					}
				default:
					// A page's own 401 (the login form's wrong password) is
					// no refusal: the guard redirects pages.
					refused := rt.IsAPI() && got == 401 || got == 303 && (strings.HasPrefix(loc, "/login?") || loc == "/password")
					if got == 403 {
						for _, m := range guardMsgs {
							refused = refused || strings.Contains(body, m)
						}
					}
					if refused {
						t.Errorf("%s: refused (%d %s), policy admits", label, got, loc)
					}
				}
			}
		}
	}
	t.Logf("%d route × principal × object cases", checked)
}

// expectedRefusal restates the policy rules independently of the guard:
// "login", "password", "forbidden" or "" (admitted).
func expectedRefusal(pol httpx.Policy, p access.Principal, objectPath string) string {
	if p.AccountID != 0 && p.MustChangePassword && !pol.AllowPending {
		return "password"
	}
	if pol.Public {
		return ""
	}
	if p.AccountID == 0 {
		return "login"
	}
	onlyExternal := len(p.Roles) > 0
	for _, r := range p.Roles {
		onlyExternal = onlyExternal && r == access.RoleExternalSupervisor
	}
	if pol.Write && onlyExternal {
		return "forbidden"
	}
	if len(pol.Roles) > 0 && !slices.ContainsFunc(p.Roles, func(r access.Role) bool { return slices.Contains(pol.Roles, r) }) {
		return "forbidden"
	}
	if pol.Scope != nil && !strings.HasPrefix(objectPath, p.BodyPath) {
		return "forbidden"
	}
	return ""
}
