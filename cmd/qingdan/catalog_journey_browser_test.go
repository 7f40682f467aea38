package main

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/web/browsertest"
)

// session logs a demo account in, in a browser context of its own (its own
// cookies) inside tab, and leaves it on the home page.
func session(t *testing.T, tab context.Context, base, login string) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(tab, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#login`)),
		chromedp.SendKeys(chromedp.CSS(`#login`), login),
		chromedp.SendKeys(chromedp.CSS(`#password`), org.DemoPassword),
		chromedp.Submit(chromedp.CSS(`#password`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#password`)),
	); err != nil {
		t.Fatalf("%s logs in: %v", login, err)
	}
	return ctx
}

// textOf is the text of the first element matching sel.
func textOf(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// TestCatalogBrowser_C3_liaisonsDraftReachesTheHeadAndTheOffice (issue #13
// item 3): liaison1 (何静, 市场监管所) drafts an adjustment in the real
// pages; its page says the unit head 马骏 must sign next. 马骏 logs in with
// his demo account, finds it on his home page's to-do list, follows it and
// signs; the page then names the general office, and 周文 (office1) finds
// it on her to-do list for the initial review. On the code before, the
// head had no login and no page said who acted next.
func TestCatalogBrowser_C3_liaisonsDraftReachesTheHeadAndTheOffice(t *testing.T) {
	tab := browsertest.New(t, 1280, 1400, chromedp.Flag("lang", "zh-CN"), chromedp.Flag("accept-lang", "zh-CN"))
	_, srv := demoApp(t)
	if err := chromedp.Do(tab); err != nil {
		t.Fatal(err)
	}
	const title = "暂停事项的演示调整"

	liaison := session(t, tab, srv.URL, "liaison1")
	if err := chromedp.Do(liaison,
		chromedp.Navigate(srv.URL+"/catalog/adjustments/new?kind=suspend&item=36"),
		chromedp.WaitVisible(chromedp.CSS(`#title`)),
		chromedp.SendKeys(chromedp.CSS(`#title`), title),
		chromedp.SendKeys(chromedp.CSS(`#basis_title`), "青山区清单运行情况评估报告"),
		chromedp.SetValue(chromedp.CSS(`#basis_issued`), "2026-11-30"),
		chromedp.SendKeys(chromedp.CSS(`#note`), "近三年未发生,暂停办理"),
		chromedp.Submit(chromedp.CSS(`#title`)),
		chromedp.WaitVisible(chromedp.CSS(`dd.next-actor`)),
	); err != nil {
		t.Fatalf("liaison1 drafts: %v", err)
	}
	if next := textOf(t, liaison, `dd.next-actor`); !strings.Contains(next, "单位负责人") || !strings.Contains(next, "马骏") {
		t.Fatalf("the draft's page says next %q, want the unit head 马骏", next)
	}

	head := session(t, tab, srv.URL, "head_scjg")
	todo := textOf(t, head, `section.todo`)
	if !strings.Contains(todo, title) || !strings.Contains(todo, "待签字") {
		t.Fatalf("马骏's to-do list %q lacks the draft to sign", todo)
	}
	if err := chromedp.Do(head,
		chromedp.Click(chromedp.Search(`//section[contains(@class,"todo")]//a[text()="`+title+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`dd.next-actor`)),
	); err != nil {
		t.Fatalf("马骏 follows his to-do list: %v", err)
	}
	if err := chromedp.Do(head,
		chromedp.Click(chromedp.CSS(`form:has(input[name="kind"][value="sign"]) button`)),
		chromedp.WaitVisible(chromedp.Search(`//dd[contains(@class,"next-actor")][contains(.,"党政办")]`)),
	); err != nil {
		t.Fatalf("马骏 signs from his to-do list: %v; the page: %s", err, textOf(t, head, `main`))
	}
	if next := textOf(t, head, `dd.next-actor`); !strings.Contains(next, "党政办") || !strings.Contains(next, "周文") {
		t.Fatalf("after signing the page says next %q, want the general office with 周文", next)
	}
	if todo := textOf(t, head, `main`); strings.Contains(todo, "待签字") {
		t.Errorf("still offered to sign: %q", todo)
	}

	office := session(t, tab, srv.URL, "office1")
	if todo := textOf(t, office, `section.todo`); !strings.Contains(todo, title) || !strings.Contains(todo, "待初审") {
		t.Fatalf("周文's to-do list %q lacks the signed adjustment", todo)
	}
}
