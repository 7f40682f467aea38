package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/web/browsertest"
)

// TestBrowser_H7_applyOnlineToCompletion (issue #14 "Done when") in a real
// browser against the wired application and its demo: the public applies
// online for 食品经营许可 on a phone with scripts off, with one material, and
// is shown the case number and query code; window1 sends the one-time
// notice of the missing ones (H3), which the applicant hands in online;
// window1 accepts it, transfers it to 市场监管所 (H6: the list names
// 食品经营监管科, whose staff have no demo login) and hands it over;
// liaison1 of that unit receives it, approves it and hands it back; window1
// completes it and notifies the applicant; the applicant follows it to the
// end by number and code, the name masked.
func TestBrowser_H7_applyOnlineToCompletion(t *testing.T) {
	a, srv := demoApp(t)
	tab := browsertest.New(t, 1280, 900) // after the demo: the tab's 90 s are for the walk
	var itemID int64
	if err := a.db.QueryRow(context.Background(), `SELECT i.id FROM catalog_items i JOIN bodies b ON b.id = i.body_id
		WHERE b.code = '330199' AND i.name = '食品经营许可'`).Scan(&itemID); err != nil {
		t.Fatalf("食品经营许可 on the demo list: %v", err)
	}
	if err := chromedp.Do(tab); err != nil {
		t.Fatal(err)
	}
	newSession := func() context.Context {
		ctx, cancel := chromedp.NewContext(tab, chromedp.WithNewBrowserContext())
		t.Cleanup(cancel)
		return ctx
	}
	// The public: a phone, no scripts.
	public := newSession()
	noScript := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	})
	if err := chromedp.Do(public,
		chromedp.EmulateViewport(375, 812),
		noScript,
		chromedp.Navigate(fmt.Sprintf("%s/portal/items/%d", srv.URL, itemID)),
		chromedp.WaitVisible(chromedp.CSS(`#apply-link`)),
		chromedp.Click(chromedp.CSS(`#apply-link`)),
		chromedp.WaitVisible(chromedp.CSS(`#apply-form`)),
		chromedp.SendKeys(chromedp.CSS(`#name`), "张三"),
		chromedp.SendKeys(chromedp.CSS(`#resident_id`), "11010519491231002X"),
		chromedp.SendKeys(chromedp.CSS(`#phone`), "13800138000"),
	); err != nil {
		t.Fatalf("the public opens the application form: %v", err)
	}
	// One material handed in: the window will ask for the rest at once (H3).
	if err := chromedp.Do(public, chromedp.Click(chromedp.CSS(`#apply-form input[name="materials"]`))); err != nil {
		t.Fatalf("the materials: %v", err)
	}
	if err := chromedp.Do(public, chromedp.Submit(chromedp.CSS(`#name`)), chromedp.WaitVisible(chromedp.CSS(`#query-code`))); err != nil {
		t.Fatalf("the public submits: %v", err)
	}
	number, err := chromedp.Run(public, chromedp.Text(chromedp.CSS(`#case-number`)))
	if err != nil {
		t.Fatal(err)
	}
	code, err := chromedp.Run(public, chromedp.Text(chromedp.CSS(`#query-code`)))
	if err != nil {
		t.Fatal(err)
	}
	number = strings.TrimSpace(number[strings.LastIndexAny(number, "：: ")+1:])
	code = strings.TrimSpace(code)
	if !strings.HasPrefix(number, "330199-") || len(code) < 8 {
		t.Fatalf("case number %q, query code %q", number, code)
	}
	// At phone width nothing is wider than the screen.
	if width, err := chromedp.Run(public, chromedp.Evaluate[int64](`document.documentElement.scrollWidth`)); err != nil {
		t.Fatal(err)
	} else if width > 375 {
		t.Errorf("the answer is %d px wide on a 375 px phone", width)
	}

	casePage := srv.URL + "/cases/" + number
	staff := func(login string) context.Context {
		ctx := newSession()
		if err := chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/login"),
			chromedp.WaitVisible(chromedp.CSS(`#login`)),
			chromedp.SendKeys(chromedp.CSS(`#login`), login),
			chromedp.SendKeys(chromedp.CSS(`#password`), org.DemoPassword),
			chromedp.Submit(chromedp.CSS(`#password`)),
			chromedp.WaitNotPresent(chromedp.CSS(`#password`)),
			chromedp.Navigate(casePage),
			chromedp.WaitVisible(chromedp.CSS(`#timeline`)),
		); err != nil {
			t.Fatalf("%s opens the case: %v", login, err)
		}
		return ctx
	}
	// act submits the action's form on the case page (after fill) and
	// waits for the page to offer the next one.
	// The answer is known by the timeline's new entry (the page before
	// the action has the same forms and notices).
	act := func(ctx context.Context, who, action, next string, fill ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		entries, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSSAll(`#timeline > li`)))
		if err != nil {
			t.Fatal(err)
		}
		steps := append([]chromedp.Action[chromedp.Void]{chromedp.WaitVisible(chromedp.CSS(`#act-` + action))}, fill...)
		steps = append(steps, chromedp.Click(chromedp.CSS(`#act-`+action+` button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#timeline > li:nth-child(%d)`, len(entries)+1))),
			chromedp.WaitVisible(chromedp.CSS(next)))
		step, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		if err := chromedp.Do(step, steps...); err != nil {
			page, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`body`)))
			t.Fatalf("%s: %s: %v\n%s", who, action, err, page)
		}
	}
	window := staff("window1")
	act(window, "window1", "request_supplement", `#status`)

	// The applicant hands the missing materials in online: the one-time
	// notice's list, every box checked.
	follow := func(wait string) {
		t.Helper()
		if err := chromedp.Do(public,
			chromedp.Navigate(srv.URL+"/portal"),
			chromedp.WaitVisible(chromedp.CSS(`#follow-link`)),
			chromedp.Click(chromedp.CSS(`#follow-link`)),
			chromedp.WaitVisible(chromedp.CSS(`#follow-form`)),
			chromedp.SendKeys(chromedp.CSS(`#number`), number),
			chromedp.SendKeys(chromedp.CSS(`#code`), code),
			chromedp.Submit(chromedp.CSS(`#code`)),
			chromedp.WaitVisible(chromedp.CSS(wait)),
		); err != nil {
			page, _ := chromedp.Run(public, chromedp.Text(chromedp.CSS(`body`)))
			t.Fatalf("the applicant follows the case: %v\n%s", err, page)
		}
	}
	follow(`#supplement-form`)
	if err := chromedp.Do(public,
		chromedp.Click(chromedp.CSS(`#supplement-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`p.notice[role="status"]`)),
	); err != nil {
		t.Fatalf("the applicant supplements: %v", err)
	}

	if err := chromedp.Do(window, chromedp.Navigate(casePage), chromedp.WaitVisible(chromedp.CSS(`#timeline`))); err != nil {
		t.Fatal(err)
	}
	act(window, "window1", "accept", `#act-transfer`)
	act(window, "window1", "transfer", `#act-hand_over`, chromedp.SetValue(chromedp.CSS(`#transfer-unit`), "SCJG"))
	act(window, "window1", "hand_over", `#status`)

	unit := staff("liaison1")
	act(unit, "liaison1", "receive", `#act-decide`)
	act(unit, "liaison1", "decide", `#act-hand_back`,
		chromedp.SetValue(chromedp.CSS(`#decide-outcome`), "approved"),
		chromedp.SendKeys(chromedp.CSS(`#decide-opinion`), "符合食品经营许可条件"))
	act(unit, "liaison1", "hand_back", `#status`)

	if err := chromedp.Do(window, chromedp.Navigate(casePage), chromedp.WaitVisible(chromedp.CSS(`#timeline`))); err != nil {
		t.Fatal(err)
	}
	// The applicant is notified when the completion SMS is delivered (H7,
	// caseworkdb's delivery consumer): the button waits for it.
	act(window, "window1", "complete", `#act-notify`)

	follow(`#done`)
	text := func(sel string) string {
		s, err := chromedp.Run(public, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("%s: %v", sel, err)
		}
		return s
	}
	status, applicant, timeline := text(`#status`), text(`#applicant`), text(`#timeline`)
	if !strings.Contains(status, "已办结") && !strings.Contains(status, "completed") {
		t.Errorf("the applicant sees status %q", status)
	}
	if strings.Contains(applicant, "张三") || !strings.Contains(applicant, "张") {
		t.Errorf("the applicant's name shows as %q, want it masked (L7)", applicant)
	}
	if n := strings.Count(timeline, "\n") + 1; n < 9 {
		t.Errorf("the timeline has %d entries: %q", n, timeline)
	}
}
