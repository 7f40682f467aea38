package authweb

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/auth"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
	"github.com/qingdan/qingdan/internal/web"
	"github.com/qingdan/qingdan/internal/web/webtest"
)

var ctx = context.Background()

// cheap keeps password hashing fast in tests; the cost is not under test.
var cheap = auth.Argon2Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// site is the real server over the real account service and the demo
// organisation: logins, sessions, tokens and the guard are the production
// ones (only the CSRF check is webtest's fake, which wants a fixed token).
type site struct {
	t    *testing.T
	db   *store.DB
	orgs *org.Service
	srv  http.Handler
}

func newSite(t *testing.T, db *store.DB) *site {
	t.Helper()
	orgs := org.NewService(db)
	// A failed login's wait before the next attempt is tested in package
	// auth; these journeys log in again at once after one.
	svc := auth.NewService(db, orgs, auth.Config{Argon2: cheap, Lockout: auth.LockoutPolicy{FirstDelay: time.Nanosecond}})
	if err := org.LoadDemo(ctx, db, svc); err != nil {
		t.Fatal(err)
	}
	frame := web.NewFrame()
	routes, err := Routes(svc, orgs, frame)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Config{Version: "test"}, web.Deps{Logger: slog.New(slog.DiscardHandler), Sessions: svc, Auth: svc,
		CSRF: webtest.CSRF{}, DB: &webtest.DB{}, Frame: frame, Routes: routes})
	if err != nil {
		t.Fatal(err)
	}
	return &site{t: t, db: db, orgs: orgs, srv: srv}
}

// req is one request: cred is a session cookie value, or "Bearer …".
type req struct {
	method, url, cred, body, lang string
}

func (s *site) do(q req) (int, string, http.Header) {
	s.t.Helper()
	if q.method == "" {
		q.method = http.MethodGet
	}
	r := httptest.NewRequest(q.method, q.url, strings.NewReader(q.body))
	r.RemoteAddr = "192.0.2.20:1234"
	if q.body != "" {
		ct := "application/x-www-form-urlencoded"
		if strings.HasPrefix(q.url, "/api/") {
			ct = "application/json"
		}
		r.Header.Set("Content-Type", ct)
	}
	if bearer, ok := strings.CutPrefix(q.cred, "Bearer "); ok {
		r.Header.Set("Authorization", "Bearer "+bearer)
	} else if q.cred != "" {
		r.AddCookie(&http.Cookie{Name: auth.DefaultSessionCookie, Value: q.cred})
		r.Header.Set(web.CSRFHeader, webtest.CSRFToken)
	}
	if q.lang != "" {
		r.Header.Set("Accept-Language", q.lang)
	}
	w := httptest.NewRecorder()
	s.srv.ServeHTTP(w, r)
	b, err := io.ReadAll(w.Result().Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return w.Code, string(b), w.Result().Header
}

// login logs in through the login page and returns the session cookie.
func (s *site) login(login, password string) string {
	s.t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{
		"login": {login}, "password": {password}, "csrf_token": {webtest.CSRFToken}}.Encode()))
	r.RemoteAddr = "192.0.2.20:1234"
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	s.srv.ServeHTTP(w, r)
	if w.Code != http.StatusSeeOther {
		s.t.Fatalf("login %s: %d %s", login, w.Code, w.Body.String())
	}
	for _, c := range w.Result().Cookies() {
		if c.Name == auth.DefaultSessionCookie && c.Value != "" {
			return c.Value
		}
	}
	s.t.Fatalf("login %s: no session cookie", login)
	return ""
}

func (s *site) staffID(name string) int64 {
	s.t.Helper()
	st, err := s.orgs.SearchStaff(ctx, org.System, org.StaffQuery{Text: name, IncludeInactive: true})
	if err != nil || len(st) != 1 {
		s.t.Fatalf("staff %s: %v %v", name, st, err)
	}
	return st[0].ID
}

