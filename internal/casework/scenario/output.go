package scenario

import (
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/flow"
	"github.com/qingdan/qingdan/internal/rating"
	"github.com/qingdan/qingdan/internal/supervise"
)

// Output is what `qingdan simulate` prints (issue #14 item 8): every case
// the scenario opened, in the order of their apply steps, and every step
// refused. Dates are YYYY-MM-DD, instants YYYY-MM-DDTHH:MM local time.
type Output struct {
	Cases []CaseResult `json:"cases"`
	// Complaints are the complaints the scenario filed, in the order of
	// their complain steps; absent when it filed none.
	Complaints []ComplaintResult `json:"complaints,omitempty"`
	Errors     []StepError       `json:"errors"`
	// Ratings are the ratings the scenario's rate steps gave (L8), in
	// their order; absent when it has none.
	Ratings []RatingResult `json:"ratings,omitempty"`
}

// RatingResult is one rating given: the case, its level, and for a bad
// rating the day its callback is due (L8).
type RatingResult struct {
	Case        string         `json:"case"`
	Number      string         `json:"number"`
	Level       rating.Level   `json:"level"`
	Bad         bool           `json:"bad"`
	CallbackDue *calendar.Date `json:"callback_due"`
}

// ComplaintResult is where one complaint ended up when the clock stopped,
// in the shape of a case's.
type ComplaintResult struct {
	Complaint  string         `json:"complaint"` // the scenario's name for it
	Number     string         `json:"number"`
	Status     string         `json:"status"`
	AcceptedOn *calendar.Date `json:"accepted_on"` // null before acceptance (or refusal)
	Due        *calendar.Date `json:"due"`         // the limit running: acceptance, then handling; null once answered or refused
	Flags      []string       `json:"flags"`       // late_acceptance, late_answer, repeat
	// Cards: e-supervision has no complaint rules yet, so none.
	Cards []CardResult `json:"cards"`
}

// CaseResult is where one case ended up when the clock stopped.
type CaseResult struct {
	Case   string      `json:"case"`   // the scenario's name for it
	Number string      `json:"number"` // its case number (V3)
	Item   string      `json:"item"`   // the item's code
	Status flow.Status `json:"status"`
	Step   string      `json:"step"` // the flow's step or outcome
	// AcceptedOn is the day of acceptance (H2; for a deemed acceptance the
	// day the materials were received, L2); null before.
	AcceptedOn *calendar.Date `json:"accepted_on"`
	// Due is the last day of the limit in force (Case.Due); null before
	// acceptance and during a special procedure.
	Due    *calendar.Date `json:"due"`
	Flags  []string       `json:"flags"` // rules raised, in order
	Events []EventResult  `json:"events"`
	// Cards are the e-supervision cards the case raised by the time the
	// clock stopped (supervise.CaseCards), in the order of their instants.
	Cards []CardResult `json:"cards"`
}

// CardResult is one card: its rule, its level and the rule's instant.
type CardResult struct {
	Rule  string          `json:"rule"`
	Level supervise.Level `json:"level"`
	At    Time            `json:"at"`
}

// CaseCards are the cards case c (with its timeline, on flow f, against
// the body's calendar, its item standing as given) raised by now under the
// scenario's rules in force, for the output's cards: the simulator and
// the pure run call it alike, so they print the same.
func (s *Scenario) CaseCards(c casework.Case, events []casework.Event, f *flow.Flow, cal *calendar.Calendar,
	standing casework.Standing, now time.Time) ([]CardResult, error) {
	cards, err := supervise.CaseCards(s.RulesInForce(), c, events,
		supervise.EventEnv{Flow: f, Calendar: cal, Standing: standing}, now)
	if err != nil {
		return nil, err
	}
	return Cards(cards, cal.Location()), nil
}

// Cards are the output of a case's cards, instants in loc.
func Cards(cards []supervise.Card, loc *time.Location) []CardResult {
	out := []CardResult{}
	for _, c := range cards {
		out = append(out, CardResult{Rule: c.Rule, Level: c.Level, At: TimeOf(c.At.In(loc))})
	}
	return out
}

// EventResult is one action on the case's timeline.
type EventResult struct {
	At     Time   `json:"at"`
	Action string `json:"action"`
	// By is the staff member's login, "applicant" for the applicant,
	// "system" for a periodic job (deemed acceptance).
	By string `json:"by"`
}

// StepError is a refused step: it changed nothing.
type StepError struct {
	Step    int         `json:"step"` // its position in steps, counting from 1
	Code    apperr.Code `json:"code"`
	Field   string      `json:"field"`
	Message string      `json:"message"`
}

// Result is the output of case c, named name in the scenario, with its
// events in order, at now against the body's calendar.
func Result(name string, c casework.Case, events []casework.Event, cal *calendar.Calendar, now time.Time) (CaseResult, error) {
	r := CaseResult{Case: name, Number: c.Number, Item: c.Item.Code, Status: c.Status, Step: c.Step,
		Flags: c.FlagRules(), Events: []EventResult{}, Cards: []CardResult{}}
	if !c.AcceptedAt.IsZero() {
		d := cal.Date(c.AcceptedAt)
		r.AcceptedOn = &d
	}
	due, ok, err := c.Due(cal, now)
	if err != nil {
		return r, err
	}
	if ok {
		r.Due = &due
	}
	for _, ev := range events {
		by := ev.By.Login
		if by == "" {
			by = flow.Applicant
		}
		r.Events = append(r.Events, EventResult{At: TimeOf(ev.At.In(cal.Location())), Action: ev.Action, By: by})
	}
	return r, nil
}

// ErrorOf is the output of the refusal err of step (counting from 1), its
// message in lang ("en", or Chinese).
func ErrorOf(step int, err error, lang string) StepError {
	e := apperr.As(err)
	return StepError{Step: step, Code: e.Code, Field: e.Field, Message: e.Message(lang)}
}

// NotOpened is the refusal of a step on a case whose apply was refused.
func NotOpened(name string) error {
	return apperr.New(apperr.NotFound, "case", "scenario.case_was_never_opened", name)
}

// NoStaff is the refusal of a step whose `as` (or the flow's role, when
// `as` is omitted) names no staff member of the body holding the case.
func NoStaff(body, role string) error {
	return apperr.New(apperr.Invalid, "as", "scenario.has_no_staff_member_with_the", body, role)
}
