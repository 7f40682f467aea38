package supervise

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
)

const goodSet = `region: "330100"
version: 2
rules:
  - id: case.yellow
    watch: case
    level: yellow
    share: 80%
    notify: [responsible]
  - id: h6.transfer
    off: true
  - id: publication.late
    name: {zh: 公开超时, en: Late publication}
    watch: publication
    of: service_item
    level: red
    limit: {n: 2, unit: working_days}
    after: {n: 1, unit: working_days}
    notify: supervision
`

func TestRead_S5_aRuleSet(t *testing.T) {
	rs, err := Parse([]byte(goodSet))
	if err != nil {
		t.Fatal(err)
	}
	if rs.Region != "330100" || rs.Version != 2 || len(rs.Rules) != 3 {
		t.Fatalf("%+v", rs)
	}
	if r := rs.Rules[0]; r.When.Share != 0.8 || r.When.Before != nil || r.Notify[0] != ToResponsible {
		t.Errorf("share rule %+v", r)
	}
	if !rs.Rules[1].Off {
		t.Errorf("off %+v", rs.Rules[1])
	}
	if r := rs.Rules[2]; r.Limit != (calendar.Budget{N: 2, Unit: calendar.WorkingDays}) || r.When.After.N != 1 ||
		r.Name.In("en") != "Late publication" || r.Of != "service_item" || len(r.Notify) != 1 {
		t.Errorf("publication rule %+v", r)
	}
}

// Every mistake is named by line, column and key, in both languages, and
// a file with a mistake gives no rules.
func TestRead_S5_mistakesNamedByLineAndKey(t *testing.T) {
	for _, tc := range []struct{ name, src, field string }{
		{"unknown key", "version: 1\nrules:\n  - id: a\n    watch: case\n    level: red\n    after: {n: 0, unit: working_days}\n    notify: [unit]\n    colour: red\n",
			"line 8, column 5: rules[0].colour"},
		{"unknown level", "version: 1\nrules:\n  - id: a\n    watch: case\n    level: orange\n    after: {n: 0, unit: working_days}\n    notify: [unit]\n",
			"line 5, column 12: rules[0].level"},
		{"bad share", "version: 1\nrules:\n  - id: a\n    watch: case\n    level: yellow\n    share: 1.5\n    notify: [unit]\n",
			"line 6, column 12: rules[0].share"},
		{"negative threshold", "version: 1\nrules:\n  - id: a\n    watch: case\n    level: yellow\n    before: {n: 0, unit: working_days}\n    notify: [unit]\n",
			"line 6, column 17: rules[0].before.n"},
		{"bad unit", "version: 1\nrules:\n  - id: a\n    watch: case\n    level: yellow\n    before: {n: 1, unit: fortnights}\n    notify: [unit]\n",
			"line 6, column 26: rules[0].before.unit"},
		{"id twice", "version: 1\nrules:\n  - id: a\n    watch: standing\n    level: red\n    notify: [unit]\n  - id: a\n    watch: role\n    level: red\n    notify: [unit]\n",
			"line 7, column 5: rules[1].id"},
		{"unknown watch", "version: 1\nrules:\n  - id: a\n    watch: weather\n    level: red\n    notify: [unit]\n",
			"line 4, column 12: rules[0].watch"},
		{"no threshold", "version: 1\nrules:\n  - id: a\n    watch: case\n    level: red\n    notify: [unit]\n",
			"line 3, column 5: rules[0]"},
		{"two thresholds", "version: 1\nrules:\n  - id: a\n    watch: case\n    level: red\n    share: 0.5\n    after: {n: 0, unit: hours}\n    notify: [unit]\n",
			"line 6, column 12: rules[0]"},
		{"limit missing", "version: 1\nrules:\n  - id: a\n    watch: hand_over\n    level: red\n    after: {n: 0, unit: hours}\n    notify: [unit]\n",
			"line 3, column 5: rules[0].limit"},
		{"limit not allowed", "version: 1\nrules:\n  - id: a\n    watch: case\n    level: red\n    limit: {n: 3, unit: hours}\n    after: {n: 0, unit: hours}\n    notify: [unit]\n",
			"line 6, column 12: rules[0].limit"},
		{"limit on an event rule", "version: 1\nrules:\n  - id: a\n    watch: role\n    level: red\n    limit: {n: 1, unit: hours}\n    notify: [unit]\n",
			"line 6, column 12: rules[0].limit"},
		{"threshold on an event rule", "version: 1\nrules:\n  - id: a\n    watch: role\n    level: red\n    after: {n: 0, unit: hours}\n    notify: [unit]\n",
			"line 6, column 12: rules[0]"},
		{"rounds missing", "version: 1\nrules:\n  - id: a\n    watch: supplement_rounds\n    level: red\n    notify: [unit]\n",
			"line 3, column 5: rules[0].rounds"},
		{"unknown audience", "version: 1\nrules:\n  - id: a\n    watch: role\n    level: red\n    notify: [unit, mayor]\n",
			"line 6, column 20: rules[0].notify[1]"},
		{"no audience", "version: 1\nrules:\n  - id: a\n    watch: role\n    level: red\n",
			"line 3, column 5: rules[0].notify"},
		{"off with more", "version: 1\nrules:\n  - id: a\n    off: true\n    level: red\n",
			"line 3, column 5: rules[0].level"},
		{"bad id", "version: 1\nrules:\n  - id: Case Yellow\n    watch: role\n    level: red\n    notify: [unit]\n",
			"line 3, column 9: rules[0].id"},
		{"bad region", "region: 3301\nversion: 1\nrules: []\n", "line 1, column 9: region"},
		{"version missing", "rules: []\n", "line 1, column 1: version"},
		{"not a mapping", "- a\n", "line 1, column 1"},
		{"rules not a list", "version: 1\nrules: {a: 1}\n", "line 2, column 8: rules"},
		{"reminder on an event", "version: 1\nrules:\n  - id: a\n    watch: role\n    level: reminder\n    notify: [unit]\n",
			"line 5, column 12: rules[0].level"},
		{"empty", "", "line 1, column 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs, err := Parse([]byte(tc.src))
			var list apperr.List
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("want an apperr.List, got %v", err)
			}
			if len(rs.Rules) != 0 || rs.Version != 0 {
				t.Errorf("a bad file gave rules: %+v", rs)
			}
			found := false
			for _, e := range list {
				if e.Message("zh") == "" || e.Message("en") == "" || e.Code != apperr.Invalid {
					t.Errorf("not bilingual: %+v", e)
				}
				found = found || e.Field == tc.field
			}
			if !found {
				t.Errorf("want field %q, got %v", tc.field, list)
			}
		})
	}
}