func (s *site) head() uint64 {
	s.t.Helper()
	h, err := s.db.Head(ctx)
	if err != nil {
		s.t.Fatal(err)
	}
	return h.Size
}

func (s *site) want(q req, status int, contains ...string) string {
	s.t.Helper()
	got, body, _ := s.do(q)
	if got != status {
		s.t.Fatalf("%s %s: status %d, want %d\n%.600s", q.method, q.url, got, status, body)
	}
	for _, c := range contains {
		if !strings.Contains(body, c) {
			s.t.Fatalf("%s %s: body lacks %q\n%.1500s", q.method, q.url, c, body)
		}
	}
	return body
}

func form(kv ...string) string {
	v := url.Values{}
	for i := 0; i < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v.Encode()
}

// TestAccounts_O3_createLoginForcedChange: an administrator creates a staff
// member's account; bad input is refused with a field-named error in both
// languages and changes nothing; the new user logs in and must change the
// password first; a reset forces it again; a deactivated account cannot
// log in; a town's administrator cannot touch another town's staff.
func TestAccounts_O3_createLoginForcedChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		admin := s.login("admin", org.DemoPassword)
		sun := s.staffID("刘洋") // district window liaison, no account yet (every unit head has one)
		page := fmt.Sprintf("/admin/accounts/staff/%d", sun)

		// Navigation by role: administrators see both pages, others only their tokens.
		s.want(req{url: "/", cred: admin}, 200, `href="/admin/accounts"`, `href="/account/tokens"`, "账号管理", "访问令牌")
		if _, body, _ := s.do(req{url: "/", cred: s.login("window1", org.DemoPassword), lang: "en"}); !strings.Contains(body, "API tokens") ||
			strings.Contains(body, `href="/admin/accounts"`) {
			t.Fatalf("navigation of window staff: %.2000s", body)
		}
		s.want(req{url: "/admin/accounts", cred: admin}, 200, "刘洋", "未开通", "周文", "office1", "青山街道")
		s.want(req{url: "/admin/accounts", cred: admin, lang: "en"}, 200, "none", "active", "Accounts")
		s.want(req{url: page, cred: admin}, 200, "开通账号", `name="login"`)

		// Bad input: a field-named error in the request's language, nothing changed.
		before := s.head()
		s.want(req{method: "POST", url: page, cred: admin, body: form("login", "sunjg", "password", "short1")},
			400, "密码：", "10", `value="sunjg"`)
		s.want(req{method: "POST", url: page, cred: admin, lang: "en", body: form("login", "sunjg", "password", "short1")},
			400, "Password: ", "10")
		s.want(req{method: "POST", url: page, cred: admin, body: form("login", "sunjg", "password", "xx-SunJG-2026-yy")},
			400, "密码：")
		s.want(req{method: "POST", url: page, cred: admin, lang: "en", body: form("login", "sunjg", "password", "xx-SunJG-2026-yy")},
			400, "Password: ")
		s.want(req{method: "POST", url: page, cred: admin, body: form("login", "Admin", "password", "a-good-initial-pw")},
			409, "账号名：")
		s.want(req{method: "POST", url: page, cred: admin, lang: "en", body: form("login", "admin", "password", "a-good-initial-pw")},
			409, "Login: ")
		s.want(req{method: "POST", url: page, cred: admin, body: form("login", "孙 建国", "password", "a-good-initial-pw")},
			400, "账号名：")
		s.want(req{method: "POST", url: "/admin/accounts/staff/999999", cred: admin, body: form("login", "ghost", "password", "a-good-initial-pw")}, 404)
		api := "/api/v1/accounts"
		for _, bad := range []struct {
			body, field string
			status      int
		}{
			{`{"staff_id":999999,"login":"ghost","password":"a-good-initial-pw"}`, "staff_id", 404},
			{`{"login":"ghost","password":"a-good-initial-pw"}`, "staff_id", 400},
			{fmt.Sprintf(`{"staff_id":%d,"login":"sunjg","password":"short1"}`, sun), "password", 400},
			{fmt.Sprintf(`{"staff_id":%d,"login":"sunjg","password":"SUNJG-the-second"}`, sun), "password", 400},
			{fmt.Sprintf(`{"staff_id":%d,"login":"window1","password":"a-good-initial-pw"}`, sun), "login", 409},
			{fmt.Sprintf(`{"staff_id":%d,"login":"sunjg","password":"a-good-initial-pw","role":"admin"}`, sun), "role", 400},
		} {
			for _, lang := range []string{"zh", "en"} {
				body := s.want(req{method: "POST", url: api, cred: admin, body: bad.body, lang: lang}, bad.status)
				var e struct{ Code, Message, Field string }
				if err := json.Unmarshal([]byte(body), &e); err != nil || e.Field != bad.field || e.Message == "" {
					t.Errorf("%s (%s): %s, want field %s", bad.body, lang, body, bad.field)
				}
				if isChinese := strings.ContainsFunc(e.Message, func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }); isChinese != (lang == "zh") {
					t.Errorf("%s: message %q not in %s", bad.body, e.Message, lang)
				}
			}
		}
		if after := s.head(); after != before {
			t.Fatalf("refused input changed something: audit log grew from %d to %d", before, after)
		}

		// A town's administrator: another town's staff is out of reach.
		qsAdmin := s.login("qingshan_admin", org.DemoPassword)
		before = s.head()       // the login itself is an event
		shen := s.staffID("沈琳") // 溪口镇
		other := fmt.Sprintf("/admin/accounts/staff/%d", shen)
		s.want(req{url: other, cred: qsAdmin}, 403)
		s.want(req{method: "POST", url: other, cred: qsAdmin, body: form("login", "shenlin", "password", "a-good-initial-pw")}, 403)
		s.want(req{method: "POST", url: api, cred: qsAdmin, body: fmt.Sprintf(`{"staff_id":%d,"login":"shenlin","password":"a-good-initial-pw"}`, shen)}, 403)
		s.want(req{url: "/admin/accounts", cred: qsAdmin}, 200, "邓雪")
		if _, body, _ := s.do(req{url: "/admin/accounts", cred: qsAdmin}); strings.Contains(body, "沈琳") {
			t.Fatal("a street administrator sees another town's staff")
		}
		var list []StaffAccount
		body := s.want(req{url: api, cred: qsAdmin}, 200)
		if err := json.Unmarshal([]byte(body), &list); err != nil || len(list) == 0 {
			t.Fatalf("list: %v %s", err, body)
		}
		var xikou1Account int64
		for _, row := range list {
			if row.StaffID == shen {
				t.Fatal("API list crosses the jurisdiction")
			}
		}
		body = s.want(req{url: api + "?q=蒋涛", cred: admin}, 200, `"login":"xikou1"`)
		if err := json.Unmarshal([]byte(body), &list); err != nil || len(list) != 1 || list[0].Account == nil {
			t.Fatalf("list: %v %s", err, body)
		}
		xikou1Account = list[0].Account.ID
		s.want(req{method: "POST", url: fmt.Sprintf("%s/%d/password", api, xikou1Account), cred: qsAdmin, body: `{"password":"a-good-initial-pw"}`}, 403)
		s.want(req{method: "POST", url: fmt.Sprintf("%s/%d/active", api, xikou1Account), cred: qsAdmin, body: `{"active":false}`}, 403)
		s.want(req{method: "POST", url: fmt.Sprintf("%s/%d/active", api, xikou1Account), cred: admin, body: `{}`}, 400, `"field":"active"`)
		s.want(req{method: "POST", url: api + "/999999/password", cred: admin, body: `{"password":"a-good-initial-pw"}`}, 404)
		if after := s.head(); after != before {
			t.Fatalf("refused requests changed something: audit log grew from %d to %d", before, after)
		}
		// …while a street's administrator manages the street's own staff.
		deng := s.staffID("彭悦") // 青山街道, no account yet
		s.want(req{method: "POST", url: api, cred: qsAdmin, body: fmt.Sprintf(`{"staff_id":%d,"login":"dengxue","password":"a-good-initial-pw"}`, deng)},
			201, `"state":"must_change_password"`, `"login":"dengxue"`)

		// Create; the new user must change the password before anything else.
		s.want(req{method: "POST", url: page, cred: admin, body: form("login", " SunJG ", "password", "first-pw-2026!")}, 303)
		s.want(req{url: page + "?done=created", cred: admin}, 200, "账号已开通", "sunjg", "待本人修改初始密码", "重置密码", "停用账号")
		sunSession := s.login("SunJG", "first-pw-2026!")
		_, _, hdr := s.do(req{url: "/", cred: sunSession})
		if loc := hdr.Get("Location"); loc != "/password" {
			t.Fatalf("first page after the first login goes to %q, want /password", loc)
		}
		s.want(req{url: "/account/tokens", cred: sunSession}, 303)
		s.want(req{url: "/api/v1/whoami", cred: sunSession}, 200, `"must_change_password":true`)
		s.want(req{method: "POST", url: "/password", cred: sunSession,
			body: form("old_password", "first-pw-2026!", "new_password", "my-own-secret-77", "confirm_password", "my-own-secret-77")}, 303)
		s.want(req{url: "/api/v1/whoami", cred: sunSession}, 200, `"must_change_password":false`, `"login":"sunjg"`)
		s.want(req{url: "/account/tokens", cred: sunSession}, 200)
		s.want(req{url: page, cred: admin}, 200, "正常")

		// A reset ends the sessions and forces a change again.
		s.want(req{method: "POST", url: page + "/password", cred: admin, body: form("password", "short")}, 400, "密码：")
		s.want(req{method: "POST", url: page + "/password", cred: admin, body: form("password", "reset-pw-2026!")}, 303)
		s.want(req{url: "/api/v1/whoami", cred: sunSession}, 401)
		sunSession = s.login("sunjg", "reset-pw-2026!")
		s.want(req{url: "/api/v1/whoami", cred: sunSession}, 200, `"must_change_password":true`)

		// Deactivated: the session ends, the login fails; reactivated: it works.
		s.want(req{method: "POST", url: page + "/active", cred: admin, body: form("active", "maybe")}, 400, "启用状态：")
		s.want(req{method: "POST", url: page + "/active", cred: admin, body: form("active", "false")}, 303)
		s.want(req{url: page, cred: admin}, 200, "已停用", "启用账号")
		s.want(req{url: "/api/v1/whoami", cred: sunSession}, 401)
		s.want(req{method: "POST", url: "/login", body: form("login", "sunjg", "password", "reset-pw-2026!", "csrf_token", webtest.CSRFToken)}, 401)
		s.want(req{method: "POST", url: page + "/active", cred: admin, body: form("active", "true")}, 303)
		s.login("sunjg", "reset-pw-2026!")

		rep, err := db.Verify(ctx, nil)
		if err != nil || !rep.OK() {
			t.Fatalf("verify: %v %+v", err, rep)
		}
	})
}

