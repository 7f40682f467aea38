package catalog

import (
	"slices"
	"strings"
	"testing"
)

func TestParseYuan(t *testing.T) {
	for _, c := range []struct {
		in  string
		fen int64
		ok  bool
	}{
		{"", 0, true}, {"0", 0, true}, {"12", 1200, true}, {"12.5", 1250, true}, {"12.05", 1205, true}, {" 3 ", 300, true},
		{"12.", 0, false}, {".5", 0, false}, {"1.234", 0, false}, {"-1", 0, false}, {"1e3", 0, false}, {"一", 0, false},
		{"1,000", 0, false}, {"9999999999999", 0, false},
	} {
		fen, ok := ParseYuan(c.in)
		if fen != c.fen || ok != c.ok {
			t.Errorf("ParseYuan(%q) = %d, %v; want %d, %v", c.in, fen, ok, c.fen, c.ok)
		}
	}
}

func FuzzParseYuan(f *testing.F) {
	for _, s := range []string{"12.50", "0", "", "1.2.3", "999999999999.99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fen, ok := ParseYuan(s)
		if !ok {
			return
		}
		if fen < 0 {
			t.Fatalf("ParseYuan(%q) = %d", s, fen)
		}
		// What it reads, Yuan writes back to the same amount.
		if back, ok := ParseYuan(Yuan(fen)); !ok || back != fen {
			t.Fatalf("ParseYuan(%q) = %d; Yuan gives %q, read as %d %v", s, fen, Yuan(fen), back, ok)
		}
	})
}

// Compare names every changed element with both sides in words (C9: the
// reviewer sees what a new version changes), and nothing else.
func TestCompare_C9_changedElementsInWords(t *testing.T) {
	a := validItem()
	b := a.Clone()
	b.Hours = a.Hours + "(周六上午延时)"
	b.Materials = append(b.Materials, Material{Name: "委托书", Necessity: Optional, Kind: Original, Count: 1, Form: Paper, Source: FromApplicant})
	b.Version, b.ContentHash = a.Version+1, "other"
	for _, en := range []bool{false, true} {
		got, err := Compare(a, b, en)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, c := range got {
			keys = append(keys, c.Key)
		}
		if !slices.Equal(keys, []string{"materials", "hours"}) {
			t.Fatalf("changed %v", keys)
		}
		if strings.Join(got[1].Old, "") != a.Hours || strings.Join(got[1].New, "") != b.Hours {
			t.Fatalf("hours %q → %q", got[1].Old, got[1].New)
		}
		last := got[0].New[len(got[0].New)-1]
		if len(got[0].New) != len(got[0].Old)+1 || !strings.Contains(last, "委托书") {
			t.Fatalf("materials %q → %q", got[0].Old, got[0].New)
		}
		for _, line := range got[0].New {
			if strings.Contains(line, "applicant") && !en || strings.Contains(line, "_") {
				t.Fatalf("a raw value in %q", line)
			}
		}
	}
	// A new item: every element it sets, no old side.
	added, err := Compare(ItemVersion{}, b, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(added) < 20 || added[0].Old != nil {
		t.Fatalf("a new item compares as %d elements, first %+v", len(added), added[0])
	}
}

// An entry inserted in a list marks itself, not every entry after it.
func TestMarked_C3_insertedEntryAlone(t *testing.T) {
	old := []string{"1. 身份证", "2. 户口簿"}
	now := []string{"1. 承诺书", "2. 身份证", "3. 户口簿"}
	oldSide, newSide := ElementChange{Old: old, New: now}.Marked()
	if !newSide[0].Changed || newSide[1].Changed || newSide[2].Changed {
		t.Fatalf("marked %+v", newSide)
	}
	if oldSide[0].Changed || oldSide[1].Changed {
		t.Fatalf("old side marked %+v", oldSide)
	}
	if unnumbered("   风险点(高):x") != "   风险点(高):x" || unnumbered("12. a") != "a" {
		t.Fatal("unnumbered")
	}
}
