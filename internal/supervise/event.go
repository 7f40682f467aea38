package supervise

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/flow"
)

// EventEnv is what a committed case event is judged against besides the
// case: the flow version the case runs on, the body's calendar, and the
// item's standing on the list at the event's instant (C4, catalog's
// Standing, which the consumer looks up), and when it is judged (the
// cards' raising time; zero: the event's instant).
type EventEnv struct {
	Flow     *flow.Flow
	Calendar *calendar.Calendar
	Standing casework.Standing
	Now      time.Time
}

// EventCards are the cards the event rules in force raise on a committed
// event e of case c (c as it stands after e). Each card's instant is the
// event's. The consumer of committed events calls it once per event and
// raises through the ledger, so a card fires once.
func EventCards(set Set, c casework.Case, e casework.Event, env EventEnv) ([]Card, error) {
	var out []Card
	for _, r := range set {
		if r.Watch.IsTime() {
			continue
		}
		detail, hit, err := judge(r.Rule, c, e, env)
		if err != nil {
			return nil, fmt.Errorf("supervise: case %s, rule %s: %w", c.Number, r.ID, err)
		}
		if !hit {
			continue
		}
		card := Card{Key: Key{Object: Object{ObjectCase, c.Number}, Rule: r.ID, Level: r.Level},
			RuleRegion: r.Region, RuleVersion: r.Version, Name: r.Name, Watch: r.Watch, At: e.At, RaisedAt: cmp.Or(env.Now, e.At),
			BodyPath: c.Body.Path, Case: c.Number, Unit: c.Unit.Code, Person: e.By, Detail: detail,
			Notify: slices.Clone(r.Notify)}
		if e.By.IsZero() || e.By == casework.System {
			card.Person = c.FirstResponder
		}
		out = append(out, card)
	}
	return out, nil
}

// judge reports whether event rule r fires on e, and what broke it.
func judge(r Rule, c casework.Case, e casework.Event, env EventEnv) (string, bool, error) {
	f := env.Flow
	switch r.Watch {
	case WatchStanding:
		// C4: opening or accepting a case under an item the list does not
		// hold at that instant (casework refuses both; a case that came
		// in by another road still shows).
		opens := e.From == "" || e.Action == actionAccept || e.Action == casework.DeemAction
		if opens && env.Standing != casework.Listed {
			return "standing: " + string(env.Standing), true, nil
		}
	case WatchSupplement:
		// H3: the Rounds-th notice on one matter (Round counts them).
		if e.Round >= r.Rounds {
			return fmt.Sprintf("round %d", e.Round), true, nil
		}
	case WatchTransfer:
		// H6: a transfer (the event names the new unit) later than the
		// limit after the day of acceptance.
		if e.Unit == nil || c.AcceptedAt.IsZero() {
			return "", false, nil
		}
		last, err := lastDay(env.Calendar, env.Calendar.Date(c.AcceptedAt), r.Limit)
		if err != nil {
			return "", false, err
		}
		if env.Calendar.Date(e.At) > last {
			return "transferred on " + env.Calendar.Date(e.At).String() + ", due by " + last.String(), true, nil
		}
	case WatchRole:
		if e.Action == casework.DeemAction || e.By == casework.System {
			return "", false, nil
		}
		a, ok := actionOf(f, e.Action)
		if !ok {
			return "action " + e.Action + " is not in the flow", true, nil
		}
		allowed := slices.Clone(a.Roles)
		if st, ok := stepOf(f, a.To); ok && st.Special != nil {
			allowed = append(allowed, st.Special.Approver)
		}
		if !slices.Contains(allowed, e.Role) {
			return fmt.Sprintf("role %q, the flow names %s", e.Role, strings.Join(allowed, ", ")), true, nil
		}
	case WatchSkipped:
		if skipped := skippedSteps(f, e.From, e.To); len(skipped) > 0 {
			return "skipped: " + strings.Join(skipped, ", "), true, nil
		}
	}
	return "", false, nil
}

// lastDay is the last day of a limit counted from day (L11: the day
// itself not counted).
func lastDay(cal *calendar.Calendar, day calendar.Date, b calendar.Budget) (calendar.Date, error) {
	switch b.Unit {
	case calendar.NaturalDays:
		return cal.OnOrAfter(day.AddDays(b.N))
	case calendar.Hours:
		return day.AddDays((b.N + 23) / 24), nil
	}
	return cal.AddWorkingDays(day, b.N)
}

// skippedSteps are the mandatory steps a move from one step to another
// went round (S5): steps neither optional, nor the applicant's
// supplementation or a special procedure (both entered only when needed),
// that lie on another way through the flow from `from` to `to`. A move to
// an outcome that refuses or withdraws ends the case early and skips
// nothing.
func skippedSteps(f *flow.Flow, from, to string) []string {
	if from == "" || from == to {
		return nil
	}
	if st := statusOf(f, to); st == flow.Refused || st == flow.Withdrawn {
		return nil
	}
	next := map[string][]string{}
	for _, a := range f.Actions {
		for _, s := range a.From {
			next[s] = append(next[s], a.To)
		}
	}
	// reach: the nodes reachable from start without passing avoid.
	reach := func(start, avoid string) map[string]bool {
		seen := map[string]bool{start: true}
		queue := []string{start}
		for len(queue) > 0 {
			n := queue[0]
			queue = queue[1:]
			for _, m := range next[n] {
				if !seen[m] && m != avoid {
					seen[m] = true
					queue = append(queue, m)
				}
			}
		}
		return seen
	}
	fromFrom := reach(from, to)
	var out []string
	for _, s := range f.Steps {
		if s.Optional || s.Special != nil || s.Status == flow.Supplementing || s.ID == from || s.ID == to || !fromFrom[s.ID] {
			continue
		}
		if reach(s.ID, "")[to] {
			out = append(out, s.ID)
		}
	}
	return out
}

func statusOf(f *flow.Flow, id string) flow.Status {
	if st, ok := stepOf(f, id); ok {
		return st.Status
	}
	for _, o := range f.Outcomes {
		if o.ID == id {
			return o.Status
		}
	}
	return ""
}
