package scenario_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/casework/caseworktest"
	"github.com/qingdan/qingdan/internal/casework/scenario"
)

func TestTicks_jobsAtEveryMidnightAndUntil_stepsAfterTheJobsOfTheirInstant(t *testing.T) {
	src := "start: 2026-03-02T08:30\nuntil: 2026-03-04T12:00\nsteps:\n" +
		"  - {at: 2026-03-02T09:00, do: apply, case: a, item: X1, applicant: {name: 张三, id: 11010519491231002X}}\n" +
		"  - {at: 2026-03-03T00:00, do: accept, case: a}\n"
	s, err := scenario.Parse([]byte(src), opt)
	if err != nil {
		t.Fatal(listed(err))
	}
	var got []string
	for _, tk := range s.Ticks() {
		what := "jobs"
		if tk.Step >= 0 {
			what = s.Steps[tk.Step].Do
		}
		got = append(got, tk.At.String()+" "+what)
	}
	want := []string{"2026-03-02T09:00 apply", "2026-03-03T00:00 jobs", "2026-03-03T00:00 accept", "2026-03-04T00:00 jobs", "2026-03-04T12:00 jobs"}
	if len(got) != len(want) {
		t.Fatalf("ticks %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("tick %d: %s, want %s", i, got[i], want[i])
		}
	}
}

func TestTime_localDateTimeInTheBodysZone(t *testing.T) {
	tm, ok := scenario.ParseTime("2026-02-14T23:59")
	if !ok || tm.String() != "2026-02-14T23:59" {
		t.Fatalf("%v %v", tm, ok)
	}
	urumqi := time.FixedZone("XJT", 6*3600)
	if got := tm.In(urumqi); !got.Equal(time.Date(2026, 2, 14, 23, 59, 0, 0, urumqi)) || scenario.TimeOf(got) != tm {
		t.Errorf("in Urumqi: %v", got)
	}
	for _, bad := range []string{"2026-02-14 23:59", "2026-02-14T24:00", "2026-02-30T10:00", "2026-02-14T9:00", "2026-02-14T09:00Z",
		"2026-02-14T-1:00", "2026-02-14T09:+1"} {
		if _, ok := scenario.ParseTime(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestOutput_theIssuesShape(t *testing.T) {
	r, err := scenario.Result("a", casework.Case{Number: "330199-2026-000001", Item: casework.Item{Code: "X1"}, Status: "submitted", Step: "received",
		ClockSpec: calendar.LicensingDecision}, nil, caseworktest.Calendar(t), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	out := scenario.Output{Cases: []scenario.CaseResult{r}, Errors: []scenario.StepError{
		scenario.ErrorOf(2, apperr.Invalidf("reason", "scenario.a_reason_is_required"), "en"),
		scenario.ErrorOf(3, scenario.NotOpened("b"), "zh"), scenario.ErrorOf(4, scenario.NoStaff("青山区", "supervisor"), "en")}}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"cases":[{"case":"a","number":"330199-2026-000001","item":"X1","status":"submitted","step":"received","accepted_on":null,` +
		`"due":null,"flags":[],"events":[],"cards":[]}],"errors":[{"step":2,"code":"invalid","field":"reason","message":"a reason is required"},` +
		`{"step":3,"code":"not_found","field":"case","message":"办件“b”未能申请"},` +
		`{"step":4,"code":"invalid","field":"as","message":"青山区 has no staff member with the role supervisor who may act"}]}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
}
