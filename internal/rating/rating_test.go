package rating

import (
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/flow"
)

// L8: five levels, the last two bad; each read by score, Chinese name or key.
func TestLevel_L8_fiveLevelsLastTwoBad(t *testing.T) {
	bad := 0
	for _, l := range Levels {
		for _, s := range []string{string(rune('0' + int(l))), l.Zh(), l.Key()} {
			got, err := ParseLevel("level", s)
			if err != nil || got != l {
				t.Errorf("%q: %v %v", s, got, err)
			}
		}
		if l.Bad() {
			bad++
		}
	}
	if len(Levels) != 5 || bad != 2 || !Dissatisfied.Bad() || !VeryDissatisfied.Bad() || BasicallySatisfied.Bad() {
		t.Fatal("L8: five levels, the last two bad")
	}
	for _, s := range []string{"", "0", "6", "很好", "-1"} {
		if _, err := ParseLevel("level", s); err == nil {
			t.Errorf("%q read as a level", s)
		}
	}
}

func TestTally_L8_satisfactionRate(t *testing.T) {
	var ta Tally
	ta.Add(VerySatisfied, 7)
	ta.Add(BasicallySatisfied, 1)
	ta.Add(VeryDissatisfied, 2)
	ta.Add(Level(9), 3)
	if ta.Total != 10 || ta.Bad != 2 || ta.SatisfactionRate() != 80 || ta.Count(VerySatisfied) != 7 {
		t.Fatalf("%+v rate %v", ta, ta.SatisfactionRate())
	}
	if (Tally{}).SatisfactionRate() != 0 {
		t.Fatal("no ratings")
	}
}

// L8: the public copy of a rating masks personal data in the comment.
func TestPublic_L8_L7_commentMasked(t *testing.T) {
	f := Facts{Number: "N1", Status: flow.Completed, Unit: Unit{Code: "U", Name: "窗口"}}
	now := time.Date(2026, 3, 6, 8, 0, 0, 0, time.UTC)
	r, err := Rate(f, Satisfied, "我的电话13800138000，身份证11010519491231002X", Portal, now, now)
	if err != nil {
		t.Fatal(err)
	}
	p := PublicOf(r)
	if p.Comment == r.Comment || containsAny(p.Comment, "13800138000", "11010519491231002X") {
		t.Fatalf("public comment %q", p.Comment)
	}
}

func containsAny(s string, subs ...string) bool {
	for _, x := range subs {
		for i := 0; i+len(x) <= len(s); i++ {
			if s[i:i+len(x)] == x {
				return true
			}
		}
	}
	return false
}

func FuzzParseLevel(f *testing.F) {
	for _, s := range []string{"1", "5", "非常满意", "very_dissatisfied", "", "٣", "5 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseLevel("level", s)
		if err == nil && !l.Valid() {
			t.Fatalf("%q read as invalid level %d", s, l)
		}
	})
}
