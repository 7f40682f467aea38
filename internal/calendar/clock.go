package calendar

import (
	"fmt"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/msg"
)

// Unit is what a budget is counted in.
type Unit string

const (
	WorkingDays  Unit = "working_days"  // L1: statutory holidays and rest days do not count
	NaturalDays  Unit = "natural_days"  // L11: a last day on a rest day moves to the next working day
	Hours        Unit = "hours"         // L11: on the clock, day and night, holidays included
	WorkingHours Unit = "working_hours" // business hours on working days (the calendar's BusinessHours)
)

func (u Unit) valid() bool {
	switch u {
	case WorkingDays, NaturalDays, Hours, WorkingHours:
		return true
	}
	return false
}

// Valid reports whether u is a known unit (for packages that read limits,
// such as flow files).
func (u Unit) Valid() bool { return u.valid() }

func (u Unit) days() bool { return u == WorkingDays || u == NaturalDays }

// In names the unit in lang as it follows a number ("个工作日", "working
// days"); an unknown unit by itself.
func (u Unit) In(lang string) string { return msg.Name(lang, "calendar.unit", string(u)) }

// maxBudget bounds any limit (and keeps hour budgets far from int64
// overflow): 100 000 units is centuries of days.
const maxBudget = 100000

// Budget is a time limit: N units.
type Budget struct {
	N    int  `json:"n"`
	Unit Unit `json:"unit"`
}

func (b Budget) String() string { return fmt.Sprintf("%d %s", b.N, b.Unit.In("en")) }

// ticks is the budget on the clock's internal measure: days, or nanoseconds
// for hour units.
func (b Budget) ticks() int64 {
	if b.Unit.days() {
		return int64(b.N)
	}
	return int64(b.N) * int64(time.Hour)
}

// SupplementMode says what a supplementation pause (补正, L2) does on resume.
type SupplementMode string

const (
	// Restart: the period starts anew, counted from the day the materials
	// are complete (H2). The default.
	Restart SupplementMode = "restart"
	// Continue: the time before the pause stays used; the pause is excluded.
	Continue SupplementMode = "continue"
)

// Spec is a clock's rule: the statutory limit and the promised one, kept
// apart; the extension ceiling; the supplementation mode; and when a clock
// counts as due soon. Every number is configuration (L10), with the
// national defaults in the presets below.
type Spec struct {
	Statutory Budget `json:"statutory"`
	// Promised is the body's own, usually shorter, commitment (承诺时限);
	// N = 0 means none. Extensions do not move it: an extension is granted
	// against the statutory limit (L3, P6), and a case past its promise is
	// late against the promise whatever was extended.
	Promised Budget `json:"promised,omitzero"`
	// MaxExtension caps the sum of all extensions, in Statutory.Unit; 0
	// means no extension is possible.
	MaxExtension int            `json:"max_extension,omitempty"`
	Supplement   SupplementMode `json:"supplement,omitempty"`
	// DueSoonUnits: due soon once at most this many units remain, today
	// included (days) or this many hours (hour units); 0 = unused.
	DueSoonUnits int `json:"due_soon_units,omitempty"`
	// DueSoonShare: due soon once this share of the time has elapsed
	// (0.8 = 80 %); 0 = unused.
	DueSoonShare float64 `json:"due_soon_share,omitempty"`
}

// National defaults from DOMAIN.md; regions override them in configuration.
var (
	// L3: licensing decision in 20 working days, extendable once or more by
	// up to 10 in all.
	LicensingDecision = Spec{Statutory: Budget{20, WorkingDays}, MaxExtension: 10, Supplement: Restart, DueSoonUnits: 3}
	// L3: joint or centralised handling: 45, extendable by 15.
	JointLicensingDecision = Spec{Statutory: Budget{45, WorkingDays}, MaxExtension: 15, Supplement: Restart, DueSoonUnits: 5}
	// L2: everything to supplement is told within 5 working days.
	SupplementNotice = Spec{Statutory: Budget{5, WorkingDays}, DueSoonUnits: 1}
	// P4: a complaint is accepted within 2 working days.
	ComplaintAcceptance = Spec{Statutory: Budget{2, WorkingDays}, DueSoonUnits: 1}
	// P6: a complaint is finished within 15 working days, extendable by 15.
	ComplaintHandling = Spec{Statutory: Budget{15, WorkingDays}, MaxExtension: 15, Supplement: Continue, DueSoonUnits: 3}
	// L10: a supervision order is answered within 5 working days.
	SupervisionReply = Spec{Statutory: Budget{5, WorkingDays}, DueSoonUnits: 1}
)

