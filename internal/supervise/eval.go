package supervise

import (
	_ "embed"
	"fmt"
	"slices"
	"time"

	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/casework"
)

//go:embed defaults.yaml
var defaultsYAML []byte

// Defaults are the shipped rules (defaults.yaml), the root of every chain
// until a region sets its own. The region is "" and the version the file's.
func Defaults() RuleSet {
	rs, err := Parse(defaultsYAML)
	if err != nil {
		panic(fmt.Sprintf("supervise: shipped defaults.yaml: %v", err)) // a test reads it; never at run time
	}
	return rs
}

// DefaultsYAML is the shipped rule file, for administrators to start from.
func DefaultsYAML() []byte { return slices.Clone(defaultsYAML) }

// Subject is one clock a time rule watches: its object, which watch, the
// clock's rule and events, and who answers for it. For a watch with its
// own limit (case, step, special, order, escalation, rectification) Spec
// is that limit; for the others the rule's Limit is used and Spec is
// ignored. Events are the clock's (start, pauses, extensions, finish).
type Subject struct {
	Object Object
	Watch  Watch
	// Of narrows a publication (C8): normative_document or service_item.
	Of       string
	Spec     calendar.Spec
	Events   []calendar.Event
	BodyPath string
	Case     string // the case's number, for a case or one of its steps
	Unit     string // the responsible unit's code
	Person   casework.Staff
}

// Result is what a subject's evaluation at an instant asks of storage:
// the cards to raise (each at its rule's instant), the open cards whose
// cause is fixed (the clock finished), and Next, the earliest instant
// after now at which another card can fire — what storage keeps as the
// clock's next check instant (clocks.next_check_at); zero when none can
// until the subject changes (finished, or paused: resuming is a clock
// event, which recomputes it).
type Result struct {
	Raise []Card
	Clear []Cleared
	Next  time.Time
}

// Evaluate runs the time rules in force on s's watch at now, against the
// body's calendar. fired are the cards already in the ledger for s's
// object (open or cleared): none fires twice. A card whose instant passed
// while the sweep was not running is raised with that instant (RaisedAt
// is now); one whose instant passed before the clock paused or finished
// is raised too (and, on a finished clock, cleared at the finish).
func Evaluate(set Set, s Subject, cal *calendar.Calendar, now time.Time, fired []Card) (Result, error) {
	var res Result
	if !s.Watch.IsTime() {
		return res, fmt.Errorf("supervise: %q is not a time watch", s.Watch)
	}
	has := func(k Key) (Card, bool) {
		i := slices.IndexFunc(fired, func(c Card) bool { return c.Key == k })
		if i < 0 {
			return Card{}, false
		}
		return fired[i], true
	}
	for _, r := range set.watching(s.Watch) {
		if r.Of != "" && r.Of != s.Of {
			continue
		}
		spec := s.Spec
		if !watches[s.Watch].ownLimit {
			spec = calendar.Spec{Statutory: r.Limit}
		}
		clk, err := calendar.NewClock(spec, s.Events...)
		if err != nil {
			return res, fmt.Errorf("supervise: %s: %w", s.Object, err)
		}
		at, stop, err := threshold(r.Rule, clk, cal, now)
		if err != nil {
			return res, fmt.Errorf("supervise: %s, rule %s: %w", s.Object, r.ID, err)
		}
		key := Key{Object: s.Object, Rule: r.ID, Level: r.Level}
		old, done := has(key)
		switch {
		case at.IsZero():
		case !at.After(now) && (stop.IsZero() || at.Before(stop)):
			if !done {
				c := s.card(r, at, now)
				if end, ok := finishedAt(clk, now); ok {
					c.Cleared, c.ClearReason = end, "cause fixed"
				}
				res.Raise = append(res.Raise, c)
			}
		case stop.IsZero() && !done:
			if res.Next.IsZero() || at.Before(res.Next) {
				res.Next = at
			}
		}
		if end, ok := finishedAt(clk, now); ok && done && old.Open() {
			res.Clear = append(res.Clear, Cleared{Key: key, At: end})
		}
	}
	return res, nil
}

// NextCheck is the earliest instant after now at which a time rule in
// force can raise a card on s, given the cards already fired; zero for
// none. Storage calls it on every clock event and calendar change to set
// clocks.next_check_at; the sweep reads the clocks whose instant has come
// and calls Evaluate.
func NextCheck(set Set, s Subject, cal *calendar.Calendar, now time.Time, fired []Card) (time.Time, error) {
	r, err := Evaluate(set, s, cal, now, fired)
	return r.Next, err
}

func (s Subject) card(r InForce, at, now time.Time) Card {
	return Card{Key: Key{Object: s.Object, Rule: r.ID, Level: r.Level}, RuleRegion: r.Region, RuleVersion: r.Version,
		Name: r.Name, Watch: s.Watch, At: at, RaisedAt: now, BodyPath: s.BodyPath, Case: s.Case, Unit: s.Unit, Person: s.Person,
		Notify: slices.Clone(r.Notify)}
}

