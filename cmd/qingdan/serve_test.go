package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"io"
	"math"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/gctune"
)

// startServe runs `qingdan serve` on a free port over a database in dir and
// returns its base URL and the process; stdout is collected into out.
func startServe(t *testing.T, bin, dir string, out *strings.Builder) (string, *exec.Cmd) {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(dir, "q.db"),
		"--data-dir", dir, "--log-format", "json")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "QINGDAN_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		re := regexp.MustCompile(`serving (http://\S+)`)
		for sc.Scan() {
			out.WriteString(sc.Text() + "\n")
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	select {
	case a := <-addr:
		return a, cmd
	case <-time.After(90 * time.Second):
		t.Fatalf("serve did not start; stdout:\n%s", out.String())
		return "", nil
	}
}

// TestServe_demoLoginAndGracefulShutdown runs the binary as `make run` does:
// a fresh data directory is migrated and given the demo, the printed demo
// account logs in, and SIGTERM stops the server cleanly. A second start on
// the same database keeps the data and does not load the demo again.
func TestServe_demoLoginAndGracefulShutdown(t *testing.T) {
	bin := buildQingdan(t)
	dir := t.TempDir()
	var out strings.Builder
	base, cmd := startServe(t, bin, dir, &out)
	// stdout is read concurrently; wait for the demo accounts to be printed.
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "admin") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(out.String(), "demo accounts") || !strings.Contains(out.String(), "admin") {
		t.Fatalf("demo accounts not printed:\n%s", out.String())
	}
	for _, path := range []string{"/healthz", "/readyz", "/", "/transparency", "/api/v1/openapi.json", "/api/v1/audit/checkpoint"} {
		res, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Errorf("GET %s: %d", path, res.StatusCode)
		}
	}

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	req, _ := http.NewRequest("POST", base+"/login", strings.NewReader(url.Values{"login": {"admin"}, "password": {"qingdan-demo"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base) // a modern browser's same-origin POST
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	res, err = client.Get(base + "/api/v1/whoami")
	if err != nil {
		t.Fatal(err)
	}
	var who struct {
		Login string   `json:"login"`
		Roles []string `json:"roles"`
	}
	json.NewDecoder(res.Body).Decode(&who)
	res.Body.Close()
	if res.StatusCode != 200 || who.Login != "admin" || len(who.Roles) == 0 || who.Roles[0] != "admin" {
		t.Fatalf("whoami after demo login: %d %+v", res.StatusCode, who)
	}

	// Feature pages built outside the web package are wired and render in
	// the site layout, with their navigation entries.
	for _, path := range []string{"/admin/org", "/admin/calendar"} {
		res, err := client.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(string(body), `<header class="site">`) ||
			!strings.Contains(string(body), `href="/admin/org"`) || !strings.Contains(string(body), `href="/admin/calendar"`) {
			t.Errorf("GET %s as admin: %d, layout or navigation missing", path, res.StatusCode)
		}
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve exited with %v after SIGTERM", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop after SIGTERM")
	}

	var out2 strings.Builder
	base2, _ := startServe(t, bin, dir, &out2)
	time.Sleep(200 * time.Millisecond)
	if strings.Contains(out2.String(), "demo accounts") {
		t.Errorf("second start loaded the demo again:\n%s", out2.String())
	}
	res, err = http.Get(base2 + "/readyz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("second start not ready: %v", err)
	}
	res.Body.Close()
}

// TestServe_helpListsEveryFlagWithItsEnvironmentVariable: `serve -h` is the
// configuration reference.
func TestServe_helpListsEveryFlagWithItsEnvironmentVariable(t *testing.T) {
	bin := buildQingdan(t)
	_, stderr, code := runBin(t, bin, "serve", "-h")
	if code != 0 {
		t.Fatalf("serve -h exit %d", code)
	}
	for _, want := range []string{"--addr", "QINGDAN_ADDR", "--db", "QINGDAN_DB", "--data-dir", "QINGDAN_DATA_DIR",
		"--log-format", "QINGDAN_LOG_FORMAT", "--session-idle", "QINGDAN_SESSION_IDLE", "--lockout-failures",
		"QINGDAN_LOCKOUT_FAILURES", "--demo", "QINGDAN_DEMO", "--tls-cert", "--secure-cookies", "--gc-percent", "QINGDAN_GC_PERCENT",
		"--memory-limit-mb", "QINGDAN_MEMORY_LIMIT_MB", "--page-memory-mb", "QINGDAN_PAGE_MEMORY_MB"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("serve -h lacks %s:\n%s", want, stderr)
		}
	}
	// Bad configuration is refused with a bilingual message and exit 2.
	_, stderr, code = runBin(t, bin, "serve", "--session-idle", "0s")
	if code != 2 || !strings.Contains(stderr, "session-idle") {
		t.Errorf("bad --session-idle: exit %d, %s", code, stderr)
	}
	for _, bad := range [][]string{{"--gc-percent", "5"}, {"--memory-limit-mb", "10"}, {"--page-memory-mb", "-1"},
		{"--memory-limit-mb", "512", "--page-memory-mb", "300"}} {
		_, stderr, code = runBin(t, bin, append([]string{"serve"}, bad...)...)
		if code != 2 || !strings.Contains(stderr, bad[len(bad)-2]) || !strings.Contains(stderr, "must") {
			t.Errorf("bad %s: exit %d, %s", bad, code, stderr)
		}
	}
}

// TestServe_runsGosCollectorByDefault: without --gc-percent,
// --memory-limit-mb or their variables, serve leaves Go's collector as the
// runtime set it (GOGC=100 and no limit here), and says so.
func TestServe_runsGosCollectorByDefault(t *testing.T) {
	for _, v := range []string{"GOGC", "GOMEMLIMIT", "QINGDAN_GC_PERCENT", "QINGDAN_MEMORY_LIMIT_MB", "QINGDAN_PAGE_MEMORY_MB"} {
		t.Setenv(v, "") // restored after the test
		os.Unsetenv(v)
	}
	percent, limit := debug.SetGCPercent(100), debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() { debug.SetGCPercent(percent); debug.SetMemoryLimit(limit) })
	fs := flag.NewFlagSet("qingdan serve", flag.ContinueOnError)
	cfg := serveFlags(fs)
	if err := parseFlags(fs, nil, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := cfg.check(); err != nil {
		t.Fatalf("the defaults are refused: %v", err)
	}
	gc := gctune.Apply(cfg.gcPercent, cfg.memoryLimitMB)
	if gc.Percent != 100 || gc.LimitBytes != math.MaxInt64 {
		t.Errorf("serve's defaults set GOGC %d and a limit of %d MiB, want Go's 100 and none", gc.Percent, gc.LimitBytes>>20)
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GOGC is %d", got)
	}
	// A flag is still obeyed.
	fs = flag.NewFlagSet("qingdan serve", flag.ContinueOnError)
	cfg = serveFlags(fs)
	if err := parseFlags(fs, []string{"--gc-percent", "400", "--memory-limit-mb", "2048"}, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := cfg.check(); err != nil {
		t.Fatal(err)
	}
	if gc := gctune.Apply(cfg.gcPercent, cfg.memoryLimitMB); gc.Percent != 400 || gc.LimitBytes != 2048<<20 {
		t.Errorf("flags gave %+v, want 400 and 2048 MiB", gc)
	}
}
