package caldb_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// fixedNow sets the instant both the clocks and the calendar service
// compute next checks from.
func fixedNow(f *fixture, clocks written, now time.Time) {
	f.svc.SetNow(func() time.Time { return now })
	clocks.SetNow(func() time.Time { return now })
}

// wantNext reads the clock and compares its next check.
func wantNext(t *testing.T, clocks written, ref caldb.Ref, want time.Time, what string) caldb.Record {
	t.Helper()
	rec, err := clocks.Get(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	if !rec.NextCheck.Equal(want) {
		t.Fatalf("%s: next check %s, want %s", what, rec.NextCheck.In(sh), want.In(sh))
	}
	return rec
}

// soonStart is the instant a limit due at the end of day due becomes due
// soon when k working days remain, today included: the day after the k-th
// working day before due begins.
func soonStart(t *testing.T, cal *calendar.Calendar, due calendar.Date, k int) time.Time {
	t.Helper()
	d, err := cal.AddWorkingDays(due, -k)
	if err != nil {
		t.Fatal(err)
	}
	return (d + 1).Start(sh)
}

// dueRefs reads the clocks due by until.
func dueRefs(t *testing.T, clocks written, until time.Time) []string {
	t.Helper()
	ds, err := clocks.Due(context.Background(), until, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range ds {
		var id string
		if err := clocks.db.QueryRow(context.Background(), `SELECT object_id FROM clocks WHERE id = ?`, d.ID).Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

// L9, L3, L10: a holiday inserted in the middle of a running limit (a
// corrected year's notice) moves its due date and its next check by the
// same working day, in the write that inserts it; the sweep then finds the
// clock at the new instant, not the old.
func TestClocks_L9_holidayInsertedMidLimitMovesDueAndNextCheck(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		clocks := newClocks(db, f.svc)
		start, now := at(2026, 3, 2, 10), at(2026, 3, 3, 9)
		fixedNow(f, clocks, now)
		ref := caldb.Ref{ObjectType: "case", ObjectID: "QS-1", Kind: "handling"}
		spec := calendar.LicensingDecision // 20 working days, due soon 3 days ahead
		if _, err := clocks.Create(ctx, "window", ref, f.town.ID, spec); err != nil {
			t.Fatal(err)
		}
		wantNext(t, clocks, ref, time.Time{}, "not started")
		if _, err := clocks.Start(ctx, "window", ref, start); err != nil {
			t.Fatal(err)
		}
		cal0, err := f.svc.Calendar(ctx, f.town.ID)
		if err != nil {
			t.Fatal(err)
		}
		due0, _ := cal0.AddWorkingDays(cal0.Date(start), 20)
		soon0 := soonStart(t, cal0, due0, 3)
		rec := wantNext(t, clocks, ref, soon0, "started")
		if rec.Standing != "running" {
			t.Fatalf("standing %q", rec.Standing)
		}

		hol := calendar.DateOf(2026, 3, 20) // a Friday inside the limit
		if hol <= cal0.Date(start) || hol.Start(sh).After(soon0) {
			t.Fatalf("test setup: %s not inside (%s, %s)", hol, cal0.Date(start), soon0)
		}
		file := withDay(t, embeddedYear(t, 2026), calendar.Day{Name: "更正", Date: hol, IsOffDay: true})
		if _, err := f.svc.ImportYear(ctx, f.admin, file, "2026.json"); err != nil {
			t.Fatal(err)
		}
		st, err := clocks.Status(ctx, ref, now)
		if err != nil {
			t.Fatal(err)
		}
		due1, _ := cal0.NextWorkingDay(due0)
		soon1 := soonStart(t, cal0, due1, 3)
		if st.DueDate != due1 {
			t.Fatalf("due %s, want %s (one working day after %s)", st.DueDate, due1, due0)
		}
		if !soon1.After(soon0) {
			t.Fatalf("test setup: %s not after %s", soon1, soon0)
		}
		wantNext(t, clocks, ref, soon1, "after the holiday")
		if got := dueRefs(t, clocks, soon0); len(got) != 0 {
			t.Fatalf("due at the old instant: %v", got)
		}
		if got := dueRefs(t, clocks, soon1); len(got) != 1 || got[0] != "QS-1" {
			t.Fatalf("due at the new instant: %v", got)
		}

		// A single day set back to working moves both back.
		if _, err := f.svc.SetDay(ctx, f.admin, hol, 0, false, ""); err != nil {
			t.Fatal(err)
		}
		wantNext(t, clocks, ref, soon0, "after the correction is undone")
		f.verify(t)
	})
}

// L9, O1: a regional holiday moves the clocks of the bodies under the body
// that declares it, and no other body's; removing it moves them back.
func TestClocks_L9_regionalDayMovesOnlyItsSubtreesClocks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		clocks := newClocks(db, f.svc)
		start := at(2026, 3, 2, 10)
		fixedNow(f, clocks, at(2026, 3, 3, 9))
		town := caldb.Ref{ObjectType: "case", ObjectID: "T-1", Kind: "handling"}
		other := caldb.Ref{ObjectType: "case", ObjectID: "O-1", Kind: "handling"}
		for ref, body := range map[caldb.Ref]int64{town: f.town.ID, other: f.other.ID} {
			if _, err := clocks.Create(ctx, "window", ref, body, calendar.SupplementNotice); err != nil {
				t.Fatal(err)
			}
			if _, err := clocks.Start(ctx, "window", ref, start); err != nil {
				t.Fatal(err)
			}
		}
		cal, err := f.svc.Calendar(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		// 5 working days, due soon with 1 left: from the day after the 4th.
		due, _ := cal.AddWorkingDays(cal.Date(start), 5)
		soon := soonStart(t, cal, due, 1)
		wantNext(t, clocks, town, soon, "town")
		wantNext(t, clocks, other, soon, "other district")

		hol := calendar.DateOf(2026, 3, 4)
		if _, err := f.svc.AddRegionalHoliday(ctx, f.districtAdmin, f.district.ID, hol, "地方节日", true); err != nil {
			t.Fatal(err)
		}
		later, _ := cal.NextWorkingDay(due)
		wantNext(t, clocks, town, soonStart(t, cal, later, 1), "town after the district's holiday")
		wantNext(t, clocks, other, soon, "the other district, untouched")

		rd, err := f.svc.OwnRegionalDay(ctx, f.districtAdmin, f.district.ID, hol)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.RemoveRegionalHoliday(ctx, f.districtAdmin, f.district.ID, hol, rd.Version); err != nil {
			t.Fatal(err)
		}
		wantNext(t, clocks, town, soon, "town after the holiday's removal")

		// A change that moves a standing at once makes the clock due at
		// once: 5 working days from Thursday 5 March end on Thursday 12;
		// on Wednesday 11 two remain. A regional working Saturday (7
		// March) brings the end to Wednesday: one remains, due soon now.
		late := caldb.Ref{ObjectType: "case", ObjectID: "T-2", Kind: "handling"}
		wed := at(2026, 3, 11, 10)
		fixedNow(f, clocks, wed.Add(-time.Hour))
		if _, err := clocks.Create(ctx, "window", late, f.town.ID, calendar.SupplementNotice); err != nil {
			t.Fatal(err)
		}
		if _, err := clocks.Start(ctx, "window", late, at(2026, 3, 5, 10)); err != nil {
			t.Fatal(err)
		}
		wantNext(t, clocks, late, at(2026, 3, 12, 0), "started Thursday")
		fixedNow(f, clocks, wed)
		if _, err := f.svc.AddRegionalHoliday(ctx, f.districtAdmin, f.district.ID, calendar.DateOf(2026, 3, 7), "调休上班", false); err != nil {
			t.Fatal(err)
		}
		rec := wantNext(t, clocks, late, wed, "due soon by the change itself")
		var checked caldb.Checked
		err = db.Write(ctx, func(tx *store.Tx) error {
			var err error
			checked, err = clocks.Check(ctx, tx, rec.ID, wed)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if checked.Was != "running" || checked.Standing != "due_soon" || !checked.NextCheck.Equal(at(2026, 3, 12, 0)) {
			t.Fatalf("swept: was %q, now %q, next %s", checked.Was, checked.Standing, checked.NextCheck)
		}
		f.verify(t)
	})
}

// L11: a limit in working hours follows the body's business hours, and so
// does its next check when they change.
func TestClocks_L11_businessHoursMoveWorkingHourClocks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		clocks := newClocks(db, f.svc)
		mon := at(2026, 3, 2, 9)
		fixedNow(f, clocks, mon)
		ref := caldb.Ref{ObjectType: "case", ObjectID: "H-1", Kind: "reply"}
		if _, err := clocks.Create(ctx, "window", ref, f.town.ID, calendar.Spec{Statutory: calendar.Budget{N: 3, Unit: calendar.WorkingHours}}); err != nil {
			t.Fatal(err)
		}
		if _, err := clocks.Start(ctx, "window", ref, mon); err != nil {
			t.Fatal(err)
		}
		st, err := clocks.Status(ctx, ref, mon)
		if err != nil {
			t.Fatal(err)
		}
		wantNext(t, clocks, ref, st.Due, "default hours")
		h, err := f.svc.BusinessHours(ctx, f.town.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SetBusinessHours(ctx, f.districtAdmin, f.town.ID, h.Version, "09:00-10:00"); err != nil {
			t.Fatal(err)
		}
		// One hour on each working day: Monday, Tuesday, then Wednesday 10:00.
		wantNext(t, clocks, ref, at(2026, 3, 4, 10), "after the town's hours")
	})
}

