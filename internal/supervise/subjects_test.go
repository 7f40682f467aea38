package supervise

import (
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/casework"
)

// A case through a site survey that outran its approved 3 working days,
// an extension of the review, and an applicant told two days after
// completion: CaseCards lists every card at its instant, those whose cause
// was fixed cleared.
func TestCaseCards_L4_L10_H7_surveyExtensionAndLateNotice(t *testing.T) {
	w := newWorld(t)
	c, ev := w.promisedToReview() // accepted Monday 2 March, received the 3rd
	c, ev, _ = w.do(c, ev, "2026-03-04T09:00", leader1, casework.Action{ID: "pause", Reason: "需现场勘察", Days: 3})
	c, ev, _ = w.do(c, ev, "2026-03-11T10:00", unit1, casework.Action{ID: "resume", Opinion: "勘察符合要求"})
	c, ev, _ = w.do(c, ev, "2026-03-12T10:00", leader1, casework.Action{ID: "extend", Days: 2, Reason: "需补充审查"})
	c, ev, _ = w.do(c, ev, "2026-03-24T10:00", unit1, casework.Action{ID: "decide", Outcome: "approved", Opinion: "符合条件"})
	c, ev, _ = w.do(c, ev, "2026-03-24T11:00", unit1, casework.Action{ID: "hand_back"})
	c, ev, _ = w.do(c, ev, "2026-03-24T15:00", window1, casework.Action{ID: "complete"})
	c, ev, _ = w.do(c, ev, "2026-03-26T09:00", window1, casework.Action{ID: "notify"})

	cards, err := CaseCards(defaults(t), c, ev, EventEnv{Flow: w.flows["promised"], Calendar: w.cal, Standing: casework.Listed}, at("2026-04-30T00:00"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, cd := range cards {
		s := cd.Rule + "@" + cd.At.Format("01-02T15:04") + "@" + cd.Object.ID[strings.LastIndex(cd.Object.ID, "/")+1:]
		if !cd.Open() {
			s += "/cleared " + cd.Cleared.Format("01-02T15:04")
		}
		got = append(got, s)
	}
	want := []string{
		// The unit's receipt, 1 working day from the hand-over on 2
		// March: yellow from the 3rd 00:00, received at 09:00.
		"step.yellow@03-03T00:00@#3/cleared 03-03T09:00",
		// The survey, approved for 3 working days from Wednesday 4 March
		// (5, 6, 9 March), ran to the 11th.
		"special.red@03-10T00:00@#5/cleared 03-11T10:00",
		// The review after it: 6 working days from the 11th (12, 13, 16,
		// 17, 18, 19 March) plus the 2 of the extension (20, 23 March).
		"step.yellow@03-23T00:00@#6/cleared 03-24T10:00",
		"step.red@03-24T00:00@#6/cleared 03-24T10:00",
		// The notification step (1 working day from completion on the
		// 24th) and H7: the applicant was told on the 26th.
		"step.yellow@03-25T00:00@#10/cleared 03-26T09:00",
		"step.red@03-26T00:00@#10/cleared 03-26T09:00",
		"h7.notify@03-26T00:00@330199-2026-000123/cleared 03-26T09:00",
		// No case card: 10 working days from 2 March, with the survey's
		// pause adding 5, 6, 9, 10 and 11 March (L4) and the extension 2
		// more, the case was due on the 25th and completed on the 24th.
	}
	if due, ok, err := c.Due(w.cal, at("2026-04-30T00:00")); err != nil || !ok || due.String() != "2026-03-25" {
		t.Errorf("the case was due %s (%v %v), want 2026-03-25", due, ok, err)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("cards:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