// Validate checks a spec.
func (s Spec) Validate() error {
	if !s.Statutory.Unit.valid() {
		return apperr.Invalidf("statutory.unit", "calendar.time_limit_unit_is_invalid", s.Statutory.Unit)
	}
	if s.Statutory.N <= 0 || s.Statutory.N > maxBudget {
		return apperr.Invalidf("statutory.n", "calendar.the_statutory_limit_must_be_1", maxBudget)
	}
	if s.Promised.N < 0 || s.Promised.N > maxBudget || (s.Promised.N > 0 && !s.Promised.Unit.valid()) {
		return apperr.Invalidf("promised", "calendar.the_promised_limit_is_invalid")
	}
	if s.MaxExtension < 0 {
		return apperr.Invalidf("max_extension", "calendar.the_extension_ceiling_cannot_be_negative")
	}
	switch s.Supplement {
	case "", Restart, Continue:
	default:
		return apperr.Invalidf("supplement", "calendar.supplementation_mode_is_invalid", s.Supplement)
	}
	if s.DueSoonUnits < 0 || s.DueSoonShare < 0 || s.DueSoonShare > 1 {
		return apperr.Invalidf("due_soon", "calendar.the_due_soon_threshold_is_invalid")
	}
	return nil
}

// EventKind is what happened to a clock.
type EventKind string

const (
	Start  EventKind = "start"  // H2: acceptance notice issued (or materials complete)
	Pause  EventKind = "pause"  // L2 supplementation or L4 special procedure begins
	Resume EventKind = "resume" // it ends
	Extend EventKind = "extend" // L3/P6: the limit is extended by N units
	Finish EventKind = "finish" // H7: the case or step is completed
)

// PauseReason says why a clock is paused.
type PauseReason string

const (
	Supplementation  PauseReason = "supplementation"   // 补正 (L2), see SupplementMode
	SpecialProcedure PauseReason = "special_procedure" // 特别程序 (L4): time excluded
)

// Event is one stored fact about a clock: plain data, serialisable as JSON,
// from which the clock is rebuilt. Nothing derived (due, overdue) is stored.
type Event struct {
	Kind   EventKind   `json:"kind"`
	At     time.Time   `json:"at"`
	Reason PauseReason `json:"reason,omitempty"` // pause only
	N      int         `json:"n,omitempty"`      // extend only: units of the statutory budget
	Note   string      `json:"note,omitempty"`   // e.g. the reason told to the applicant (L3)
	// Max is the longest a pause may last (pause only; zero: no limit): the
	// length approved for a special procedure (L4), within its flow's
	// maximum. The clock stays paused past it, but its standing changes
	// (Watch), so a sweep sees the procedure run over.
	Max Budget `json:"max,omitzero"`
}

type phase uint8

const (
	notStarted phase = iota
	running
	paused
	finished
)

// Clock is a case's, a step's or a complaint's time limit: a spec plus the
// events so far. It is a value; Apply returns a new clock. It never holds a
// calendar or an answer: At computes them, so a corrected calendar gives the
// corrected answer.
type Clock struct {
	spec     Spec
	events   []Event
	phase    phase
	extended int
}

// NewClock rebuilds a clock from its spec and stored events, refusing any
// history the rules would not have allowed.
func NewClock(spec Spec, events ...Event) (Clock, error) {
	if err := spec.Validate(); err != nil {
		return Clock{}, err
	}
	if spec.Supplement == "" {
		spec.Supplement = Restart
	}
	c := Clock{spec: spec}
	for i, e := range events {
		var err error
		if c, err = c.Apply(e); err != nil {
			if ae, ok := err.(*apperr.Error); ok {
				ae2 := *ae
				ae2.Field = fmt.Sprintf("events[%d]", i)
				return Clock{}, &ae2
			}
			return Clock{}, err
		}
	}
	return c, nil
}

// Spec returns the clock's rule.
func (c Clock) Spec() Spec { return c.spec }

// Events returns a copy of the clock's events.
func (c Clock) Events() []Event { return append([]Event(nil), c.events...) }

// Extended is the sum of the extensions granted, in statutory units.
func (c Clock) Extended() int { return c.extended }

