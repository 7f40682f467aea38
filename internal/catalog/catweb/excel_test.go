package catweb_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/catalog/catweb"
	"github.com/qingdan/qingdan/internal/catalog/catxlsx"
	"github.com/qingdan/qingdan/internal/web"
	wt "github.com/qingdan/qingdan/internal/web/webtest"
)

func excelEdit(t *testing.T, b []byte, sheet, cell, v string) []byte {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if err := x.SetCellStr(sheet, cell, v); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := x.WriteTo(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// do runs one request as a fixture principal.
func do(t *testing.T, h http.Handler, method, target, as, body, ct string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	sc := wt.Scenario{Method: method, URL: target, As: as, Body: body, ContentType: ct, Header: hdr}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, sc.Request())
	res := rec.Result()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

// noList stands for the catalogue service where only the Excel pages are
// exercised; a list page calling it would panic the test.
type noList struct{ catweb.Catalog }

func TestCatalogExcelPages(t *testing.T) {
	d, err := catalog.LoadDemo()
	if err != nil {
		t.Fatal(err)
	}
	fake := &fakeLists{list: d.Current(d.Bodies[0].ID)}
	frame := web.NewFrame()
	routes, err := catweb.Routes(noList{}, catweb.Options{Frame: frame, Excel: fake, Jobs: catxlsx.NewJobs(2, time.Minute),
		HandOverImport: web.HandOverImport})
	if err != nil {
		t.Fatal(err)
	}
	env := wt.NewWith(t, wt.Options{Routes: routes, Frame: frame})

	var file bytes.Buffer
	if err := fake.Export(context.Background(), 2, &file); err != nil {
		t.Fatal(err)
	}
	bad := excelEdit(t, file.Bytes(), catxlsx.ItemsSheet, "D7", "行政审批")
	one := excelEdit(t, file.Bytes(), catxlsx.ItemsSheet, "C3", "改名后的事项")

	wt.Run(t, env.Server, []wt.Scenario{
		{Name: "page", URL: "/catalog/excel", As: wt.LiaisonA, Status: 200,
			Contains: []string{`enctype="multipart/form-data"`, `href="/catalog/excel/bodies/6/list.xlsx"`, `href="/catalog/excel/template.xlsx"`, "青山街道"}},
		{Name: "page in English", URL: "/catalog/excel", As: wt.OfficeA, Header: map[string]string{"Accept-Language": "en"}, Status: 200,
			Contains: []string{"Download my body&#39;s list"}},
		{Name: "not for window staff", URL: "/catalog/excel", As: wt.WindowA, Status: 403},
		{Name: "not for the anonymous", URL: "/catalog/excel", Status: http.StatusSeeOther, Location: "/login"},
		{Name: "list of a body outside the jurisdiction", URL: "/catalog/excel/bodies/3/list.xlsx", As: wt.LiaisonA, Status: 403},
		{Name: "district admin opens a town's page", URL: "/catalog/excel/bodies/2", As: wt.Admin, Status: 200,
			Contains: []string{`action="/catalog/excel/bodies/2/import"`}},
		{Name: "list download", URL: "/catalog/excel/bodies/2/list.xlsx", As: wt.OfficeA, Status: 200,
			Check: func(t *testing.T, res *http.Response, body string) {
				if res.Header.Get("Content-Type") != catweb.XLSXType || !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
					t.Errorf("headers %v", res.Header)
				}
				if got, err := catxlsx.Parse(strings.NewReader(body), int64(len(body)), nil); err != nil || len(got) != len(fake.list) {
					t.Errorf("download parses to %d items, %v", len(got), err)
				}
			}},
		{Name: "template download", URL: "/catalog/excel/template.xlsx", As: wt.Admin, Status: 200,
			Check: func(t *testing.T, _ *http.Response, body string) {
				if got, err := catxlsx.Parse(strings.NewReader(body), int64(len(body)), nil); err != nil || len(got) != 0 {
					t.Errorf("template parses to %d items, %v", len(got), err)
				}
			}},
		{Name: "upload without a file", Method: "POST", URL: "/catalog/excel/bodies/2/import", As: wt.LiaisonA,
			Body: "--B--\r\n", ContentType: "multipart/form-data; boundary=B", Status: 400, Contains: []string{`role="alert"`}},
		{Name: "upload read-only", Method: "POST", URL: "/catalog/excel/bodies/2/import", As: wt.ExternalA,
			Body: "--B--\r\n", ContentType: "multipart/form-data; boundary=B", Status: 403},
	})

	// Without JavaScript: the upload waits and redirects to the result.
	body, ct := multipartBody(t, "清单.xlsx", bad, nil)
	res, _ := do(t, env.Server, "POST", "/catalog/excel/bodies/2/import", wt.LiaisonA, body, ct, nil)
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/catalog/excel/jobs/") {
		t.Fatalf("no-JS upload: %d %q", res.StatusCode, loc)
	}
	res, page := do(t, env.Server, "GET", loc, wt.LiaisonA, "", "", nil)
	if res.StatusCode != 200 || !strings.Contains(page, "<td>事项</td><td>7</td><td>D</td>") || !strings.Contains(page, "行政审批") {
		t.Fatalf("error table: %d\n%s", res.StatusCode, page)
	}
	if res, _ := do(t, env.Server, "GET", loc, wt.OfficeA, "", "", nil); res.StatusCode != 404 {
		t.Errorf("another user's job: %d", res.StatusCode)
	}

	// With htmx: the upload answers at once with the polling fragment.
	body, ct = multipartBody(t, "清单.xlsx", one, nil)
	res, frag := do(t, env.Server, "POST", "/catalog/excel/bodies/2/import", wt.LiaisonA, body, ct, map[string]string{"HX-Request": "true"})
	if res.StatusCode != 200 || !strings.Contains(frag, `id="excel-job"`) || strings.Contains(frag, "<html") {
		t.Fatalf("htmx upload: %d\n%s", res.StatusCode, frag)
	}
	id := between(frag, "/catalog/excel/jobs/", `"`)
	var done string
	for i := 0; i < 100; i++ {
		_, done = do(t, env.Server, "GET", "/catalog/excel/jobs/"+id, wt.LiaisonA, "", "", map[string]string{"HX-Request": "true"})
		if !strings.Contains(done, "hx-trigger") {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	// One changed cell → exactly that difference.
	if !strings.Contains(done, "与现行清单不同的事项:1个") || strings.Count(done, "<code>") != 1 ||
		!strings.Contains(done, "<code>name</code>") || !strings.Contains(done, "/adjustment") {
		t.Fatalf("preview:\n%s", done)
	}
	form := url.Values{"title": {"改名"}, "reason": {"operating_experience"}}.Encode()
	res, created := do(t, env.Server, "POST", "/catalog/excel/jobs/"+id+"/adjustment", wt.LiaisonA, form, "", nil)
	if res.StatusCode != 200 || !strings.Contains(created, "改名") || len(fake.drafts) != 1 || strings.Contains(created, "不含任何变更") {
		t.Fatalf("create: %d %d\n%s", res.StatusCode, len(fake.drafts), created)
	}
	// The file unchanged → no differences, and still a draft, which says
	// it has no changes and cannot be submitted (issue #4).
	body, ct = multipartBody(t, "清单.xlsx", file.Bytes(), nil)
	res, _ = do(t, env.Server, "POST", "/catalog/excel/bodies/2/import", wt.LiaisonA, body, ct, nil)
	same := res.Header.Get("Location")
	res, page = do(t, env.Server, "GET", same, wt.LiaisonA, "", "", nil)
	if res.StatusCode != 200 || !strings.Contains(page, "没有差异") || strings.Contains(page, "<code>") || !strings.Contains(page, same+"/adjustment") {
		t.Fatalf("unchanged preview: %d\n%s", res.StatusCode, page)
	}
	res, created = do(t, env.Server, "POST", same+"/adjustment", wt.LiaisonA, "reason=operating_experience", "", map[string]string{"Accept-Language": "en"})
	if res.StatusCode != 200 || len(fake.drafts) != 2 || !strings.Contains(created, "has no changes") || !strings.Contains(created, "cannot be submitted") {
		t.Fatalf("unchanged create: %d %d\n%s", res.StatusCode, len(fake.drafts), created)
	}
	// The general office sees the preview but cannot create.
	res, _ = do(t, env.Server, "POST", "/catalog/excel/bodies/2/import", wt.OfficeA, body, ct, nil)
	res, page = do(t, env.Server, "GET", res.Header.Get("Location"), wt.OfficeA, "", "", nil)
	// (The menu's /catalog/adjustments is not the form's action.)
	if res.StatusCode != 200 || strings.Contains(page, `/adjustment"`) || !strings.Contains(page, "清单联络员") {
		t.Fatalf("office preview: %d\n%s", res.StatusCode, page)
	}
}

func between(s, a, b string) string {
	_, rest, ok := strings.Cut(s, a)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, b)
	return v
}
