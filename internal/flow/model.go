// Package flow is how one kind of case runs, as data (H1, C7, L10): steps,
// the actions between them, special procedures that pause the clock (L4)
// and terminal outcomes, read from a documented YAML format
// (docs/FLOWS.md), validated with every mistake named by its line, run as a
// pure state machine and drawn as an SVG. It holds no database, no
// accounts and no pages: roles are plain strings checked against the list
// the caller gives, and a case records the flow's code, version and
// content hash (Hash) so it keeps running on the version it started with.
package flow

import (
	"github.com/qingdan/qingdan/internal/calendar"
)

// Text is a name in Chinese and English. En may be empty: the English
// rendering then falls back to Zh.
type Text struct {
	Zh string `json:"zh"`
	En string `json:"en,omitempty"`
}

// In returns the text in lang ("en", or anything else for Chinese).
func (t Text) In(lang string) string {
	if lang == "en" && t.En != "" {
		return t.En
	}
	return t.Zh
}

// Kind says how a case of the flow begins.
type Kind string

const (
	// Application (依申请): started by the applicant online (apply) or by the
	// window registering an applicant.
	Application Kind = "application"
	// ExOfficio (依职权): started by the body itself, by filing (file, 立案).
	ExOfficio Kind = "ex_officio"
)

var kinds = []Kind{Application, ExOfficio}

// Status is the public status of a case (issue #14 item 5): what exchange
// platforms and the applicant see, beside the flow's own step.
type Status string

const (
	Submitted     Status = "submitted"     // 已提交, not yet accepted
	Supplementing Status = "supplementing" // 补正中 (H3, L2)
	Accepted      Status = "accepted"      // 已受理 (H2)
	Handling      Status = "handling"      // 办理中
	Suspended     Status = "suspended"     // 特别程序中 (L4): the clock is paused
	Completed     Status = "completed"     // 已办结 (H7)
	Refused       Status = "refused"       // 不予受理 (H3)
	Withdrawn     Status = "withdrawn"     // 已撤回
)

var statuses = []Status{Submitted, Supplementing, Accepted, Handling, Suspended, Completed, Refused, Withdrawn}

// Done reports whether a case with status s has ended: its clock stops when
// it first reaches such a status.
func (s Status) Done() bool { return s == Completed || s == Refused || s == Withdrawn }

// Level is the body where a step runs (O1, 四级联动).
type Level string

const (
	// Own: the body that holds the case.
	Own Level = "own"
	// Parent: the level above reviews a joint item; the case moves to the
	// parent body's queue for the step and comes back after it.
	Parent Level = "parent"
)

var levels = []Level{Own, Parent}

// Applicant is the role of the applicant, for public actions (apply online,
// supplement, withdraw). It is always known, besides the caller's staff roles.
const Applicant = "applicant"

// RiskLevel is 风险等级 (C7).
type RiskLevel string

const (
	RiskHigh   RiskLevel = "high"   // 高
	RiskMedium RiskLevel = "medium" // 中
	RiskLow    RiskLevel = "low"    // 低
)

var riskLevels = []RiskLevel{RiskHigh, RiskMedium, RiskLow}

// RiskPoint is a step's 风险点 (C7): what can go wrong there and how it is
// prevented. The keys are those of catalog.RiskPoint.
type RiskPoint struct {
	Level       RiskLevel `json:"level"`       // 风险等级
	Description string    `json:"description"` // 风险点描述
	Control     string    `json:"control"`     // 防控措施
}

// SupervisionPoint is a step's 监察点 (C7): what electronic supervision
// checks at the step. Kind is one of the check kinds the caller lists
// (Options.Checks: catalog's CheckKind values).
type SupervisionPoint struct {
	Kind        string `json:"kind"`        // 监察类型
	Description string `json:"description"` // 监察内容
}

// SpecialKind is a special procedure (特别程序) whose time is not counted
// (L4: Administrative Licensing Law art. 45), or a site survey done by the
// unit (H9).
type SpecialKind string

const (
	Hearing      SpecialKind = "hearing"       // 听证
	Bidding      SpecialKind = "bidding"       // 招标
	Auction      SpecialKind = "auction"       // 拍卖
	Inspection   SpecialKind = "inspection"    // 检验
	Testing      SpecialKind = "testing"       // 检测
	Quarantine   SpecialKind = "quarantine"    // 检疫
	Appraisal    SpecialKind = "appraisal"     // 鉴定
	ExpertReview SpecialKind = "expert_review" // 专家评审
	SiteSurvey   SpecialKind = "site_survey"   // 现场勘察
)

var specialKinds = []SpecialKind{Hearing, Bidding, Auction, Inspection, Testing, Quarantine, Appraisal, ExpertReview, SiteSurvey}

// Special makes a step a special procedure (L4): while a case is at it the
// case clock is paused. Entering it needs the Approver role, and it may
// last at most Max.
type Special struct {
	Kind     SpecialKind     `json:"kind"`
	Approver string          `json:"approver"`
	Max      calendar.Budget `json:"max"`
}

