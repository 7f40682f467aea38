package catweb_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/catalog/catweb"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
	"github.com/qingdan/qingdan/internal/web"
	"github.com/qingdan/qingdan/internal/web/webtest"
)

// serve builds a web server with the catalogue's pages over svc.
func serve(t *testing.T, svc catweb.Catalog) *webtest.Env {
	t.Helper()
	frame := web.NewFrame()
	routes, err := catweb.Routes(svc, catweb.Options{Frame: frame})
	if err != nil {
		t.Fatal(err)
	}
	return webtest.NewWith(t, webtest.Options{Routes: routes, Frame: frame})
}

// catalogPages serves the staff list pages over the demo district and list;
// every org staff member is signed in under the key as(name).
func catalogPages(t *testing.T, db *store.DB) (*webtest.Env, *catdb.Service, func(string) string) {
	t.Helper()
	ctx := context.Background()
	if err := org.LoadDemo(ctx, db, nil); err != nil {
		t.Fatal(err)
	}
	s := catdb.New(db)
	if _, err := catdb.LoadDemo(ctx, s); err != nil {
		t.Fatal(err)
	}
	e := serve(t, s)
	rows, err := db.Query(ctx, `SELECT id, name FROM staff ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	keys := map[string]string{}
	orgs := org.NewService(db)
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			t.Fatal(err)
		}
		p, err := orgs.StaffPrincipal(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		p.AccountID, p.Login = 9000+id, name
		keys[name] = "s" + strconv.FormatInt(id, 10)
		e.Sessions.Put(webtest.Token(keys[name]), p)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return e, s, func(name string) string {
		if keys[name] == "" {
			t.Fatalf("no staff %s", name)
		}
		return keys[name]
	}
}

func TestCatalogPages_listItemAdjustmentReviews(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e, s, as := catalogPages(t, db)
		ctx := context.Background()
		street, item := streetItem(t, db, s)
		webtest.Run(t, e.Server, []webtest.Scenario{
			{Name: "anonymous is sent to login", URL: "/catalog", Status: http.StatusSeeOther, Location: "/login"},
			{Name: "own list", URL: "/catalog", As: as("邓雪"), Status: 200, Contains: []string{item.Name, item.BaseCode}},
			{Name: "district opens a lower list", URL: fmt.Sprintf("/catalog?body=%d", street), As: as("周文"), Status: 200,
				Contains: []string{item.BaseCode, "青山街道", "溪口镇"}},
			{Name: "street cannot open the district.s list", URL: "/catalog?body=1", As: as("邓雪"), Status: 404},
			{Name: "item with history", URL: fmt.Sprintf("/catalog/items/%d", item.ItemID), As: as("邓雪"), Status: 200,
				Contains: []string{item.ContentHash, "/api/v1/catalog/versions/"}},
			{Name: "other town's item", URL: fmt.Sprintf("/catalog/items/%d", item.ItemID), As: as("蒋涛"), Status: http.StatusForbidden},
			{Name: "draft form prefilled", URL: fmt.Sprintf("/catalog/adjustments/new?kind=change&item=%d", item.ItemID), As: as("邓雪"), Status: 200,
				Contains: []string{item.Name, `name="mat.0.name"`, `name="step.0.key"`}, NotContains: []string{`name="elements"`}},
			{Name: "only liaisons draft", URL: "/catalog/adjustments/new", As: as("冯清"), Status: http.StatusForbidden},
			{Name: "adjustments by stage", URL: "/catalog/adjustments?stage=signed", As: as("许明"), Status: 200, Contains: []string{"门前三包"}},
			{Name: "bad stage", URL: "/catalog/adjustments?stage=limbo", As: as("许明"), Status: 400},
			{Name: "reviews", URL: "/catalog/reviews", As: as("许明"), Status: 200},
			{Name: "external supervisor reads", URL: "/catalog/adjustments", As: as("冯清"), Status: 200},
		})

		form := draftForm(t, e, as("邓雪"), item, "延长办理时间")
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Set("title", "")
		bad.Set("visits", "many")
		bad.Set("mat.0.name", "营业执照") // the form's blank row, filled in
		bad.Set("mat.0.source", "government")
		bad.Set("mat.0.source_note", "")
		count := func() int {
			var n int
			if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM catalog_adjustments`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		n := count()
		webtest.Run(t, e.Server, []webtest.Scenario{
			{Name: "bad form", Method: "POST", URL: "/catalog/adjustments", As: as("邓雪"), Body: bad.Encode(), Status: 400,
				// Each problem in words beside its control, none as a code path.
				Contains:    []string{"应填写不小于0的整数", `value="many"`, "材料 1「营业执照」:由政府部门核发的材料须写明核发部门"},
				NotContains: []string{"materials[0]", "changes[0]"}},
			{Name: "external supervisor never writes", Method: "POST", URL: "/catalog/adjustments", As: as("冯清"), Body: form.Encode(), Status: http.StatusForbidden},
		})
		if count() != n {
			t.Fatal("a refused form stored an adjustment")
		}
		res, _ := webtest.Do(t, e.Server, webtest.Scenario{Method: "POST", URL: "/catalog/adjustments", As: as("邓雪"), Body: form.Encode()})
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/catalog/adjustments/") {
			t.Fatalf("create: %d %s", res.StatusCode, loc)
		}
		edited := url.Values{}
		for k, v := range form {
			edited[k] = v
		}
		edited.Set("title", "延长周六办理时间")
		edited.Set("version", "1") // the form's hidden field: the version it was opened at
		bad.Set("version", "1")
		webtest.Run(t, e.Server, []webtest.Scenario{
			{Name: "edit form", URL: loc + "/edit", As: as("邓雪"), Status: 200, Contains: []string{"延长办理时间", `name="mat.0.name"`}},
			{Name: "another unit's liaison may not edit", Method: "POST", URL: loc + "/edit", As: as("彭悦"), Body: edited.Encode(), Status: http.StatusForbidden},
			{Name: "bad edit changes nothing", Method: "POST", URL: loc + "/edit", As: as("邓雪"), Body: bad.Encode(), Status: 400},
			{Name: "edit", Method: "POST", URL: loc + "/edit", As: as("邓雪"), Body: edited.Encode(), Status: http.StatusSeeOther},
			{Name: "edited", URL: loc, As: as("邓雪"), Status: 200, Contains: []string{"延长周六办理时间"}},
			{Name: "liaison sees no sign button", URL: loc, As: as("邓雪"), Status: 200, Contains: []string{"延长周六办理时间"}, NotContains: []string{`value="sign"`}},
			{Name: "head sees sign", URL: loc, As: as("许明"), Status: 200, Contains: []string{`value="sign"`, "办理时间"}},
			{Name: "liaison may not sign", Method: "POST", URL: loc + "/act", As: as("邓雪"), Body: "kind=sign", Status: http.StatusForbidden},
			{Name: "head signs", Method: "POST", URL: loc + "/act", As: as("许明"), Body: "kind=sign&comment=%E5%90%8C%E6%84%8F", Status: http.StatusSeeOther},
			{Name: "return without comment refused", Method: "POST", URL: loc + "/act", As: as("许明"), Body: "kind=office_return", Status: 400},
			{Name: "traced", URL: loc, As: as("许明"), Status: 200, Contains: []string{"同意", `value="office_approve"`}},
		})
	})
}

