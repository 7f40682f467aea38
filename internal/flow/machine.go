package flow

import (
	"slices"
	"strconv"
	"strings"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
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
		return Move{}, apperr.Invalidf("action", "流程“%s”中没有动作“%s”", "flow %q has no action %q", f.Code, id)
	}
	from, err := f.at(at)
	if err != nil {
		return Move{}, err
	}
	if !f.offered(a, at) {
		if at == "" {
			return Move{}, apperr.New(apperr.Conflict, "action", "“"+a.Name.Zh+"”不能开始办件", "“"+a.Name.In("en")+"” does not open a case")
		}
		return Move{}, apperr.New(apperr.Conflict, "action",
			"在“"+from.Name.Zh+"”环节不能“"+a.Name.Zh+"”",
			"“"+a.Name.In("en")+"” is not available at step “"+from.Name.In("en")+"”")
	}
	if err := f.permits(a, at, roles); err != nil {
		return Move{}, err
	}
	for _, field := range a.Fields {
		if !in.given(field) {
			return Move{}, apperr.New(apperr.Invalid, field, "“"+a.Name.Zh+"”须填写“"+field+"”",
				"“"+a.Name.In("en")+"” needs the field "+strconv.Quote(field))
		}
		if choices, ok := a.Choices[field]; ok && !slices.Contains(choices, strings.TrimSpace(in[field])) {
			return Move{}, apperr.Invalidf(field, "“%s”须为以下之一:%s", "%q must be one of: %s", field, strings.Join(choices, ", "))
		}
	}
	for _, g := range a.Guards {
		if !g.Holds(in) {
			return Move{}, apperr.New(apperr.Conflict, g.Field,
				"不满足条件“"+g.String()+"”,不能“"+a.Name.Zh+"”",
				"“"+a.Name.In("en")+"” needs "+g.String())
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
		return Step{}, apperr.New(apperr.Conflict, "step", "办件已"+o.Name.Zh+",不能再办理",
			"the case has ended ("+o.Name.In("en")+"): no action is possible")
	}
	return Step{}, apperr.Invalidf("step", "流程“%s”中没有环节“%s”", "flow %q has no step %q", f.Code, id)
}

// permits checks the actor's roles: one of the action's, and the approver's
// when the action enters a special procedure (L4).
func (f *Flow) permits(a Action, at string, roles []string) error {
	if !slices.ContainsFunc(a.Roles, func(r string) bool { return slices.Contains(roles, r) }) {
		list := strings.Join(a.Roles, ", ")
		return apperr.New(apperr.Forbidden, "role", "“"+a.Name.Zh+"”须由以下岗位办理:"+list,
			"“"+a.Name.In("en")+"” is for the roles: "+list)
	}
	if to, ok := f.Step(a.To); ok && to.Special != nil && at != a.To && !slices.Contains(roles, to.Special.Approver) {
		return apperr.New(apperr.Forbidden, "role", "启动特别程序“"+to.Name.Zh+"”须经"+to.Special.Approver+"批准",
			"starting the special procedure “"+to.Name.In("en")+"” needs the approval of "+to.Special.Approver)
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
