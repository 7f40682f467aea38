package caldb_test

import (
	"context"
	"testing"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// L10, L9: a clock change prepared before its write (read, checked and
// settled outside it) records what Apply records — the same events, the
// same next check — and is refused with nothing changed when the clock
// moved after it was prepared, or the calendar did (a holiday inserted in
// between would otherwise leave a next check computed on the replaced
// calendar).
func TestClocks_L10_L9_preparedChangeIsAppliedOnlyOnTheClockAndCalendarItRead(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		clocks := newClocks(db, f.svc)
		start, now := at(2026, 3, 2, 10), at(2026, 3, 3, 9)
		fixedNow(f, clocks, now)
		a := caldb.Ref{ObjectType: "case", ObjectID: "QS-A", Kind: "handling"}
		b := caldb.Ref{ObjectType: "case", ObjectID: "QS-B", Kind: "handling"}
		for _, r := range []caldb.Ref{a, b} {
			if _, err := clocks.Create(ctx, "window", r, f.town.ID, calendar.LicensingDecision); err != nil {
				t.Fatal(err)
			}
		}
		apply := func(ch caldb.Change) error {
			return db.Write(ctx, func(tx *store.Tx) error { return clocks.ApplyPrepared(ctx, tx, "window", ch) })
		}
		startEv := []calendar.Event{{Kind: calendar.Start, At: start}}

		// Prepared on a, applied as Apply applies it on b: the same result.
		ch, err := clocks.Prepare(ctx, a, startEv)
		if err != nil {
			t.Fatal(err)
		}
		if err := apply(ch); err != nil {
			t.Fatal(err)
		}
		if _, err := clocks.Start(ctx, "window", b, start); err != nil {
			t.Fatal(err)
		}
		ra, err := clocks.Get(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		rb := wantNext(t, clocks, b, ra.NextCheck, "applied, against prepared")
		if ra.NextCheck.IsZero() || ra.Standing != rb.Standing || len(ra.Clock.Events()) != 1 || len(rb.Clock.Events()) != 1 {
			t.Fatalf("prepared %+v, applied %+v", ra, rb)
		}

		refused := func(what string, err error, events int) {
			t.Helper()
			if e := apperr.As(err); e == nil || e.Code != apperr.Conflict || e.Field != caldb.FieldClock ||
				e.Message("zh") == "" || e.Message("en") == "" {
				t.Fatalf("%s: %v", what, err)
			}
			r, err := clocks.Get(ctx, a)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Clock.Events()) != events {
				t.Fatalf("%s: %d events on the clock, want %d", what, len(r.Clock.Events()), events)
			}
		}
		// The clock moved after the change was prepared.
		pause := []calendar.Event{{Kind: calendar.Pause, At: now, Reason: calendar.Supplementation}}
		ch, err = clocks.Prepare(ctx, a, pause)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := clocks.Pause(ctx, "window", a, now, calendar.Supplementation, ""); err != nil {
			t.Fatal(err)
		}
		refused("clock paused in between", apply(ch), 2)
		if _, err := clocks.Resume(ctx, "window", a, now); err != nil {
			t.Fatal(err)
		}

		// The calendar moved after the change was prepared.
		ch, err = clocks.Prepare(ctx, a, pause)
		if err != nil {
			t.Fatal(err)
		}
		file := withDay(t, embeddedYear(t, 2026), calendar.Day{Name: "更正", Date: calendar.DateOf(2026, 3, 20), IsOffDay: true})
		if _, err := f.svc.ImportYear(ctx, f.admin, file, "2026.json"); err != nil {
			t.Fatal(err)
		}
		refused("calendar changed in between", apply(ch), 3)

		// Prepared again: applied.
		if ch, err = clocks.Prepare(ctx, a, pause); err != nil {
			t.Fatal(err)
		}
		if err := apply(ch); err != nil {
			t.Fatal(err)
		}
		if r, err := clocks.Get(ctx, a); err != nil || len(r.Clock.Events()) != 4 || r.Standing == "" {
			t.Fatalf("after the prepared pause: %+v %v", r, err)
		}
		f.verify(t)
	})
}
