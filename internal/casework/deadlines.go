package casework

import (
	"time"

	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/flow"
)

// Deadline is one limit's state at an instant: the calendar's answer
// (remaining or overdue in the limit's units, the due date, provisional
// when it counted a year known only from its statutory holidays, L9) and,
// for a running limit, the working hours left until it falls due
// (negative: overdue by that much).
type Deadline struct {
	calendar.Status
	WorkingHours time.Duration `json:"working_hours"`
}

// Deadlines are a case's limits at an instant: the limit in force (the
// promised one, else the statutory one, with extensions, L3), the
// statutory one, and the current step's own limit (L10; nil when the step
// has none, or the case is at an outcome).
type Deadlines struct {
	Case      Deadline  `json:"case"`
	Statutory Deadline  `json:"statutory"`
	Step      *Deadline `json:"step,omitempty"`
}

// Deadlines answers for now against the body's calendar as it is now: a
// corrected calendar moves the answers of every open case.
func (c Case) Deadlines(cal *calendar.Calendar, now time.Time) (Deadlines, error) {
	var d Deadlines
	clk, err := c.Clock()
	if err != nil {
		return d, err
	}
	if d.Case, err = deadline(clk, cal, now); err != nil {
		return d, err
	}
	if clk, err = c.StatutoryClock(); err != nil {
		return d, err
	}
	if d.Statutory, err = deadline(clk, cal, now); err != nil {
		return d, err
	}
	if c.StepLimit.N == 0 { // no limit, or at an outcome
		return d, nil
	}
	step, err := calendar.NewClock(calendar.Spec{Statutory: c.StepLimit, DueSoonUnits: c.ClockSpec.DueSoonUnits},
		calendar.Event{Kind: calendar.Start, At: c.StepSince})
	if err != nil {
		return d, err
	}
	sd, err := deadline(step, cal, now)
	if err != nil {
		return d, err
	}
	d.Step = &sd
	return d, nil
}

func deadline(clk calendar.Clock, cal *calendar.Calendar, now time.Time) (Deadline, error) {
	st, err := clk.At(cal, now)
	if err != nil {
		return Deadline{}, err
	}
	d := Deadline{Status: st}
	if st.Due.IsZero() || (st.State != calendar.Running && st.State != calendar.DueSoon && st.State != calendar.Overdue) {
		return d, nil
	}
	if now.Before(st.Due) {
		d.WorkingHours, err = cal.WorkingHoursBetween(now, st.Due)
	} else {
		d.WorkingHours, err = cal.WorkingHoursBetween(st.Due, now)
		d.WorkingHours = -d.WorkingHours
	}
	return d, err
}

// DeemedAccepted applies L2 at now: a case waiting for its acceptance
// (public status submitted), its materials incomplete, with no
// supplementation notice since they were last received, counts as
// accepted on the day they were received once NoticeDays working days
// after that day have ended. It returns that day. The periodic job calls it
// and then DeemAccept.
func (r Rules) DeemedAccepted(c Case, now time.Time, cal *calendar.Calendar) (bool, calendar.Date, error) {
	if c.Status != flow.Submitted || !c.AcceptedAt.IsZero() || c.MaterialsComplete() || c.ReceivedAt.IsZero() {
		return false, 0, nil
	}
	day := cal.Date(c.ReceivedAt)
	last, err := cal.AddWorkingDays(day, r.NoticeDays)
	if err != nil {
		return false, 0, err
	}
	if now.Before(cal.End(last)) {
		return false, 0, nil
	}
	return true, day, nil
}

// Due is the last day of the limit in force as the applicant is told it:
// while the clock runs, its due date; once it finished, the due date as it
// stood just before; none before acceptance or during a pause (it depends
// on when the clock resumes).
func (c Case) Due(cal *calendar.Calendar, now time.Time) (calendar.Date, bool, error) {
	clk, err := c.Clock()
	if err != nil {
		return 0, false, err
	}
	for _, e := range c.ClockEvents {
		if e.Kind == calendar.Finish && !e.At.After(now) {
			now = e.At.Add(-time.Nanosecond)
		}
	}
	st, err := clk.At(cal, now)
	if err != nil || st.DueDate == 0 {
		return 0, false, err
	}
	return st.DueDate, true, nil
}
