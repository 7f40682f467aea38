package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/catalog/catdb"
	"github.com/qingdan/qingdan/internal/catalog/catxlsx"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/web/browsertest"
)

// catalogTab is a Chinese browser tab logged in as login on the demo app.
func catalogTab(t *testing.T, url, login string) context.Context {
	t.Helper()
	ctx := browsertest.New(t, 1280, 1600, chromedp.Flag("lang", "zh-CN"), chromedp.Flag("accept-lang", "zh-CN"))
	logIn(t, ctx, url, login)
	return ctx
}

// logIn logs the tab's session in as login through the login page.
func logIn(t *testing.T, ctx context.Context, url, login string) {
	t.Helper()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(url+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#login")),
		chromedp.SendKeys(chromedp.CSS("#login"), login),
		chromedp.SendKeys(chromedp.CSS("#password"), org.DemoPassword),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitNotPresent(chromedp.CSS("#password")),
	); err != nil {
		t.Fatalf("%s logs in: %v", login, err)
	}
}

// textOf is the text of the first element sel matches.
func textOf(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// TestCatalogBrowser_excelImportResultStays (issue #13 item 2): the
// district's liaison uploads the list as a workbook with one item's hours
// changed; the check's result — the difference and the form that makes
// it a draft — appears on the page and is still there three seconds
// later, on the same page. The fragment used to carry a <noscript>
// refresh that htmx turned into a live one, reloading the page and
// losing the result about a second after it appeared.
func TestCatalogBrowser_excelImportResultStays(t *testing.T) {
	a, srv := demoApp(t)
	list, err := catdb.New(a.db).PublishedList(t.Context(), 1, catdb.ListFilter{})
	if err != nil {
		t.Fatal(err)
	}
	vs := make([]catalog.ItemVersion, len(list))
	for i, v := range list {
		vs[i] = v.ItemVersion
	}
	vs[0].Hours += "(周六上午延时)"
	file := filepath.Join(t.TempDir(), "青山区权责清单.xlsx")
	out, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := catxlsx.Export(out, vs, catxlsx.ExportOptions{Title: "青山区 权责清单"}); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}

	ctx := catalogTab(t, srv.URL, "liaison1")
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/catalog/excel"),
		chromedp.WaitVisible(chromedp.CSS("#excel-file")),
		chromedp.SetUploadFiles(chromedp.CSS("#excel-file"), []string{file}),
		chromedp.Click(chromedp.CSS(`form[enctype="multipart/form-data"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#excel-result table.excel-changes`)),
	); err != nil {
		t.Fatalf("upload: %v", err)
	}
	shown := textOf(t, ctx, "#excel-result")
	if !strings.Contains(shown, vs[0].BaseCode) {
		t.Fatalf("the result does not name the changed item %s:\n%s", vs[0].BaseCode, shown)
	}
	time.Sleep(3 * time.Second)
	still := textOf(t, ctx, "#excel-result")
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if still != shown || !strings.HasSuffix(loc, "/catalog/excel") {
		t.Fatalf("three seconds later the page is %s and its result:\n%s", loc, still)
	}
	if _, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#excel-result form[action$="/adjustment"] button`))); err != nil {
		t.Fatalf("the form that makes the draft is gone: %v", err)
	}
}
