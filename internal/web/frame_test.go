package web_test

import (
	"context"
	"html/template"
	"net/http"
	"testing"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/web"
	"github.com/qingdan/qingdan/internal/web/httpx"
	wt "github.com/qingdan/qingdan/internal/web/webtest"
)

// TestFrame_featurePagesRenderInsideTheLayout: a page built outside the web
// package (as orgweb and calweb do) gets the site's layout, and the layout
// carries Notices banners to logged-in principals only.
func TestFrame_featurePagesRenderInsideTheLayout(t *testing.T) {
	frame := web.NewFrame()
	feature := httpx.Route{Pattern: "GET /feature", Policy: httpx.Policy{Public: true},
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			frame.Page(w, r, http.StatusOK, "特性页", template.HTML(`<p id="feature">内容 `+template.HTMLEscapeString(frame.CSRFToken(r))+`</p>`))
		})}
	notices := func(ctx context.Context, p access.Principal, lang string) []web.Notice {
		if lang == "en" {
			return []web.Notice{{Text: "Holiday data for next year is missing", Link: "/admin/calendar/years/2027/edit", Action: "Enter the notice"}}
		}
		return []web.Notice{{Text: "缺少明年的节假日数据", Link: "/admin/calendar/years/2027/edit", Action: "录入通知"}}
	}
	env := wt.NewWith(t, wt.Options{Routes: []httpx.Route{feature}, Frame: frame, Notices: notices})
	wt.Run(t, env.Server, []wt.Scenario{
		{Name: "anonymous: layout, no banner", URL: "/feature", Status: 200,
			Contains: []string{"<title>特性页 · ", `<p id="feature">内容 `, `class="site"`}, NotContains: []string{"缺少明年"}},
		{Name: "logged in: banner in the layout", URL: "/feature", As: wt.Admin, Status: 200,
			Contains: []string{`class="notice banner"`, "缺少明年的节假日数据", `<a href="/admin/calendar/years/2027/edit">录入通知</a>`, wt.CSRFToken}},
		{Name: "banner follows the language", URL: "/feature", As: wt.Admin, Header: map[string]string{"Accept-Language": "en"},
			Status: 200, Contains: []string{"Holiday data for next year is missing", ">Enter the notice</a>"}},
	})
}

// TestFrame_badgesInTheHeader: the header carries Badges (the inbox and
// its unread count) to logged-in principals, in their language, with the
// count named for screen readers; the anonymous get none.
func TestFrame_badgesInTheHeader(t *testing.T) {
	frame := web.NewFrame()
	feature := httpx.Route{Pattern: "GET /feature", Policy: httpx.Policy{Public: true},
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			frame.Page(w, r, http.StatusOK, "特性页", template.HTML(`<p>内容</p>`))
		})}
	badges := func(ctx context.Context, p access.Principal, lang string) []web.Badge {
		n := int(p.StaffID) // the fixture's ids stand in for unread counts
		if lang == "en" {
			return []web.Badge{{Text: "Inbox", Label: "Inbox (unread)", Link: "/inbox", Count: n}}
		}
		return []web.Badge{{Text: "站内消息", Label: "站内消息（有未读）", Link: "/inbox", Count: n}}
	}
	env := wt.NewWith(t, wt.Options{Routes: []httpx.Route{feature}, Frame: frame, Badges: badges})
	wt.Run(t, env.Server, []wt.Scenario{
		{Name: "anonymous: no badge", URL: "/feature", Status: 200, NotContains: []string{`class="badge"`}},
		{Name: "logged in: the badge with its count", URL: "/feature", As: wt.StaffB, Status: 200,
			Contains: []string{`<a class="badge" href="/inbox" aria-label="站内消息（有未读）">站内消息 <span class="count">5</span></a>`}},
		{Name: "in the reader's language", URL: "/feature", As: wt.Admin, Header: map[string]string{"Accept-Language": "en"}, Status: 200,
			Contains: []string{`aria-label="Inbox (unread)">Inbox <span class="count">1</span></a>`}},
	})
}
