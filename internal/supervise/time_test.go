package supervise

import (
	"slices"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/casework/caseworktest"
)

// The 2026 Spring Festival in the embedded calendar: Saturday 14 February
// is a make-up working day, 15–23 February are holidays, Saturday 28
// February is a make-up working day. National Day: 1–7 October off,
// Saturday 10 October a make-up working day.

var caseObj = Object{ObjectCase, "330199-2026-000123"}

// A case accepted on Wednesday 11 February 2026 with 5 working days runs
// 12, 13, 14 (the make-up Saturday), 24 and 25 February: its last working
// day is the 25th, after the Spring Festival.
func springCase() Subject {
	return started(caseObj, WatchCase, wd(5), "2026-02-11T10:00", "")
}

func TestTime_L10_caseYellowFromTheLastWorkingDay_acrossSpringFestival(t *testing.T) {
	c := firesAt(t, defaults(t), springCase(), "case.yellow", "2026-02-25T00:00")
	if c.Level != Yellow || c.Watch != WatchCase || c.Object != caseObj || c.RuleVersion != 1 || c.Unit != "ZHZF" {
		t.Errorf("card %+v", c)
	}
}

func TestTime_L10_caseRedFromTheDayAfterTheLimit_acrossSpringFestival(t *testing.T) {
	c := firesAt(t, defaults(t), springCase(), "case.red", "2026-02-26T00:00")
	if c.Level != Red || !c.Tells(ToSupervision) {
		t.Errorf("card %+v", c)
	}
}

// Over a weekend: accepted Thursday 5 March with 2 working days, the limit
// ends Monday 9 March; yellow from Monday 00:00, not Saturday.
func TestTime_L10_caseYellowSkipsTheWeekend(t *testing.T) {
	s := started(caseObj, WatchCase, wd(2), "2026-03-05T15:00", "")
	firesAt(t, defaults(t), s, "case.yellow", "2026-03-09T00:00")
	firesAt(t, defaults(t), s, "case.red", "2026-03-10T00:00")
}

// A make-up working day is the last day: accepted Friday 13 February with
// 1 working day, the limit is Saturday the 14th (a working day), so yellow
// from the 14th 00:00 and red from Sunday the 15th 00:00.
func TestTime_L10_makeUpSaturdayIsTheLastWorkingDay(t *testing.T) {
	s := started(caseObj, WatchCase, wd(1), "2026-02-13T09:00", "")
	firesAt(t, defaults(t), s, "case.yellow", "2026-02-14T00:00")
	firesAt(t, defaults(t), s, "case.red", "2026-02-15T00:00")
}

// A case finished before its last day raises nothing; one finished late
// raises its red card at the rule's instant, cleared at the finish, even
// when no sweep ran in between.
func TestTime_L10_finishedCaseRaisesWhatWasDueBeforeTheFinish(t *testing.T) {
	cal := caseworktest.Calendar(t)
	early := started(caseObj, WatchCase, wd(5), "2026-02-11T10:00", "2026-02-24T16:00")
	r, err := Evaluate(defaults(t), early, cal, at("2026-03-31T00:00"), nil)
	if err != nil || len(r.Raise) != 0 || !r.Next.IsZero() {
		t.Fatalf("finished on time: %+v %v", r, err)
	}
	lateSub := started(caseObj, WatchCase, wd(5), "2026-02-11T10:00", "2026-02-27T11:00")
	r, err = Evaluate(defaults(t), lateSub, cal, at("2026-03-31T00:00"), nil)
	if err != nil || len(r.Raise) != 2 {
		t.Fatalf("finished late: %+v %v", r, err)
	}
	for _, c := range r.Raise {
		if c.Open() || !c.Cleared.Equal(at("2026-02-27T11:00")) {
			t.Errorf("%s not cleared at the finish: %+v", c.Rule, c)
		}
	}
	if r.Raise[1].Rule != "case.red" || !r.Raise[1].At.Equal(at("2026-02-26T00:00")) {
		t.Errorf("red %+v", r.Raise[1])
	}
	// An open card is cleared when the clock finishes.
	open := Card{Key: Key{caseObj, "case.yellow", Yellow}, At: at("2026-02-25T00:00")}
	r, err = Evaluate(defaults(t), early, cal, at("2026-02-24T17:00"), []Card{open})
	if err != nil || len(r.Clear) != 1 || !r.Clear[0].At.Equal(at("2026-02-24T16:00")) {
		t.Errorf("clear: %+v %v", r, err)
	}
}