// L4: a special procedure approved for 10 working days is checked when it
// has lasted them; one without a maximum has no next check; finished clocks
// have none either, and a sweep's Check settles a standing and moves the
// next check past the instant it checked.
func TestClocks_L4_pauseMaxFinishAndCheck(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		clocks := newClocks(db, f.svc)
		start, pause := at(2026, 3, 2, 10), at(2026, 3, 4, 10)
		fixedNow(f, clocks, pause)
		ref := caldb.Ref{ObjectType: "case", ObjectID: "P-1", Kind: "handling"}
		if _, err := clocks.Create(ctx, "window", ref, f.town.ID, calendar.LicensingDecision); err != nil {
			t.Fatal(err)
		}
		if _, err := clocks.Start(ctx, "window", ref, start); err != nil {
			t.Fatal(err)
		}
		max := calendar.Budget{N: 10, Unit: calendar.WorkingDays}
		if _, err := clocks.Apply(ctx, "head", ref, calendar.Event{Kind: calendar.Pause, At: pause, Reason: calendar.SpecialProcedure, Max: max}); err != nil {
			t.Fatal(err)
		}
		cal, err := f.svc.Calendar(ctx, f.town.ID)
		if err != nil {
			t.Fatal(err)
		}
		end, _ := cal.AddWorkingDays(cal.Date(pause), 10)
		wantNext(t, clocks, ref, cal.End(end), "paused for at most 10 working days")

		// The sweep at the pause's end: the standing changed.
		rec, err := clocks.Get(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		var checked caldb.Checked
		err = db.Write(ctx, func(tx *store.Tx) error {
			var err error
			checked, err = clocks.Check(ctx, tx, rec.ID, cal.End(end))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if checked.Was != "paused" || checked.Standing != "paused,"+calendar.PauseOver || !checked.NextCheck.IsZero() || checked.Status.State != calendar.Paused {
			t.Fatalf("checked: was %q, now %q, next %s, status %s", checked.Was, checked.Standing, checked.NextCheck, checked.Status.State)
		}
		wantNext(t, clocks, ref, time.Time{}, "after the sweep")

		fixedNow(f, clocks, cal.End(end))
		if _, err := clocks.Resume(ctx, "window", ref, cal.End(end)); err != nil {
			t.Fatal(err)
		}
		if rec := wantNext(t, clocks, ref, wantNextAfterResume(t, clocks, cal, ref), "resumed"); rec.Standing == "" {
			t.Fatal("no standing after the resume")
		}
		fixedNow(f, clocks, cal.End(end).Add(time.Hour))
		if _, err := clocks.Finish(ctx, "window", ref, cal.End(end).Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if rec := wantNext(t, clocks, ref, time.Time{}, "finished"); rec.Standing != "finished" {
			t.Fatalf("finished standing %q", rec.Standing)
		}
		if got := dueRefs(t, clocks, at(2030, 1, 1, 0)); len(got) != 0 {
			t.Fatalf("a finished clock is due: %v", got)
		}
		f.verify(t)
	})
}

// wantNextAfterResume is the next check the rules give a resumed clock:
// its Watch at the service's instant.
func wantNextAfterResume(t *testing.T, clocks written, cal *calendar.Calendar, ref caldb.Ref) time.Time {
	t.Helper()
	rec, err := clocks.Get(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	evs := rec.Clock.Events()
	w, err := rec.Clock.Watch(cal, evs[len(evs)-1].At)
	if err != nil {
		t.Fatal(err)
	}
	if w.Next.IsZero() {
		t.Fatal("a running clock without a next check")
	}
	return w.Next
}

// L10: Due reads the clocks whose next check has come, earliest first,
// within the limit; bad arguments are named and change nothing.
func TestClocks_L10_dueReadsWhatIsDueInOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		clocks := newClocks(db, f.svc)
		fixedNow(f, clocks, at(2026, 3, 2, 9))
		// Started on successive days: their next checks follow that order.
		ids := []string{"D-3", "D-1", "D-2"}
		starts := []time.Time{at(2026, 3, 4, 10), at(2026, 3, 2, 10), at(2026, 3, 3, 10)}
		for i, id := range ids {
			ref := caldb.Ref{ObjectType: "case", ObjectID: id, Kind: "handling"}
			if _, err := clocks.Create(ctx, "window", ref, f.town.ID, calendar.SupplementNotice); err != nil {
				t.Fatal(err)
			}
			if _, err := clocks.Start(ctx, "window", ref, starts[i]); err != nil {
				t.Fatal(err)
			}
		}
		if got := strings.Join(dueRefs(t, clocks, at(2026, 12, 31, 0)), " "); got != "D-1 D-2 D-3" {
			t.Fatalf("due: %s", got)
		}
		ds, err := clocks.Due(ctx, at(2026, 12, 31, 0), 2)
		if err != nil || len(ds) != 2 || ds[0].BodyID != f.town.ID || ds[0].NextCheck.After(ds[1].NextCheck) {
			t.Fatalf("limit 2: %+v, %v", ds, err)
		}
		if got := dueRefs(t, clocks, ds[0].NextCheck); len(got) != 1 {
			t.Fatalf("due by the first's next check: %v", got)
		}
		if got := dueRefs(t, clocks, ds[0].NextCheck.Add(-time.Microsecond)); len(got) != 0 {
			t.Fatalf("due a microsecond earlier: %v", got)
		}
		for _, bad := range []struct {
			until time.Time
			limit int
			field string
		}{{time.Time{}, 10, "until"}, {at(2026, 3, 2, 9), 0, "limit"}, {at(2026, 3, 2, 9), caldb.MaxDue + 1, "limit"}} {
			_, err := clocks.Due(ctx, bad.until, bad.limit)
			ae := apperr.As(err)
			if ae == nil || ae.Code != apperr.Invalid || ae.Field != bad.field || ae.Message("zh") == "" || ae.Message("en") == "" {
				t.Fatalf("Due(%v, %d): %v, want invalid %s", bad.until, bad.limit, err, bad.field)
			}
		}
	})
}