// TestTokens_O3_createUseRevoke: a token is created from a browser session,
// its secret appears in the creation response only, it works as a bearer
// token with only its scopes, and once revoked it is refused (401).
func TestTokens_O3_createUseRevoke(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		office := s.login("office1", org.DemoPassword) // general office and list liaison
		before := s.head()
		s.want(req{method: "POST", url: "/account/tokens", cred: office, body: form("name", "", "scopes", "list_liaison")}, 400, "令牌名称：")
		s.want(req{method: "POST", url: "/account/tokens", cred: office, lang: "en", body: form("name", "ci")}, 400, "Scopes: ")
		s.want(req{method: "POST", url: "/account/tokens", cred: office, body: form("name", "ci", "scopes", "admin")}, 400, "权限范围：", `value="ci"`)
		s.want(req{method: "POST", url: "/api/v1/tokens", cred: office, body: `{"name":"ci","scopes":["leader"]}`}, 400, `"field":"scopes"`)
		s.want(req{method: "POST", url: "/api/v1/tokens", cred: office, body: `{"name":"ci","scopes":["list_liaison"],"secret":"x"}`}, 400, `"field":"secret"`)
		if after := s.head(); after != before {
			t.Fatalf("refused input changed something: %d → %d", before, after)
		}

		body := s.want(req{method: "POST", url: "/account/tokens", cred: office, body: form("name", "ci 导入", "scopes", "list_liaison")},
			201, "只显示这一次", auth.TokenPrefix)
		i := strings.Index(body, auth.TokenPrefix)
		secret := body[i : i+len(auth.TokenPrefix)+43] // 32 bytes in unpadded base64url
		if n := strings.Count(body, secret); n != 1 {
			t.Fatalf("secret shown %d times", n)
		}
		bearer := "Bearer " + secret
		who := s.want(req{url: "/api/v1/whoami", cred: bearer}, 200, `"roles":["list_liaison"]`, `"scopes":["list_liaison"]`)
		if strings.Contains(who, "general_office") {
			t.Fatalf("the token holds a role outside its scopes: %s", who)
		}
		// The secret is never shown again: not in the list, page or API.
		for _, u := range []string{"/account/tokens", "/api/v1/tokens"} {
			b := s.want(req{url: u, cred: office}, 200, "ci 导入")
			if strings.Contains(b, secret) || strings.Contains(b, auth.TokenPrefix) {
				t.Fatalf("%s shows the secret again", u)
			}
		}
		// A token acts with its scopes only and cannot mint tokens.
		s.want(req{method: "POST", url: "/api/v1/tokens", cred: bearer, body: `{"name":"x","scopes":["list_liaison"]}`}, 403)
		s.want(req{url: "/api/v1/accounts", cred: bearer}, 403)

		// Created through the API too (cookie and CSRF header), secret in the answer.
		var created CreatedToken
		b := s.want(req{method: "POST", url: "/api/v1/tokens", cred: office, body: `{"name":"report","scopes":["general_office"]}`}, 201)
		if err := json.Unmarshal([]byte(b), &created); err != nil || !strings.HasPrefix(created.Secret, auth.TokenPrefix) || created.Token.Revoked {
			t.Fatalf("created: %v %s", err, b)
		}
		s.want(req{url: "/api/v1/whoami", cred: "Bearer " + created.Secret}, 200, `"roles":["general_office"]`)

		var list []TokenInfo
		b = s.want(req{url: "/api/v1/tokens", cred: office}, 200)
		if err := json.Unmarshal([]byte(b), &list); err != nil || len(list) != 2 {
			t.Fatalf("tokens: %v %s", err, b)
		}
		var ci TokenInfo
		for _, tk := range list {
			if tk.Name == "ci 导入" {
				ci = tk
			}
		}
		if ci.LastUsedAt == nil {
			t.Fatalf("last use not recorded: %+v", ci)
		}

		// Someone else cannot revoke my token, not even an administrator
		// through these (own-account) routes.
		admin := s.login("admin", org.DemoPassword)
		s.want(req{method: "POST", url: fmt.Sprintf("/api/v1/tokens/%d/revoke", ci.ID), cred: admin}, 404)
		s.want(req{method: "POST", url: fmt.Sprintf("/account/tokens/%d/revoke", ci.ID), cred: admin, body: form("x", "y")}, 404)
		s.want(req{url: "/api/v1/whoami", cred: bearer}, 200)

		// Revoked from the page: refused at once.
		s.want(req{method: "POST", url: fmt.Sprintf("/account/tokens/%d/revoke", ci.ID), cred: office, body: form("x", "y")}, 303)
		s.want(req{url: "/api/v1/whoami", cred: bearer}, 401)
		s.want(req{url: "/account/tokens?done=revoked", cred: office}, 200, "令牌已吊销", "已吊销（")
		// Revoked through the API by the token itself (a leaked token's holder
		// can at least switch it off).
		b = s.want(req{method: "POST", url: fmt.Sprintf("/api/v1/tokens/%d/revoke", created.Token.ID), cred: "Bearer " + created.Secret}, 200, `"revoked":true`)
		s.want(req{url: "/api/v1/whoami", cred: "Bearer " + created.Secret}, 401)
		if strings.Contains(b, auth.TokenPrefix) {
			t.Fatal("revocation answer shows a secret")
		}

		// An external supervisor (read-only) may create a token; it is read-only too.
		ext := s.login("external1", org.DemoPassword)
		b = s.want(req{method: "POST", url: "/api/v1/tokens", cred: ext, body: `{"name":"monitor","scopes":["external_supervisor"]}`}, 201)
		if err := json.Unmarshal([]byte(b), &created); err != nil {
			t.Fatal(err)
		}
		s.want(req{url: "/api/v1/whoami", cred: "Bearer " + created.Secret}, 200, `"read_only":true`)
		s.want(req{method: "POST", url: "/api/v1/accounts", cred: "Bearer " + created.Secret,
			body: `{"staff_id":1,"login":"x1","password":"a-good-initial-pw"}`}, 403)

		rep, err := db.Verify(ctx, nil)
		if err != nil || !rep.OK() {
			t.Fatalf("verify: %v %+v", err, rep)
		}
	})
}

