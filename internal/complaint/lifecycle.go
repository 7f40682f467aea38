package complaint

import (
	"slices"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/msg"
)

// Status is where a complaint stands.
type Status string

const (
	Received      Status = "received"      // waiting for acceptance (P4)
	Accepted      Status = "accepted"      // accepted; investigators not yet all declared
	Investigating Status = "investigating" // investigators assigned, each declared no conflict (P5)
	Found         Status = "found"         // findings recorded, the answer not yet given
	Answered      Status = "answered"      // answered in writing (P8)
	Refused       Status = "refused"       // not accepted, reasons told (P3)
	UnderReview   Status = "under_review"  // the complainant asked the level above (P8)
)

// Statuses in the order lists offer them.
var Statuses = []Status{Received, Accepted, Investigating, Found, Answered, Refused, UnderReview}

// In names the status in lang.
func (s Status) In(lang string) string { return msg.Name(lang, "complaint.status", string(s)) }

// RefusalReason is why a complaint is not accepted (P3).
type RefusalReason string

const (
	NotInList          RefusalReason = "not_in_list"
	InReconsideration  RefusalReason = "in_reconsideration_or_litigation"
	HandledAbove       RefusalReason = "handled_by_higher_level"
	RepeatedNoNewFacts RefusalReason = "repeated_no_new_facts"
	OtherLegalGrounds  RefusalReason = "other_legal_grounds"
)

// RefusalReasons in P3's order.
var RefusalReasons = []RefusalReason{NotInList, InReconsideration, HandledAbove, RepeatedNoNewFacts, OtherLegalGrounds}

// In names the reason in lang.
func (r RefusalReason) In(lang string) string { return msg.Name(lang, "complaint.refusal", string(r)) }

// Mode is how a complaint is handled (P7).
type Mode string

const (
	Direct            Mode = "direct"             // the office investigates directly
	TransferToUnit    Mode = "transfer"           // transferred to the unit
	SuperviseTransfer Mode = "supervise_transfer" // transferred, and its handling supervised
)

// Modes in P7's order.
var Modes = []Mode{Direct, TransferToUnit, SuperviseTransfer}

// In names the mode in lang.
func (m Mode) In(lang string) string { return msg.Name(lang, "complaint.mode", string(m)) }

// Outcome is a measure a verified complaint leads to (P7).
type Outcome string

const (
	OrderToPerform    Outcome = "order_to_perform"
	OrderToStop       Outcome = "order_to_stop_and_remedy"
	Interview         Outcome = "interview"
	SelfExamination   Outcome = "written_self_examination"
	NoticeOfCriticism Outcome = "notice_of_criticism"
	LossOfAwards      Outcome = "loss_of_awards"
	ReferToDiscipline Outcome = "referral_to_discipline"
)

// Outcomes in P7's order.
var Outcomes = []Outcome{OrderToPerform, OrderToStop, Interview, SelfExamination, NoticeOfCriticism, LossOfAwards, ReferToDiscipline}

// In names the outcome in lang.
func (o Outcome) In(lang string) string { return msg.Name(lang, "complaint.outcome", string(o)) }

// Tier is a service-centre handling tier (P6, 001 投诉 §三(六)), for a
// body that uses tiers instead of the 15 working days.
type Tier string

const (
	Simple  Tier = "simple"  // 3 working days
	Complex Tier = "complex" // 10
	Special Tier = "special" // up to 30, with written reasons
)

// Rules are the numbers a body's complaints run on; DefaultRules are
// DOMAIN.md's.
type Rules struct {
	AcceptDays        int  // P4: 2
	CentreAcceptDays  int  // P4: a service-centre efficiency complaint, 3
	EvidenceDays      int  // P1: phone and letter complainants, 3
	HandlingDays      int  // P6: 15
	MaxExtensionDays  int  // P6: 15, once
	ReviewDays        int  // P8: 15
	MinInvestigators  int  // P5: 2
	Tiered            bool // P6: the service-centre tiers instead of HandlingDays
	MaxSpecialDays    int  // P6: 30
	BarredFromAwardAt int  // P9: 3 verified complaints in a year
}

// DefaultRules are the rules of DOMAIN.md P1–P9.
func DefaultRules() Rules {
	return Rules{AcceptDays: 2, CentreAcceptDays: 3, EvidenceDays: 3, HandlingDays: 15, MaxExtensionDays: 15,
		ReviewDays: 15, MinInvestigators: 2, MaxSpecialDays: 30, BarredFromAwardAt: 3}
}