// A paused clock (special procedure, L4) raises nothing new and has no
// next check until it resumes; what passed before the pause still fires.
func TestTime_L4_pausedClockHasNoNextCheck(t *testing.T) {
	cal := caseworktest.Calendar(t)
	s := started(caseObj, WatchCase, wd(5), "2026-02-11T10:00", "")
	s.Events = append(s.Events, calendar.Event{Kind: calendar.Pause, At: at("2026-02-13T10:00"), Reason: calendar.SpecialProcedure})
	r, err := Evaluate(defaults(t), s, cal, at("2026-03-31T00:00"), nil)
	if err != nil || len(r.Raise) != 0 || !r.Next.IsZero() {
		t.Fatalf("paused: %+v %v", r, err)
	}
	// Resumed on Wednesday 25 February: the pause from the 13th to the 25th
	// adds 14, 24 and 25 February (L4), so the last day moves from the
	// 25th three working days on, to Saturday 28 February (make-up).
	s.Events = append(s.Events, calendar.Event{Kind: calendar.Resume, At: at("2026-02-25T09:00")})
	firesAt(t, defaults(t), s, "case.yellow", "2026-02-28T00:00")
}

// L10: regions may set yellow at a share of the time elapsed instead. A
// 10-working-day limit from Monday 2 March (3–16 March) has 80% used once
// 8 working days have passed: from Friday 13 March 00:00.
func TestTime_L10_yellowAtAShareOfTheBudget(t *testing.T) {
	region := RuleSet{Region: "330100", Version: 4, Rules: []Rule{{ID: "case.yellow", Watch: WatchCase, Level: Yellow,
		When: When{Share: 0.8}, Notify: []Audience{ToResponsible}}}}
	set := Merge(Defaults(), region)
	s := started(caseObj, WatchCase, wd(10), "2026-03-02T09:00", "")
	c := firesAt(t, set, s, "case.yellow", "2026-03-13T00:00")
	if c.RuleRegion != "330100" || c.RuleVersion != 4 {
		t.Errorf("the card records the rule's version: %+v", c)
	}
	firesAt(t, set, s, "case.red", "2026-03-17T00:00")
}

// L10: a step over its own time is an alarm while the case is within its
// limit. A review of 6 working days from Friday 13 February: 14 (make-up
// Saturday), 24, 25, 26, 27 and 28 (make-up Saturday) February.
func TestTime_L10_stepOverItsOwnLimit(t *testing.T) {
	step := Object{ObjectStep, caseObj.ID + "/review/#5"}
	s := started(step, WatchStep, wd(6), "2026-02-13T09:00", "")
	firesAt(t, defaults(t), s, "step.yellow", "2026-02-28T00:00")
	firesAt(t, defaults(t), s, "step.red", "2026-03-01T00:00")
}

// L4: a site survey approved for 3 working days from Friday 13 February
// runs 14, 24 and 25 February; still running on the 26th it is red.
func TestTime_L4_specialProcedureOverItsLength(t *testing.T) {
	sp := Object{ObjectStep, caseObj.ID + "/site_survey/#6"}
	s := started(sp, WatchSpecial, wd(3), "2026-02-13T15:00", "")
	firesAt(t, defaults(t), s, "special.red", "2026-02-26T00:00")
	silent(t, defaults(t), started(sp, WatchSpecial, wd(3), "2026-02-13T15:00", "2026-02-25T17:00"), "special.red", "2026-03-31T00:00")
}

// S4, L10: an order issued Thursday 24 September is answered within 5
// working days: 28, 29, 30 September, 8 and 9 October (National Day
// between). Reminder on the 9th, red from Saturday 10 October 00:00.
func TestTime_S4_orderUnansweredPastItsDeadline(t *testing.T) {
	o := Object{ObjectOrder, "17"}
	s := started(o, WatchOrder, wd(5), "2026-09-24T10:00", "")
	firesAt(t, defaults(t), s, "order.reminder", "2026-10-09T00:00")
	firesAt(t, defaults(t), s, "order.red", "2026-10-10T00:00")
	silent(t, defaults(t), started(o, WatchOrder, wd(5), "2026-09-24T10:00", "2026-10-09T18:00"), "order.red", "2026-12-31T00:00")
}

// L10: red again (escalated) when the order's deadline passes with the
// case still open; not when the case ended before.
func TestTime_L10_redAgainWhenTheOrdersDeadlinePasses(t *testing.T) {
	s := started(caseObj, WatchEscalation, wd(5), "2026-09-24T10:00", "")
	c := firesAt(t, defaults(t), s, "case.escalated", "2026-10-10T00:00")
	if c.Key == (Key{caseObj, "case.red", Red}) || c.Object != caseObj {
		t.Errorf("the escalated card is its own: %+v", c)
	}
	silent(t, defaults(t), started(caseObj, WatchEscalation, wd(5), "2026-09-24T10:00", "2026-09-30T12:00"), "case.escalated", "2026-12-31T00:00")
}