// finishedAt is when the clock finished, if it has by now: the cause of
// its time cards is fixed then.
func finishedAt(clk calendar.Clock, now time.Time) (time.Time, bool) {
	for _, e := range clk.Events() {
		if e.Kind == calendar.Finish && !e.At.After(now) {
			return e.At, true
		}
	}
	return time.Time{}, false
}

// threshold is rule r's instant on clk as it stands at now, and the
// instant the clock last stopped (paused or finished) if it is stopped at
// now. A stopped clock is judged as it stood just before it stopped, so a
// threshold passed before the pause or finish still fires (a sweep that
// ran late misses nothing); one after it cannot fire while stopped. Zero
// when the clock has not started, or is stopped with no due instant.
func threshold(r Rule, clk calendar.Clock, cal *calendar.Calendar, now time.Time) (at, stop time.Time, err error) {
	ref, running, since := now, false, time.Time{}
	for _, e := range clk.Events() {
		if e.At.After(now) {
			break
		}
		switch e.Kind {
		case calendar.Start, calendar.Resume:
			running, since, stop = true, e.At, time.Time{}
		case calendar.Pause, calendar.Finish:
			if running {
				stop = e.At
			}
			running = false
		}
	}
	if since.IsZero() {
		return time.Time{}, time.Time{}, nil // never started
	}
	if !running {
		if stop.IsZero() {
			return time.Time{}, time.Time{}, nil
		}
		ref = stop.Add(-time.Nanosecond)
	}
	st, err := clk.At(cal, ref)
	if err != nil || st.Due.IsZero() {
		return time.Time{}, stop, err
	}
	loc := cal.Location()
	switch w := r.When; {
	case w.Before != nil:
		if u := clk.Spec().Statutory.Unit; w.Before.Unit != calendar.Hours && (u == calendar.Hours || u == calendar.WorkingHours) {
			// A threshold in days says nothing of a limit in hours (an
			// instant item's 2 working hours): its last day is its only
			// one. Regions add an hours threshold for such limits.
			return time.Time{}, stop, nil
		}
		if w.Before.Unit == calendar.Hours {
			at = st.Due.Add(-time.Duration(w.Before.N) * time.Hour)
			break
		}
		d := st.DueDate
		if w.Before.Unit == calendar.NaturalDays {
			d = d.AddDays(-(w.Before.N - 1))
		} else {
			// The N-th last working day of the limit: its last day is one
			// unless the limit runs in hours and ends on a rest day.
			ok, err := cal.IsWorkingDay(d)
			if err != nil {
				return at, stop, err
			}
			if !ok {
				if d, err = cal.PrevWorkingDay(d); err != nil {
					return at, stop, err
				}
			}
			for range w.Before.N - 1 {
				if d, err = cal.PrevWorkingDay(d); err != nil {
					return at, stop, err
				}
			}
		}
		at = d.Start(loc)
	case w.After != nil:
		switch {
		case w.After.N == 0:
			at = st.Due
		case w.After.Unit == calendar.Hours:
			at = st.Due.Add(time.Duration(w.After.N) * time.Hour)
		case w.After.Unit == calendar.NaturalDays:
			at = cal.End(st.DueDate.AddDays(w.After.N))
		default:
			d, err := cal.AddWorkingDays(st.DueDate, w.After.N)
			if err != nil {
				return at, stop, err
			}
			at = cal.End(d)
		}
	case w.Share > 0:
		at, err = shareInstant(clk, cal, since, st.Due, w.Share)
		if err != nil {
			return at, stop, err
		}
	}
	// A threshold before the clock's first start fires at the start: a
	// one-day limit has no day before its last.
	if first := firstStart(clk); at.Before(first) {
		at = first
	}
	return at, stop, nil
}

func firstStart(clk calendar.Clock) time.Time {
	for _, e := range clk.Events() {
		if e.Kind == calendar.Start {
			return e.At
		}
	}
	return time.Time{}
}

// shareInstant is the first instant in [from, due] at which the share of
// the time elapsed reaches share. The clock's share only grows while it
// runs, so a search over the instants finds it exactly, on the clock's
// own counting (whole days for day units).
func shareInstant(clk calendar.Clock, cal *calendar.Calendar, from, due time.Time, share float64) (time.Time, error) {
	reached := func(t time.Time) (bool, error) {
		st, err := clk.At(cal, t)
		return st.Share >= share, err
	}
	if ok, err := reached(from); err != nil || ok {
		return from, err
	}
	lo, hi := from, due // share < s at lo; at due the whole time has elapsed
	for hi.Sub(lo) > time.Nanosecond {
		mid := lo.Add(hi.Sub(lo) / 2)
		ok, err := reached(mid)
		if err != nil {
			return time.Time{}, err
		}
		if ok {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi, nil
}
