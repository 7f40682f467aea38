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
)

// Ground is one of A1's grounds.
type Ground string

// Grounds are A1's grounds in the seed's order.
var Grounds = []Ground{"unauthorised_approval_or_fee", "first_responder_or_time_limit", "differs_from_list",
	"repeated_supplementation", "no_service_guide", "unstaffed_window_or_lateness", "hostility",
	"not_answering_registering_losing", "delayed_transfer_or_reporting"}

var groundNames = map[Ground][2]string{
	"unauthorised_approval_or_fee":     {"擅自审批或收费", "Unauthorised approval or fee"},
	"first_responder_or_time_limit":    {"违反首问负责制或限时办结制", "Breaking the first-responder or time-limit rules"},
	"differs_from_list":                {"未按清单所列事项办理", "Handling differently from the listed item"},
	"repeated_supplementation":         {"多次要求补正材料（H3）", "Repeated supplementation (H3)"},
	"no_service_guide":                 {"未提供办事指南", "No service guide"},
	"unstaffed_window_or_lateness":     {"窗口空岗、迟到早退", "Unstaffed window or lateness"},
	"hostility":                        {"对申请人、投诉人态度恶劣", "Hostility to applicants or complainants"},
	"not_answering_registering_losing": {"不答复、不登记、遗失材料", "Not answering, not registering, losing materials"},
	"delayed_transfer_or_reporting":    {"移交或报送延误", "Delayed transfer or reporting"},
}

// Zh and En name a ground.
func (g Ground) Zh() string { return groundNames[g][0] }
func (g Ground) En() string { return groundNames[g][1] }

// In names g in lang.
func (g Ground) In(lang string) string {
	if lang == "en" {
		return g.En()
	}
	return g.Zh()
}

// Measure is one of A2's measures; their order is A2's rising order.
type Measure string

// Measures are A2's measures, mildest first.
var Measures = []Measure{"criticism_education", "admonition_talk", "written_self_examination", "loss_of_awards",
	"notice_of_criticism", "failing_assessment", "referral_to_discipline"}

var measureNames = map[Measure][2]string{
	"criticism_education":      {"批评教育", "Criticism and education"},
	"admonition_talk":          {"诫勉谈话", "Admonition talk"},
	"written_self_examination": {"书面检查", "Written self-examination"},
	"loss_of_awards":           {"取消评先评优资格", "Loss of awards"},
	"notice_of_criticism":      {"通报批评", "Notice of criticism"},
	"failing_assessment":       {"年度考核不称职", "Failing the assessment"},
	"referral_to_discipline":   {"移送纪检监察机关", "Referral to the discipline office"},
}

// Zh and En name a measure.
func (m Measure) Zh() string { return measureNames[m][0] }
func (m Measure) En() string { return measureNames[m][1] }

// In names m in lang.
func (m Measure) In(lang string) string {
	if lang == "en" {
		return m.En()
	}
	return m.Zh()
}

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
		if s == string(g) || s == g.Zh() {
			return g, nil
		}
	}
	return "", apperr.Invalidf(field, "accountability.the_ground_must_be_one_of")
}

// ParseMeasure reads a measure by its key or Chinese name.
func ParseMeasure(field, s string) (Measure, error) {
	s = strings.TrimSpace(s)
	for _, m := range Measures {
		if s == string(m) || s == m.Zh() {
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
