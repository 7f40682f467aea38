package supervise

import (
	"testing"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/casework"
)

// Each (object, rule, level) fires once, open or cleared; clearing keeps
// the card in the history.
func TestLedger_S5_eachKeyFiresOnce(t *testing.T) {
	l := Ledger{}
	red := Card{Key: Key{caseObj, "case.red", Red}, At: at("2026-02-26T00:00")}
	yellow := Card{Key: Key{caseObj, "case.yellow", Yellow}, At: at("2026-02-25T00:00")}
	if got := l.Raise(red, yellow, red); len(got) != 2 {
		t.Fatalf("raised %d", len(got))
	}
	if got := l.ClearAt(Cleared{red.Key, at("2026-02-27T10:00")}); len(got) != 1 || got[0].Open() {
		t.Fatalf("cleared %+v", got)
	}
	if got := l.Raise(red); len(got) != 0 {
		t.Error("a cleared card fired again")
	}
	if got := l.ClearAt(Cleared{red.Key, at("2026-02-28T10:00")}); len(got) != 0 || !l[red.Key].Cleared.Equal(at("2026-02-27T10:00")) {
		t.Error("cleared twice")
	}
	of := l.Of(caseObj)
	if len(of) != 2 || of[0].Rule != "case.red" || of[1].Rule != "case.yellow" {
		t.Errorf("of %+v", of)
	}
	if red.Key.String() != "case:330199-2026-000123|case.red|red" {
		t.Errorf("key %s", red.Key)
	}
}

// A supervisor clears a structure card by hand, with a reason.
func TestCard_S5_clearedByHand(t *testing.T) {
	c := Card{Key: Key{caseObj, "flow.role", Red}, At: at("2026-03-02T10:00")}
	for _, tc := range []struct {
		field  string
		by     casework.Staff
		when   string
		reason string
	}{
		{"reason", super1.Staff, "2026-03-03T10:00", " "},
		{"by", casework.Staff{}, "2026-03-03T10:00", "已核实"},
		{"at", super1.Staff, "2026-03-01T10:00", "已核实"},
	} {
		if _, err := c.Clear(tc.by, at(tc.when), tc.reason); fieldOf(t, err) != tc.field {
			t.Errorf("%s: %v", tc.field, err)
		}
	}
	done, err := c.Clear(super1.Staff, at("2026-03-03T10:00"), "已核实,系补录")
	if err != nil || done.Open() || done.ClearedBy != super1.Staff || !c.Open() {
		t.Fatalf("%+v %v", done, err)
	}
	if _, err := done.Clear(super1.Staff, at("2026-03-04T10:00"), "again"); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("cleared twice: %v", err)
	}
}

// Item 9: a proposal's cards against the rules in force — added, removed
// and moved (same key, another instant) — by ledger key.
func TestCompare_S5_addedRemovedMovedByKey(t *testing.T) {
	k := func(rule string, l Level) Key { return Key{caseObj, rule, l} }
	t1, t2 := at("2026-03-02T00:00"), at("2026-03-03T00:00")
	current := []Card{{Key: k("case.yellow", Yellow), At: t1}, {Key: k("case.red", Red), At: t1}, {Key: k("h6.transfer", Yellow), At: t1}}
	proposed := []Card{{Key: k("case.yellow", Yellow), At: t2}, {Key: k("case.red", Red), At: t1}, {Key: k("h3.third_round", Yellow), At: t2}}
	added, removed, moved := Compare(current, proposed)
	if len(added) != 1 || added[0].Rule != "h3.third_round" || len(removed) != 1 || removed[0].Rule != "h6.transfer" ||
		len(moved) != 1 || moved[0].Rule != "case.yellow" || !moved[0].At.Equal(t2) {
		t.Fatalf("added %v removed %v moved %v", added, removed, moved)
	}
	if a, r, m := Compare(current, current); len(a)+len(r)+len(m) != 0 {
		t.Fatalf("the same cards differ: %v %v %v", a, r, m)
	}
}