// Investigator is one of a complaint's investigators (P5).
type Investigator struct {
	StaffID  int64     `json:"staff_id"`
	Name     string    `json:"name"`
	Unit     string    `json:"unit,omitempty"`
	Declared time.Time `json:"declared,omitzero"` // no conflict of interest declared
}

// Extension is the one extension of the handling limit (P6).
type Extension struct {
	Days       int       `json:"days"`
	Reason     string    `json:"reason"`
	ApprovedBy string    `json:"approved_by"`
	At         time.Time `json:"at"`
}

// Answer is the written answer (P8). Number is its document number.
type Answer struct {
	Number string `json:"number"`
	// Document is the id of the sealed answer document (P8) when the
	// documents mechanism issued it.
	Document int64     `json:"document,omitempty"`
	Text     string    `json:"text"`
	At       time.Time `json:"at"`
	By       string    `json:"by"`
}

// Complaint is one complaint.
type Complaint struct {
	ID            int64       `json:"id"`
	Version       int64       `json:"version"`
	Number        string      `json:"number"`
	QueryCodeHash string      `json:"query_code_hash"`
	BodyID        int64       `json:"body_id"`
	BodyPath      string      `json:"body_path"`
	BodyName      string      `json:"body_name"`
	Channel       Channel     `json:"channel"`
	Target        Target      `json:"target"`
	Ground        Ground      `json:"ground"`
	Facts         string      `json:"facts"`
	Reasons       string      `json:"reasons,omitempty"`
	Evidence      []Evidence  `json:"evidence,omitempty"`
	Complainant   Complainant `json:"complainant"`
	// Centre: an efficiency complaint about the service centre (P4: three
	// working days to accept).
	Centre     bool      `json:"centre,omitempty"`
	ReceivedAt time.Time `json:"received_at"`
	RecordedBy string    `json:"recorded_by,omitempty"` // the staff member who took a phone, letter … complaint
	// EvidenceDue: the last day a phone or letter complainant adds evidence (P1).
	EvidenceDue calendar.Date `json:"evidence_due,omitzero"`
	AcceptDue   calendar.Date `json:"accept_due"`
	// RepeatOf is the number of an earlier answered complaint with the
	// same target and ground (P3): its answer is shown beside this one.
	RepeatOf string `json:"repeat_of,omitempty"`

	Status        Status         `json:"status"`
	AcceptedAt    time.Time      `json:"accepted_at,omitzero"`
	AcceptedOn    calendar.Date  `json:"accepted_on,omitzero"`
	LateAccept    bool           `json:"late_accept,omitempty"`
	Refusal       RefusalReason  `json:"refusal,omitempty"`
	RefusalText   string         `json:"refusal_text,omitempty"`
	Mode          Mode           `json:"mode,omitempty"`
	Tier          Tier           `json:"tier,omitempty"`
	TierReason    string         `json:"tier_reason,omitempty"`
	HandlingDays  int            `json:"handling_days,omitempty"`
	Due           calendar.Date  `json:"due,omitzero"`
	Extension     *Extension     `json:"extension,omitempty"`
	Investigators []Investigator `json:"investigators,omitempty"`
	Findings      string         `json:"findings,omitempty"`
	Verified      bool           `json:"verified,omitempty"`
	Outcomes      []Outcome      `json:"outcomes,omitempty"`
	Answer        *Answer        `json:"answer,omitempty"`
	LateAnswer    bool           `json:"late_answer,omitempty"`
	ReviewDue     calendar.Date  `json:"review_due,omitzero"`
	ReviewAt      time.Time      `json:"review_at,omitzero"`
	ReviewReason  string         `json:"review_reason,omitempty"`
}

// Flags are the complaint's flags for lists and simulate: late acceptance
// (P4), late answer (P6), a repeat (P3).
func (c Complaint) Flags() []string {
	var f []string
	if c.LateAccept {
		f = append(f, "late_acceptance")
	}
	if c.LateAnswer {
		f = append(f, "late_answer")
	}
	if c.RepeatOf != "" {
		f = append(f, "repeat")
	}
	return f
}

// Filing is a new complaint as given, online or recorded by staff.
type Filing struct {
	Channel     Channel     `json:"channel"`
	Target      Target      `json:"target"`
	Ground      Ground      `json:"ground"`
	Facts       string      `json:"facts"`
	Reasons     string      `json:"reasons,omitempty"`
	Centre      bool        `json:"centre,omitempty"`
	Complainant Complainant `json:"complainant"`
	Evidence    []Evidence  `json:"evidence,omitempty"`
}

