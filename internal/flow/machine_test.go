package flow

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
)

var (
	window    = []string{"window"}
	unitStaff = []string{"unit_staff"}
	leader    = []string{"leader"}
	applicant = []string{Applicant}
	complete  = Input{"materials_complete": "true"}
)

// apply applies an action that must be accepted.
func apply(t *testing.T, f *Flow, at, action string, roles []string, in Input) Move {
	t.Helper()
	m, err := f.Apply(at, action, roles, in)
	if err != nil {
		t.Fatalf("%s at %q: %v", action, at, err)
	}
	return m
}

// refused checks that an action is refused with the given code and field.
func refused(t *testing.T, f *Flow, at, action string, roles []string, in Input, code apperr.Code, field string) *apperr.Error {
	t.Helper()
	_, err := f.Apply(at, action, roles, in)
	var e *apperr.Error
	if !errors.As(err, &e) || e.Code != code || e.Field != field {
		t.Fatalf("%s at %q: want %s on %q, got %v", action, at, code, field, err)
	}
	if e.Message("zh") == "" || e.Message("en") == "" {
		t.Errorf("not bilingual: %+v", e)
	}
	return e
}

func ids(as []Action) string {
	var s []string
	for _, a := range as {
		s = append(s, a.ID)
	}
	return strings.Join(s, " ")
}

func TestMachine_H1_startActions(t *testing.T) {
	f := mustShipped(t, "promised")
	if got := ids(f.Starts()); got != "apply" {
		t.Errorf("starts = %s", got)
	}
	m := apply(t, f, "", "apply", applicant, nil)
	want := Move{Action: "apply", To: "received", Status: Submitted, FromLevel: Own, Level: Own}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("apply = %+v, want %+v", m, want)
	}
	refused(t, f, "", "accept", window, complete, apperr.Conflict, "action")
}

func TestMachine_H1_offeredAndAllowedActions(t *testing.T) {
	f := mustShipped(t, "promised")
	if got := ids(f.Offered("received", window)); got != "request_supplement accept refuse withdraw" {
		t.Errorf("window at received: %s", got)
	}
	if got := ids(f.Offered("received", applicant)); got != "withdraw" {
		t.Errorf("applicant at received: %s", got)
	}
	// The input narrows the offer: with every material in, supplementation
	// is not allowed and acceptance is; refusal needs its reasons.
	if got := ids(f.Allowed("received", window, complete)); got != "accept withdraw" {
		t.Errorf("allowed with materials complete: %s", got)
	}
	if got := ids(f.Allowed("received", window, Input{"missing": "户口簿"})); got != "request_supplement withdraw" {
		t.Errorf("allowed with materials missing: %s", got)
	}
	// Entering the site survey needs the leader (L4).
	if got := ids(f.Offered("review", unitStaff)); got != "decide" {
		t.Errorf("unit staff at review: %s", got)
	}
	if got := ids(f.Offered("review", leader)); got != "pause extend" {
		t.Errorf("leader at review: %s", got)
	}
	if got := ids(f.Offered("completed", window)); got != "" {
		t.Errorf("at an outcome: %s", got)
	}
}

func TestMachine_H2_acceptanceStartsTheClock(t *testing.T) {
	f := mustShipped(t, "promised")
	m := apply(t, f, "received", "accept", window, complete)
	if m.To != "accepted" || m.Status != Accepted || !reflect.DeepEqual(m.Clock, []ClockChange{{Kind: calendar.Start}}) {
		t.Errorf("accept = %+v", m)
	}
	// Without every material in, acceptance is refused by its guard.
	e := refused(t, f, "received", "accept", window, Input{"materials_complete": "false"}, apperr.Conflict, "materials_complete")
	if !strings.Contains(e.Message("en"), "materials_complete") || !strings.Contains(e.Message("zh"), "受理") {
		t.Errorf("guard refusal: %s / %s", e.Message("zh"), e.Message("en"))
	}
}

