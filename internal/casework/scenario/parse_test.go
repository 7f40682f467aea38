package scenario_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/casework/caseworktest"
	"github.com/qingdan/qingdan/internal/casework/scenario"
)

const full = `# every key
start: 2026-03-02T08:30
until: 2026-03-20T18:00
body: "330199"
items:
  - code: XK0001
    name: 户外广告设置许可
    category: 行政许可
    kind: promised
    promised_working_days: 10
    statutory_working_days: 20
    flow: promised
    unit: ZHZF
    materials: [申请书, 身份证复印件]
    stars: 4
    standing: listed
steps:
  - at: 2026-03-02T09:00
    as: window1
    do: apply
    case: 广告牌
    item: XK0001
    applicant: {name: 青山广告有限公司, code: 11410199005100019U, phone: "13812345678", address: 青山区人民路88号}
    materials: 申请书
    delivery: post
  - {at: 2026-03-02T09:05, do: request_supplement, case: 广告牌, missing: [身份证复印件]}
  - {at: 2026-03-03T09:00, as: window1, do: supplement, case: 广告牌, materials: [身份证复印件], assisted: true}
  - {at: 2026-03-03T09:10, do: accept, case: 广告牌}
  - {at: 2026-03-03T09:20, do: transfer, case: 广告牌, unit: SCJG}
  - {at: 2026-03-03T10:00, do: hand_over, case: 广告牌}
  - {at: 2026-03-04T09:00, do: receive, case: 广告牌}
  - {at: 2026-03-04T10:00, as: leader, do: pause, case: 广告牌, reason: 勘察, kind: site_survey, days: 5}
  - {at: 2026-03-06T10:00, do: resume, case: 广告牌, opinion: 符合}
  - {at: 2026-03-06T11:00, as: leader1, do: extend, case: 广告牌, days: 3, reason: 复杂}
  - {at: 2026-03-09T10:00, do: decide, case: 广告牌, outcome: approved, opinion: 准予}
  - {at: 2026-03-09T11:00, do: hand_back, case: 广告牌}
  - {at: 2026-03-10T10:00, do: complete, case: 广告牌, certificate: 青广许〔2026〕1号, delivery: window}
  - {at: 2026-03-10T10:00, do: notify, case: 广告牌}
  - {at: 2026-03-11T10:00, do: apply, case: 二号, item: XK0001, applicant: {name: 张三, id: 11010519491231002X}}
  - {at: 2026-03-11T10:05, as: applicant, do: withdraw, case: 二号, reason: 不办了}
  - {at: 2026-03-11T10:10, do: apply, case: 三号, item: XK0001, applicant: {name: 张三, id: 11010519491231002X}}
  - {at: 2026-03-11T10:20, do: refuse, case: 三号, reason: 不符, basis: 第三十二条}
`

var opt = scenario.Options{Categories: caseworktest.Categories}

func TestParse_everyKey(t *testing.T) {
	s, err := scenario.Parse([]byte(full), opt)
	if err != nil {
		t.Fatal(listed(err))
	}
	if s.Start.String() != "2026-03-02T08:30" || s.Until.String() != "2026-03-20T18:00" || s.Body != "330199" {
		t.Errorf("top %+v", s)
	}
	it := s.Items[0]
	if it.Code != "XK0001" || it.Category != "行政许可" || it.Kind != casework.Promised || it.PromisedWorkingDays != 10 ||
		it.StatutoryWorkingDays != 20 || it.Flow != "promised" || it.Unit != "ZHZF" || !slices.Equal(it.Materials, []string{"申请书", "身份证复印件"}) ||
		it.Stars != 4 || it.Standing != casework.Listed || it.Line != 6 {
		t.Errorf("item %+v", it)
	}
	if len(s.Steps) != 18 {
		t.Fatalf("%d steps", len(s.Steps))
	}
	a := s.Steps[0]
	if a.Line != 18 || a.As != "window1" || a.Do != "apply" || a.Case != "广告牌" || a.Item != "XK0001" || a.Delivery != "post" ||
		!slices.Equal(a.Materials, []string{"申请书"}) || a.Applicant == nil || a.Applicant.Code != "11410199005100019U" {
		t.Errorf("apply %+v %+v", a, a.Applicant)
	}
	if p := a.Applicant.Party(); p.Kind != casework.Organisation || p.CreditCode != "11410199005100019U" || p.Address != "青山区人民路88号" {
		t.Errorf("party %+v", p)
	}
	if p := s.Steps[14].Applicant.Party(); p.Kind != casework.Person || p.ResidentID != "11010519491231002X" {
		t.Errorf("a person %+v", p)
	}
	pause := s.Steps[7].Action()
	if pause.ID != "pause" || pause.Kind != "site_survey" || pause.Days != 5 || pause.Reason != "勘察" || s.Steps[7].As != "leader" {
		t.Errorf("pause %+v", pause)
	}
	if act := s.Steps[2].Action(); !act.Assisted || s.Steps[0].Assisted {
		t.Errorf("assisted %+v", act)
	}
	if act := s.Steps[4].Action(); act.Unit.Code != "SCJG" {
		t.Errorf("transfer %+v", act)
	}
	if act := s.Steps[12].Action(); act.Certificate != "青广许〔2026〕1号" || act.Delivery != casework.PickUp {
		t.Errorf("complete %+v", act)
	}
	// An item's defaults.
	s, err = scenario.Parse([]byte(strings.Replace(strings.Replace(full, "    stars: 4\n", "", 1), "    standing: listed\n", "", 1)), opt)
	if err != nil || s.Items[0].Stars != 3 || s.Items[0].Standing != casework.Listed {
		t.Errorf("defaults: %+v %v", s.Items[0], err)
	}
}

