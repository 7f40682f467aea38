package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/supervise"
	"github.com/qingdan/qingdan/internal/supervise/supervisedb"
)

// withSupervision sweeps the demo's cases once (the first sweep of a
// start) and issues an order from the first red card with a unit through
// the API, so the supervision routes have objects to address; it returns
// the order's id.
func withSupervision(t *testing.T, a *app, srv *httptest.Server) int64 {
	t.Helper()
	// The consumer judges every case event committed so far, as at a first
	// start (the demo's overdue cases are red from their events: their
	// clocks have nothing left to check), then a sweep.
	head := count(t, a, `SELECT COALESCE(MAX(seq), 0) FROM events`)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.sup.RunConsumer(ctx) }()
	for i := 0; ; i++ {
		if count(t, a, `SELECT COALESCE(MAX(position), 0) FROM consumer_positions WHERE name = 'supervise'`) > head {
			break
		}
		if i == 3000 {
			t.Fatal("the supervision consumer did not catch up in 30 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("consumer: %v", err)
	}
	if _, err := a.sup.Sweep(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	status, body := call(t, srv, "GET", "/api/v1/supervision/cards?level=red", bearer(t, a, "supervisor1"), "")
	var cards []supervisedb.Card
	if err := json.Unmarshal([]byte(body), &cards); err != nil || status != http.StatusOK {
		t.Fatalf("cards: %d %v %.300s", status, err, body)
	}
	for _, c := range cards {
		if c.Unit == "" {
			continue
		}
		status, body := call(t, srv, "POST", "/api/v1/supervision/cards/"+strconv.FormatInt(c.ID, 10)+"/orders", bearer(t, a, "supervisor1"),
			`{"matter":"请说明逾期原因并限期办结"}`)
		if status == http.StatusConflict {
			continue // a unit the organisation lacks (the demo list names some): no order can go to it
		}
		var o struct{ ID int64 }
		if err := json.Unmarshal([]byte(body), &o); err != nil || status != http.StatusCreated {
			t.Fatalf("issue: %d %v %.300s", status, err, body)
		}
		return o.ID
	}
	t.Fatalf("the demo's first sweep raised no red card on a unit (%d red cards)", len(cards))
	return 0
}

// TestServe_S4_demoCasesFillTheDashboardOnFirstSweep: `make run` shows a
// dashboard with cards, not an empty page.
func TestServe_S4_demoCasesFillTheDashboardOnFirstSweep(t *testing.T) {
	a, srv := demoAppOn(t, "sqlite", func(c *serveConfig) { c.demoCases = 300 })
	withSupervision(t, a, srv)
	status, body := call(t, srv, "GET", "/api/v1/supervision/dashboard", bearer(t, a, "supervisor1"), "")
	var rows []supervisedb.Row
	if err := json.Unmarshal([]byte(body), &rows); err != nil || status != http.StatusOK {
		t.Fatalf("dashboard: %d %v %.300s", status, err, body)
	}
	red := int64(0)
	for _, r := range rows {
		if r.Unit == "" {
			red += r.Red
		}
	}
	if red == 0 {
		t.Fatalf("no red card on the dashboard: %+v", rows)
	}
	t.Logf("%d dashboard rows, %d red cards", len(rows), red)
}

// TestApp_S7_externalSupervisorReportsButGrantsThemselvesNothing: the
// external supervisor's one write (a report, S7) lands on the
// rectification list with their recorded kind, owned by the unit's head;
// they cannot record their own kind, open any other item, note on one, or
// reach any other write — nobody grants themselves rights. Their view of
// the list masks personal data.
func TestApp_S7_externalSupervisorReportsButGrantsThemselvesNothing(t *testing.T) {
	a, srv := demoApp(t)
	ext, sup := bearer(t, a, "external1"), bearer(t, a, "supervisor1")
	p, err := principalOf(context.Background(), a.db, "external1")
	if err != nil {
		t.Fatal(err)
	}
	self := strconv.FormatInt(p.StaffID, 10)
	status, body := call(t, srv, "POST", "/api/v1/supervision/reports", ext, `{"problem":"窗口工作人员向群众张三（电话13912345678）索要材料","unit":"BMFW"}`)
	if status != http.StatusCreated {
		t.Fatalf("report: %d %.300s", status, body)
	}
	var x supervise.Rectification
	if err := json.Unmarshal([]byte(body), &x); err != nil {
		t.Fatal(err)
	}
	if x.Source != supervise.FromExternal || x.Reporter != "deputy" || x.Owner.Name != "王芳" || x.Unit.Code != "BMFW" {
		t.Fatalf("the report on the list: %+v", x)
	}
	id := strconv.FormatInt(x.ID, 10)
	before := count(t, a, `SELECT count(*) FROM events`)
	for _, c := range []struct{ method, path, body string }{
		{"POST", "/api/v1/supervision/rectifications", `{"source":"external","problem":"x","unit":"BMFW"}`},
		{"POST", "/api/v1/supervision/rectifications", `{"source":"inspection","problem":"x","unit":"BMFW"}`},
		{"POST", "/api/v1/supervision/rectifications/" + id + "/actions", `{"action":"close","text":"x","evidence":["a.pdf"]}`},
		{"POST", "/supervision/externals/" + self, "version=1&kind=journalist"},
		{"PATCH", "/api/v1/staff/" + self, `{"body_id":1,"name":"冯清","roles":["supervisor"]}`},
	} {
		if status, body := call(t, srv, c.method, c.path, ext, c.body); status != http.StatusForbidden {
			t.Errorf("external supervisor %s %s: %d, want 403: %.200s", c.method, c.path, status, body)
		}
	}
	if after := count(t, a, `SELECT count(*) FROM events`); after != before {
		t.Errorf("refused requests changed something: %d events, then %d", before, after)
	}
	_, mine := call(t, srv, "GET", "/api/v1/supervision/rectifications/"+id, ext, "")
	if strings.Contains(mine, "13912345678") {
		t.Errorf("the external supervisor reads personal data: %.300s", mine)
	}
	_, theirs := call(t, srv, "GET", "/api/v1/supervision/rectifications?open=true", sup, "")
	if !strings.Contains(theirs, "13912345678") || !strings.Contains(theirs, `"reporter":"deputy"`) {
		t.Errorf("the supervisor's list lacks the report: %.300s", theirs)
	}
}

// TestServe_S5_L10_ruleFormAndFileThroughThePages: the supervisor changes
// one rule through its form on the rule page (audited, version 1), a rule
// file with a mistake is refused naming its line and key with nothing
// changed, and the API shows the rule in force with its source.
func TestServe_S5_L10_ruleFormAndFileThroughThePages(t *testing.T) {
	a, srv := demoApp(t)
	sup := bearer(t, a, "supervisor1")
	p, err := principalOf(context.Background(), a.db, "supervisor1")
	if err != nil {
		t.Fatal(err)
	}
	body := strconv.FormatInt(p.BodyID, 10)
	status, page := call(t, srv, "GET", "/supervision/rules", sup, "")
	if status != http.StatusOK || !strings.Contains(page, "h5.hand_over") || !strings.Contains(page, "系统默认") {
		t.Fatalf("rule page: %d %.300s", status, page)
	}
	status, _ = send(t, srv, "POST", "/supervision/rules/"+body+"/rule", sup,
		"version=0&id=h5.hand_over&level=yellow&threshold=after&n=0&unit=working_days&limit=2&notify=responsible&notify=supervision", "")
	if status != http.StatusSeeOther {
		t.Fatalf("the rule's form: %d", status)
	}
	before := count(t, a, `SELECT count(*) FROM events`)
	status, page = send(t, srv, "POST", "/supervision/rules/"+body, sup, "version=1&file="+url.QueryEscape("version: 2\nrules:\n  - id: h5.hand_over\n    watch: hand_over\n    level: purple\n"), "")
	if status == http.StatusSeeOther || !strings.Contains(page, "line 5, column 12: rules[0].level") {
		i := strings.Index(page, "errors")
		t.Fatalf("a bad file: %d %.800s", status, page[max(i, 0):])
	}
	if after := count(t, a, `SELECT count(*) FROM events`); after != before {
		t.Fatalf("a bad file changed something: %d events, then %d", before, after)
	}
	status, js := call(t, srv, "GET", "/api/v1/supervision/bodies/"+body+"/rules", sup, "")
	var v supervisedb.RulesView
	if err := json.Unmarshal([]byte(js), &v); err != nil || status != http.StatusOK {
		t.Fatalf("rules API: %d %v", status, err)
	}
	for _, r := range v.InForce {
		if r.ID == "h5.hand_over" && (!r.Own || r.Level != supervise.Yellow || r.Limit.N != 2 || r.Version != 1) {
			t.Fatalf("h5 in force: %+v", r)
		}
	}
	if v.Version != 1 {
		t.Fatalf("own version %d, want 1", v.Version)
	}
}