// Check validates a filing, naming the first bad field.
func (f *Filing) Check() error {
	if _, err := ParseChannel("channel", string(f.Channel)); err != nil {
		return err
	}
	if err := f.Target.validate(); err != nil {
		return err
	}
	if _, err := ParseGround("ground", string(f.Ground)); err != nil {
		return err
	}
	f.Facts, f.Reasons = strings.TrimSpace(f.Facts), strings.TrimSpace(f.Reasons)
	if err := CheckText("facts", "complaint.the_facts", f.Facts, maxFacts, true); err != nil {
		return err
	}
	if err := CheckText("reasons", "complaint.the_reasons", f.Reasons, maxFacts, false); err != nil {
		return err
	}
	if err := f.Complainant.normalise(); err != nil {
		return err
	}
	if len(f.Evidence) > MaxEvidenceFiles {
		return apperr.Invalidf("evidence", "complaint.at_most_evidence_files", MaxEvidenceFiles)
	}
	for _, e := range f.Evidence {
		if err := CheckText("evidence", "complaint.the_file_name", e.Name, maxShortText, true); err != nil {
			return err
		}
	}
	return nil
}

// File makes a complaint of a checked filing received at now, with its
// number and the hash of its query code (V3's scheme). earlier are the
// body's earlier answered or refused complaints with the same target and
// ground, newest first: the newest is linked (P3).
func File(f Filing, number, codeHash string, now time.Time, cal *calendar.Calendar, r Rules, earlier []Complaint) (Complaint, error) {
	if err := f.Check(); err != nil {
		return Complaint{}, err
	}
	day := dateOf(cal, now)
	acceptDays := r.AcceptDays
	if f.Centre {
		acceptDays = r.CentreAcceptDays
	}
	acceptDue, err := cal.AddWorkingDays(day, acceptDays)
	if err != nil {
		return Complaint{}, err
	}
	c := Complaint{Number: number, QueryCodeHash: codeHash, Channel: f.Channel, Target: f.Target, Ground: f.Ground,
		Facts: f.Facts, Reasons: f.Reasons, Centre: f.Centre, Complainant: f.Complainant, Evidence: f.Evidence,
		ReceivedAt: now, AcceptDue: acceptDue, Status: Received}
	for i := range c.Evidence {
		c.Evidence[i].Added = now
	}
	if f.Channel.addsEvidenceLater() {
		if c.EvidenceDue, err = cal.AddWorkingDays(day, r.EvidenceDays); err != nil {
			return Complaint{}, err
		}
	}
	for _, e := range earlier {
		if e.Target.Key() == c.Target.Key() && e.Ground == c.Ground && (e.Answer != nil || e.Status == Refused) {
			c.RepeatOf = e.Number
			break
		}
	}
	return c, nil
}

// AddEvidence adds files to a phone or letter complaint within its 3
// working days (P1).
func (c Complaint) AddEvidence(files []Evidence, now time.Time, cal *calendar.Calendar) (Complaint, error) {
	if c.EvidenceDue == 0 {
		return c, apperr.Conflictf("complaint.only_phone_and_letter_complaints_add")
	}
	if dateOf(cal, now) > c.EvidenceDue {
		return c, apperr.Conflictf("complaint.the_time_to_add_evidence_has", c.EvidenceDue)
	}
	if len(c.Evidence)+len(files) > MaxEvidenceFiles {
		return c, apperr.Invalidf("evidence", "complaint.at_most_evidence_files", MaxEvidenceFiles)
	}
	for _, f := range files {
		f.Added = now
		c.Evidence = append(slices.Clip(c.Evidence), f)
	}
	return c, nil
}

func (c Complaint) must(s ...Status) error {
	if slices.Contains(s, c.Status) {
		return nil
	}
	return apperr.New(apperr.Conflict, "", "complaint.complaint_is_this_action_is_not", c.Number, c.Status)
}

// Acceptance is the office's decision to accept. With tiered rules the
// tier is required (special: days ≤ 30 and written reasons).
type Acceptance struct {
	Mode   Mode   `json:"mode"`
	Tier   Tier   `json:"tier,omitempty"`
	Days   int    `json:"days,omitempty"` // a special tier's days
	Reason string `json:"reason,omitempty"`
}

