package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// buildQingdan builds the binary once per test into a temporary directory:
// the command line is tested as administrators run it.
func buildQingdan(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "qingdan")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func runBin(t *testing.T, bin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	// No QINGDAN_* from the developer's shell (a QINGDAN_DB would change
	// what the command reads).
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "QINGDAN_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

func TestCalendarCLI_L11(t *testing.T) {
	bin := buildQingdan(t)
	dir := t.TempDir()
	y2027 := filepath.Join(dir, "2027.json")
	os.WriteFile(y2027, []byte(`{"year":2027,"days":[{"name":"元旦","date":"2027-01-01","isOffDay":true}]}`), 0o644)
	badJSON := filepath.Join(dir, "bad.json")
	os.WriteFile(badJSON, []byte("{\n\"year\": 2027,\n\"days\": [{\"name\":\"x\",\"date\":\"2027-02-30\",\"isOffDay\":true}]\n}\n"), 0o644)
	ics := filepath.Join(dir, "y.ics")
	os.WriteFile(ics, []byte("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20270101\nDTEND;VALUE=DATE:20270102\nSUMMARY:元旦\nEND:VEVENT\nEND:VCALENDAR\n"), 0o644)
	badICS := filepath.Join(dir, "bad.ics")
	os.WriteFile(badICS, []byte("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20270101T090000\nSUMMARY:元旦\nEND:VEVENT\nEND:VCALENDAR\n"), 0o644)

	cases := []struct {
		name   string
		args   []string
		stdout string // exact, when not ""
		errHas string // in stderr, when not ""
		code   int
	}{
		// L11: start day not counted; Sat 14 Feb is a make-up day, 15–23 off.
		{"working days", []string{"calendar", "due", "--from", "2026-02-12", "--working-days", "5"}, "2026-02-26\n", "", 0},
		{"natural days roll to a working day", []string{"calendar", "due", "--from", "2026-09-24", "--natural-days", "7"}, "2026-10-08\n", "", 0},
		{"hours on the clock", []string{"calendar", "due", "--from", "2026-02-12T10:00", "--hours", "50"}, "2026-02-14T12:00\n", "", 0},
		{"hours from a date", []string{"calendar", "due", "--from", "2026-02-12", "--hours", "24"}, "2026-02-13T00:00\n", "", 0},
		{"working hours", []string{"calendar", "due", "--from", "2026-02-12T16:00", "--working-hours", "8"}, "2026-02-13T17:00\n", "", 0},
		{"own business hours", []string{"calendar", "due", "--from", "2026-03-02T11:00", "--working-hours", "2", "--business-hours", "08:30-12:00,14:00-18:00"}, "2026-03-02T15:00\n", "", 0},
		{"is-workday make-up Saturday", []string{"calendar", "is-workday", "2026-02-14"}, "true\n", "", 0},
		{"is-workday holiday", []string{"calendar", "is-workday", "2026-10-02"}, "false\n", "", 0},
		{"check present", []string{"calendar", "check", "2026"}, "", "", 0},
		{"L9 check absent", []string{"calendar", "check", "2031"}, "", "2031", 1},
		{"L9 due past the data", []string{"calendar", "due", "--from", "2026-12-20", "--working-days", "20"}, "", "2027", 1},
		{"year file fills the gap", []string{"calendar", "due", "--year-file", y2027, "--from", "2026-12-31", "--working-days", "1"}, "2027-01-04\n", "", 0},
		{"import json", []string{"calendar", "import", y2027}, "", "", 0},
		{"import ics", []string{"calendar", "import", ics}, "", "", 0},
		{"import bad json names the field", []string{"calendar", "import", badJSON}, "", "days[0].date", 1},
		{"import bad ics names the line", []string{"calendar", "import", badICS}, "", "line 3", 1},
		{"import with db not wired", []string{"calendar", "import", y2027, "--db", "x.db"}, "", "--db", 1},
		// Bad command lines: exit 2, both languages.
		{"no limit", []string{"calendar", "due", "--from", "2026-02-12"}, "", "exactly one limit", 2},
		{"two limits", []string{"calendar", "due", "--from", "2026-02-12", "--working-days", "1", "--hours", "2"}, "", "只给出一个", 2},
		{"bad number", []string{"calendar", "due", "--from", "2026-02-12", "--working-days", "-3"}, "", "whole number", 2},
		{"bad from", []string{"calendar", "due", "--from", "2026-02-30", "--working-days", "3"}, "", "无效", 2},
		{"no from", []string{"calendar", "due", "--working-days", "3"}, "", "--from", 2},
		{"bad date", []string{"calendar", "is-workday", "2026/02/14"}, "", "YYYY-MM-DD", 2},
		{"bad year", []string{"calendar", "check", "twenty"}, "", "invalid year", 2},
		{"unknown subcommand", []string{"calendar", "frobnicate"}, "", "unknown subcommand", 2},
		{"unknown flag", []string{"calendar", "due", "--bogus"}, "", "bogus", 2},
		{"bad zone", []string{"calendar", "is-workday", "--tz", "Mars/Base", "2026-02-14"}, "", "time zone", 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := runBin(t, bin, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, out, errOut)
			}
			if tc.stdout != "" && out != tc.stdout {
				t.Errorf("stdout %q, want %q", out, tc.stdout)
			}
			if tc.errHas != "" && !strings.Contains(errOut, tc.errHas) {
				t.Errorf("stderr %q lacks %q", errOut, tc.errHas)
			}
		})
	}
}
