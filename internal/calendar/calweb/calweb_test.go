package calweb_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"github.com/qingdan/qingdan/internal/calendar/calweb"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
	"github.com/qingdan/qingdan/internal/web/webtest"
)

// fixtureBodies creates bodies with the ids and paths of webtest's fixture
// organisation: district /1/, towns /1/2/ and /1/3/, community A /1/2/5/.
func fixtureBodies(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	o := org.NewService(db)
	for _, b := range []struct {
		parent int64
		level  org.Level
		code   string
		path   string
	}{
		{0, org.LevelDistrict, "330102", webtest.District},
		{1, org.LevelTown, "330102001", webtest.TownA},
		{1, org.LevelTown, "330102002", webtest.TownB},
		{3, org.LevelCommunity, "330102002001", "/1/3/4/"},
		{2, org.LevelCommunity, "330102001001", webtest.CommunityA},
	} {
		got, err := o.CreateBody(ctx, org.System, org.BodyInput{ParentID: b.parent, Level: b.level, Code: b.code, Name: "单位" + b.code})
		if err != nil {
			t.Fatal(err)
		}
		if got.Path != b.path {
			t.Fatalf("body %s has path %s, want %s", b.code, got.Path, b.path)
		}
	}
}

func multipartFile(t *testing.T, name, content string) (body, contentType string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if err := mw.WriteField("csrf_token", webtest.CSRFToken); err != nil {
		t.Fatal(err)
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write([]byte(content)); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String(), mw.FormDataContentType()
}

func jsonString(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// calendarAt serves the calendar's routes over db, with webtest's fixture
// bodies, behind the real guard, the missing-year banner's clock at now.
func calendarAt(t *testing.T, db *store.DB, now time.Time) *webtest.Env {
	t.Helper()
	fixtureBodies(t, db)
	routes, err := calweb.Routes(caldb.New(db), calweb.Options{
		CSRFToken: func(*http.Request) string { return webtest.CSRFToken },
		Now:       func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	return webtest.New(t, routes...)
}

const good2027 = `{"year":2027,"days":[{"name":"元旦","date":"2027-01-01","isOffDay":true}]}`
const bad2027 = "{\n\"year\": 2027,\n\"days\": [{\"name\":\"x\",\"date\":\"2027-02-30\",\"isOffDay\":true}]\n}\n"

// The routes behind the real guard, over a real database: roles, write,
// jurisdiction, every error shown, L9 banner from 1 November.
func TestRoutes_L9_adminPagesAndAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := calendarAt(t, db, time.Date(2026, 11, 5, 9, 0, 0, 0, calendar.DefaultLocation))
		badUpload, badType := multipartFile(t, "2027.json", bad2027)
		goodUpload, goodType := multipartFile(t, "2027.json", good2027)
		api := "/api/v1/calendar"
		webtest.Run(t, env.Server, []webtest.Scenario{
			{Name: "L9 banner for the admin", URL: "/admin/calendar", As: webtest.Admin, Status: 200,
				Contains: []string{"缺少 2027 年的节假日数据", "随软件发布", `action="/admin/calendar/import"`, "/admin/calendar/bodies/5"}},
			{Name: "English", URL: "/admin/calendar", As: webtest.Admin, Header: map[string]string{"Accept-Language": "en"}, Status: 200,
				Contains: []string{"Holiday data for 2027 is missing", "shipped with the software"}},
			{Name: "admin page refused to window staff", URL: "/admin/calendar", As: webtest.WindowA, Status: 403},
			{Name: "admin page needs a login", URL: "/admin/calendar", Status: 303, Location: "/login"},
			{Name: "L9 missing via API", URL: api + "/missing", As: webtest.Admin, Status: 200, Contains: []string{`"years":[2027]`}},
			{Name: "L9 due into a missing year is provisional", URL: api + "/due?from=2026-12-31&n=1", As: webtest.WindowA, Status: 200,
				Contains: []string{`"due_date":"2027-01-04"`}},
			{Name: "bad upload names the field", Method: "POST", URL: "/admin/calendar/import", As: webtest.Admin,
				Body: badUpload, ContentType: badType, Status: 400, Contains: []string{"days[0].date"}},
			{Name: "upload without a file", Method: "POST", URL: "/admin/calendar/import", As: webtest.Admin,
				Body: "csrf_token=" + webtest.CSRFToken, Status: 400, Contains: []string{"请选择要导入的文件"}},
			{Name: "bad API import names the field", Method: "POST", URL: api + "/years", As: webtest.Admin,
				Body: jsonString(t, calweb.CalendarImportRequest{FileName: "2027.json", Content: bad2027}), Status: 400, Contains: []string{"days[0].date"}},
			{Name: "API import refused to non-admins", Method: "POST", URL: api + "/years", As: webtest.OfficeA,
				Body: jsonString(t, calweb.CalendarImportRequest{FileName: "2027.json", Content: good2027}), Status: 403},
			{Name: "bad uploads stored nothing", URL: api + "/years/2027", As: webtest.WindowA, Status: 200, Contains: []string{`"source":"provisional"`}},
			{Name: "upload", Method: "POST", URL: "/admin/calendar/import", As: webtest.Admin,
				Body: goodUpload, ContentType: goodType, Status: 303, Location: "/admin/calendar?done=imported"},
			{Name: "banner gone", URL: "/admin/calendar?done=imported", As: webtest.Admin, Status: 200,
				Contains: []string{"已导入", "2027.json"}, NotContains: []string{"缺少 2027 年"}},
			{Name: "year detail", URL: api + "/years/2027", As: webtest.WindowA, Status: 200,
				Contains: []string{`"source":"upload"`, `"date":"2027-01-01"`}},
			{Name: "year page", URL: "/admin/calendar/years/2027", As: webtest.Admin, Status: 200, Contains: []string{"元旦"}},
			{Name: "due across the new year", URL: api + "/due?from=2026-12-31&n=1", As: webtest.WindowA, Status: 200,
				Contains: []string{`"due_date":"2027-01-04"`}},
			{Name: "due in hours", URL: api + "/due?from=2026-02-12T10:00&n=50&unit=hours", As: webtest.WindowA, Status: 200,
				Contains: []string{`"due":"2026-02-14T12:00:00+08:00"`}},
			{Name: "due bad unit", URL: api + "/due?from=2026-02-12&n=5&unit=weeks", As: webtest.WindowA, Status: 400, Contains: []string{`"field":"unit"`}},
			// 2027, imported above, is a neighbour whose notice could name the date: the day is at version 2.
			{Name: "a day", URL: api + "/days/2026-03-03", As: webtest.WindowA, Status: 200, Contains: []string{`"working":true`, `"version":2`}},
			{Name: "set a day without If-Match", Method: "PUT", URL: api + "/days/2026-03-03", As: webtest.Admin,
				Body: `{"off":true,"name":"临时"}`, Status: 428},
			{Name: "set a day", Method: "PUT", URL: api + "/days/2026-03-03", As: webtest.Admin, Header: ifMatch(2),
				Body: `{"off":true,"name":"临时"}`, Status: 200, Contains: []string{`"source":"edit"`}},
			{Name: "set a day again on the old version", Method: "PUT", URL: api + "/days/2026-03-03", As: webtest.Admin, Header: ifMatch(2),
				Body: `{"off":false,"name":""}`, Status: 409, Contains: []string{`"current":{`, `"working":false`, `"name":"临时"`}},
			{Name: "set a day refused to non-admins", Method: "PUT", URL: api + "/days/2026-03-04", As: webtest.OfficeA,
				Body: `{"off":true,"name":"临时"}`, Status: 403},
			{Name: "edited day", URL: api + "/is-workday?date=2026-03-03", As: webtest.WindowA, Status: 200, Contains: []string{`"working":false`}},
			{Name: "day form error shown", Method: "POST", URL: "/admin/calendar/day", As: webtest.Admin,
				Body: "date=2026-03-05&off=true&name=", Status: 400, Contains: []string{"请填写节日或调休名称", `value="2026-03-05"`}},
			{Name: "day form", Method: "POST", URL: "/admin/calendar/day", As: webtest.Admin,
				Body: "date=2026-03-05&off=true&name=%E4%B8%B4%E6%97%B6", Status: 303, Location: "/admin/calendar?done=day"},
			{Name: "regional add", Method: "POST", URL: api + "/bodies/2/regional", As: webtest.Admin,
				Body: `{"date":"2026-07-15","name":"民族节","off":true}`, Status: 201, Contains: []string{`"body_id":2`}},
			{Name: "regional applies below", URL: api + "/is-workday?date=2026-07-15&body=5", As: webtest.WindowA, Status: 200, Contains: []string{`"working":false`}},
			{Name: "regional not beside", URL: api + "/is-workday?date=2026-07-15&body=3", As: webtest.WindowA, Status: 200, Contains: []string{`"working":true`}},
			{Name: "regional outside jurisdiction", URL: api + "/bodies/2/regional", As: webtest.StaffB, Status: 403},
			{Name: "regional list", URL: api + "/bodies/5/regional", As: webtest.WindowA, Status: 200, Contains: []string{"民族节"}},
			{Name: "regional add refused to non-admins", Method: "POST", URL: api + "/bodies/2/regional", As: webtest.OfficeA,
				Body: `{"date":"2026-07-16","name":"x","off":true}`, Status: 403},
			{Name: "regional page", URL: "/admin/calendar/bodies/5", As: webtest.Admin, Status: 200, Contains: []string{"民族节", "上级单位设定"}},
			{Name: "regional page of unknown body", URL: "/admin/calendar/bodies/99", As: webtest.Admin, Status: 404},
			{Name: "regional form error shown", Method: "POST", URL: "/admin/calendar/bodies/2/regional", As: webtest.Admin,
				Body: "date=2026-07-15&off=true&name=again", Status: 409, Contains: []string{"已有 2026-07-15"}},
			{Name: "regional remove form", Method: "POST", URL: "/admin/calendar/bodies/2/regional/2026-07-15/delete", As: webtest.Admin,
				Body: "version=1", Status: 303, Location: "/admin/calendar/bodies/2?done=regional_del"},
			{Name: "regional remove API of a removed day", Method: "DELETE", URL: api + "/bodies/2/regional/2026-07-15", As: webtest.Admin, Status: 404},
			{Name: "OpenAPI lists the routes", URL: "/api/v1/openapi.json", Status: 200,
				Contains: []string{"/api/v1/calendar/due", "/api/v1/calendar/bodies/{id}/regional/{date}"}},
		})
		rep, err := db.Verify(context.Background(), nil)
		if err != nil || !rep.OK() {
			t.Fatalf("verify: %v %s", err, rep.Mismatch)
		}
	})
}

var tKey = regexp.MustCompile(`\.T "([a-z_.]+)"`)

// Every message a template asks for exists in both languages.
func TestTemplateKeysExist(t *testing.T) {
	fsys := os.DirFS("templates")
	files, err := fs.Glob(fsys, "*.html")
	if err != nil || len(files) == 0 {
		t.Fatalf("templates: %v", err)
	}
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range tKey.FindAllStringSubmatch(string(b), -1) {
			if !calweb.HasMessage(m[1]) {
				t.Errorf("%s: no message %q", f, m[1])
			}
		}
	}
	if !strings.Contains(calweb.Text("en", "title"), "calendar") {
		t.Error("English title")
	}
}

