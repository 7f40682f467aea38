package calendar

import (
	"encoding/json"
	"math/rand"
	"reflect"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
)

// at reads "2006-01-02T15:04" in Shanghai.
func at(s string) time.Time {
	v, err := time.ParseInLocation("2006-01-02T15:04", s, DefaultLocation)
	if err != nil {
		panic(err)
	}
	return v
}

func mustClock(t testing.TB, spec Spec, evs ...Event) Clock {
	t.Helper()
	c, err := NewClock(spec, evs...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func status(t testing.TB, c Clock, cal *Calendar, now string) Status {
	t.Helper()
	st, err := c.At(cal, at(now))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestClock_L3_decisionWithin20WorkingDays(t *testing.T) {
	cal := mustDefault(t)
	c := mustClock(t, LicensingDecision, Event{Kind: Start, At: at("2026-03-02T10:00")})
	st := status(t, c, cal, "2026-03-02T11:00")
	// 20 working days after Monday 2 March (not counted): Monday 30 March.
	if st.DueDate != d("2026-03-30") || !st.Due.Equal(at("2026-03-31T00:00")) {
		t.Fatalf("due %s %v", st.DueDate, st.Due)
	}
	if st.State != Running || st.Remaining.Days != 20 || st.Elapsed.Days != 0 || st.Share != 0 {
		t.Errorf("at start: %+v", st.Answer)
	}
	st = status(t, c, cal, "2026-03-30T16:00") // the last day
	if st.State != DueSoon || st.Remaining.Days != 1 || st.Elapsed.Days != 19 {
		t.Errorf("last day: %+v", st.Answer)
	}
	st = status(t, c, cal, "2026-03-31T00:00") // 24:00 of the last day
	if st.State != Overdue || !st.Late || st.Remaining.Days != 0 {
		t.Errorf("at 24:00: %+v", st.Answer)
	}
	st = status(t, c, cal, "2026-04-01T09:00")
	if st.State != Overdue || st.Remaining.Days != -1 || st.Share <= 1 {
		t.Errorf("overdue: %+v", st.Answer)
	}
}

func TestClock_H2_promisedAndStatutoryKeptApart(t *testing.T) {
	cal := mustDefault(t)
	spec := LicensingDecision
	spec.Promised = Budget{5, WorkingDays}
	c := mustClock(t, spec, Event{Kind: Start, At: at("2026-03-02T10:00")},
		Event{Kind: Extend, At: at("2026-03-05T10:00"), N: 10})
	st := status(t, c, cal, "2026-03-10T10:00")
	if st.Promised == nil || st.Promised.State != Overdue || st.Promised.DueDate != d("2026-03-09") {
		t.Errorf("promised: %+v", st.Promised)
	}
	if st.State != Running || st.Budget.N != 30 || st.DueDate != d("2026-04-14") {
		// 30 working days from 2 March: 27 Mar is 20, then 30 Mar–3 Apr (5),
		// Qingming 4–6 April, 7–10 (4), 13 (29), 14 (30).
		t.Errorf("statutory: %+v", st.Answer)
	}
}

func TestClock_L4_specialProcedurePausesTheClock(t *testing.T) {
	cal := mustDefault(t)
	start := Event{Kind: Start, At: at("2026-03-02T10:00")}
	c := mustClock(t, LicensingDecision, start,
		Event{Kind: Pause, At: at("2026-03-04T15:00"), Reason: SpecialProcedure},
		Event{Kind: Resume, At: at("2026-03-11T09:00")})
	st := status(t, c, cal, "2026-03-06T10:00")
	if st.State != Paused || !st.Due.IsZero() || st.Elapsed.Days != 2 || st.Remaining.Days != 18 {
		t.Errorf("paused: %+v", st.Answer)
	}
	// Paused 4 → 11 March: 5 working days (5, 6, 9, 10, 11) excluded.
	st = status(t, c, cal, "2026-03-11T10:00")
	if st.DueDate != d("2026-04-07") {
		t.Errorf("due after pause %s, want 2026-04-07 (30 Mar + 5 working days, Qingming 4–6 Apr)", st.DueDate)
	}
	// A pause and a resume on the same day cost nothing.
	c2 := mustClock(t, LicensingDecision, start,
		Event{Kind: Pause, At: at("2026-03-04T10:00"), Reason: SpecialProcedure},
		Event{Kind: Resume, At: at("2026-03-04T16:00")})
	if st := status(t, c2, cal, "2026-03-05T10:00"); st.DueDate != d("2026-03-30") {
		t.Errorf("same-day pause moved the due date to %s", st.DueDate)
	}
}

func TestProperty_L4_pauseOfKWorkingDaysMovesDueByK(t *testing.T) {
	cal := mustDefault(t)
	r := rand.New(rand.NewSource(5))
	loc := cal.Location()
	checked := 0
	for k := 0; k < 3000; k++ {
		n := r.Intn(40) + 1
		spec := Spec{Statutory: Budget{n, WorkingDays}, Supplement: Continue}
		s := randomDay(r, cal)
		if s.Year() == 2026 {
			continue
		}
		sAt := s.Start(loc).Add(time.Duration(r.Intn(86400)) * time.Second)
		base := mustClock(t, spec, Event{Kind: Start, At: sAt})
		st0, err := base.At(cal, sAt)
		if err != nil {
			t.Fatal(err)
		}
		// Pause on a day before the due day, for a random stretch.
		gap := r.Intn(int(st0.DueDate - s))
		p := s + Date(gap)
		pAt := p.Start(loc).Add(time.Duration(r.Intn(86400)) * time.Second)
		if pAt.Before(sAt) {
			pAt = sAt
		}
		rd := p + Date(r.Intn(60))
		rAt := rd.Start(loc).Add(time.Duration(r.Intn(86400)) * time.Second)
		if rAt.Before(pAt) {
			rAt = pAt
		}
		reason := SpecialProcedure
		if r.Intn(2) == 0 {
			reason = Supplementation // continue mode: excluded the same way
		}
		c := mustClock(t, spec, Event{Kind: Start, At: sAt},
			Event{Kind: Pause, At: pAt, Reason: reason}, Event{Kind: Resume, At: rAt})
		st, err := c.At(cal, rAt)
		if err != nil {
			continue // ran past the data
		}
		kDays, _ := cal.WorkingDaysBetween(p, rd)
		want, err := cal.AddWorkingDays(st0.DueDate, kDays)
		if err != nil {
			continue
		}
		if st.DueDate != want {
			t.Fatalf("n=%d start %v pause %v resume %v (k=%d): due %s, want %s (was %s)", n, sAt, pAt, rAt, kDays, st.DueDate, want, st0.DueDate)
		}
		checked++
	}
	if checked < 2000 {
		t.Fatalf("only %d cases checked", checked)
	}
}

func TestClock_L2_supplementationRestartsOrContinues(t *testing.T) {
	cal := mustDefault(t)
	evs := []Event{
		{Kind: Start, At: at("2026-03-02T10:00")},
		{Kind: Pause, At: at("2026-03-06T10:00"), Reason: Supplementation},
		{Kind: Resume, At: at("2026-03-16T10:00")},
	}
	restart := mustClock(t, LicensingDecision, evs...)
	st := status(t, restart, cal, "2026-03-16T11:00")
	// Restart (H2): counted afresh from 16 March: 20 working days → 14 April
	// (Qingming 4–6 April off).
	if st.DueDate != d("2026-04-14") || st.Elapsed.Days != 0 || st.Remaining.Days != 20 {
		t.Errorf("restart: %+v", st.Answer)
	}
	spec := LicensingDecision
	spec.Supplement = Continue
	cont := mustClock(t, spec, evs...)
	st = status(t, cont, cal, "2026-03-16T11:00")
	// Continue: 4 days used (3–6 March), 16 remain from 16 March → 7 April.
	if st.DueDate != d("2026-04-08") || st.Elapsed.Days != 4 || st.Remaining.Days != 16 {
		t.Errorf("continue: %+v", st.Answer)
	}
}

func TestClock_L3_extensionRefusedPastMaximum(t *testing.T) {
	c := mustClock(t, LicensingDecision, Event{Kind: Start, At: at("2026-03-02T10:00")})
	c, err := c.Apply(Event{Kind: Extend, At: at("2026-03-10T10:00"), N: 6})
	if err != nil {
		t.Fatal(err)
	}
	c2, err := c.Apply(Event{Kind: Extend, At: at("2026-03-11T10:00"), N: 5})
	if err == nil || apperr.CodeOf(err) != apperr.Conflict {
		t.Fatalf("11 of 10 days accepted: %v", err)
	}
	if e := apperr.As(err); e.Message("zh") == "" || e.Message("en") == "" {
		t.Error("error not bilingual")
	}
	if c2.Extended() != 6 || len(c2.Events()) != 2 {
		t.Error("a refused extension changed the clock")
	}
	if c, err = c.Apply(Event{Kind: Extend, At: at("2026-03-11T10:00"), N: 4}); err != nil || c.Extended() != 10 {
		t.Fatal("exactly the maximum refused", err)
	}
	// A stored history past the maximum is refused on rebuild too.
	if _, err := NewClock(LicensingDecision, Event{Kind: Start, At: at("2026-03-02T10:00")},
		Event{Kind: Extend, At: at("2026-03-03T10:00"), N: 11}); err == nil {
		t.Error("rebuilt an over-extended clock")
	}
}

func TestClock_P6_complaintHandling15Plus15(t *testing.T) {
	cal := mustDefault(t)
	c := mustClock(t, ComplaintHandling, Event{Kind: Start, At: at("2026-09-21T09:00")})
	st := status(t, c, cal, "2026-09-21T10:00")
	// 15 working days from Mon 21 Sep: 22–24 (3), Mid-Autumn 25–27, 28–30
	// (6), National Day, 8–9 Oct (8), Sat 10 make-up (9), 12–16 (14), 19 (15).
	due0 := st.DueDate
	if due0 != d("2026-10-19") {
		t.Errorf("due %s", st.DueDate)
	}
	c, err := c.Apply(Event{Kind: Extend, At: at("2026-10-12T09:00"), N: 15})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Apply(Event{Kind: Extend, At: at("2026-10-13T09:00"), N: 1}); err == nil {
		t.Error("P6: a 16th extension day accepted")
	}
	st = status(t, c, cal, "2026-10-12T10:00")
	if want, _ := cal.AddWorkingDays(due0, 15); st.DueDate != want {
		t.Errorf("extended due %s, want %s", st.DueDate, want)
	}
}

func TestProperty_L3_extensionNeverExceedsMaximum(t *testing.T) {
	r := rand.New(rand.NewSource(6))
	for k := 0; k < 2000; k++ {
		spec := Spec{Statutory: Budget{20, WorkingDays}, MaxExtension: r.Intn(20)}
		c := mustClock(t, spec, Event{Kind: Start, At: at("2026-03-02T10:00")})
		when := at("2026-03-02T10:00")
		for j := 0; j < 10; j++ {
			when = when.Add(time.Hour)
			n := r.Intn(8) + 1
			before := c.Extended()
			next, err := c.Apply(Event{Kind: Extend, At: when, N: n})
			if err == nil {
				c = next
			} else if before+n <= spec.MaxExtension {
				t.Fatalf("refused %d+%d within %d", before, n, spec.MaxExtension)
			}
			if c.Extended() > spec.MaxExtension {
				t.Fatalf("extended %d past %d", c.Extended(), spec.MaxExtension)
			}
		}
	}
}

func TestClock_L9_correctedCalendarGivesCorrectedAnswer(t *testing.T) {
	cal := mustDefault(t)
	c := mustClock(t, LicensingDecision, Event{Kind: Start, At: at("2026-03-02T10:00")},
		Event{Kind: Pause, At: at("2026-03-04T15:00"), Reason: SpecialProcedure},
		Event{Kind: Resume, At: at("2026-03-11T09:00")})
	before := status(t, c, cal, "2026-03-12T10:00")
	// A correction declares Friday 20 March a holiday.
	y, _ := cal.Year(2026)
	y.Days = append(append([]Day(nil), y.Days...), Day{Name: "更正", Date: d("2026-03-20"), IsOffDay: true})
	fixed, err := cal.Merge(y)
	if err != nil {
		t.Fatal(err)
	}
	after := status(t, c, fixed, "2026-03-12T10:00")
	if want, _ := fixed.AddWorkingDays(before.DueDate, 1); after.DueDate != want || before.DueDate != d("2026-04-07") {
		t.Errorf("before %s, after %s, want %s", before.DueDate, after.DueDate, want)
	}
	// The pause is still excluded under the new calendar (peers lose it).
	if after.Elapsed.Days != before.Elapsed.Days {
		t.Errorf("elapsed changed %d → %d", before.Elapsed.Days, after.Elapsed.Days)
	}
}

func TestClock_H7_finishOnTimeOrLate(t *testing.T) {
	cal := mustDefault(t)
	start := Event{Kind: Start, At: at("2026-03-02T10:00")}
	spec := Spec{Statutory: Budget{3, WorkingDays}}
	onTime := mustClock(t, spec, start, Event{Kind: Finish, At: at("2026-03-05T17:00")})
	st := status(t, onTime, cal, "2026-04-01T10:00")
	if st.State != Finished || st.Late || st.FinishedOn != d("2026-03-05") || st.Elapsed.Days != 3 {
		t.Errorf("on time: %+v", st)
	}
	late := mustClock(t, spec, start, Event{Kind: Finish, At: at("2026-03-06T09:00")})
	if st := status(t, late, cal, "2026-04-01T10:00"); st.State != Finished || !st.Late {
		t.Errorf("late: %+v", st)
	}
	if _, err := late.Apply(Event{Kind: Resume, At: at("2026-03-07T09:00")}); err == nil {
		t.Error("resumed a finished clock")
	}
	// Before the finish event, the clock answers as it was then.
	if st := status(t, late, cal, "2026-03-04T10:00"); st.State != Running {
		t.Errorf("history: %+v", st)
	}
}

func TestClock_L10_dueSoonThresholds(t *testing.T) {
	cal := mustDefault(t)
	spec := Spec{Statutory: Budget{10, WorkingDays}, DueSoonShare: 0.5}
	c := mustClock(t, spec, Event{Kind: Start, At: at("2026-03-02T10:00")})
	// Days passed are whole days: on Monday 9 March, 3–6 March are used.
	if st := status(t, c, cal, "2026-03-09T10:00"); st.State != Running || st.Share != 0.4 {
		t.Errorf("4 of 10: %v", st.State)
	}
	if st := status(t, c, cal, "2026-03-10T10:00"); st.State != DueSoon || st.Share != 0.5 {
		t.Errorf("5 of 10: %v %v", st.State, st.Share)
	}
}

func TestClock_L11_hoursRunOnTheClock(t *testing.T) {
	cal := mustDefault(t)
	c := mustClock(t, Spec{Statutory: Budget{48, Hours}}, Event{Kind: Start, At: at("2026-02-13T16:00")},
		Event{Kind: Pause, At: at("2026-02-14T16:00"), Reason: SpecialProcedure},
		Event{Kind: Resume, At: at("2026-02-15T04:00")})
	st := status(t, c, cal, "2026-02-15T05:00")
	if !st.Due.Equal(at("2026-02-16T04:00")) || st.Remaining.Time != 23*time.Hour || st.Elapsed.Time != 25*time.Hour {
		t.Errorf("%+v", st.Answer)
	}
	w := mustClock(t, Spec{Statutory: Budget{8, WorkingHours}}, Event{Kind: Start, At: at("2026-02-12T16:00")})
	if st := status(t, w, cal, "2026-02-13T09:00"); !st.Due.Equal(at("2026-02-13T17:00")) || st.Remaining.Time != 6*time.Hour+30*time.Minute {
		t.Errorf("working hours: %+v", st.Answer)
	}
}

func TestClock_naturalDaysRollToWorkingDay(t *testing.T) {
	cal := mustDefault(t)
	c := mustClock(t, Spec{Statutory: Budget{7, NaturalDays}}, Event{Kind: Start, At: at("2026-09-24T10:00")})
	st := status(t, c, cal, "2026-10-03T10:00")
	if st.DueDate != d("2026-10-08") || st.State != Running || st.Remaining.Days != 6 {
		t.Errorf("%+v", st.Answer)
	}
}

func TestClock_eventsAreSerialisable(t *testing.T) {
	evs := []Event{
		{Kind: Start, At: at("2026-03-02T10:00").UTC()},
		{Kind: Pause, At: at("2026-03-04T15:00").UTC(), Reason: SpecialProcedure, Note: "专家评审"},
		{Kind: Resume, At: at("2026-03-11T09:00").UTC()},
		{Kind: Extend, At: at("2026-03-12T09:00").UTC(), N: 5, Note: "负责人批准"},
	}
	b, err := json.Marshal(evs)
	if err != nil {
		t.Fatal(err)
	}
	var back []Event
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, evs) {
		t.Fatalf("%s → %+v, %v", b, back, err)
	}
	spec, _ := json.Marshal(LicensingDecision)
	var s2 Spec
	if err := json.Unmarshal(spec, &s2); err != nil || s2 != LicensingDecision {
		t.Errorf("spec %s", spec)
	}
	cal := mustDefault(t)
	a := status(t, mustClock(t, LicensingDecision, evs...), cal, "2026-03-20T10:00")
	b2 := status(t, mustClock(t, s2, back...), cal, "2026-03-20T10:00")
	if !reflect.DeepEqual(a, b2) {
		t.Error("a rebuilt clock answers differently")
	}
}

func TestClock_rulesRefuseImpossibleHistories(t *testing.T) {
	s := Event{Kind: Start, At: at("2026-03-02T10:00")}
	bad := [][]Event{
		{{Kind: Pause, At: at("2026-03-02T10:00"), Reason: SpecialProcedure}},
		{s, s},
		{s, {Kind: Resume, At: at("2026-03-03T10:00")}},
		{s, {Kind: Pause, At: at("2026-03-01T10:00"), Reason: SpecialProcedure}},
		{s, {Kind: Pause, At: at("2026-03-03T10:00")}},
		{s, {Kind: Extend, At: at("2026-03-03T10:00"), N: 0}},
		{s, {Kind: "bogus", At: at("2026-03-03T10:00")}},
	}
	for i, evs := range bad {
		if _, err := NewClock(LicensingDecision, evs...); err == nil {
			t.Errorf("history %d accepted", i)
		}
	}
	if _, err := NewClock(Spec{Statutory: Budget{0, WorkingDays}}); err == nil {
		t.Error("zero budget accepted")
	}
}

func TestClock_L9_missingYearIsAnErrorNotAGuess(t *testing.T) {
	cal := mustDefault(t)
	start := Event{Kind: Start, At: at("2026-12-20T10:00")}
	c := mustClock(t, LicensingDecision, start)
	// Running: the due date lies in 2027, which the data lacks.
	_, err := c.At(cal, at("2026-12-28T10:00"))
	if y, ok := MissingYear(err); !ok || y != 2027 {
		t.Fatalf("running into 2027: %v", err)
	}
	// Finished inside the data: on time, whatever 2027 holds.
	done, _ := c.Apply(Event{Kind: Finish, At: at("2026-12-28T10:00")})
	st, err := done.At(cal, at("2026-12-29T10:00"))
	if err != nil || st.State != Finished || st.Late {
		t.Errorf("finished: %+v %v", st, err)
	}
	// A stretch across a year without data is refused, not counted.
	ys, _ := Embedded()
	var gap []Year
	for _, y := range ys {
		if y.Year != 2022 {
			gap = append(gap, y)
		}
	}
	g, _ := New(gap, Options{})
	long := mustClock(t, Spec{Statutory: Budget{1000, WorkingDays}}, Event{Kind: Start, At: at("2021-06-01T10:00")},
		Event{Kind: Pause, At: at("2023-06-01T10:00"), Reason: SpecialProcedure})
	if _, err := long.At(g, at("2023-06-02T10:00")); err == nil {
		t.Error("counted across the missing 2022")
	}
}

// TestClock_L9_provisionalAnswerIsMarked: the case accepted on 20 December
// 2026 (L3, 20 working days) runs into 2027, whose notice is not loaded.
// Its answer comes from the statutory holidays and says so, for the
// statutory and the promised limit alike; a clock whose days all lie in
// 2026, or in hours on the clock, does not; with the notice merged the same
// clock is no longer provisional.
func TestClock_L9_provisionalAnswerIsMarked(t *testing.T) {
	cal := provisionalCalendar(t)
	spec := LicensingDecision
	spec.Promised = Budget{5, WorkingDays}
	c := mustClock(t, spec, Event{Kind: Start, At: at("2026-12-20T10:00")})
	st := status(t, c, cal, "2026-12-28T10:00")
	// Sun 20 Dec: 21–25, 28–31 (9), 1 Jan off, 4–8 (14), 11–15 (19), 18 Jan (20).
	if st.DueDate != d("2027-01-18") || !st.Provisional {
		t.Errorf("due %s, provisional %v; want 2027-01-18, provisional", st.DueDate, st.Provisional)
	}
	// The promise (21–25 December) ends in 2026, looked at from 2026.
	if st.Promised == nil || st.Promised.DueDate != d("2026-12-25") || st.Promised.Provisional {
		t.Errorf("promised %+v, want 2026-12-25, not provisional", st.Promised)
	}
	// Finished in 2026: nothing of 2027 was counted.
	done, _ := c.Apply(Event{Kind: Finish, At: at("2026-12-24T10:00")})
	if st := status(t, done, cal, "2027-01-05T10:00"); st.Provisional || st.Late {
		t.Errorf("finished in 2026: %+v", st.Answer)
	}
	// Paused in 2026 and looked at in 2027: the frozen answer counted 2026.
	paused, _ := c.Apply(Event{Kind: Pause, At: at("2026-12-22T10:00"), Reason: SpecialProcedure})
	if st := status(t, paused, cal, "2027-01-05T10:00"); st.Provisional {
		t.Errorf("paused in 2026: %+v", st.Answer)
	}
	// Hours on the clock never look at the calendar.
	hours := mustClock(t, Spec{Statutory: Budget{240, Hours}}, Event{Kind: Start, At: at("2026-12-28T10:00")})
	if st := status(t, hours, cal, "2026-12-29T10:00"); st.Provisional || st.DueDate != d("2027-01-07") {
		t.Errorf("hours: %+v", st.Answer)
	}
	// Working hours do.
	wh := mustClock(t, Spec{Statutory: Budget{21, WorkingHours}}, Event{Kind: Start, At: at("2026-12-30T09:00")})
	if st := status(t, wh, cal, "2026-12-30T10:00"); !st.Provisional || st.DueDate != d("2027-01-04") {
		t.Errorf("working hours: %+v", st.Answer)
	}
	y27, err := ProvisionalYear(2027)
	if err != nil {
		t.Fatal(err)
	}
	official, err := cal.Merge(y27) // the same days, now as a notice
	if err != nil {
		t.Fatal(err)
	}
	if st := status(t, c, official, "2026-12-28T10:00"); st.Provisional || st.DueDate != d("2027-01-18") {
		t.Errorf("with the notice: due %s, provisional %v", st.DueDate, st.Provisional)
	}
}

func TestProperty_L11_clockAgreesWithArithmetic(t *testing.T) {
	cal := mustDefault(t)
	r := rand.New(rand.NewSource(7))
	loc := cal.Location()
	for k := 0; k < 5000; k++ {
		n := r.Intn(30) + 1
		unit := WorkingDays
		if r.Intn(2) == 0 {
			unit = NaturalDays
		}
		s := randomDay(r, cal)
		if s.Year() == 2026 {
			continue
		}
		sAt := s.Start(loc).Add(time.Duration(r.Intn(86400)) * time.Second)
		c := mustClock(t, Spec{Statutory: Budget{n, unit}}, Event{Kind: Start, At: sAt})
		var want Date
		if unit == WorkingDays {
			want, _ = cal.AddWorkingDays(s, n)
		} else {
			want, _ = cal.AddNaturalDays(s, n)
		}
		now := sAt.Add(time.Duration(r.Int63n(int64(want-s+5) * int64(24*time.Hour))))
		st, err := c.At(cal, now)
		if err != nil {
			t.Fatal(err)
		}
		if st.DueDate != want || !st.Due.Equal(cal.End(want)) {
			t.Fatalf("%s +%d %s: due %s, want %s", s, n, unit, st.DueDate, want)
		}
		if now.Before(st.Due) {
			if st.State == Overdue || st.Remaining.Days < 1 {
				t.Fatalf("before due: %+v at %v", st.Answer, now)
			}
			if unit == WorkingDays && st.Elapsed.Days+st.Remaining.Days != n {
				t.Fatalf("elapsed %d + remaining %d != %d at %v", st.Elapsed.Days, st.Remaining.Days, n, now)
			}
		} else if st.State != Overdue || st.Remaining.Days > 0 {
			t.Fatalf("after due: %+v at %v", st.Answer, now)
		}
	}
}

// TestClock_P4_complaintAcceptanceDeadlines: a complaint in scope is accepted
// within 2 working days; a service-centre efficiency complaint that is not
// simple is decided within 3. Both are counted in working days across the
// Mid-Autumn holiday (25–27 Sep 2026), and the clock warns a day ahead.
func TestClock_P4_complaintAcceptanceDeadlines(t *testing.T) {
	cal := mustDefault(t)
	received := Event{Kind: Start, At: at("2026-09-24T10:00")} // Thursday
	acc := mustClock(t, ComplaintAcceptance, received)
	// Fri 25 – Sun 27 are off: Mon 28 (1), Tue 29 (2).
	if st := status(t, acc, cal, "2026-09-24T11:00"); st.DueDate != d("2026-09-29") || st.State != Running {
		t.Errorf("acceptance: due %s state %s, want 2026-09-29 running", st.DueDate, st.State)
	}
	if st := status(t, acc, cal, "2026-09-29T09:00"); st.State != DueSoon {
		t.Errorf("acceptance on its last day: state %s, want due_soon", st.State)
	}
	if st := status(t, acc, cal, "2026-09-30T00:30"); st.State != Overdue {
		t.Errorf("acceptance after its last day: state %s, want overdue", st.State)
	}
	efficiency := mustClock(t, Spec{Statutory: Budget{3, WorkingDays}, DueSoonUnits: 1}, received)
	if st := status(t, efficiency, cal, "2026-09-24T11:00"); st.DueDate != d("2026-09-30") {
		t.Errorf("efficiency complaint: due %s, want 2026-09-30", st.DueDate)
	}
}
