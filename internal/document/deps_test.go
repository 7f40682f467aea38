package document_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps_documentIsPure: documents are rendered without a database:
// no driver, no store, no accounts, no web. Storage calls this package,
// never the other way round.
func TestDeps_documentIsPure(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	out, err := exec.Command(goBin, "list", "-deps", ".", "./ttf").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	n := 0
	for _, dep := range strings.Fields(string(out)) {
		n++
		for _, bad := range []string{"database/", "modernc.org/sqlite", "github.com/jackc/pgx", "qingdan/internal/store", "qingdan/internal/auth", "qingdan/internal/web", "qingdan/internal/api"} {
			if strings.HasPrefix(dep, bad) || strings.Contains(dep, bad) {
				t.Errorf("document reaches %s", dep)
			}
		}
		if strings.Contains(dep, "gozxing") {
			t.Errorf("the QR decoder is for tests only, but document imports %s", dep)
		}
	}
	if n < 10 {
		t.Fatalf("go list gave %d packages: %s", n, out)
	}
}