// Apply returns the clock with e appended, or an error if the rules refuse
// it: events in time order, start first and once, pause only while running,
// resume only while paused, nothing after finish, and extensions within the
// ceiling (L3, P6).
func (c Clock) Apply(e Event) (Clock, error) {
	if e.At.IsZero() {
		return c, apperr.Invalidf("at", "calendar.the_event_has_no_time")
	}
	if n := len(c.events); n > 0 && e.At.Before(c.events[n-1].At) {
		return c, apperr.Invalidf("at", "calendar.the_event_is_earlier_than_the")
	}
	if e.Kind != Pause && e.Max != (Budget{}) {
		return c, apperr.Invalidf("max", "calendar.only_a_pause_has_a_longest")
	}
	switch e.Kind {
	case Start:
		if c.phase != notStarted {
			return c, apperr.Conflictf("calendar.the_clock_has_already_started")
		}
		c.phase = running
	case Pause:
		if c.phase != running {
			return c, apperr.Conflictf("calendar.only_a_running_clock_can_be")
		}
		if e.Reason != Supplementation && e.Reason != SpecialProcedure {
			return c, apperr.Invalidf("reason", "calendar.pause_reason_is_invalid", e.Reason)
		}
		if e.Max != (Budget{}) && (e.Max.N <= 0 || e.Max.N > maxBudget || !e.Max.Unit.valid()) {
			return c, apperr.Invalidf("max", "calendar.the_longest_pause_is_invalid_1", maxBudget)
		}
		c.phase = paused
	case Resume:
		if c.phase != paused {
			return c, apperr.Conflictf("calendar.only_a_paused_clock_can_be")
		}
		c.phase = running
	case Extend:
		if c.phase != running && c.phase != paused {
			return c, apperr.Conflictf("calendar.a_clock_not_started_or_finished")
		}
		if e.N <= 0 {
			return c, apperr.Invalidf("n", "calendar.an_extension_must_be_more_than")
		}
		if e.N > c.spec.MaxExtension || c.extended+e.N > c.spec.MaxExtension {
			u := c.spec.Statutory.Unit
			return c, &apperr.Error{Code: apperr.Conflict, Field: "n", Key: "calendar.extending_by_would_make_in_all", Args: []any{c.extended + e.N, u, c.spec.MaxExtension, u, c.extended,
				e.N, u}}
		}
		c.extended += e.N
	case Finish:
		if c.phase != running && c.phase != paused {
			return c, apperr.Conflictf("calendar.a_clock_not_started_or_already")
		}
		c.phase = finished
	default:
		return c, apperr.Invalidf("kind", "calendar.event_kind_is_invalid", e.Kind)
	}
	if e.Kind != Pause {
		e.Reason = ""
	}
	// Copy so that clocks sharing a history never see each other's appends.
	ev := make([]Event, len(c.events)+1)
	copy(ev, c.events)
	ev[len(c.events)] = e
	c.events = ev
	return c, nil
}

// State is a clock's derived state at an instant.
type State string

const (
	NotStarted State = "not_started"
	Running    State = "running"
	Paused     State = "paused"
	DueSoon    State = "due_soon"
	Overdue    State = "overdue"
	Finished   State = "finished"
)

// Amount is a quantity in a budget's unit: Days for day units, Time for
// hour units. Negative remaining means overdue by that much.
type Amount struct {
	Days int           `json:"days,omitempty"`
	Time time.Duration `json:"time,omitempty"`
}

// Answer is one limit's state at an instant.
type Answer struct {
	State  State  `json:"state"`
	Budget Budget `json:"budget"` // including extensions
	// Due is the instant the limit falls due (for day units 24:00 of DueDate
	// in the calendar's zone); zero while paused, since it depends on when
	// the clock resumes — unless it already passed.
	Due     time.Time `json:"due,omitzero"`
	DueDate Date      `json:"due_date,omitzero"`
	// Elapsed counts used units: whole days passed (the current day counts
	// once the clock pauses or finishes on it), or exact time.
	Elapsed Amount `json:"elapsed"`
	// Remaining counts units left, today included while running.
	Remaining Amount `json:"remaining"`
	// Share is the elapsed share of the time available (> 1 when overdue).
	Share float64 `json:"share"`
	// Late is true once the limit passed before the clock finished.
	Late bool `json:"late"`
	// Provisional is true when a day the answer counted lies in a year
	// known only from its statutory holidays (L9): the State Council's
	// notice may still move it.
	Provisional bool `json:"provisional,omitempty"`
}

