package flow

import (
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/calendar"
)

func TestShipped_H1_everyShippedFileIsAValidFlow(t *testing.T) {
	entries, err := fs.ReadDir(shipped, "flows")
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range entries {
		files = append(files, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	if !slices.Equal(slices.Sorted(slices.Values(files)), slices.Sorted(slices.Values(ShippedCodes))) {
		t.Errorf("embedded files %v, ShippedCodes %v", files, ShippedCodes)
	}
	fs, err := Shipped(testOptions)
	if err != nil {
		t.Fatal(listed(err))
	}
	for i, f := range fs {
		if f.Code != ShippedCodes[i] || f.Kind != Application || f.Version != 1 {
			t.Errorf("%s: %s v%d %s", ShippedCodes[i], f.Code, f.Version, f.Kind)
		}
	}
	// Without the caller's roles a shipped flow does not validate: roles
	// are the caller's, not the flow package's.
	if _, err := Shipped(Options{Checks: testOptions.Checks}); err == nil {
		t.Error("shipped flows parsed without any staff role")
	}
}

// clockedLimit sums, in working days, the limits of the steps a case
// passes while its clock runs: from a clock start until its status is done,
// special procedures (not counted, L4) left out. Every step there must have
// a limit in working days.
func clockedLimit(t *testing.T, f *Flow) int {
	t.Helper()
	var seeds []string
	for _, a := range f.Actions {
		if a.Clock == ClockStart {
			seeds = append(seeds, a.To)
		}
	}
	next := map[string][]string{}
	for _, a := range f.Actions {
		for _, from := range a.From {
			next[from] = append(next[from], a.To)
		}
	}
	sum := 0
	for id := range closure(seeds, next) {
		s, ok := f.Step(id)
		if !ok || s.Special != nil || s.Status.Done() {
			continue
		}
		if s.Limit.Unit != calendar.WorkingDays {
			t.Errorf("%s: clocked step %s has limit %v", f.Code, id, s.Limit)
		}
		sum += s.Limit.N
	}
	return sum
}

func TestShipped_L10_stepLimitsFitThePromise(t *testing.T) {
	// promised: for items promising 10 working days or more; joint: 20
	// (the statutory 20 of L3, well within 45 for joint handling).
	for code, promise := range map[string]int{"promised": 10, "joint": 20} {
		f := mustShipped(t, code)
		if got := clockedLimit(t, f); got == 0 || got > promise {
			t.Errorf("%s: clocked steps take %d working days, more than the promised %d", code, got, promise)
		}
	}
	// instant: finished on the spot, within working hours.
	h, _ := mustShipped(t, "instant").Step("handling")
	if h.Limit.Unit != calendar.WorkingHours || h.Limit.N > 4 {
		t.Errorf("instant handling limit %v", h.Limit)
	}
}

func TestShipped_C7_everyStaffStepCarriesSupervisionPoints(t *testing.T) {
	for _, code := range ShippedCodes {
		f := mustShipped(t, code)
		risky := 0
		for _, s := range f.Steps {
			if len(s.Checks) == 0 {
				t.Errorf("%s: step %s has no supervision point", code, s.ID)
			}
			if len(s.Risks) > 0 {
				risky++
			}
			for _, r := range s.Risks {
				if !hasHan(r.Description) || !hasHan(r.Control) {
					t.Errorf("%s: step %s: risk point not in Chinese: %+v", code, s.ID, r)
				}
			}
			for _, c := range s.Checks {
				if !hasHan(c.Description) {
					t.Errorf("%s: step %s: supervision point not in Chinese: %+v", code, s.ID, c)
				}
			}
		}
		if risky < 2 {
			t.Errorf("%s: only %d steps with risk points", code, risky)
		}
	}
}

func hasHan(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r >= 0x4E00 && r <= 0x9FFF }) >= 0
}

func TestShipped_H5_promisedFlowHandsOverWithinOneWorkingDay(t *testing.T) {
	f := mustShipped(t, "promised")
	for _, id := range []string{"accepted", "unit_receipt", "decided", "notifying"} {
		if s, _ := f.Step(id); s.Limit != (calendar.Budget{N: 1, Unit: calendar.WorkingDays}) {
			t.Errorf("%s: limit %v, want 1 working day (H5, H7)", id, s.Limit)
		}
	}
	s, _ := f.Step("site_survey")
	if s.Special == nil || s.Special.Kind != SiteSurvey || s.Special.Approver != "leader" || !s.Optional {
		t.Errorf("site survey = %+v", s)
	}
	for _, a := range []string{"apply", "accept", "request_supplement", "supplement", "refuse", "transfer", "hand_over",
		"receive", "pause", "resume", "extend", "decide", "hand_back", "complete", "notify", "withdraw"} {
		if _, ok := f.Action(a); !ok {
			t.Errorf("the promised flow has no action %s", a)
		}
	}
}

func TestShipped_O1_jointFlowIsReviewedByTheLevelAbove(t *testing.T) {
	f := mustShipped(t, "joint")
	var above []string
	for _, s := range f.Steps {
		if s.Level == Parent {
			above = append(above, s.ID)
		}
	}
	if strings.Join(above, " ") != "upper_receipt upper_review expert_review upper_decided" {
		t.Errorf("steps at the level above: %v", above)
	}
}
