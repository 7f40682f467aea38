package supervise

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestPure_noDatabaseUnderSupervision: supervise, and the scenario format
// that reads a scenario's rules and lists its cards, use of qingdan only
// the pure packages named below and of the rest the standard library
// (without database/…) and the YAML reader, so the sweep's and the
// simulator's judgement is tested without storage. On main this check
// lives for every pure package in internal/access/deps_test.go; merged,
// supervise takes a row there and this test goes.
func TestPure_noDatabaseUnderSupervision(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	const own = "github.com/qingdan/qingdan/internal/"
	pure := []string{"supervise", "casework", "casework/scenario", "calendar", "flow", "ident", "notify", "apperr"}
	out, err := exec.Command(goBin, "list", "-f", `{{join .Deps "\n"}}`, ".", "../casework/scenario").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 20 {
		t.Fatalf("go list named %d dependencies", len(deps))
	}
	for _, dep := range deps {
		switch {
		case strings.HasPrefix(dep, "database/"):
			t.Errorf("reaches %s", dep)
		case strings.HasPrefix(dep, own):
			if !slices.Contains(pure, strings.TrimPrefix(dep, own)) {
				t.Errorf("uses %s, which is not pure", dep)
			}
		case strings.Contains(strings.SplitN(dep, "/", 2)[0], ".") && dep != "go.yaml.in/yaml/v3":
			t.Errorf("uses the third-party %s", dep)
		}
	}
}
