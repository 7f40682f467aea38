package supervisedb_test

import (
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"github.com/qingdan/qingdan/internal/complaint"
	"github.com/qingdan/qingdan/internal/complaint/complaintdb"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// complaintCard is a stored card of complaint number by rule: its instant,
// whether found, and when cleared (zero: open).
type complaintCard struct {
	at, cleared time.Time
	unit        string
}

func complaintCards(t testing.TB, db *store.DB, number string) map[string]complaintCard {
	t.Helper()
	rows, err := db.Query(ctx, `SELECT rule, at, cleared_at, unit FROM supervise_cards WHERE object_type = 'complaint' AND object_id = ?`, number)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]complaintCard{}
	for rows.Next() {
		var rule, unit string
		var at, cleared int64
		if err := rows.Scan(&rule, &at, &cleared, &unit); err != nil {
			t.Fatal(err)
		}
		c := complaintCard{at: store.FromMicros(at), unit: unit}
		if cleared != 0 {
			c.cleared = store.FromMicros(cleared)
		}
		out[rule] = c
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// A complaint filed on Monday 2 March 2026 is accepted by Wednesday 4
// March (2 working days, P4): yellow from 00:00 of its last day, red from
// Thursday 00:00 however late the sweep runs; accepted late on the 6th,
// its handling runs 15 working days to Friday 27 March (P6): yellow on
// its last day, red from the start of the day after it (Saturday 28 March).
func TestSweep_P4_P6_aLateAcceptanceAndAnOverdueComplaintRaiseCardsAtTheirInstants(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		cs := complaintdb.New(db, caldb.New(db), complaintdb.Options{Now: f.now})
		office := f.who("office1")
		filed, err := cs.File(ctx, access.Principal{}, f.demo.Bodies["330199"], complaint.Filing{
			Target: complaint.Target{Kind: complaint.TargetUnit, Unit: "ZHZF"}, Ground: complaint.NeedlessDocuments,
			Facts: "要求提供已取消的证明。", Complainant: complaint.Complainant{Anonymous: true}})
		if err != nil {
			t.Fatal(err)
		}
		n := filed.Complaint.Number
		pos := f.catchUp(t, 0)
		f.set("2026-03-03T23:59")
		f.sweep(t)
		if c, ok := complaintCards(t, db, n)["complaint.accept.yellow"]; ok {
			t.Fatalf("P4: a yellow card before the last day to accept: %+v", c)
		}
		f.set("2026-03-04T08:00")
		f.sweep(t)
		y, ok := complaintCards(t, db, n)["complaint.accept.yellow"]
		if !ok || !y.at.Equal(at("2026-03-04T00:00")) || y.unit != "" {
			t.Fatalf("P4: yellow card %+v (found %v); a complaint's card names no unit (O4)", y, ok)
		}
		f.set("2026-03-05T16:00")
		f.sweep(t)
		r, ok := complaintCards(t, db, n)["complaint.accept.red"]
		if !ok || !r.at.Equal(at("2026-03-05T00:00")) || !r.cleared.IsZero() {
			t.Fatalf("P4: red card %+v (found %v)", r, ok)
		}
		// Accepted late: the acceptance cards clear at the acceptance.
		f.set("2026-03-06T09:00")
		if _, err := cs.Act(ctx, office, n, 0, complaintdb.Action{Action: "accept", Mode: "direct"}); err != nil {
			t.Fatal(err)
		}
		pos = f.catchUp(t, pos)
		got := complaintCards(t, db, n)
		if !got["complaint.accept.red"].cleared.Equal(at("2026-03-06T09:00")) || !got["complaint.accept.yellow"].cleared.Equal(at("2026-03-06T09:00")) {
			t.Fatalf("P4: the acceptance cards after the acceptance: %+v", got)
		}
		// P6: 15 working days from Friday 6 March end on Friday 27 March.
		f.set("2026-03-26T23:59")
		f.sweep(t)
		if _, ok := complaintCards(t, db, n)["complaint.yellow"]; ok {
			t.Fatal("P6: a yellow card before the last day")
		}
		f.set("2026-03-27T00:00")
		f.sweep(t)
		if y := complaintCards(t, db, n)["complaint.yellow"]; !y.at.Equal(at("2026-03-27T00:00")) {
			t.Fatalf("P6: yellow card %+v", y)
		}
		f.set("2026-03-31T10:00")
		f.sweep(t)
		r, ok = complaintCards(t, db, n)["complaint.red"]
		if !ok || !r.at.Equal(at("2026-03-28T00:00")) || !r.cleared.IsZero() {
			t.Fatalf("P6: red card %+v (found %v)", r, ok)
		}
		before := len(complaintCards(t, db, n))
		f.sweep(t)
		if len(complaintCards(t, db, n)) != before {
			t.Fatal("a second sweep raised a card again")
		}
		checkCounts(t, db)
		verify(t, db)
	})
}
