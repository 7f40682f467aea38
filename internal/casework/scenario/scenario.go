// Package scenario is the file format of `qingdan simulate` (issue #14 item
// 8, docs/SCENARIOS.md): a scenario file says when a simulated clock starts
// and ends, which items exist, and which actions whom takes on which case
// and when; the output says where each case ended up and which steps were
// refused. The package reads files, with every mistake named by its line
// and key in Chinese and English, and defines the output; running a
// scenario on a fresh instance is the simulator's (it needs storage). It is
// pure: no database, no accounts.
package scenario

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/flow"
	"github.com/qingdan/qingdan/internal/rating"
	"github.com/qingdan/qingdan/internal/supervise"
)

// Scenario is one scenario file, read.
type Scenario struct {
	// Start is when the simulated clock starts; Until when it stops, after
	// the last step (periodic jobs run on the way).
	Start, Until Time
	// Body is a demo body's code; "" for the demo's root body.
	Body string
	// Items are the scenario's own items; none: the demo list.
	Items []Item
	Steps []Step
	// Rules is the scenario's own rule set (docs/SUPERVISION.md), over the
	// shipped defaults; nil: the defaults alone.
	Rules *supervise.RuleSet
}

// RulesInForce are the e-supervision rules the run judges its cases by:
// the shipped defaults, and over them the scenario's own rules (a
// supervisor trying a threshold before it goes live).
func (s *Scenario) RulesInForce() supervise.Set {
	if s.Rules == nil {
		return supervise.Merge(supervise.Defaults())
	}
	return supervise.Merge(supervise.Defaults(), *s.Rules)
}

// Item is an item declared for the scenario.
type Item struct {
	Line     int // where it is declared
	Code     string
	Name     string
	Category string // as C1 names it in Chinese (行政许可 …)
	Kind     casework.Kind
	// PromisedWorkingDays and StatutoryWorkingDays: 0 for none (an instant
	// item promises none).
	PromisedWorkingDays  int
	StatutoryWorkingDays int
	// Flow is a shipped flow's code; "" for the one of the item's kind.
	Flow string
	// Unit is the responsible unit's code in the body; "" for the body's
	// first unit that handles cases.
	Unit      string
	Materials []string // required materials, by name
	Stars     int      // C11 online depth
	Standing  casework.Standing
}

// Applicant is a step's applicant: a person (ID, a resident ID number) or
// an organisation (Code, a credit code).
type Applicant struct {
	Name    string
	ID      string
	Code    string
	Phone   string
	Address string
}

// Step is one action at one instant.
type Step struct {
	Line int // where it is written
	At   Time
	// As is a demo account's login or a role; "" for a staff member the
	// flow allows; "applicant" for the applicant.
	As   string
	Do   string
	Case string // the scenario's own name for the case
	// The action's fields: which an action takes is in the action table
	// (Actions, docs/SCENARIOS.md).
	Item        string
	Applicant   *Applicant
	Materials   []string
	Missing     []string
	Reason      string
	Basis       string
	Kind        string
	Days        int
	Outcome     string
	Opinion     string
	Unit        string
	Certificate string
	Delivery    string
	// Assisted: the staff member acts in the applicant's stead (帮办代办).
	Assisted bool

	// Complaint steps (docs/COMPLAINTS.md): the scenario's own name for
	// the complaint, and the action's fields.
	Complaint     string
	Channel       string
	Target        *Target
	Ground        string // a key of complaint.Grounds
	Facts         string
	Complainant   *Complainant
	Investigators []string // demo logins
	Mode          string
	Text          string
	Findings      string
	Verified      bool
	Outcomes      []string
	// Level and Comment: rate (L8).
	Level   rating.Level
	Comment string
}

// Target is a complaint step's target: one of a unit's code, a staff
// member (a demo login or a name), a case (the scenario's name) and an
// item's code.
type Target struct{ Unit, Staff, Case, Item string }