func TestParse_JSONIsAccepted(t *testing.T) {
	src := `{"start": "2026-03-02T08:30", "until": "2026-03-02T18:00",
	 "steps": [{"at": "2026-03-02T09:00", "do": "apply", "case": "a", "item": "X1", "applicant": {"name": "张三", "id": "11010519491231002X"}},
	           {"at": "2026-03-02T09:05", "as": "window", "do": "accept", "case": "a"}]}`
	s, err := scenario.Parse([]byte(src), opt)
	if err != nil {
		t.Fatal(listed(err))
	}
	if len(s.Items) != 0 || s.Steps[1].As != "window" || s.Steps[0].Item != "X1" {
		t.Errorf("%+v", s)
	}
}

func TestParse_everyMistakeNamesItsLineAndKey(t *testing.T) {
	base := "start: 2026-03-02T08:30\nuntil: 2026-03-05T18:00\nsteps:\n" +
		"  - {at: 2026-03-02T09:00, do: apply, case: a, item: X1, applicant: {name: 张三, id: 11010519491231002X}}\n"
	for _, tc := range []struct {
		name, src, field, en string
	}{
		{"empty", "", "line 1, column 1", "empty"},
		{"syntax", "start: [\n", "line 1, column 1", "YAML syntax"},
		{"two documents", base + "---\nstart: x\n", "line", "one YAML document"},
		{"aliases", "start: &s 2026-03-02T08:30\nuntil: *s\nsteps: []\n", "line 1", "anchors"},
		{"not a mapping", "- 1\n", "line 1, column 1", "must be a mapping"},
		{"unknown key", base + "complaints: {}\n", "line 5, column 1: complaints", "unknown key \"complaints\" (known keys: start, until, body, items, steps, rules)"},
		{"rules", base + "rules:\n  version: 1\n  rules:\n    - {id: a, watch: role, level: orange, notify: [unit]}\n",
			"line 8, column 35: rules.rules[0].level", "unknown level \"orange\""},
		{"missing start", strings.Replace(base, "start: 2026-03-02T08:30\n", "", 1), "line 1, column 1: start", "missing required key \"start\""},
		{"null until", strings.Replace(base, "until: 2026-03-05T18:00", "until:", 1), "until", "missing required key \"until\""},
		{"bad time", strings.Replace(base, "2026-03-02T08:30", "2026-03-02 08:30", 1), "line 1, column 8: start", "YYYY-MM-DDTHH:MM"},
		{"bad hour", strings.Replace(base, "2026-03-02T08:30", "2026-03-02T24:30", 1), "start", "is invalid"},
		{"until before start", strings.Replace(base, "2026-03-05T18:00", "2026-03-01T18:00", 1), "line 2, column 8: until", "before start"},
		{"body", "body: 3301\n" + base, "line 1, column 7: body", "6, 9 or 12 digits"},
		{"no steps", "start: 2026-03-02T08:30\nuntil: 2026-03-05T18:00\nsteps: []\n", "steps", "at least one step"},
		{"steps not a list", "start: 2026-03-02T08:30\nuntil: 2026-03-05T18:00\nsteps: {}\n", "line 3, column 8: steps", "must be a list"},
		{"unknown do", base + "  - {at: 2026-03-02T10:00, do: approve, case: a}\n", "line 5, column 32: steps[1].do",
			"unknown action \"approve\" (known: apply, accept, request_supplement, supplement, refuse, transfer, hand_over, receive, pause, resume, extend, decide, hand_back, complete, notify, withdraw, complain, accept_complaint, refuse_complaint, assign_investigators, extend_complaint, answer_complaint, request_review, rate)"},
		{"no case", base + "  - {at: 2026-03-02T10:00, do: accept}\n", "line 5, column 5: steps[1].case", "missing required key \"case\""},
		{"key the action does not take", base + "  - {at: 2026-03-02T10:00, do: accept, case: a, reason: x}\n", "line 5, column 49: steps[1].reason",
			"does not take the key \"reason\""},
		{"unknown step key", base + "  - {at: 2026-03-02T10:00, do: accept, case: a, when: x}\n", "steps[1].when", "unknown key \"when\""},
		{"apply without applicant", base + "  - {at: 2026-03-02T10:00, do: apply, case: b, item: X1}\n", "line 5, column 5: steps[1].applicant",
			"needs the key \"applicant\""},
		{"applicant with both", strings.Replace(base, "id: 11010519491231002X", "id: 11010519491231002X, code: 11410199005100019U", 1),
			"steps[0].applicant", "either id"},
		{"applicant with neither", strings.Replace(base, ", id: 11010519491231002X", "", 1), "steps[0].applicant", "either id"},
		{"applicant without a name", strings.Replace(base, "name: 张三, ", "", 1), "steps[0].applicant.name", "missing required key \"name\""},
		{"not applied", base + "  - {at: 2026-03-02T10:00, do: accept, case: b}\n", "line 5, column 5: steps[1].case", "has not been applied for"},
		{"applied twice", base + "  - {at: 2026-03-02T10:00, do: apply, case: a, item: X1, applicant: {name: 李四, id: 11010519491231002X}}\n",
			"steps[1].case", "applied for above already"},
		{"out of order", base + "  - {at: 2026-03-02T08:59, do: accept, case: a}\n", "line 5, column 5: steps[1].at", "time order"},
		{"before start", strings.Replace(base, "at: 2026-03-02T09:00", "at: 2026-03-02T08:00", 1), "steps[0].at", "none before start"},
		{"after until", strings.Replace(base, "at: 2026-03-02T09:00", "at: 2026-03-06T09:00", 1), "steps[0].at", "after until"},
		{"days not a number", base + "  - {at: 2026-03-02T10:00, do: extend, case: a, days: five}\n", "steps[1].days", "whole number"},
		{"days out of range", base + "  - {at: 2026-03-02T10:00, do: extend, case: a, days: 0}\n", "steps[1].days", "must be 1–1000, not 0"},
		{"blank reason", base + "  - {at: 2026-03-02T10:00, do: refuse, case: a, reason: \" \"}\n", "steps[1].reason", "must not be blank"},
		{"repeated material", base + "  - {at: 2026-03-02T10:00, do: supplement, case: a, materials: [x, x]}\n", "steps[1].materials[1]", "appears twice"},
		{"duplicate key", base + "  - {at: 2026-03-02T10:00, do: accept, case: a, case: b}\n", "steps[1].case", "appears twice"},
		{"assisted not a boolean", base + "  - {at: 2026-03-02T10:00, do: supplement, case: a, assisted: yes please}\n", "steps[1].assisted", "true or false"},
		{"unit code", base + "  - {at: 2026-03-02T10:00, do: transfer, case: a, unit: 综合执法}\n", "steps[1].unit", "unit code"},
		{"items not a list", strings.Replace(base, "steps:", "items: x\nsteps:", 1), "items", "must be a list"},
		{"item not declared", strings.Replace(base, "steps:", "items:\n  - {code: X2, name: n, category: 行政许可, kind: instant}\nsteps:", 1),
			"steps[0].item", "not declared"},
		{"item without kind", strings.Replace(base, "steps:", "items:\n  - {code: X1, name: n, category: 行政许可}\nsteps:", 1),
			"items[0].kind", "missing required key \"kind\""},
		{"item kind", strings.Replace(base, "steps:", "items:\n  - {code: X1, name: n, category: 行政许可, kind: quick}\nsteps:", 1),
			"items[0].kind", "\"quick\" is invalid (known: instant, promised)"},
		{"category", strings.Replace(base, "steps:", "items:\n  - {code: X1, name: n, category: licensing, kind: instant}\nsteps:", 1),
			"items[0].category", "\"licensing\" is invalid (known: 行政许可"},
		{"promised without days", strings.Replace(base, "steps:", "items:\n  - {code: X1, name: n, category: 行政许可, kind: promised}\nsteps:", 1),
			"items[0].promised_working_days", "needs promised_working_days"},
		{"instant with days", strings.Replace(base, "steps:", "items:\n  - {code: X1, name: n, category: 行政许可, kind: instant, promised_working_days: 3}\nsteps:", 1),
			"items[0].promised_working_days", "no promised_working_days"},
		{"promise over statute", strings.Replace(base, "steps:",
			"items:\n  - {code: X1, name: n, category: 行政许可, kind: promised, promised_working_days: 30, statutory_working_days: 20}\nsteps:", 1),
			"items[0].promised_working_days", "cannot be longer"},
		{"flow", strings.Replace(base, "steps:", "items:\n  - {code: X1, name: n, category: 行政许可, kind: promised, promised_working_days: 5, flow: fast}\nsteps:", 1),
			"items[0].flow", "known: instant, promised, joint"},
		{"instant on the promised flow", strings.Replace(base, "steps:", "items:\n  - {code: X1, name: n, category: 行政许可, kind: instant, flow: promised}\nsteps:", 1),
			"items[0].flow", "instant flow"},
		{"stars", strings.Replace(base, "steps:", "items:\n  - {code: X1, name: n, category: 行政许可, kind: instant, stars: 6}\nsteps:", 1),
			"items[0].stars", "must be 1–5"},
		{"standing", strings.Replace(base, "steps:", "items:\n  - {code: X1, name: n, category: 行政许可, kind: instant, standing: paused}\nsteps:", 1),
			"items[0].standing", "known: listed, suspended, cancelled, unknown"},
		{"item declared twice", strings.Replace(base, "steps:",
			"items:\n  - {code: X1, name: n, category: 行政许可, kind: instant}\n  - {code: X1, name: m, category: 行政许可, kind: instant}\nsteps:", 1),
			"items[1].code", "declared twice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := scenario.Parse([]byte(tc.src), opt)
			if err == nil || s != nil {
				t.Fatalf("accepted: %+v", s)
			}
			for _, e := range mistakes(t, err) {
				if strings.Contains(e.Field, tc.field) && strings.Contains(e.Message("en"), tc.en) {
					return
				}
			}
			t.Errorf("no mistake at %q saying %q:%s", tc.field, tc.en, listed(err))
		})
	}
}