// L11: hours on the clock are fixed; business hours are the configurable
// part, per body, inherited below, through the API and the admin page.
func TestRoutes_L11_businessHours(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fixtureBodies(t, db)
		svc := caldb.New(db)
		routes, err := calweb.Routes(svc, calweb.Options{CSRFToken: func(*http.Request) string { return webtest.CSRFToken }})
		if err != nil {
			t.Fatal(err)
		}
		env := webtest.New(t, routes...)
		// An administrator of town B (the fixture's admin is the district's).
		env.Sessions.Put("token-town-b-admin", access.Principal{AccountID: 50, StaffID: 50, Login: "town_b_admin",
			BodyID: 3, BodyPath: webtest.TownB, Roles: []access.Role{access.RoleAdmin}})
		townBAdmin := map[string]string{"Authorization": "Bearer token-town-b-admin"}
		api := "/api/v1/calendar"
		district := "08:30-12:00,14:00-17:30"
		dueA := api + "/due?body=5&from=2026-03-02T08:30&n=3&unit=working_hours"
		webtest.Run(t, env.Server, []webtest.Scenario{
			{Name: "default hours", URL: api + "/bodies/5/business-hours", As: webtest.WindowA, Status: 200,
				Contains: []string{`"hours":"09:00-12:00,13:30-17:30"`, `"default":true`}},
			{Name: "due in working hours, default", URL: dueA, As: webtest.WindowA, Status: 200,
				Contains: []string{`"due":"2026-03-02T12:00:00+08:00"`, `"business_hours":"09:00-12:00,13:30-17:30"`}},
			{Name: "district sets its hours", Method: "PUT", URL: api + "/bodies/1/business-hours", As: webtest.Admin, Header: ifMatch(1),
				Body: `{"hours":"` + district + `"}`, Status: 200, Contains: []string{`"own":true`, district}},
			{Name: "community inherits", URL: api + "/bodies/5/business-hours", As: webtest.WindowA, Status: 200,
				Contains: []string{`"hours":"` + district + `"`, `"from_body_id":1`, `"own":false`}},
			{Name: "due follows the district's hours", URL: dueA, As: webtest.WindowA, Status: 200,
				Contains: []string{`"due":"2026-03-02T11:30:00+08:00"`, `"business_hours":"` + district + `"`}},
			{Name: "national due keeps the default", URL: api + "/due?from=2026-03-02T08:30&n=3&unit=working_hours", As: webtest.WindowA,
				Status: 200, Contains: []string{`"due":"2026-03-02T12:00:00+08:00"`}},
			{Name: "hours on the clock ignore business hours", URL: api + "/due?body=5&from=2026-03-02T08:30&n=3&unit=hours", As: webtest.WindowA,
				Status: 200, Contains: []string{`"due":"2026-03-02T11:30:00+08:00"`}, NotContains: []string{"business_hours"}},
			{Name: "outside jurisdiction read", URL: api + "/bodies/2/business-hours", As: webtest.StaffB, Status: 403},
			{Name: "town admin cannot set another town's hours", Method: "PUT", URL: api + "/bodies/2/business-hours",
				Header: townBAdmin, Body: `{"hours":"10:00-11:00"}`, Status: 403},
			{Name: "non-admin cannot set hours", Method: "PUT", URL: api + "/bodies/2/business-hours", As: webtest.OfficeA,
				Body: `{"hours":"10:00-11:00"}`, Status: 403},
			{Name: "read-only cannot set hours", Method: "PUT", URL: api + "/bodies/2/business-hours", As: webtest.ExternalA,
				Body: `{"hours":"10:00-11:00"}`, Status: 403},
			{Name: "town admin sets its own town", Method: "PUT", URL: api + "/bodies/3/business-hours",
				Header: map[string]string{"Authorization": townBAdmin["Authorization"], "If-Match": `"1"`}, Body: `{"hours":"09:00-12:00"}`, Status: 200, Contains: []string{`"own":true`}},
			{Name: "inherited shown on the page", URL: "/admin/calendar/bodies/5", As: webtest.Admin, Status: 200,
				Contains:    []string{"办公时间", "沿用上级单位 单位330102 的设定", district, `action="/admin/calendar/bodies/5/business-hours"`},
				NotContains: []string{`name="clear"`}},
			{Name: "unknown body", URL: api + "/bodies/99/business-hours", As: webtest.Admin, Status: 404},
		})

		// Bad values are refused naming the field, and record nothing.
		head, err := db.Head(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var bad []webtest.Scenario
		for _, spec := range []string{"25:00-26:00", "09:00", "12:00-09:00"} {
			bad = append(bad,
				webtest.Scenario{Name: "API refuses " + spec, Method: "PUT", URL: api + "/bodies/2/business-hours", As: webtest.Admin, Header: ifMatch(1),
					Body: `{"hours":"` + spec + `"}`, Status: 400, Contains: []string{`"field":"business_hours"`}},
				webtest.Scenario{Name: "form refuses " + spec, Method: "POST", URL: "/admin/calendar/bodies/2/business-hours", As: webtest.Admin,
					Body: "version=1&hours=" + url.QueryEscape(spec), Status: 400, Contains: []string{"(business_hours)", `value="` + spec + `"`, `aria-invalid="true"`}})
		}
		webtest.Run(t, env.Server, bad)
		after, err := db.Head(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if after != head {
			t.Fatalf("refused values changed the audit head: %+v → %+v", head, after)
		}

		webtest.Run(t, env.Server, []webtest.Scenario{
			{Name: "town overrides by the form", Method: "POST", URL: "/admin/calendar/bodies/2/business-hours", As: webtest.Admin,
				Body: "version=1&hours=09%3A00-11%3A00", Status: 303, Location: "/admin/calendar/bodies/2?done=hours_set"},
			{Name: "own hours shown in English", URL: "/admin/calendar/bodies/2?done=hours_set", As: webtest.Admin,
				Header: map[string]string{"Accept-Language": "en"}, Status: 200,
				Contains: []string{"Business hours saved.", "set by this body (admin,", `value="09:00-11:00"`, `name="clear"`}},
			{Name: "due follows the town's hours", URL: dueA, As: webtest.WindowA, Status: 200,
				Contains: []string{`"due":"2026-03-03T10:00:00+08:00"`, `"business_hours":"09:00-11:00"`}},
			{Name: "clear by the form", Method: "POST", URL: "/admin/calendar/bodies/2/business-hours", As: webtest.Admin,
				Body: "version=2&hours=09%3A00-11%3A00&clear=1", Status: 303, Location: "/admin/calendar/bodies/2?done=hours_cleared"},
			{Name: "cleared message", URL: "/admin/calendar/bodies/2?done=hours_cleared", As: webtest.Admin, Status: 200,
				Contains: []string{"已清除本单位的办公时间", "沿用上级单位"}},
			{Name: "inheritance restored", URL: dueA, As: webtest.WindowA, Status: 200,
				Contains: []string{`"due":"2026-03-02T11:30:00+08:00"`}},
			{Name: "clear by the API", Method: "PUT", URL: api + "/bodies/1/business-hours", As: webtest.Admin, Header: ifMatch(2),
				Body: `{"hours":""}`, Status: 200, Contains: []string{`"default":true`}},
			{Name: "default page", URL: "/admin/calendar/bodies/1", As: webtest.Admin, Status: 200,
				Contains: []string{"默认办公时间"}},
			{Name: "OpenAPI lists the routes", URL: "/api/v1/openapi.json", Status: 200,
				Contains: []string{"/api/v1/calendar/bodies/{id}/business-hours", "business_hours"}},
		})
		rep, err := db.Verify(context.Background(), nil)
		if err != nil || !rep.OK() {
			t.Fatalf("verify: %v %s", err, rep.Mismatch)
		}
	})
}

