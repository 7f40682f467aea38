package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/casework/caseworkdb"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/rating"
	"github.com/qingdan/qingdan/internal/rating/ratingdb"
	"github.com/qingdan/qingdan/internal/web/browsertest"
)

// completedCase registers a 食品经营许可 case at 便民服务中心's window with
// every material, and walks it through 市场监管所 to completion now; it
// answers the number and query code.
func completedCase(t *testing.T, a *app, applicant string) (string, string) {
	t.Helper()
	ctx := context.Background()
	who := func(login string) access.Principal {
		p, err := principalOf(ctx, a.db, login)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	var code string
	var body int64
	if err := a.db.QueryRow(ctx, `SELECT i.impl_code, b.id FROM catalog_items i JOIN bodies b ON b.id = i.body_id
		WHERE b.code = '330199' AND i.name = '食品经营许可'`).Scan(&code, &body); err != nil {
		t.Fatal(err)
	}
	_, it, err := a.cases.Listed(ctx, body, code)
	if err != nil {
		t.Fatal(err)
	}
	var materials []string
	for _, m := range it.Materials {
		materials = append(materials, m.Name)
	}
	o, err := a.cases.Open(ctx, who("window1"), caseworkdb.Application{Item: code, Materials: materials,
		Applicant: casework.Applicant{Kind: casework.Person, Name: applicant, ResidentID: "11010519491231002X", Phone: "13800138000"}}, "")
	if err != nil {
		t.Fatal(err)
	}
	n := o.Case.Number
	for _, s := range []struct {
		who string
		a   casework.Action
	}{
		{"window1", casework.Action{ID: "accept"}},
		{"window1", casework.Action{ID: "transfer", Unit: casework.Unit{Code: "SCJG", Name: "市场监管所"}}},
		{"window1", casework.Action{ID: "hand_over"}},
		{"liaison1", casework.Action{ID: "receive"}},
		{"liaison1", casework.Action{ID: "decide", Outcome: "approved", Opinion: "符合条件"}},
		{"liaison1", casework.Action{ID: "hand_back"}},
		{"window1", casework.Action{ID: "complete"}},
	} {
		if _, err := a.cases.Act(ctx, who(s.who), n, 0, s.a); err != nil {
			t.Fatalf("%s: %v", s.a.ID, err)
		}
	}
	return n, o.QueryCode
}

// TestRatingsBrowser_L8_S7_kioskPublicPageAndSurvey (issue #17 item 6): window1
// starts the rating device of 便民服务中心窗口; on the tablet, with no login
// and no scripts, an applicant rates the case completed for them today
// with one big button, and a second rating of it is refused; another
// applicant rates their case from its public page (number and query
// code) as dissatisfied, which opens a callback the unit sees; the public
// statistics count both, naming no one. Then (S7) supervisor1 sends a
// satisfaction survey and the applicant answers it once from its link.
func TestRatingsBrowser_L8_S7_kioskPublicPageAndSurvey(t *testing.T) {
	a, srv := demoApp(t)
	first, _ := completedCase(t, a, "张三")
	second, code := completedCase(t, a, "李四")
	tab := browsertest.New(t, 1280, 900, chromedp.Flag("lang", "zh-CN"), chromedp.Flag("accept-lang", "zh-CN"))
	if err := chromedp.Do(tab); err != nil {
		t.Fatal(err)
	}
	session := func() context.Context {
		ctx, cancel := chromedp.NewContext(tab, chromedp.WithNewBrowserContext())
		t.Cleanup(cancel)
		// The first action opens the tab, which lives as long as the
		// context it ran in: this one, not a step's.
		if err := chromedp.Do(ctx); err != nil {
			t.Fatal(err)
		}
		return ctx
	}
	do := func(ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		step, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(step, actions...); err != nil {
			page, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`body`)))
			t.Fatalf("%s: %v\n%s", what, err, page)
		}
	}
	text := func(ctx context.Context, sel string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		s, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("%s: %v", sel, err)
		}
		return s
	}
	staff := session()
	do(staff, "window1 logs in",
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#login")),
		chromedp.SendKeys(chromedp.CSS("#login"), "window1"),
		chromedp.SendKeys(chromedp.CSS("#password"), org.DemoPassword),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitNotPresent(chromedp.CSS("#password")),
		chromedp.Navigate(srv.URL+"/ratings"),
		chromedp.Click(chromedp.CSS(`a[href="/ratings/kiosks"]`)),
		chromedp.WaitVisible(chromedp.CSS("#start-kiosk")),
		chromedp.Click(chromedp.CSS("#start-kiosk")),
		chromedp.WaitVisible(chromedp.CSS("#kiosk-address")))
	address := text(staff, "#kiosk-address")
	if !strings.HasPrefix(address, "/kiosk/") {
		t.Fatalf("kiosk address %q", address)
	}

	// The tablet: no login, no scripts, phone-ish width.
	tablet := session()
	noScript := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	})
	do(tablet, "the applicant rates at the kiosk",
		chromedp.EmulateViewport(600, 900), noScript,
		chromedp.Navigate(srv.URL+address),
		chromedp.WaitVisible(chromedp.CSS("#level-5")),
		chromedp.SendKeys(chromedp.CSS("#number"), first),
		chromedp.Click(chromedp.CSS("#level-5")),
		chromedp.WaitVisible(chromedp.CSS("#thanks")))
	do(tablet, "the next person rates the same case again",
		chromedp.Click(chromedp.CSS("#next")),
		chromedp.WaitVisible(chromedp.CSS("#level-1")),
		chromedp.SendKeys(chromedp.CSS("#number"), first),
		chromedp.SendKeys(chromedp.CSS("#comment"), "再评一次"),
		chromedp.Click(chromedp.CSS("#level-1")),
		chromedp.WaitVisible(chromedp.CSS(`div.errors`)))
	if got := text(tablet, "div.errors"); !strings.Contains(got, "已评价") {
		t.Fatalf("a second rating at the kiosk: %q", got)
	}

	// The public page of the second case, by number and query code.
	public := session()
	do(public, "the applicant rates from the case's public page",
		chromedp.EmulateViewport(375, 812), noScript,
		chromedp.Navigate(srv.URL+"/portal/cases"),
		chromedp.WaitVisible(chromedp.CSS("#follow-form")),
		chromedp.SendKeys(chromedp.CSS("#number"), second),
		chromedp.SendKeys(chromedp.CSS("#code"), code),
		chromedp.Submit(chromedp.CSS("#code")),
		chromedp.WaitVisible(chromedp.CSS("#rate-link")),
		chromedp.Click(chromedp.CSS("#rate-link")),
		chromedp.WaitVisible(chromedp.CSS("#rate-form")),
		chromedp.Click(chromedp.CSS(`#rate-form input[name="level"][value="2"]`)),
		chromedp.SendKeys(chromedp.CSS("#comment"), "等候时间太长，我的电话13800138000"),
		chromedp.Click(chromedp.CSS("#rate-submit")),
		chromedp.WaitVisible(chromedp.CSS("#thanks")))

	ctx := context.Background()
	unit, err := principalOf(ctx, a.db, "liaison1")
	if err != nil {
		t.Fatal(err)
	}
	due, err := a.ratings.List(ctx, unit, ratingdb.Filter{Callback: "due"})
	if err != nil || len(due) != 1 || due[0].Case != second || due[0].Level != rating.Dissatisfied {
		t.Fatalf("the unit's callbacks %+v %v", due, err)
	}
	// S7: supervisor1 sends a questionnaire; the applicant answers it from
	// the SMS link, no login, no scripts, once; the results count it.
	sup := session()
	do(sup, "supervisor1 sends a survey",
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#login")),
		chromedp.SendKeys(chromedp.CSS("#login"), "supervisor1"),
		chromedp.SendKeys(chromedp.CSS("#password"), org.DemoPassword),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitNotPresent(chromedp.CSS("#password")),
		chromedp.Navigate(srv.URL+"/ratings"),
		chromedp.Click(chromedp.CSS("#surveys-link")),
		chromedp.WaitVisible(chromedp.CSS("#survey-form")),
		chromedp.SendKeys(chromedp.CSS("#title"), "窗口服务满意度"),
		chromedp.SendKeys(chromedp.CSS("#questions"), "办事指南是否清楚？\n窗口人员态度如何？"),
		chromedp.Click(chromedp.CSS("#send-survey")),
		chromedp.WaitVisible(chromedp.CSS("#survey-counts")))
	var link string
	if err := a.db.QueryRow(ctx, `SELECT body FROM notify_outbox WHERE cause = 'rating.survey' ORDER BY id LIMIT 1`).Scan(&link); err != nil {
		t.Fatalf("the survey's SMS: %v", err)
	}
	link = link[strings.Index(link, "/survey/"):]
	do(public, "the applicant answers the survey",
		chromedp.Navigate(srv.URL+link),
		chromedp.WaitVisible(chromedp.CSS("#answer-form")),
		chromedp.Click(chromedp.CSS(`input[name="q0"][value="5"]`)),
		chromedp.Click(chromedp.CSS(`input[name="q1"][value="4"]`)),
		chromedp.Click(chromedp.CSS("#answer-submit")),
		chromedp.WaitVisible(chromedp.CSS("#thanks")),
		chromedp.Navigate(srv.URL+link),
		chromedp.WaitVisible(chromedp.CSS("#answered")))
	do(sup, "the results", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#survey-counts")))
	if got := text(sup, "#survey-counts"); !strings.Contains(got, "已回收 1 份") {
		t.Fatalf("survey counts %q", got)
	}

	do(public, "the public statistics",
		chromedp.Navigate(srv.URL+"/portal/ratings"),
		chromedp.WaitVisible(chromedp.CSS("#stats-all")))
	page := text(public, "main")
	if !strings.Contains(text(public, "#stats-all"), "2") || strings.Contains(page, "13800138000") ||
		strings.Contains(page, "张三") || strings.Contains(page, "李四") {
		t.Fatalf("the statistics page: %q", page)
	}
}