// Accept accepts a received complaint at now (P4): accepted after its
// acceptance day it is flagged late, not refused — the complaint is still
// handled. The handling limit starts (P6).
func (c Complaint) Accept(a Acceptance, now time.Time, cal *calendar.Calendar, r Rules) (Complaint, error) {
	if err := c.must(Received); err != nil {
		return c, err
	}
	if !slices.Contains(Modes, a.Mode) {
		return c, apperr.Invalidf("mode", "complaint.choose_the_handling_mode_direct_transfer")
	}
	days := r.HandlingDays
	if r.Tiered {
		switch a.Tier {
		case Simple:
			days = 3
		case Complex:
			days = 10
		case Special:
			if a.Days < 1 || a.Days > r.MaxSpecialDays {
				return c, apperr.Invalidf("days", "complaint.a_special_complaint_s_limit_must", r.MaxSpecialDays)
			}
			if err := CheckText("reason", "complaint.the_written_reasons_for_a_special", a.Reason, maxShortText*5, true); err != nil {
				return c, err
			}
			days = a.Days
		default:
			return c, apperr.Invalidf("tier", "complaint.choose_the_tier_simple_complex_or")
		}
		c.Tier, c.TierReason = a.Tier, strings.TrimSpace(a.Reason)
	}
	day := dateOf(cal, now)
	due, err := cal.AddWorkingDays(day, days)
	if err != nil {
		return c, err
	}
	c.Status, c.AcceptedAt, c.AcceptedOn, c.Mode, c.HandlingDays, c.Due = Accepted, now, day, a.Mode, days, due
	c.LateAccept = day > c.AcceptDue
	return c, nil
}

// Refuse refuses a received complaint for one of P3's reasons, with the
// text told to the complainant in writing.
func (c Complaint) Refuse(reason RefusalReason, text string, now time.Time, cal *calendar.Calendar) (Complaint, error) {
	if err := c.must(Received); err != nil {
		return c, err
	}
	if !slices.Contains(RefusalReasons, reason) {
		return c, apperr.Invalidf("reason", "complaint.choose_the_reason_for_not_accepting")
	}
	text = strings.TrimSpace(text)
	if err := CheckText("text", "complaint.the_written_explanation_to_the_complainant", text, maxFacts, true); err != nil {
		return c, err
	}
	c.Status, c.Refusal, c.RefusalText = Refused, reason, text
	c.AcceptedOn = dateOf(cal, now)
	c.LateAccept = c.AcceptedOn > c.AcceptDue
	return c, nil
}

// Assign names the investigators (P5): at least two distinct staff
// members, none of the complained unit and not the complained person
// (recusal). Assigning again replaces them, and each declares anew.
func (c Complaint) Assign(inv []Investigator, r Rules) (Complaint, error) {
	if err := c.must(Accepted, Investigating); err != nil {
		return c, err
	}
	seen := map[int64]bool{}
	var out []Investigator
	for _, i := range inv {
		if i.StaffID == 0 || seen[i.StaffID] {
			continue
		}
		seen[i.StaffID] = true
		if i.StaffID == c.Target.StaffID {
			return c, apperr.Invalidf("investigators", "complaint.is_the_person_complained_about_and", i.Name)
		}
		if c.Target.Unit != "" && i.Unit == c.Target.Unit {
			return c, apperr.Invalidf("investigators", "complaint.works_in_the_complained_unit_and", i.Name, c.Target.UnitName)
		}
		i.Declared = time.Time{}
		out = append(out, i)
	}
	if len(out) < r.MinInvestigators {
		return c, apperr.Invalidf("investigators", "complaint.at_least_investigators_are_required", r.MinInvestigators)
	}
	c.Investigators, c.Status = out, Accepted
	return c, nil
}

// Declare records that investigator staffID declares no conflict of
// interest (P5). Once all have, the investigation starts.
func (c Complaint) Declare(staffID int64, now time.Time) (Complaint, error) {
	if err := c.must(Accepted); err != nil {
		return c, err
	}
	inv := slices.Clone(c.Investigators)
	i := slices.IndexFunc(inv, func(i Investigator) bool { return i.StaffID == staffID })
	if i < 0 {
		return c, apperr.Forbiddenf("complaint.you_are_not_an_investigator_of", c.Number)
	}
	if !inv[i].Declared.IsZero() {
		return c, apperr.Conflictf("complaint.you_have_already_declared_no_conflict")
	}
	inv[i].Declared = now
	c.Investigators = inv
	if !slices.ContainsFunc(inv, func(i Investigator) bool { return i.Declared.IsZero() }) {
		c.Status = Investigating
	}
	return c, nil
}

// IsInvestigator reports whether staffID investigates c.
func (c Complaint) IsInvestigator(staffID int64) bool {
	return staffID != 0 && slices.ContainsFunc(c.Investigators, func(i Investigator) bool { return i.StaffID == staffID })
}

