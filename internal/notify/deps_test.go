package notify

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps_notifyIsPure: the domain of notification reaches no database and
// no web: of qingdan's packages only apperr, of the rest only the standard
// library (without database/…).
func TestDeps_notifyIsPure(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	out, err := exec.Command(goBin, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	allowed := map[string]bool{
		"github.com/qingdan/qingdan/internal/notify": true,
		"github.com/qingdan/qingdan/internal/apperr": true,
		"github.com/qingdan/qingdan/internal/msg":    true,
	}
	n := 0
	for _, dep := range strings.Fields(string(out)) {
		n++
		first, _, _ := strings.Cut(dep, "/")
		std := !strings.Contains(first, ".")
		if std && strings.HasPrefix(dep, "database/") || !std && !allowed[dep] {
			t.Errorf("notify depends on %s", dep)
		}
	}
	if n < 10 {
		t.Fatalf("go list gave %d packages: %s", n, out)
	}
}
