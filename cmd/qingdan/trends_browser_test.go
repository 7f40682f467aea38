package main

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/supervise/supervisedb"
	"github.com/qingdan/qingdan/internal/web/browsertest"
)

// TestTrendsBrowser_S4_chartDrawnOverItsTable_tableWithoutJavaScript
// (issue #16, dashboards): on the demo after its first sweep, the
// supervisor goes from the dashboard to the trends; ECharts (served from
// the binary at a hashed URL, under the CSP that refuses inline script)
// draws each chart over its table, whose figures are the API's; with
// JavaScript off the same tables are the page, and no chart is drawn.
func TestTrendsBrowser_S4_chartDrawnOverItsTable_tableWithoutJavaScript(t *testing.T) {
	ctx := browsertest.New(t, 1000, 900, chromedp.Flag("lang", "zh-CN"), chromedp.Flag("accept-lang", "zh-CN"))
	a, srv := demoAppOn(t, "sqlite", func(c *serveConfig) { c.demoCases = 300 })
	withSupervision(t, a, srv)
	status, body := call(t, srv, "GET", "/api/v1/supervision/trends?period=week&n=12", bearer(t, a, "supervisor1"), "")
	var tr supervisedb.Trends
	if err := json.Unmarshal([]byte(body), &tr); err != nil || status != http.StatusOK {
		t.Fatalf("trends: %d %v %.300s", status, err, body)
	}
	var raised, open int64
	for _, p := range tr.Periods {
		raised += p.YellowRaised + p.RedRaised
	}
	last := tr.Periods[len(tr.Periods)-1]
	open = last.YellowOpen + last.RedOpen
	if raised == 0 || open == 0 {
		t.Fatalf("the demo's cards raised nothing in the last 12 weeks (%d raised, %d open): nothing to draw", raised, open)
	}

	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#login")),
		chromedp.SendKeys(chromedp.CSS("#login"), "supervisor1"),
		chromedp.SendKeys(chromedp.CSS("#password"), org.DemoPassword),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitNotPresent(chromedp.CSS("#password")),
		chromedp.Navigate(srv.URL+"/supervision"),
		chromedp.Click(chromedp.CSS(`#totals a[href="/supervision/trends"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#chart-2[data-rendered="true"] canvas`)),
	); err != nil {
		t.Fatalf("from the dashboard to the drawn trends: %v", err)
	}
	drawn, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`Array.from(document.querySelectorAll("figure.trend-chart canvas")).map(c => c.width)`))
	if err != nil {
		t.Fatal(err)
	}
	if len(drawn) != 3 || drawn[0] < 200 {
		t.Fatalf("canvases drawn %v, want three charts the page's width", drawn)
	}
	// The open-cards chart's table: its last column is the API's figures.
	cells := func() []string {
		t.Helper()
		got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#chart-1 tbody tr")).map(r => r.lastElementChild.textContent)`))
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	want := []string{strconv.FormatInt(last.YellowOpen, 10), strconv.FormatInt(last.RedOpen, 10)}
	if got := cells(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("open cards at the end of this week %v, the API says %v", got, want)
	}

	// Without JavaScript: the tables, no chart.
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/supervision/trends?period=week&n=12"),
		chromedp.WaitVisible(chromedp.CSS("#chart-1 table")),
	); err != nil {
		t.Fatal(err)
	}
	canvases, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("canvas").length`))
	if err != nil {
		t.Fatal(err)
	}
	if got := cells(); canvases != 0 || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("without JavaScript: %d canvases, open cards %v (want %v)", canvases, got, want)
	}
	if caption, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#chart-0 figcaption"))); err != nil || !strings.Contains(caption, "亮牌") {
		t.Fatalf("caption %q (%v)", caption, err)
	}
}
