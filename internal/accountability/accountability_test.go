package accountability

import "testing"

// A1 and A2: every ground and measure has both names; measures rise.
func TestLists_A1_A2_namedAndRising(t *testing.T) {
	if len(Grounds) != 9 || len(Measures) != 7 {
		t.Fatalf("%d grounds, %d measures", len(Grounds), len(Measures))
	}
	for _, g := range Grounds {
		if g.Zh() == "" || g.En() == "" {
			t.Errorf("ground %s unnamed", g)
		}
		if got, err := ParseGround("ground", g.Zh()); err != nil || got != g {
			t.Errorf("%s: %v", g, err)
		}
	}
	for i, m := range Measures {
		if m.Zh() == "" || m.En() == "" || m.Rank() != i+1 {
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
		if err == nil && g.Zh() == "" {
			t.Fatalf("%q read as an unknown ground", s)
		}
	})
}
