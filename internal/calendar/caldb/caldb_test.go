package caldb_test

import (
	"context"
	"encoding/json"
	"strings"
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

var sh = calendar.DefaultLocation

// fixture is a small tree: city ⊃ district ⊃ town, and a second district.
type fixture struct {
	db                          *store.DB
	svc                         *caldb.Service
	city, district, town, other org.Body
	admin, districtAdmin        access.Principal
	otherAdmin, staff           access.Principal
}

func setup(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	o := org.NewService(db)
	mk := func(parent int64, lvl org.Level, code, name string) org.Body {
		b, err := o.CreateBody(ctx, org.System, org.BodyInput{ParentID: parent, Level: lvl, Code: code, Name: name})
		if err != nil {
			t.Fatalf("create body %s: %v", code, err)
		}
		return b
	}
	f := &fixture{db: db, svc: caldb.New(db)}
	f.city = mk(0, org.LevelCity, "330100", "市")
	f.district = mk(f.city.ID, org.LevelDistrict, "330102", "区")
	f.town = mk(f.district.ID, org.LevelTown, "330102001", "街道")
	f.other = mk(f.city.ID, org.LevelDistrict, "330103", "另一区")
	admin := func(login string, b org.Body) access.Principal {
		return access.Principal{Login: login, Roles: []access.Role{access.RoleAdmin}, BodyID: b.ID, BodyPath: b.Path}
	}
	f.admin = admin("admin", f.city)
	f.districtAdmin = admin("district-admin", f.district)
	f.otherAdmin = admin("other-admin", f.other)
	f.staff = access.Principal{Login: "window", Roles: []access.Role{access.RoleWindow}, BodyID: f.city.ID, BodyPath: f.city.Path}
	return f
}

// fixtureAdmin is an administrator for tests that need no bodies (national
// years only). Without bodies only the path "/" covers every body, which the
// national calendar asks (org.TopPath).
func fixtureAdmin() access.Principal {
	return access.Principal{Login: "admin", Roles: []access.Role{access.RoleAdmin}, BodyPath: "/"}
}

func (f *fixture) verify(t *testing.T) {
	t.Helper()
	rep, err := f.db.Verify(context.Background(), nil)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if !rep.OK() {
		t.Fatalf("verify: %s", rep.Mismatch)
	}
}

func eventCount(t *testing.T, db *store.DB) uint64 {
	t.Helper()
	h, err := db.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return h.Size
}

func embeddedYear(t *testing.T, n int) calendar.Year {
	t.Helper()
	ys, err := calendar.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	for _, y := range ys {
		if y.Year == n {
			return y
		}
	}
	t.Fatalf("no embedded %d", n)
	return calendar.Year{}
}

// withDay returns y's holiday-cn JSON with one more day.
func withDay(t *testing.T, y calendar.Year, d calendar.Day) []byte {
	t.Helper()
	y.Days = append(append([]calendar.Day(nil), y.Days...), d)
	b, err := json.Marshal(y)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func wantCode(t *testing.T, err error, code apperr.Code) {
	t.Helper()
	if apperr.CodeOf(err) != code {
		t.Fatalf("error = %v (code %q), want code %q", err, apperr.CodeOf(err), code)
	}
}

func isWork(t *testing.T, cal *calendar.Calendar, d calendar.Date) bool {
	t.Helper()
	ok, err := cal.IsWorkingDay(d)
	if err != nil {
		t.Fatalf("IsWorkingDay(%s): %v", d, err)
	}
	return ok
}

const year2027 = `{"year":2027,"papers":[],"days":[
 {"name":"元旦","date":"2027-01-01","isOffDay":true},
 {"name":"春节","date":"2027-02-08","isOffDay":true}]}`

func TestCalendar_L9_missingYearBannerFromNovember(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		oct31 := time.Date(2026, 10, 31, 23, 59, 0, 0, sh)
		nov1 := time.Date(2026, 11, 1, 0, 0, 0, 0, sh)
		if got, err := f.svc.MissingYears(ctx, oct31); err != nil || len(got) != 0 {
			t.Fatalf("31 Oct: missing %v, %v; want none", got, err)
		}
		got, err := f.svc.MissingYears(ctx, nov1)
		if err != nil || len(got) != 1 || got[0] != 2027 {
			t.Fatalf("1 Nov: missing %v, %v; want [2027]", got, err)
		}
		ns, err := f.svc.Notices(ctx, f.admin, nov1)
		if err != nil || len(ns) != 1 || ns[0].Link != "/admin/calendar/years/2027/edit" || !strings.Contains(ns[0].Message("zh"), "暂定") ||
			!strings.Contains(ns[0].Message("en"), "provisional") || ns[0].Action("en") == "" {
			t.Fatalf("admin notices %+v, %v", ns, err)
		}
		if ns, err := f.svc.Notices(ctx, f.staff, nov1); err != nil || len(ns) != 0 {
			t.Fatalf("non-admin notices %v, %v; want none", ns, err)
		}
		// A question about the missing year is answered provisionally, from
		// its statutory holidays, and says so: 8 February (初三) is off.
		cal, err := f.svc.Calendar(ctx, f.town.ID)
		if err != nil {
			t.Fatal(err)
		}
		due, err := cal.AddWorkingDays(calendar.DateOf(2026, 12, 28), 10)
		if err != nil || due != calendar.DateOf(2027, 1, 12) || !cal.ProvisionalBetween(calendar.DateOf(2026, 12, 28), due) {
			t.Fatalf("AddWorkingDays into 2027: %s, %v; want 2027-01-12, provisional", due, err)
		}
		if isWork(t, cal, calendar.DateOf(2027, 2, 8)) || !isWork(t, cal, calendar.DateOf(2027, 2, 9)) {
			t.Fatal("2027's statutory Spring Festival is not 5–8 February")
		}
		if data, info, err := f.svc.Year(ctx, 2027); err != nil || !info.Provisional || info.Source != caldb.SourceProvisional || len(data.Days) != 13 {
			t.Fatalf("year 2027: %+v %v", info, err)
		}
		if _, err := f.svc.ImportYear(ctx, f.admin, []byte(year2027), "2027.json"); err != nil {
			t.Fatal(err)
		}
		if got, err := f.svc.MissingYears(ctx, nov1); err != nil || len(got) != 0 {
			t.Fatalf("after import: missing %v, %v", got, err)
		}
		cal, err = f.svc.Calendar(ctx, f.town.ID)
		if err != nil {
			t.Fatal(err)
		}
		if isWork(t, cal, calendar.DateOf(2027, 2, 8)) || !isWork(t, cal, calendar.DateOf(2027, 2, 5)) || cal.IsProvisional(2027) {
			t.Fatal("the imported 2027 does not replace the provisional one")
		}
		// The current year missing is reported too.
		if got, err := f.svc.MissingYears(ctx, time.Date(2030, 3, 1, 0, 0, 0, 0, sh)); err != nil || len(got) != 1 || got[0] != 2030 {
			t.Fatalf("2030: missing %v, %v", got, err)
		}
		f.verify(t)
	})
}

