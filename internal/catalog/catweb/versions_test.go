package catweb_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
	"github.com/qingdan/qingdan/internal/web/webtest"
)

var formVersion = regexp.MustCompile(`<input type="hidden" name="version" value="(\d+)">`)

// TestCatalogPages_H1_staleDraftEditKeepsTheInputBesideTheStored: the
// liaison has a draft's edit form open in two sessions; the first saves a
// new title, then the second saves another from its older form. The
// second is refused (409) with its title still in the form, a table of
// its title beside the stored one, and the form now at the current
// version; the stored draft has the first title. A step pressed on a page
// showing an older version, and a change of review groups from an older
// view, are refused the same way.
func TestCatalogPages_H1_staleDraftEditKeepsTheInputBesideTheStored(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e, s, as := catalogPages(t, db)
		_, item := streetItem(t, db, s)
		res, _ := webtest.Do(t, e.Server, webtest.Scenario{Method: "POST", URL: "/catalog/adjustments", As: as("邓雪"), Body: draftForm(t, e, as("邓雪"), item, "延长办理时间").Encode()})
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d", res.StatusCode)
		}
		open := func() string {
			_, body := webtest.Do(t, e.Server, webtest.Scenario{URL: loc + "/edit", As: as("邓雪")})
			m := formVersion.FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("the edit form carries no version")
			}
			return m[1]
		}
		first, second := open(), open()
		save := func(version, title string) (*http.Response, string) {
			f := draftForm(t, e, as("邓雪"), item, title)
			f.Set("version", version)
			return webtest.Do(t, e.Server, webtest.Scenario{Method: "POST", URL: loc + "/edit", As: as("邓雪"), Body: f.Encode()})
		}
		if res, _ := save(first, "延长周六办理时间"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("first save: %d", res.StatusCode)
		}
		res, body := save(second, "增加夜间办理")
		if res.StatusCode != http.StatusConflict {
			t.Fatalf("second save from the older form: %d, want 409", res.StatusCode)
		}
		for _, want := range []string{`id="conflict"`, "已被他人修改", `<td class="yours"><mark>增加夜间办理</mark></td><td class="current"><mark>延长周六办理时间</mark></td>`,
			`name="title" value="增加夜间办理"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the refused form lacks %q", want)
			}
		}
		var id int64
		if _, err := fmt.Sscanf(loc, "/catalog/adjustments/%d", &id); err != nil {
			t.Fatal(err)
		}
		stored, err := s.Adjustment(t.Context(), org.System, id)
		if err != nil {
			t.Fatal(err)
		}
		if m := formVersion.FindStringSubmatch(body); stored.Title != "延长周六办理时间" || m == nil || m[1] != fmt.Sprint(stored.Version) {
			t.Fatalf("stored %q at %d; the refused form is at version %v", stored.Title, stored.Version, m)
		}
		webtest.Run(t, e.Server, []webtest.Scenario{
			{Name: "sign on the page as it was", Method: "POST", URL: loc + "/act", As: as("许明"),
				Body: "kind=sign&version=" + first, Status: http.StatusConflict, Contains: []string{"已被他人修改"}},
			{Name: "the page's sign carries the version", URL: loc, As: as("许明"), Status: 200,
				Contains: []string{fmt.Sprintf(`<input type="hidden" name="version" value="%d">`, stored.Version), `value="sign"`}},
			{Name: "sign on the page as it is", Method: "POST", URL: loc + "/act", As: as("许明"),
				Body: fmt.Sprintf("kind=sign&version=%d", stored.Version), Status: http.StatusSeeOther},
		})

		office := staffID(t, db, "许明")
		set := func(version int64, group string) (*http.Response, string) {
			return webtest.Do(t, e.Server, webtest.Scenario{Method: "POST", URL: fmt.Sprintf("/catalog/reform-groups/%d", office), As: as("赵敏"),
				Body: fmt.Sprintf("group=%s&version=%d", group, version)})
		}
		if res, _ := set(1, "power_list"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("joining: %d", res.StatusCode)
		}
		res, body = set(1, "duty_list")
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, `<td class="yours"><mark>责任清单组</mark></td><td class="current"><mark>权力清单组</mark></td>`) {
			t.Fatalf("groups from the old view: %d", res.StatusCode)
		}
	})
}

func staffID(t *testing.T, db *store.DB, name string) int64 {
	t.Helper()
	var id int64
	if err := db.QueryRow(t.Context(), `SELECT id FROM staff WHERE name = ?`, name).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}
