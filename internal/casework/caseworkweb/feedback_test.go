package caseworkweb_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
	"github.com/qingdan/qingdan/internal/web/webtest"
)

// completed runs a case registered at the window to its completion
// through the pages: ZHZF (unit1's unit) handled it.
func (f *fixture) completed(t *testing.T) string {
	t.Helper()
	n := f.register(t, applyForm, siteProof)
	for _, s := range []struct {
		who string
		kv  []string
	}{
		{"window1", []string{"action", "accept"}},
		{"window1", []string{"action", "hand_over"}},
		{"unit1", []string{"action", "receive"}},
		{"unit1", []string{"action", "decide", "outcome", "approved", "opinion", "符合设置要求"}},
		{"unit1", []string{"action", "hand_back"}},
	} {
		f.act(t, s.who, n, http.StatusSeeOther, s.kv...)
	}
	return n
}

// TestFeedback_H9_journeyThroughTheAPIAndTheCasePage (issue #15 item 5):
// the result of a completed case was pushed to its unit; the unit's staff
// attach their supervision, penalty and coercion results, by API (strict
// JSON, versioned) and by the case page's form, and the case page shows
// them with their history. Before completion, another unit, the window,
// a bad body and a stale version are refused, changing nothing.
func TestFeedback_H9_journeyThroughTheAPIAndTheCasePage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		n := f.completed(t)
		api := "/api/v1/cases/" + n + "/feedback"
		body := `{"supervision":"已开展事后监管，现场核查设置符合许可"}`
		// Not completed yet: the result has not been pushed.
		f.do(t, webtest.Scenario{Method: "POST", URL: api, As: "unit1", Body: body, Status: http.StatusConflict, Contains: []string{"status"}})
		f.act(t, "window1", n, http.StatusSeeOther, "action", "complete", "certificate", "GG2026-009")

		f.do(t, webtest.Scenario{URL: api, As: "window1", Status: http.StatusOK, Contains: []string{`"version":0`},
			Check: func(t *testing.T, res *http.Response, _ string) {
				if res.Header.Get("ETag") != `"0"` {
					t.Errorf("ETag %q", res.Header.Get("ETag"))
				}
			}})
		for _, sc := range []webtest.Scenario{
			{Name: "the window", As: "window1", Body: body, Status: http.StatusForbidden},
			{Name: "another unit of the body", As: "liaison1", Body: body, Status: http.StatusForbidden},
			{Name: "another town", As: "xikou1", Body: body, Status: http.StatusForbidden},
			{Name: "an unknown member", As: "unit1", Body: `{"supervision":"x","verdict":"y"}`, Status: http.StatusBadRequest, Contains: []string{"verdict"}},
			{Name: "nothing to say", As: "unit1", Body: `{"supervision":"  "}`, Status: http.StatusBadRequest, Contains: []string{`"field":"supervision"`}},
			{Name: "too long", As: "unit1", Body: `{"penalty":"` + strings.Repeat("罚", 2001) + `"}`, Status: http.StatusBadRequest, Contains: []string{`"field":"penalty"`}},
		} {
			sc.Method, sc.URL = "POST", api
			f.do(t, sc)
		}
		if k := count(t, db, `SELECT COUNT(*) FROM case_feedback`); k != 0 {
			t.Fatalf("refused feedback left %d rows", k)
		}

		// The unit's first feedback by API, then a change on its version.
		f.do(t, webtest.Scenario{Method: "POST", URL: api, As: "unit1", Body: body, Status: http.StatusCreated,
			Contains: []string{`"version":1`, "现场核查设置符合许可", `"login":"unit1"`}})
		f.do(t, webtest.Scenario{Method: "POST", URL: api, As: "unit1", Body: body, Status: http.StatusConflict,
			Contains: []string{`"current"`, "现场核查设置符合许可"}}) // a second "first" feedback is stale
		f.do(t, webtest.Scenario{Method: "POST", URL: api, As: "unit1", Header: map[string]string{"If-Match": `"1"`},
			Body: `{"supervision":"已开展事后监管","penalty":"责令限期改正，罚款 2000 元"}`, Status: http.StatusOK, Contains: []string{`"version":2`, "罚款 2000 元"}})
		f.do(t, webtest.Scenario{Method: "POST", URL: api, As: "unit1", Header: map[string]string{"If-Match": `"1"`},
			Body: `{"coercion":"查封"}`, Status: http.StatusConflict, Contains: []string{`"version":2`}})

		// The case page: the unit's form on version 2, the history, the
		// deliveries; the window sees the feedback and no form.
		f.do(t, webtest.Scenario{URL: "/cases/" + n, As: "unit1", Status: http.StatusOK,
			Contains: []string{`id="feedback-form"`, `name="feedback_version" value="2"`, "罚款 2000 元", "监管反馈（第 2 版）", `id="deliveries"`}})
		f.do(t, webtest.Scenario{URL: "/cases/" + n, As: "window1", Status: http.StatusOK,
			Contains: []string{"罚款 2000 元", "吴刚"}, NotContains: []string{`id="feedback-form"`}})
		// The form: a stale version is refused on the page, the current one saved.
		f.do(t, webtest.Scenario{Method: "POST", URL: "/cases/" + n + "/feedback", As: "unit1", Status: http.StatusConflict,
			Body: form("feedback_version", "1", "coercion", "查封广告设施")})
		f.do(t, webtest.Scenario{Method: "POST", URL: "/cases/" + n + "/feedback", As: "unit1", Status: http.StatusSeeOther,
			Body:     form("feedback_version", "2", "supervision", "已开展事后监管", "penalty", "责令限期改正，罚款 2000 元", "coercion", "查封广告设施"),
			Location: "/cases/" + n})
		f.do(t, webtest.Scenario{URL: "/cases/" + n, As: "leader1", Status: http.StatusOK,
			Contains: []string{"查封广告设施", "监管反馈（第 3 版）", "监管反馈（第 1 版）"}})
		f.do(t, webtest.Scenario{URL: api, As: "leader1", Status: http.StatusOK, Contains: []string{`"version":3`, "查封广告设施"}})
		// Three changes, three events on the case's timeline.
		if k := count(t, db, `SELECT COUNT(*) FROM events WHERE root_type = 'case' AND root_id = ? AND object_type = 'case_feedback'`, n); k != 3 {
			t.Fatalf("%d feedback events on the case's timeline", k)
		}
	})
}

func count(t *testing.T, db *store.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(ctx, query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
