package main

import (
	"context"
	"testing"

	"github.com/qingdan/qingdan/internal/rating"
	"github.com/qingdan/qingdan/internal/rating/ratingdb"
)

// The demo rates its completed cases — mostly good; bad ones with their
// callbacks at every stage, one appeal waiting and one upheld (left out
// of the statistics) — and holds two accountability records, one decided.
func TestDemo_L8_A2_ratingsAtEveryStageAndRecords(t *testing.T) {
	a, _ := demoAppOn(t, "sqlite", func(c *serveConfig) { c.demoCases = 600 })
	ctx := context.Background()
	sup, err := principalOf(ctx, a.db, "supervisor1")
	if err != nil {
		t.Fatal(err)
	}
	rs, err := a.ratings.List(ctx, sup, ratingdb.Filter{})
	if err != nil || len(rs) < 40 {
		t.Fatalf("%d demo ratings: %v", len(rs), err)
	}
	states, good, pending, removed := map[rating.CallbackState]int{}, 0, 0, 0
	for _, r := range rs {
		if !r.Level.Bad() {
			good++
		}
		if r.Callback != nil {
			states[r.Callback.State]++
		}
		if r.Appeal.Pending() {
			pending++
		}
		if r.Status == rating.Removed {
			removed++
		}
	}
	for _, s := range rating.CallbackStates {
		if states[s] == 0 {
			t.Errorf("no demo callback %s: %v", s, states)
		}
	}
	if good*2 < len(rs) || pending == 0 || removed == 0 {
		t.Errorf("good %d of %d, appeals pending %d, removed %d", good, len(rs), pending, removed)
	}
	st, err := a.ratings.Stats(ctx, "/")
	if err != nil || st.All.Total != len(rs)-removed {
		t.Fatalf("statistics count %d of %d ratings (%d removed): %v", st.All.Total, len(rs), removed, err)
	}
	var n, decided int
	if err := a.db.QueryRow(ctx, `SELECT count(*), sum(CASE WHEN state = 'decided' THEN 1 ELSE 0 END) FROM accountability_records`).Scan(&n, &decided); err != nil || n != 2 || decided != 1 {
		t.Fatalf("%d demo records, %d decided: %v", n, decided, err)
	}
}
