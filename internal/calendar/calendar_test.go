package calendar

import (
	"errors"
	"math/rand"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
)

func mustDefault(t testing.TB) *Calendar {
	t.Helper()
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func d(s string) Date {
	v, err := ParseDate("test", s)
	if err != nil {
		panic(err)
	}
	return v
}

func TestDate_civilRoundTrip(t *testing.T) {
	for z := Date(-800000); z < 800000; z += 37 {
		y, m, dd := z.Civil()
		if DateOf(y, m, dd) != z {
			t.Fatalf("%d → %d-%d-%d → %d", z, y, m, dd, DateOf(y, m, dd))
		}
		if tt := time.Date(y, m, dd, 0, 0, 0, 0, time.UTC); tt.Weekday() != z.Weekday() || tt.Unix()/86400 != int64(z) {
			t.Fatalf("%s: weekday or epoch differs from package time", z)
		}
	}
	if _, err := ParseDate("f", "2026-02-29"); err == nil {
		t.Error("2026-02-29 accepted")
	}
	if _, err := ParseDate("f", "2024-02-29"); err != nil {
		t.Error(err)
	}
}

func TestAdd_L11_startDayNotCounted(t *testing.T) {
	c := mustDefault(t)
	// Thursday 2026-02-12: Fri 13 (1), Sat 14 is a make-up working day (2),
	// 15–23 Spring Festival, Tue 24 (3), Wed 25 (4), Thu 26 (5).
	got, err := c.AddWorkingDays(d("2026-02-12"), 5)
	if err != nil || got != d("2026-02-26") {
		t.Fatalf("got %s, %v; want 2026-02-26", got, err)
	}
	// A start on a rest day: the first working day after it is day 1.
	got, _ = c.AddWorkingDays(d("2026-03-01"), 1) // Sunday
	if got != d("2026-03-02") {
		t.Errorf("from Sunday +1 = %s, want Monday 2026-03-02", got)
	}
	// A start on a working day is not counted either.
	got, _ = c.AddWorkingDays(d("2026-03-02"), 1)
	if got != d("2026-03-03") {
		t.Errorf("from Monday +1 = %s, want Tuesday", got)
	}
	// The due instant is 24:00 of the due day, shown as that day.
	due, _ := c.DueWorkingDays(time.Date(2026, 2, 12, 15, 4, 0, 0, DefaultLocation), 5)
	if want := time.Date(2026, 2, 27, 0, 0, 0, 0, DefaultLocation); !due.Equal(want) || c.DueDate(due) != d("2026-02-26") {
		t.Errorf("due instant %v (shown %s), want %v shown 2026-02-26", due, c.DueDate(due), want)
	}
}

func TestAdd_L1_holidaysAndRestDaysDoNotCount(t *testing.T) {
	c := mustDefault(t)
	cases := []struct {
		from string
		n    int
		want string
	}{
		{"2026-09-30", 1, "2026-10-08"},  // National Day 1–7, Thursday 8
		{"2025-09-30", 1, "2025-10-09"},  // 1–8 off, Thu 9
		{"2024-12-31", 1, "2025-01-02"},  // across a year boundary
		{"2018-12-28", 1, "2018-12-29"},  // make-up Saturday filed under 2019
		{"2020-01-23", 1, "2020-02-03"},  // Spring Festival extended to 2 Feb (2020 notice No. 1)
		{"2026-01-01", 1, "2026-01-04"},  // Sunday make-up day
		{"2026-02-26", -5, "2026-02-12"}, // the inverse
	}
	for _, tc := range cases {
		got, err := c.AddWorkingDays(d(tc.from), tc.n)
		if err != nil || got != d(tc.want) {
			t.Errorf("%s %+d = %s, %v; want %s", tc.from, tc.n, got, err, tc.want)
		}
	}
}

func TestNatural_L11_lastDayOnRestDayMovesToNextWorkingDay(t *testing.T) {
	c := mustDefault(t)
	cases := []struct {
		from string
		n    int
		want string
	}{
		{"2026-09-24", 7, "2026-10-08"}, // ends on 1 Oct, National Day → Thu 8
		{"2026-03-02", 5, "2026-03-09"}, // ends Saturday 7 → Monday 9
		{"2026-03-02", 3, "2026-03-05"}, // ends on a working day
		{"2026-02-07", 7, "2026-02-14"}, // ends on the make-up Saturday: a working day
	}
	for _, tc := range cases {
		got, err := c.AddNaturalDays(d(tc.from), tc.n)
		if err != nil || got != d(tc.want) {
			t.Errorf("%s +%d natural = %s, %v; want %s", tc.from, tc.n, got, err, tc.want)
		}
	}
}

func TestCalendar_L9_missingYearIsAnErrorNeverAGuess(t *testing.T) {
	c := mustDefault(t)
	_, err := c.IsWorkingDay(d("2031-03-02"))
	if y, ok := MissingYear(err); !ok || y != 2031 {
		t.Fatalf("IsWorkingDay in 2031: %v", err)
	}
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Message("zh") == "" || ae.Message("en") == "" {
		t.Fatalf("not a bilingual apperr: %v", err)
	}
	// Running off the end of the data names the first missing year.
	_, err = c.AddWorkingDays(d("2026-12-20"), 30)
	if y, ok := MissingYear(err); !ok || y != 2027 {
		t.Errorf("add past 2026: %v", err)
	}
	_, err = c.AddWorkingDays(d("2018-01-05"), -30)
	if y, ok := MissingYear(err); !ok || y != 2017 {
		t.Errorf("add before 2018: %v", err)
	}
	if _, err := c.NextWorkingDay(d("2026-12-31")); err == nil {
		t.Error("next working day after 2026-12-31 guessed")
	}
	if _, err := c.PrevWorkingDay(d("2018-01-01")); err == nil {
		t.Error("previous working day before 2018 guessed")
	}
	if err := c.Check(2026); err != nil {
		t.Error(err)
	}
	if err := c.Check(2027); err == nil {
		t.Error("2027 claimed")
	}
	// A gap inside the covered span is missing too.
	ys, _ := Embedded()
	var gap []Year
	for _, y := range ys {
		if y.Year != 2022 {
			gap = append(gap, y)
		}
	}
	g, err := New(gap, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.WorkingDaysBetween(d("2021-06-01"), d("2023-06-01")); err == nil {
		t.Error("between across the missing 2022 answered")
	} else if y, _ := MissingYear(err); y != 2022 {
		t.Errorf("gap error names %d", y)
	}
	if _, err := g.AddWorkingDays(d("2021-12-20"), 20); err == nil {
		t.Error("add into the missing 2022 answered")
	}
}

func TestMerge_L9_correctedYearGivesNewAnswer(t *testing.T) {
	c := mustDefault(t)
	// A hypothetical 2027 notice: New Year 1–3 January.
	y27 := Year{Year: 2027, Days: []Day{
		{Name: "元旦", Date: d("2027-01-01"), IsOffDay: true},
		{Name: "元旦", Date: d("2027-01-02"), IsOffDay: true},
		{Name: "元旦", Date: d("2027-01-03"), IsOffDay: true},
	}}
	c2, err := c.Merge(y27)
	if err != nil {
		t.Fatal(err)
	}
	if c.Covers(2027) || !c2.Covers(2027) {
		t.Fatal("merge changed the old calendar or did not add the year")
	}
	got, err := c2.AddWorkingDays(d("2026-12-31"), 1)
	if err != nil || got != d("2027-01-04") {
		t.Errorf("2026-12-31 +1 = %s, %v", got, err)
	}
	// Correct 2026: suppose 2026-03-03 were declared a holiday.
	y26, _ := c.Year(2026)
	y26.Days = append(append([]Day(nil), y26.Days...), Day{Name: "更正", Date: d("2026-03-03"), IsOffDay: true})
	c3, err := c2.Merge(y26)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := c3.IsWorkingDay(d("2026-03-03")); ok {
		t.Error("correction not applied")
	}
	if ok, _ := c2.IsWorkingDay(d("2026-03-03")); !ok {
		t.Error("correction leaked into the old calendar")
	}
}

func TestCalendar_L9_regionalExtraHoliday(t *testing.T) {
	ys, _ := Embedded()
	// An autonomous region's own festival on a Wednesday.
	r, err := New(ys, Options{Regional: []Day{{Name: "那达慕", Date: d("2026-07-15"), IsOffDay: true}}})
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := r.IsWorkingDay(d("2026-07-15")); ok {
		t.Error("regional holiday is a working day")
	}
	if got, _ := r.AddWorkingDays(d("2026-07-14"), 1); got != d("2026-07-16") {
		t.Errorf("got %s", got)
	}
	if _, err := New(ys, Options{Regional: []Day{{Name: "x", Date: d("2030-07-15"), IsOffDay: true}}}); err == nil {
		t.Error("regional day in an unknown year accepted")
	}
	// Merging a national correction keeps the regional day.
	y, _ := r.Year(2026)
	r2, _ := r.Merge(y)
	if ok, _ := r2.IsWorkingDay(d("2026-07-15")); ok {
		t.Error("merge dropped the regional day")
	}
}

// naive is the definition, one day at a time, for cross-checking.
func naiveAdd(c *Calendar, s Date, n int) Date {
	x := s
	for n > 0 {
		x++
		if ok, _ := c.IsWorkingDay(x); ok {
			n--
		}
	}
	return x
}

func randomDay(r *rand.Rand, c *Calendar) Date {
	first, last := DateOf(c.first, 1, 1), DateOf(c.last+1, 1, 1)
	return first + Date(r.Intn(int(last-first)))
}

func TestAdd_L11_matchesTheDayByDayDefinition(t *testing.T) {
	c := mustDefault(t)
	r := rand.New(rand.NewSource(1))
	for k := 0; k < 20000; k++ {
		s := randomDay(r, c)
		n := r.Intn(60)
		got, err := c.AddWorkingDays(s, n)
		if err != nil {
			continue // ran past 2026
		}
		if want := naiveAdd(c, s, n); got != want {
			t.Fatalf("%s +%d = %s, day by day %s", s, n, got, want)
		}
	}
}

func TestProperty_L11_addIsAssociative(t *testing.T) {
	c := mustDefault(t)
	r := rand.New(rand.NewSource(2))
	for k := 0; k < 50000; k++ {
		s := randomDay(r, c)
		a, b := r.Intn(400)-200, r.Intn(400)-200
		ab, err1 := c.AddWorkingDays(s, a+b)
		x, err2 := c.AddWorkingDays(s, a)
		if err1 != nil || err2 != nil {
			continue
		}
		y, err3 := c.AddWorkingDays(x, b)
		if err3 != nil {
			continue
		}
		// Add(s, 0) is s itself even on a rest day, while any other step
		// lands on a working day; so the law is exact unless the steps
		// cancel out from a rest day.
		w, _ := c.IsWorkingDay(s)
		if (w || a+b != 0) && ab != y {
			t.Fatalf("Add(%s, %d+%d) = %s but Add(Add(%s,%d)=%s, %d) = %s", s, a, b, ab, s, a, x, b, y)
		}
	}
}

func TestProperty_L11_differenceAndAddAreInverse(t *testing.T) {
	c := mustDefault(t)
	r := rand.New(rand.NewSource(3))
	for k := 0; k < 50000; k++ {
		s := randomDay(r, c)
		n := r.Intn(1000) - 500
		e, err := c.AddWorkingDays(s, n)
		if err != nil {
			continue
		}
		if got, err := c.WorkingDaysBetween(s, e); err != nil || got != n {
			t.Fatalf("Between(%s, Add(%s, %d)=%s) = %d, %v", s, s, n, e, got, err)
		}
		// And the other way: from two days, add the difference.
		b := randomDay(r, c)
		w, _ := c.IsWorkingDay(b)
		diff, _ := c.WorkingDaysBetween(s, b)
		back, err := c.AddWorkingDays(s, diff)
		if err == nil && w && diff != 0 && back != b {
			t.Fatalf("Add(%s, Between(%s,%s)=%d) = %s", s, s, b, diff, back)
		}
	}
}

func TestNextPrevWorkingDay(t *testing.T) {
	c := mustDefault(t)
	if n, _ := c.NextWorkingDay(d("2026-09-30")); n != d("2026-10-08") {
		t.Errorf("next after 30 Sep = %s", n)
	}
	if p, _ := c.PrevWorkingDay(d("2026-10-08")); p != d("2026-09-30") {
		t.Errorf("prev before 8 Oct = %s", p)
	}
	if p, _ := c.PrevWorkingDay(d("2026-01-05")); p != d("2026-01-04") {
		t.Errorf("prev before 5 Jan = %s (4 Jan is a make-up Sunday)", p)
	}
}

func TestHours_L11_businessHours(t *testing.T) {
	c := mustDefault(t)
	loc := c.Location()
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02T15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		from string
		h    time.Duration
		want string
	}{
		{"2026-02-12T16:00", 8 * time.Hour, "2026-02-13T17:00"},    // 1.5 h Thu, 3 + 3.5 Fri
		{"2026-02-13T17:30", 1 * time.Hour, "2026-02-14T10:00"},    // Sat 14 is a make-up day
		{"2026-02-14T17:00", 1 * time.Hour, "2026-02-24T09:30"},    // over the Spring Festival
		{"2026-03-02T12:30", 30 * time.Minute, "2026-03-02T14:00"}, // lunch does not count
		{"2026-03-02T09:00", 3 * time.Hour, "2026-03-02T12:00"},    // exactly the morning
		{"2026-03-02T07:00", 7 * time.Hour, "2026-03-02T17:30"},    // a whole day
	}
	for _, tc := range cases {
		got, err := c.AddWorkingHours(at(tc.from), tc.h)
		if err != nil || !got.Equal(at(tc.want)) {
			t.Errorf("%s + %v working = %v, %v; want %s", tc.from, tc.h, got.In(loc), err, tc.want)
		}
		back, _ := c.WorkingHoursBetween(at(tc.from), got)
		if back != tc.h {
			t.Errorf("between %s and %v = %v", tc.from, got, back)
		}
	}
	// Hours on the clock count nights and holidays.
	if got := c.DueHours(at("2026-02-14T17:00"), 48*time.Hour); !got.Equal(at("2026-02-16T17:00")) {
		t.Errorf("clock hours: %v", got)
	}
	// A body's own hours.
	h, err := ParseBusinessHours("08:30-12:00,14:00-18:00")
	if err != nil || h.PerDay() != 7*time.Hour+30*time.Minute {
		t.Fatal(h, err)
	}
	cb := c.WithBusinessHours(h)
	if got, _ := cb.AddWorkingHours(at("2026-03-02T11:00"), 2*time.Hour); !got.Equal(at("2026-03-02T15:00")) {
		t.Errorf("body hours: %v", got)
	}
	for _, bad := range []string{"", "9-12", "12:00-09:00", "09:00-12:00,11:00-13:00", "25:00-26:00", "09:00-12:60"} {
		if _, err := ParseBusinessHours(bad); err == nil {
			t.Errorf("business hours %q accepted", bad)
		}
	}
}

func TestHours_matchMinuteByMinute(t *testing.T) {
	c := mustDefault(t)
	r := rand.New(rand.NewSource(4))
	loc := c.Location()
	for k := 0; k < 300; k++ {
		day := randomDay(r, c)
		if day.Year() == 2026 && day > d("2026-12-01") {
			continue
		}
		start := day.Start(loc).Add(time.Duration(r.Intn(24*60)) * time.Minute)
		h := time.Duration(r.Intn(30*60)+1) * time.Minute
		got, err := c.AddWorkingHours(start, h)
		if err != nil {
			t.Fatal(err)
		}
		// Walk minute by minute, counting minutes inside business hours.
		x, left := start, h
		for left > 0 {
			dd := c.Date(x)
			w, _ := c.IsWorkingDay(dd)
			tod := timeOfDay(x.In(loc))
			in := false
			for _, iv := range c.hours.iv {
				if tod >= iv.from && tod < iv.to {
					in = true
				}
			}
			x = x.Add(time.Minute)
			if w && in {
				left -= time.Minute
			}
		}
		if !got.Equal(x) {
			t.Fatalf("%v + %v = %v, minute walk %v", start, h, got, x)
		}
	}
}

func TestDueDate_endOfDayIsTheDueDay(t *testing.T) {
	loc := DefaultLocation
	e := d("2026-02-26").End(loc)
	if e.Format("2006-01-02T15:04") != "2026-02-27T00:00" || DueDate(e, loc) != d("2026-02-26") {
		t.Errorf("end %v shown %s", e, DueDate(e, loc))
	}
	// The same instant in UTC is still the Shanghai date.
	if DueDate(e.UTC(), loc) != d("2026-02-26") {
		t.Error("zone not applied")
	}
}

// provisionalCalendar is the embedded notices with provisional years, as
// the stored calendar and the command line build it.
func provisionalCalendar(t testing.TB) *Calendar {
	t.Helper()
	ys, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(ys, Options{ProvisionalYears: ProvisionalHorizon})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCalendar_L9_provisionalYearBeforeTheNotice: December 2026 without the
// 2027 notice. A limit running into 2027 is answered from the statutory
// holidays of the 2024 regulation — 元旦 on Friday 1 January, 春节 from 除夕
// (Friday 5 February) to 初三 (Monday 8 February) — and says so; one that
// stays in 2026 does not. The notice, once merged, replaces the computation.
func TestCalendar_L9_provisionalYearBeforeTheNotice(t *testing.T) {
	c := provisionalCalendar(t)
	if !c.IsProvisional(2027) || c.Covers(2027) || c.IsProvisional(2026) {
		t.Fatalf("2027 provisional %v, covered %v; 2026 provisional %v", c.IsProvisional(2027), c.Covers(2027), c.IsProvisional(2026))
	}
	// Mon 28 Dec: 29, 30, 31 (3), 1 Jan off, weekend, Mon 4 (4), Tue 5 (5).
	got, err := c.AddWorkingDays(d("2026-12-28"), 5)
	if err != nil || got != d("2027-01-05") {
		t.Fatalf("2026-12-28 +5 = %s, %v; want 2027-01-05", got, err)
	}
	if !c.ProvisionalBetween(d("2026-12-28"), got) || !c.ProvisionalBetween(got, d("2026-12-28")) {
		t.Error("a span into 2027 is not provisional")
	}
	if c.ProvisionalBetween(d("2026-02-12"), d("2026-02-26")) {
		t.Error("a span inside 2026 is provisional")
	}
	for day, working := range map[string]bool{"2027-02-04": true, "2027-02-05": false, "2027-02-08": false, "2027-02-09": true,
		"2027-04-05": false, "2027-06-09": false, "2027-09-15": false, "2027-10-01": false, "2027-10-04": true} {
		if ok, err := c.IsWorkingDay(d(day)); err != nil || ok != working {
			t.Errorf("%s: working %v, %v; want %v", day, ok, err, working)
		}
	}
	// Years after the horizon stay unknown.
	last := 2026 + ProvisionalHorizon
	if !c.IsProvisional(last) || c.IsProvisional(last+1) {
		t.Errorf("provisional years %v, want 2027–%d", c.ProvisionalYears(), last)
	}
	if _, err := c.IsWorkingDay(DateOf(last+1, 3, 2)); err == nil {
		t.Errorf("%d answered", last+1)
	}

	// The notice (here: 1–3 January off, Sunday 7 February a make-up day,
	// 5–13 February off) replaces the provisional year.
	notice := Year{Year: 2027, Days: []Day{{Name: "元旦", Date: d("2027-01-01"), IsOffDay: true},
		{Name: "春节", Date: d("2027-02-07"), IsOffDay: false}}}
	for x := d("2027-02-05"); x <= d("2027-02-13"); x++ {
		if x != d("2027-02-07") {
			notice.Days = append(notice.Days, Day{Name: "春节", Date: x, IsOffDay: true})
		}
	}
	official, err := c.Merge(notice)
	if err != nil {
		t.Fatal(err)
	}
	if official.IsProvisional(2027) || !official.Covers(2027) || !official.IsProvisional(2028) {
		t.Fatalf("after the notice: 2027 provisional %v; 2028 provisional %v", official.IsProvisional(2027), official.IsProvisional(2028))
	}
	if official.ProvisionalBetween(d("2026-12-28"), d("2027-12-31")) {
		t.Error("2027 still provisional after its notice")
	}
	if ok, _ := official.IsWorkingDay(d("2027-02-09")); ok {
		t.Error("the notice's 9 February off is a working day")
	}
	// The notice replaces the computation whole: this one leaves out 清明.
	if ok, _ := official.IsWorkingDay(d("2027-04-05")); !ok {
		t.Error("the computed 清明 outlived a notice that does not list it")
	}
	if !c.IsProvisional(2027) {
		t.Error("merging changed the old calendar")
	}
}

// A gap between notices is filled provisionally too, and a notice's day in a
// neighbouring provisional year (a late-December make-up Saturday named by
// the next year's notice) wins over the computation.
func TestCalendar_L9_provisionalGapAndNeighbouringNotice(t *testing.T) {
	ys, _ := Embedded()
	var gap []Year
	for _, y := range ys {
		if y.Year != 2022 {
			gap = append(gap, y)
		}
	}
	g, err := New(gap, Options{ProvisionalYears: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !g.IsProvisional(2022) || !g.IsProvisional(2027) || g.IsProvisional(2028) || g.IsProvisional(2017) {
		t.Errorf("provisional years %v, want [2022 2027]", g.ProvisionalYears())
	}
	if n, err := g.WorkingDaysBetween(d("2021-06-01"), d("2023-06-01")); err != nil || n < 480 {
		t.Errorf("across the provisional 2022: %d, %v", n, err)
	}
	y28 := Year{Year: 2028, Days: []Day{{Name: "元旦", Date: d("2027-12-31"), IsOffDay: true}}}
	g2, err := g.Merge(y28)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := g2.IsWorkingDay(d("2027-12-31")); ok || !g2.IsProvisional(2027) {
		t.Error("the 2028 notice's 31 December 2027 lost to the provisional 2027")
	}
}
