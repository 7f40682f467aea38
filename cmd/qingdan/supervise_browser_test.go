package main

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/supervise/supervisedb"
	"github.com/qingdan/qingdan/internal/web/browsertest"
)

// TestSuperviseBrowser_S4_redCardOrderAnsweredAndClosed (issue #16 item
// 4): on the demo, after the first sweep, the supervisor sees red cards
// on the dashboard, follows the count to the cards of 综合执法队, issues
// an order from one; the unit's staff member answers it online; the
// supervisor accepts it, which closes the order and clears the card; then
// puts it on the rectification list, which the unit closes with evidence
// (S8); and an external supervisor's report lands on that list (S7) — all
// through the real pages, at phone width.
func TestSuperviseBrowser_S4_redCardOrderAnsweredAndClosed(t *testing.T) {
	ctx := browsertest.New(t, 400, 900, chromedp.Flag("lang", "zh-CN"), chromedp.Flag("accept-lang", "zh-CN"))
	a, srv := demoAppOn(t, "sqlite", func(c *serveConfig) { c.demoCases = 300 })
	withSupervision(t, a, srv) // an order through the API already: the browser issues a second
	sup, err := principalOf(context.Background(), a.db, "supervisor1")
	if err != nil {
		t.Fatal(err)
	}
	red, err := a.sup.Cards(context.Background(), sup, supervisedb.Filter{Level: "red", Unit: "ZHZF", BodyPath: sup.BodyPath})
	if err != nil || len(red) == 0 {
		t.Fatalf("no open red card of 综合执法队 after the first sweep (%v)", err)
	}
	card := red[0]
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	login := func(who string) {
		t.Helper()
		if _, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/login"),
			chromedp.WaitVisible(chromedp.CSS("#login")),
			chromedp.SendKeys(chromedp.CSS("#login"), who),
			chromedp.SendKeys(chromedp.CSS("#password"), org.DemoPassword),
			chromedp.Submit(chromedp.CSS("#password")),
			chromedp.WaitNotPresent(chromedp.CSS("#password")),
		); err != nil {
			t.Fatalf("login as %s: %v", who, err)
		}
	}

	login("supervisor1")
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/supervision"), chromedp.WaitVisible(chromedp.CSS("#totals"))); err != nil {
		t.Fatal(err)
	}
	if got := text("#totals"); !strings.Contains(got, "红牌") || strings.Contains(got, "红牌 0") {
		t.Fatalf("dashboard totals %q", got)
	}
	cards := srv.URL + "/supervision/cards?" + url.Values{"body": {card.BodyPath}, "unit": {"ZHZF"}, "level": {"red"}}.Encode()
	id := strconv.FormatInt(card.ID, 10)
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`a.red[href*="unit=ZHZF"]`)),
		chromedp.WaitVisible(chromedp.CSS("table.cards")),
		chromedp.Navigate(cards),
		chromedp.WaitVisible(chromedp.CSS("#matter"+id)),
		chromedp.SendKeys(chromedp.CSS("#matter"+id), "请于5个工作日内说明逾期原因并办结"),
		chromedp.Submit(chromedp.CSS("#matter"+id)),
		chromedp.WaitVisible(chromedp.CSS("#order-state")),
	); err != nil {
		t.Fatalf("issue the order: %v", err)
	}
	if got := text("#order-state"); got != "待答复" {
		t.Fatalf("issued order is %q", got)
	}
	orderURL, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	orderURL, _, _ = strings.Cut(orderURL, "?")

	login("unit1")
	if err := chromedp.Do(ctx,
		chromedp.Navigate(orderURL),
		chromedp.WaitVisible(chromedp.CSS("#measures")),
		chromedp.SendKeys(chromedp.CSS("#measures"), "已查明原因，今日办结并告知申请人"),
		chromedp.Click(chromedp.CSS("#answer")),
		chromedp.WaitVisible(chromedp.CSS("#order-state.state-answered")),
	); err != nil {
		t.Fatalf("the unit answers: %v", err)
	}
	if got := text("#order-state"); got != "已答复" {
		t.Fatalf("answered order is %q", got)
	}

	login("supervisor1")
	if err := chromedp.Do(ctx,
		chromedp.Navigate(orderURL),
		chromedp.WaitVisible(chromedp.CSS("#accept")),
		chromedp.SendKeys(chromedp.CSS("#text"), "同意办结"),
		chromedp.Click(chromedp.CSS("#accept")),
		chromedp.WaitVisible(chromedp.CSS("#order-state.state-closed")),
	); err != nil {
		t.Fatalf("the supervisor accepts: %v", err)
	}
	if got := text("#order-state"); got != "已办结" {
		t.Fatalf("closed order is %q", got)
	}
	after, err := a.sup.Cards(context.Background(), sup, supervisedb.Filter{Case: card.Case, All: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range after {
		if c.ID == card.ID && c.Open() {
			t.Fatal("the card is still open after its order was closed")
		}
	}

	// S8: the supervisor puts what the order found on the rectification
	// list (the deadline left to its default); the unit closes it with
	// evidence.
	if err := chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.CSS("#rectify")),
		chromedp.SetValue(chromedp.CSS("#problem"), "建立逾期办件周报制度"),
		chromedp.Click(chromedp.CSS("#rectify")),
		chromedp.WaitVisible(chromedp.CSS("#rect-state")),
	); err != nil {
		t.Fatalf("make a rectification item: %v", err)
	}
	if got := text("#rect-state"); got != "整改中" {
		t.Fatalf("new rectification item is %q", got)
	}
	rectURL, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	rectURL, _, _ = strings.Cut(rectURL, "?")

	login("unit1")
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/supervision/rectifications"),
		chromedp.WaitVisible(chromedp.CSS("table.rectifications")),
		chromedp.Navigate(rectURL),
		chromedp.WaitVisible(chromedp.CSS("#evidence")),
		chromedp.SendKeys(chromedp.CSS("#evidence"), "逾期办件周报制度.pdf"),
		chromedp.SendKeys(chromedp.CSS("#closing"), "制度已印发"),
		chromedp.Click(chromedp.CSS("#close-rect")),
		chromedp.WaitVisible(chromedp.CSS("#rect-state.rect-closed")),
	); err != nil {
		t.Fatalf("the unit closes the item: %v", err)
	}
	if got := text("#rect-evidence"); !strings.Contains(got, "逾期办件周报制度.pdf") {
		t.Fatalf("evidence shown %q", got)
	}

	// S7: an external supervisor reports a problem; it is on the
	// supervisor's rectification list.
	login("external1")
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/supervision/report"),
		chromedp.WaitVisible(chromedp.CSS("#problem")),
		chromedp.SetValue(chromedp.CSS("#unit"), sup.BodyPath+"|ZHZF"),
		chromedp.SendKeys(chromedp.CSS("#problem"), "执法队窗口下午无人值守"),
		chromedp.Click(chromedp.CSS("#report")),
		chromedp.WaitVisible(chromedp.CSS(".notice, .errors")),
	); err != nil {
		t.Fatalf("the external supervisor reports: %v", err)
	}
	if got := text("#my-reports"); !strings.Contains(got, "执法队窗口下午无人值守") {
		t.Fatalf("the report is not among the supervisor's own: %q (%s)", got, text("main"))
	}
	login("supervisor1")
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/supervision/rectifications?open=true"),
		chromedp.WaitVisible(chromedp.CSS("table.rectifications")),
	); err != nil {
		t.Fatal(err)
	}
	if got := text("table.rectifications"); !strings.Contains(got, "执法队窗口下午无人值守") || !strings.Contains(got, "外部监督") {
		t.Fatalf("the report is not on the supervisor's list: %q", got)
	}
}
