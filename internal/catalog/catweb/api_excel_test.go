package catweb_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/catalog/catweb"
	"github.com/qingdan/qingdan/internal/catalog/catxlsx"
	"github.com/qingdan/qingdan/internal/web"
	wt "github.com/qingdan/qingdan/internal/web/webtest"
)

// fakeLists serves the demo district's list as the list of every fixture
// body (the fixture's bodies, and each fixture principal's own) and records
// the drafts it is asked to create.
type fakeLists struct {
	list   []catalog.ItemVersion
	mu     sync.Mutex
	drafts []catdb.AdjustmentInput
}

var fixturePaths = map[int64]string{1: wt.District, 2: wt.TownA, 3: wt.TownB, 5: wt.CommunityA}

func (f *fakeLists) Body(_ context.Context, id int64) (catxlsx.BodyInfo, error) {
	p, ok := fixturePaths[id]
	if !ok {
		for _, pr := range wt.Principals() {
			if pr.BodyID == id {
				p, ok = pr.BodyPath, true
			}
		}
	}
	if !ok {
		return catxlsx.BodyInfo{}, apperr.NotFoundf("catweb.body_does_not_exist", id)
	}
	return catxlsx.BodyInfo{ID: id, Name: "青山街道", Path: p}, nil
}

func (f *fakeLists) Export(_ context.Context, _ int64, w io.Writer) error {
	return catxlsx.Export(w, f.list, catxlsx.ExportOptions{})
}

func (f *fakeLists) FileName(b catxlsx.BodyInfo) string { return b.Name + ".xlsx" }

func (f *fakeLists) Previewed(_ context.Context, id int64, book *catxlsx.Book) (*catxlsx.Preview, error) {
	d := catxlsx.Diff(f.list, book.Items)
	p, err := catxlsx.Proposal(d, book, "")
	if err != nil {
		return nil, err
	}
	return &catxlsx.Preview{BodyID: id, Changes: d, Proposal: p}, nil
}

func (f *fakeLists) CreateDraft(ctx context.Context, p access.Principal, id int64, book *catxlsx.Book, in catxlsx.DraftInput) (*catdb.Adjustment, *catxlsx.Preview, error) {
	pv, err := f.Previewed(ctx, id, book)
	if err != nil {
		return nil, nil, err
	}
	if !p.Has(access.RoleListLiaison) {
		return nil, nil, apperr.Forbiddenf("catweb.only_a_list_liaison_may_draft")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.drafts = append(f.drafts, catdb.AdjustmentInput{Title: in.Title, BodyID: id, Changes: pv.Proposal})
	a := &catdb.Adjustment{ID: int64(len(f.drafts))}
	// As catxlsx: a draft even with no differences, marked as imported.
	a.Title, a.Stage, a.Reason, a.Changes, a.Imported = in.Title, catalog.StageDrafting, catalog.OperatingExperience, pv.Proposal, true
	return a, pv, nil
}

// multipartBody is an upload of file under name, with the form's fields.
func multipartBody(t *testing.T, name string, file []byte, fields map[string]string) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(file); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String(), mw.FormDataContentType()
}