// ifMatch is the If-Match header naming a version.
func ifMatch(version int64) map[string]string {
	return map[string]string{"If-Match": fmt.Sprintf(`"%d"`, version)}
}

// TestRoutes_H1_staleHoursKeepTheInputBesideTheStored: two administrators
// open the business hours of body 2 at version 1; the first saves, the
// second's save from its page is refused (409) with its input kept beside
// the hours stored now, the form at their version; over the API a stale
// If-Match is answered 409 with the hours as they are, and a removal of a
// regional day with the page's old version is refused.
func TestRoutes_H1_staleHoursKeepTheInputBesideTheStored(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fixtureBodies(t, db)
		routes, err := calweb.Routes(caldb.New(db), calweb.Options{CSRFToken: func(*http.Request) string { return webtest.CSRFToken }})
		if err != nil {
			t.Fatal(err)
		}
		env := webtest.New(t, routes...)
		page, api := "/admin/calendar/bodies/2", "/api/v1/calendar/bodies/2"
		webtest.Run(t, env.Server, []webtest.Scenario{
			{Name: "the form carries the version", URL: page, As: webtest.Admin, Status: 200, Contains: []string{`<input type="hidden" name="version" value="1">`}},
			{Name: "first save", Method: "POST", URL: page + "/business-hours", As: webtest.Admin, Body: "version=1&hours=08%3A00-12%3A00", Status: 303},
			{Name: "second save from the same page", Method: "POST", URL: page + "/business-hours", As: webtest.Admin, Body: "version=1&hours=09%3A30-12%3A00",
				Status: http.StatusConflict, Contains: []string{`id="conflict"`, `<td class="yours"><mark>09:30-12:00</mark></td><td class="current"><mark>08:00-12:00</mark></td>`,
					`value="09:30-12:00"`, `<input type="hidden" name="version" value="2">`}},
			{Name: "stored: the first save", URL: api + "/business-hours", As: webtest.Admin, Status: 200, Contains: []string{`"hours":"08:00-12:00"`, `"version":2`}},
			{Name: "API save on version 1", Method: "PUT", URL: api + "/business-hours", As: webtest.Admin, Header: ifMatch(1), Body: `{"hours":"10:00-11:00"}`,
				Status: http.StatusConflict, Contains: []string{`"field":"version"`, `"current":{`, `"hours":"08:00-12:00"`}},
			{Name: "regional day", Method: "POST", URL: api + "/regional", As: webtest.Admin, Body: `{"date":"2026-07-15","name":"民族节","off":true}`, Status: 201},
			{Name: "regional day removed by the page as it was", Method: "POST", URL: page + "/regional/2026-07-15/delete", As: webtest.Admin,
				Body: "version=2", Status: http.StatusConflict, Contains: []string{"已被他人修改"}},
			{Name: "regional day removed by the API as it was", Method: "DELETE", URL: api + "/regional/2026-07-15", As: webtest.Admin, Header: ifMatch(2),
				Status: http.StatusConflict, Contains: []string{`"current":{`, `"name":"民族节"`}},
			{Name: "regional day still there", URL: api + "/regional", As: webtest.Admin, Status: 200, Contains: []string{"民族节", `"version":1`}},
		})
		rep, err := db.Verify(t.Context(), nil)
		if err != nil || !rep.OK() {
			t.Fatalf("verify: %v %s", err, rep.Mismatch)
		}
	})
}

