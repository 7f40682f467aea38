package web_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/qingdan/qingdan/internal/catalog"
	"github.com/qingdan/qingdan/internal/store/storetest"
	"github.com/qingdan/qingdan/internal/web/browsertest"
)

// TestPortalBrowser_searchGuideQRComplaint (issue #4 "Done when"): in a real
// headless browser with JavaScript switched off, a citizen opens the portal,
// searches 低保, opens the item and its service guide, and sees the QR code
// (a loaded image) and the complaint phone. Skipped without chromium unless
// QINGDAN_REQUIRE_BROWSER=1.
func TestPortalBrowser_searchGuideQRComplaint(t *testing.T) {
	ctx := browsertest.New(t, 390, 844) // a phone
	db := storetest.SQLite(t)
	srv := httptest.NewServer(portalServer(t, db, demoCatalogue(t, db)))
	defer srv.Close()

	d, err := catalog.LoadDemo()
	if err != nil {
		t.Fatal(err)
	}
	var phone string
	for _, v := range d.Current(d.Bodies[0].ID) {
		if v.Name == "最低生活保障待遇认定" {
			phone = v.ComplaintPhone
		}
	}
	if phone == "" {
		t.Fatal("the demo district lists no 最低生活保障待遇认定")
	}

	// Everything below works with the page's scripts off.
	noScript := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	})
	if err := chromedp.Do(ctx,
		noScript,
		chromedp.Navigate(srv.URL+"/portal"),
		chromedp.WaitVisible(chromedp.CSS(`#q`)),
		chromedp.SendKeys(chromedp.CSS(`#q`), "低保"),
		chromedp.Submit(chromedp.CSS(`#q`)),
		chromedp.WaitVisible(chromedp.CSS(`#result-count`)),
	); err != nil {
		t.Fatalf("search: %v", err)
	}
	results, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.portal-results`)))
	if err != nil {
		t.Fatalf("results: %v", err)
	}
	if !strings.Contains(results, "最低生活保障待遇认定") {
		t.Fatalf("searching 低保 shows %q", results)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.Search(`//ol[@class="portal-results"]//a[text()="最低生活保障待遇认定"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#guide-link`)),
		chromedp.Click(chromedp.CSS(`#guide-link`)),
		chromedp.WaitVisible(chromedp.CSS(`#guide-complaint`)),
		chromedp.WaitVisible(chromedp.CSS(`#guide-qr img`)),
	); err != nil {
		t.Fatalf("guide: %v", err)
	}
	guideURL, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(guideURL, "/guide") {
		t.Errorf("landed on %s, not a guide", guideURL)
	}
	complaint, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#complaint-phone`)))
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(complaint) != phone {
		t.Errorf("complaint phone %q, want %q", complaint, phone)
	}
	// The QR code is an image the browser loaded and decoded (the SVG).
	var qrWidth int
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if qrWidth, err = chromedp.Run(ctx, chromedp.Evaluate[int](`(() => { const i = document.querySelector('#guide-qr img'); return i.complete ? i.naturalWidth : 0 })()`)); err != nil {
			t.Fatal(err)
		}
		if qrWidth > 0 {
			break
		}
	}
	if qrWidth <= 0 {
		t.Error("the QR code image did not load")
	}
}
