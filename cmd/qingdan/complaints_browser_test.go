package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/web/browsertest"
)

// TestBrowser_P1_P8_complainOnlineToTheAnswer (issue #17 "Done when") in a
// real browser against the wired application: a member of the public, on
// a phone with scripts off, files a complaint from the portal about 综合执法队
// and is shown the number and query code; office1 accepts it and names
// 孙建国 and 钱正 as investigators; each declares no conflict, 钱正 records
// the findings; office1 answers in writing; the complainant reads the
// answer with the number and code.
func TestBrowser_P1_P8_complainOnlineToTheAnswer(t *testing.T) {
	a, srv := demoApp(t)
	tab := browsertest.New(t, 1280, 900)
	staffID := func(name string) string {
		var id int64
		if err := a.db.QueryRow(context.Background(), `SELECT id FROM staff WHERE name = ?`, name).Scan(&id); err != nil {
			t.Fatalf("staff %s: %v", name, err)
		}
		return strconv.FormatInt(id, 10)
	}
	sun, qian := staffID("孙建国"), staffID("钱正")
	if err := chromedp.Do(tab); err != nil {
		t.Fatal(err)
	}
	newSession := func() context.Context {
		ctx, cancel := chromedp.NewContext(tab, chromedp.WithNewBrowserContext())
		t.Cleanup(cancel)
		return ctx
	}
	public := newSession()
	noScript := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	})
	if err := chromedp.Do(public,
		chromedp.EmulateViewport(375, 812),
		noScript,
		chromedp.Navigate(srv.URL+"/portal"),
		chromedp.WaitVisible(chromedp.CSS(`#complain-link`)),
		chromedp.Click(chromedp.CSS(`#complain-link`)),
		chromedp.WaitVisible(chromedp.CSS(`#complaint-form`)),
		chromedp.SetValue(chromedp.CSS(`#unit`), "ZHZF"),
		chromedp.SetValue(chromedp.CSS(`#ground`), "needless_documents"),
		chromedp.SendKeys(chromedp.CSS(`#facts`), "办理户外广告许可时，执法队要求提供已取消的房屋产权证明复印件。"),
		chromedp.SendKeys(chromedp.CSS(`#name`), "王五"),
		chromedp.SendKeys(chromedp.CSS(`#phone`), "13812345678"),
	); err != nil {
		t.Fatalf("the public opens the complaint form: %v", err)
	}
	if width, err := chromedp.Run(public, chromedp.Evaluate[int64](`document.documentElement.scrollWidth`)); err != nil {
		t.Fatal(err)
	} else if width > 375 {
		t.Errorf("the complaint form is %d px wide on a 375 px phone", width)
	}
	if err := chromedp.Do(public, chromedp.Click(chromedp.CSS(`#submit`)), chromedp.WaitVisible(chromedp.CSS(`#query-code`))); err != nil {
		page, _ := chromedp.Run(public, chromedp.Text(chromedp.CSS(`body`)))
		t.Fatalf("the public submits: %v\n%s", err, page)
	}
	number, err := chromedp.Run(public, chromedp.Text(chromedp.CSS(`#complaint-number`)))
	if err != nil {
		t.Fatal(err)
	}
	code, err := chromedp.Run(public, chromedp.Text(chromedp.CSS(`#query-code`)))
	if err != nil {
		t.Fatal(err)
	}
	number, code = strings.TrimSpace(number), strings.TrimSpace(code)
	if !strings.HasPrefix(number, "TS330199-") || len(code) != 8 {
		t.Fatalf("complaint number %q, query code %q", number, code)
	}

	page := srv.URL + "/complaints/" + number
	staff := func(login string) context.Context {
		ctx := newSession()
		if err := chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/login"),
			chromedp.WaitVisible(chromedp.CSS(`#login`)),
			chromedp.SendKeys(chromedp.CSS(`#login`), login),
			chromedp.SendKeys(chromedp.CSS(`#password`), org.DemoPassword),
			chromedp.Submit(chromedp.CSS(`#password`)),
			chromedp.WaitNotPresent(chromedp.CSS(`#password`)),
			chromedp.Navigate(page),
			chromedp.WaitVisible(chromedp.CSS(`#status`)),
		); err != nil {
			t.Fatalf("%s opens the complaint: %v", login, err)
		}
		return ctx
	}
	// act clicks button (after fill) and waits for the page after it.
	act := func(ctx context.Context, who, button, next string, fill ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		steps := append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(button))}, fill...)
		steps = append(steps, chromedp.Click(chromedp.CSS(button)), chromedp.WaitVisible(chromedp.CSS(`p.notice[role="status"]`)),
			chromedp.WaitVisible(chromedp.CSS(next)))
		step, cancel := context.WithTimeout(ctx, 15*time.Second)
		defer cancel()
		if err := chromedp.Do(step, steps...); err != nil {
			body, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`body`)))
			t.Fatalf("%s: %s: %v\n%s", who, button, err, body)
		}
	}
	office := staff("office1")
	act(office, "office1", `#accept`, `#assign-form`)
	act(office, "office1", `#assign`, `#investigators`,
		chromedp.Click(chromedp.CSS(`#assign-form input[value="`+sun+`"]`)),
		chromedp.Click(chromedp.CSS(`#assign-form input[value="`+qian+`"]`)))
	act(staff("reform1"), "reform1", `#declare`, `#investigators`)
	investigator := staff("supervisor1")
	act(investigator, "supervisor1", `#declare`, `#find-form`)
	act(investigator, "supervisor1", `#find`, `#investigators`,
		chromedp.SendKeys(chromedp.CSS(`#findings`), "经查，执法队确曾要求提供已取消的证明，投诉属实。"),
		chromedp.Click(chromedp.CSS(`#find-form input[name="verified"][value="yes"]`)),
		chromedp.Click(chromedp.CSS(`#find-form input[name="outcomes"][value="order_to_stop_and_remedy"]`)))
	act(office, "office1", `#answer-go`, `#answer`,
		chromedp.SendKeys(chromedp.CSS(`#text`), "经调查，您反映的问题属实，已责令综合执法队停止索要已取消的证明并整改。"))

	if err := chromedp.Do(public,
		chromedp.Navigate(srv.URL+"/portal"),
		chromedp.WaitVisible(chromedp.CSS(`#complaint-follow-link`)),
		chromedp.Click(chromedp.CSS(`#complaint-follow-link`)),
		chromedp.WaitVisible(chromedp.CSS(`#follow-form`)),
		chromedp.SendKeys(chromedp.CSS(`#number`), number),
		chromedp.SendKeys(chromedp.CSS(`#code`), code),
		chromedp.Submit(chromedp.CSS(`#code`)),
		chromedp.WaitVisible(chromedp.CSS(`#answer`)),
	); err != nil {
		body, _ := chromedp.Run(public, chromedp.Text(chromedp.CSS(`body`)))
		t.Fatalf("the complainant follows the complaint: %v\n%s", err, body)
	}
	answer, err := chromedp.Run(public, chromedp.Text(chromedp.CSS(`#answer`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(answer, "停止索要") {
		t.Errorf("the complainant reads %q", answer)
	}
	if body, err := chromedp.Run(public, chromedp.Text(chromedp.CSS(`body`))); err != nil || strings.Contains(body, "王五") {
		t.Errorf("O4: the follow-up page shows the complainant's name (%v)", err)
	}
	// P8: the written answer is a sealed, numbered document, masked (O4).
	if err := chromedp.Do(public, chromedp.Click(chromedp.CSS(`#answer-page`)), chromedp.WaitVisible(chromedp.CSS(`.seal`))); err != nil {
		t.Fatalf("the complainant opens the answer document: %v", err)
	}
	doc, err := chromedp.Run(public, chromedp.Text(chromedp.CSS(`body`)))
	if err != nil || !strings.Contains(doc, "投诉答复书") || !strings.Contains(doc, "审诉〔") || !strings.Contains(doc, "停止索要") || strings.Contains(doc, "王五") {
		t.Errorf("P8, O4: the answer document reads %q (%v)", doc, err)
	}
}
