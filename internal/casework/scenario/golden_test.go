package scenario_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.json from the runs")

// TestScenario_doneWhen runs each scenario of testdata — the list:
// an instant case, a promised case whose site survey spans the 2026 Spring
// Festival, three supplementation rounds, deemed acceptance, a refusal
// with and without a reason, a late transfer, a joint case, an extension,
// a suspended item — on the pure core and compares the output with the
// expected one beside it (checked by hand; docs/SCENARIOS.md shows them).
func TestScenario_doneWhen(t *testing.T) {
	files, err := filepath.Glob("testdata/*.yaml")
	if err != nil || len(files) < 9 {
		t.Fatalf("scenarios: %v %v", files, err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".yaml"), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(simulate(t, src), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			want := strings.TrimSuffix(file, ".yaml") + ".json"
			if *update {
				if err := os.WriteFile(want, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			exp, err := os.ReadFile(want)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, exp) {
				t.Errorf("output differs from %s:\n%s", want, got)
			}
		})
	}
}
