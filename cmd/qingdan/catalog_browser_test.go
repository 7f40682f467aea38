package main

import (
	"context"
	"fmt"
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

// TestCatalogBrowser_C2_liaisonChangesAnItemInTheForm (issue #13 item 1):
// the district's liaison opens an item that has a material issued by a
// government office, asks for a change from the item's page, gives the
// basis document, adds a material row with the form's "add a row" button,
// fills it in as issued by a government office but forgets the office,
// and saves: the form comes back with the problem in words next to that
// material's source note; naming the office and saving again gives the
// draft, whose page shows the new material as the change. The earlier form
// refused the item's own data (its source notes had no field).
func TestCatalogBrowser_C2_liaisonChangesAnItemInTheForm(t *testing.T) {
	a, srv := demoApp(t)
	svc := catdb.New(a.db)
	list, err := svc.PublishedList(t.Context(), 1, catdb.ListFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var item catdb.Version
	for _, v := range list {
		for _, m := range v.Materials {
			if m.Source == catalog.FromGovernment && item.ItemID == 0 {
				item = v
			}
		}
	}
	if item.ItemID == 0 {
		t.Fatal("no district item has a material issued by a government office")
	}
	ctx := catalogTab(t, srv.URL, "liaison1")
	n := len(item.Materials) + 1 // the blank row, then the added one
	row := func(field string) string { return fmt.Sprintf(`[name="mat.%d.%s"]`, n, field) }
	if err := chromedp.Do(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/catalog/items/%d", srv.URL, item.ItemID)),
		chromedp.Click(chromedp.CSS(`a[href*="kind=change"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#basis_title`)),
		chromedp.SendKeys(chromedp.CSS(`#basis_title`), "清单运行情况报告"),
		chromedp.SetValue(chromedp.CSS(`#basis_issued`), "2026-11-20"),
		chromedp.Click(chromedp.CSS(`button[name="add"][value="materials"]`)),
		chromedp.WaitVisible(chromedp.CSS(row("name"))),
		chromedp.SendKeys(chromedp.CSS(row("name")), "授权委托书"),
		chromedp.SetValue(chromedp.CSS(row("source")), "government"),
		chromedp.Click(chromedp.CSS(`button[name="save"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#form-problems`)),
	); err != nil {
		t.Fatalf("the change form: %v", err)
	}
	// Shown again, the blank row the page had is gone: the new material
	// is number n.
	n--
	want := fmt.Sprintf("材料 %d「授权委托书」:由政府部门核发的材料须写明核发部门", n+1)
	if got := textOf(t, ctx, "#form-problems"); !strings.Contains(got, want) || strings.Contains(got, "materials[") {
		t.Fatalf("the problems say %q, want %q", got, want)
	}
	// Beside the control: in the material's own row.
	beside, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(fmt.Sprintf(`fieldset:has(> %s) .field-error`, row("source_note")))))
	if err != nil || !strings.Contains(beside, "须写明核发部门") {
		t.Fatalf("beside the source note: %q %v", beside, err)
	}
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(row("source_note")), "区市场监督管理局"),
		chromedp.Click(chromedp.CSS(`button[name="save"]`)),
		chromedp.WaitVisible(chromedp.CSS(`table.diff`)),
	); err != nil {
		t.Fatalf("saving again: %v", err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	added := textOf(t, ctx, "table.diff td.new ins")
	if !strings.Contains(loc, "/catalog/adjustments/") || !strings.Contains(added, "授权委托书") || !strings.Contains(added, "区市场监督管理局") {
		t.Fatalf("after saving: %s, the change shows %q", loc, added)
	}
}

// TestCatalogBrowser_C3_reviewersSeeWhatTheyApprove (issue #13 item 4):
// the district's reform office opens the demo's change that awaits its
// duty-list group and sees every changed element old beside new, everyone
// in the trace by name, and approve and return as different actions —
// return will not go without a reason; it approves with a comment. The
// district's published adjustment still shows what it changed, with the
// head who signed it (no login) by name.
// The public page of that item says in words what its newest version
// changed and shows it beside the one before; the hash stays under proof.
func TestCatalogBrowser_C3_reviewersSeeWhatTheyApprove(t *testing.T) {
	a, srv := demoApp(t)
	svc := catdb.New(a.db)
	adjs, err := svc.Adjustments(t.Context(), org.System, catdb.AdjustmentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var signed, published catdb.Adjustment
	for _, x := range adjs {
		switch {
		case x.Stage == catalog.StageOfficeReviewed && x.Changes[0].Kind == catalog.ChangeItem:
			signed = x
		case x.Stage == catalog.StagePublished && strings.Contains(x.Title, "诚信承诺书"):
			published = x
		}
	}
	if signed.ID == 0 || published.ID == 0 {
		t.Fatalf("the demo has no signed (%d) or published change (%d)", signed.ID, published.ID)
	}

	ctx := catalogTab(t, srv.URL, "reform1")
	page := fmt.Sprintf("%s/catalog/adjustments/%d", srv.URL, signed.ID)
	if err := chromedp.Do(ctx, chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`table.diff`))); err != nil {
		t.Fatalf("the signed adjustment: %v", err)
	}
	if rows, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`table.diff tbody`))); err != nil || strings.TrimSpace(rows) == "" {
		t.Fatalf("the comparison is empty: %q %v", rows, err)
	}
	trace := textOf(t, ctx, "main")
	if strings.Contains(trace, "staff:") {
		t.Fatalf("someone shows as staff:N on the page:\n%s", trace)
	}
	// Approve and return look different, and return needs its reason.
	styles, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("form.decision button")].map(b =>
		b.className + " " + getComputedStyle(b).backgroundColor + " " + getComputedStyle(b).borderStyle)`))
	if err != nil {
		t.Fatal(err)
	}
	var approve, ret string
	for _, s := range styles {
		switch {
		case strings.HasPrefix(s, "approve"):
			approve = s
		case strings.HasPrefix(s, "return"):
			ret = s
		}
	}
	if approve == "" || ret == "" || strings.TrimPrefix(approve, "approve") == strings.TrimPrefix(ret, "return") {
		t.Fatalf("the actions look alike: %q", styles)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form.decision.return button`))); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	if got, err := svc.Adjustment(t.Context(), org.System, signed.ID); err != nil || len(got.Trace) != len(signed.Trace) {
		t.Fatalf("a return without a reason went through: %v %v", got.Stage, err)
	}
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`form.decision.approve textarea`), "材料依据充分,同意报送"),
		chromedp.Click(chromedp.CSS(`form.decision.approve button`)),
	); err != nil {
		t.Fatalf("approving: %v", err)
	}
	time.Sleep(time.Second)
	if got := textOf(t, ctx, "main"); !strings.Contains(got, "材料依据充分,同意报送") || !strings.Contains(got, "孙建国") {
		t.Fatalf("the approval is not traced by name:\n%s", got)
	}

	// The published one, by the district's office, in a tab of its own.
	ctx = catalogTab(t, srv.URL, "office1")
	if err := chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("%s/catalog/adjustments/%d", srv.URL, published.ID)),
		chromedp.WaitVisible(chromedp.CSS(`table.diff`))); err != nil {
		t.Fatalf("the published adjustment: %v", err)
	}
	shown := textOf(t, ctx, "main")
	if !strings.Contains(shown, "申请人诚信承诺书") || strings.Contains(shown, "staff:") {
		t.Fatalf("the published adjustment's page:\n%s", shown)
	}
	var actors []string
	for _, tr := range published.Trace {
		actors = append(actors, tr.Actor)
	}
	names, err := svc.ActorNames(t.Context(), actors)
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range published.Trace {
		if !strings.Contains(shown, names[tr.Actor]) || names[tr.Actor] == "" {
			t.Fatalf("%s (%q) is not on the page by name", tr.Actor, names[tr.Actor])
		}
	}

	// The public page of the item, in a fresh session (anonymous).
	code := published.Changes[0].BaseCode
	detail, err := svc.Item(t.Context(), published.BodyID, code)
	if err != nil {
		t.Fatal(err)
	}
	pub := browsertest.New(t, 390, 844, chromedp.Flag("lang", "zh-CN"), chromedp.Flag("accept-lang", "zh-CN"))
	if err := chromedp.Do(pub, chromedp.Navigate(fmt.Sprintf("%s/portal/items/%d", srv.URL, detail.Item.ID)),
		chromedp.WaitVisible(chromedp.CSS(`#history`))); err != nil {
		t.Fatalf("the public item page: %v", err)
	}
	history := textOf(t, pub, `table.portal-table tbody tr[aria-current="true"]`)
	diff := textOf(t, pub, `table.diff`)
	if !strings.Contains(history, "申请材料") || !strings.Contains(history, "内容摘要") || !strings.Contains(diff, "申请人诚信承诺书") {
		t.Fatalf("the public history row %q, the comparison %q", history, diff)
	}
	hash, err := chromedp.Run(pub, chromedp.TextContent(chromedp.CSS(`table.portal-table tbody tr[aria-current="true"] code.hash-full`)))
	if err != nil || hash != detail.Current.ContentHash {
		t.Fatalf("the hash under proof %q %v, want %q", hash, err, detail.Current.ContentHash)
	}
}
