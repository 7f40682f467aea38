package orgweb

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
	"github.com/qingdan/qingdan/internal/web/webtest"
)

func bodyID(t *testing.T, s *org.Service, code string) int64 {
	t.Helper()
	b, err := s.BodyByCode(ctx, org.System, code)
	if err != nil {
		t.Fatal(err)
	}
	return b.ID
}

func TestAPI_routesRolesJurisdiction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e, s := env(t, db)
		district, qingshan, xikou := bodyID(t, s, "330199"), bodyID(t, s, "330199001"), bodyID(t, s, "330199101")
		staff, err := s.SearchStaff(ctx, org.System, org.StaffQuery{Text: "蒋涛"})
		if err != nil || len(staff) != 1 {
			t.Fatalf("蒋涛: %v %v", staff, err)
		}
		xikouStaff := staff[0].ID
		api := "/api/v1"
		webtest.Run(t, e.Server, []webtest.Scenario{
			{Name: "anonymous", URL: api + "/bodies", Status: http.StatusUnauthorized},
			{Name: "street sees its subtree", URL: api + "/bodies", As: "d_qingshan1", Status: 200,
				Contains: []string{"青山街道", "翠苑社区"}, NotContains: []string{"溪口镇", "青山区"}},
			{Name: "district sees all", URL: api + "/bodies?inactive=true", As: "d_leader1", Status: 200,
				Contains: []string{"青山区", "青山街道", "溪口镇", "桃源村"}},
			{Name: "other street's body", URL: fmt.Sprintf("%s/bodies/%d", api, xikou), As: "d_qingshan1", Status: http.StatusForbidden},
			{Name: "other street's units", URL: fmt.Sprintf("%s/bodies/%d/units", api, xikou), As: "d_qingshan1", Status: http.StatusForbidden},
			{Name: "other street's staff", URL: fmt.Sprintf("%s/staff/%d", api, xikouStaff), As: "d_qingshan1", Status: http.StatusForbidden},
			{Name: "own staff", URL: fmt.Sprintf("%s/staff/%d", api, xikouStaff), As: "d_xikou1", Status: 200, Contains: []string{"蒋涛", "unit_staff"}},
			{Name: "no such body", URL: api + "/bodies/999999", As: "d_admin", Status: http.StatusNotFound},
			{Name: "bad id", URL: api + "/bodies/x", As: "d_admin", Status: http.StatusBadRequest, Contains: []string{`"field":"id"`}},
			{Name: "staff search", URL: api + "/staff?role=list_liaison&body=" + fmt.Sprint(qingshan), As: "d_admin", Status: 200,
				Contains: []string{"邓雪", "彭悦"}, NotContains: []string{"沈琳"}},
			{Name: "staff search bad role", URL: api + "/staff?role=cook", As: "d_admin", Status: http.StatusBadRequest},
			{Name: "staff search other street", URL: api + "/staff?body=" + fmt.Sprint(xikou), As: "d_qingshan_admin", Status: http.StatusForbidden},
			{Name: "gaps", URL: api + "/org/gaps", As: "d_admin", Status: 200, Contains: []string{"[]"}},

			{Name: "external supervisor never writes", Method: "POST", URL: api + "/units", As: "d_external1",
				Body: fmt.Sprintf(`{"body_id":%d,"kind":"window","code":"CK2","name":"窗口"}`, district), Status: http.StatusForbidden},
			{Name: "non-admin cannot create", Method: "POST", URL: api + "/units", As: "d_office1",
				Body: fmt.Sprintf(`{"body_id":%d,"kind":"window","code":"CK2","name":"窗口"}`, district), Status: http.StatusForbidden},
			{Name: "street admin, other street", Method: "POST", URL: api + "/units", As: "d_qingshan_admin",
				Body: fmt.Sprintf(`{"body_id":%d,"kind":"window","code":"CK2","name":"窗口"}`, xikou), Status: http.StatusForbidden},
			{Name: "street admin edits other street", Method: "PATCH", URL: fmt.Sprintf("%s/bodies/%d", api, xikou), As: "d_qingshan_admin",
				Body: `{"level":"town","code":"330199101","name":"改名","time_zone":"Asia/Shanghai"}`, Status: http.StatusForbidden},
			{Name: "unknown field", Method: "POST", URL: api + "/units", As: "d_admin",
				Body: fmt.Sprintf(`{"body_id":%d,"kind":"window","code":"CK2","name":"窗口","color":"red"}`, district), Status: http.StatusBadRequest},
			{Name: "bad kind", Method: "POST", URL: api + "/units", As: "d_admin",
				Body: fmt.Sprintf(`{"body_id":%d,"kind":"kitchen","code":"CK2","name":"窗口"}`, district), Status: http.StatusBadRequest,
				Contains: []string{`"field":"kind"`}},
			{Name: "create unit", Method: "POST", URL: api + "/units", As: "d_qingshan_admin",
				Body: fmt.Sprintf(`{"body_id":%d,"kind":"window","code":"CK2","name":"街道窗口"}`, qingshan), Status: http.StatusCreated,
				Contains: []string{`"code":"CK2"`}},
			{Name: "duplicate unit code", Method: "POST", URL: api + "/units", As: "d_qingshan_admin",
				Body: fmt.Sprintf(`{"body_id":%d,"kind":"window","code":"CK2","name":"又一个"}`, qingshan), Status: http.StatusConflict,
				Contains: []string{`"field":"code"`}},
			{Name: "create staff bad role", Method: "POST", URL: api + "/staff", As: "d_admin",
				Body: fmt.Sprintf(`{"body_id":%d,"unit_id":0,"name":"新人","phone":"","roles":["cook"],"is_head":false,"is_liaison":false}`, district), Status: http.StatusBadRequest,
				Contains: []string{`"field":"roles[0]"`}},
			{Name: "create staff", Method: "POST", URL: api + "/staff", As: "d_admin",
				Body: fmt.Sprintf(`{"body_id":%d,"unit_id":0,"name":"新人","phone":"13600000000","roles":["window"],"is_head":false,"is_liaison":false}`, district), Status: http.StatusCreated,
				Contains: []string{`"name":"新人"`}},
			{Name: "move under descendant", Method: "POST", URL: fmt.Sprintf("%s/bodies/%d/move", api, district), As: "d_admin",
				Body: fmt.Sprintf(`{"parent_id":%d}`, qingshan), Status: http.StatusBadRequest},
			{Name: "template", URL: api + "/org/import/template?format=csv", As: "d_admin", Status: 200, Contains: []string{"[机构]", "编码(code)*"}},
			{Name: "template bad format", URL: api + "/org/import/template?format=pdf", As: "d_admin", Status: http.StatusBadRequest},
			{Name: "import as non-admin", Method: "POST", URL: api + "/org/import", As: "d_leader1", ContentType: "text/csv",
				Body: "[机构]\n编码,上级编码,层级,名称\n", Status: http.StatusForbidden},
			{Name: "import bad rows", Method: "POST", URL: api + "/org/import", As: "d_admin", ContentType: "text/csv",
				Body:   "[机构]\n编码,上级编码,层级,名称\n330199001009,330199001,社区,好的\n330199001010,330199777,社区,坏的\n330199001011,330199001,星球,坏的\n",
				Status: http.StatusBadRequest, Contains: []string{`"field":"机构!B4"`, `"field":"机构!C5"`, "未知的上级编码"}},
			{Name: "import good", Method: "POST", URL: api + "/org/import", As: "d_admin", ContentType: "text/csv",
				Body:   "[机构]\n编码,上级编码,层级,名称\n330199001009,330199001,社区,好的\n",
				Status: 200, Contains: []string{`"bodies":1`}},
			{Name: "openapi lists org routes", URL: api + "/openapi.json", Status: 200,
				Contains: []string{"/api/v1/bodies/{id}/move", "/api/v1/org/import", "/api/v1/staff/{id}/qualifications"}},
		})
		// The import's failure changed nothing: only the good body arrived.
		all, err := s.Bodies(ctx, org.System, 0, true)
		if err != nil || len(all) != 8 {
			t.Fatalf("%d bodies after imports, want 8 (%v)", len(all), err)
		}
		rep, err := db.Verify(ctx, nil)
		if err != nil || !rep.OK() {
			t.Fatalf("verify: %+v %v", rep, err)
		}
	})
}

func TestAPI_multipartImportAndErrorsList(t *testing.T) {
	db := storetest.SQLite(t)
	e, _ := env(t, db)
	body := "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"staff.csv\"\r\nContent-Type: text/csv\r\n\r\n" +
		"[人员]\n机构编码,单位编码,姓名,电话,角色\n330199001,CSGL,甲,1,站所人员\n330199001,CSGL,乙,13800000000,厨师\n\r\n--B--\r\n"
	res, out := webtest.Do(t, e.Server, webtest.Scenario{Method: "POST", URL: "/api/v1/org/import", As: "d_admin",
		ContentType: "multipart/form-data; boundary=B", Body: body})
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d: %s", res.StatusCode, out)
	}
	var got struct {
		Errors []struct{ Field, Message string }
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Errors) != 2 || got.Errors[0].Field != "人员!D3" || got.Errors[1].Field != "人员!E4" {
		t.Fatalf("errors %+v", got.Errors)
	}
	if !strings.Contains(got.Errors[0].Message, "第 3 行") {
		t.Fatalf("message %q does not name the row", got.Errors[0].Message)
	}
}
