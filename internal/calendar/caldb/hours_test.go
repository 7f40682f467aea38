package caldb_test

import (
	"context"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
)

const districtHours = "08:30-12:00,14:00-17:30"

func hoursOf(t *testing.T, svc *caldb.Service, body int64) caldb.BodyHours {
	t.Helper()
	h, err := svc.BusinessHours(context.Background(), body)
	if err != nil {
		t.Fatalf("BusinessHours(%d): %v", body, err)
	}
	return h
}

func calHours(t *testing.T, svc *caldb.Service, body int64) string {
	t.Helper()
	cal, err := svc.Calendar(context.Background(), body)
	if err != nil {
		t.Fatal(err)
	}
	return cal.BusinessHours().String()
}

// dueWorkingHours is the due instant of n working hours from start in the
// body's calendar.
func dueWorkingHours(t *testing.T, svc *caldb.Service, body int64, start time.Time, n int) time.Time {
	t.Helper()
	cal, err := svc.Calendar(context.Background(), body)
	if err != nil {
		t.Fatal(err)
	}
	due, err := cal.AddWorkingHours(start, time.Duration(n)*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return due
}

// L11: hours on the clock are fixed by law; working hours run inside the
// business hours, which are the configurable part: set per body, inherited
// by the subtree, overridden below, and restored by clearing.
func TestBusinessHours_L11_inheritOverrideClear(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		def := calendar.DefaultBusinessHours.String()
		if h := hoursOf(t, f.svc, f.town.ID); !h.Default || h.Hours != def || h.FromBodyID != 0 {
			t.Fatalf("before any setting: %+v", h)
		}
		mon := time.Date(2026, 3, 2, 8, 30, 0, 0, sh) // a working Monday, 08:30
		// Default 09:00-12:00: 3 hours from the 09:00 opening end at 12:00.
		if got := dueWorkingHours(t, f.svc, f.town.ID, mon, 3); !got.Equal(at(2026, 3, 2, 12)) {
			t.Fatalf("default hours: due %s", got)
		}

		got, err := f.svc.SetBusinessHours(ctx, f.districtAdmin, f.district.ID, hoursOf(t, f.svc, f.district.ID).Version, " 8:30-12:00, 14:00-17:30 ")
		if err != nil {
			t.Fatal(err)
		}
		if !got.Own || got.Hours != districtHours || got.PerDayMinutes != 7*60 || got.UpdatedBy != "district-admin" {
			t.Fatalf("district's own: %+v (stored canonical?)", got)
		}
		// The town below inherits it, and names where it comes from.
		th := hoursOf(t, f.svc, f.town.ID)
		if th.Own || th.Default || th.Hours != districtHours || th.FromBodyID != f.district.ID || th.FromBodyName != "区" {
			t.Fatalf("town inherits: %+v", th)
		}
		if h := calHours(t, f.svc, f.town.ID); h != districtHours {
			t.Fatalf("town calendar hours %s", h)
		}
		// A due in working hours follows them: 08:30 + 3 h = 11:30.
		if got := dueWorkingHours(t, f.svc, f.town.ID, mon, 3); !got.Equal(time.Date(2026, 3, 2, 11, 30, 0, 0, sh)) {
			t.Fatalf("district hours: due %s, want 11:30", got)
		}
		// …also for a stored clock of the town (read at status time).
		clocks := newClocks(db, f.svc)
		ref := caldb.Ref{ObjectType: "case", ObjectID: "H-1", Kind: "reply"}
		if _, err := clocks.Create(ctx, "window", ref, f.town.ID, calendar.Spec{Statutory: calendar.Budget{N: 5, Unit: calendar.WorkingHours}}); err != nil {
			t.Fatal(err)
		}
		if _, err := clocks.Start(ctx, "window", ref, mon); err != nil {
			t.Fatal(err)
		}
		st, err := clocks.Status(ctx, ref, mon)
		if err != nil {
			t.Fatal(err)
		}
		// 08:30-12:00 is 3.5 h; 1.5 h more from 14:00.
		if !st.Due.Equal(time.Date(2026, 3, 2, 15, 30, 0, 0, sh)) {
			t.Fatalf("clock in working hours: due %s, want 15:30", st.Due)
		}
		// Beside and above the district nothing changes.
		for _, b := range []int64{0, f.city.ID, f.other.ID} {
			if h := calHours(t, f.svc, b); h != def {
				t.Fatalf("body %d: hours %s, want the default", b, h)
			}
		}

		// The town overrides: 09:00-11:00 gives 2 h on Monday, 1 h Tuesday.
		if _, err := f.svc.SetBusinessHours(ctx, f.districtAdmin, f.town.ID, hoursOf(t, f.svc, f.town.ID).Version, "09:00-11:00"); err != nil {
			t.Fatal(err)
		}
		if th := hoursOf(t, f.svc, f.town.ID); !th.Own || th.Hours != "09:00-11:00" || th.FromBodyID != f.town.ID {
			t.Fatalf("town's own: %+v", th)
		}
		if got := dueWorkingHours(t, f.svc, f.town.ID, mon, 3); !got.Equal(at(2026, 3, 3, 10)) {
			t.Fatalf("town hours: due %s, want Tuesday 10:00", got)
		}
		if h := calHours(t, f.svc, f.district.ID); h != districtHours {
			t.Fatalf("district keeps its own: %s", h)
		}
		st, err = clocks.Status(ctx, ref, mon)
		if err != nil {
			t.Fatal(err)
		}
		if !st.Due.Equal(at(2026, 3, 4, 10)) { // 2 + 2 h, then 1 h on Wednesday
			t.Fatalf("clock after the override: due %s, want Wednesday 10:00", st.Due)
		}

		// Clearing restores inheritance; clearing again changes nothing.
		if _, err := f.svc.SetBusinessHours(ctx, f.districtAdmin, f.town.ID, hoursOf(t, f.svc, f.town.ID).Version, ""); err != nil {
			t.Fatal(err)
		}
		if th := hoursOf(t, f.svc, f.town.ID); th.Own || th.Hours != districtHours || th.FromBodyID != f.district.ID {
			t.Fatalf("town after clearing: %+v", th)
		}
		before := eventCount(t, db)
		if _, err := f.svc.SetBusinessHours(ctx, f.districtAdmin, f.town.ID, hoursOf(t, f.svc, f.town.ID).Version, "  "); err != nil {
			t.Fatal(err)
		}
		// Setting what is already set records nothing either.
		if _, err := f.svc.SetBusinessHours(ctx, f.districtAdmin, f.district.ID, hoursOf(t, f.svc, f.district.ID).Version, districtHours); err != nil {
			t.Fatal(err)
		}
		if eventCount(t, db) != before {
			t.Fatal("a no-op change was recorded")
		}
		if _, err := f.svc.SetBusinessHours(ctx, f.districtAdmin, f.district.ID, hoursOf(t, f.svc, f.district.ID).Version, ""); err != nil {
			t.Fatal(err)
		}
		if th := hoursOf(t, f.svc, f.town.ID); !th.Default || th.Hours != def {
			t.Fatalf("all cleared: %+v", th)
		}
		if got := dueWorkingHours(t, f.svc, f.town.ID, mon, 3); !got.Equal(at(2026, 3, 2, 12)) {
			t.Fatalf("default hours again: due %s", got)
		}
		if _, err := f.svc.BusinessHours(ctx, 999); apperr.CodeOf(err) != apperr.NotFound {
			t.Fatalf("unknown body: %v", err)
		}
		f.verify(t)
	})
}