func TestParse_everyMistakeAtOnce(t *testing.T) {
	src := "start: 2026-03-02T08:30\nuntil: 2026-03-05T18:00\nbogus: 1\nsteps:\n" +
		"  - {at: 2026-03-02T09:00, do: apply, case: a, item: X1}\n" +
		"  - {at: 2026-03-02T10:00, do: approve, case: a}\n" +
		"  - {at: 2026-03-02T11:00, do: accept, case: b}\n"
	l := mistakes(t, mustFail(t, src))
	if len(l) != 4 {
		t.Fatalf("%d mistakes:%s", len(l), listed(l))
	}
	for i := 1; i < len(l); i++ {
		if l[i].Field < l[i-1].Field && strings.HasPrefix(l[i].Field[:7], l[i-1].Field[:7]) {
			t.Errorf("not in file order:%s", listed(l))
		}
	}
	for _, e := range l {
		if e.Code != apperr.Invalid || e.Message("zh") == "" || e.Message("en") == "" || e.Message("zh") == e.Message("en") {
			t.Errorf("mistake %+v", e)
		}
	}
}

func mustFail(t *testing.T, src string) error {
	t.Helper()
	_, err := scenario.Parse([]byte(src), opt)
	if err == nil {
		t.Fatal("accepted")
	}
	return err
}

func mistakes(t testing.TB, err error) apperr.List {
	t.Helper()
	var l apperr.List
	if !errors.As(err, &l) || len(l) == 0 {
		t.Fatalf("want a non-empty apperr.List, got %T %v", err, err)
	}
	return l
}

func listed(err error) string {
	var l apperr.List
	if !errors.As(err, &l) {
		return err.Error()
	}
	var b strings.Builder
	for _, e := range l {
		b.WriteString("\n  " + e.Field + ": " + e.Message("en"))
	}
	return b.String()
}
