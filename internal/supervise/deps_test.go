package supervise

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps_superviseIsPure: the rules, cards, orders and rectifications,
// and the scenario format that reads a scenario's rules and lists its
// cards, reach no database, no store, no accounts and no web; of
// qingdan's packages only the pure ones, of the rest the standard library
// without database/… and the YAML reader. (Main keeps this check for every
// pure package in internal/access/deps_test.go: on merging, supervise gets
// its row there and this test goes.)
func TestDeps_superviseIsPure(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	out, err := exec.Command(goBin, "list", "-deps", ".", "../casework", "../casework/scenario").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	allowed := map[string]bool{
		"github.com/qingdan/qingdan/internal/supervise":         true,
		"github.com/qingdan/qingdan/internal/casework/scenario": true,
		"github.com/qingdan/qingdan/internal/casework":          true,
		"github.com/qingdan/qingdan/internal/calendar":          true,
		"github.com/qingdan/qingdan/internal/flow":              true,
		"github.com/qingdan/qingdan/internal/ident":             true,
		"github.com/qingdan/qingdan/internal/notify":            true,
		"github.com/qingdan/qingdan/internal/apperr":            true,
		"go.yaml.in/yaml/v3":                                    true,
	}
	drivers := []string{"database/", "modernc.org/sqlite", "github.com/jackc/pgx", "/store", "/auth", "/web"}
	n := 0
	for _, dep := range strings.Fields(string(out)) {
		n++
		first, _, _ := strings.Cut(dep, "/")
		if std := !strings.Contains(first, "."); !std && !allowed[dep] {
			t.Errorf("supervise depends on %s", dep)
		}
		for _, d := range drivers {
			if strings.HasPrefix(dep, d) || strings.Contains(dep, "qingdan/internal"+d) {
				t.Errorf("supervise reaches %s", dep)
			}
		}
	}
	if n < 10 {
		t.Fatalf("go list gave %d packages: %s", n, out)
	}
}
