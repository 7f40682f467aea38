package flow

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
)

// small is a valid flow used by the tests: each mistake below is one edit
// of it. Line numbers in the tests count from "code: small" as line 1.
const small = `code: small
version: 1
name: 小流程
kind: application
steps:
  - id: received
    name: {zh: 收件, en: Received}
    role: window
    status: submitted
    limit: {n: 1, unit: working_days}
  - id: review
    name: 审查
    role: unit_staff
    status: handling
  - id: survey
    name: 现场勘察
    role: unit_staff
    status: suspended
    special: {kind: site_survey, approver: leader, max: {n: 5, unit: working_days}}
outcomes:
  - id: done
    name: 办结
    status: completed
actions:
  - id: apply
    name: 申请
    start: true
    to: received
    roles: [applicant, window]
  - id: accept
    name: 受理
    from: received
    to: review
    roles: [window]
    guards: [materials_complete]
    clock: start
  - id: pause
    name: 勘察
    from: review
    to: survey
    roles: [leader]
  - id: resume
    name: 勘察意见
    from: survey
    to: review
    roles: [unit_staff]
  - id: decide
    name: 决定
    from: review
    to: done
    roles: [unit_staff]
    fields: [outcome]
    choices: {outcome: [approved, not_approved]}
`

func TestParse_H1_readsEveryPartOfAFlow(t *testing.T) {
	f, err := Parse([]byte(small), testOptions)
	if err != nil {
		t.Fatalf("valid flow refused:%s", listed(err))
	}
	if f.Code != "small" || f.Version != 1 || f.Kind != Application || f.Name != (Text{Zh: "小流程"}) {
		t.Errorf("header: %+v", f)
	}
	want := Step{ID: "received", Name: Text{Zh: "收件", En: "Received"}, Role: "window", Status: Submitted,
		Level: Own, Limit: calendar.Budget{N: 1, Unit: calendar.WorkingDays}}
	if !reflect.DeepEqual(f.Steps[0], want) {
		t.Errorf("step 0 = %+v, want %+v", f.Steps[0], want)
	}
	sp := f.Steps[2].Special
	if sp == nil || *sp != (Special{Kind: SiteSurvey, Approver: "leader", Max: calendar.Budget{N: 5, Unit: calendar.WorkingDays}}) {
		t.Errorf("special = %+v", sp)
	}
	// A single text stands for a list of one; guards are read into their parts.
	accept, _ := f.Action("accept")
	if !reflect.DeepEqual(accept.From, []string{"received"}) || accept.Clock != ClockStart ||
		!reflect.DeepEqual(accept.Guards, []Guard{{Field: "materials_complete", Op: IsTrue}}) {
		t.Errorf("accept = %+v", accept)
	}
	decide, _ := f.Action("decide")
	if !reflect.DeepEqual(decide.Choices, map[string][]string{"outcome": {"approved", "not_approved"}}) {
		t.Errorf("choices = %v", decide.Choices)
	}
	if o, ok := f.Outcome("done"); !ok || o.Status != Completed {
		t.Errorf("outcome = %+v", o)
	}
}

// A mistake: an edit of small and the error it must give.
type mistake struct {
	name     string
	old, new string
	line     int
	path     string
	en       string // part of the English message
}

func TestParse_H1_everyMistakeNamesItsLineAndKey(t *testing.T) {
	checkMistakes(t, []mistake{
		{"unknown key", "    status: handling\n", "    status: handling\n    colour: red\n", 15, "steps[1].colour", `unknown key "colour"`},
		{"wrong type", "version: 1", "version: one", 2, "version", "must be a whole number"},
		{"mapping expected", "    limit: {n: 1, unit: working_days}", "    limit: 1 working day", 10, "steps[0].limit", "must be a mapping"},
		{"duplicate key", "version: 1\n", "version: 1\nversion: 2\n", 3, "version", "appears twice"},
		{"missing required key", "    status: submitted\n", "", 6, "steps[0].status", `missing required key "status"`},
		{"missing role", "    role: unit_staff\n    status: handling\n", "    status: handling\n", 11, "steps[1].role", "missing role"},
		{"empty roles", "    roles: [leader]", "    roles: []", 37, "actions[2].roles", "missing role"},
		{"unknown role", "    role: window\n", "    role: clerk\n", 8, "steps[0].role", `unknown role "clerk"`},
		{"unknown status", "status: handling", "status: busy", 14, "steps[1].status", `public status "busy" is invalid`},
		{"bad unit", "limit: {n: 1, unit: working_days}", "limit: {n: 1, unit: weeks}", 10, "steps[0].limit.unit", `time limit unit "weeks" is invalid`},
		{"non-positive limit", "limit: {n: 1,", "limit: {n: 0,", 10, "steps[0].limit.n", "must be 1–100000, not 0"},
		{"special without approver", "approver: leader, ", "", 19, "steps[2].special.approver", `missing required key "approver"`},
		{"special without maximum", ", max: {n: 5, unit: working_days}", "", 19, "steps[2].special.max", `missing required key "max"`},
		{"unknown special kind", "kind: site_survey", "kind: picnic", 19, "steps[2].special.kind", `special procedure kind "picnic" is invalid`},
		{"unknown check", "    status: handling\n", "    status: handling\n    checks: [{kind: mood, description: x}]\n", 15, "steps[1].checks[0].kind", `supervision check "mood" is invalid`},
		{"bad risk level", "    status: handling\n", "    status: handling\n    risks: [{level: severe, description: a, control: b}]\n", 15, "steps[1].risks[0].level", `risk level "severe" is invalid`},
		{"bad id", "  - id: done", "  - id: Done", 21, "outcomes[0].id", `id "Done" is invalid`},
		{"bad guard", "guards: [materials_complete]", `guards: ["materials complete"]`, 35, "actions[1].guards[0]", `guard "materials complete" is invalid`},
		{"unknown clock effect", "    clock: start", "    clock: tick", 36, "actions[1].clock", `clock effect "tick" is invalid`},
		{"bad version", "version: 1", "version: 0", 2, "version", "the version must be 1–100000"},
		{"blank name", "    name: 审查\n", "    name: \"  \"\n", 12, "steps[1].name", "must not be blank"},
	})
}

