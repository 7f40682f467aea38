package supervise

import (
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/casework/caseworktest"
)

// at reads "2006-01-02T15:04" in the body's zone (Shanghai).
func at(s string) time.Time {
	v, err := time.ParseInLocation("2006-01-02T15:04", s, calendar.DefaultLocation)
	if err != nil {
		panic(err)
	}
	return v
}

func defaults(t testing.TB) Set {
	t.Helper()
	rs, err := Parse(defaultsYAML)
	if err != nil {
		t.Fatal(err)
	}
	return Merge(rs)
}

// started is a subject started at start (and finished at end unless "").
func started(o Object, w Watch, limit calendar.Budget, start, end string) Subject {
	s := Subject{Object: o, Watch: w, Spec: calendar.Spec{Statutory: limit}, BodyPath: "/1/", Unit: "ZHZF",
		Events: []calendar.Event{{Kind: calendar.Start, At: at(start)}}}
	if end != "" {
		s.Events = append(s.Events, calendar.Event{Kind: calendar.Finish, At: at(end)})
	}
	return s
}

func wd(n int) calendar.Budget { return calendar.Budget{N: n, Unit: calendar.WorkingDays} }

// firesAt checks that rule raises its card on s at want and not a minute
// before: a minute before, no card of the rule and the next check instant
// is want; at want, the card with At want; three days later (a sweep that
// did not run), the same instant with the raising time beside it; and
// with the card in the ledger, it does not fire again.
func firesAt(t *testing.T, set Set, s Subject, rule, want string) Card {
	t.Helper()
	cal := caseworktest.Calendar(t)
	w := at(want)
	before, err := Evaluate(set, s, cal, w.Add(-time.Minute), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range before.Raise {
		if c.Rule == rule {
			t.Fatalf("%s fired at %s, a minute before %s", rule, c.At.Format(time.DateTime), want)
		}
	}
	if !before.Next.Equal(w) {
		t.Errorf("%s: next check a minute before is %s, want %s", rule, before.Next.Format(time.DateTime), want)
	}
	find := func(r Result) (Card, bool) {
		for _, c := range r.Raise {
			if c.Rule == rule {
				return c, true
			}
		}
		return Card{}, false
	}
	on, err := Evaluate(set, s, cal, w, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, ok := find(on)
	if !ok || !c.At.Equal(w) {
		t.Fatalf("%s at %s: got %+v", rule, want, on.Raise)
	}
	late := w.Add(72 * time.Hour)
	lr, err := Evaluate(set, s, cal, late, nil)
	if err != nil {
		t.Fatal(err)
	}
	if lc, ok := find(lr); !ok || !lc.At.Equal(w) || !lc.RaisedAt.Equal(late) {
		t.Errorf("%s evaluated late: got %+v, want the card at %s raised at %s", rule, lc, want, late)
	}
	again, err := Evaluate(set, s, cal, late, []Card{c})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := find(again); ok {
		t.Errorf("%s fired twice", rule)
	}
	return c
}

// silent checks that rule never fires on s up to until.
func silent(t *testing.T, set Set, s Subject, rule, until string) {
	t.Helper()
	r, err := Evaluate(set, s, caseworktest.Calendar(t), at(until), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range r.Raise {
		if c.Rule == rule {
			t.Errorf("%s fired at %s", rule, c.At.Format(time.DateTime))
		}
	}
}