func TestImportYear_badFilesChangeNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		before := eventCount(t, db)
		yearsBefore, err := f.svc.Years(ctx)
		if err != nil {
			t.Fatal(err)
		}
		bad := []struct{ name, body, field string }{
			{"2027.json", `{"year":2027,"days":[{"name":"元旦","date":"2027-01-32","isOffDay":true}]}`, ""},
			{"2027.json", `{"year":2027,"days":[{"name":"元旦","date":"2027-01-01","isOffDay":true,"extra":1}]}`, ""},
			{"2027.json", `{"year":2027,"days":[`, ""},
			{"2027.json", `{"year":2027,"days":[{"name":"元旦","date":"2027-01-01","isOffDay":true},{"name":"x","date":"2027-01-01","isOffDay":true}]}`, ""},
			{"2027.ics", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:元旦\r\nDTSTART;VALUE=DATE:20270101\r\nEND:VCALENDAR\r\n", ""},
			{"2027.ics", "not a calendar", ""},
			{"empty.json", "", "file"},
		}
		for _, b := range bad {
			_, err := f.svc.ImportYear(ctx, f.admin, []byte(b.body), b.name)
			wantCode(t, err, apperr.Invalid)
			if ae := apperr.As(err); ae.Field == "" && ae.Message("zh") == "" {
				t.Errorf("%s %q: error names nothing: %v", b.name, b.body, err)
			}
			if b.field != "" && apperr.As(err).Field != b.field {
				t.Errorf("%s: field %q, want %q", b.name, apperr.As(err).Field, b.field)
			}
		}
		// Refused principals change nothing either.
		for _, p := range []access.Principal{f.staff, {}} {
			_, err := f.svc.ImportYear(ctx, p, []byte(year2027), "2027.json")
			wantCode(t, err, apperr.Forbidden)
			_, err = f.svc.SetDay(ctx, p, calendar.DateOf(2026, 3, 3), 0, false, "x")
			wantCode(t, err, apperr.Forbidden)
		}
		if after := eventCount(t, db); after != before {
			t.Fatalf("bad uploads emitted %d events", after-before)
		}
		yearsAfter, err := f.svc.Years(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(yearsAfter) != len(yearsBefore) {
			t.Fatalf("years %v → %v", yearsBefore, yearsAfter)
		}
		cal, err := f.svc.Calendar(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		if cal.Covers(2027) {
			t.Fatal("2027 appeared after bad uploads")
		}
	})
}

