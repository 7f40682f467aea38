package orgweb

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
	"github.com/qingdan/qingdan/internal/web/webtest"
)

// staleBody is the 409 of a stale edit with the object stored now.
type staleBody[T any] struct {
	Code, Message, Field string
	Current              T
}

// TestAPI_H1_twoAdminsPatchOneStaffMember is issue #11's trial over the
// API: the district and the street administrator GET the same staff member
// (same ETag), both PATCH a different phone with it as If-Match at once.
// One is saved (200, the next ETag); the other is refused with 409, the
// staff member as stored now in "current" and its ETag, and changed
// nothing: the stored phone is the saved edit's.
func TestAPI_H1_twoAdminsPatchOneStaffMember(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e, s := env(t, db)
		found, err := s.SearchStaff(ctx, org.System, org.StaffQuery{Text: "曹亮"})
		if err != nil || len(found) != 1 {
			t.Fatal(found, err)
		}
		cao := found[0]
		url := fmt.Sprintf("/api/v1/staff/%d", cao.ID)
		roles, _ := json.Marshal(cao.Roles)
		for trial := range 10 {
			var etags [2]string
			for i, as := range []string{"d_admin", "d_qingshan_admin"} {
				res, body := webtest.Do(t, e.Server, webtest.Scenario{URL: url, As: as})
				if res.StatusCode != 200 || res.Header.Get("ETag") == "" {
					t.Fatalf("GET as %s: %d ETag %q %s", as, res.StatusCode, res.Header.Get("ETag"), body)
				}
				etags[i] = res.Header.Get("ETag")
			}
			if etags[0] != etags[1] {
				t.Fatalf("the two reads have ETags %v", etags)
			}
			phones := [2]string{fmt.Sprintf("1370000%04d", 2*trial), fmt.Sprintf("1370000%04d", 2*trial+1)}
			type answer struct {
				res  *http.Response
				body string
			}
			var answers [2]answer
			var wg sync.WaitGroup
			for i, as := range []string{"d_admin", "d_qingshan_admin"} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					res, body := webtest.Do(t, e.Server, webtest.Scenario{Method: "PATCH", URL: url, As: as, Header: map[string]string{"If-Match": etags[i]},
						Body: fmt.Sprintf(`{"body_id":%d,"unit_id":%d,"name":%q,"phone":%q,"roles":%s,"is_head":true}`, cao.BodyID, cao.UnitID, cao.Name, phones[i], roles)})
					answers[i] = answer{res, body}
				}()
			}
			wg.Wait()
			won := -1
			for i, a := range answers {
				switch a.res.StatusCode {
				case http.StatusOK:
					if won >= 0 {
						t.Fatalf("trial %d: both PATCHes with ETag %s were saved", trial, etags[0])
					}
					won = i
				case http.StatusConflict:
				default:
					t.Fatalf("trial %d: PATCH %d %s", trial, a.res.StatusCode, a.body)
				}
			}
			if won < 0 {
				t.Fatalf("trial %d: neither PATCH was saved", trial)
			}
			lost := answers[1-won]
			var refused staleBody[org.Staff]
			if err := json.Unmarshal([]byte(lost.body), &refused); err != nil {
				t.Fatal(err)
			}
			stored, err := s.Staff(ctx, org.System, cao.ID)
			if err != nil {
				t.Fatal(err)
			}
			if refused.Code != "conflict" || refused.Field != "version" || refused.Current.Phone != phones[won] ||
				refused.Current.Version != stored.Version || lost.res.Header.Get("ETag") != fmt.Sprintf(`"%d"`, stored.Version) {
				t.Fatalf("trial %d: the refused PATCH's answer %+v ETag %s; stored %+v", trial, refused, lost.res.Header.Get("ETag"), stored)
			}
			if stored.Phone != phones[won] || answers[won].res.Header.Get("ETag") != fmt.Sprintf(`"%d"`, stored.Version) {
				t.Fatalf("trial %d: stored %s at %d, want %s (ETag %s)", trial, stored.Phone, stored.Version, phones[won], answers[won].res.Header.Get("ETag"))
			}
		}
		rep, err := db.Verify(ctx, nil)
		if err != nil || !rep.OK() {
			t.Fatalf("verify: %+v %v", rep, err)
		}
	})
}