// streetItem is 青山街道 and the first item of its published list.
func streetItem(t *testing.T, db *store.DB, s *catdb.Service) (int64, catdb.Version) {
	t.Helper()
	var street int64
	if err := db.QueryRow(t.Context(), `SELECT id FROM bodies WHERE code = '330199001'`).Scan(&street); err != nil {
		t.Fatal(err)
	}
	list, err := s.PublishedList(t.Context(), street, catdb.ListFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range list {
		if v.Status == catalog.StatusPublished {
			return street, v
		}
	}
	t.Fatal("the street publishes no item")
	return 0, catdb.Version{}
}

// draftForm is the draft form of a change to item as the page offers it
// to who, filled in as a liaison does to change the item's hours, under
// title.
func draftForm(t *testing.T, e *webtest.Env, who string, item catdb.Version, title string) url.Values {
	t.Helper()
	res, page := webtest.Do(t, e.Server, webtest.Scenario{URL: fmt.Sprintf("/catalog/adjustments/new?kind=change&item=%d", item.ItemID), As: who})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("the change form of %s: %d", item.BaseCode, res.StatusCode)
	}
	form := formValues(t, page, "edit")
	if form.Get("hours") != item.Hours {
		t.Fatalf("the form's hours %q, the item's %q", form.Get("hours"), item.Hours)
	}
	form.Set("title", title)
	form.Set("basis_title", "运行情况报告")
	form.Set("basis_issued", "2026-10-01")
	form.Set("hours", item.Hours+"(周六延时)")
	form.Set("save", "1")
	return form
}