func TestMachine_H3_supplementationRoundsAndRefusalWithReasons(t *testing.T) {
	f := mustShipped(t, "promised")
	for round := 1; round <= 3; round++ {
		m := apply(t, f, "received", "request_supplement", window, Input{"missing": "户口簿"})
		if m.To != "supplementing" || m.Status != Supplementing || len(m.Clock) != 0 {
			t.Fatalf("round %d: %+v", round, m)
		}
		m = apply(t, f, "supplementing", "supplement", applicant, Input{"materials": "户口簿"})
		if m.To != "received" {
			t.Fatalf("round %d: %+v", round, m)
		}
	}
	// The one-time notice lists what is missing.
	e := refused(t, f, "received", "request_supplement", window, nil, apperr.Invalid, "missing")
	if e.Message("en") != `“Request supplementation” needs the field "missing"` || e.Message("zh") != "“一次性告知补正”须填写“missing”" {
		t.Errorf("missing field: %s / %s", e.Message("zh"), e.Message("en"))
	}
	// A refusal states reasons and legal basis (H3); blank is not given.
	refused(t, f, "received", "refuse", window, Input{"basis": "《行政许可法》第三十二条"}, apperr.Invalid, "reason")
	refused(t, f, "received", "refuse", window, Input{"reason": "  ", "basis": "x"}, apperr.Invalid, "reason")
	refused(t, f, "received", "refuse", window, Input{"reason": "不属于本机关职权"}, apperr.Invalid, "basis")
	m := apply(t, f, "supplementing", "refuse", window, Input{"reason": "不属于本机关职权", "basis": "《行政许可法》第三十二条"})
	// Refused before acceptance: the case ends; its clock never started,
	// so the finish is nothing to apply (Move.Clock says so).
	if !m.Terminal || m.Status != Refused || !reflect.DeepEqual(m.Clock, []ClockChange{{Kind: calendar.Finish}}) {
		t.Errorf("refuse = %+v", m)
	}
}

func TestMachine_H5_handOverToTheUnitAndBack(t *testing.T) {
	f := mustShipped(t, "promised")
	steps := []struct {
		at, action string
		roles      []string
		in         Input
		to         string
		status     Status
	}{
		{"accepted", "transfer", window, Input{"unit": "民政办"}, "accepted", Accepted},
		{"accepted", "hand_over", window, nil, "unit_receipt", Handling},
		{"unit_receipt", "receive", unitStaff, nil, "review", Handling},
		{"review", "decide", unitStaff, Input{"outcome": "approved", "opinion": "符合条件"}, "decided", Handling},
		{"decided", "hand_back", unitStaff, nil, "completion", Handling},
	}
	for _, s := range steps {
		m := apply(t, f, s.at, s.action, s.roles, s.in)
		if m.To != s.to || m.Status != s.status || m.Terminal || len(m.Clock) != 0 {
			t.Errorf("%s: %+v", s.action, m)
		}
	}
	// The window cannot receive for the unit, nor the unit hand over.
	refused(t, f, "unit_receipt", "receive", window, nil, apperr.Forbidden, "role")
	refused(t, f, "accepted", "hand_over", unitStaff, nil, apperr.Forbidden, "role")
	// Nor may an action be taken at a step it does not leave.
	refused(t, f, "review", "hand_over", window, nil, apperr.Conflict, "action")
}

func TestMachine_H9_decisionIsApprovedOrNotWithAnOpinion(t *testing.T) {
	f := mustShipped(t, "promised")
	refused(t, f, "review", "decide", unitStaff, Input{"outcome": "approved"}, apperr.Invalid, "opinion")
	e := refused(t, f, "review", "decide", unitStaff, Input{"outcome": "maybe", "opinion": "x"}, apperr.Invalid, "outcome")
	if !strings.Contains(e.Message("en"), "approved, not_approved") {
		t.Errorf("choices not named: %s", e.Message("en"))
	}
	apply(t, f, "review", "decide", unitStaff, Input{"outcome": "not_approved", "opinion": "不符合村庄规划"})
}

func TestMachine_H7_completionFinishesTheClockBeforeTheNotice(t *testing.T) {
	f := mustShipped(t, "promised")
	m := apply(t, f, "completion", "complete", window, nil)
	if m.Terminal || m.Status != Completed || !reflect.DeepEqual(m.Clock, []ClockChange{{Kind: calendar.Finish}}) {
		t.Errorf("complete = %+v", m)
	}
	// Notifying ends the case; the clock is already finished.
	m = apply(t, f, "notifying", "notify", window, nil)
	if !m.Terminal || m.Status != Completed || len(m.Clock) != 0 {
		t.Errorf("notify = %+v", m)
	}
	refused(t, f, "completed", "notify", window, nil, apperr.Conflict, "step")
}

