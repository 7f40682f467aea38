package caldb_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// L9, L3: two instances on one PostgreSQL, one extending clocks while the
// other adds and removes a regional holiday inside their limits (the lock
// order of calendarIn and bumpVersion: neither deadlocks nor refuses), and
// every clock's next check ends as its rules give it against the final
// calendar. Timing decides whether a stale computation would land last, so
// this does not prove the lock on its own; the lock's reasoning is in
// calendarIn.
func TestClocks_L9_twoInstancesEndWithTrueNextChecks(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	ctx := context.Background()
	a, b := storetest.Instance(t, dsn), storetest.Instance(t, dsn)
	f := setup(t, a)
	now := at(2026, 3, 3, 9)
	clocksA := newClocks(a, caldb.New(a))
	clocksA.SetNow(func() time.Time { return now })
	calsB := caldb.New(b)
	calsB.SetNow(func() time.Time { return now })
	spec := calendar.Spec{Statutory: calendar.Budget{N: 20, Unit: calendar.WorkingDays}, MaxExtension: 20, DueSoonUnits: 3}
	const n = 8
	refs := make([]caldb.Ref, n)
	for i := range refs {
		refs[i] = caldb.Ref{ObjectType: "case", ObjectID: fmt.Sprintf("I-%d", i), Kind: "handling"}
		if _, err := clocksA.Create(ctx, "window", refs[i], f.town.ID, spec); err != nil {
			t.Fatal(err)
		}
		if _, err := clocksA.Start(ctx, "window", refs[i], at(2026, 3, 2, 10)); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	wg.Add(2)
	go func() {
		defer wg.Done()
		for round := 0; round < 10; round++ {
			for _, ref := range refs {
				if _, err := clocksA.Extend(ctx, "head", ref, now, 1, "复杂"); err != nil {
					errs <- err
					return
				}
			}
		}
	}()
	go func() {
		defer wg.Done()
		day := calendar.DateOf(2026, 3, 11)
		for round := 0; round < 10; round++ {
			if _, err := calsB.AddRegionalHoliday(ctx, f.districtAdmin, f.district.ID, day, "地方节日", true); err != nil {
				errs <- err
				return
			}
			rd, err := calsB.OwnRegionalDay(ctx, f.districtAdmin, f.district.ID, day)
			if err != nil {
				errs <- err
				return
			}
			if round < 9 { // the holiday stays after the last round
				if err := calsB.RemoveRegionalHoliday(ctx, f.districtAdmin, f.district.ID, day, rd.Version); err != nil {
					errs <- err
					return
				}
			}
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	cal, err := caldb.New(a).Calendar(ctx, f.town.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := cal.IsWorkingDay(calendar.DateOf(2026, 3, 11)); ok {
		t.Fatal("test setup: the regional holiday is not in the final calendar")
	}
	for _, ref := range refs {
		rec, err := clocksA.Get(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		w, err := rec.Clock.Watch(cal, now)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Clock.Extended() != 10 || !rec.NextCheck.Equal(w.Next) {
			t.Fatalf("%s: extended %d, next check %s, want %s from the final calendar", ref, rec.Clock.Extended(), rec.NextCheck, w.Next)
		}
	}
	rep, err := a.Verify(ctx, nil)
	if err != nil || !rep.OK() {
		t.Fatalf("verify: %+v, %v", rep, err)
	}
}
