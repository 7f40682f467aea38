package orgweb

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
	"github.com/qingdan/qingdan/internal/web/webtest"
)

var ctx = context.Background()

type accounts map[string]int64

func (a accounts) CreateInitialAccount(_ context.Context, staffID int64, login, _ string, _ bool) error {
	a[login] = staffID
	return nil
}

func env(t *testing.T, db *store.DB) (*webtest.Env, *org.Service) {
	t.Helper()
	acc := accounts{}
	if err := org.LoadDemo(ctx, db, acc); err != nil {
		t.Fatal(err)
	}
	s := org.NewService(db)
	routes, err := Routes(s, PlainFrame{CSRF: webtest.CSRF{}})
	if err != nil {
		t.Fatal(err)
	}
	e := webtest.New(t, routes...)
	n := int64(0)
	for login, id := range acc {
		p, err := s.StaffPrincipal(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		n++
		p.AccountID, p.Login = 1000+n, login
		e.Sessions.Put(webtest.Token("d_"+login), p)
	}
	return e, s
}

func TestPages_adminFlows(t *testing.T) {
	db := storetest.SQLite(t)
	e, s := env(t, db)
	id := func(code string) int64 {
		b, err := s.BodyByCode(ctx, org.System, code)
		if err != nil {
			t.Fatal(err)
		}
		return b.ID
	}
	district, qingshan, xikou := id("330199"), id("330199001"), id("330199101")
	units, err := s.Units(ctx, org.System, qingshan, false)
	if err != nil || len(units) == 0 {
		t.Fatal(units, err)
	}
	csgl := units[0].ID
	for _, u := range units {
		if u.Code == "CSGL" {
			csgl = u.ID
		}
	}
	st, err := s.SearchStaff(ctx, org.System, org.StaffQuery{Text: "吴刚"})
	if err != nil || len(st) != 1 {
		t.Fatal(st, err)
	}
	wu := st[0].ID
	form := func(kv ...string) string {
		var b strings.Builder
		for i := 0; i < len(kv); i += 2 {
			if i > 0 {
				b.WriteByte('&')
			}
			fmt.Fprintf(&b, "%s=%s", kv[i], strings.ReplaceAll(kv[i+1], " ", "+"))
		}
		return b.String()
	}
	b := func(id int64) string { return fmt.Sprintf("/admin/org/bodies/%d", id) }
	webtest.Run(t, e.Server, []webtest.Scenario{
		{Name: "tree", URL: "/admin/org", As: "d_admin", Status: 200, Contains: []string{"青山区", "溪口镇", "桃源村", "所有单位均已配齐"}},
		{Name: "tree, street admin", URL: "/admin/org", As: "d_qingshan_admin", Status: 200, Contains: []string{"青山街道"}, NotContains: []string{"溪口镇"}},
		{Name: "tree, not admin", URL: "/admin/org", As: "d_leader1", Status: http.StatusForbidden},
		{Name: "tree, anonymous", URL: "/admin/org", Status: http.StatusSeeOther, Location: "/login"},
		{Name: "body page", URL: b(district), As: "d_admin", Status: 200, Contains: []string{"党政办", "青山街道", "新建下级机构", "停用机构"}},
		{Name: "body page english", URL: b(district), As: "d_admin", Header: map[string]string{"Accept-Language": "en"}, Status: 200},
		{Name: "other street's body", URL: b(xikou), As: "d_qingshan_admin", Status: http.StatusForbidden},
		{Name: "unit page", URL: fmt.Sprintf("/admin/org/units/%d", csgl), As: "d_admin", Status: 200, Contains: []string{"曹亮", "彭悦", "设为负责人"}},
		{Name: "staff list", URL: "/admin/org/staff?q=吴", As: "d_admin", Status: 200, Contains: []string{"吴刚"}, NotContains: []string{"曹亮"}},
		{Name: "staff page", URL: fmt.Sprintf("/admin/org/staff/%d", wu), As: "d_admin", Status: 200, Contains: []string{"ZF33019900002", "注销"}},
		{Name: "import page", URL: "/admin/org/import", As: "d_admin", Status: 200, Contains: []string{"multipart/form-data", "format=xlsx"}},
		{Name: "template download", URL: "/admin/org/import/template?format=xlsx", As: "d_admin", Status: 200},

		{Name: "create child body", Method: "POST", URL: "/admin/org/bodies", As: "d_admin",
			Body:   form("parent_id", fmt.Sprint(qingshan), "level", "community", "code", "330199001005", "name", "新桥社区"),
			Status: http.StatusSeeOther, Location: "/admin/org/bodies/"},
		{Name: "create child body, bad level shows the body page with the error", Method: "POST", URL: "/admin/org/bodies", As: "d_admin",
			Body:   form("parent_id", fmt.Sprint(qingshan), "level", "district", "code", "330199001006", "name", "坏"),
			Status: http.StatusBadRequest, Contains: []string{"必须低于", "青山街道"}},
		{Name: "create without CSRF", Method: "POST", URL: "/admin/org/bodies", As: "d_admin", NoCSRF: true,
			Body: form("parent_id", fmt.Sprint(qingshan), "level", "community", "code", "330199001007", "name", "x"), Status: http.StatusForbidden},
		{Name: "edit body", Method: "POST", URL: b(qingshan), As: "d_admin",
			Body: form("version", "1", "level", "town", "code", "330199001", "name", "青山街道办事处", "time_zone", "Asia/Shanghai"), Status: http.StatusSeeOther},
		{Name: "edit body without the form's version", Method: "POST", URL: b(qingshan), As: "d_admin",
			Body:   form("level", "town", "code", "330199001", "name", "青山街道改", "time_zone", "Asia/Shanghai"),
			Status: http.StatusPreconditionRequired, Contains: []string{"必须注明所依据的版本", `value="青山街道改"`}},
		{Name: "move under descendant", Method: "POST", URL: b(district) + "/move", As: "d_admin",
			Body: form("parent_id", fmt.Sprint(qingshan)), Status: http.StatusBadRequest},
		{Name: "deactivate body with content", Method: "POST", URL: b(xikou) + "/active", As: "d_admin",
			Body: form("active", "false", "confirm", "yes"), Status: http.StatusConflict, Contains: []string{"请先停用或调走"}},
		// Issue #13 item 9: deactivating needs the danger zone's tick, and
		// an empty form names each missing field.
		{Name: "deactivate without confirming", Method: "POST", URL: b(xikou) + "/active", As: "d_admin",
			Body: form("active", "false"), Status: http.StatusBadRequest, Contains: []string{"确认：请勾选确认后再停用"}},
		{Name: "empty unit form names its fields", Method: "POST", URL: "/admin/org/units", As: "d_admin",
			Body: form("body_id", fmt.Sprint(qingshan), "kind", "section", "code", "", "name", ""), Status: http.StatusBadRequest,
			Contains: []string{"编码：必填", "名称：必填"}},
		{Name: "create staff", Method: "POST", URL: "/admin/org/staff", As: "d_admin",
			Body:   form("body_id", fmt.Sprint(qingshan), "unit_id", fmt.Sprint(csgl), "name", "新同事", "phone", "13500000000", "roles", "unit_staff", "roles", "list_liaison", "is_liaison", "true"),
			Status: http.StatusSeeOther, Location: "/admin/org/staff/"},
		{Name: "third liaison refused", Method: "POST", URL: "/admin/org/staff", As: "d_admin",
			Body:   form("body_id", fmt.Sprint(qingshan), "unit_id", fmt.Sprint(csgl), "name", "又一个", "roles", "list_liaison", "is_liaison", "true"),
			Status: http.StatusConflict, Contains: []string{"最多 2 名"}},
		{Name: "add certificate", Method: "POST", URL: "/admin/org/qualifications", As: "d_admin",
			Body: form("staff_id", fmt.Sprint(wu), "cert_no", "ZF-NEW-1", "scope", "城市管理", "valid_from", "2026-01-01", "valid_to", "2027-01-01"), Status: http.StatusSeeOther},
		{Name: "street admin cannot edit district staff", Method: "POST", URL: fmt.Sprintf("/admin/org/staff/%d", wu), As: "d_qingshan_admin",
			Body: form("body_id", fmt.Sprint(district), "name", "x", "roles", "window"), Status: http.StatusForbidden},
		{Name: "import errors listed", Method: "POST", URL: "/admin/org/import", As: "d_admin", ContentType: "multipart/form-data; boundary=B",
			Body: "--B\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n" + webtest.CSRFToken + "\r\n--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.csv\"\r\n\r\n" +
				"[机构]\n编码,上级编码,层级,名称\n330199001009,330199777,社区,坏的\n\r\n--B--\r\n",
			Status: http.StatusBadRequest, Contains: []string{"机构!B3", "未知的上级编码", "未导入任何数据"}},
	})
	rep, err := db.Verify(ctx, nil)
	if err != nil || !rep.OK() {
		t.Fatalf("verify: %+v %v", rep, err)
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
	if _, err := parsePages(); err != nil {
		t.Fatal(err)
	}
}