// Find records the investigators' findings (P7): verified or not, with the
// outcomes a verified complaint leads to.
func (c Complaint) Find(findings string, verified bool, outcomes []Outcome) (Complaint, error) {
	if err := c.must(Investigating, Found); err != nil {
		return c, err
	}
	findings = strings.TrimSpace(findings)
	if err := CheckText("findings", "complaint.the_findings", findings, maxFacts, true); err != nil {
		return c, err
	}
	var out []Outcome
	for _, o := range outcomes {
		if !slices.Contains(Outcomes, o) {
			return c, apperr.Invalidf("outcomes", "complaint.outcome_is_not_valid", o)
		}
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	if verified && len(out) == 0 {
		return c, apperr.Invalidf("outcomes", "complaint.a_verified_complaint_needs_at_least")
	}
	if !verified && len(out) > 0 {
		return c, apperr.Invalidf("outcomes", "complaint.a_complaint_not_verified_has_no")
	}
	c.Findings, c.Verified, c.Outcomes, c.Status = findings, verified, out, Found
	return c, nil
}

// Extend extends the handling limit once (P6): by 1–15 working days, with
// reasons told to the complainant, approved by the office director.
func (c Complaint) Extend(days int, reason string, director bool, by string, now time.Time, cal *calendar.Calendar, r Rules) (Complaint, error) {
	if err := c.must(Accepted, Investigating, Found); err != nil {
		return c, err
	}
	if !director {
		return c, apperr.Forbiddenf("complaint.an_extension_is_approved_by_the")
	}
	if c.Extension != nil {
		return c, apperr.Conflictf("complaint.complaint_was_extended_once_already", c.Number)
	}
	if days < 1 || days > r.MaxExtensionDays {
		return c, apperr.Invalidf("days", "complaint.an_extension_must_be_1_working", r.MaxExtensionDays)
	}
	reason = strings.TrimSpace(reason)
	if err := CheckText("reason", "complaint.the_reason", reason, maxShortText*5, true); err != nil {
		return c, err
	}
	due, err := cal.AddWorkingDays(c.Due, days)
	if err != nil {
		return c, err
	}
	c.Extension = &Extension{Days: days, Reason: reason, ApprovedBy: by, At: now}
	c.Due = due
	return c, nil
}

// AnswerWith answers the complaint in writing (P8) once findings are
// recorded; answered after its due day it is flagged late (P6). The
// review window (P8) opens.
func (c Complaint) AnswerWith(number, text, by string, now time.Time, cal *calendar.Calendar, r Rules) (Complaint, error) {
	if err := c.must(Found); err != nil {
		if c.Status == Accepted || c.Status == Investigating {
			return c, apperr.Conflictf("complaint.the_findings_are_not_recorded_yet")
		}
		return c, err
	}
	text = strings.TrimSpace(text)
	if err := CheckText("text", "complaint.the_written_answer", text, maxFacts, true); err != nil {
		return c, err
	}
	day := dateOf(cal, now)
	rd, err := cal.AddWorkingDays(day, r.ReviewDays)
	if err != nil {
		return c, err
	}
	c.Answer = &Answer{Number: number, Text: text, At: now, By: by}
	c.Status, c.ReviewDue, c.LateAnswer = Answered, rd, day > c.Due
	return c, nil
}

// RequestReview is the complainant's request to the level above (P8),
// within 15 working days of the answer.
func (c Complaint) RequestReview(reason string, now time.Time, cal *calendar.Calendar) (Complaint, error) {
	if err := c.must(Answered); err != nil {
		return c, err
	}
	if dateOf(cal, now) > c.ReviewDue {
		return c, apperr.Conflictf("complaint.the_time_to_ask_for_review", c.ReviewDue)
	}
	reason = strings.TrimSpace(reason)
	if err := CheckText("reason", "complaint.the_reason_for_review", reason, maxFacts, true); err != nil {
		return c, err
	}
	c.Status, c.ReviewAt, c.ReviewReason = UnderReview, now, reason
	return c, nil
}

// Open reports whether the complaint is still being handled (its clock runs).
func (c Complaint) Open() bool {
	return c.Status == Received || c.Status == Accepted || c.Status == Investigating || c.Status == Found
}

// DueOn is the day the complaint's current limit ends: acceptance while
// received, the handling limit after; 0 once answered or refused.
func (c Complaint) DueOn() calendar.Date {
	switch c.Status {
	case Received:
		return c.AcceptDue
	case Accepted, Investigating, Found:
		return c.Due
	}
	return 0
}
