package ratingdb_test

import (
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"github.com/qingdan/qingdan/internal/rating"
	"github.com/qingdan/qingdan/internal/rating/ratingdb"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
	"github.com/qingdan/qingdan/internal/supervise/supervisedb"
)

// callbackCard is the callback.red card of rating id: its instant and
// when it cleared (zero: open); found false when none.
func callbackCard(t testing.TB, db *store.DB, id int64) (at, cleared time.Time, found bool) {
	t.Helper()
	rows, err := db.Query(ctx, `SELECT at, cleared_at FROM supervise_cards WHERE object_type = 'callback' AND object_id = ? AND rule = 'callback.red'`,
		ratingdb.CallbackClock(id).ObjectID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var a, c int64
		if err := rows.Scan(&a, &c); err != nil {
			t.Fatal(err)
		}
		at, found = store.FromMicros(a), true
		if c != 0 {
			cleared = store.FromMicros(c)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return at, cleared, found
}

// L8: a bad rating's callback runs on a clock: 15 working days from
// Friday 6 March end on Friday 27 March, so supervision raises
// callback.red from Saturday 28 March 00:00 however late the sweep runs,
// and the card clears when the unit closes the callback.
func TestRating_L8_anOverdueCallbackRaisesARedCardThatClearsWhenClosed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, ratingdb.Options{})
		clocks := caldb.NewClocks(db, caldb.New(db))
		clocks.SetNow(f.now)
		sup := supervisedb.New(f.cases, clocks, supervisedb.Options{Now: f.now})
		// catchUp hands the events from seq from on to supervision's
		// consumer in one write, as db.Consume would.
		catchUp := func(from int64) int64 {
			t.Helper()
			evs, err := db.Events(ctx, store.EventFilter{FromSeq: from, Limit: 10000})
			if err != nil || len(evs) == 0 {
				t.Fatalf("events: %d %v", len(evs), err)
			}
			if err := db.Write(ctx, func(tx *store.Tx) error { return sup.Consumer().Handle(ctx, tx, evs) }); err != nil {
				t.Fatal(err)
			}
			return evs[len(evs)-1].Seq + 1
		}
		sweep := func() {
			t.Helper()
			if _, err := sup.Sweep(ctx, nil); err != nil {
				t.Fatal(err)
			}
		}
		n, code := f.completed(t)
		f.set("2026-03-06T16:00")
		r, err := f.rt.RateOnPortal(ctx, n, code, rating.VeryDissatisfied, "态度差")
		if err != nil {
			t.Fatal(err)
		}
		pos := catchUp(0)
		f.set("2026-03-27T23:59")
		sweep()
		if _, _, found := callbackCard(t, db, r.ID); found {
			t.Fatal("L8: a callback card within the 15 working days")
		}
		f.set("2026-03-30T09:00")
		sweep()
		at0, cleared, found := callbackCard(t, db, r.ID)
		if !found || !at0.Equal(at("2026-03-28T00:00")) || !cleared.IsZero() {
			t.Fatalf("L8: callback.red %v cleared %v (found %v)", at0, cleared, found)
		}
		unit := f.who("unit1")
		f.set("2026-03-30T10:00")
		for _, st := range []rating.Step{{Action: "call", Text: "已回访"}, {Action: "verify", Text: "属实", Founded: true},
			{Action: "close", Text: "已整改", Evidence: "整改报告"}} {
			if r, err = f.rt.Callback(ctx, unit, r.ID, int64(r.Version), st); err != nil {
				t.Fatal(err)
			}
		}
		catchUp(pos)
		if _, cleared, _ := callbackCard(t, db, r.ID); !cleared.Equal(at("2026-03-30T10:00")) {
			t.Fatalf("L8: the card after the callback closed: cleared %v", cleared)
		}
		verify(t, db)
	})
}
