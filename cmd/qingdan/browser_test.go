package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/web/browsertest"
)

// TestBrowser_H1_twoAdministratorsEditOneStaffMember (issue #11 item 3) in
// a real browser against the wired application: the district and the
// street administrator, each logged in in a session of their own, open the
// same staff member's page and change the phone. The street saves first;
// the district's save, from the page it opened before, is not saved: its
// page shows the conflict with both phones side by side and keeps what was
// typed in the form; the stored phone is the street's.
func TestBrowser_H1_twoAdministratorsEditOneStaffMember(t *testing.T) {
	tab := browsertest.New(t, 1280, 900)
	a, srv := demoApp(t)
	found, err := a.orgs.SearchStaff(context.Background(), org.System, org.StaffQuery{Text: "曹亮"})
	if err != nil || len(found) != 1 {
		t.Fatal(found, err)
	}
	page := fmt.Sprintf("%s/admin/org/staff/%d", srv.URL, found[0].ID)
	phone := `#edit input[name="phone"]`

	// Each session below is a browser context of its own (its own
	// cookies), which needs the browser started first.
	if err := chromedp.Do(tab); err != nil {
		t.Fatal(err)
	}
	session := func(login string) context.Context {
		ctx, cancel := chromedp.NewContext(tab, chromedp.WithNewBrowserContext())
		t.Cleanup(cancel)
		if err := chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/login"),
			chromedp.WaitVisible(chromedp.CSS(`#login`)),
			chromedp.SendKeys(chromedp.CSS(`#login`), login),
			chromedp.SendKeys(chromedp.CSS(`#password`), org.DemoPassword),
			chromedp.Submit(chromedp.CSS(`#password`)),
			chromedp.WaitNotPresent(chromedp.CSS(`#password`)),
			chromedp.Navigate(page),
			chromedp.WaitVisible(chromedp.CSS(phone)),
		); err != nil {
			t.Fatalf("%s opens the staff page: %v", login, err)
		}
		return ctx
	}
	district, street := session("admin"), session("qingshan_admin")

	// save types a phone into the page's edit form, submits it and waits
	// for what the answer shows.
	save := func(ctx context.Context, value, answer string) error {
		return chromedp.Do(ctx,
			chromedp.Clear(chromedp.CSS(phone)),
			chromedp.SendKeys(chromedp.CSS(phone), value),
			chromedp.Submit(chromedp.CSS(phone)),
			chromedp.WaitVisible(chromedp.CSS(answer)),
		)
	}
	if err := save(street, "13600000001", `p.notice[role="status"]`); err != nil {
		t.Fatalf("the street saves: %v", err)
	}
	if err := save(district, "13600000002", `#conflict`); err != nil {
		t.Fatalf("the district saves from its older page: %v", err)
	}
	conflict, err := chromedp.Run(district, chromedp.Text(chromedp.CSS(`#conflict`)))
	if err != nil {
		t.Fatal(err)
	}
	yours, err := chromedp.Run(district, chromedp.Text(chromedp.CSS(`#conflict tr:has(td mark) td.yours`)))
	if err != nil {
		t.Fatal(err)
	}
	current, err := chromedp.Run(district, chromedp.Text(chromedp.CSS(`#conflict tr:has(td mark) td.current`)))
	if err != nil {
		t.Fatal(err)
	}
	typed, err := chromedp.Run(district, chromedp.Value(chromedp.CSS(phone)))
	if err != nil {
		t.Fatal(err)
	}
	said := strings.Contains(conflict, "已被他人修改") || strings.Contains(conflict, "changed by someone else") // the browser's language decides
	if !said || strings.TrimSpace(yours) != "13600000002" || strings.TrimSpace(current) != "13600000001" || typed != "13600000002" {
		t.Fatalf("the district's page: conflict %q, yours %q, current %q, form %q", conflict, yours, current, typed)
	}
	stored, err := a.orgs.Staff(context.Background(), org.System, found[0].ID)
	if err != nil || stored.Phone != "13600000001" {
		t.Fatalf("stored %+v %v, want the street's phone", stored, err)
	}
}
