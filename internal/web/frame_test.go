package web_test

import (
	"context"
	"html/template"
	"net/http"
	"testing"

	"github.com/qingdan/qingdan/internal/auth"
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
	notices := func(ctx context.Context, p auth.Principal, lang string) []web.Notice {
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
