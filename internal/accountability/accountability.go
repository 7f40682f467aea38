// Package accountability is 责任追究 without storage (issue #17 item 7; A1,
// A2): the record of holding a staff member or a window to account — the
// ground (A1's list), the measure proposed and decided (A2's list, in
// rising order), the hearing of the person concerned (their statement
// recorded), then the decision and its numbered document. A decision
// before the hearing is refused (A2: the accused is heard). Storage is
// accountabilitydb's.
package accountability

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/msg"
)

// Ground is one of A1's grounds.
type Ground string

// Grounds are A1's grounds in the seed's order.
var Grounds = []Ground{"unauthorised_approval_or_fee", "first_responder_or_time_limit", "differs_from_list",
	"repeated_supplementation", "no_service_guide", "unstaffed_window_or_lateness", "hostility",
	"not_answering_registering_losing", "delayed_transfer_or_reporting"}

// In names g in lang.
func (g Ground) In(lang string) string { return msg.Name(lang, "accountability.ground", string(g)) }

// Measure is one of A2's measures; their order is A2's rising order.
type Measure string

// Measures are A2's measures, mildest first.
var Measures = []Measure{"criticism_education", "admonition_talk", "written_self_examination", "loss_of_awards",
	"notice_of_criticism", "failing_assessment", "referral_to_discipline"}

// In names m in lang.
func (m Measure) In(lang string) string { return msg.Name(lang, "accountability.measure", string(m)) }

// Rank is m's place in A2's rising order, 1 the mildest; 0 for no measure.
func (m Measure) Rank() int {
	for i, x := range Measures {
		if x == m {
			return i + 1
		}
	}
	return 0
}

// ParseGround reads a ground by its key or Chinese name; errors name field.
func ParseGround(field, s string) (Ground, error) {
	s = strings.TrimSpace(s)
	for _, g := range Grounds {
		if s == string(g) || s == g.In("zh") {
			return g, nil
		}
	}
	return "", apperr.Invalidf(field, "accountability.the_ground_must_be_one_of")
}

// ParseMeasure reads a measure by its key or Chinese name.
func ParseMeasure(field, s string) (Measure, error) {
	s = strings.TrimSpace(s)
	for _, m := range Measures {
		if s == string(m) || s == m.In("zh") {
			return m, nil
		}
	}
	return "", apperr.Invalidf(field, "accountability.the_measure_must_be_one_of")
}

// SubjectKind says who is held to account.
type SubjectKind string

const (
	StaffMember SubjectKind = "staff"
	Window      SubjectKind = "window"
)

// Subject is the staff member or window held to account.
type Subject struct {
	Kind     SubjectKind `json:"kind"`
	StaffID  int64       `json:"staff_id,omitempty"`
	Name     string      `json:"name"` // the person's or the window's
	Unit     string      `json:"unit"` // the unit's code (a window's own; a person's unit, if any)
	BodyID   int64       `json:"body_id"`
	BodyPath string      `json:"body_path"`
}

// State is where a record stands.
type State string

const (
	Opened  State = "opened"  // ground and facts recorded, the person to be heard
	Heard   State = "heard"   // the statement recorded
	Decided State = "decided" // the measure decided, the document issued
)

// Staff names who acted.
type Staff struct {
	ID    int64  `json:"id"`
	Login string `json:"login"`
	Name  string `json:"name"`
}

// Hearing is the hearing of the person concerned (A2).
type Hearing struct {
	At        time.Time `json:"at"`
	By        Staff     `json:"by"` // who recorded it
	Statement string    `json:"statement"`
}

// Decision is the measure decided and its document.
type Decision struct {
	At       time.Time `json:"at"`
	By       Staff     `json:"by"`
	Measure  Measure   `json:"measure"`
	Reasons  string    `json:"reasons"`
	Document string    `json:"document"` // the decision's number
}

// Record is one accountability record.
type Record struct {
	ID       int64     `json:"id"`
	Version  int       `json:"version"`
	Subject  Subject   `json:"subject"`
	Ground   Ground    `json:"ground"`
	Facts    string    `json:"facts"`
	Case     string    `json:"case,omitempty"` // the case it arose from, if any
	Proposed Measure   `json:"proposed"`
	State    State     `json:"state"`
	Opened   time.Time `json:"opened"`
	OpenedBy Staff     `json:"opened_by"`
	Hearing  *Hearing  `json:"hearing,omitempty"`
	Decision *Decision `json:"decision,omitempty"`
}

// MaxText bounds facts, statements and reasons, in characters.
const MaxText = 5000

func text(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", apperr.Invalidf(field, "accountability.must_not_be_empty")
	}
	if utf8.RuneCountInString(s) > MaxText {
		return "", apperr.Invalidf(field, "accountability.must_be_at_most_characters", MaxText)
	}
	return s, nil
}

// Open records a new accountability matter: the subject, A1's ground, the
// facts and the measure proposed (A2).
func Open(s Subject, ground, facts, proposed, caseNumber string, by Staff, now time.Time) (Record, error) {
	var errs apperr.List
	g, err := ParseGround("ground", ground)
	if err != nil {
		errs = append(errs, apperr.As(err))
	}
	m, err := ParseMeasure("proposed", proposed)
	if err != nil {
		errs = append(errs, apperr.As(err))
	}
	f, err := text("facts", facts)
	if err != nil {
		errs = append(errs, apperr.As(err))
	}
	if s.Kind != StaffMember && s.Kind != Window {
		errs = append(errs, apperr.Invalidf("subject", "accountability.the_subject_must_be_a_staff"))
	}
	if len(errs) > 0 {
		return Record{}, errs
	}
	return Record{Subject: s, Ground: g, Facts: f, Case: strings.TrimSpace(caseNumber), Proposed: m, State: Opened,
		Opened: now, OpenedBy: by}, nil
}

// Hear records the statement of the person concerned (or of the window's
// head): A2's hearing, required before a decision.
func Hear(r Record, statement string, by Staff, now time.Time) (Record, error) {
	if r.State != Opened {
		return r, apperr.New(apperr.Conflict, "statement", "accountability.the_statement_has_been_recorded_already")
	}
	st, err := text("statement", statement)
	if err != nil {
		return r, err
	}
	r.Hearing, r.State = &Hearing{At: now, By: by, Statement: st}, Heard
	return r, nil
}

// Decide decides the measure with its reasons; the document gets number.
// A record whose person has not been heard is refused (A2).
func Decide(r Record, measure, reasons string, by Staff, now time.Time, number string) (Record, error) {
	switch r.State {
	case Opened:
		return r, apperr.New(apperr.Conflict, "decision", "accountability.the_person_concerned_must_be_heard")
	case Decided:
		return r, apperr.New(apperr.Conflict, "decision", "accountability.the_decision_has_been_made_already")
	}
	m, err := ParseMeasure("measure", measure)
	if err != nil {
		return r, err
	}
	why, err := text("reasons", reasons)
	if err != nil {
		return r, err
	}
	r.Decision, r.State = &Decision{At: now, By: by, Measure: m, Reasons: why, Document: number}, Decided
	return r, nil
}

// DocumentNumber is the number of a year's seq-th decision (责追〔2026〕3号).
func DocumentNumber(year, seq int) string { return fmt.Sprintf("责追〔%d〕%d号", year, seq) }