// Status is a clock's answer at an instant: the statutory limit and, when
// the spec has one, the promised limit, kept apart.
type Status struct {
	Answer
	Promised   *Answer   `json:"promised,omitempty"`
	FinishedAt time.Time `json:"finished_at,omitzero"`
	// FinishedOn is the completion day, the date of the certificate (H7).
	FinishedOn Date `json:"finished_on,omitzero"`
}

// At answers for instant now from the events up to now and the calendar.
func (c Clock) At(cal *Calendar, now time.Time) (Status, error) {
	var st Status
	a, err := c.answer(cal, now, c.spec.Statutory, c.extended)
	if err != nil {
		return st, err
	}
	st.Answer = a
	if c.spec.Promised.N > 0 {
		p, err := c.answer(cal, now, c.spec.Promised, 0)
		if err != nil {
			return st, err
		}
		st.Promised = &p
	}
	for _, e := range c.events {
		if e.Kind == Finish && !e.At.After(now) {
			st.FinishedAt = e.At
			st.FinishedOn = cal.Date(e.At)
		}
	}
	return st, nil
}

// meter maps instants onto a unit's measure so that a running stretch
// [a, b] uses end(b) - start(a) units.
type meter struct {
	cal  *Calendar
	unit Unit
}

// start is the position a stretch begins at: for days, the end of its
// first day, which is not counted (L11).
func (m meter) start(t time.Time) (int64, error) {
	switch m.unit {
	case WorkingDays:
		i, err := m.cal.index(m.cal.Date(t))
		if err != nil {
			return 0, err
		}
		return int64(m.cal.cum[i+1]), nil
	case NaturalDays:
		return int64(m.cal.Date(t)), nil
	case Hours:
		return t.UnixNano(), nil
	default:
		p, _, err := m.cal.businessPos(t)
		return p, err
	}
}

// stop is the position a stretch paused or finished at: for days, the day
// of the pause counts as used — it was partly used, and the resume day is
// then not counted, so a pause and a resume on one day cost nothing and a
// pause from P to R costs exactly WorkingDaysBetween(P, R).
func (m meter) stop(t time.Time) (int64, error) { return m.start(t) }

// now is the position of a running stretch looked at at t: for days, whole
// days passed, so today still counts as available.
func (m meter) now(t time.Time) (int64, error) {
	switch m.unit {
	case WorkingDays:
		i, err := m.cal.index(m.cal.Date(t))
		if err != nil {
			return 0, err
		}
		return int64(m.cal.cum[i]), nil
	case NaturalDays:
		d := m.cal.Date(t)
		if _, err := m.cal.index(d); err != nil {
			return 0, err
		}
		return int64(d) - 1, nil
	default:
		return m.start(t)
	}
}

// due is the instant a stretch that began at a (position s) exhausts its
// budget at position s+left, and the measure of that instant on the now
// scale. left <= 0 (only after a pause on the very last day) gives the end
// of the resume day for days and a itself for hours.
func (m meter) due(a time.Time, s, left int64) (time.Time, int64, error) {
	c := m.cal
	switch m.unit {
	case WorkingDays:
		ad := c.Date(a)
		i, err := c.index(ad)
		if err != nil {
			return time.Time{}, 0, err
		}
		if left <= 0 {
			return c.End(ad), int64(c.cum[i+1]), nil
		}
		w, err := c.AddWorkingDays(ad, int(left))
		if err != nil {
			return time.Time{}, 0, err
		}
		return c.End(w), int64(c.cum[int(w-c.epoch)+1]), nil
	case NaturalDays:
		ad := c.Date(a)
		n := max(left, 0)
		w, err := c.AddNaturalDays(ad, int(n))
		if err != nil {
			return time.Time{}, 0, err
		}
		return c.End(w), int64(w), nil
	case Hours:
		if left <= 0 {
			return a, s, nil
		}
		return a.Add(time.Duration(left)), s + left, nil
	default:
		if left <= 0 {
			return a, s, nil
		}
		_, i, err := c.businessPos(a)
		if err != nil {
			return time.Time{}, 0, err
		}
		t, err := c.fromBusinessPos(s+left, i, true)
		return t, s + left, err
	}
}

// sameRun refuses to count a stretch across a year without data: for
// working days or hours the days in between matter.
func (m meter) sameRun(a, b time.Time) error {
	if m.unit == WorkingDays || m.unit == WorkingHours {
		_, err := m.cal.WorkingDaysBetween(m.cal.Date(a), m.cal.Date(b))
		return err
	}
	return nil
}

