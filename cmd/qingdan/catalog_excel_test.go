package main

import (
	"bytes"
	"context"
	"fmt"
	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"mime/multipart"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/qingdan/qingdan/internal/catalog/catxlsx"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/web"
	wt "github.com/qingdan/qingdan/internal/web/webtest"
)

// TestExportImportListCommands (issue #4 round trip): export a demo body's
// list, import it back (dry run: no differences, nothing created; as its
// liaison: a draft with 0 changes that says it cannot be submitted); one
// changed cell gives a draft with exactly that difference; a junk file is
// refused with its error. Then the same round trip through the web pages
// serve mounts, over the same database.
func TestExportImportListCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the demo")
	}
	dir := t.TempDir()
	dbArgs := []string{"--db", filepath.Join(dir, "q.db"), "--data-dir", dir}
	ctx := context.Background()
	runOK := func(args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		if code := run(ctx, args, &out, &errOut); code != 0 {
			t.Fatalf("qingdan %v: exit %d\n%s%s", args, code, out.String(), errOut.String())
		}
		return out.String()
	}
	runOK(append([]string{"demo"}, dbArgs...)...)
	file := filepath.Join(dir, "list.xlsx")
	runOK(append([]string{"export-list", "--body", org.DemoRootCode, "-o", file}, dbArgs...)...)
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := catxlsx.Parse(bytes.NewReader(b), int64(len(b)), nil); err != nil || len(got) == 0 {
		t.Fatalf("exported file: %d items, %v", len(got), err)
	}
	if out := runOK(append(append([]string{"import-list", "--body", org.DemoRootCode, "--dry-run"}, dbArgs...), file)...); !strings.Contains(out, "no differences") {
		t.Errorf("dry run: %s", out)
	}
	liaison := "" // the district's list liaison (市场监管所)
	for _, a := range org.DemoAccounts() {
		if a.Name == "何静" {
			liaison = a.Login
		}
	}
	adjustments := func() int {
		t.Helper()
		db, err := (&dbConfig{DSN: dbArgs[1], DataDir: dir}).open(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close() //nolint:errcheck // test cleanup
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM catalog_adjustments`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := adjustments()
	if out := runOK(append(append([]string{"import-list", "--body", org.DemoRootCode, "--as", liaison}, dbArgs...), file)...); !strings.Contains(out, "no differences") ||
		!strings.Contains(out, "OK: ") || !strings.Contains(out, "changes: 0\n") || !strings.Contains(out, "cannot be submitted") || strings.Count(out, "\t") != 0 {
		t.Errorf("unchanged import: %s", out)
	}
	if n := adjustments(); n != before+1 {
		t.Errorf("unchanged import: adjustments %d → %d", before, n)
	}
	// One changed cell: a draft adjustment with exactly that change.
	x, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := x.GetRows(catxlsx.ItemsSheet)
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(rows[1], "hours")
	cell, err := excelize.CoordinatesToCellName(col+1, 3)
	if err != nil || col < 0 {
		t.Fatalf("hours column: %d %v", col, err)
	}
	if err := x.SetCellStr(catxlsx.ItemsSheet, cell, rows[2][col]+"(周六上午延时服务)"); err != nil {
		t.Fatal(err)
	}
	changed := filepath.Join(dir, "changed.xlsx")
	if err := x.SaveAs(changed); err != nil {
		t.Fatal(err)
	}
	if out := runOK(append(append([]string{"import-list", "--body", org.DemoRootCode, "--as", liaison}, dbArgs...), changed)...); strings.Count(out, "\n") != 2 ||
		!strings.Contains(out, "\tchange\t") || !strings.Contains(out, "\thours\n") || !strings.Contains(out, "changes: 1\n") {
		t.Errorf("one-cell import: %s", out)
	}
	junk := filepath.Join(dir, "junk.xlsx")
	if err := os.WriteFile(junk, bytes.Repeat([]byte("junk"), 1000), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code := run(ctx, append(append([]string{"import-list", "--body", org.DemoRootCode, "--as", liaison}, dbArgs...), junk), &out, &errOut)
	if code != 1 || !strings.Contains(errOut.String(), "file: ") {
		t.Errorf("junk: exit %d\n%s", code, errOut.String())
	}
	// The routes serve mounts, over the same database.
	db, err := (&dbConfig{DSN: dbArgs[1], DataDir: dir}).open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close() //nolint:errcheck // test cleanup
	var root int64
	if err := db.QueryRow(ctx, `SELECT id FROM bodies WHERE code = ?`, org.DemoRootCode).Scan(&root); err != nil {
		t.Fatal(err)
	}
	frame := web.NewFrame()
	cat := newCatalogue(db, caldb.New(db))
	routes, err := catalogRoutes(cat, frame)
	if err != nil {
		t.Fatal(err)
	}
	env := wt.NewWith(t, wt.Options{Routes: routes, Frame: frame})
	wt.Run(t, env.Server, []wt.Scenario{
		{Name: "API export", URL: fmt.Sprintf("/api/v1/bodies/%d/list.xlsx", root), As: wt.Admin, Bearer: true, Status: 200},
		{Name: "page", URL: fmt.Sprintf("/catalog/excel/bodies/%d", root), As: wt.Admin, Status: 200, Contains: []string{"青山区"}},
	})
	// The round trip through the pages, as the real liaison.
	p, err := principalOf(ctx, db, liaison)
	if err != nil {
		t.Fatal(err)
	}
	env.Sessions.Put(wt.Token("liaison"), p)
	importPage := func(file string) (int64, string) {
		t.Helper()
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		body, ct := multipartFile(t, b)
		res, _ := wt.Do(t, env.Server, wt.Scenario{Method: "POST", URL: fmt.Sprintf("/catalog/excel/bodies/%d/import", root), As: "liaison",
			Body: body, ContentType: ct, Status: 303})
		job := res.Header.Get("Location")
		_, preview := wt.Do(t, env.Server, wt.Scenario{URL: job, As: "liaison", Status: 200, Contains: []string{job + "/adjustment"}})
		_, done := wt.Do(t, env.Server, wt.Scenario{Method: "POST", URL: job + "/adjustment", As: "liaison", Body: "reason=operating_experience", Status: 200,
			Contains: []string{"/catalog/adjustments/"}})
		id, err := strconv.ParseInt(between(done, `href="/catalog/adjustments/`, `"`), 10, 64)
		if err != nil {
			t.Fatalf("no adjustment link: %v\n%s", err, done)
		}
		a, err := cat.Adjustment(ctx, p, id)
		if err != nil {
			t.Fatal(err)
		}
		if !a.Imported || a.Stage != "drafting" {
			t.Errorf("page import's draft: %+v", a.Adjustment)
		}
		return int64(len(a.Changes)), preview + done
	}
	if n, page := importPage(file); n != 0 || !strings.Contains(page, "没有差异") || strings.Contains(page, "<code>") || !strings.Contains(page, "不含任何变更") {
		t.Errorf("unchanged import through the pages: %d changes\n%s", n, page)
	}
	if n, page := importPage(changed); n != 1 || !strings.Contains(page, "与现行清单不同的事项:1个") || strings.Count(page, "<code>") != 1 || !strings.Contains(page, "<code>hours</code>") {
		t.Errorf("one-cell import through the pages: %d changes\n%s", n, page)
	}
	tmpl := filepath.Join(dir, "t.xlsx")
	runOK("export-list", "--template", "-o", tmpl)
	if b, err := os.ReadFile(tmpl); err != nil || len(b) == 0 {
		t.Fatalf("template: %v", err)
	}
}

// multipartFile is an upload form with one workbook.
func multipartFile(t *testing.T, b []byte) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", "清单.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String(), mw.FormDataContentType()
}

func between(s, a, b string) string {
	_, rest, ok := strings.Cut(s, a)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, b)
	return v
}