func TestImportYear_correctionSeenByAnotherInstance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		reader := caldb.New(db) // a second instance with its own cache
		d := calendar.DateOf(2026, 3, 20)
		cal, err := reader.Calendar(ctx, f.town.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !isWork(t, cal, d) {
			t.Fatal("2026-03-20 is a Friday")
		}
		file := withDay(t, embeddedYear(t, 2026), calendar.Day{Name: "更正", Date: d, IsOffDay: true})
		infos, err := f.svc.ImportYear(ctx, f.admin, file, `C:\notices\2026.json`)
		if err != nil {
			t.Fatal(err)
		}
		if len(infos) != 1 || infos[0].Year != 2026 || infos[0].Source != caldb.SourceUpload || infos[0].FileName != "2026.json" {
			t.Fatalf("infos %+v", infos)
		}
		for _, body := range []int64{0, f.city.ID, f.town.ID} {
			cal, err := reader.Calendar(ctx, body)
			if err != nil {
				t.Fatal(err)
			}
			if isWork(t, cal, d) {
				t.Fatalf("body %d: the second instance still serves the old year", body)
			}
		}
		years, err := reader.Years(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, y := range years {
			if y.Year == 2026 && (y.Source != caldb.SourceUpload || !y.Embedded || y.UpdatedBy != "admin") {
				t.Fatalf("2026: %+v", y)
			}
			if y.Year == 2025 && y.Source != caldb.SourceEmbedded {
				t.Fatalf("2025: %+v", y)
			}
		}
		f.verify(t)
	})
}

func TestSetDay_singleDayEdits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		tue := calendar.DateOf(2026, 3, 3)
		if _, err := f.svc.SetDay(ctx, f.admin, tue, 0, true, ""); apperr.As(err).Field != "name" {
			t.Fatalf("no name: %v", err)
		}
		info, err := f.svc.SetDay(ctx, f.admin, tue, 0, true, "临时休假")
		if err != nil {
			t.Fatal(err)
		}
		if info.Year != 2026 || info.Source != caldb.SourceEdit {
			t.Fatalf("info %+v", info)
		}
		cal, err := f.svc.Calendar(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		if isWork(t, cal, tue) {
			t.Fatal("edited Tuesday should be off")
		}
		// Back to an ordinary working day: the listing is removed.
		if _, err := f.svc.SetDay(ctx, f.admin, tue, 0, false, ""); err != nil {
			t.Fatal(err)
		}
		cal, err = f.svc.Calendar(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !isWork(t, cal, tue) {
			t.Fatal("Tuesday should be a working day again")
		}
		y, _ := cal.Year(2026)
		if len(y.Days) != len(embeddedYear(t, 2026).Days) {
			t.Fatalf("2026 has %d days, want the embedded %d", len(y.Days), len(embeddedYear(t, 2026).Days))
		}
		// A make-up Saturday.
		sat := calendar.DateOf(2026, 3, 7)
		if _, err := f.svc.SetDay(ctx, f.admin, sat, 0, false, "补班"); err != nil {
			t.Fatal(err)
		}
		cal, err = f.svc.Calendar(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !isWork(t, cal, sat) {
			t.Fatal("make-up Saturday should be a working day")
		}
		// A year without data is not invented by one day (L9).
		_, err = f.svc.SetDay(ctx, f.admin, calendar.DateOf(2027, 3, 3), 0, true, "x")
		wantCode(t, err, apperr.Conflict)
		if y, ok := calendar.MissingYear(err); !ok || y != 2027 {
			t.Fatalf("missing year: %v", err)
		}
		f.verify(t)
	})
}

