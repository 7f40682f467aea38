package supervise

import (
	"slices"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/casework"
)

// CaseCards are every card case c has raised by now under the rules in
// force: the event rules on each event of its timeline (in order) and the
// time rules on each of its clocks (CaseSubjects), in the order of their
// instants. Because a card's instant is its rule's, judging a history
// once at its end gives the cards a sweep at every instant would have
// raised; `qingdan simulate` lists them, and a replay of stored cases under
// proposed rules compares two such lists.
func CaseCards(set Set, c casework.Case, events []casework.Event, env EventEnv, now time.Time) ([]Card, error) {
	ledger := Ledger{}
	for _, e := range events {
		if e.At.After(now) {
			break
		}
		cards, err := EventCards(set, c, e, env)
		if err != nil {
			return nil, err
		}
		ledger.Raise(cards...)
	}
	for _, s := range CaseSubjects(c, events, env.Flow) {
		r, err := Evaluate(set, s, env.Calendar, now, ledger.Of(s.Object))
		if err != nil {
			return nil, err
		}
		ledger.Raise(r.Raise...)
		ledger.ClearAt(r.Clear...)
	}
	out := make([]Card, 0, len(ledger))
	for _, c := range ledger {
		out = append(out, c)
	}
	order := map[string]int{}
	for i, r := range set {
		order[r.ID] = i
	}
	slices.SortFunc(out, func(a, b Card) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		if c := order[a.Rule] - order[b.Rule]; c != 0 {
			return c
		}
		return strings.Compare(a.Key.String(), b.Key.String())
	})
	return out, nil
}

// Compare is what a proposed rule set changes in a case's cards (issue
// #16 item 9): the cards raised under the proposal and not under the
// rules in force (added) and the reverse (removed), by ledger key; a card
// of the same key at another instant is Moved (the proposal's), so a
// threshold's change shows as moved, not as one added and one removed.
func Compare(current, proposed []Card) (added, removed, moved []Card) {
	byKey := make(map[Key]Card, len(current))
	for _, c := range current {
		byKey[c.Key] = c
	}
	seen := make(map[Key]bool, len(proposed))
	for _, c := range proposed {
		seen[c.Key] = true
		was, ok := byKey[c.Key]
		switch {
		case !ok:
			added = append(added, c)
		case !was.At.Equal(c.At):
			moved = append(moved, c)
		}
	}
	for _, c := range current {
		if !seen[c.Key] {
			removed = append(removed, c)
		}
	}
	return added, removed, moved
}
