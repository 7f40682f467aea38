package scenario_test

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/qingdan/qingdan/internal/casework/scenario"
)

var fieldLine = regexp.MustCompile(`^line [1-9][0-9]*, column [0-9]+(: |$)`)

// FuzzParse: any input either gives a scenario whose steps are in time
// order within [start, until], each of a known action on a case opened
// before, or gives nil and mistakes that each name a line and say what is
// wrong in both languages. Never a panic.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Add([]byte(full))
	if src, err := os.ReadFile("../../../cmd/qingdan/testdata/complaints.yaml"); err == nil {
		f.Add(src)
	}
	f.Add([]byte("start: 2026-03-02T08:30\nuntil: 2026-03-03T08:30\nsteps: [{at: 2026-03-02T09:00, do: accept_complaint, complaint: c}, {at: 2026-03-02T09:00, do: complain, complaint: c, target: {unit: A, item: B}, ground: 其他, facts: x}]\n"))
	f.Add([]byte("start: 2026-03-02T08:30\nuntil: 2026-03-02T08:30\nsteps: [{at: 2026-03-02T08:30, do: apply, case: a, item: x, applicant: {name: n, id: i}}]\n"))
	f.Add([]byte("steps: [{do: [1], case: {}, at: 1, days: 99999999999999999999}]\n"))
	f.Add([]byte("start: &a x\nuntil: *a\n"))
	f.Add([]byte("{\"start\": null, \"items\": [null, 1, {\"code\": []}]}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := scenario.Parse(data, opt)
		if err != nil {
			if s != nil {
				t.Fatal("a scenario returned with an error")
			}
			for _, e := range mistakes(t, err) {
				if !fieldLine.MatchString(e.Field) || e.Message("zh") == "" || e.Message("en") == "" {
					t.Fatalf("mistake without a line or a message: %+v", e)
				}
			}
			return
		}
		last, opened, filed := s.Start, map[string]bool{}, map[string]bool{}
		for i, st := range s.Steps {
			if st.At.Before(last) || s.Until.Before(st.At) {
				t.Fatalf("step %d at %s out of order or range", i, st.At)
			}
			last = st.At
			if scenario.IsComplaintAction(st.Do) {
				if st.Complaint == "" || !filed[st.Complaint] && st.Do != "complain" {
					t.Fatalf("step %d acts on complaint %q before it is filed", i, st.Complaint)
				}
				filed[st.Complaint] = true
				continue
			}
			if !opened[st.Case] && st.Do != "apply" {
				t.Fatalf("step %d acts on %q before it is applied for", i, st.Case)
			}
			opened[st.Case] = true
		}
		if len(s.Ticks()) < len(s.Steps) {
			t.Fatal("ticks lost steps")
		}
	})
}