// entryForm encodes rows of the entry form (from, to, name, kind) and the
// button pressed.
func entryForm(action string, rows ...[4]string) string {
	v := url.Values{"action": {action}}
	for _, r := range rows {
		v.Add("from", r[0])
		v.Add("to", r[1])
		v.Add("name", r[2])
		v.Add("kind", r[3])
	}
	// A blank row, as the form always sends some.
	v.Add("from", "")
	v.Add("to", "")
	v.Add("name", "")
	v.Add("kind", "off")
	return v.Encode()
}

// TestRoutes_L9_provisionalYearAndEntryForm walks December 2026 without the
// 2027 notice: the banner links to the year's entry form; every computed
// day and deadline of 2027 says provisional (page and API); the form comes
// pre-filled with 2027's statutory holidays, previews the months without
// storing, names a bad row in words, and saves the corrected year as an
// audited change, after which nothing about 2027 is provisional.
func TestRoutes_L9_provisionalYearAndEntryForm(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := calendarAt(t, db, time.Date(2026, 12, 7, 9, 0, 0, 0, calendar.DefaultLocation))
		api := "/api/v1/calendar"
		edit := "/admin/calendar/years/2027/edit"
		en := map[string]string{"Accept-Language": "en"}
		// The notice as it might read: 1–3 January, 5–13 February off,
		// Sunday 7 February and Saturday 20 February make-up days.
		notice := [][4]string{
			{"2027-01-01", "2027-01-03", "元旦", "off"},
			{"2027-02-05", "2027-02-06", "春节", "off"},
			{"2027-02-07", "", "春节", "work"},
			{"2027-02-08", "2027-02-13", "春节", "off"},
			{"2027-02-20", "", "春节", "work"},
		}
		badKind := append([][4]string{}, notice...)
		badKind[2] = [4]string{"2027-02-09", "", "春节", "work"} // a Tuesday
		badDate := append([][4]string{}, notice...)
		badDate[1] = [4]string{"2027-02-30", "", "春节", "off"}
		webtest.Run(t, env.Server, []webtest.Scenario{
			{Name: "banner links to the form", URL: "/admin/calendar", As: webtest.Admin, Status: 200,
				Contains: []string{"缺少 2027 年的节假日数据", "暂定", `<a href="` + edit + `">录入通知</a>`,
					`id="year-2027"`, "按法定节假日推算", "2028–2036 年同样暂按法定节假日推算"},
				NotContains: []string{`id="year-2028"`}},
			{Name: "banner in English", URL: "/admin/calendar", As: webtest.Admin, Header: en, Status: 200,
				Contains: []string{"marked provisional", ">Enter the notice</a>", "computed from the statutory holidays"}},
			{Name: "due into 2027 is provisional", URL: api + "/due?from=2026-12-28&n=5", As: webtest.WindowA, Status: 200,
				Contains: []string{`"due_date":"2027-01-05"`, `"provisional":true`, `"provisional_years":[2027]`}},
			{Name: "due inside 2026 is not", URL: api + "/due?from=2026-02-12&n=5", As: webtest.WindowA, Status: 200,
				Contains: []string{`"due_date":"2026-02-26"`, `"provisional":false`}},
			{Name: "hours on the clock are not", URL: api + "/due?from=2026-12-31T10:00&n=48&unit=hours", As: webtest.WindowA, Status: 200,
				Contains: []string{`"provisional":false`}},
			{Name: "is-workday in 2027 is provisional", URL: api + "/is-workday?date=2027-02-08", As: webtest.WindowA, Status: 200,
				Contains: []string{`"working":false`, `"provisional":true`}},
			{Name: "year page marks every day", URL: "/admin/calendar/years/2027", As: webtest.Admin, Status: 200,
				Contains: []string{`id="provisional"`, "全国年节及纪念日放假办法（2024 年修订）", "2027-02-05 <span class=\"provisional\">(暂定)</span>",
					`href="` + edit + `"`, `id="months"`, "<td>2 月</td><td>18</td><td>10</td><td>2</td><td>0</td>"}},
			{Name: "the form, pre-filled", URL: edit, As: webtest.Admin, Status: 200,
				Contains: []string{`action="` + edit + `"`, `value="2027-02-05"`, `value="2027-02-08"`, `value="春节"`, `value="清明节"`,
					"按《全国年节及纪念日放假办法（2024 年修订）》推算的 2027 年法定节假日", `aria-label="第 1 行开始日期"`, `id="months"`}},
			{Name: "the form in English", URL: edit, As: webtest.Admin, Header: en, Status: 200,
				Contains: []string{"Enter the holidays of 2027", "provisional", "Preview the working days", "<td>February</td>"}},
			{Name: "the form refused to window staff", URL: edit, As: webtest.WindowA, Status: 403},
			{Name: "saving refused to window staff", Method: "POST", URL: edit, As: webtest.OfficeA, Body: entryForm("save", notice...), Status: 403},
			{Name: "preview counts the months", Method: "POST", URL: edit, As: webtest.Admin, Body: entryForm("preview", notice...), Status: 200,
				Contains: []string{"<td>2 月</td><td>16</td><td>12</td><td>6</td><td>2</td>", `value="2027-02-20"`}},
			{Name: "a make-up day on a Tuesday", Method: "POST", URL: edit, As: webtest.Admin, Body: entryForm("save", badKind...), Status: 400,
				Contains: []string{"第 3 行：2027-02-09 是星期二", `aria-label="第 3 行类别" aria-invalid="true"`, `value="2027-02-09"`}},
			{Name: "a day that does not exist", Method: "POST", URL: edit, As: webtest.Admin, Body: entryForm("preview", badDate...), Status: 400,
				Contains: []string{"第 2 行：日期“2027-02-30”不存在", `aria-label="第 2 行开始日期" aria-invalid="true"`}},
			{Name: "in English", Method: "POST", URL: edit, As: webtest.Admin, Header: en, Body: entryForm("save", badKind...), Status: 400,
				Contains: []string{"row 3: 2027-02-09 is a Tuesday"}},
			{Name: "nothing stored yet", URL: api + "/years/2027", As: webtest.WindowA, Status: 200, Contains: []string{`"source":"provisional"`}},
		})
		if n := yearEvents(t, db); n != 0 {
			t.Fatalf("previews and refused entries stored %d years", n)
		}
		webtest.Run(t, env.Server, []webtest.Scenario{
			{Name: "save", Method: "POST", URL: edit, As: webtest.Admin, Body: entryForm("save", notice...), Status: 303,
				Location: "/admin/calendar/years/2027?done=entered"},
			{Name: "the year as entered", URL: "/admin/calendar/years/2027?done=entered", As: webtest.Admin, Status: 200,
				Contains: []string{"已保存", "手工录入或修改", "<td>2 月</td><td>16</td>"}, NotContains: []string{`id="provisional"`, "(暂定)"}},
			{Name: "banner gone", URL: "/admin/calendar", As: webtest.Admin, Status: 200,
				NotContains: []string{"缺少 2027 年", `id="year-2027"`}},
			{Name: "due no longer provisional", URL: api + "/due?from=2026-12-28&n=5", As: webtest.WindowA, Status: 200,
				Contains: []string{`"due_date":"2027-01-05"`, `"provisional":false`}},
			{Name: "the notice's 9 February is off", URL: api + "/is-workday?date=2027-02-09", As: webtest.WindowA, Status: 200,
				Contains: []string{`"working":false`, `"provisional":false`}},
			{Name: "the form now shows the entered year", URL: edit, As: webtest.Admin, Status: 200,
				Contains: []string{`value="2027-02-20"`, "手工录入或修改"}, NotContains: []string{`id="provisional"`}},
		})
		evs, err := db.Events(context.Background(), store.EventFilter{ObjectType: caldb.ObjectYear, ObjectID: "2027"})
		if err != nil || len(evs) != 1 || evs[0].Action != "calendar.year.entered" || evs[0].Actor != "admin" {
			t.Fatalf("events %+v, %v", evs, err)
		}
		rep, err := db.Verify(context.Background(), nil)
		if err != nil || !rep.OK() {
			t.Fatalf("verify: %v %s", err, rep.Mismatch)
		}
	})
}

