package webtest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Chromium is Debian's browser: browser tests need nothing downloaded.
const Chromium = "/usr/bin/chromium"

// Browser starts a headless chromium for a browser test, ended when the
// test ends, and returns its allocator: each chromedp.NewContext of it is a
// tab; with chromedp.WithNewBrowserContext() a separate session (its own
// cookies). Its contexts time out after 90 s. Without chromium the test is
// skipped, unless QINGDAN_REQUIRE_BROWSER=1 (CI) makes that a failure.
func Browser(t *testing.T, opts ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	if _, err := os.Stat(Chromium); err != nil {
		if os.Getenv("QINGDAN_REQUIRE_BROWSER") == "1" {
			t.Fatalf("QINGDAN_REQUIRE_BROWSER=1 but %s: %v", Chromium, err)
		}
		t.Skipf("no browser: %v", err)
	}
	all := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(Chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, append(all, opts...)...)
	t.Cleanup(cancelAlloc)
	return actx
}
