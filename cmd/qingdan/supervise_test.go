package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

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