// TestRoutes_L9_badUploadSaysWhatIsWrong: the upload form's answers to the
// files administrators upload by mistake name the problem in words, in the
// page, and store nothing.
func TestRoutes_L9_badUploadSaysWhatIsWrong(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		env := calendarAt(t, db, time.Date(2026, 12, 7, 9, 0, 0, 0, calendar.DefaultLocation))
		var sc []webtest.Scenario
		for _, tc := range []struct {
			what, name, body string
			want             []string
		}{
			{"not JSON", "2027.json", "not json", []string{"这不是 holiday-cn JSON 文件", "not json", `id="file" name="file"`, `aria-invalid="true"`}},
			{"wrong shape", "2027.json", `[{"name":"元旦","date":"2027-01-01","isOffDay":true}]`, []string{"整个文件应是一个 JSON 对象", "而不是列表"}},
			{"year as text", "2027.json", `{"year":"2027","days":[]}`, []string{"year 应为整数年份"}},
			{"wrong year", "2027.json", `{"year":2026,"days":[{"name":"元旦","date":"2026-01-01","isOffDay":true}]}`,
				[]string{"文件名是 2027.json，内容却是 2026 年的数据"}},
			{"bad iCalendar", "2027.ics", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20270101T090000\r\nSUMMARY:元旦\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
				[]string{"第 3 行：DTSTART 应为全天日期"}},
		} {
			body, ct := multipartFile(t, tc.name, tc.body)
			sc = append(sc, webtest.Scenario{Name: tc.what, Method: "POST", URL: "/admin/calendar/import", As: webtest.Admin,
				Body: body, ContentType: ct, Status: 400, Contains: tc.want, NotContains: []string{"invalid character", "literal", "calendar.jsonYear"}})
		}
		webtest.Run(t, env.Server, sc)
		if n := yearEvents(t, db); n != 0 {
			t.Fatalf("bad uploads stored %d years", n)
		}
	})
}