// A bad spec is refused naming the field; refused principals are refused;
// neither stores anything nor records an event.
func TestBusinessHours_badSpecAndJurisdictionChangeNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		town2, err := org.NewService(db).CreateBody(ctx, org.System, org.BodyInput{ParentID: f.district.ID, Level: org.LevelTown, Code: "330102002", Name: "另一街道"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SetBusinessHours(ctx, f.districtAdmin, f.district.ID, hoursOf(t, f.svc, f.district.ID).Version, districtHours); err != nil {
			t.Fatal(err)
		}
		townAdmin := access.Principal{Login: "town-admin", Roles: []access.Role{access.RoleAdmin}, BodyID: f.town.ID, BodyPath: f.town.Path}
		before := eventCount(t, db)
		for _, spec := range []string{"25:00-26:00", "09:00", "12:00-09:00", "09:00-12:00,11:00-13:00", "9-12"} {
			_, err := f.svc.SetBusinessHours(ctx, f.districtAdmin, f.town.ID, hoursOf(t, f.svc, f.town.ID).Version, spec)
			wantCode(t, err, apperr.Invalid)
			if e := apperr.As(err); e.Field != "business_hours" || e.Message("zh") == "" || e.Message("en") == "" {
				t.Errorf("%q: error %+v, want field business_hours in both languages", spec, e)
			}
		}
		for _, c := range []struct {
			name string
			p    access.Principal
			body int64
		}{
			{"town admin on another town", townAdmin, town2.ID},
			{"town admin on its district", townAdmin, f.district.ID},
			{"other district's admin", f.otherAdmin, f.town.ID},
			{"window staff", f.staff, f.town.ID},
			{"nobody", access.Principal{}, f.town.ID},
		} {
			_, err := f.svc.SetBusinessHours(ctx, c.p, c.body, hoursOf(t, f.svc, c.body).Version, "10:00-11:00")
			if apperr.CodeOf(err) != apperr.Forbidden {
				t.Errorf("%s: %v, want forbidden", c.name, err)
			}
		}
		if eventCount(t, db) != before {
			t.Fatal("refused changes were recorded")
		}
		for _, b := range []int64{f.town.ID, town2.ID} {
			if h := hoursOf(t, f.svc, b); h.Own || h.Hours != districtHours {
				t.Fatalf("body %d after refused changes: %+v", b, h)
			}
		}
		// The town admin may set its own town.
		if _, err := f.svc.SetBusinessHours(ctx, townAdmin, f.town.ID, hoursOf(t, f.svc, f.town.ID).Version, "09:00-12:00"); err != nil {
			t.Fatal(err)
		}
		f.verify(t)
	})
}

// A second instance on the same database sees a change at once: the change
// bumps the calendar version its cache is keyed on.
func TestBusinessHours_seenByAnotherInstance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		reader := caldb.New(db)
		def := calendar.DefaultBusinessHours.String()
		if h := calHours(t, reader, f.town.ID); h != def {
			t.Fatalf("reader before: %s", h)
		}
		if _, err := f.svc.SetBusinessHours(ctx, f.admin, f.district.ID, hoursOf(t, f.svc, f.district.ID).Version, districtHours); err != nil {
			t.Fatal(err)
		}
		if h := calHours(t, reader, f.town.ID); h != districtHours {
			t.Fatalf("reader after set: %s, the second instance serves stale hours", h)
		}
		if h := hoursOf(t, reader, f.town.ID); h.FromBodyID != f.district.ID {
			t.Fatalf("reader's effective hours: %+v", h)
		}
		if _, err := f.svc.SetBusinessHours(ctx, f.admin, f.district.ID, hoursOf(t, f.svc, f.district.ID).Version, ""); err != nil {
			t.Fatal(err)
		}
		if h := calHours(t, reader, f.town.ID); h != def {
			t.Fatalf("reader after clear: %s", h)
		}
		f.verify(t)
	})
}