func TestMachine_L4_specialProcedurePausesTheClock(t *testing.T) {
	f := mustShipped(t, "promised")
	m := apply(t, f, "review", "pause", leader, Input{"reason": "需核实宅基地四至"})
	want := []ClockChange{{Kind: calendar.Pause, Reason: calendar.SpecialProcedure}}
	if m.To != "site_survey" || m.Status != Suspended || !reflect.DeepEqual(m.Clock, want) {
		t.Errorf("pause = %+v", m)
	}
	m = apply(t, f, "site_survey", "resume", unitStaff, Input{"opinion": "四至清楚"})
	if m.To != "review" || m.Status != Handling || !reflect.DeepEqual(m.Clock, []ClockChange{{Kind: calendar.Resume}}) {
		t.Errorf("resume = %+v", m)
	}
	// Withdrawing during a survey is not offered by this flow; a flow that
	// allows it ends the pause and the case together.
	src, _ := ShippedSource("promised")
	g := mustParse(t, strings.Replace(string(src), "from: [received, supplementing, accepted, unit_receipt, review]",
		"from: [received, supplementing, accepted, unit_receipt, review, site_survey]", 1))
	m = apply(t, g, "site_survey", "withdraw", applicant, nil)
	if !reflect.DeepEqual(m.Clock, []ClockChange{{Kind: calendar.Resume}, {Kind: calendar.Finish}}) {
		t.Errorf("withdraw during a survey = %+v", m)
	}
}

func TestMachine_L4_pauseNeedsTheApprovingRole(t *testing.T) {
	f := mustShipped(t, "promised")
	// The leader may approve the survey; unit staff alone may not, even
	// where a flow lets them take the action.
	src, _ := ShippedSource("promised")
	g := mustParse(t, strings.Replace(string(src), "    roles: [leader]\n    fields: [reason]\n", "    roles: [unit_staff, leader]\n    fields: [reason]\n", 1))
	e := refused(t, g, "review", "pause", unitStaff, Input{"reason": "x"}, apperr.Forbidden, "role")
	if !strings.Contains(e.Message("en"), "approval of leader") {
		t.Errorf("refusal: %s", e.Message("en"))
	}
	apply(t, g, "review", "pause", []string{"unit_staff", "leader"}, Input{"reason": "x"})
	refused(t, f, "review", "pause", unitStaff, Input{"reason": "x"}, apperr.Forbidden, "role")
}

func TestMachine_L3_extensionByTheHeadRole(t *testing.T) {
	f := mustShipped(t, "promised")
	m := apply(t, f, "review", "extend", leader, Input{"days": "10", "reason": "需征求相关部门意见"})
	if m.To != "review" || !reflect.DeepEqual(m.Clock, []ClockChange{{Kind: calendar.Extend}}) {
		t.Errorf("extend = %+v", m)
	}
	refused(t, f, "review", "extend", unitStaff, Input{"days": "10", "reason": "x"}, apperr.Forbidden, "role")
	refused(t, f, "review", "extend", leader, Input{"days": "10"}, apperr.Invalid, "reason")
}

func TestMachine_O1_jointCaseGoesToTheLevelAboveAndBack(t *testing.T) {
	f := mustShipped(t, "joint")
	up := apply(t, f, "accepted", "hand_over", window, nil)
	if up.FromLevel != Own || up.Level != Parent || up.To != "upper_receipt" {
		t.Errorf("hand over = %+v", up)
	}
	within := apply(t, f, "upper_receipt", "receive", unitStaff, nil)
	if within.FromLevel != Parent || within.Level != Parent {
		t.Errorf("receive = %+v", within)
	}
	back := apply(t, f, "upper_decided", "hand_back", unitStaff, nil)
	if back.FromLevel != Parent || back.Level != Own || back.To != "completion" {
		t.Errorf("hand back = %+v", back)
	}
}

