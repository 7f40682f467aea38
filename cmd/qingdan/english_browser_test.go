package main

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/web/browsertest"
)

// rawValues are the enumerated values a page must not show untranslated in
// English: the Chinese names of categories, stages, change kinds,
// standings, case types, roles and time limits, and the codes of time
// units. (党政办 is left out: it is also a unit's name, which is data.)
func rawValues() (exact []string, pattern *regexp.Regexp) {
	for _, c := range catalog.Categories {
		exact = append(exact, c.Zh)
	}
	for _, s := range []catalog.Stage{catalog.StageDrafting, catalog.StageSigned, catalog.StageOfficeReviewed, catalog.StageApproved,
		catalog.StagePublished, catalog.StageReturned, catalog.StageWithdrawn} {
		exact = append(exact, s.In("zh"))
	}
	for _, k := range []catalog.AdjustmentKind{catalog.AddItem, catalog.ChangeItem, catalog.SuspendItem, catalog.ReenableItem, catalog.CancelItem} {
		exact = append(exact, k.In("zh"))
	}
	for _, s := range []catalog.Standing{catalog.Listed, catalog.Suspended, catalog.Cancelled} {
		exact = append(exact, s.In("zh"))
	}
	for _, r := range access.AllRoles {
		if zh := org.RoleZh(r); zh != "" && zh != "党政办" {
			exact = append(exact, zh)
		}
	}
	exact = append(exact, "承诺件", "即办件", "当场办结")
	return exact, regexp.MustCompile(`^\d+\s*(个工作日|个自然日|工作日|自然日|小时)$|\b(working|natural)_days\b`)
}

// snake finds snake_case words: codes leaking where words belong.
var snake = regexp.MustCompile(`\b[a-z][a-z0-9]*(_[a-z0-9]+)+\b`)

// pageText is what a page shows: the main text, its leaf elements' texts
// (values stand alone in a cell, a dd, a span) and how wide it is.
type pageText struct {
	Lang   string   `json:"lang"`
	Main   string   `json:"main"`
	Leaves []string `json:"leaves"`
	Width  int      `json:"width"`
}

const readPage = `(() => {
  const main = document.querySelector("main") || document.body;
  const leaves = [...main.querySelectorAll("*")].filter(e => e.children.length === 0 && e.offsetParent !== null)
    .map(e => e.textContent.trim()).filter(s => s);
  return {lang: document.documentElement.lang, main: main.innerText, leaves, width: document.documentElement.scrollWidth};
})()`

// TestBrowser_englishPagesShowNoRawValuesAndFitAPhone (issue #13 item 8):
// a browser asking for English, 375 px wide, walks the public pages and,
// as the district's administrator and list liaison and the street's
// liaison, the staff pages of the list, the organisation, accounts and
// calendar. No page shows a snake_case code (logins aside) or a Chinese
// enumerated value standing alone, and none is wider than the phone.
func TestBrowser_englishPagesShowNoRawValuesAndFitAPhone(t *testing.T) {
	tab := browsertest.New(t, 375, 800, chromedp.Flag("lang", "en-US"), chromedp.Flag("accept-lang", "en-US"))
	a, srv := demoApp(t)
	if err := chromedp.Do(tab); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var item, body, adjustment int64
	if err := a.db.QueryRow(ctx, `SELECT i.id, i.body_id FROM catalog_items i WHERE i.name = '最低生活保障待遇认定' ORDER BY i.id LIMIT 1`).Scan(&item, &body); err != nil {
		t.Fatal(err)
	}
	if err := a.db.QueryRow(ctx, `SELECT MIN(id) FROM catalog_adjustments`).Scan(&adjustment); err != nil {
		t.Fatal(err)
	}
	exact, pattern := rawValues()
	logins := map[string]bool{}
	for _, d := range org.DemoAccounts() {
		logins[d.Login] = true
	}
	check := func(who string, ctx context.Context, path string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+path), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
			t.Fatalf("%s %s: %v", who, path, err)
		}
		p, err := chromedp.Run(ctx, chromedp.Evaluate[pageText](readPage))
		if err != nil {
			t.Fatalf("%s %s: %v", who, path, err)
		}
		if p.Lang != "en" {
			t.Errorf("%s %s is in %q, not English", who, path, p.Lang)
		}
		for _, w := range snake.FindAllString(p.Main, -1) {
			if !logins[w] {
				t.Errorf("%s %s shows the code %q", who, path, w)
			}
		}
		for _, l := range p.Leaves {
			if slices.Contains(exact, l) || pattern.MatchString(l) {
				t.Errorf("%s %s shows %q untranslated", who, path, l)
			}
		}
		if p.Width > 375 {
			wide, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > 376).slice(0, 5).map(e => e.tagName + "." + e.className + "#" + e.id + " " + Math.round(e.getBoundingClientRect().right))`))
			t.Errorf("%s %s is %d px wide on a 375 px phone: %v", who, path, p.Width, wide)
		}
	}
	public := []string{"/", "/portal", "/portal/search?q=%E4%BD%8E%E4%BF%9D", "/portal/search?q=dibao",
		fmt.Sprintf("/portal/items/%d", item), fmt.Sprintf("/portal/items/%d/guide", item),
		fmt.Sprintf("/portal/bodies/%d", body), fmt.Sprintf("/portal/bodies/%d/changes", body), "/transparency", "/login"}
	anon, cancel := chromedp.NewContext(tab, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(anon, chromedp.EmulateViewport(375, 800, chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	for _, p := range public {
		check("the public", anon, p)
	}
	staff := []string{"/", "/catalog", fmt.Sprintf("/catalog/items/%d", item), "/catalog/adjustments",
		fmt.Sprintf("/catalog/adjustments/%d", adjustment), fmt.Sprintf("/catalog/adjustments/%d", adjustment+2), "/catalog/reviews",
		"/catalog/reform-groups", "/admin/org", fmt.Sprintf("/admin/org/bodies/%d", body), "/admin/org/staff", "/admin/accounts",
		"/account/tokens", "/admin/calendar", "/inbox"}
	for _, login := range []string{"admin", "liaison1", "qingshan_liaison"} {
		s := session(t, tab, srv.URL, login, 375)
		for _, p := range staff {
			check(login, s, p)
		}
	}
}
