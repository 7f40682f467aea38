package calendar

import (
	"encoding/json"
	"math/rand"
	"testing"
	"time"
)

func watch(t testing.TB, c Clock, cal *Calendar, now time.Time) Watch {
	t.Helper()
	w, err := c.Watch(cal, now)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// L10: the next check of a running 20-working-day clock warned 3 days ahead
// is the start of the third-last working day, then its due instant, then
// nothing once overdue.
func TestWatch_L10_nextCheckIsDueSoonThenDueThenNone(t *testing.T) {
	cal := mustDefault(t)
	c := mustClock(t, LicensingDecision, Event{Kind: Start, At: at("2026-03-02T10:00")})
	due, _ := cal.AddWorkingDays(d("2026-03-02"), 20) // 30 March
	soon, _ := cal.AddWorkingDays(due, -2)            // 26 March: 3 working days left, today included
	w := watch(t, c, cal, at("2026-03-02T10:00"))
	if w.Standing != "running" || !w.Next.Equal(soon.Start(DefaultLocation)) || !w.Reach.Equal(cal.End(due)) {
		t.Fatalf("at start: %+v, want next %s, reach %s", w, soon, due)
	}
	w = watch(t, c, cal, w.Next)
	if w.Standing != "due_soon" || !w.Next.Equal(cal.End(due)) {
		t.Fatalf("due soon: %+v", w)
	}
	w = watch(t, c, cal, w.Next)
	if w.Standing != "overdue" || !w.Next.IsZero() {
		t.Fatalf("overdue: %+v", w)
	}
	f := mustClock(t, LicensingDecision, Event{Kind: Start, At: at("2026-03-02T10:00")}, Event{Kind: Finish, At: at("2026-03-05T10:00")})
	if w := watch(t, f, cal, at("2026-03-05T10:00")); w.Standing != "finished" || !w.Next.IsZero() || !w.Reach.IsZero() {
		t.Fatalf("finished: %+v", w)
	}
	n := mustClock(t, LicensingDecision)
	if w := watch(t, n, cal, at("2026-03-05T10:00")); w.Standing != "not_started" || !w.Next.IsZero() || !w.Reach.IsZero() {
		t.Fatalf("not started: %+v", w)
	}
}

// L4: a paused clock changes standing only when its pause reaches the
// length approved for it; a pause without one has no next check.
func TestWatch_L4_pausedClockChecksWhenThePauseReachesItsMaximum(t *testing.T) {
	cal := mustDefault(t)
	start := Event{Kind: Start, At: at("2026-03-02T10:00")}
	open := mustClock(t, LicensingDecision, start, Event{Kind: Pause, At: at("2026-03-04T10:00"), Reason: SpecialProcedure})
	if w := watch(t, open, cal, at("2026-03-04T10:00")); w.Standing != "paused" || !w.Next.IsZero() {
		t.Fatalf("pause without a maximum: %+v", w)
	}
	c := mustClock(t, LicensingDecision, start, Event{Kind: Pause, At: at("2026-03-04T10:00"), Reason: SpecialProcedure,
		Max: Budget{10, WorkingDays}})
	end, _ := cal.AddWorkingDays(d("2026-03-04"), 10)
	w := watch(t, c, cal, at("2026-03-05T10:00"))
	if w.Standing != "paused" || !w.Next.Equal(cal.End(end)) || !w.Reach.Equal(cal.End(end)) {
		t.Fatalf("paused: %+v, want next and reach %s", w, cal.End(end))
	}
	if w := watch(t, c, cal, cal.End(end)); w.Standing != "paused,"+PauseOver || !w.Next.IsZero() {
		t.Fatalf("pause over: %+v", w)
	}
	// An extension granted during the pause (L3) leaves its maximum as it was.
	x, err := c.Apply(Event{Kind: Extend, At: at("2026-03-06T10:00"), N: 5})
	if err != nil {
		t.Fatal(err)
	}
	if w := watch(t, x, cal, at("2026-03-06T10:00")); w.Standing != "paused" || !w.Next.Equal(cal.End(end)) {
		t.Fatalf("extended while paused: %+v", w)
	}
	if _, err := NewClock(LicensingDecision, start, Event{Kind: Pause, At: at("2026-03-04T10:00"), Reason: SpecialProcedure,
		Max: Budget{3, "fortnights"}}); err == nil {
		t.Fatal("a pause's maximum in an unknown unit accepted")
	}
	if _, err := NewClock(LicensingDecision, Event{Kind: Start, At: at("2026-03-04T10:00"), Max: Budget{3, WorkingDays}}); err == nil {
		t.Fatal("a maximum on a start accepted")
	}
}

// L11: hours on the clock never look at the calendar (no reach); the next
// check of an hour limit is exact to the microsecond.
func TestWatch_L11_hoursAreExactAndReachNoCalendar(t *testing.T) {
	cal := mustDefault(t)
	c := mustClock(t, Spec{Statutory: Budget{48, Hours}, DueSoonUnits: 4}, Event{Kind: Start, At: at("2026-02-13T16:00").Add(123 * time.Nanosecond)})
	w := watch(t, c, cal, at("2026-02-13T17:00"))
	want := at("2026-02-15T12:00").Add(time.Microsecond) // 4 hours left, from the next whole microsecond
	if !w.Next.Equal(want) || !w.Reach.IsZero() {
		t.Fatalf("%+v, want next %s and no reach", w, want)
	}
}

// L3, L10: a promised limit shorter than the statutory one is watched too,
// and the earlier of their changes comes first.
func TestWatch_L3_promisedAndStatutoryBothWatched(t *testing.T) {
	cal := mustDefault(t)
	spec := Spec{Statutory: Budget{20, WorkingDays}, Promised: Budget{5, WorkingDays}}
	c := mustClock(t, spec, Event{Kind: Start, At: at("2026-03-02T10:00")})
	promised, _ := cal.AddWorkingDays(d("2026-03-02"), 5)
	statutory, _ := cal.AddWorkingDays(d("2026-03-02"), 20)
	w := watch(t, c, cal, at("2026-03-03T10:00"))
	if w.Standing != "running,running" || !w.Next.Equal(cal.End(promised)) || !w.Reach.Equal(cal.End(statutory)) {
		t.Fatalf("%+v", w)
	}
	w = watch(t, c, cal, w.Next)
	if w.Standing != "running,overdue" || !w.Next.Equal(cal.End(statutory)) {
		t.Fatalf("past the promise: %+v", w)
	}
}

// Property (L1–L4, L10, L11): for random clocks in every unit, with pauses,
// extensions and both kinds of threshold, the standing is the same at
// every instant from now up to just before Next, and differs at Next; with
// no Next it is the same a year on.
func TestProperty_L10_nextCheckIsTheFirstChange(t *testing.T) {
	emb, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	cal, err := New(emb, Options{ProvisionalYears: 2}) // a year on from 2026 is provisional 2027
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewSource(12))
	units := []Unit{WorkingDays, NaturalDays, Hours, WorkingHours}
	loc := cal.Location()
	for k := 0; k < 3000; k++ {
		u := units[r.Intn(len(units))]
		spec := Spec{Statutory: Budget{r.Intn(25) + 1, u}, MaxExtension: 10}
		switch r.Intn(3) {
		case 0:
			spec.DueSoonUnits = r.Intn(4)
		case 1:
			spec.DueSoonShare = float64(r.Intn(10)) / 10
		}
		if r.Intn(3) == 0 {
			spec.Promised = Budget{r.Intn(spec.Statutory.N) + 1, u}
		}
		s := d("2024-01-05") + Date(r.Intn(1000))
		now := s.Start(loc).Add(time.Duration(r.Int63n(int64(24 * time.Hour))))
		evs := []Event{{Kind: Start, At: now}}
		for step := r.Intn(4); step > 0; step-- {
			now = now.Add(time.Duration(r.Int63n(int64(6 * 24 * time.Hour))))
			c := mustClock(t, spec, evs...)
			var e Event
			switch c.phase {
			case running:
				e = Event{Kind: Pause, At: now, Reason: SpecialProcedure}
				if r.Intn(2) == 0 {
					e.Max = Budget{r.Intn(5) + 1, units[r.Intn(len(units))]}
				}
				if r.Intn(3) == 0 {
					e = Event{Kind: Extend, At: now, N: r.Intn(3) + 1}
				}
			case paused:
				e = Event{Kind: Resume, At: now}
			}
			if _, err := c.Apply(e); err == nil {
				evs = append(evs, e)
			}
		}
		c := mustClock(t, spec, evs...)
		now = now.Add(time.Duration(r.Int63n(int64(10 * 24 * time.Hour))))
		w := watch(t, c, cal, now)
		standingAt := func(x time.Time) string {
			return watch(t, c, cal, x).Standing
		}
		if w.Next.IsZero() {
			if got := standingAt(now.AddDate(1, 0, 0)); got != w.Standing {
				t.Fatalf("case %d %+v: no next check, but %q became %q a year on", k, evs, w.Standing, got)
			}
			continue
		}
		if !w.Next.After(now) {
			t.Fatalf("case %d: next %s not after now %s", k, w.Next, now)
		}
		before := w.Next.Add(-time.Microsecond)
		if before.After(now) {
			if got := standingAt(before); got != w.Standing {
				t.Fatalf("case %d %v %+v at %s: %q already %q a microsecond before next %s", k, spec, evs, now, w.Standing, got, w.Next)
			}
			mid := now.Add(time.Duration(r.Int63n(int64(before.Sub(now)) + 1)))
			if got := standingAt(mid); got != w.Standing {
				t.Fatalf("case %d: %q became %q at %s, before next %s", k, w.Standing, got, mid, w.Next)
			}
		}
		if got := standingAt(w.Next); got == w.Standing {
			t.Fatalf("case %d %v %+v at %s: standing %q unchanged at next %s", k, spec, evs, now, got, w.Next)
		}
	}
}

