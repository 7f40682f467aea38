package flow

import (
	"slices"
	"strconv"
	"strings"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/msg"
)

// ClockChange is one thing a move does to the case clock, in the
// calendar's terms (calendar.Event without its instant).
type ClockChange struct {
	Kind   calendar.EventKind
	Reason calendar.PauseReason // for a pause only
}

// Move is the result of applying an action: where the case goes and what
// that means for its status, its level and its clock.
type Move struct {
	Action string
	From   string // "" for a start action
	To     string // a step or an outcome
	// Terminal is true when To is an outcome: the case has ended.
	Terminal bool
	// Status is the case's public status after the move.
	Status Status
	// FromLevel and Level are the body levels before and after (Own for a
	// start or an outcome). When they differ the case moves between the
	// own body's queue and the parent body's (O1).
	FromLevel, Level Level
	// Clock lists, in order: a resume when the case leaves a special
	// procedure; what the action declares (start, extend, a pause or resume
	// for supplementation); a pause when it enters a special procedure
	// (L4); and a finish when its status first becomes completed, refused
	// or withdrawn. The case layer applies them to its calendar.Clock (a
	// finish or resume of a clock that never started is nothing to apply).
	Clock []ClockChange
}

// Starts returns the actions that open a case.
func (f *Flow) Starts() []Action {
	var out []Action
	for _, a := range f.Actions {
		if a.Start {
			out = append(out, a)
		}
	}
	return out
}

// Offered returns the actions available at step at ("" for a case not yet
// opened: the start actions) that an actor with roles may take, in file
// order, whatever the input: the buttons to offer. Allowed narrows them to
// those an input satisfies.
func (f *Flow) Offered(at string, roles []string) []Action {
	var out []Action
	for _, a := range f.Actions {
		if f.offered(a, at) && f.permits(a, at, roles) == nil {
			out = append(out, a)
		}
	}
	return out
}

// Allowed returns the actions Apply would accept at step at from an actor
// with roles and input in.
func (f *Flow) Allowed(at string, roles []string, in Input) []Action {
	var out []Action
	for _, a := range f.Actions {
		if _, err := f.Apply(at, a.ID, roles, in); err == nil {
			out = append(out, a)
		}
	}
	return out
}

// offered reports whether action a can be taken at step at.
func (f *Flow) offered(a Action, at string) bool {
	if at == "" {
		return a.Start
	}
	return slices.Contains(a.From, at)
}

// Apply takes action id at step at ("" to open a case) for an actor with
// roles and input in, and returns the move, or a refusal naming its cause
// in Chinese and English: an unknown action or step (Invalid), an action
// not available at the step or a case that has ended (Conflict), a role
// that may not take it (Forbidden, Field "role"), a missing field or a
// value not among its choices (Invalid, Field the field), a guard that
// does not hold (Conflict, Field the guard's field).
func (f *Flow) Apply(at, id string, roles []string, in Input) (Move, error) {
	a, ok := f.Action(id)
	if !ok {
		return Move{}, apperr.Invalidf("action", "flow.flow_has_no_action", f.Code, id)
	}
	from, err := f.at(at)
	if err != nil {
		return Move{}, err
	}
	if !f.offered(a, at) {
		if at == "" {
			return Move{}, apperr.New(apperr.Conflict, "action", "flow.does_not_open_a_case", msg.Both{Zh: a.Name.Zh, En: a.Name.In("en")})
		}
		return Move{}, apperr.New(apperr.Conflict, "action", "flow.is_not_available_at_step", msg.Both{Zh: from.Name.Zh, En: from.Name.In("en")}, msg.Both{Zh: a.Name.Zh, En: a.Name.In("en")})
	}
	if err := f.permits(a, at, roles); err != nil {
		return Move{}, err
	}
	for _, field := range a.Fields {
		if !in.given(field) {
			return Move{}, apperr.New(apperr.Invalid, field, "flow.needs_the_field", msg.Both{Zh: a.Name.Zh, En: a.Name.In("en")}, field,
				strconv.Quote(field))
		}
		if choices, ok := a.Choices[field]; ok && !slices.Contains(choices, strings.TrimSpace(in[field])) {
			return Move{}, apperr.Invalidf(field, "flow.must_be_one_of", field, strings.Join(choices, ", "))
		}
	}
	for _, g := range a.Guards {
		if !g.Holds(in) {
			return Move{}, apperr.New(apperr.Conflict, g.Field, "flow.needs", g.String(), msg.Both{Zh: a.Name.Zh, En: a.Name.In("en")})
		}
	}
	return f.move(a, at, from), nil
}

// at returns the step a case is at; "" (not opened) gives a zero step.
func (f *Flow) at(id string) (Step, error) {
	if id == "" {
		return Step{}, nil
	}
	if s, ok := f.Step(id); ok {
		return s, nil
	}
	if o, ok := f.Outcome(id); ok {
		return Step{}, apperr.New(apperr.Conflict, "step", "flow.the_case_has_ended_no_action", msg.Both{Zh: o.Name.Zh, En: o.Name.In("en")})
	}
	return Step{}, apperr.Invalidf("step", "flow.flow_has_no_step", f.Code, id)
}

// permits checks the actor's roles: one of the action's, and the approver's
// when the action enters a special procedure (L4).
func (f *Flow) permits(a Action, at string, roles []string) error {
	if !slices.ContainsFunc(a.Roles, func(r string) bool { return slices.Contains(roles, r) }) {
		list := strings.Join(a.Roles, ", ")
		return apperr.New(apperr.Forbidden, "role", "flow.is_for_the_roles", msg.Both{Zh: a.Name.Zh, En: a.Name.In("en")}, list)
	}
	if to, ok := f.Step(a.To); ok && to.Special != nil && at != a.To && !slices.Contains(roles, to.Special.Approver) {
		return apperr.New(apperr.Forbidden, "role", "flow.starting_the_special_procedure_needs_the", msg.Both{Zh: to.Name.Zh, En: to.Name.In("en")}, to.Special.Approver)
	}
	return nil
}

// move works out the move of action a from step from (id at).
func (f *Flow) move(a Action, at string, from Step) Move {
	m := Move{Action: a.ID, From: at, To: a.To, FromLevel: Own, Level: Own}
	if at != "" {
		m.FromLevel = from.Level
	}
	to, isStep := f.Step(a.To)
	if isStep {
		m.Status, m.Level = to.Status, to.Level
	} else {
		o, _ := f.Outcome(a.To) // validated: To is a step or an outcome
		m.Status, m.Terminal = o.Status, true
	}
	leaving := at != a.To
	if from.Special != nil && leaving {
		m.Clock = append(m.Clock, ClockChange{Kind: calendar.Resume})
	}
	switch a.Clock {
	case ClockStart:
		m.Clock = append(m.Clock, ClockChange{Kind: calendar.Start})
	case ClockExtend:
		m.Clock = append(m.Clock, ClockChange{Kind: calendar.Extend})
	case ClockPause:
		m.Clock = append(m.Clock, ClockChange{Kind: calendar.Pause, Reason: calendar.Supplementation})
	case ClockResume:
		m.Clock = append(m.Clock, ClockChange{Kind: calendar.Resume})
	}
	if isStep && to.Special != nil && leaving {
		m.Clock = append(m.Clock, ClockChange{Kind: calendar.Pause, Reason: calendar.SpecialProcedure})
	}
	if m.Status.Done() && !from.Status.Done() {
		m.Clock = append(m.Clock, ClockChange{Kind: calendar.Finish})
	}
	return m
}
