package orgweb

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
	"github.com/qingdan/qingdan/internal/web/webtest"
)

// editVersion is the version the page's edit form is based on.
var editVersion = regexp.MustCompile(`id="edit"><fieldset><legend>[^<]*</legend><input type="hidden" name="csrf_token" value="[^"]*"><input type="hidden" name="version" value="(\d+)">`)

// TestPages_H1_staleStaffEditShowsYoursBesideTheCurrent: the district and
// the street administrator open the same staff member's page; the street
// saves a new phone first, then the district saves another. The district's
// edit changes nothing and comes back as 409 with its input still in the
// form and a table of both values; saving that form again (it now carries
// the current version) is a decision taken with both in view and succeeds.
func TestPages_H1_staleStaffEditShowsYoursBesideTheCurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e, s := env(t, db)
		found, err := s.SearchStaff(ctx, org.System, org.StaffQuery{Text: "曹亮"})
		if err != nil || len(found) != 1 {
			t.Fatal(found, err)
		}
		cao := found[0]
		page := fmt.Sprintf("/admin/org/staff/%d", cao.ID)
		open := func(as string) string {
			res, body := webtest.Do(t, e.Server, webtest.Scenario{URL: page, As: as})
			m := editVersion.FindStringSubmatch(body)
			if res.StatusCode != http.StatusOK || m == nil {
				t.Fatalf("%s opens %s: %d, edit form version %v", as, page, res.StatusCode, m)
			}
			return m[1]
		}
		post := func(as, version, phone string) (*http.Response, string) {
			f := url.Values{"version": {version}, "body_id": {fmt.Sprint(cao.BodyID)}, "unit_id": {fmt.Sprint(cao.UnitID)},
				"name": {cao.Name}, "phone": {phone}, "is_head": {"true"}}
			for _, r := range cao.Roles {
				f.Add("roles", string(r))
			}
			return webtest.Do(t, e.Server, webtest.Scenario{Method: "POST", URL: page, As: as, Body: f.Encode()})
		}
		district, street := open("d_admin"), open("d_qingshan_admin")
		if district != street {
			t.Fatalf("both opened version %s and %s", district, street)
		}
		if res, body := post("d_qingshan_admin", street, "13600000001"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("first save: %d %s", res.StatusCode, body)
		}
		res, body := post("d_admin", district, "13600000002")
		if res.StatusCode != http.StatusConflict {
			t.Fatalf("second save on the same version: %d, want 409", res.StatusCode)
		}
		conflict := regexp.MustCompile(`(?s)<section class="conflict".*?</section>`).FindString(body)
		for _, want := range []string{"已被他人修改", "保存冲突", `<td class="yours"><mark>13600000002</mark></td><td class="current"><mark>13600000001</mark></td>`} {
			if !strings.Contains(body, want) {
				t.Errorf("the refused page lacks %q:\n%s", want, conflict)
			}
		}
		if !strings.Contains(body, `name="phone" value="13600000002"`) {
			t.Error("the form lost what the district administrator typed")
		}
		m := editVersion.FindStringSubmatch(body)
		now, err := s.Staff(ctx, org.System, cao.ID)
		if err != nil {
			t.Fatal(err)
		}
		if now.Phone != "13600000001" || m == nil || m[1] != fmt.Sprint(now.Version) {
			t.Fatalf("stored phone %s (want the first save's), form version %v (want the current %d)", now.Phone, m, now.Version)
		}
		// Saving the form as shown again: the district's value, knowingly.
		if res, body := post("d_admin", m[1], "13600000002"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("saving again after the conflict: %d %s", res.StatusCode, body)
		}
		if now, err = s.Staff(ctx, org.System, cao.ID); err != nil || now.Phone != "13600000002" {
			t.Fatalf("after saving again: %+v %v", now, err)
		}
		// A refused edit for another reason keeps the input too, and the
		// version it was based on: the editor has not seen anything newer.
		res, body = post("d_admin", district, "not a phone")
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `value="not a phone"`) ||
			!strings.Contains(body, `name="version" value="`+district+`"`) || strings.Contains(body, `class="conflict"`) {
			t.Fatalf("invalid phone: %d", res.StatusCode)
		}
		rep, err := db.Verify(ctx, nil)
		if err != nil || !rep.OK() {
			t.Fatalf("verify: %+v %v", rep, err)
		}
	})
}

// TestPages_H1_actionsCarryTheVersionShown: the deactivate button, the
// head buttons and the revoke button carry the version of the state they
// showed; pressed after someone else changed the object, they change
// nothing and the page shows the current state with the conflict.
func TestPages_H1_actionsCarryTheVersionShown(t *testing.T) {
	db := storetest.SQLite(t)
	e, s := env(t, db)
	found, err := s.SearchStaff(ctx, org.System, org.StaffQuery{Text: "陈晓"})
	if err != nil || len(found) != 1 {
		t.Fatal(found, err)
	}
	st := found[0]
	u, err := s.Unit(ctx, org.System, st.UnitID)
	if err != nil {
		t.Fatal(err)
	}
	qs, err := s.Qualifications(ctx, org.System, mustStaff(t, s, "吴刚").ID)
	if err != nil || len(qs) == 0 {
		t.Fatal(qs, err)
	}
	webtest.Run(t, e.Server, []webtest.Scenario{
		{Name: "staff page carries the version", URL: fmt.Sprintf("/admin/org/staff/%d", st.ID), As: "d_admin", Status: 200,
			Contains: []string{fmt.Sprintf(`/active"><input type="hidden" name="csrf_token" value="%s"><input type="hidden" name="version" value="%d">`, webtest.CSRFToken, st.Version)}},
		{Name: "deactivate on a stale page", Method: "POST", URL: fmt.Sprintf("/admin/org/staff/%d/active", st.ID), As: "d_admin",
			Body: "active=false&confirm=yes&version=" + fmt.Sprint(st.Version+1), Status: http.StatusConflict, Contains: []string{"已被他人修改"}},
		{Name: "head on a stale page", Method: "POST", URL: fmt.Sprintf("/admin/org/units/%d/head", u.ID), As: "d_admin",
			Body: fmt.Sprintf("staff_id=%d&version=%d", st.ID, u.Version+1), Status: http.StatusConflict},
		{Name: "revoke on a stale page", Method: "POST", URL: fmt.Sprintf("/admin/org/qualifications/%d/revoke", qs[0].ID), As: "d_admin",
			Body: "version=" + fmt.Sprint(qs[0].Version+1), Status: http.StatusConflict},
		{Name: "deactivate on the page as it is", Method: "POST", URL: fmt.Sprintf("/admin/org/staff/%d/active", st.ID), As: "d_admin",
			Body: "active=false&confirm=yes&version=" + fmt.Sprint(st.Version), Status: http.StatusSeeOther},
	})
	if now, err := s.Staff(ctx, org.System, st.ID); err != nil || now.Active || now.Version != st.Version+1 {
		t.Fatalf("after the actions: %+v %v", now, err)
	}
}

func mustStaff(t *testing.T, s *org.Service, name string) org.Staff {
	t.Helper()
	found, err := s.SearchStaff(ctx, org.System, org.StaffQuery{Text: name})
	if err != nil || len(found) != 1 {
		t.Fatal(found, err)
	}
	return found[0]
}