func TestRegional_subtreeAndJurisdiction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		wed := calendar.DateOf(2026, 7, 15)
		if _, err := f.svc.AddRegionalHoliday(ctx, f.otherAdmin, f.district.ID, wed, "节", true); apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("other district's admin: %v", err)
		}
		if _, err := f.svc.AddRegionalHoliday(ctx, f.staff, f.district.ID, wed, "节", true); apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("non-admin: %v", err)
		}
		if _, err := f.svc.AddRegionalHoliday(ctx, f.districtAdmin, f.district.ID, calendar.DateOf(2027, 7, 14), "节", true); apperr.CodeOf(err) != apperr.NotFound {
			t.Fatalf("missing year: %v", err)
		}
		if _, err := f.svc.AddRegionalHoliday(ctx, f.districtAdmin, f.district.ID, wed, "民族节", true); err != nil {
			t.Fatal(err)
		}
		_, err := f.svc.AddRegionalHoliday(ctx, f.districtAdmin, f.district.ID, wed, "again", true)
		wantCode(t, err, apperr.Conflict)
		for _, c := range []struct {
			body int64
			work bool
		}{{f.city.ID, true}, {f.district.ID, false}, {f.town.ID, false}, {f.other.ID, true}, {0, true}} {
			cal, err := f.svc.Calendar(ctx, c.body)
			if err != nil {
				t.Fatal(err)
			}
			if got := isWork(t, cal, wed); got != c.work {
				t.Errorf("body %d: working %v, want %v", c.body, got, c.work)
			}
		}
		days, err := f.svc.RegionalHolidays(ctx, f.districtAdmin, f.town.ID)
		if err != nil || len(days) != 1 || days[0].Name != "民族节" {
			t.Fatalf("regional of town: %v, %v", days, err)
		}
		if _, err := f.svc.RegionalHolidays(ctx, f.otherAdmin, f.town.ID); apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("other admin reads: %v", err)
		}
		if err := f.svc.RemoveRegionalHoliday(ctx, f.otherAdmin, f.district.ID, wed, 0); apperr.CodeOf(err) != apperr.Forbidden {
			t.Fatalf("other admin removes: %v", err)
		}
		if err := f.svc.RemoveRegionalHoliday(ctx, f.districtAdmin, f.district.ID, wed, 0); err != nil {
			t.Fatal(err)
		}
		wantCode(t, f.svc.RemoveRegionalHoliday(ctx, f.districtAdmin, f.district.ID, wed, 0), apperr.NotFound)
		cal, err := f.svc.Calendar(ctx, f.town.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !isWork(t, cal, wed) {
			t.Fatal("removed regional day still off")
		}
		f.verify(t)
	})
}

func at(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, sh) }