// S8: a rectification item due by Friday 27 February (natural days from
// its creation on Monday 9 February) is red from Saturday 28 February.
func TestTime_S8_rectificationOverdue(t *testing.T) {
	o := Object{ObjectRectification, "5"}
	s := started(o, WatchRectification, calendar.Budget{N: 18, Unit: calendar.NaturalDays}, "2026-02-09T10:00", "")
	firesAt(t, defaults(t), s, "rectification.red", "2026-02-28T00:00")
}

// H5: accepted Friday 13 February, handed over by Saturday 14 February
// (the make-up working day) at the latest; not handed over, red from
// Sunday the 15th 00:00. Handed over on the 14th: nothing.
func TestTime_H5_handOverNotDoneByTheNextWorkingDay(t *testing.T) {
	s := started(caseObj, WatchHandOver, calendar.Budget{}, "2026-02-13T16:00", "")
	firesAt(t, defaults(t), s, "h5.hand_over", "2026-02-15T00:00")
	silent(t, defaults(t), started(caseObj, WatchHandOver, calendar.Budget{}, "2026-02-13T16:00", "2026-02-14T11:00"), "h5.hand_over", "2026-03-31T00:00")
}

// H7: completed Friday 6 March, the applicant is told by Monday 9 March;
// untold, red from Tuesday 10 March 00:00.
func TestTime_H7_applicantNotNotifiedByTheNextWorkingDay(t *testing.T) {
	s := started(caseObj, WatchNotify, calendar.Budget{}, "2026-03-06T16:00", "")
	firesAt(t, defaults(t), s, "h7.notify", "2026-03-10T00:00")
}

// C6: the upper level published on Friday 25 September; the unit reviews
// within 5 working days: 28, 29, 30 September, 8 and 9 October.
func TestTime_C6_upperLevelChangeNotReviewedInFiveWorkingDays(t *testing.T) {
	s := started(Object{ObjectItem, "11410199005100019U0100001000"}, WatchListReview, calendar.Budget{}, "2026-09-25T10:00", "")
	firesAt(t, defaults(t), s, "c6.list_review", "2026-10-10T00:00")
}

// C8: a normative document issued 15 September is published within 20
// days; the 20th day, 5 October, is a holiday, so the limit ends on the
// next working day, 8 October (L11): red from 9 October. A service item
// approved Friday 13 February within 3 days: the 16th is in the Spring
// Festival, so the limit ends Tuesday 24 February: red from the 25th.
func TestTime_C8_publicationLaterThanAllowed(t *testing.T) {
	doc := started(Object{ObjectItem, "doc-1"}, WatchPublication, calendar.Budget{}, "2026-09-15T10:00", "")
	doc.Of = "normative_document"
	firesAt(t, defaults(t), doc, "c8.normative_document", "2026-10-09T00:00")
	silent(t, defaults(t), doc, "c8.service_item", "2026-12-31T00:00")
	svc := started(Object{ObjectItem, "svc-1"}, WatchPublication, calendar.Budget{}, "2026-02-13T10:00", "")
	svc.Of = "service_item"
	firesAt(t, defaults(t), svc, "c8.service_item", "2026-02-25T00:00")
}

// Next check instants follow each other: before yellow, yellow; between,
// red; once both fired, none.
func TestNextCheck_L10_walksThroughTheThresholds(t *testing.T) {
	cal := caseworktest.Calendar(t)
	set, s := defaults(t), springCase()
	next, err := NextCheck(set, s, cal, at("2026-02-12T08:00"), nil)
	if err != nil || !next.Equal(at("2026-02-25T00:00")) {
		t.Fatalf("before: %s %v", next, err)
	}
	yellow := Card{Key: Key{caseObj, "case.yellow", Yellow}}
	next, _ = NextCheck(set, s, cal, at("2026-02-25T08:00"), []Card{yellow})
	if !next.Equal(at("2026-02-26T00:00")) {
		t.Fatalf("between: %s", next)
	}
	red := Card{Key: Key{caseObj, "case.red", Red}}
	next, _ = NextCheck(set, s, cal, at("2026-02-26T08:00"), []Card{yellow, red})
	if !next.IsZero() {
		t.Fatalf("after: %s", next)
	}
}

