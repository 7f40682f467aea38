package supervise

import (
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/casework/caseworktest"
	"github.com/qingdan/qingdan/internal/flow"
)

func (w *world) eventEnv(standing casework.Standing) EventEnv {
	return EventEnv{Flow: w.flows["promised"], Calendar: w.cal, Standing: standing}
}

// cardsOf runs the event rules on e and returns the rules that fired.
func cardsOf(t *testing.T, set Set, c casework.Case, e casework.Event, env EventEnv) []Card {
	t.Helper()
	cards, err := EventCards(set, c, e, env)
	if err != nil {
		t.Fatal(err)
	}
	return cards
}

func rules(cards []Card) string {
	var out []string
	for _, c := range cards {
		out = append(out, c.Rule)
	}
	return strings.Join(out, ",")
}

// A case run by the book on the shipped flow raises no event card.
func TestEvent_S5_aCaseByTheBookRaisesNothing(t *testing.T) {
	w := newWorld(t)
	c, events := w.promisedToReview()
	c, events, _ = w.do(c, events, "2026-03-04T10:00", unit1, casework.Action{ID: "decide", Outcome: "approved", Opinion: "符合条件"})
	c, events, _ = w.do(c, events, "2026-03-04T11:00", unit1, casework.Action{ID: "hand_back"})
	c, events, _ = w.do(c, events, "2026-03-04T14:00", window1, casework.Action{ID: "complete"})
	c, events, _ = w.do(c, events, "2026-03-04T15:00", window1, casework.Action{ID: "notify"})
	for _, e := range events {
		if got := cardsOf(t, defaults(t), c, e, w.eventEnv(casework.Listed)); len(got) > 0 {
			t.Errorf("%s raised %s", e.Action, rules(got))
		}
	}
}

// C4: a case opened under an item the list does not hold at that instant.
func TestEvent_C4_caseUnderASuspendedItem(t *testing.T) {
	w := newWorld(t)
	c, events := w.open("2026-03-02T09:00", "申请书", "身份证复印件")
	for _, st := range []casework.Standing{casework.Suspended, casework.Cancelled, casework.Unlisted} {
		got := cardsOf(t, defaults(t), c, events[0], w.eventEnv(st))
		if rules(got) != "c4.standing" || !got[0].At.Equal(at("2026-03-02T09:00")) || got[0].Level != Red ||
			!strings.Contains(got[0].Detail, string(st)) {
			t.Errorf("%s: %+v", st, got)
		}
	}
	// Later actions under a suspended item are not openings.
	c, events, e := w.do(c, events, "2026-03-02T09:10", window1, casework.Action{ID: "accept"})
	if got := cardsOf(t, defaults(t), c, e, w.eventEnv(casework.Suspended)); rules(got) != "c4.standing" {
		t.Errorf("accept under a suspended item: %s", rules(got))
	}
	_, _, e = w.do(c, events, "2026-03-02T10:00", window1, casework.Action{ID: "hand_over"})
	if got := cardsOf(t, defaults(t), c, e, w.eventEnv(casework.Suspended)); len(got) != 0 {
		t.Errorf("hand_over: %s", rules(got))
	}
}

// H3: the third supplementation round on one matter, not the second.
func TestEvent_H3_thirdSupplementationRound(t *testing.T) {
	w := newWorld(t)
	c, events := w.open("2026-03-02T09:00", "申请书")
	var e casework.Event
	for i, day := range []string{"2026-03-02", "2026-03-03", "2026-03-04"} {
		c, events, e = w.do(c, events, day+"T10:00", window1, casework.Action{ID: "request_supplement", Missing: []string{"身份证复印件"}})
		got := cardsOf(t, defaults(t), c, e, w.eventEnv(casework.Listed))
		if i < 2 && len(got) > 0 || i == 2 && (rules(got) != "h3.third_round" || !got[0].At.Equal(at("2026-03-04T10:00"))) {
			t.Errorf("round %d: %s", i+1, rules(got))
		}
		c, events, _ = w.do(c, events, day+"T15:00", window1, casework.Action{ID: "supplement", Materials: []string{"身份证复印件"}})
	}
	// A region that fires at the second round.
	set := Merge(Defaults(), RuleSet{Region: "330199", Version: 2, Rules: []Rule{{ID: "h3.third_round", Watch: WatchSupplement,
		Level: Red, Rounds: 2, Notify: []Audience{ToSupervision}}}})
	second := events[3] // request_supplement, round 2
	if got := cardsOf(t, set, c, second, w.eventEnv(casework.Listed)); rules(got) != "h3.third_round" || got[0].Level != Red || got[0].RuleRegion != "330199" {
		t.Errorf("override: %+v", got)
	}
}