func TestCatalogExcelAPI(t *testing.T) {
	d, err := catalog.LoadDemo()
	if err != nil {
		t.Fatal(err)
	}
	fake := &fakeLists{list: d.Current(d.Bodies[0].ID)}
	frame := web.NewFrame()
	routes, err := catweb.Routes(noList{}, catweb.Options{Frame: frame, Excel: fake, Jobs: catxlsx.NewJobs(2, time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	env := wt.NewWith(t, wt.Options{Routes: routes, Frame: frame})

	var file bytes.Buffer
	if err := catxlsx.Export(&file, fake.list, catxlsx.ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(bytes.NewReader(file.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if err := x.SetCellStr(catxlsx.ItemsSheet, "D7", "行政审批"); err != nil {
		t.Fatal(err)
	}
	var bad bytes.Buffer
	if _, err := x.WriteTo(&bad); err != nil {
		t.Fatal(err)
	}
	if err := x.SetCellStr(catxlsx.ItemsSheet, "D7", "行政许可"); err != nil {
		t.Fatal(err)
	}
	if err := x.SetCellStr(catxlsx.ItemsSheet, "C3", "改名后的事项"); err != nil {
		t.Fatal(err)
	}
	var changed bytes.Buffer
	if _, err := x.WriteTo(&changed); err != nil {
		t.Fatal(err)
	}
	badBody, badCT := multipartBody(t, "list.xlsx", bad.Bytes(), nil)
	sameBody, sameCT := multipartBody(t, "list.xlsx", file.Bytes(), nil)
	oneBody, oneCT := multipartBody(t, "list.xlsx", changed.Bytes(), map[string]string{"title": "改名"})
	junkBody, junkCT := multipartBody(t, "list.xlsx", bytes.Repeat([]byte("junk"), 1<<18), nil)

	wt.Run(t, env.Server, []wt.Scenario{
		{Name: "export", URL: "/api/v1/bodies/2/list.xlsx", As: wt.LiaisonA, Bearer: true, Status: 200,
			Check: func(t *testing.T, res *http.Response, body string) {
				if res.Header.Get("Content-Type") != catweb.XLSXType {
					t.Errorf("content type %q", res.Header.Get("Content-Type"))
				}
				if _, err := catxlsx.Parse(strings.NewReader(body), int64(len(body)), nil); err != nil {
					t.Errorf("export does not import: %v", err)
				}
			}},
		{Name: "export outside jurisdiction", URL: "/api/v1/bodies/3/list.xlsx", As: wt.LiaisonA, Bearer: true, Status: 403},
		{Name: "export by a role without the list", URL: "/api/v1/bodies/2/list.xlsx", As: wt.StaffA, Bearer: true, Status: 403},
		{Name: "export anonymous", URL: "/api/v1/bodies/2/list.xlsx", Status: 401},
		{Name: "export unknown body", URL: "/api/v1/bodies/99/list.xlsx", As: wt.Admin, Bearer: true, Status: 404},
		{Name: "bad cell", Method: "POST", URL: "/api/v1/bodies/2/list-import", As: wt.LiaisonA, Bearer: true,
			Body: badBody, ContentType: badCT, Status: 400, Contains: []string{`"field":"事项!D7"`}},
		{Name: "junk", Method: "POST", URL: "/api/v1/bodies/2/list-import", As: wt.LiaisonA, Bearer: true,
			Body: junkBody, ContentType: junkCT, Status: 400, Contains: []string{`"field":"file"`}},
		{Name: "not multipart", Method: "POST", URL: "/api/v1/bodies/2/list-import", As: wt.LiaisonA, Bearer: true,
			Body: `{}`, Status: 400, Contains: []string{`"field":"file"`}},
		{Name: "unchanged", Method: "POST", URL: "/api/v1/bodies/2/list-import", As: wt.LiaisonA, Bearer: true,
			Body: sameBody, ContentType: sameCT, Status: 200,
			Check: func(t *testing.T, _ *http.Response, body string) {
				var r catweb.ListImportResult
				if err := json.Unmarshal([]byte(body), &r); err != nil {
					t.Fatal(err)
				}
				// Issue #4: a draft with no changes records the comparison.
				if len(r.Changes) != 0 || len(r.Proposal) != 0 || r.Adjustment == nil || r.Adjustment.Changes != 0 {
					t.Errorf("unchanged import: %s", body)
				}
			}},
		{Name: "read-only external supervisor", Method: "POST", URL: "/api/v1/bodies/2/list-import", As: wt.ExternalA, Bearer: true,
			Body: oneBody, ContentType: oneCT, Status: 403},
		{Name: "one cell dry run", Method: "POST", URL: "/api/v1/bodies/2/list-import?dry_run=true", As: wt.OfficeA, Bearer: true,
			Body: oneBody, ContentType: oneCT, Status: 200, Contains: []string{`"paths":["name"]`}, NotContains: []string{`"adjustment"`}},
		{Name: "misspelt dry run creates nothing", Method: "POST", URL: "/api/v1/bodies/2/list-import?dry_run=yes", As: wt.LiaisonA, Bearer: true,
			Body: oneBody, ContentType: oneCT, Status: 400, Contains: []string{`"field":"dry_run"`}},
		{Name: "one cell", Method: "POST", URL: "/api/v1/bodies/2/list-import", As: wt.LiaisonA, Bearer: true,
			Body: oneBody, ContentType: oneCT, Status: 200,
			Contains: []string{`"paths":["name"]`, `"adjustment":{"id":2,"title":"改名","stage":"drafting","reason":"operating_experience","changes":1}`, `"kind":"change"`}},
	})
	if len(fake.drafts) != 2 || len(fake.drafts[0].Changes) != 0 || len(fake.drafts[1].Changes) != 1 {
		t.Fatalf("drafts created: %+v", fake.drafts)
	}
}