// yearEvents counts the audited changes of calendar years.
func yearEvents(t *testing.T, db *store.DB) int {
	t.Helper()
	evs, err := db.Events(context.Background(), store.EventFilter{Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range evs {
		if e.ObjectType == caldb.ObjectYear {
			n++
		}
	}
	return n
}

// TestRoutes_O1_nationalCalendarOnlyForTheTop: a town's administrator may
// not change the national calendar by the API or the pages — the refusal
// says who may — and is not offered its forms; the district's (the root's)
// administrator is. Nothing refused is stored.
func TestRoutes_O1_nationalCalendarOnlyForTheTop(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fixtureBodies(t, db)
		svc := caldb.New(db)
		routes, err := calweb.Routes(svc, calweb.Options{CSRFToken: func(*http.Request) string { return webtest.CSRFToken }})
		if err != nil {
			t.Fatal(err)
		}
		env := webtest.New(t, routes...)
		env.Sessions.Put("token-town-a-admin", access.Principal{AccountID: 51, StaffID: 51, Login: "town_a_admin",
			BodyID: 2, BodyPath: webtest.TownA, Roles: []access.Role{access.RoleAdmin}})
		townAdmin := map[string]string{"Authorization": "Bearer token-town-a-admin"}
		townAdminPage := map[string]string{"Cookie": webtest.Cookie + "=token-town-a-admin"}
		upload, uploadType := multipartFile(t, "2027.json", good2027)
		api := "/api/v1/calendar"
		head, err := db.Head(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		webtest.Run(t, env.Server, []webtest.Scenario{
			{Name: "town admin cannot make National Day a working day", Method: "PUT", URL: api + "/days/2026-10-01", Header: townAdmin,
				Body: `{"off":false,"name":"x"}`, Status: 403, Contains: []string{"最高一级"}},
			{Name: "town admin cannot import a year", Method: "POST", URL: api + "/years", Header: townAdmin,
				Body: jsonString(t, calweb.CalendarImportRequest{FileName: "2027.json", Content: good2027}), Status: 403, Contains: []string{"最高一级"}},
			{Name: "town admin's page offers no national form and says why", URL: "/admin/calendar", Header: townAdminPage, Status: 200,
				Contains:    []string{`id="national-note"`, "只能由最高一级机构的管理员修改", "/admin/calendar/bodies/2"},
				NotContains: []string{`action="/admin/calendar/import"`, `action="/admin/calendar/day"`, "/admin/calendar/bodies/3"}},
			{Name: "town admin's day form is refused with the reason", Method: "POST", URL: "/admin/calendar/day", Header: townAdminPage,
				Body: "date=2026-10-01&off=false&name=x", Status: 403, Contains: []string{"最高一级"}},
			{Name: "town admin's upload is refused with the reason", Method: "POST", URL: "/admin/calendar/import", Header: townAdminPage,
				Body: upload, ContentType: uploadType, Status: 403, Contains: []string{"最高一级"}},
			{Name: "National Day is still off", URL: api + "/is-workday?date=2026-10-01&body=5", As: webtest.WindowA, Status: 200,
				Contains: []string{`"working":false`}},
			{Name: "town admin sets its own town's regional day", Method: "POST", URL: api + "/bodies/2/regional", Header: townAdmin,
				Body: `{"date":"2026-07-15","name":"镇庆","off":true}`, Status: 201},
			{Name: "but not the district's", Method: "POST", URL: api + "/bodies/1/regional", Header: townAdmin,
				Body: `{"date":"2026-07-15","name":"x","off":true}`, Status: 403},
			{Name: "nor the district's business hours", Method: "PUT", URL: api + "/bodies/1/business-hours", Header: townAdmin,
				Body: `{"hours":"08:00-12:00"}`, Status: 403},
			{Name: "the district's admin has the national forms", URL: "/admin/calendar", As: webtest.Admin, Status: 200,
				Contains: []string{`action="/admin/calendar/import"`, `action="/admin/calendar/day"`}, NotContains: []string{`id="national-note"`}},
		})
		after, err := db.Head(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if after.Size != head.Size+1 {
			t.Fatalf("audit log grew by %d events, want 1 (the town's regional day)", after.Size-head.Size)
		}
		webtest.Run(t, env.Server, []webtest.Scenario{
			{Name: "the district's admin edits the national calendar", Method: "PUT", URL: api + "/days/2026-03-03", As: webtest.Admin,
				Header: ifMatch(1), Body: `{"off":true,"name":"临时"}`, Status: 200},
		})
	})
}