// checkMistakes applies each edit to small and checks its error is there:
// at its line, naming its key, bilingual.
func checkMistakes(t *testing.T, cases []mistake) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := strings.Replace(small, c.old, c.new, 1)
			if src == small {
				t.Fatalf("the edit %q does not apply", c.old)
			}
			f, err := Parse([]byte(src), testOptions)
			if f != nil {
				t.Fatal("a flow returned with a mistake")
			}
			l := mistakes(t, err)
			prefix := "line " + strconv.Itoa(c.line) + ", column "
			for _, e := range l {
				if strings.HasPrefix(e.Field, prefix) && strings.HasSuffix(e.Field, ": "+c.path) && strings.Contains(e.Message("en"), c.en) {
					if e.Code != apperr.Invalid || e.Message("zh") == "" || e.Message("zh") == e.Message("en") {
						t.Errorf("not a bilingual Invalid error: %+v", e)
					}
					return
				}
			}
			t.Errorf("no error at line %d for %s saying %q; got:%s", c.line, c.path, c.en, listed(err))
		})
	}
}

func TestParse_H1_errorsNameLineAndColumn(t *testing.T) {
	src := strings.Replace(small, "    role: window\n", "    role: clerk\n", 1)
	_, err := Parse([]byte(src), testOptions)
	l := mistakes(t, err)
	if len(l) != 1 || l[0].Field != "line 8, column 11: steps[0].role" {
		t.Fatalf("got:%s", listed(err))
	}
	if !strings.Contains(l[0].Message("zh"), "未知的岗位“clerk”") {
		t.Errorf("zh: %s", l[0].Message("zh"))
	}
}

func TestParse_H1_everyMistakeOfAFileAtOnceInLineOrder(t *testing.T) {
	src := strings.NewReplacer(
		"    role: window\n", "    role: clerk\n",
		"status: handling", "status: busy",
		"    clock: start", "    clock: tick",
	).Replace(small)
	_, err := Parse([]byte(src), testOptions)
	l := mistakes(t, err)
	var lines []string
	for _, e := range l {
		lines = append(lines, e.Field[:strings.Index(e.Field, ",")])
	}
	if got := strings.Join(lines, " "); got != "line 8 line 14 line 36" {
		t.Errorf("mistakes at %s; want lines 8, 14 and 36:%s", got, listed(err))
	}
}

func TestParse_H1_badFiles(t *testing.T) {
	for _, c := range []struct {
		name, src, field, en string
	}{
		{"empty", "", "line 1, column 1", "the file is empty"},
		{"only comments", "# nothing\n", "line 1, column 1", "the file is empty"},
		{"not a mapping", "- a\n- b\n", "line 1, column 1", "must be a mapping"},
		{"syntax", "code: small\nsteps: [\n", "line 2, column 1", "YAML syntax error"},
		{"two documents", small + "---\ncode: other\n", "line 54, column 1", "one YAML document"},
		{"alias", strings.Replace(small, "roles: [window]", "roles: &r [window]", 1), "line 34, column 12", "anchors and aliases"},
		{"missing keys", "code: x\n", "line 1, column 1: version", `missing required key "version"`},
		{"too large", small + "#" + strings.Repeat("x", MaxSize), "line 1, column 1", "larger than"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.src), testOptions)
			l := mistakes(t, err)
			for _, e := range l {
				if strings.HasPrefix(e.Field, c.field) && strings.Contains(e.Message("en"), c.en) {
					return
				}
			}
			t.Errorf("no error %q at %q; got:%s", c.en, c.field, listed(err))
		})
	}
}

func TestParse_H1_errorsAreBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString(small)
	for range MaxErrors + 20 {
		b.WriteString("x: 1\n") // the same unknown key, many times: duplicates and unknowns
	}
	_, err := Parse([]byte(b.String()), testOptions)
	l := mistakes(t, err)
	if len(l) != MaxErrors+1 || !strings.Contains(l[MaxErrors].Message("en"), "the rest are not listed") {
		t.Fatalf("%d errors, last %v", len(l), l[len(l)-1])
	}
}

func TestParse_H1_JSONIsAccepted(t *testing.T) {
	f := mustParse(t, small)
	g, err := Parse(f.Canonical(), testOptions)
	if err != nil {
		t.Fatalf("canonical JSON refused:%s", listed(err))
	}
	if !reflect.DeepEqual(f, g) {
		t.Error("the flow read from its JSON differs")
	}
}

func mustParse(t testing.TB, src string) *Flow {
	t.Helper()
	f, err := Parse([]byte(src), testOptions)
	if err != nil {
		t.Fatalf("parse:%s", listed(err))
	}
	return f
}