// TestAPI_H1_everyEditNeedsIfMatch: every PATCH of the org API answers 428
// without If-Match, 400 when it is not one version, 409 with the current
// object when stale — each changing nothing — and 200 with the next ETag
// when current. Actions take If-Match when sent.
func TestAPI_H1_everyEditNeedsIfMatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e, s := env(t, db)
		qingshan := bodyID(t, s, "330199001")
		found, err := s.SearchStaff(ctx, org.System, org.StaffQuery{Text: "吴刚"})
		if err != nil || len(found) != 1 {
			t.Fatal(found, err)
		}
		wu := found[0]
		qs, err := s.Qualifications(ctx, org.System, wu.ID)
		if err != nil || len(qs) == 0 {
			t.Fatal(qs, err)
		}
		roles, _ := json.Marshal(wu.Roles)
		for _, tc := range []struct {
			what, url, body string
		}{
			{"body", fmt.Sprintf("/api/v1/bodies/%d", qingshan), `{"level":"town","code":"330199001","name":"青山街道办","time_zone":"Asia/Shanghai"}`},
			{"unit", fmt.Sprintf("/api/v1/units/%d", wu.UnitID), fmt.Sprintf(`{"body_id":%d,"kind":"station","code":"ZHZF","name":"综合行政执法队"}`, wu.BodyID)},
			{"staff", fmt.Sprintf("/api/v1/staff/%d", wu.ID), fmt.Sprintf(`{"body_id":%d,"unit_id":%d,"name":"吴刚","phone":"13700009999","roles":%s}`, wu.BodyID, wu.UnitID, roles)},
			{"qualification", fmt.Sprintf("/api/v1/qualifications/%d", qs[0].ID), fmt.Sprintf(`{"staff_id":%d,"cert_no":%q,"scope":"城市管理","valid_from":%q,"valid_to":%q}`, wu.ID, qs[0].CertNo, qs[0].ValidFrom, qs[0].ValidTo)},
		} {
			res, before := webtest.Do(t, e.Server, webtest.Scenario{URL: tc.url, As: "d_admin"})
			etag := res.Header.Get("ETag")
			if res.StatusCode != 200 || etag == "" {
				t.Fatalf("%s: GET %d ETag %q", tc.what, res.StatusCode, etag)
			}
			var v struct{ Version int64 }
			if err := json.Unmarshal([]byte(before), &v); err != nil || etag != fmt.Sprintf(`"%d"`, v.Version) {
				t.Fatalf("%s: ETag %s, body version %d (%v)", tc.what, etag, v.Version, err)
			}
			next := fmt.Sprintf(`"%d"`, v.Version+1)
			webtest.Run(t, e.Server, []webtest.Scenario{
				{Name: tc.what + " without If-Match", Method: "PATCH", URL: tc.url, As: "d_admin", Body: tc.body,
					Status: http.StatusPreconditionRequired, Contains: []string{`"code":"version_required"`, `"field":"version"`, "If-Match"}},
				{Name: tc.what + " with If-Match *", Method: "PATCH", URL: tc.url, As: "d_admin", Body: tc.body, Header: map[string]string{"If-Match": "*"},
					Status: http.StatusBadRequest, Contains: []string{`"field":"If-Match"`}},
				{Name: tc.what + " with a stale If-Match", Method: "PATCH", URL: tc.url, As: "d_admin", Body: tc.body, Header: map[string]string{"If-Match": next},
					Status: http.StatusConflict, Contains: []string{`"field":"version"`, `"current":{`}},
				{Name: tc.what + " unchanged by the refusals", URL: tc.url, As: "d_admin", Status: 200,
					Check: func(t *testing.T, res *http.Response, body string) {
						if body != before || res.Header.Get("ETag") != etag {
							t.Errorf("changed: %s → %s", before, body)
						}
					}},
				{Name: tc.what + " with the current If-Match", Method: "PATCH", URL: tc.url, As: "d_admin", Body: tc.body, Header: map[string]string{"If-Match": etag},
					Status: http.StatusOK, Check: func(t *testing.T, res *http.Response, body string) {
						if res.Header.Get("ETag") != next || !strings.Contains(body, fmt.Sprintf(`"version":%d`, v.Version+1)) {
							t.Errorf("ETag %s, want %s: %s", res.Header.Get("ETag"), next, body)
						}
					}},
				{Name: tc.what + " again with the old If-Match", Method: "PATCH", URL: tc.url, As: "d_admin", Body: tc.body, Header: map[string]string{"If-Match": etag},
					Status: http.StatusConflict, Check: func(t *testing.T, res *http.Response, body string) {
						if res.Header.Get("ETag") != next {
							t.Errorf("the conflict's ETag %s, want the current %s", res.Header.Get("ETag"), next)
						}
					}},
			})
		}
		staffURL := fmt.Sprintf("/api/v1/staff/%d", wu.ID)
		res, _ := webtest.Do(t, e.Server, webtest.Scenario{URL: staffURL, As: "d_admin"})
		etag := res.Header.Get("ETag")
		webtest.Run(t, e.Server, []webtest.Scenario{
			{Name: "deactivate with a stale If-Match", Method: "POST", URL: staffURL + "/deactivate", As: "d_admin", Header: map[string]string{"If-Match": `"1"`},
				Status: http.StatusConflict, Contains: []string{`"current":{`, `"active":true`}},
			{Name: "deactivate with the current If-Match", Method: "POST", URL: staffURL + "/deactivate", As: "d_admin", Header: map[string]string{"If-Match": etag},
				Status: http.StatusOK, Contains: []string{`"active":false`}},
			{Name: "reactivate without If-Match", Method: "POST", URL: staffURL + "/reactivate", As: "d_admin",
				Status: http.StatusOK, Contains: []string{`"active":true`}},
			{Name: "head with a bad If-Match", Method: "POST", URL: fmt.Sprintf("/api/v1/units/%d/head", wu.UnitID), As: "d_admin", Header: map[string]string{"If-Match": `W/"1"`},
				Body: fmt.Sprintf(`{"staff_id":%d}`, wu.ID), Status: http.StatusBadRequest, Contains: []string{`"field":"If-Match"`}},
			{Name: "openapi documents If-Match", URL: "/api/v1/openapi.json", Status: 200, Contains: []string{`"name": "If-Match"`, `"428"`, `"ETag"`}},
		})
		rep, err := db.Verify(ctx, nil)
		if err != nil || !rep.OK() {
			t.Fatalf("verify: %+v %v", rep, err)
		}
	})
}