func (m meter) amount(v int64) Amount {
	if m.unit.days() {
		return Amount{Days: int(v)}
	}
	return Amount{Time: time.Duration(v)}
}

// answer replays the events up to now against one budget.
func (c Clock) answer(cal *Calendar, now time.Time, b Budget, ext int) (Answer, error) {
	b.N += ext
	ans := Answer{State: NotStarted, Budget: b}
	m := meter{cal: cal, unit: b.Unit}
	total := b.ticks()

	var (
		used      int64     // units used by closed stretches
		segStart  time.Time // start of the open stretch
		segPos    int64
		ph        = notStarted
		found     bool // the budget ran out inside a closed stretch
		due       time.Time
		lastPause PauseReason
		// The days the answer looked up in the calendar span these.
		seen           bool
		firstDay, last Date
	)
	look := func(d Date) {
		if !seen {
			seen, firstDay = true, d
		}
		last = max(last, d)
	}
	// closeAt ends the open stretch at t, noting if the budget ran out in it.
	closeAt := func(t time.Time) error {
		p, err := m.stop(t)
		if err != nil {
			return err
		}
		if err := m.sameRun(segStart, t); err != nil {
			return err
		}
		if !found {
			d, _, err := m.due(segStart, segPos, total-used)
			if _, beyond := MissingYear(err); err != nil && !beyond {
				return err
			}
			// A due date past the data lies after t, which is inside it.
			if err == nil && !d.After(t) {
				found, due = true, d
			}
		}
		used += max(p-segPos, 0)
		return nil
	}
	openAt := func(t time.Time) error {
		p, err := m.start(t)
		segStart, segPos = t, p
		return err
	}
	for _, e := range c.events {
		if e.At.After(now) {
			break
		}
		look(cal.Date(e.At))
		var err error
		switch e.Kind {
		case Start:
			ph, err = running, openAt(e.At)
		case Pause:
			ph, lastPause, err = paused, e.Reason, closeAt(e.At)
		case Resume:
			if lastPause == Supplementation && c.spec.Supplement == Restart {
				// H2: the period begins again on the day the materials are complete.
				used, found, due = 0, false, time.Time{}
			}
			ph, err = running, openAt(e.At)
		case Finish:
			if ph == running {
				err = closeAt(e.At)
			}
			ph = finished
		}
		if err != nil {
			return ans, err
		}
	}

	var remaining, span int64
	switch ph {
	case notStarted:
		return ans, nil
	case running:
		np, err := m.now(now)
		if err != nil {
			return ans, err
		}
		if err := m.sameRun(segStart, now); err != nil {
			return ans, err
		}
		cur := max(np-segPos, 0)
		if found {
			remaining = total - used - cur
			span = total
		} else {
			d, duePos, err := m.due(segStart, segPos, total-used)
			if err != nil {
				return ans, err
			}
			due = d
			remaining = duePos - max(np, segPos)
			span = used + duePos - segPos
		}
		used += cur
		look(cal.Date(now))
	default: // paused or finished: frozen
		remaining = total - used
		span = total
	}
	ans.Elapsed, ans.Remaining = m.amount(used), m.amount(remaining)
	if span > 0 {
		ans.Share = float64(used) / float64(span)
	} else {
		ans.Share = 1
	}
	if !due.IsZero() {
		ans.Due, ans.DueDate = due, cal.DueDate(due)
		look(ans.DueDate)
	}
	// Hours on the clock never look at the calendar's days.
	ans.Provisional = b.Unit != Hours && cal.ProvisionalBetween(firstDay, last)
	overdue := !due.IsZero() && !now.Before(due) && (ph == running || found)
	switch {
	case ph == finished:
		ans.State, ans.Late = Finished, found
	case overdue:
		ans.State, ans.Late = Overdue, true
	case ph == paused:
		ans.State = Paused
	case c.dueSoon(b.Unit, remaining, ans.Share):
		ans.State = DueSoon
	default:
		ans.State = Running
	}
	return ans, nil
}

func (c Clock) dueSoon(u Unit, remaining int64, share float64) bool {
	if c.spec.DueSoonShare > 0 && share >= c.spec.DueSoonShare {
		return true
	}
	if c.spec.DueSoonUnits > 0 {
		lim := int64(c.spec.DueSoonUnits)
		if !u.days() {
			lim *= int64(time.Hour)
		}
		return remaining <= lim
	}
	return false
}
