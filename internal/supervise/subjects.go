package supervise

import (
	"strconv"
	"time"

	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/flow"
)

// The shipped flows' action ids the time watches of a case follow (H5,
// H7): a flow without them has no such watch.
const (
	actionAccept   = "accept"
	actionHandOver = "hand_over"
	actionComplete = "complete"
	actionNotify   = "notify"
)

// CaseSubjects are the clocks of case c that time rules watch, rebuilt
// from the case and its timeline (events in order) on the flow version it
// runs on: the case's limit in force (L10); each visit to a step with a
// limit of its own (L10), extensions at the step included, as casework
// counts them; each special procedure against its approved length (L4);
// the hand-over from acceptance (H5) and the applicant's notification
// from completion (H7) when the flow has those actions. A visit is its
// own object (number/step/#n, n the position of the event that entered
// it), so a step entered twice is timed twice.
func CaseSubjects(c casework.Case, events []casework.Event, f *flow.Flow) []Subject {
	base := Subject{BodyPath: c.Body.Path, Case: c.Number, Unit: c.Unit.Code}
	caseSub := base
	caseSub.Object, caseSub.Watch = Object{ObjectCase, c.Number}, WatchCase
	caseSub.Spec, caseSub.Events, caseSub.Person = c.ClockSpec, c.ClockEvents, c.FirstResponder
	out := []Subject{caseSub}

	for i, e := range events {
		st, ok := stepOf(f, e.To)
		if !ok || (e.From == e.To && i > 0) {
			continue // an outcome, or a move that stays (transfer, extend)
		}
		left := time.Time{}
		limit := st.Limit
		var days int
		for _, later := range events[i+1:] {
			if later.From == e.To && later.To != e.To {
				left = later.At
				break
			}
			if later.From == e.To && later.Days > 0 && st.Special == nil {
				days += later.Days // an extension at the step (casework: same unit as the case)
			}
		}
		if st.Limit.Unit == c.ClockSpec.Statutory.Unit {
			limit.N += days
		}
		sub := base
		sub.Object = Object{ObjectStep, c.Number + "/" + st.ID + "/#" + strconv.Itoa(i+1)}
		sub.Events = []calendar.Event{{Kind: calendar.Start, At: e.At}}
		if !left.IsZero() {
			sub.Events = append(sub.Events, calendar.Event{Kind: calendar.Finish, At: left})
		}
		if st.Role == casework.DefaultRules().WindowRole {
			sub.Person = c.FirstResponder
		}
		switch {
		case st.Special != nil:
			limit = st.Special.Max
			if e.Days > 0 {
				limit.N = e.Days // the approved length (L4)
			}
			sub.Watch, sub.Spec = WatchSpecial, calendar.Spec{Statutory: limit}
		case limit.N > 0:
			sub.Watch, sub.Spec = WatchStep, calendar.Spec{Statutory: limit}
		default:
			continue
		}
		out = append(out, sub)
	}

	if _, ok := actionOf(f, actionHandOver); ok && !c.AcceptedAt.IsZero() {
		out = append(out, timed(base, c, WatchHandOver, c.AcceptedAt, endOf(events, actionHandOver, c.AcceptedAt)))
	}
	if _, ok := actionOf(f, actionNotify); ok && c.Completion != nil {
		end := time.Time{}
		for _, e := range events {
			if e.Action == actionNotify {
				end = e.At
				if !e.NotifiedAt.IsZero() {
					end = e.NotifiedAt
				}
				end = later(end, c.Completion.At)
				break
			}
		}
		out = append(out, timed(base, c, WatchNotify, c.Completion.At, end))
	}
	return out
}

// timed is a rule-limited watch on the case from start to end (zero: not
// yet), with the first responder answering for it.
func timed(base Subject, c casework.Case, w Watch, start, end time.Time) Subject {
	s := base
	s.Object, s.Watch, s.Person = Object{ObjectCase, c.Number}, w, c.FirstResponder
	s.Events = []calendar.Event{{Kind: calendar.Start, At: start}}
	if !end.IsZero() {
		s.Events = append(s.Events, calendar.Event{Kind: calendar.Finish, At: end})
	}
	return s
}

// endOf is when action first happened after start, or when the case ended
// without it (refused, withdrawn: nothing left to do); zero if neither.
func endOf(events []casework.Event, action string, start time.Time) time.Time {
	for _, e := range events {
		if e.At.Before(start) {
			continue
		}
		if e.Action == action || e.Status.Done() {
			return e.At
		}
	}
	return time.Time{}
}

func later(a, b time.Time) time.Time {
	if a.Before(b) {
		return b
	}
	return a
}

func stepOf(f *flow.Flow, id string) (flow.Step, bool) {
	for _, s := range f.Steps {
		if s.ID == id {
			return s, true
		}
	}
	return flow.Step{}, false
}

func actionOf(f *flow.Flow, id string) (flow.Action, bool) {
	for _, a := range f.Actions {
		if a.ID == id {
			return a, true
		}
	}
	return flow.Action{}, false
}
