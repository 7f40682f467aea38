package scenario_test

import (
	"encoding/json"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/casework/scenario"
)

// TestDocs_everyKeyAndActionIsDocumented keeps docs/SCENARIOS.md true:
// every key the reader knows — asked of the reader itself, from the keys
// it names when it meets an unknown one at each level — and every action
// is documented there.
func TestDocs_everyKeyAndActionIsDocumented(t *testing.T) {
	doc := readDoc(t)
	probe := "start: 2026-03-02T08:30\nuntil: 2026-03-02T18:00\nzz: 1\nitems: [{zz: 1}]\n" +
		"steps: [{zz: 1, at: 2026-03-02T09:00, do: apply, case: a, item: x, applicant: {zz: 1, name: n, id: i}}]\n"
	known := regexp.MustCompile(`unknown key "zz" \(known keys: ([^)]*)\)`)
	levels := 0
	for _, e := range mistakes(t, mustFail(t, probe)) {
		m := known.FindStringSubmatch(e.Message("en"))
		if m == nil {
			continue
		}
		levels++
		for _, k := range strings.Split(m[1], ", ") {
			if !strings.Contains(doc, "`"+k+"`") {
				t.Errorf("key %s (%s) is not documented", k, e.Field)
			}
		}
	}
	if levels != 4 {
		t.Errorf("asked %d levels for their keys, want 4", levels)
	}
	for _, a := range scenario.Actions() {
		if !strings.Contains(doc, "| `"+a+"` |") {
			t.Errorf("action %s is not documented", a)
		}
	}
}

// TestDocs_workedExamplesAreTheTestScenarios: each worked example is the
// testdata file it names, byte for byte, and its output is what the run
// gives (testdata/*.json, compared as JSON).
func TestDocs_workedExamplesAreTheTestScenarios(t *testing.T) {
	_, examples, ok := strings.Cut(readDoc(t), "## Worked examples")
	if !ok {
		t.Fatal("docs/SCENARIOS.md has no worked examples")
	}
	re := regexp.MustCompile("(?s)`(internal/casework/scenario/testdata/([a-z_]+)\\.yaml)`:\n\n```yaml\n(.*?)```\n\nOutput:\n\n```json\n(.*?)```")
	found := re.FindAllStringSubmatch(examples, -1)
	if len(found) < 9 {
		t.Fatalf("%d worked examples", len(found))
	}
	for _, m := range found {
		src, err := os.ReadFile("testdata/" + m[2] + ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		if string(src) != m[3] {
			t.Errorf("the example %s is not its file", m[1])
		}
		want, err := os.ReadFile("testdata/" + m[2] + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var a, b any
		if err := json.Unmarshal([]byte(m[4]), &a); err != nil {
			t.Fatalf("%s: the output shown is not JSON: %v", m[2], err)
		}
		if err := json.Unmarshal(want, &b); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("the output shown for %s is not the run's", m[2])
		}
	}
}

func readDoc(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../../docs/SCENARIOS.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
