package casework_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps_caseworkIsPure: casework and its scenario format reach no
// database, no store, no accounts and no web. Of qingdan's packages only
// the pure ones (calendar, flow, ident, apperr, msg); of the rest the standard
// library without database/… and the YAML reader; no database driver.
func TestDeps_caseworkIsPure(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	out, err := exec.Command(goBin, "list", "-deps", ".", "./scenario").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	allowed := map[string]bool{
		"github.com/qingdan/qingdan/internal/casework":          true,
		"github.com/qingdan/qingdan/internal/casework/scenario": true,
		"github.com/qingdan/qingdan/internal/calendar":          true,
		"github.com/qingdan/qingdan/internal/flow":              true,
		"github.com/qingdan/qingdan/internal/ident":             true,
		"github.com/qingdan/qingdan/internal/apperr":            true,
		"github.com/qingdan/qingdan/internal/msg":               true,
		"go.yaml.in/yaml/v3":                                    true,
	}
	drivers := []string{"database/", "modernc.org/sqlite", "github.com/jackc/pgx", "/store", "/auth", "/web"}
	n := 0
	for _, dep := range strings.Fields(string(out)) {
		n++
		first, _, _ := strings.Cut(dep, "/")
		if std := !strings.Contains(first, "."); !std && !allowed[dep] {
			t.Errorf("casework depends on %s", dep)
		}
		for _, d := range drivers {
			if strings.HasPrefix(dep, d) || strings.Contains(dep, "qingdan/internal"+d) {
				t.Errorf("casework reaches %s", dep)
			}
		}
	}
	if n < 10 {
		t.Fatalf("go list gave %d packages: %s", n, out)
	}
}