// Complainant is a complaint's complainant; neither field: anonymous.
type Complainant struct{ Name, Phone string }

// Action is the casework action a step takes (for every action but apply,
// which opens the case). The unit is given by code; the runner adds its
// name.
func (s Step) Action() casework.Action {
	return casework.Action{ID: s.Do, Materials: s.Materials, Missing: s.Missing, Reason: s.Reason, Basis: s.Basis,
		Kind: flow.SpecialKind(s.Kind), Days: s.Days, Outcome: s.Outcome, Opinion: s.Opinion, Unit: casework.Unit{Code: s.Unit},
		Certificate: s.Certificate, Delivery: casework.Delivery(s.Delivery), Assisted: s.Assisted}
}

// Party is the casework applicant of an apply step.
func (a Applicant) Party() casework.Applicant {
	if a.Code != "" {
		return casework.Applicant{Kind: casework.Organisation, Name: a.Name, CreditCode: a.Code, Phone: a.Phone, Address: a.Address}
	}
	return casework.Applicant{Kind: casework.Person, Name: a.Name, ResidentID: a.ID, Phone: a.Phone, Address: a.Address}
}

// Time is a local date-time without a zone, as scenario files write it
// (YYYY-MM-DDTHH:MM): the body's zone places it (Asia/Shanghai unless the
// body says otherwise).
type Time struct {
	Date   calendar.Date
	Minute int // since midnight
}

// ParseTime reads YYYY-MM-DDTHH:MM.
func ParseTime(s string) (Time, bool) {
	if len(s) != 16 || s[10] != 'T' || s[13] != ':' {
		return Time{}, false
	}
	d, err := calendar.ParseDate("at", s[:10])
	h, errH := strconv.Atoi(s[11:13])
	m, errM := strconv.Atoi(s[14:])
	if err != nil || errH != nil || errM != nil || h < 0 || h > 23 || m < 0 || m > 59 || strings.ContainsAny(s[11:], "+- ") {
		return Time{}, false
	}
	return Time{Date: d, Minute: h*60 + m}, true
}

// TimeOf is the local time of t in its own zone, to the minute.
func TimeOf(t time.Time) Time {
	return Time{Date: calendar.DateOf(t.Year(), t.Month(), t.Day()), Minute: t.Hour()*60 + t.Minute()}
}

// In places the time in loc.
func (t Time) In(loc *time.Location) time.Time {
	y, m, d := t.Date.Civil()
	return time.Date(y, m, d, t.Minute/60, t.Minute%60, 0, 0, loc)
}

// Before reports whether t is earlier than u.
func (t Time) Before(u Time) bool {
	return t.Date < u.Date || t.Date == u.Date && t.Minute < u.Minute
}

func (t Time) String() string { return fmt.Sprintf("%sT%02d:%02d", t.Date, t.Minute/60, t.Minute%60) }

// MarshalText writes YYYY-MM-DDTHH:MM.
func (t Time) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// Tick is one moment of a run: a step (Step, its index in Steps) or the
// periodic jobs (Step -1: deemed acceptance, L2, and later e-supervision).
type Tick struct {
	At   Time
	Step int
}

// Ticks is the order a run takes: the periodic jobs at every midnight
// (00:00 local) after start up to until, and at until itself; each step at
// its time, after the jobs of the same instant. Every limit falls due at a
// midnight (24:00 of its last day, L11), so a job at midnight sees each
// change the moment it happens.
func (s *Scenario) Ticks() []Tick {
	var out []Tick
	next := s.Start.Date + 1
	job := func(upto Time) {
		for ; next <= upto.Date; next++ {
			out = append(out, Tick{At: Time{Date: next}, Step: -1})
		}
	}
	for i, st := range s.Steps {
		job(st.At)
		out = append(out, Tick{At: st.At, Step: i})
	}
	job(s.Until)
	if s.Until.Minute != 0 || s.Until.Date == s.Start.Date {
		out = append(out, Tick{At: s.Until, Step: -1})
	}
	return out
}