func TestMachine_H1_refusalsNameTheirCause(t *testing.T) {
	f := mustShipped(t, "promised")
	refused(t, f, "received", "fly", window, nil, apperr.Invalid, "action")
	refused(t, f, "nowhere", "accept", window, complete, apperr.Invalid, "step")
	refused(t, f, "withdrawn", "accept", window, complete, apperr.Conflict, "step")
	e := refused(t, f, "received", "accept", unitStaff, complete, apperr.Forbidden, "role")
	if !strings.Contains(e.Message("en"), "window") {
		t.Errorf("role refusal does not name the roles: %s", e.Message("en"))
	}
}

func TestMachine_L2_supplementationAfterAcceptancePausesTheClock(t *testing.T) {
	src := strings.Replace(small, "outcomes:", `  - id: more
    name: 补正
    role: applicant
    status: supplementing
outcomes:`, 1) + `  - id: request_supplement
    name: 补正告知
    from: review
    to: more
    roles: [unit_staff]
    clock: pause
  - id: supplement
    name: 补正
    from: more
    to: review
    roles: [applicant]
    clock: resume
`
	f := mustParse(t, src)
	m := apply(t, f, "review", "request_supplement", unitStaff, nil)
	if !reflect.DeepEqual(m.Clock, []ClockChange{{Kind: calendar.Pause, Reason: calendar.Supplementation}}) {
		t.Errorf("request = %+v", m)
	}
	m = apply(t, f, "more", "supplement", applicant, nil)
	if !reflect.DeepEqual(m.Clock, []ClockChange{{Kind: calendar.Resume}}) {
		t.Errorf("supplement = %+v", m)
	}
}

// exOfficio is an ex-officio (依职权) flow: filed by the body, no applicant.
const exOfficio = `code: inspection
version: 1
name: {zh: 行政检查, en: Inspection}
kind: ex_officio
steps:
  - id: filed
    name: 立案
    role: unit_staff
    status: accepted
  - id: investigating
    name: 调查取证
    role: unit_staff
    status: handling
    limit: {n: 30, unit: natural_days}
outcomes:
  - id: closed
    name: 结案
    status: completed
actions:
  - id: file
    name: 立案
    start: true
    to: filed
    roles: [unit_staff]
    fields: [basis]
    clock: start
  - id: investigate
    name: 调查
    from: filed
    to: investigating
    roles: [unit_staff]
  - id: close
    name: 结案
    from: investigating
    to: closed
    roles: [unit_staff, leader]
    fields: [opinion]
`

func TestMachine_H1_exOfficioCaseIsFiledByTheBody(t *testing.T) {
	f := mustParse(t, exOfficio)
	if f.Kind != ExOfficio || ids(f.Starts()) != "file" {
		t.Fatalf("flow = %+v", f)
	}
	refused(t, f, "", "file", applicant, Input{"basis": "x"}, apperr.Forbidden, "role")
	m := apply(t, f, "", "file", unitStaff, Input{"basis": "《安全生产法》第六十五条"})
	if m.To != "filed" || !reflect.DeepEqual(m.Clock, []ClockChange{{Kind: calendar.Start}}) {
		t.Errorf("file = %+v", m)
	}
	m = apply(t, f, "investigating", "close", leader, Input{"opinion": "未发现问题"})
	if !m.Terminal || !reflect.DeepEqual(m.Clock, []ClockChange{{Kind: calendar.Finish}}) {
		t.Errorf("close = %+v", m)
	}
}

// TestFlow_H1_placeNameOfStepsAndOutcomes: lists show the flow's name of a
// step or an outcome, in Chinese and English, never its id.
func TestFlow_H1_placeNameOfStepsAndOutcomes(t *testing.T) {
	f := mustShipped(t, "promised")
	s := f.Steps[0]
	if got := f.PlaceName(s.ID); got != s.Name || got.In("zh") == s.ID {
		t.Fatalf("step %s named %+v", s.ID, got)
	}
	o := f.Outcomes[0]
	if got := f.PlaceName(o.ID); got != o.Name {
		t.Fatalf("outcome %s named %+v", o.ID, got)
	}
	if got := f.PlaceName("gone"); got.In("en") != "gone" {
		t.Fatalf("unknown id named %+v", got)
	}
}