// L2/L4: a paused clock keeps its used days; a corrected year moves the due
// date of an open clock by exactly the holiday added inside its period.
func TestClocks_L2_L4_correctedYearMovesOpenClock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		clocks := newClocks(db, f.svc)
		ref := caldb.Ref{ObjectType: "case", ObjectID: "QS-2026-0001", Kind: "handling"}
		spec := calendar.LicensingDecision // L3: 20 working days, extendable by 10
		if _, err := clocks.Create(ctx, "window", ref, f.town.ID, spec); err != nil {
			t.Fatal(err)
		}
		_, err := clocks.Create(ctx, "window", ref, f.town.ID, spec)
		wantCode(t, err, apperr.Conflict)
		start, pause, resume := at(2026, 3, 2, 10), at(2026, 3, 5, 10), at(2026, 3, 10, 10)
		if _, err := clocks.Start(ctx, "window", ref, start); err != nil {
			t.Fatal(err)
		}
		if _, err := clocks.Pause(ctx, "window", ref, pause, calendar.SpecialProcedure, "专家评审"); err != nil {
			t.Fatal(err)
		}
		if _, err := clocks.Resume(ctx, "window", ref, resume); err != nil {
			t.Fatal(err)
		}
		now := at(2026, 3, 12, 9)
		old, err := clocks.Status(ctx, ref, now)
		if err != nil {
			t.Fatal(err)
		}
		cal0, err := f.svc.Calendar(ctx, f.town.ID)
		if err != nil {
			t.Fatal(err)
		}
		// Expected from the rule: the days used before the pause stay used
		// (the pause day counts), the rest is counted from the resume day.
		want := func(cal *calendar.Calendar) calendar.Date {
			used, err := cal.WorkingDaysBetween(cal.Date(start), cal.Date(pause))
			if err != nil {
				t.Fatal(err)
			}
			d, err := cal.AddWorkingDays(cal.Date(resume), spec.Statutory.N-used)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		if old.DueDate != want(cal0) {
			t.Fatalf("due %s, want %s", old.DueDate, want(cal0))
		}
		// The correction: a holiday on a Friday inside the running period.
		hol := calendar.DateOf(2026, 3, 20)
		if hol <= cal0.Date(resume) || hol >= old.DueDate {
			t.Fatalf("test setup: %s not inside (%s, %s)", hol, cal0.Date(resume), old.DueDate)
		}
		file := withDay(t, embeddedYear(t, 2026), calendar.Day{Name: "更正", Date: hol, IsOffDay: true})
		if _, err := f.svc.ImportYear(ctx, f.admin, file, "2026.json"); err != nil {
			t.Fatal(err)
		}
		cal1, err := f.svc.Calendar(ctx, f.town.ID)
		if err != nil {
			t.Fatal(err)
		}
		got, err := clocks.Status(ctx, ref, now)
		if err != nil {
			t.Fatal(err)
		}
		next, err := cal1.NextWorkingDay(old.DueDate)
		if err != nil {
			t.Fatal(err)
		}
		if got.DueDate != next || got.DueDate != want(cal1) {
			t.Fatalf("after the correction due %s, want %s (one working day after %s)", got.DueDate, next, old.DueDate)
		}
		if got.Elapsed != old.Elapsed {
			t.Fatalf("elapsed changed %v → %v: pause time lost or double-counted", old.Elapsed, got.Elapsed)
		}
		if got.State != calendar.Running {
			t.Fatalf("state %s", got.State)
		}
		// Overdue is derived, not stored: the same clock is overdue later.
		late, err := clocks.Status(ctx, ref, cal1.End(got.DueDate))
		if err != nil {
			t.Fatal(err)
		}
		if late.State != calendar.Overdue {
			t.Fatalf("at the due instant: %s, want overdue", late.State)
		}

		// L2 with H2's default: supplementation restarts the period from
		// the day the materials are complete, also after the correction.
		sup := caldb.Ref{ObjectType: "case", ObjectID: "QS-2026-0002", Kind: "handling"}
		if _, err := clocks.Create(ctx, "window", sup, f.town.ID, spec); err != nil {
			t.Fatal(err)
		}
		if _, err := clocks.Start(ctx, "window", sup, start); err != nil {
			t.Fatal(err)
		}
		paused, err := clocks.Pause(ctx, "window", sup, pause, calendar.Supplementation, "补正材料")
		if err != nil {
			t.Fatal(err)
		}
		if st, err := paused.Clock.At(cal1, now); err != nil || st.State != calendar.Paused {
			t.Fatalf("paused clock: %+v, %v", st, err)
		}
		if _, err := clocks.Resume(ctx, "window", sup, resume); err != nil {
			t.Fatal(err)
		}
		st, err := clocks.Status(ctx, sup, now)
		if err != nil {
			t.Fatal(err)
		}
		restart, err := cal1.AddWorkingDays(cal1.Date(resume), spec.Statutory.N)
		if err != nil {
			t.Fatal(err)
		}
		if st.DueDate != restart {
			t.Fatalf("L2 restart: due %s, want %s", st.DueDate, restart)
		}
		f.verify(t)
	})
}

