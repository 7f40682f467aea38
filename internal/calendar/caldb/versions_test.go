package caldb_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

// TestBusinessHours_H1_noLostUpdate: two administrators read a body's
// business hours and save different ones at once from that read: one is
// saved, the other refused as stale and changes nothing. Clearing keeps
// the setting's row, so after clear-and-set the version is not one an old
// read had (no edit from before the clear passes).
func TestBusinessHours_H1_noLostUpdate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		for trial := range 5 {
			// Both differ from what is stored: setting the stored hours again is no change.
			specs := [2]string{fmt.Sprintf("08:%02d-12:00", 2*trial), fmt.Sprintf("08:%02d-12:00", 2*trial+1)}
			base := hoursOf(t, f.svc, f.town.ID).Version
			var errs [2]error
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					_, errs[i] = f.svc.SetBusinessHours(ctx, f.districtAdmin, f.town.ID, base, specs[i])
				}()
			}
			close(start)
			wg.Wait()
			won := -1
			for i, err := range errs {
				switch {
				case err == nil && won < 0:
					won = i
				case err == nil:
					t.Fatalf("trial %d: both saves based on version %d went through", trial, base)
				case !apperr.IsStale(err):
					t.Fatalf("trial %d: the losing save: %v", trial, err)
				}
			}
			if won < 0 {
				t.Fatalf("trial %d: neither save went through: %v", trial, errs)
			}
			h := hoursOf(t, f.svc, f.town.ID)
			if h.Hours != specs[won] || h.Version != base+1 {
				t.Fatalf("trial %d: stored %s at %d, want %s at %d", trial, h.Hours, h.Version, specs[won], base+1)
			}
		}
		before := hoursOf(t, f.svc, f.town.ID)
		if _, err := f.svc.SetBusinessHours(ctx, f.districtAdmin, f.town.ID, before.Version, ""); err != nil {
			t.Fatal(err)
		}
		cleared := hoursOf(t, f.svc, f.town.ID)
		if cleared.Own || cleared.Version != before.Version+1 {
			t.Fatalf("cleared: %+v", cleared)
		}
		if _, err := f.svc.SetBusinessHours(ctx, f.districtAdmin, f.town.ID, cleared.Version, before.Hours); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SetBusinessHours(ctx, f.districtAdmin, f.town.ID, before.Version, "10:00-11:00"); !apperr.IsStale(err) {
			t.Fatalf("a save read before the clear: %v", err)
		}
		if _, err := f.svc.SetBusinessHours(ctx, f.districtAdmin, f.town.ID, 0, "10:00-11:00"); apperr.CodeOf(err) != apperr.VersionRequired {
			t.Fatalf("a save without a version: %v", err)
		}
		f.verify(t)
	})
}

// TestRegionalDays_H1_aRemovalNamesTheDayItSaw: a regional day removed and
// added again is a newer version of the same row, so a removal pressed on a
// page that showed the first one is refused and removes nothing.
func TestRegionalDays_H1_aRemovalNamesTheDayItSaw(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		wed := calendar.DateOf(2026, 7, 15)
		first, err := f.svc.AddRegionalHoliday(ctx, f.districtAdmin, f.district.ID, wed, "民族节", true)
		if err != nil || first.Version != 1 {
			t.Fatalf("added: %+v %v", first, err)
		}
		if err := f.svc.RemoveRegionalHoliday(ctx, f.districtAdmin, f.district.ID, wed, first.Version); err != nil {
			t.Fatal(err)
		}
		again, err := f.svc.AddRegionalHoliday(ctx, f.districtAdmin, f.district.ID, wed, "补班", false)
		if err != nil || again.ID != first.ID || again.Version != 3 {
			t.Fatalf("added again: %+v %v", again, err)
		}
		if err := f.svc.RemoveRegionalHoliday(ctx, f.districtAdmin, f.district.ID, wed, first.Version); !apperr.IsStale(err) {
			t.Fatalf("removing the day as first added: %v", err)
		}
		days, err := f.svc.RegionalHolidays(ctx, f.districtAdmin, f.town.ID)
		if err != nil || len(days) != 1 || days[0].Name != "补班" {
			t.Fatalf("after the refused removal: %+v %v", days, err)
		}
		if err := f.svc.RemoveRegionalHoliday(ctx, f.districtAdmin, f.district.ID, wed, again.Version); err != nil {
			t.Fatal(err)
		}
		if days, err := f.svc.RegionalHolidays(ctx, f.districtAdmin, f.town.ID); err != nil || len(days) != 0 {
			t.Fatalf("after removing: %+v %v", days, err)
		}
		f.verify(t)
	})
}

// TestSetDay_H1_aDayNamesTheCalendarItSaw: a day's version moves when the
// year that may name it changes, so an edit of the day read before is
// refused as stale; one without a version (the single-day form) is not
// checked.
func TestSetDay_H1_aDayNamesTheCalendarItSaw(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		tue := calendar.DateOf(2026, 3, 3)
		day, err := f.svc.Day(ctx, tue)
		if err != nil || !day.Working || day.Version != 1 {
			t.Fatalf("day: %+v %v", day, err)
		}
		if _, err := f.svc.SetDay(ctx, f.admin, calendar.DateOf(2026, 3, 10), 0, true, "另一天"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SetDay(ctx, f.admin, tue, day.Version, true, "临时休假"); !apperr.IsStale(err) {
			t.Fatalf("an edit read before the year changed: %v", err)
		}
		now, err := f.svc.Day(ctx, tue)
		if err != nil || !now.Working || now.Version != 2 {
			t.Fatalf("the refused edit changed the day: %+v %v", now, err)
		}
		if _, err := f.svc.SetDay(ctx, f.admin, tue, now.Version, true, "临时休假"); err != nil {
			t.Fatal(err)
		}
		if now, err = f.svc.Day(ctx, tue); err != nil || now.Working || now.Name != "临时休假" || now.Year != 2026 {
			t.Fatalf("after the edit: %+v %v", now, err)
		}
		f.verify(t)
	})
}
