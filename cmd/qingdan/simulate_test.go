package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/supervise/supervisedb"
)

// scenarioDir holds the scenarios and their expected outputs,
// shared with the pure core's golden test: the simulator, running them
// through storage and the case service, must print exactly what the pure
// run gives.
const scenarioDir = "../../internal/casework/scenario/testdata"

// simulateFile runs `qingdan simulate FILE` and returns its stdout.
func simulateFile(t *testing.T, name string) []byte {
	t.Helper()
	var out, errs bytes.Buffer
	if code := run(context.Background(), []string{"simulate", filepath.Join(scenarioDir, name+".yaml")}, &out, &errs); code != 0 {
		t.Fatalf("simulate %s: exit %d: %s", name, code, errs.String())
	}
	return out.Bytes()
}

func testScenario(t *testing.T, name string) {
	t.Helper()
	got := simulateFile(t, name)
	want, err := os.ReadFile(filepath.Join(scenarioDir, name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("qingdan simulate %s.yaml differs from %s.json:\n%s", name, name, got)
	}
}

func TestSimulate_H2_instantCase(t *testing.T) { testScenario(t, "instant") }

func TestSimulate_H5_L4_handOverAndSiteSurveyOverSpringFestival(t *testing.T) {
	testScenario(t, "spring_festival")
}

func TestSimulate_H3_thirdSupplementationRoundFlagged(t *testing.T) {
	testScenario(t, "supplement_rounds")
}

func TestSimulate_L2_deemedAcceptedAfterFiveSilentWorkingDays(t *testing.T) {
	testScenario(t, "deemed")
}

func TestSimulate_H3_refusalWithAndWithoutReason(t *testing.T) { testScenario(t, "refuse") }

func TestSimulate_H6_transferTwoWorkingDaysLate(t *testing.T) { testScenario(t, "transfer_late") }

func TestSimulate_O1_jointCaseReviewedByTheLevelAbove(t *testing.T) { testScenario(t, "joint") }

func TestSimulate_L3_extension(t *testing.T) { testScenario(t, "extension") }

func TestSimulate_C4_suspendedItemRefused(t *testing.T) { testScenario(t, "suspended") }

// TestSimulate_badFile: a scenario with mistakes runs nothing, exits 1 and
// names each mistake by line and key in both languages.
func TestSimulate_badFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(file, []byte("start: 2026-03-02T08:30\nuntil: 2026-03-01T08:30\nsteps: []\nwho: me\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errs bytes.Buffer
	if code := run(context.Background(), []string{"simulate", file}, &out, &errs); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if out.Len() != 0 || !strings.Contains(errs.String(), "line 4") || !strings.Contains(errs.String(), "who") {
		t.Fatalf("stdout %q, stderr %s", out.String(), errs.String())
	}
	if code := run(context.Background(), []string{"simulate"}, &out, &errs); code != 2 {
		t.Fatalf("no file: exit %d, want 2", code)
	}
}

// TestSimulate_C4_demoListStandingAtTheInstant: without items the demo
// list is loaded and catdb.Standing judges each application at its
// instant — a listed item is accepted, one suspended since 2025-12-01 is
// refused (testdata/simulate, checked by hand: 5 working days from Monday
// 2 March end on Monday 9 March).
func TestSimulate_C4_demoListStandingAtTheInstant(t *testing.T) {
	var out, errs bytes.Buffer
	if code := run(context.Background(), []string{"simulate", "testdata/simulate/demo_list.yaml"}, &out, &errs); code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	want, err := os.ReadFile("testdata/simulate/demo_list.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("output differs from demo_list.json:\n%s", out.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"simulate", "-lang", "en", "testdata/simulate/demo_list.yaml"}, &out, &errs); code != 0 ||
		!strings.Contains(out.String(), "is suspended") {
		t.Fatalf("-lang en: exit %d: %s", code, out.String())
	}
}

// TestSimulate_P3_P4_P5_P6_P8_complaints runs the complaint scenario
// (cmd/qingdan/testdata/complaints.yaml): acceptance on the third working
// day flagged late (P4), one investigator and one from the complained unit
// refused (P5), 16 days of extension refused and 10 granted (P6), the
// answer and the review (P8), a repeat of a refused complaint linked (P3).
func TestSimulate_P3_P4_P5_P6_P8_complaints(t *testing.T) {
	var out, errs bytes.Buffer
	if code := run(context.Background(), []string{"simulate", filepath.Join("testdata", "complaints.yaml")}, &out, &errs); code != 0 {
		t.Fatalf("simulate: exit %d: %s", code, errs.String())
	}
	want, err := os.ReadFile(filepath.Join("testdata", "complaints.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("qingdan simulate complaints.yaml differs from complaints.json:\n%s", out.String())
	}
	for _, s := range []string{`"late_acceptance"`, `"调查人员不得少于 2 人"`, "应当回避", `"field": "days"`, `"under_review"`, `"repeat"`, `"due": "2026-04-10"`} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("the run lacks %s", s)
		}
	}
}

// TestSimulate_L8_rateOncePerCompletedCase: a completed case is rated
// once (a second rating refused), an open case not at all, and a bad
// rating's callback is due 15 working days later (testdata/simulate,
// checked by hand: from Monday 2 March, Monday 23 March). A level that is
// not L8's is a reading mistake naming its line.
func TestSimulate_L8_rateOncePerCompletedCase(t *testing.T) {
	var out, errs bytes.Buffer
	if code := run(context.Background(), []string{"simulate", "testdata/simulate/rate.yaml"}, &out, &errs); code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	want, err := os.ReadFile("testdata/simulate/rate.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("output differs from rate.json:\n%s", out.String())
	}
	for _, c := range []string{`"step":5,"code":"conflict","field":"case"`, `"step":7,"code":"conflict"`, `"level":2,"bad":true,"callback_due":"2026-03-23"`} {
		if !strings.Contains(strings.Join(strings.Fields(out.String()), ""), c) {
			t.Errorf("output lacks %s", c)
		}
	}
	file := filepath.Join(t.TempDir(), "bad.yaml")
	src := "start: 2026-03-02T08:30\nuntil: 2026-03-02T18:00\nsteps:\n" +
		"  - {at: 2026-03-02T09:00, as: window1, do: apply, case: a, item: x, applicant: {name: n, id: i}}\n" +
		"  - {at: 2026-03-02T09:10, do: rate, case: a, level: 很好}\n" +
		"  - {at: 2026-03-02T09:20, do: rate, case: a}\n"
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	errs.Reset()
	if code := run(context.Background(), []string{"simulate", file}, &out, &errs); code != 1 ||
		!strings.Contains(errs.String(), "line 5") || !strings.Contains(errs.String(), "steps[1].level") || !strings.Contains(errs.String(), "steps[2].level") {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
}

// TestSimulate_S5_replayOverStoredHistory: `qingdan simulate --replay FROM
// TO --rules FILE` on the demo's database: switching case.red off removes
// the red cards of the period's cases, per unit, and writes nothing; a bad
// file names its mistakes by line and key and replays nothing.
func TestSimulate_S5_replayOverStoredHistory(t *testing.T) {
	var dsn, dir string
	a, srv := demoAppOn(t, "sqlite", func(c *serveConfig) { c.demoCases = 200; dsn, dir = c.db.DSN, c.db.DataDir })
	files := t.TempDir()
	off := filepath.Join(files, "off.yaml")
	if err := os.WriteFile(off, []byte("version: 1\nrules:\n  - id: case.red\n    off: true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	before := count(t, a, `SELECT count(*) FROM events`)
	var out, errs bytes.Buffer
	args := []string{"simulate", "--replay", "2020-01-01", "2030-12-31", "--rules", off, "--db", dsn, "--data-dir", dir}
	if code := run(context.Background(), args, &out, &errs); code != 0 {
		t.Fatalf("replay: exit %d: %s", code, errs.String())
	}
	var r supervisedb.Replay
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("%v: %.300s", err, out.String())
	}
	if r.Cases == 0 || len(r.Removed) == 0 || len(r.Added) != 0 || len(r.Units) == 0 {
		t.Fatalf("replay: %d cases, %d removed, %d added, %d units", r.Cases, len(r.Removed), len(r.Added), len(r.Units))
	}
	for _, c := range r.Removed {
		if c.Rule != "case.red" {
			t.Fatalf("removed a %s card", c.Rule)
		}
	}
	if after := count(t, a, `SELECT count(*) FROM events`); after != before {
		t.Fatalf("the replay wrote %d events", after-before)
	}
	// The same from the dashboard's what-if page, read-only.
	sup := bearer(t, a, "supervisor1")
	before = count(t, a, `SELECT count(*) FROM events`)
	q := url.Values{"from": {"2020-01-01"}, "to": {"2030-12-31"}, "rules": {"version: 1\nrules:\n  - id: case.red\n    off: true\n"}}
	status, page := call(t, srv, "GET", "/supervision/whatif?"+q.Encode(), sup, "")
	if status != http.StatusOK || !strings.Contains(page, "消失的牌") {
		t.Fatalf("what-if page: %d", status)
	}
	q.Set("rules", "version: 1\nrules:\n  - id: case.red\n    level: purple\n")
	if _, page := call(t, srv, "GET", "/supervision/whatif?"+q.Encode(), sup, ""); !strings.Contains(page, "line 4, column 12: rules[0].level") {
		t.Fatal("the what-if page does not name a bad file's mistake by line")
	}
	if after := count(t, a, `SELECT count(*) FROM events`); after != before {
		t.Fatalf("the what-if page wrote %d events", after-before)
	}
	bad := filepath.Join(files, "bad.yaml")
	if err := os.WriteFile(bad, []byte("version: 1\nrules:\n  - id: case.red\n    level: purple\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	errs.Reset()
	args[5] = bad
	if code := run(context.Background(), args, &out, &errs); code == 0 || !strings.Contains(errs.String(), "line 4") || out.Len() != 0 {
		t.Fatalf("a bad file: exit %d, stderr %q, stdout %q", code, errs.String(), out.String())
	}
}
