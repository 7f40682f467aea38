package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/calendar/caldb"
	"github.com/qingdan/qingdan/internal/store"
	"github.com/qingdan/qingdan/internal/store/storetest"
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
	return runBinLang(t, bin, "en", args...)
}

// runBinLang is runBin with the command line's language pinned to lang
// (QINGDAN_LANG), whatever the developer's locale.
func runBinLang(t *testing.T, bin, lang string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	// No QINGDAN_* from the developer's shell (a QINGDAN_DB would change
	// what the command reads).
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "QINGDAN_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "QINGDAN_LANG="+lang)
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
		{"L9 due past the horizon", []string{"calendar", "due", "--from", "2036-12-20", "--working-days", "20"}, "", "2037", 1},
		{"year file fills the gap", []string{"calendar", "due", "--year-file", y2027, "--from", "2026-12-31", "--working-days", "1"}, "2027-01-04\n", "", 0},
		{"import json", []string{"calendar", "import", y2027}, "", "", 0},
		{"import ics", []string{"calendar", "import", ics}, "", "", 0},
		{"import bad json names the field", []string{"calendar", "import", badJSON}, "", "days[0].date", 1},
		{"import bad ics names the line", []string{"calendar", "import", badICS}, "", "line 3", 1},
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
			// A case expecting Chinese runs in Chinese.
			lang := "en"
			if strings.ContainsFunc(tc.errHas, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
				lang = "zh"
			}
			out, errOut, code := runBinLang(t, bin, lang, tc.args...)
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

// The --db hook: import stores the year as an audited event by "cli", and
// due / is-workday / check read the stored calendar (L9: a new year without a
// new release). A bad file stores nothing. The import opens the store the
// way serve does, with the signing key of --data-dir, so a signed
// checkpoint covering its events exists before any serve runs.
func TestCalendarCLI_L9_storedCalendar(t *testing.T) {
	bin := buildQingdan(t)
	dsns := []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "qingdan.db") }},
		{"postgres", func(t *testing.T) string { return storetest.PostgresDSN(t) }},
	}
	for _, d := range dsns {
		t.Run(d.name, func(t *testing.T) {
			dsn := d.dsn(t)
			dir := t.TempDir()
			y2027 := filepath.Join(dir, "2027.json")
			writeFile(t, y2027, `{"year":2027,"days":[{"name":"元旦","date":"2027-01-01","isOffDay":true}]}`)
			// 2026 corrected: Friday 20 March becomes a holiday.
			y2026 := filepath.Join(dir, "2026-corrected.json")
			writeFile(t, y2026, correctedYear(t, 2026, calendar.Day{Name: "更正", Date: calendar.DateOf(2026, 3, 20), IsOffDay: true}))
			bad := filepath.Join(dir, "2028.json")
			writeFile(t, bad, `{"year":2028,"days":[{"name":"元旦","date":"2028-01-01","isOffDay":maybe}]}`)

			steps := []struct {
				args   []string
				stdout string // exact, when not ""
				has    string // in stdout or stderr, when not ""
				code   int
			}{
				{[]string{"calendar", "check", "2027", "--db", dsn}, "", "2027", 1},
				{[]string{"calendar", "due", "--from", "2026-12-31", "--working-days", "1", "--db", dsn}, "", "2027-01-04 provisional", 0},
				{[]string{"calendar", "import", y2027, "--db", dsn, "--data-dir", dir}, "", "2027: stored", 0},
				{[]string{"calendar", "check", "2027", "--db", dsn}, "", "present", 0},
				{[]string{"calendar", "due", "--from", "2026-12-31", "--working-days", "1", "--db", dsn}, "2027-01-04\n", "", 0},
				{[]string{"calendar", "is-workday", "2027-01-01", "--db", dsn}, "false\n", "", 0},
				{[]string{"calendar", "is-workday", "2026-03-20", "--db", dsn}, "true\n", "", 0},
				{[]string{"calendar", "import", y2026, "--db", dsn, "--data-dir", dir}, "", "replaces present data, 1 days differ", 0},
				{[]string{"calendar", "is-workday", "2026-03-20", "--db", dsn}, "false\n", "", 0},
				{[]string{"calendar", "is-workday", "2026-03-20"}, "true\n", "", 0}, // embedded data unchanged
				{[]string{"calendar", "due", "--from", "2026-03-19", "--working-days", "1", "--db", dsn}, "2026-03-23\n", "", 0},
				{[]string{"calendar", "import", bad, "--db", dsn, "--data-dir", dir}, "", "2028.json", 1},
				{[]string{"calendar", "check", "2028", "--db", dsn}, "", "absent", 1},
			}
			for i, st := range steps {
				out, errOut, code := runBin(t, bin, st.args...)
				if code != st.code {
					t.Fatalf("step %d %q: exit %d, want %d\nstdout: %s\nstderr: %s", i, st.args, code, st.code, out, errOut)
				}
				if st.stdout != "" && out != st.stdout {
					t.Errorf("step %d %q: stdout %q, want %q", i, st.args, out, st.stdout)
				}
				if st.has != "" && !strings.Contains(out+errOut, st.has) {
					t.Errorf("step %d %q: output lacks %q\nstdout: %s\nstderr: %s", i, st.args, st.has, out, errOut)
				}
			}

			// The imports are audited events by "cli" with the row as State,
			// covered by a checkpoint signed with the data directory's key.
			ctx := context.Background()
			db, err := store.Open(ctx, dsn, store.Options{DataDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			head, err := db.Head(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var signed int64
			if err := db.QueryRow(ctx, `SELECT COALESCE(MAX(size), 0) FROM audit_checkpoints`).Scan(&signed); err != nil {
				t.Fatal(err)
			}
			if head.Size == 0 || uint64(signed) != uint64(head.Size) {
				t.Fatalf("newest signed checkpoint covers %d events of %d", signed, head.Size)
			}
			if rep, err := db.Verify(ctx, nil); err != nil || !rep.OK() || rep.Checkpoints < 2 {
				t.Fatalf("verify with the data directory's key: %+v %v", rep, err)
			}
			all, err := db.Events(ctx, store.EventFilter{})
			if err != nil {
				t.Fatal(err)
			}
			var evs []store.Event
			for _, e := range all {
				if e.ObjectType == caldb.ObjectYear {
					evs = append(evs, e)
				}
			}
			if len(evs) != 2 || evs[0].ObjectID != "2027" || evs[1].ObjectID != "2026" {
				t.Fatalf("events %+v, want 2027 then 2026", evs)
			}
			for _, e := range evs {
				if e.Actor != "cli" || len(e.State) == 0 {
					t.Errorf("event %d: actor %q, state %s", e.Seq, e.Actor, e.State)
				}
			}
		})
	}
}

func writeFile(t *testing.T, name, body string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// correctedYear is the embedded year n with one more day, as holiday-cn JSON.
func correctedYear(t *testing.T, n int, d calendar.Day) string {
	t.Helper()
	ys, err := calendar.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	for _, y := range ys {
		if y.Year == n {
			y.Days = append(append([]calendar.Day(nil), y.Days...), d)
			b, err := json.Marshal(y)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
	t.Fatalf("no embedded year %d", n)
	return ""
}

// TestCalendarCLI_L9_provisionalBeforeTheNotice: in December 2026, without
// the 2027 notice, the CLI answers from 2027's statutory holidays and says
// so in both languages, naming the regulation; `check` lists the days it
// counts on; `provisional` prints them as a file that imports.
func TestCalendarCLI_L9_provisionalBeforeTheNotice(t *testing.T) {
	bin := buildQingdan(t)
	dir := t.TempDir()
	type want struct {
		first string   // the first line of stdout, exactly
		has   []string // in stdout or stderr
		code  int
	}
	// Each case in both languages: want is written in Chinese; en swaps
	// the words the command line says (holiday names are data and stay).
	provisional := map[string][]string{
		"zh": {"暂定", "2027 年的国务院放假通知尚未载入", "全国年节及纪念日放假办法（2024 年修订）"},
		"en": {"provisional", "the State Council's notice for 2027 is not loaded", "National Holiday Regulations (2024 revision)"},
	}
	toEn := strings.NewReplacer(" 暂定", " provisional", "缺少节假日数据", "absent",
		"缺少 2027 年的国务院放假通知", "no State Council notice for 2027", "（暂定）", "(provisional)")
	for _, tc := range []struct {
		args []string
		want want
	}{
		// Mon 28 Dec: 29, 30, 31, (1 Jan 元旦), 4, 5.
		{[]string{"calendar", "due", "--from", "2026-12-28", "--working-days", "5"}, want{"2027-01-05 暂定", nil, 0}},
		// 除夕 to 初三 is 5–8 February 2027; the 20 working days run past it.
		{[]string{"calendar", "due", "--from", "2027-01-25", "--working-days", "20"}, want{"2027-02-24 暂定", nil, 0}},
		{[]string{"calendar", "due", "--from", "2027-09-24", "--natural-days", "7"}, want{"2027-10-04 暂定", nil, 0}},
		{[]string{"calendar", "due", "--from", "2026-12-31T16:00", "--working-hours", "8"}, want{"2027-01-04T17:00 暂定", nil, 0}},
		{[]string{"calendar", "due", "--from", "2026-12-31T16:00", "--hours", "48"}, want{"2027-01-02T16:00", []string{}, 0}},
		{[]string{"calendar", "is-workday", "2027-02-08"}, want{"false 暂定", nil, 0}},
		{[]string{"calendar", "is-workday", "2027-02-09"}, want{"true 暂定", nil, 0}},
		{[]string{"calendar", "check", "2027"}, want{"2027: 缺少节假日数据",
			[]string{"2027-02-05 – 2027-02-08 春节", "2027-09-15 中秋节", "缺少 2027 年的国务院放假通知", "（暂定）"}, 1}},
		{[]string{"calendar", "provisional", "1999"}, want{"", []string{"2000–2200"}, 1}},
	} {
		for _, lang := range []string{"zh", "en"} {
			wantFirst, has := tc.want.first, tc.want.has
			if has == nil {
				has = provisional[lang]
			}
			if lang == "en" {
				wantFirst = toEn.Replace(wantFirst)
				en := make([]string, len(has))
				for i, h := range has {
					en[i] = toEn.Replace(h)
				}
				has = en
			}
			out, errOut, code := runBinLang(t, bin, lang, tc.args...)
			first, _, _ := strings.Cut(out, "\n")
			if code != tc.want.code || first != wantFirst {
				t.Errorf("%s %q: exit %d, first line %q; want %d, %q\nstderr: %s", lang, tc.args, code, first, tc.want.code, wantFirst, errOut)
			}
			for _, h := range has {
				if !strings.Contains(out+errOut, h) {
					t.Errorf("%s %q: output lacks %q:\n%s%s", lang, tc.args, h, out, errOut)
				}
			}
			if tc.want.has != nil && len(tc.want.has) == 0 && strings.Contains(out, provisional[lang][0]) {
				t.Errorf("%s %q: hours on the clock said provisional", lang, tc.args)
			}
		}
	}
	out, errOut, code := runBin(t, bin, "calendar", "provisional", "2027")
	var y calendar.Year
	if err := json.Unmarshal([]byte(out), &y); code != 0 || err != nil || y.Year != 2027 || len(y.Days) != 13 {
		t.Fatalf("provisional 2027: exit %d, %v, %+v\n%s", code, err, y, errOut)
	}
	file := filepath.Join(dir, "2027.json")
	writeFile(t, file, out)
	if out, errOut, code := runBin(t, bin, "calendar", "import", file); code != 0 || !strings.Contains(out, "replaces the provisional year") {
		t.Errorf("import of the provisional file: exit %d\n%s%s", code, out, errOut)
	}
	// Given as the year's notice, the same days are no longer provisional.
	if out, _, code := runBin(t, bin, "calendar", "due", "--year-file", file, "--from", "2026-12-28", "--working-days", "5"); code != 0 || out != "2027-01-05\n" {
		t.Errorf("with the year file: exit %d, %q", code, out)
	}
}
