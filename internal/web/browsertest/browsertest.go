// Package browsertest gives browser tests a tab of Debian's headless
// Chromium (chromedp): real pages, clicked through as a user would. Only
// tests import it.
package browsertest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Chromium is Debian's browser; the tests need nothing downloaded.
const Chromium = "/usr/bin/chromium"

// New returns a browser tab of width×height pixels for t, closed when t
// ends, each step bounded by 90 s in all. Without Chromium t is skipped,
// or fails when QINGDAN_REQUIRE_BROWSER=1. flags are added to the
// browser's command line (e.g. chromedp.Flag("lang", "zh-CN")).
func New(t *testing.T, width, height int, flags ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	if _, err := os.Stat(Chromium); err != nil {
		if os.Getenv("QINGDAN_REQUIRE_BROWSER") == "1" {
			t.Fatalf("QINGDAN_REQUIRE_BROWSER=1 but %s: %v", Chromium, err)
		}
		t.Skipf("no browser: %v", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(Chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.WindowSize(width, height),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(opts, flags...)...)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() {
		cancelTime()
		cancelTab()
		cancelAlloc()
	})
	return ctx
}
