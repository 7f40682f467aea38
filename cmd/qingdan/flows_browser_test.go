package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/web/browsertest"
)

// TestBrowser_H1_administratorPublishesAChangedFlow (issue #14 item 1) in
// a real browser against the wired application and its demo: the
// district's administrator opens 办理流程 from the navigation, opens the
// flow a demo case runs on, edits it (a new version, and by mistake an
// unknown role), checks it and is shown the mistake by line and key, fixes
// it and publishes: the flow's page lists the new version above the old
// one. The case that was running keeps its own version, as its page says.
func TestBrowser_H1_administratorPublishesAChangedFlow(t *testing.T) {
	a, srv := demoAppWith(t, slog.New(slog.NewTextHandler(io.Discard, nil)), func(c *serveConfig) { c.demoCases = 300 })
	ctx := browsertest.New(t, 1280, 1000, chromedp.Flag("lang", "zh-CN"), chromedp.Flag("accept-lang", "zh-CN"))
	var number, code string
	var version int
	if err := a.db.QueryRow(context.Background(), `SELECT c.number, f.code, f.flow_version FROM cases c JOIN case_flows f ON f.id = c.flow_id
		WHERE c.status = 'handling' ORDER BY c.id LIMIT 1`).Scan(&number, &code, &version); err != nil {
		t.Fatalf("a demo case being handled: %v", err)
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#login")),
		chromedp.SendKeys(chromedp.CSS("#login"), "admin"),
		chromedp.SendKeys(chromedp.CSS("#password"), org.DemoPassword),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS(`nav a[href="/admin/flows"]`)),
		chromedp.Click(chromedp.CSS(`nav a[href="/admin/flows"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#flows`)),
		chromedp.Click(chromedp.CSS(`#flow-`+code+` a`)),
		chromedp.WaitVisible(chromedp.CSS(`.flow-diagram svg`)),
		chromedp.Click(chromedp.CSS(`#edit-link`)),
		chromedp.WaitVisible(chromedp.CSS(`#source`)),
	); err != nil {
		t.Fatalf("to the flow's edit form: %v", err)
	}
	// The next version, with the first step's role mistyped.
	edit := fmt.Sprintf(`(() => { const s = document.querySelector('#source');
		s.value = s.value.replace('"version": %d,', '"version": %d,').replace('"role": "window"', '"role": "windwo"'); return true })()`, version, version+1)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](edit)); err != nil {
		t.Fatalf("edit: %v", err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#validate`)),
		chromedp.WaitVisible(chromedp.CSS(`#mistakes`)),
	); err != nil {
		t.Fatalf("check: %v", err)
	}
	if m := text("#mistakes"); !strings.Contains(m, "line ") || !strings.Contains(m, ".role") || !strings.Contains(m, "windwo") {
		t.Fatalf("the mistake is not named by line and key: %q", m)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const s = document.querySelector('#source');
		s.value = s.value.replace('"role": "windwo"', '"role": "window"'); return true })()`)); err != nil {
		t.Fatalf("fix: %v", err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#publish`)),
		chromedp.WaitVisible(chromedp.CSS(`#current-version`)),
	); err != nil {
		t.Fatalf("publish: %v", err)
	}
	if got := text("#current-version"); !strings.Contains(got, fmt.Sprintf("第 %d 版", version+1)) {
		t.Fatalf("after publishing the flow's page says %q", got)
	}
	if got := strings.Join(strings.Fields(text("#versions tbody")), " "); !strings.HasPrefix(got, fmt.Sprintf("v%d ", version+1)) ||
		!strings.Contains(got, fmt.Sprintf("v%d ", version)) {
		t.Fatalf("versions listed: %q", got)
	}
	// The running case keeps the version it started on.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/cases/"+number),
		chromedp.WaitVisible(chromedp.CSS(`.flow-diagram`)),
	); err != nil {
		t.Fatalf("the case's page: %v", err)
	}
	if page := text("main"); !strings.Contains(page, fmt.Sprintf("流程（%s 第 %d 版）", code, version)) {
		t.Fatalf("the running case no longer shows its version %d:\n%.600s", version, page)
	}
}
