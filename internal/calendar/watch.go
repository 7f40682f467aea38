package calendar

import (
	"sort"
	"strings"
	"time"
)

// Watch is what a sweep needs to know of a clock at an instant (DESIGN 7:
// read only what is due): its standing, the next instant that standing can
// change without a new event, and how far into the calendar the answer
// reaches, so a calendar change can find the clocks it may move.
type Watch struct {
	// Standing is the clock's states at the instant, comma-separated: the
	// statutory limit's, the promised one's when the spec has one, and
	// "pause_over" once a pause has lasted its Max. Two equal standings
	// mean nothing a warning depends on has changed.
	Standing string
	// Next is the earliest instant after the one asked at which Standing
	// changes with no further event (a due-soon threshold, a due instant, a
	// pause reaching its Max, an event recorded ahead); zero when none can:
	// not started, finished, overdue on every limit, or paused without a
	// Max.
	Next time.Time
	// Reach is an instant at or after the end of the last day the answer
	// counts on the calendar: a change to a later day cannot change the
	// standing or Next. Zero when no calendar change can (not started,
	// finished, or only hours on the clock).
	Reach time.Time
}

// PauseOver is the Standing part of a pause that has lasted its Max.
const PauseOver = "pause_over"

// Watch answers for instant now. Its Next is exact to the microsecond (the
// store's resolution) and never early: the standing at Next differs from
// the standing at now, and is the same at every instant in between — but
// for an event recorded ahead of now, whose instant is a check whether or
// not it changes the standing.
func (c Clock) Watch(cal *Calendar, now time.Time) (Watch, error) {
	var w Watch
	st, err := c.At(cal, now)
	if err != nil {
		return w, err
	}
	var pauseOver bool
	pauseEnd, err := c.pauseEnd(cal)
	if err != nil {
		return w, err
	}
	if !pauseEnd.IsZero() {
		if now.Before(pauseEnd) {
			w.Next = pauseEnd
		} else {
			pauseOver = true
		}
	}
	w.Standing = standing(st, pauseOver)

	// An event recorded ahead of now changes the answer when its instant comes.
	for _, e := range c.events {
		if e.At.After(now) {
			w.Next = earliest(w.Next, e.At)
			break
		}
	}
	if c.phase == notStarted || c.phase == finished {
		// Finished clocks stay finished; a clock not started waits for its start.
		return w, nil
	}
	days := false
	reach := now
	note := func(t time.Time, u Unit) {
		if u != Hours {
			days = true
			if t.After(reach) {
				reach = t
			}
		}
	}
	if !pauseEnd.IsZero() {
		note(pauseEnd, c.lastPause().Max.Unit)
	}
	check := func(a Answer, b Budget, ext int) error {
		note(a.Due, b.Unit)
		if c.phase != running {
			// Paused: frozen but for the pause's own Max (above). The days
			// up to the pause still count: a holiday added before it may
			// make a limit that ran out in a closed stretch not run out.
			note(c.lastPause().At, b.Unit)
			return nil
		}
		next, err := c.nextChange(cal, now, a, b, ext)
		if err != nil {
			return err
		}
		w.Next = earliest(w.Next, next)
		return nil
	}
	if err := check(st.Answer, c.spec.Statutory, c.extended); err != nil {
		return w, err
	}
	if st.Promised != nil {
		if err := check(*st.Promised, c.spec.Promised, 0); err != nil {
			return w, err
		}
	}
	if days {
		w.Reach = reach
	}
	return w, nil
}

func standing(st Status, pauseOver bool) string {
	parts := []string{string(st.State)}
	if st.Promised != nil {
		parts = append(parts, string(st.Promised.State))
	}
	if pauseOver {
		parts = append(parts, PauseOver)
	}
	return strings.Join(parts, ",")
}

// earliest is the earlier of a and b, a zero one counting as none.
func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

// lastPause is the pause a paused clock is in (an extension may follow it).
func (c Clock) lastPause() Event {
	if c.phase != paused {
		return Event{}
	}
	for i := len(c.events) - 1; i >= 0; i-- {
		if c.events[i].Kind == Pause {
			return c.events[i]
		}
	}
	return Event{}
}

// pauseEnd is the instant the current pause reaches its Max, counted as a
// limit from the pause's day (L11: that day not counted); zero when the
// clock is not paused or the pause has no Max.
func (c Clock) pauseEnd(cal *Calendar) (time.Time, error) {
	p := c.lastPause()
	if p.Max.N <= 0 {
		return time.Time{}, nil
	}
	m := meter{cal: cal, unit: p.Max.Unit}
	s, err := m.start(p.At)
	if err != nil {
		return time.Time{}, err
	}
	t, _, err := m.due(p.At, s, p.Max.ticks())
	return t, err
}

// rank orders a running limit's states: time only ever moves it up.
func rank(s State) int {
	switch s {
	case DueSoon:
		return 1
	case Overdue:
		return 2
	}
	return 0
}

// nextChange is the first instant after now at which a running limit's
// state (a, at now) changes: the first instant it is due soon, else its due
// instant. A running limit only moves up (running → due soon → overdue),
// so the first instant of a higher rank is found by bisection.
func (c Clock) nextChange(cal *Calendar, now time.Time, a Answer, b Budget, ext int) (time.Time, error) {
	if a.State == Overdue || a.Due.IsZero() || !a.Due.After(now) {
		return time.Time{}, nil
	}
	if a.State == DueSoon || (c.spec.DueSoonUnits == 0 && c.spec.DueSoonShare == 0) {
		return a.Due, nil
	}
	r0 := rank(a.State)
	var failed error
	higher := func(t time.Time) bool {
		if failed != nil {
			return true
		}
		x, err := c.answer(cal, t, b, ext)
		if err != nil {
			failed = err
			return true
		}
		return rank(x.State) > r0
	}
	var next time.Time
	if b.Unit.days() {
		// Days change state only as a day begins: search the days after
		// today up to the day after the due date, whose start is the due
		// instant.
		first, last := cal.Date(now)+1, cal.DueDate(a.Due)+1
		i := sort.Search(int(last-first)+1, func(i int) bool { return higher((first + Date(i)).Start(cal.loc)) })
		next = (first + Date(i)).Start(cal.loc)
	} else {
		// Hours: the first microsecond after now at which it is higher.
		lo := now.Truncate(time.Microsecond)
		n := a.Due.Sub(lo).Microseconds() + 1
		i := sort.Search(int(n), func(i int) bool { return higher(lo.Add(time.Duration(i+1) * time.Microsecond)) })
		next = lo.Add(time.Duration(i+1) * time.Microsecond)
	}
	if failed != nil {
		return time.Time{}, failed
	}
	return next, nil
}