func TestRead_S5_manyMistakesAreCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString("version: 1\nrules:\n")
	for range MaxErrors + 20 {
		b.WriteString("  - id: a\n    watch: role\n    level: red\n    notify: [unit]\n    x: 1\n")
	}
	_, err := Parse([]byte(b.String()))
	var list apperr.List
	if !errors.As(err, &list) || len(list) != MaxErrors+1 {
		t.Fatalf("got %d errors", len(list))
	}
}

// The shipped file reads back to the documented defaults.
func TestRead_L10_defaultsAreTheDocumentedOnes(t *testing.T) {
	set := defaults(t)
	for id, want := range map[string]When{
		"case.yellow": {Before: &calendar.Budget{N: 1, Unit: calendar.WorkingDays}},
		"case.red":    {After: &calendar.Budget{N: 0, Unit: calendar.WorkingDays}},
		"step.yellow": {Before: &calendar.Budget{N: 1, Unit: calendar.WorkingDays}},
	} {
		r, ok := set.Rule(id)
		if !ok {
			t.Fatalf("no %s", id)
		}
		if (r.When.Before == nil) != (want.Before == nil) || r.When.Before != nil && *r.When.Before != *want.Before ||
			(r.When.After == nil) != (want.After == nil) || r.When.After != nil && *r.When.After != *want.After {
			t.Errorf("%s: %+v", id, r.When)
		}
	}
	if r, _ := set.Rule("h3.third_round"); r.Rounds != 3 {
		t.Errorf("H3 round %d", r.Rounds)
	}
}

// A rule set marshalled to JSON is itself a rule file that reads back the
// same, so storage may keep the canonical JSON and the pages show it.
func TestRead_S5_jsonRoundTrip(t *testing.T) {
	for _, src := range [][]byte{defaultsYAML, []byte(goodSet)} {
		rs, err := Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		js, err := json.Marshal(rs)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Parse(js)
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		if !reflect.DeepEqual(rs, back) {
			t.Errorf("round trip changed the set:\n%+v\n%+v", rs, back)
		}
	}
}