// L3/P6: extensions add up within the ceiling and are refused past it, and
// refused once the limit has passed.
func TestClocks_L3_P6_extensionMaximum(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		clocks := newClocks(db, f.svc)
		ref := caldb.Ref{ObjectType: "complaint", ObjectID: "7", Kind: "handling"}
		if _, err := clocks.Create(ctx, "office", ref, f.district.ID, calendar.ComplaintHandling); err != nil {
			t.Fatal(err)
		}
		if _, err := clocks.Start(ctx, "office", ref, at(2026, 4, 1, 9)); err != nil {
			t.Fatal(err)
		}
		if _, err := clocks.Extend(ctx, "office", ref, at(2026, 4, 3, 9), 10, "情况复杂"); err != nil {
			t.Fatal(err)
		}
		before := eventCount(t, db)
		_, err := clocks.Extend(ctx, "office", ref, at(2026, 4, 7, 9), 6, "再延")
		wantCode(t, err, apperr.Conflict)
		if eventCount(t, db) != before {
			t.Fatal("a refused extension was recorded")
		}
		if _, err := clocks.Extend(ctx, "office", ref, at(2026, 4, 7, 9), 5, "再延"); err != nil {
			t.Fatal(err)
		}
		st, err := clocks.Status(ctx, ref, at(2026, 4, 8, 9))
		if err != nil {
			t.Fatal(err)
		}
		if st.Budget.N != 30 {
			t.Fatalf("budget %v, want 30 working days (15 + 15)", st.Budget)
		}
		// A second clock whose limit passes before it is extended.
		ref2 := caldb.Ref{ObjectType: "case", ObjectID: "8", Kind: "handling"}
		if _, err := clocks.Create(ctx, "office", ref2, f.district.ID, calendar.LicensingDecision); err != nil {
			t.Fatal(err)
		}
		if _, err := clocks.Start(ctx, "office", ref2, at(2026, 4, 1, 9)); err != nil {
			t.Fatal(err)
		}
		_, err = clocks.Extend(ctx, "office", ref2, at(2026, 6, 1, 9), 5, "太晚")
		wantCode(t, err, apperr.Conflict)
		if _, err := clocks.Finish(ctx, "office", ref2, at(2026, 6, 2, 9)); err != nil {
			t.Fatal(err)
		}
		st, err = clocks.Status(ctx, ref2, at(2026, 6, 3, 9))
		if err != nil {
			t.Fatal(err)
		}
		if st.State != calendar.Finished || !st.Late {
			t.Fatalf("finished late clock: %+v", st)
		}
		_, err = clocks.Status(ctx, caldb.Ref{ObjectType: "case", ObjectID: "none", Kind: "handling"}, at(2026, 6, 3, 9))
		if apperr.CodeOf(err) != apperr.NotFound {
			t.Fatalf("unknown clock: %v", err)
		}

		// Inside a caller's own write (a case event and its clocks commit
		// together), several kinds per object.
		err = db.Write(ctx, func(tx *store.Tx) error {
			for _, kind := range []string{"supervision_reply", "handling_step"} {
				r := caldb.Ref{ObjectType: "order", ObjectID: "9", Kind: kind}
				if _, err := clocks.Clocks.Create(ctx, tx, "super", r, f.district.ID, calendar.SupervisionReply); err != nil {
					return err
				}
				if _, err := clocks.Clocks.Apply(ctx, tx, "super", r, calendar.Event{Kind: calendar.Start, At: at(2026, 5, 6, 9)}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		recs, err := clocks.List(ctx, "order", "9")
		if err != nil || len(recs) != 2 || recs[0].Ref.Kind != "supervision_reply" {
			t.Fatalf("list: %+v, %v", recs, err)
		}
		f.verify(t)
	})
}

// TestImportYear_L9_yearWithoutWorkingDaysRefused (#11.10): a year file
// making every weekday a holiday is refused on import, and a single-day
// edit that would take a year's last working day is refused too; neither
// stores anything.
func TestImportYear_L9_yearWithoutWorkingDaysRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		file := func(from calendar.Date) []byte {
			y := calendar.Year{Year: 2027}
			for d := from; d < calendar.DateOf(2028, 1, 1); d++ {
				if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
					y.Days = append(y.Days, calendar.Day{Name: "假", Date: d, IsOffDay: true})
				}
			}
			b, err := json.Marshal(y)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		before := eventCount(t, db)
		_, err := f.svc.ImportYear(ctx, f.admin, file(calendar.DateOf(2027, 1, 1)), "2027.json")
		if e := apperr.As(err); e.Code != apperr.Invalid || e.Field != "days" {
			t.Fatalf("a year without working days: %v", err)
		}
		if after := eventCount(t, db); after != before {
			t.Fatalf("the refused import emitted %d events", after-before)
		}
		// One working day left (Friday 1 January): accepted; the edit that
		// takes it is not.
		if _, err := f.svc.ImportYear(ctx, f.admin, file(calendar.DateOf(2027, 1, 4)), "2027.json"); err != nil {
			t.Fatal(err)
		}
		before = eventCount(t, db)
		_, err = f.svc.SetDay(ctx, f.admin, calendar.DateOf(2027, 1, 1), 0, true, "元旦")
		if e := apperr.As(err); e.Code != apperr.Invalid || e.Field != "days" {
			t.Fatalf("taking the last working day: %v", err)
		}
		if after := eventCount(t, db); after != before {
			t.Fatalf("the refused edit emitted %d events", after-before)
		}
	})
}

