package main

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/web/browsertest"
)

// session logs a demo account in, in a browser context of its own (its own
// cookies) inside tab, and leaves it on the home page. A new context's
// window has the browser's default size, so a phone's width is emulated
// when asked (phone > 0, in CSS pixels).
func session(t *testing.T, tab context.Context, base, login string, phone ...int64) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(tab, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if len(phone) > 0 {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(phone[0], 800, chromedp.EmulateMobile)); err != nil {
			t.Fatal(err)
		}
	}
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
		chromedp.SetValue(chromedp.CSS(`#title`), title), // the form pre-fills a title: replace it
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

// pageWidth is how wide the page's content is, to compare with the
// window: wider means the reader must scroll sideways.
func pageWidth(t *testing.T, ctx context.Context) int {
	t.Helper()
	w, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// TestCatalogBrowser_C5_C6_conflictingReviewNeedsApprovalToStayUnchanged
// (issue #13 item 5), on a phone (375 px): the street's liaison 邓雪 finds
// the district's review task on her to-do list; the reviews page names the
// body and the missing material in words, within the phone's width, and
// offers no "no adjustment needed" for a task that conflicts (只增不减) —
// only an adjustment or a reasoned request, which then waits for the
// district's reform office; 孙建国 approves it from his to-do list and the
// task is closed with the approval on record. The district's liaison sees
// each task once, with its body.
func TestCatalogBrowser_C5_C6_conflictingReviewNeedsApprovalToStayUnchanged(t *testing.T) {
	tab := browsertest.New(t, 375, 800, chromedp.Flag("lang", "zh-CN"), chromedp.Flag("accept-lang", "zh-CN"))
	_, srv := demoApp(t)
	if err := chromedp.Do(tab); err != nil {
		t.Fatal(err)
	}
	street := session(t, tab, srv.URL, "qingshan_liaison", 375)
	if todo := textOf(t, street, `section.todo`); !strings.Contains(todo, "下级清单审查") || !strings.Contains(todo, "最低生活保障待遇认定") || !strings.Contains(todo, "工作日") {
		t.Fatalf("邓雪's to-do list %q lacks the review with its due date in working days", todo)
	}
	if err := chromedp.Do(street,
		chromedp.Click(chromedp.Search(`//section[contains(@class,"todo")]//a[contains(.,"最低生活保障待遇认定")]`)),
		chromedp.WaitVisible(chromedp.CSS(`li.card`)),
	); err != nil {
		t.Fatal(err)
	}
	card := textOf(t, street, `li.card`)
	if !strings.Contains(card, "青山街道") || !strings.Contains(card, "申请材料") || !strings.Contains(card, "申请人诚信承诺书") || strings.Contains(card, "items[") {
		t.Fatalf("the task %q does not name the body and the conflict in words", card)
	}
	pres, err := chromedp.Run(street, chromedp.Evaluate[int](`document.querySelectorAll("main pre").length`))
	if err != nil {
		t.Fatal(err)
	}
	closes, err := chromedp.Run(street, chromedp.Evaluate[int](`document.querySelectorAll("form[action$='/done']").length`))
	if err != nil {
		t.Fatal(err)
	}
	if pres != 0 || closes != 0 {
		t.Fatalf("%d <pre>, %d forms closing a conflicting task without an adjustment", pres, closes)
	}
	if w := pageWidth(t, street); w > 375 {
		t.Fatalf("the reviews page is %d px wide on a 375 px phone", w)
	}
	if err := chromedp.Do(street,
		chromedp.SendKeys(chromedp.CSS(`li.card textarea[name="reason"]`), "低保申请由区民政局统一收取诚信承诺书"),
		chromedp.Click(chromedp.CSS(`form[action$="/exempt"] button`)),
		chromedp.WaitVisible(chromedp.Search(`//li[contains(@class,"card")]//p[contains(.,"待上级改革办批准")]`)),
	); err != nil {
		t.Fatalf("邓雪 asks to leave it unchanged: %v", err)
	}
	if next := textOf(t, street, `li.card dd.next-actor`); !strings.Contains(next, "孙建国") {
		t.Fatalf("waiting for %q, want the reform office's 孙建国", next)
	}

	reform := session(t, tab, srv.URL, "reform1")
	if todo := textOf(t, reform, `section.todo`); !strings.Contains(todo, "暂不调整待批准") || !strings.Contains(todo, "青山街道") {
		t.Fatalf("孙建国's to-do list %q lacks the request", todo)
	}
	if err := chromedp.Do(reform,
		chromedp.Click(chromedp.Search(`//section[contains(@class,"todo")]//a[contains(.,"青山街道")]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/decide"]`)),
		chromedp.Click(chromedp.CSS(`form[action$="/decide"] button[value="approve"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`form[action$="/decide"]`)),
	); err != nil {
		t.Fatalf("孙建国 approves: %v", err)
	}
	closed := textOf(t, reform, `li.card`)
	if !strings.Contains(closed, "上级改革办批准") || !strings.Contains(closed, "低保申请由区民政局统一收取诚信承诺书") ||
		!strings.Contains(closed, "邓雪") || !strings.Contains(closed, "孙建国") || strings.Contains(closed, "reform1") {
		t.Fatalf("the closed task %q does not record the reason, who asked and who approved, by name", closed)
	}

	district := session(t, tab, srv.URL, "liaison1")
	if err := chromedp.Do(district, chromedp.Navigate(srv.URL+"/catalog/reviews"), chromedp.WaitVisible(chromedp.CSS(`li.card`))); err != nil {
		t.Fatal(err)
	}
	bodies, err := chromedp.Run(district, chromedp.Evaluate[[]string](`[...document.querySelectorAll("li.card")].map(c => c.querySelector("dd.review-body").textContent + " " + c.querySelector("h2").textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, b := range bodies {
		if seen[b] {
			t.Errorf("task %q listed twice", b)
		}
		seen[b] = true
	}
	if len(bodies) != 2 || !strings.Contains(strings.Join(bodies, ","), "溪口镇") {
		t.Fatalf("the district's liaison sees %q, want the street's and the town's task", bodies)
	}
}

// TestOrgBrowser_adminPagesNameFieldsAndConfirmDestruction (issue #13 item
// 9): the district administrator opens a community's page: no internal
// fields (time zone, path) are shown; an empty unit form, sent as a browser
// without validation would, names both missing fields; deactivating is in
// a danger zone styled unlike creating, and is done only once confirmed.
func TestOrgBrowser_adminPagesNameFieldsAndConfirmDestruction(t *testing.T) {
	tab := browsertest.New(t, 1280, 1400, chromedp.Flag("lang", "zh-CN"), chromedp.Flag("accept-lang", "zh-CN"))
	a, srv := demoApp(t)
	if err := chromedp.Do(tab); err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := a.db.QueryRow(context.Background(), `SELECT id FROM bodies WHERE code = '330199001002'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	admin := session(t, tab, srv.URL, "admin")
	bodyPage := srv.URL + "/admin/org/bodies/" + strconv.FormatInt(id, 10)
	if err := chromedp.Do(admin, chromedp.Navigate(bodyPage), chromedp.WaitVisible(chromedp.CSS(`#edit`))); err != nil {
		t.Fatal(err)
	}
	if shown, err := chromedp.Run(admin, chromedp.Evaluate[string](`document.querySelector("main").innerText`)); err != nil || strings.Contains(shown, "路径") || strings.Contains(shown, "Asia/Shanghai") || strings.Contains(shown, "/1/") {
		t.Fatalf("internal fields shown (%v): %q", err, shown)
	}
	// Sent empty, as a browser that ignores required would.
	if _, err := chromedp.Run(admin, chromedp.Evaluate[bool](`document.querySelectorAll('form[action="/admin/org/units"] [required]').forEach(e => e.removeAttribute("required")); true`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(admin,
		chromedp.Click(chromedp.CSS(`form[action="/admin/org/units"] button`)),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(.,"名称：必填")]`)),
	); err != nil {
		t.Fatalf("the empty unit form: %v; page %s", err, textOf(t, admin, "main"))
	}
	if page := textOf(t, admin, "main"); !strings.Contains(page, "编码：必填") {
		t.Fatalf("the empty unit form's answer %q does not name the code", page)
	}

	if err := chromedp.Do(admin, chromedp.Navigate(bodyPage), chromedp.WaitVisible(chromedp.CSS(`details.danger-zone`))); err != nil {
		t.Fatal(err)
	}
	colours, err := chromedp.Run(admin, chromedp.Evaluate[[]string](`[getComputedStyle(document.querySelector('details.danger-zone button')).backgroundColor,
		getComputedStyle(document.querySelector('form[action="/admin/org/units"] button')).backgroundColor]`))
	if err != nil || colours[0] == colours[1] {
		t.Fatalf("deactivate and create look alike: %v %v", colours, err)
	}
	visible, err := chromedp.Run(admin, chromedp.Evaluate[bool](`document.querySelector('details.danger-zone button').checkVisibility()`))
	if err != nil || visible {
		t.Fatalf("the deactivate button shows before the danger zone is opened (%v)", err)
	}
	if err := chromedp.Do(admin,
		chromedp.Click(chromedp.CSS(`details.danger-zone summary`)),
		chromedp.Click(chromedp.CSS(`details.danger-zone input[name="confirm"]`)),
		chromedp.Click(chromedp.CSS(`details.danger-zone button`)),
		chromedp.WaitVisible(chromedp.Search(`//h1[contains(.,"已停用")]`)),
	); err != nil {
		t.Fatalf("deactivating once confirmed: %v; page %s", err, textOf(t, admin, "main"))
	}
}
