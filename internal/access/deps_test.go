package access_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps_domainPackagesReachNoDatabase: the pure domain packages reach no
// database driver, no store, no accounts and no web (issue #12 item 8), so
// they are tested without one and any storage can sit under them. Each may
// use, beside the standard library without database/…, only the project's
// and third-party packages listed for it. One go list for all of them, in
// one place: a new pure package adds its row here.
func TestDeps_domainPackagesReachNoDatabase(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	const q = "github.com/qingdan/qingdan/internal/"
	allowed := map[string][]string{
		"access":            {"apperr", "msg"},
		"apperr":            {"msg"},
		"msg":               nil,
		"yamlread":          {"apperr", "msg", "go.yaml.in/yaml/v3"},
		"attach":            {"apperr", "msg"},
		"ident":             {"apperr", "msg"},
		"calendar":          {"apperr", "msg"},
		"catalog":           {"access", "apperr", "msg", "ident"},
		"flow":              {"calendar", "apperr", "msg", "yamlread", "go.yaml.in/yaml/v3"},
		"casework":          {"calendar", "flow", "ident", "apperr", "msg", "yamlread", "go.yaml.in/yaml/v3"},
		"casework/scenario": {"casework", "complaint", "rating", "supervise", "notify", "calendar", "flow", "ident", "apperr", "msg", "yamlread", "go.yaml.in/yaml/v3"},
		"supervise":         {"casework", "calendar", "flow", "ident", "notify", "apperr", "msg", "yamlread", "go.yaml.in/yaml/v3"},
		"document":          {"casework", "calendar", "flow", "ident", "apperr", "msg", "yamlread", "document/ttf", "go.yaml.in/yaml/v3", "github.com/skip2/go-qrcode", "github.com/skip2/go-qrcode/bitset", "github.com/skip2/go-qrcode/reedsolomon", "golang.org/x/net/html", "golang.org/x/net/html/atom"},
		"notify":            {"apperr", "msg"},
		"complaint":         {"casework", "calendar", "flow", "ident", "notify", "apperr", "msg", "yamlread", "go.yaml.in/yaml/v3"},
		"accountability":    {"apperr", "msg"},
		"rating":            {"casework", "calendar", "flow", "ident", "apperr", "msg", "yamlread", "go.yaml.in/yaml/v3"},
	}
	args := []string{"list", "-f", "{{.ImportPath}} {{join .Deps \" \"}}"}
	for p := range allowed {
		args = append(args, "../"+p)
	}
	out, err := exec.Command(goBin, args...).Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	forbidden := []string{"database/", "modernc.org/sqlite", "github.com/jackc/pgx", q + "store", q + "auth", q + "web", q + "api", q + "org"}
	seen := 0
	for line := range strings.Lines(string(out)) {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], q)
		ok, listed := allowed[pkg]
		if !listed {
			t.Fatalf("go list answered for %s", fields[0])
		}
		seen++
		may := map[string]bool{}
		for _, a := range ok {
			may[a] = true
			may[q+a] = true
		}
		for _, dep := range fields[1:] {
			for _, f := range forbidden {
				if strings.HasPrefix(dep, f) {
					t.Errorf("%s reaches %s", pkg, dep)
				}
			}
			first, _, _ := strings.Cut(dep, "/")
			if std := !strings.Contains(first, "."); !std && !may[dep] {
				t.Errorf("%s depends on %s", pkg, dep)
			}
		}
	}
	if seen != len(allowed) {
		t.Fatalf("go list answered for %d of %d packages: %s", seen, len(allowed), out)
	}
}