// H6: a transfer later than one working day after acceptance. Accepted
// Friday 13 February; Saturday 14 February is a make-up working day, so a
// transfer on the 14th is in time and one on Tuesday 24 February is late.
func TestEvent_H6_transferLaterThanOneWorkingDay(t *testing.T) {
	w := newWorld(t)
	c, events := w.open("2026-02-13T09:00", "申请书", "身份证复印件")
	c, events, _ = w.do(c, events, "2026-02-13T09:10", window1, casework.Action{ID: "accept"})
	onTime, _, e := w.do(c, events, "2026-02-14T16:00", window1, casework.Action{ID: "transfer", Unit: casework.Unit{Code: "SCJG", Name: "市场监管所"}})
	if got := cardsOf(t, defaults(t), onTime, e, w.eventEnv(casework.Listed)); len(got) != 0 {
		t.Errorf("in time: %s", rules(got))
	}
	late, _, e := w.do(c, events, "2026-02-24T09:00", window1, casework.Action{ID: "transfer", Unit: casework.Unit{Code: "SCJG", Name: "市场监管所"}})
	env := w.eventEnv(casework.Listed)
	env.Now = at("2026-02-24T09:03") // the consumer's turn came a little later
	got := cardsOf(t, defaults(t), late, e, env)
	if rules(got) != "h6.transfer" || !got[0].At.Equal(at("2026-02-24T09:00")) || !got[0].RaisedAt.Equal(env.Now) || got[0].Person != window1.Staff {
		t.Errorf("late: %+v", got)
	}
}

// S5: an action by someone without the role the flow names (a case that
// reached the platform by another road: casework itself refuses it).
func TestEvent_S5_actionWithoutTheRoleTheFlowNames(t *testing.T) {
	w := newWorld(t)
	c, events := w.promisedToReview()
	e := events[len(events)-1] // receive, by unit_staff
	e.Role = "window"
	got := cardsOf(t, defaults(t), c, e, w.eventEnv(casework.Listed))
	if rules(got) != "flow.role" || !strings.Contains(got[0].Detail, "unit_staff") {
		t.Errorf("%+v", got)
	}
	// The approver of a special procedure may take the pause into it.
	c, _, pause := w.do(c, events, "2026-03-04T09:00", leader1, casework.Action{ID: "pause", Reason: "需现场勘察", Days: 3})
	if got := cardsOf(t, defaults(t), c, pause, w.eventEnv(casework.Listed)); len(got) != 0 {
		t.Errorf("pause by the leader: %s", rules(got))
	}
}

// S5: a move that goes round a mandatory step. A flow whose fast track
// leads from acceptance straight to the review skips the unit's receipt.
func TestEvent_S5_mandatoryStepSkipped(t *testing.T) {
	src, err := flow.ShippedSource("promised")
	if err != nil {
		t.Fatal(err)
	}
	src = append(src, []byte(`  - id: fast_track
    name: {zh: 直接审查, en: Fast track}
    from: accepted
    to: review
    roles: [window]
`)...)
	f, err := flow.Parse(src, caseworktest.FlowOptions)
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld(t)
	c, _ := w.promisedToReview()
	e := casework.Event{Action: "fast_track", At: at("2026-03-02T10:00"), By: window1.Staff, Role: "window", From: "accepted", To: "review"}
	env := EventEnv{Flow: f, Calendar: w.cal, Standing: casework.Listed}
	got := cardsOf(t, defaults(t), c, e, env)
	if rules(got) != "flow.skipped_step" || got[0].Detail != "skipped: unit_receipt" {
		t.Errorf("%+v", got)
	}
	// Every action of the shipped flows, taken as the flow says, skips
	// nothing (refusing and withdrawing end a case early).
	for code, sf := range w.flows {
		for _, a := range sf.Actions {
			for _, from := range a.From {
				if s := skippedSteps(sf, from, a.To); len(s) > 0 {
					t.Errorf("%s: %s from %s skips %v", code, a.ID, from, s)
				}
			}
		}
	}
}

// Switching a rule off down the tree silences it there.
func TestEvent_S5_ruleSwitchedOffBelow(t *testing.T) {
	w := newWorld(t)
	c, events := w.open("2026-03-02T09:00", "申请书", "身份证复印件")
	set := Merge(Defaults(), RuleSet{Region: "330199", Version: 3, Rules: []Rule{{ID: "c4.standing", Off: true}}})
	if got := cardsOf(t, set, c, events[0], w.eventEnv(casework.Suspended)); len(got) != 0 {
		t.Errorf("off: %s", rules(got))
	}
}
