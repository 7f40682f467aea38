package catweb_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
	"github.com/qingdan/qingdan/internal/web/webtest"
)

// TestCatalogPages_C3_reformGroupMembership: the reform office's two review
// groups (C3) are set on a page, without a browser: the district
// administrator sees the general-office staff of the district and the
// bodies below with their groups, and puts the street's office member into
// the power-list group and out again; the street's office may not touch a
// district member (jurisdiction), a list liaison may not open the page
// (role), a post without the CSRF token, a group that does not exist and a
// member outside the general office are refused with the reason and
// change nothing.
func TestCatalogPages_C3_reformGroupMembership(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e, s, as := catalogPages(t, db)
		ctx := context.Background()
		staff := func(name string) int64 {
			t.Helper()
			var id int64
			if err := db.QueryRow(ctx, `SELECT id FROM staff WHERE name = ?`, name).Scan(&id); err != nil {
				t.Fatal(err)
			}
			return id
		}
		groups := func(id int64) []catalog.ReformGroup {
			t.Helper()
			gs, err := s.ReformGroups(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(gs)
			return gs
		}
		street, district, liaison := staff("许明"), staff("孙建国"), staff("何静")
		districtBefore := groups(district)
		if len(groups(street)) != 0 || len(districtBefore) == 0 {
			t.Fatalf("demo groups: street %v, district %v", groups(street), districtBefore)
		}
		admin := as("赵敏")
		webtest.Run(t, e.Server, []webtest.Scenario{
			{Name: "page", URL: "/catalog/reform-groups", As: admin, Status: 200,
				Contains: []string{"许明", "孙建国", "周文", "权力清单组", "责任清单组",
					fmt.Sprintf(`action="/catalog/reform-groups/%d"`, street), `name="csrf_token"`},
				NotContains: []string{"何静"}},
			{Name: "page in English", URL: "/catalog/reform-groups", As: admin, Header: map[string]string{"Accept-Language": "en"}, Status: 200,
				Contains: []string{"Power list group", "Responsibility list group"}},
			{Name: "the street's office sees its own body only", URL: "/catalog/reform-groups", As: as("许明"), Status: 200,
				Contains: []string{"许明"}, NotContains: []string{"孙建国"}},
			{Name: "not for a list liaison", URL: "/catalog/reform-groups", As: as("何静"), Status: 403},
			{Name: "not for the anonymous", URL: "/catalog/reform-groups", Status: http.StatusSeeOther, Location: "/login"},
		})

		// Into the power-list group, then the page says so.
		webtest.Do(t, e.Server, webtest.Scenario{Method: "POST", URL: fmt.Sprintf("/catalog/reform-groups/%d", street), As: admin,
			Body: "group=power_list&version=1", Status: http.StatusSeeOther, Location: fmt.Sprintf("/catalog/reform-groups?saved=%d", street)})
		if got := groups(street); !slices.Equal(got, []catalog.ReformGroup{catalog.PowerListGroup}) {
			t.Fatalf("after joining: %v", got)
		}
		webtest.Run(t, e.Server, []webtest.Scenario{
			{Name: "saved", URL: fmt.Sprintf("/catalog/reform-groups?saved=%d", street), As: admin, Status: 200,
				Contains: []string{"许明", `value="power_list" checked`}},
		})

		// Refusals change nothing.
		refusals := []webtest.Scenario{
			{Name: "no CSRF token", Method: "POST", URL: fmt.Sprintf("/catalog/reform-groups/%d", street), As: admin,
				Body: "group=duty_list", NoCSRF: true, Status: 403},
			{Name: "street office on a district member", Method: "POST", URL: fmt.Sprintf("/catalog/reform-groups/%d", district), As: as("许明"),
				Body: "group=power_list", Status: 403},
			{Name: "a list liaison", Method: "POST", URL: fmt.Sprintf("/catalog/reform-groups/%d", street), As: as("何静"),
				Body: "group=duty_list", Status: 403},
			{Name: "unknown group", Method: "POST", URL: fmt.Sprintf("/catalog/reform-groups/%d", street), As: admin,
				Body: "group=power_list&group=finance&version=2", Status: 400, Contains: []string{`role="alert"`, "groups[1]", "审核组"}},
			{Name: "not general office", Method: "POST", URL: fmt.Sprintf("/catalog/reform-groups/%d", liaison), As: admin,
				Body: "group=duty_list&version=1", Header: map[string]string{"Accept-Language": "en"}, Status: 400,
				Contains: []string{"staff_id", "must be general-office staff"}},
		}
		webtest.Run(t, e.Server, refusals)
		if got := groups(street); !slices.Equal(got, []catalog.ReformGroup{catalog.PowerListGroup}) {
			t.Errorf("refused posts changed the street member's groups: %v", got)
		}
		if got := groups(district); !slices.Equal(got, districtBefore) {
			t.Errorf("refused posts changed the district member's groups: %v", got)
		}
		if got := groups(liaison); len(got) != 0 {
			t.Errorf("a liaison joined: %v", got)
		}

		// Out again: no box ticked.
		webtest.Do(t, e.Server, webtest.Scenario{Method: "POST", URL: fmt.Sprintf("/catalog/reform-groups/%d", street), As: admin,
			Body: "version=2", Status: http.StatusSeeOther})
		if got := groups(street); len(got) != 0 {
			t.Fatalf("after leaving: %v", got)
		}
	})
}

// TestCatalogPages_O3_noSelfSeatInReformGroups (issue #11.8): a
// general-office member cannot put itself into the reform review groups —
// its own row has no form, only a note, and a post for itself is refused
// and changes nothing (the API: cmd's TestApp_O3_nobodyGrantsThemselves).
func TestCatalogPages_O3_noSelfSeatInReformGroups(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e, s, as := catalogPages(t, db)
		ctx := context.Background()
		var street int64
		if err := db.QueryRow(ctx, `SELECT id FROM staff WHERE name = ?`, "许明").Scan(&street); err != nil {
			t.Fatal(err)
		}
		self := as("许明")
		webtest.Run(t, e.Server, []webtest.Scenario{
			{Name: "own row without a form", URL: "/catalog/reform-groups", As: self, Status: 200,
				Contains:    []string{"许明", `id="reform-self"`, "不能为自己设置审核组"},
				NotContains: []string{fmt.Sprintf(`action="/catalog/reform-groups/%d"`, street)}},
			{Name: "form post for itself", Method: "POST", URL: fmt.Sprintf("/catalog/reform-groups/%d", street), As: self,
				Body: "group=power_list", Status: http.StatusForbidden, Contains: []string{"不能把自己加入改革办审核组"}},
		})
		if gs, err := s.ReformGroups(ctx, street); err != nil || len(gs) != 0 {
			t.Fatalf("the member sits in %v (%v)", gs, err)
		}
	})
}