// FuzzClockWatch feeds stored clock histories (spec and events as the
// database holds them, JSON) to NewClock and Watch: a history the rules
// refuse is an error, never a panic, and an accepted one's Next is the
// first change of its standing (L10), as in the property test above.
func FuzzClockWatch(f *testing.F) {
	f.Add(`{"statutory":{"n":20,"unit":"working_days"},"max_extension":10,"due_soon_units":3}`,
		`[{"kind":"start","at":"2026-03-02T10:00:00+08:00"}]`, int64(3600))
	f.Add(`{"statutory":{"n":48,"unit":"hours"},"due_soon_share":0.5,"promised":{"n":24,"unit":"hours"}}`,
		`[{"kind":"start","at":"2026-02-13T16:00:00+08:00"},{"kind":"pause","at":"2026-02-14T16:00:00+08:00","reason":"special_procedure","max":{"n":3,"unit":"working_days"}}]`, int64(86400))
	f.Add(`{"statutory":{"n":8,"unit":"working_hours"},"due_soon_units":1}`,
		`[{"kind":"start","at":"2026-05-01T10:00:00+08:00"},{"kind":"extend","at":"2026-05-02T10:00:00+08:00","n":1}]`, int64(7200))
	cal, err := Default()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, specJSON, eventsJSON string, after int64) {
		var spec Spec
		var evs []Event
		if json.Unmarshal([]byte(specJSON), &spec) != nil || json.Unmarshal([]byte(eventsJSON), &evs) != nil || len(evs) == 0 {
			return
		}
		c, err := NewClock(spec, evs...)
		if err != nil {
			return
		}
		now := evs[len(evs)-1].At.Add(time.Duration(uint64(after)%(400*86400)) * time.Second)
		w, err := c.Watch(cal, now)
		if err != nil || w.Next.IsZero() {
			return
		}
		at := func(x time.Time) (string, bool) {
			v, err := c.Watch(cal, x)
			return v.Standing, err == nil
		}
		if !w.Next.After(now) {
			t.Fatalf("next %s not after now %s", w.Next, now)
		}
		if s, ok := at(w.Next); ok && s == w.Standing {
			t.Fatalf("standing %q unchanged at next %s", s, w.Next)
		}
		if b := w.Next.Add(-time.Microsecond); b.After(now) {
			if s, ok := at(b); ok && s != w.Standing {
				t.Fatalf("standing %q already %q before next %s", w.Standing, s, w.Next)
			}
		}
	})
}
