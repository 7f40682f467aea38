package supervise

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// Counts maintained card by card through raises and clearings, in any
// order, equal a full recount of the ledger; a body's count is the sum of
// its units'.
func TestCounts_S5_maintainedEqualsRecount(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	l := Ledger{}
	var keys []Key // in the order raised, to pick from reproducibly
	counts := Counts{}
	units := []string{"ZHZF", "SCJG"}
	bodies := []string{"/1/", "/1/2/"}
	levels := []Level{Reminder, Yellow, Red}
	base := at("2026-03-02T00:00")
	for i := range 3000 {
		when := base.Add(time.Duration(i) * time.Minute)
		if rng.IntN(3) > 0 || len(keys) == 0 {
			c := Card{Key: Key{Object{ObjectCase, fmt.Sprint(rng.IntN(400))}, "r", levels[rng.IntN(3)]},
				BodyPath: bodies[rng.IntN(2)], Unit: units[rng.IntN(2)], At: when}
			if rng.IntN(10) == 0 {
				c.Cleared = when // raised on a finished clock
			}
			raised := l.Raise(c)
			for _, r := range raised {
				keys = append(keys, r.Key)
			}
			counts.Apply(Deltas(raised, nil))
			continue
		}
		counts.Apply(Deltas(nil, l.ClearAt(Cleared{keys[rng.IntN(len(keys))], when})))
	}
	want := Recount(slices.Collect(maps.Values(l)))
	if !maps.Equal(counts, want) {
		t.Fatalf("maintained %v, recount %v", counts, want)
	}
	total := 0
	for _, b := range bodies {
		for _, lv := range levels {
			body := counts[CountKey{b, "", lv}]
			units := counts[CountKey{b, "ZHZF", lv}] + counts[CountKey{b, "SCJG", lv}]
			if body != units {
				t.Errorf("%s %s: body %d, units %d", b, lv, body, units)
			}
			total += body
		}
	}
	if total == 0 || total == len(l) {
		t.Fatalf("%d open of %d: the test exercised no raise or no clearing", total, len(l))
	}
}
