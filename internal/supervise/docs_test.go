package supervise

import (
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/apperr"
)

func readDoc(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../docs/SUPERVISION.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDocs_everyWatchKeyAndDefaultIsDocumented keeps docs/SUPERVISION.md
// true: every watch, every key of a rule file (asked of the reader, from
// the keys it names for an unknown one), every default rule with its
// watch and level, and the example parses.
func TestDocs_everyWatchKeyAndDefaultIsDocumented(t *testing.T) {
	doc := readDoc(t)
	for _, w := range Watches() {
		if !strings.Contains(doc, "| `"+string(w)+"` |") {
			t.Errorf("watch %s is not in the table", w)
		}
	}
	_, err := Parse([]byte("zz: 1\nversion: 1\nrules:\n  - {zz: 1, id: a, watch: role, level: red, notify: unit}\n"))
	known := regexp.MustCompile(`unknown key "zz" \(known keys: ([^)]*)\)`)
	var list apperr.List
	if !errors.As(err, &list) {
		t.Fatalf("the probe: %v", err)
	}
	levels := 0
	for _, e := range list {
		m := known.FindStringSubmatch(e.Message("en"))
		if m == nil {
			continue
		}
		levels++
		for _, k := range strings.Split(m[1], ", ") {
			if !strings.Contains(doc, "| `"+k+"` |") {
				t.Errorf("key %s is not documented", k)
			}
		}
	}
	if levels != 2 {
		t.Errorf("asked %d levels for their keys, want 2", levels)
	}
	for _, r := range Defaults().Rules {
		row := regexp.MustCompile("(?m)^\\| `" + regexp.QuoteMeta(r.ID) + "` \\| `" + string(r.Watch) + "`[^|]*\\| " + string(r.Level) + " \\|")
		if !row.MatchString(doc) {
			t.Errorf("default %s (%s, %s) is not in the defaults table", r.ID, r.Watch, r.Level)
		}
	}
	_, ex, _ := strings.Cut(doc, "### Example\n\n```yaml\n")
	ex, _, _ = strings.Cut(ex, "```")
	rs, err := Parse([]byte(ex))
	if err != nil || rs.Region != "330100" || len(rs.Rules) != 3 {
		t.Errorf("the example: %+v %v", rs, err)
	}
}
