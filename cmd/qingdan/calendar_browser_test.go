package main

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/web/browsertest"
)

// TestCalendarBrowser_L9_enterNextYearsNoticeByHand (issue #13 item 7): on
// 7 December 2026, with the demo data and no 2027 notice, the administrator
// logs in through the real pages, follows the banner to the 2027 form,
// finds it filled with 2027's statutory holidays (provisional), corrects
// the Spring Festival to the notice and adds its make-up Saturday,
// previews February, saves — and the banner is gone and 2027 is no longer
// provisional. Skipped without chromium unless QINGDAN_REQUIRE_BROWSER=1.
func TestCalendarBrowser_L9_enterNextYearsNoticeByHand(t *testing.T) {
	// The district's staff read Chinese.
	ctx := browsertest.New(t, 1280, 1600, chromedp.Flag("lang", "zh-CN"), chromedp.Flag("accept-lang", "zh-CN"))
	dec7 := time.Date(2026, 12, 7, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))
	a, srv := demoAppWith(t, slog.New(slog.NewTextHandler(io.Discard, nil)), func(c *serveConfig) { c.now = func() time.Time { return dec7 } })
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	value := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("value of %s: %v", sel, err)
		}
		return s
	}

	// Log in as the demo administrator; the banner is on the home page.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#login")),
		chromedp.SendKeys(chromedp.CSS("#login"), "admin"),
		chromedp.SendKeys(chromedp.CSS("#password"), org.DemoPassword),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS("p.notice.banner")),
	); err != nil {
		t.Fatalf("login: %v", err)
	}
	banner := text("p.notice.banner")
	if !strings.Contains(banner, "缺少 2027 年的节假日数据") || !strings.Contains(banner, "暂定") {
		t.Fatalf("banner %q", banner)
	}

	// The banner's link leads to the 2027 form, filled with the statutory
	// holidays: 春节 from 除夕 (5 February) to 初三 (8 February).
	spring := `input[aria-label="第 2 行结束日期"]`
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.Search(`//p[contains(@class,"banner")]/a[text()="录入通知"]`)),
		chromedp.WaitVisible(chromedp.CSS("#entry")),
	); err != nil {
		t.Fatalf("banner link: %v", err)
	}
	if got := text("#provisional"); !strings.Contains(got, "全国年节及纪念日放假办法（2024 年修订）") {
		t.Errorf("provisional note %q", got)
	}
	if from, to, name := value(`input[aria-label="第 2 行开始日期"]`), value(spring), value(`input[aria-label="第 2 行名称"]`); from != "2027-02-05" || to != "2027-02-08" || name != "春节" {
		t.Fatalf("row 2 is %s–%s %s, want 2027-02-05–2027-02-08 春节", from, to, name)
	}

	// Correct it to the notice: 5–13 February off, Saturday 20 February a
	// make-up day in the first empty row; preview, then save.
	emptyRow := 0
	for i := 1; i <= 20; i++ {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const e = document.querySelector('input[aria-label="第 `+strconv.Itoa(i)+` 行开始日期"]'); return e ? e.value : "none" })()`))
		if err != nil {
			t.Fatal(err)
		}
		if v == "" {
			emptyRow = i
			break
		}
	}
	if emptyRow == 0 {
		t.Fatal("no empty row in the form")
	}
	row := func(field string) string {
		return `[aria-label="第 ` + strconv.Itoa(emptyRow) + ` 行` + field + `"]`
	}
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(spring), "2027-02-13"),
		chromedp.SetValue(chromedp.CSS(row("开始日期")), "2027-02-20"),
		chromedp.SendKeys(chromedp.CSS(row("名称")), "春节"),
		chromedp.SetValue(chromedp.CSS(row("类别")), "work"),
		chromedp.Click(chromedp.CSS("#preview")),
		chromedp.WaitVisible(chromedp.Search(`//table[@id="months"]//td[text()="15"]`)),
	); err != nil {
		t.Fatalf("preview: %v", err)
	}
	// February as entered: 20 weekdays, 6 of them off, one Saturday worked.
	if feb := text(`#months tbody tr:nth-child(2)`); strings.Join(strings.Fields(feb), " ") != "2 月 15 13 6 1" {
		t.Errorf("February previewed as %q", feb)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#save")),
		chromedp.WaitVisible(chromedp.CSS("p.done")),
	); err != nil {
		t.Fatalf("save: %v", err)
	}
	if page := text("main"); !strings.Contains(page, "手工录入或修改") || strings.Contains(page, "暂定") {
		t.Errorf("the saved year's page:\n%s", page)
	}

	// Back home: no banner; the stored calendar counts 2027 as entered.
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
		t.Fatal(err)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('p.notice.banner').length`)); err != nil || n != 0 {
		t.Errorf("%d banners after the notice was entered (%v)", n, err)
	}
	cal, err := caldb.New(a.db).Calendar(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if cal.IsProvisional(2027) || !cal.Covers(2027) {
		t.Error("2027 still provisional")
	}
}