// TestTokens_O3_expiry (issue #13.9): a token lives 90 days unless its
// creator chooses 1–365; the lifetime is refused outside the bounds, naming
// the field, and the expiry is shown on the token page and in the API.
func TestTokens_O3_expiry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newSite(t, db)
		office := s.login("office1", org.DemoPassword)
		before := s.head()
		for _, days := range []string{"0", "366", "abc"} {
			s.want(req{method: "POST", url: "/account/tokens", cred: office, body: form("name", "ci", "scopes", "list_liaison", "expires_in_days", days)},
				400, "有效期", `value="`+days+`"`)
		}
		s.want(req{method: "POST", url: "/api/v1/tokens", cred: office, body: `{"name":"ci","scopes":["list_liaison"],"expires_in_days":400}`},
			400, `"field":"expires_in_days"`)
		if after := s.head(); after != before {
			t.Fatalf("refused lifetimes changed something: %d → %d", before, after)
		}
		start := time.Now()
		var created CreatedToken
		b := s.want(req{method: "POST", url: "/api/v1/tokens", cred: office, body: `{"name":"default","scopes":["list_liaison"]}`}, 201, `"expires_at":`)
		if err := json.Unmarshal([]byte(b), &created); err != nil {
			t.Fatal(err)
		}
		if d := created.Token.ExpiresAt.Sub(start); d < 90*24*time.Hour-time.Minute || d > 90*24*time.Hour+time.Minute || created.Token.Expired {
			t.Fatalf("default lifetime %v, expired %v", d, created.Token.Expired)
		}
		s.want(req{method: "POST", url: "/account/tokens", cred: office, body: form("name", "week", "scopes", "list_liaison", "expires_in_days", "7")}, 201)
		week := start.AddDate(0, 0, 7).In(cst).Format("2006-01-02")
		s.want(req{url: "/account/tokens", cred: office}, 200, "到期时间", week, `name="expires_in_days"`)
		s.want(req{url: "/api/v1/tokens", cred: office}, 200, `"expires_at":"`, `"expired":false`)
	})
}