// The sweep's read is an index range scan of clocks_next_check, not a scan
// of the table, on both engines (and in the index's order on SQLite).
func TestClocks_L10_dueIsAnIndexRangeScan(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		until := at(2026, 6, 1, 0)
		fillClocks(t, db, f.town.ID, 20000, 200, until)
		q := caldb.DueSQL
		args := []any{store.Micros(until), 200}
		var plan []string
		rows, err := db.Query(ctx, "EXPLAIN "+map[store.Dialect]string{store.SQLite: "QUERY PLAN ", store.Postgres: ""}[db.Dialect()]+q, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, strings.TrimSpace(toString(vals[len(vals)-1])))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		all := strings.Join(plan, " | ")
		// PostgreSQL may sort the rows of the range it read (a bitmap scan
		// of the index) when they are few beside the limit: a cost of the
		// due rows, not of the table.
		ok := strings.Contains(all, "clocks_next_check") && !strings.Contains(all, "TEMP B-TREE") &&
			!strings.Contains(all, "Seq Scan") && !strings.Contains(all, "SCAN clocks")
		if !ok {
			t.Fatalf("plan of Due: %s", all)
		}
		ds, err := newClocks(db, f.svc).Due(ctx, until, 1000)
		if err != nil || len(ds) != 200 {
			t.Fatalf("due of the generated: %d, %v", len(ds), err)
		}
	})
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	}
	return ""
}

