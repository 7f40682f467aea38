package supervisedb_test

import (
	"sync"
	"testing"

	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
	"github.com/qingdan/qingdan/internal/supervise"
)

func (f *fixture) sweep(t testing.TB) int {
	t.Helper()
	n, err := f.sup.Sweep(ctx, nil)
	if err != nil {
		t.Fatalf("sweep at %s: %v", f.now().In(shanghai).Format("2006-01-02T15:04"), err)
	}
	return n
}

func (f *fixture) catchUp(t testing.TB, from int64) int64 {
	t.Helper()
	next, err := f.sup.CatchUp(ctx, from)
	if err != nil {
		t.Fatalf("consumer: %v", err)
	}
	return next
}

func TestSweep_L10_H5_cardsAtTheirRulesInstants_onceEach_countsKept(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		n := f.accepted(t)
		pos := f.catchUp(t, 0)
		var dueOn string
		if err := db.QueryRow(ctx, `SELECT due_on FROM cases WHERE number = ?`, n).Scan(&dueOn); err != nil || dueOn != "2026-03-16" {
			t.Fatalf("due on %q (%v): the test's instants assume 2026-03-16", dueOn, err)
		}
		// H5: not handed over by the end of the next working day (Tue 3
		// March): red from Wednesday 00:00, however late the sweep runs.
		f.set("2026-03-03T23:59")
		f.sweep(t)
		if c, ok := f.cardsOf(t, n)["h5.hand_over|"+n]; ok {
			t.Fatalf("H5 card a minute early: %+v", c)
		}
		f.set("2026-03-05T10:00")
		f.sweep(t)
		h5, ok := f.cardsOf(t, n)["h5.hand_over|"+n]
		if !ok || !h5.At.Equal(at("2026-03-04T00:00")) || !h5.RaisedAt.Equal(at("2026-03-05T10:00")) || h5.Level != supervise.Red ||
			h5.RuleVersion != 1 || h5.Unit != "ZHZF" || !h5.Open() {
			t.Fatalf("H5 card %+v (found %v)", h5, ok)
		}
		// L10: yellow from 00:00 of the limit's last working day (Mon 16
		// March, after a weekend), red from the day after it.
		f.set("2026-03-15T23:59")
		f.sweep(t)
		if _, ok := f.cardsOf(t, n)["case.yellow|"+n]; ok {
			t.Fatal("yellow card before the last working day")
		}
		f.set("2026-03-16T00:00")
		f.sweep(t)
		y, ok := f.cardsOf(t, n)["case.yellow|"+n]
		if !ok || !y.At.Equal(at("2026-03-16T00:00")) || y.Level != supervise.Yellow {
			t.Fatalf("yellow card %+v (found %v)", y, ok)
		}
		f.set("2026-03-18T08:00")
		f.sweep(t)
		r, ok := f.cardsOf(t, n)["case.red|"+n]
		if !ok || !r.At.Equal(at("2026-03-17T00:00")) || !r.RaisedAt.Equal(at("2026-03-18T08:00")) {
			t.Fatalf("red card %+v (found %v)", r, ok)
		}
		before := len(f.cardsOf(t, n))
		events := count(t, db, `SELECT COUNT(*) FROM events WHERE object_type = 'supervise_card'`)
		f.set("2026-03-18T09:00")
		f.sweep(t)
		if len(f.cardsOf(t, n)) != before || count(t, db, `SELECT COUNT(*) FROM events WHERE object_type = 'supervise_card'`) != events {
			t.Fatal("a second sweep raised a card again")
		}
		counts := checkCounts(t, db)
		if counts[supervise.CountKey{BodyPath: y.BodyPath, Unit: "ZHZF", Level: supervise.Red}] < 2 {
			t.Fatalf("counts %v: want the H5 and L10 red cards on ZHZF", counts)
		}
		// The hand-over done clears the H5 card, which stays in the history.
		f.act(t, "window1", n, casework.Action{ID: "hand_over"})
		f.catchUp(t, pos)
		h5 = f.cardsOf(t, n)["h5.hand_over|"+n]
		if h5.Open() || !h5.Cleared.Equal(at("2026-03-18T09:00")) {
			t.Fatalf("H5 card after the hand-over: %+v", h5)
		}
		checkCounts(t, db)
		// The digest: one in-app message per person per write, not one per card.
		if k := count(t, db, `SELECT COUNT(*) FROM notify_outbox WHERE cause = 'supervise.digest' AND channel = 'inapp'`); k == 0 {
			t.Fatal("nobody was told of the cards")
		}
		verify(t, db)
	})
}

func TestConsumer_H3_thirdSupplementationRoundRaisesACard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		o, err := f.cases.Open(ctx, f.who("window1"), caseworkdbApp("申请书"), "")
		if err != nil {
			t.Fatal(err)
		}
		n := o.Case.Number
		pos := int64(0)
		for round := 1; round <= 3; round++ {
			f.act(t, "window1", n, casework.Action{ID: "request_supplement", Missing: []string{"场地使用证明"}})
			pos = f.catchUp(t, pos)
			_, has := f.cardsOf(t, n)["h3.third_round|"+n]
			if has != (round == 3) {
				t.Fatalf("round %d: H3 card %v", round, has)
			}
			if round < 3 {
				f.act(t, "window1", n, casework.Action{ID: "supplement", Materials: []string{"场地使用证明"}})
			}
		}
		c := f.cardsOf(t, n)["h3.third_round|"+n]
		if c.Person.Login != "window1" || c.Level != supervise.Red && c.Level != supervise.Yellow {
			t.Fatalf("H3 card %+v", c)
		}
		checkCounts(t, db)
		verify(t, db)
	})
}

func TestSweep_twoSweepersAtOnce_neverRaiseACardTwice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		var numbers []string
		for range 5 {
			numbers = append(numbers, f.accepted(t))
		}
		f.set("2026-03-18T08:00")
		var wg sync.WaitGroup
		errs := make(chan error, 2)
		for range 2 {
			wg.Go(func() {
				if _, err := f.sup.Sweep(ctx, nil); err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if k := count(t, db, `SELECT COUNT(*) FROM supervise_cards WHERE rule = 'case.red'`); k != len(numbers) {
			t.Fatalf("%d red cards for %d overdue cases", k, len(numbers))
		}
		if k := count(t, db, `SELECT COUNT(*) FROM events WHERE action = 'supervise.card_raised'`); k !=
			count(t, db, `SELECT COUNT(*) FROM supervise_cards`) {
			t.Fatalf("%d raisings for the cards stored", k)
		}
		checkCounts(t, db)
	})
}