// The card raised on a case names its responsible unit and person.
func TestCaseSubjects_L10_fromACaseRunOnThePromisedFlow(t *testing.T) {
	w := newWorld(t)
	c, events := w.promisedToReview()
	subs := CaseSubjects(c, events, w.flows["promised"])
	got := map[Watch]int{}
	for _, s := range subs {
		got[s.Watch]++
	}
	// the case; steps received, accepted, unit_receipt, review; the hand-over.
	if got[WatchCase] != 1 || got[WatchStep] != 4 || got[WatchHandOver] != 1 || got[WatchNotify] != 0 {
		t.Fatalf("subjects %v", got)
	}
	for _, s := range subs {
		if s.Watch != WatchCase {
			continue
		}
		// Accepted Monday 2 March 2026 with 10 working days: 3–16 March.
		firesAt(t, defaults(t), s, "case.yellow", "2026-03-16T00:00")
		c := firesAt(t, defaults(t), s, "case.red", "2026-03-17T00:00")
		if c.Person != window1.Staff || c.Unit != "ZHZF" || c.Case != c.Object.ID || c.BodyPath != "/1/" {
			t.Errorf("responsible: %+v", c)
		}
	}
}

// A limit in working hours (an instant item's 2 hours) is not judged by a
// threshold in days; one in hours judges it.
func TestTime_L10_hoursLimitNeedsAnHoursThreshold(t *testing.T) {
	s := started(caseObj, WatchCase, calendar.Budget{N: 2, Unit: calendar.WorkingHours}, "2026-03-02T09:00", "")
	silent(t, defaults(t), s, "case.yellow", "2026-03-02T10:59")
	firesAt(t, defaults(t), s, "case.red", "2026-03-02T11:00")
	set := Merge(Defaults(), RuleSet{Version: 2, Rules: []Rule{{ID: "case.yellow", Watch: WatchCase, Level: Yellow,
		When: When{Before: &calendar.Budget{N: 1, Unit: calendar.Hours}}, Notify: []Audience{ToResponsible}}}})
	firesAt(t, set, s, "case.yellow", "2026-03-02T10:00")
}

// A sweep that wakes exactly at each next check instant raises every card
// at its instant (raised when due, not later), and the same cards as one
// look long after: the next check instant never skips a card.
func TestNextCheck_L10_sweepingAtEachNextCheckMissesNothing(t *testing.T) {
	cal := caseworktest.Calendar(t)
	share := Merge(Defaults(), RuleSet{Version: 2, Rules: []Rule{
		{ID: "case.yellow", Watch: WatchCase, Level: Yellow, When: When{Share: 0.6}, Notify: []Audience{ToUnit}},
		{ID: "case.late3", Watch: WatchCase, Level: Red, When: When{After: &calendar.Budget{N: 3, Unit: calendar.WorkingDays}}, Notify: []Audience{ToUnit}},
		{ID: "case.early", Watch: WatchCase, Level: Reminder, When: When{Before: &calendar.Budget{N: 4, Unit: calendar.NaturalDays}}, Notify: []Audience{ToUnit}}}})
	for name, tc := range map[string]struct {
		set Set
		s   Subject
	}{
		"spring festival":   {defaults(t), springCase()},
		"share and after 3": {share, started(caseObj, WatchCase, wd(10), "2026-02-06T15:00", "")},
		"step":              {defaults(t), started(Object{ObjectStep, "x/review/#5"}, WatchStep, wd(6), "2026-09-24T09:00", "")},
		"order":             {defaults(t), started(Object{ObjectOrder, "1"}, WatchOrder, wd(5), "2026-09-30T17:00", "")},
	} {
		t.Run(name, func(t *testing.T) {
			var fired []Card
			now := tc.s.Events[0].At
			for range 20 {
				r, err := Evaluate(tc.set, tc.s, cal, now, fired)
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range r.Raise {
					if !c.At.Equal(now) {
						t.Errorf("%s raised at %s, due %s", c.Rule, now, c.At)
					}
				}
				fired = append(fired, r.Raise...)
				if r.Next.IsZero() {
					break
				}
				if !r.Next.After(now) {
					t.Fatalf("next check %s not after %s", r.Next, now)
				}
				now = r.Next
			}
			once, err := Evaluate(tc.set, tc.s, cal, at("2026-12-30T00:00"), nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(once.Raise) != len(fired) || len(fired) < 2 {
				t.Fatalf("swept %d cards, one look %d", len(fired), len(once.Raise))
			}
			byInstant := func(a, b Card) int {
				if c := a.At.Compare(b.At); c != 0 {
					return c
				}
				return strings.Compare(a.Rule, b.Rule)
			}
			slices.SortFunc(fired, byInstant)
			slices.SortFunc(once.Raise, byInstant)
			for i := range fired {
				if fired[i].Key != once.Raise[i].Key || !fired[i].At.Equal(once.Raise[i].At) {
					t.Errorf("%d: swept %s at %s, one look %s at %s", i, fired[i].Rule, fired[i].At, once.Raise[i].Rule, once.Raise[i].At)
				}
			}
		})
	}
}
