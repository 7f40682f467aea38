package supervisedb_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
	"github.com/qingdan/qingdan/internal/supervise/supervisedb"
)

// stateOf sums what any write would change: the log, the cards and their
// counts, the cases, the clocks and their next checks, the calendar.
func stateOf(t *testing.T, db *store.DB) string {
	t.Helper()
	var out string
	for _, q := range []string{
		`SELECT COALESCE(MAX(seq), 0) FROM events`,
		`SELECT COUNT(*) FROM supervise_cards`,
		`SELECT COALESCE(SUM(version), 0) FROM supervise_cards`,
		`SELECT COALESCE(SUM(n), 0) FROM supervise_counts`,
		`SELECT COALESCE(SUM(version), 0) FROM cases`,
		`SELECT COALESCE(SUM(next_check_at), 0) FROM clocks`,
		`SELECT version FROM calendar_version`,
		`SELECT COUNT(*) FROM calendar_years`,
		`SELECT COUNT(*) FROM notify_outbox`,
	} {
		out += fmt.Sprintf("%d ", count(t, db, q))
	}
	return out
}

// A proposed calendar (L1, L10): a Monday made a holiday moves the open
// case's due date a working day later, and its yellow and red cards to
// come with it (yellow from 00:00 of the limit's new last working day,
// red from the day after); a Saturday made a make-up working day moves
// them a day earlier; the H5 card raised before the first changed day
// does not move — and nothing is written.
func TestWhatIfCalendar_L1_L10_holidayAndMakeUpDayMoveDeadlinesAndCards_nothingWritten(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		n := f.accepted(t)
		f.catchUp(t, 0)
		f.set("2026-03-05T10:00")
		f.sweep(t)
		if _, ok := f.cardsOf(t, n)["h5.hand_over|"+n]; !ok {
			t.Fatal("no H5 card: the test's instants assume one")
		}
		before := stateOf(t, db)
		sup := f.who("supervisor1")

		holiday := calendar.DateOf(2026, time.March, 9)
		r, err := f.sup.WhatIfCalendar(ctx, sup, supervisedb.CalendarProposal{Days: []calendar.Day{{Date: holiday, IsOffDay: true, Name: "拟议假日"}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Days) != 1 || r.Days[0].Date != holiday || !r.Days[0].Off || r.Days[0].WasOff || len(r.Years) != 1 || r.Years[0] != 2026 {
			t.Fatalf("days changed %+v, years %v", r.Days, r.Years)
		}
		if len(r.Deadlines) != 1 || r.Deadlines[0].Case != n || r.Deadlines[0].Was.String() != "2026-03-16" || r.Deadlines[0].Due.String() != "2026-03-17" {
			t.Fatalf("deadlines %+v", r.Deadlines)
		}
		moved := map[string]supervisedb.CardMove{}
		for _, m := range r.Moved {
			if m.Object.ID == n {
				moved[m.Rule] = m
			}
		}
		y, red := moved["case.yellow"], moved["case.red"]
		if !y.Was.Equal(at("2026-03-16T00:00")) || !y.At.Equal(at("2026-03-17T00:00")) ||
			!red.Was.Equal(at("2026-03-17T00:00")) || !red.At.Equal(at("2026-03-18T00:00")) {
			t.Fatalf("moved cards %+v", moved)
		}
		if _, ok := moved["h5.hand_over"]; ok || len(r.Units) == 0 || r.Units[0].Moved < 2 || r.Cases != 1 {
			t.Fatalf("H5 moved, or per unit %+v, %d cases", r.Units, r.Cases)
		}

		makeUp := calendar.DateOf(2026, time.March, 7)
		r, err = f.sup.WhatIfCalendar(ctx, sup, supervisedb.CalendarProposal{Days: []calendar.Day{{Date: makeUp, IsOffDay: false, Name: "拟议调休"}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Deadlines) != 1 || r.Deadlines[0].Due.String() != "2026-03-13" {
			t.Fatalf("a make-up Saturday: deadlines %+v", r.Deadlines)
		}
		for _, m := range r.Moved {
			if m.Rule == "case.yellow" && !m.At.Equal(at("2026-03-13T00:00")) {
				t.Fatalf("a make-up Saturday: yellow at %s", m.At)
			}
		}

		// A day after the due date moves nothing and judges no case.
		r, err = f.sup.WhatIfCalendar(ctx, sup, supervisedb.CalendarProposal{Days: []calendar.Day{{Date: calendar.DateOf(2026, time.April, 20), IsOffDay: true, Name: "拟议假日"}}})
		if err != nil || r.Cases != 0 || len(r.Deadlines) != 0 || len(r.Moved) != 0 || len(r.Days) != 1 {
			t.Fatalf("a later day: %+v %v", r, err)
		}
		if after := stateOf(t, db); after != before {
			t.Fatalf("the what-if wrote: %s → %s", before, after)
		}
		verify(t, db)
	})
}

// A draft year as a whole file (the holiday-cn JSON administrators
// upload): a 2026 keeping only the Spring Festival's first day makes
// National Day a working day, and says so; bad
// proposals name their field; only supervisors, leaders and
// administrators try — and nothing is written either way.
func TestWhatIfCalendar_draftYearFile_badProposalsNameTheirField(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.accepted(t)
		before := stateOf(t, db)
		sup := f.who("supervisor1")
		draft := []byte(`{"year":2026,"days":[{"name":"春节","date":"2026-02-17","isOffDay":true}]}`)
		r, err := f.sup.WhatIfCalendar(ctx, sup, supervisedb.CalendarProposal{File: draft})
		if err != nil {
			t.Fatal(err)
		}
		national := calendar.DateOf(2026, time.October, 1)
		found := false
		for _, d := range r.Days {
			if d.Date == national {
				found = d.WasOff && !d.Off
			}
			if d.Date == calendar.DateOf(2026, time.February, 17) {
				t.Fatalf("the Spring Festival's first day kept is listed as changed: %+v", d)
			}
		}
		if !found || r.Years[0] != 2026 {
			t.Fatalf("the draft 2026 without National Day: %+v", r.Days)
		}
		for _, c := range []struct {
			prop  supervisedb.CalendarProposal
			field string
		}{
			{supervisedb.CalendarProposal{}, "file"},
			{supervisedb.CalendarProposal{File: []byte("{not json")}, "line 1"}, // the file's line, as the calendar upload names it
			{supervisedb.CalendarProposal{Days: []calendar.Day{{Date: calendar.DateOf(2026, time.March, 9), IsOffDay: true}}}, "days[0].name"},
			{supervisedb.CalendarProposal{Days: []calendar.Day{{}}}, "days[0].date"},
			{supervisedb.CalendarProposal{Days: []calendar.Day{{Date: calendar.DateOf(1900, time.March, 9), IsOffDay: true, Name: "x"}}}, "days[0].date"},
		} {
			if _, err := f.sup.WhatIfCalendar(ctx, sup, c.prop); !isField(err, c.field) {
				t.Fatalf("%+v: %v, want an error on %s", c.prop, err, c.field)
			}
		}
		if _, err := f.sup.WhatIfCalendar(ctx, f.who("unit1"), supervisedb.CalendarProposal{Days: []calendar.Day{{Date: calendar.DateOf(2026, time.March, 9), IsOffDay: true, Name: "x"}}}); !isCode(err, apperr.Forbidden) {
			t.Fatalf("a unit's staff tried a calendar: %v", err)
		}
		if after := stateOf(t, db); after != before {
			t.Fatalf("the what-if wrote: %s → %s", before, after)
		}
	})
}