// Step is one stage a case can be at.
type Step struct {
	ID   string `json:"id"`
	Name Text   `json:"name"`
	// Role is the role that acts at the step (whose queue it is in).
	Role string `json:"role"`
	// Limit is the step's own time limit (L10: a step over its time is an
	// alarm even while the case is within its limit); zero for none.
	Limit calendar.Budget `json:"limit,omitzero"`
	// Optional steps may be skipped; e-supervision flags a case that skips
	// a mandatory one (S5).
	Optional bool               `json:"optional,omitempty"`
	Level    Level              `json:"level"`
	Status   Status             `json:"status"`
	Special  *Special           `json:"special,omitempty"`
	Risks    []RiskPoint        `json:"risks,omitempty"`
	Checks   []SupervisionPoint `json:"checks,omitempty"`
}

// Outcome is a terminal state of a case: completed, refused, withdrawn.
type Outcome struct {
	ID     string `json:"id"`
	Name   Text   `json:"name"`
	Status Status `json:"status"`
}

// ClockEffect is what an action declares for the case clock. Pausing and
// resuming for special procedures and finishing are not declared: they
// follow from the steps (see Move.Clock).
type ClockEffect string

const (
	// ClockStart: the case clock starts (H2: acceptance).
	ClockStart ClockEffect = "start"
	// ClockExtend: the limit is extended (L3) by the action's days.
	ClockExtend ClockEffect = "extend"
	// ClockPause: the clock waits for the applicant's supplementation (L2)
	// after acceptance; the action leads to a step with status supplementing.
	ClockPause ClockEffect = "pause"
	// ClockResume: the supplementation is in; the clock runs again.
	ClockResume ClockEffect = "resume"
)

var clockEffects = []ClockEffect{ClockStart, ClockExtend, ClockPause, ClockResume}

// Action moves a case from one of its From steps (or, for a start action,
// from nothing) to the step or outcome To.
type Action struct {
	ID   string `json:"id"`
	Name Text   `json:"name"`
	// Start marks an action that opens a case; it has no From.
	Start bool     `json:"start,omitempty"`
	From  []string `json:"from,omitempty"`
	To    string   `json:"to"`
	// Roles may take the action; an action into a special step needs its
	// approver besides.
	Roles []string `json:"roles"`
	// Fields must be given, not blank.
	Fields []string `json:"fields,omitempty"`
	// Choices restrict a field to some values (outcome: approved, not_approved).
	Choices map[string][]string `json:"choices,omitempty"`
	// Guards must all hold on the input.
	Guards []Guard     `json:"guards,omitempty"`
	Clock  ClockEffect `json:"clock,omitempty"`
}

// Flow is one version of how a kind of case runs. Build it with Parse; it
// is immutable afterwards and safe for concurrent use.
type Flow struct {
	Code     string    `json:"code"`
	Version  int       `json:"version"`
	Name     Text      `json:"name"`
	Kind     Kind      `json:"kind"`
	Steps    []Step    `json:"steps"`
	Outcomes []Outcome `json:"outcomes"`
	Actions  []Action  `json:"actions"`

	steps    map[string]int // step id → index in Steps
	outcomes map[string]int
	actions  map[string]int
	// hash is Hash, computed once by Parse: every case action compares
	// it, and encoding the flow each time cost an eighth of an action.
	hash string
}

// index builds the lookups by id (ids are unique once validated).
func (f *Flow) index() {
	f.steps = make(map[string]int, len(f.Steps))
	for i, s := range f.Steps {
		f.steps[s.ID] = i
	}
	f.outcomes = make(map[string]int, len(f.Outcomes))
	for i, o := range f.Outcomes {
		f.outcomes[o.ID] = i
	}
	f.actions = make(map[string]int, len(f.Actions))
	for i, a := range f.Actions {
		f.actions[a.ID] = i
	}
	f.hash = f.computeHash()
}

// Step returns the step with the given id.
func (f *Flow) Step(id string) (Step, bool) {
	i, ok := f.steps[id]
	if !ok {
		return Step{}, false
	}
	return f.Steps[i], true
}

// Outcome returns the outcome with the given id.
func (f *Flow) Outcome(id string) (Outcome, bool) {
	i, ok := f.outcomes[id]
	if !ok {
		return Outcome{}, false
	}
	return f.Outcomes[i], true
}

// Action returns the action with the given id.
func (f *Flow) Action(id string) (Action, bool) {
	i, ok := f.actions[id]
	if !ok {
		return Action{}, false
	}
	return f.Actions[i], true
}

// PlaceName is the name of the step or outcome a case is at, for lists and
// pages that show where a case stands; an id the flow does not know (a
// case stored under another version) shows as itself.
func (f *Flow) PlaceName(id string) Text {
	if s, ok := f.Step(id); ok {
		return s.Name
	}
	if o, ok := f.Outcome(id); ok {
		return o.Name
	}
	return Text{Zh: id}
}