// TestEnterYear_L9_byHandReplacesTheProvisionalYear: an administrator types
// the 2027 notice in as ranges (the way it is worded). Bad rows and other
// principals change nothing; the good entry is one audited event with the
// row as State, the year is no longer provisional and answers as entered,
// on both engines.
func TestEnterYear_L9_byHandReplacesTheProvisionalYear(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		d := func(m time.Month, day int) calendar.Date { return calendar.DateOf(2027, m, day) }
		rows := []calendar.Range{
			{From: d(1, 1), To: d(1, 3), Name: "元旦", IsOffDay: true},
			{From: d(2, 5), To: d(2, 13), Name: "春节", IsOffDay: true},
			{From: d(2, 20), To: d(2, 20), Name: "春节", IsOffDay: false}, // Saturday
		}
		// The preview counts February as entered, storing nothing.
		y, err := calendar.YearOfRanges(2027, rows)
		if err != nil {
			t.Fatal(err)
		}
		before := eventCount(t, db)
		months, err := f.svc.Months(ctx, y)
		if err != nil || months[1].Working != 15 || months[1].MakeUp != 1 {
			t.Fatalf("preview of February: %+v, %v", months, err)
		}
		bad := append([]calendar.Range{}, rows...)
		bad[2].From, bad[2].To = d(2, 19), d(2, 19) // a Friday
		_, err = f.svc.EnterYear(ctx, f.admin, 2027, bad)
		wantCode(t, err, apperr.Invalid)
		if apperr.As(err).Field != "rows[2].kind" {
			t.Errorf("bad row: %v", err)
		}
		_, err = f.svc.EnterYear(ctx, f.staff, 2027, rows)
		wantCode(t, err, apperr.Forbidden)
		if after := eventCount(t, db); after != before {
			t.Fatalf("preview and refused entries emitted %d events", after-before)
		}
		cal, err := f.svc.Calendar(ctx, 0)
		if err != nil || !cal.IsProvisional(2027) {
			t.Fatalf("2027 before the entry: provisional %v, %v", cal.IsProvisional(2027), err)
		}

		info, err := f.svc.EnterYear(ctx, f.admin, 2027, rows)
		if err != nil {
			t.Fatal(err)
		}
		if info.Source != caldb.SourceEdit || info.Provisional || info.OffDays != 12 || info.WorkDays != 1 || info.UpdatedBy != f.admin.Login {
			t.Errorf("entered: %+v", info)
		}
		cal, err = f.svc.Calendar(ctx, f.town.ID)
		if err != nil {
			t.Fatal(err)
		}
		if cal.IsProvisional(2027) || !cal.Covers(2027) || isWork(t, cal, d(2, 12)) || !isWork(t, cal, d(2, 20)) {
			t.Fatal("the town's calendar does not answer 2027 as entered")
		}
		evs, err := db.Events(ctx, store.EventFilter{ObjectType: caldb.ObjectYear, ObjectID: "2027"})
		if err != nil || len(evs) != 1 || evs[0].Action != "calendar.year.entered" || evs[0].Actor != f.admin.Login || len(evs[0].State) == 0 {
			t.Fatalf("events %+v, %v", evs, err)
		}
		if missing, err := f.svc.MissingYears(ctx, time.Date(2026, 12, 7, 9, 0, 0, 0, sh)); err != nil || len(missing) != 0 {
			t.Errorf("missing after the entry: %v, %v", missing, err)
		}
		f.verify(t)
	})
}

