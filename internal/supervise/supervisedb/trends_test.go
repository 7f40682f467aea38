package supervisedb_test

import (
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
	"github.com/qingdan/qingdan/internal/supervise/supervisedb"
)

// recountTrend counts the periods again from every stored card, one by
// one: what Trends must agree with, though it reads per-day groups and
// the maintained counts.
func recountTrend(t *testing.T, db *store.DB, ps []supervisedb.TrendPeriod) []supervisedb.TrendPeriod {
	t.Helper()
	rows, err := db.Query(ctx, `SELECT level, rule, at, cleared_at FROM supervise_cards`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := make([]supervisedb.TrendPeriod, len(ps))
	for i, p := range ps {
		out[i] = supervisedb.TrendPeriod{Start: p.Start, End: p.End, Label: p.Label}
	}
	for rows.Next() {
		var level, rule string
		var a, c int64
		if err := rows.Scan(&level, &rule, &a, &c); err != nil {
			t.Fatal(err)
		}
		if level != "yellow" && level != "red" {
			continue
		}
		raised, cleared := time.UnixMicro(a), time.UnixMicro(c)
		for i := range out {
			p := &out[i]
			in := func(x time.Time) bool { return !x.Before(p.Start) && x.Before(p.End) }
			open := raised.Before(p.End) && (c == 0 || !cleared.Before(p.End))
			if level == "yellow" {
				p.YellowRaised += b(in(raised))
				p.YellowCleared += b(c != 0 && in(cleared))
				p.YellowOpen += b(open)
			} else {
				p.RedRaised += b(in(raised))
				p.RedCleared += b(c != 0 && in(cleared))
				p.RedOpen += b(open)
			}
			if rule == supervisedb.OverdueRule {
				p.Overdue += b(in(raised))
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func b(v bool) int64 {
	if v {
		return 1
	}
	return 0
}

// Trends over weeks and months (issue #16, dashboards): cards raised at
// their rules' instants (L10, H5) fall in the week of that instant, not
// of the late sweep; a cleared card leaves the open count in the week it
// was cleared; an order (S4) counts in the week it was issued — and every
// figure agrees with a recount of the stored cards.
func TestTrends_L10_H5_S4_weeksAndMonthsAgreeWithARecountOfTheCards(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		n1, n2 := f.accepted(t), f.accepted(t)
		pos := f.catchUp(t, 0)
		f.set("2026-03-05T10:00") // Thursday: the H5 cards, at Wednesday 00:00
		f.sweep(t)
		h5 := f.cardsOf(t, n1)["h5.hand_over|"+n1]
		sup := f.who("supervisor1")
		if _, err := f.sup.IssueFromCard(ctx, sup, h5.ID, "尽快移交", 0); err != nil {
			t.Fatal(err)
		}
		f.set("2026-03-18T08:00") // yellow at 16 March, red (overdue) at 17 March
		f.sweep(t)
		f.set("2026-03-18T09:00")
		f.act(t, "window1", n1, casework.Action{ID: "hand_over"})
		f.catchUp(t, pos)
		if c := f.cardsOf(t, n1)["h5.hand_over|"+n1]; c.Open() {
			t.Fatalf("the hand-over left the H5 card open: %+v", c)
		}
		if _, ok := f.cardsOf(t, n2)["case.red|"+n2]; !ok {
			t.Fatal("no overdue card: the test's instants assume one")
		}
		checkCounts(t, db)

		tr, err := f.sup.Trends(ctx, sup, supervisedb.TrendQuery{Period: supervisedb.Week, N: 4})
		if err != nil {
			t.Fatal(err)
		}
		labels := []string{"2026-02-23", "2026-03-02", "2026-03-09", "2026-03-16"}
		if len(tr.Periods) != len(labels) {
			t.Fatalf("%d periods", len(tr.Periods))
		}
		for i, l := range labels {
			if tr.Periods[i].Label != l || !tr.Periods[i].Start.Equal(at(l+"T00:00")) {
				t.Fatalf("period %d: %+v, want the week from %s", i, tr.Periods[i], l)
			}
		}
		want := recountTrend(t, db, tr.Periods)
		for i, p := range tr.Periods {
			got := p
			got.OrdersIssued, got.OrdersClosed = 0, 0
			if got != want[i] {
				t.Fatalf("week %s: %+v\na recount of the cards: %+v", p.Label, got, want[i])
			}
		}
		w0, w1, w3 := tr.Periods[0], tr.Periods[1], tr.Periods[3]
		if w0 != (supervisedb.TrendPeriod{Start: w0.Start, End: w0.End, Label: w0.Label}) || w1.RedRaised < 2 || w1.OrdersIssued != 1 ||
			w3.Overdue != 2 || w3.RedCleared < 1 || w3.RedOpen != w1.RedRaised+tr.Periods[2].RedRaised+w3.RedRaised-w3.RedCleared {
			t.Fatalf("weeks %+v", tr.Periods)
		}
		var unit *supervisedb.TrendUnit
		for i, u := range tr.Units {
			if u.Unit == "ZHZF" {
				unit = &tr.Units[i]
			}
		}
		if unit == nil || unit.Red[1] != w1.RedRaised || unit.Red[3] != w3.RedRaised || unit.Yellow[3] != w3.YellowRaised ||
			unit.Overdue[3] != 2 || unit.UnitName == "" {
			t.Fatalf("the unit's row: %+v in %+v", unit, tr.Units)
		}

		// One month, the unit alone: the same cards, in one period.
		m, err := f.sup.Trends(ctx, sup, supervisedb.TrendQuery{Period: supervisedb.Month, N: 2, BodyPath: unit.BodyPath, Unit: "ZHZF"})
		if err != nil {
			t.Fatal(err)
		}
		mar := m.Periods[1]
		if len(m.Periods) != 2 || mar.Label != "2026-03" || mar.OrdersIssued != 1 || mar.Overdue != 2 ||
			mar.RedRaised != w1.RedRaised+tr.Periods[2].RedRaised+w3.RedRaised || mar.RedOpen != w3.RedOpen || mar.YellowOpen != w3.YellowOpen {
			t.Fatalf("March for ZHZF: %+v", m.Periods)
		}
		if want := recountTrend(t, db, m.Periods); mar.YellowCleared != want[1].YellowCleared || m.Periods[0].RedOpen != want[0].RedOpen {
			t.Fatalf("months %+v\na recount: %+v", m.Periods, want)
		}
		if m, err = f.sup.Trends(ctx, sup, supervisedb.TrendQuery{Period: supervisedb.Month, N: 1, BodyPath: unit.BodyPath, Unit: "NONE"}); err != nil ||
			m.Periods[0].RedRaised != 0 || m.Periods[0].RedOpen != 0 || m.Periods[0].OrdersIssued != 0 {
			t.Fatalf("another unit: %+v %v", m.Periods, err)
		}
	})
}

func TestTrends_badQueriesNameTheirFieldAndOnlyOverseersRead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		sup := f.who("supervisor1")
		for _, c := range []struct {
			q     supervisedb.TrendQuery
			field string
		}{
			{supervisedb.TrendQuery{Period: "day"}, "period"},
			{supervisedb.TrendQuery{Period: supervisedb.Week, N: supervisedb.MaxTrendWeeks + 1}, "n"},
			{supervisedb.TrendQuery{Period: supervisedb.Month, N: supervisedb.MaxTrendMonths + 1}, "n"},
			{supervisedb.TrendQuery{Period: supervisedb.Month, N: -1}, "n"},
			{supervisedb.TrendQuery{Unit: "ZHZF"}, "body"},
		} {
			if _, err := f.sup.Trends(ctx, sup, c.q); !isField(err, c.field) {
				t.Fatalf("%+v: %v, want an error on %s", c.q, err, c.field)
			}
		}
		if _, err := f.sup.Trends(ctx, f.who("unit1"), supervisedb.TrendQuery{}); !isCode(err, apperr.Forbidden) {
			t.Fatalf("a unit's staff read the trends: %v", err)
		}
		if _, err := f.sup.Trends(ctx, sup, supervisedb.TrendQuery{BodyPath: "/999/"}); !isCode(err, apperr.Forbidden) {
			t.Fatalf("a body outside the jurisdiction: %v", err)
		}
		tr, err := f.sup.Trends(ctx, sup, supervisedb.TrendQuery{})
		if err != nil || tr.Query.Period != supervisedb.Week || len(tr.Periods) != 12 {
			t.Fatalf("the default trend: %+v %v", tr.Query, err)
		}
	})
}
