package accountability

import (
	"slices"
	"testing"

	"github.com/qingdan/qingdan/internal/msg"
)

// A1 and A2: every ground and measure has both names; measures rise.
func TestLists_A1_A2_namedAndRising(t *testing.T) {
	if len(Grounds) != 9 || len(Measures) != 7 {
		t.Fatalf("%d grounds, %d measures", len(Grounds), len(Measures))
	}
	if g, ok := msg.Named("accountability.ground", Grounds...); !ok {
		t.Errorf("ground %s unnamed", g)
	}
	if m, ok := msg.Named("accountability.measure", Measures...); !ok {
		t.Errorf("measure %s unnamed", m)
	}
	for _, g := range Grounds {
		if got, err := ParseGround("ground", g.In("zh")); err != nil || got != g {
			t.Errorf("%s: %v", g, err)
		}
	}
	for i, m := range Measures {
		if m.Rank() != i+1 {
			t.Errorf("measure %s", m)
		}
	}
	if Measure("referral_to_discipline").Rank() <= Measure("criticism_education").Rank() {
		t.Fatal("A2 is in rising order")
	}
}

func FuzzParseMeasure(f *testing.F) {
	for _, s := range []string{"批评教育", "referral_to_discipline", "", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMeasure("measure", s)
		if err == nil && m.Rank() == 0 {
			t.Fatalf("%q read as an unknown measure", s)
		}
		g, err := ParseGround("ground", s)
		if err == nil && !slices.Contains(Grounds, g) {
			t.Fatalf("%q read as an unknown ground", s)
		}
	})
}