// L9: a correction reaching 300 clocks moves every one of them to the next
// check its rules give against the corrected calendar.
func TestClocks_L9_correctionReachingManyClocksMovesEachOne(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		until := at(2026, 6, 1, 0)
		fillClocks(t, db, f.town.ID, 300, 0, until) // started 22 May, none due
		now := until.AddDate(0, 0, -9)
		f.svc.SetNow(func() time.Time { return now })
		if _, err := f.svc.SetDay(ctx, f.admin, calendar.DateOf(2026, 5, 26), 0, true, "更正"); err != nil {
			t.Fatal(err)
		}
		cal, err := f.svc.Calendar(ctx, f.town.ID)
		if err != nil {
			t.Fatal(err)
		}
		clocks := newClocks(db, f.svc)
		rows, err := db.Query(ctx, `SELECT object_id FROM clocks ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		if len(ids) != 300 {
			t.Fatalf("%d clocks", len(ids))
		}
		for _, id := range ids {
			rec, err := clocks.Get(ctx, caldb.Ref{ObjectType: "case", ObjectID: id, Kind: "handling"})
			if err != nil {
				t.Fatal(err)
			}
			w, err := rec.Clock.Watch(cal, now)
			if err != nil {
				t.Fatal(err)
			}
			if !rec.NextCheck.Equal(w.Next) {
				t.Fatalf("%s: next check %s, want %s", id, rec.NextCheck, w.Next)
			}
		}
	})
}
