package main

import (
	"bytes"
	"context"
	"fmt"
	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/qingdan/qingdan/internal/catalog/catxlsx"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/web"
	wt "github.com/qingdan/qingdan/internal/web/webtest"
)

// TestExportImportListCommands: export a demo body's list, import it back
// (dry run, then as its liaison: no differences, nothing created), and a
// junk file is refused with its error.
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
	if out := runOK(append(append([]string{"import-list", "--body", org.DemoRootCode, "--as", liaison}, dbArgs...), file)...); !strings.Contains(out, "no differences") || strings.Contains(out, "OK:") {
		t.Errorf("unchanged import: %s", out)
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
	if out := runOK(append(append([]string{"import-list", "--body", org.DemoRootCode, "--as", liaison}, dbArgs...), changed)...); !strings.Contains(out, "\tchange\t") || !strings.Contains(out, "\thours\n") || !strings.Contains(out, "OK: ") {
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
	env := wt.NewWith(t, wt.Options{Routes: catalogExcelRoutes(newCatalogue(db, caldb.New(db)), frame), Frame: frame})
	wt.Run(t, env.Server, []wt.Scenario{
		{Name: "API export", URL: fmt.Sprintf("/api/v1/bodies/%d/list.xlsx", root), As: wt.Admin, Bearer: true, Status: 200},
		{Name: "page", URL: fmt.Sprintf("/catalog/excel/bodies/%d", root), As: wt.Admin, Status: 200, Contains: []string{"青山区"}},
	})
	tmpl := filepath.Join(dir, "t.xlsx")
	runOK("export-list", "--template", "-o", tmpl)
	if b, err := os.ReadFile(tmpl); err != nil || len(b) == 0 {
		t.Fatalf("template: %v", err)
	}
}