// A stored clock running into 2027 before its notice is loaded answers
// provisionally; once the notice is imported the same clock, read again,
// answers from it and is no longer provisional (clocks are derived at read
// time from the body's current calendar).
func TestClocks_L9_provisionalUntilTheNoticeIsLoaded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		clocks := newClocks(db, f.svc)
		ref := caldb.Ref{ObjectType: "case", ObjectID: "QS-2026-0099", Kind: "handling"}
		if _, err := clocks.Create(ctx, "window", ref, f.town.ID, calendar.LicensingDecision); err != nil {
			t.Fatal(err)
		}
		if _, err := clocks.Start(ctx, "window", ref, at(2026, 12, 28, 10)); err != nil {
			t.Fatal(err)
		}
		now := at(2026, 12, 29, 10)
		st, err := clocks.Status(ctx, ref, now)
		// 29–31 (3), 1 Jan off, 4–8 (8), 11–15 (13), 18–22 (18), 25, 26 (20).
		if err != nil || !st.Provisional || st.DueDate != calendar.DateOf(2027, 1, 26) {
			t.Fatalf("before the notice: %+v, %v", st.Answer, err)
		}
		// A notice with 4 January off too.
		notice := `{"year":2027,"days":[{"name":"元旦","date":"2027-01-01","isOffDay":true},{"name":"元旦","date":"2027-01-04","isOffDay":true}]}`
		if _, err := f.svc.ImportYear(ctx, f.admin, []byte(notice), "2027.json"); err != nil {
			t.Fatal(err)
		}
		st, err = clocks.Status(ctx, ref, now)
		if err != nil || st.Provisional || st.DueDate != calendar.DateOf(2027, 1, 27) {
			t.Fatalf("after the notice: %+v, %v", st.Answer, err)
		}
		f.verify(t)
	})
}

// TestCalendar_O1_nationalCalendarIsTheTopAdministrators: every body counts
// its limits in the national calendar, so only the administrator of the
// root body may change it; a lower administrator changes only its own
// subtree's regional days and business hours. Refusals change nothing.
func TestCalendar_O1_nationalCalendarIsTheTopAdministrators(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		townAdmin := access.Principal{Login: "town-admin", Roles: []access.Role{access.RoleAdmin}, BodyID: f.town.ID, BodyPath: f.town.Path}
		nationalDay := calendar.DateOf(2026, 10, 1)
		head := eventCount(t, db)
		for _, p := range []access.Principal{f.districtAdmin, townAdmin, f.otherAdmin} {
			_, err := f.svc.SetDay(ctx, p, nationalDay, 0, false, "x")
			wantCode(t, err, apperr.Forbidden)
			if !strings.Contains(apperr.As(err).Message("zh"), "最高一级") {
				t.Errorf("%s: the refusal does not say who may: %v", p.Login, err)
			}
			_, err = f.svc.ImportYear(ctx, p, []byte(`{"year":2027,"days":[{"name":"元旦","date":"2027-01-01","isOffDay":true}]}`), "2027.json")
			wantCode(t, err, apperr.Forbidden)
			if ok, err := f.svc.CanEditNational(ctx, p); ok || err != nil {
				t.Errorf("%s may edit the national calendar: %v %v", p.Login, ok, err)
			}
		}
		if got := eventCount(t, db); got != head {
			t.Fatalf("refused national edits left %d events", got-head)
		}
		cal, err := f.svc.Calendar(ctx, f.town.ID)
		if err != nil {
			t.Fatal(err)
		}
		if isWork(t, cal, nationalDay) {
			t.Fatal("National Day became a working day")
		}
		// The town's administrator sets its own town's days and hours, not
		// its parent's.
		if _, err := f.svc.AddRegionalHoliday(ctx, townAdmin, f.town.ID, calendar.DateOf(2026, 7, 15), "镇庆", true); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.AddRegionalHoliday(ctx, townAdmin, f.district.ID, calendar.DateOf(2026, 7, 16), "x", true)
		wantCode(t, err, apperr.Forbidden)
		if _, err := f.svc.SetBusinessHours(ctx, townAdmin, f.town.ID, hoursOf(t, f.svc, f.town.ID).Version, "08:30-12:00"); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.SetBusinessHours(ctx, townAdmin, f.district.ID, hoursOf(t, f.svc, f.district.ID).Version, "08:30-12:00")
		wantCode(t, err, apperr.Forbidden)
		// The root's administrator changes the national calendar.
		if ok, err := f.svc.CanEditNational(ctx, f.admin); !ok || err != nil {
			t.Fatalf("root admin: %v %v", ok, err)
		}
		if _, err := f.svc.SetDay(ctx, f.admin, calendar.DateOf(2026, 3, 3), 0, true, "临时"); err != nil {
			t.Fatal(err)
		}
		// A second root makes the national calendar no single body's: only
		// the system (the command line) may change it then.
		if _, err := org.NewService(db).CreateBody(ctx, org.System, org.BodyInput{Level: org.LevelCity, Code: "330200", Name: "另一市"}); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.SetDay(ctx, f.admin, calendar.DateOf(2026, 3, 4), 0, true, "临时")
		wantCode(t, err, apperr.Forbidden)
		f.verify(t)
	})
}
