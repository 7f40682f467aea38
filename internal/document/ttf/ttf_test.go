package ttf_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/qingdan/qingdan/internal/document/ttf"
)

func embedded(t testing.TB) *ttf.Font {
	t.Helper()
	b, err := os.ReadFile("../font/wqy-microhei-gb2312.ttf")
	if err != nil {
		t.Fatal(err)
	}
	f, err := ttf.Parse(b, 0)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestFont_coversGB2312AndTheTemplates: the embedded subset maps all of
// GB2312's hanzi (a sample from both levels) and the punctuation of
// document numbers.
func TestFont_coversGB2312AndTheTemplates(t *testing.T) {
	f := embedded(t)
	for _, r := range "啊阿埃挨哎唉哀皑癌蔼矮艾碍爱隘亍丌兀丐廿卅丕亘丞鬲孬噩〔〕、。“”：；ABCxyz0123456789行政审批专用章青山镇人民政府受理通知书一次性告知书办结凭证" {
		if f.Glyph(r) == 0 {
			t.Errorf("no glyph for %c", r)
		}
	}
	if n := len(f.Runes()); n < 7000 {
		t.Errorf("%d characters, want all of GB2312", n)
	}
	if f.Glyph('䶮') != 0 {
		t.Error("a character outside the set has a glyph")
	}
}

// TestSubset_keepsTheGlyphsAndNumbersThemInOrder: the PDF writer's CIDs
// are the subset's glyph numbers, so the glyphs given keep 1, 2, … and
// the subset parses back with the same advances and cmap.
func TestSubset_keepsTheGlyphsAndNumbersThemInOrder(t *testing.T) {
	f := embedded(t)
	text := []rune("青山审受〔2026〕0001号")
	var glyphs []uint16
	cmap := map[rune]uint16{}
	seen := map[uint16]bool{}
	for _, r := range text {
		g := f.Glyph(r)
		cmap[r] = g
		if !seen[g] {
			seen[g] = true
			glyphs = append(glyphs, g)
		}
	}
	s, err := f.Subset(glyphs, cmap)
	if err != nil {
		t.Fatal(err)
	}
	for i, g := range glyphs {
		if s.Glyphs[g] != i+1 || s.Old[i+1] != g {
			t.Errorf("glyph %d numbered %d, want %d", g, s.Glyphs[g], i+1)
		}
	}
	sub, err := ttf.Parse(s.Font, 0)
	if err != nil {
		t.Fatalf("the subset does not parse: %v", err)
	}
	if sub.NumGlyphs != len(s.Old) || sub.UnitsPerEm != f.UnitsPerEm {
		t.Errorf("subset: %d glyphs, %d units per em", sub.NumGlyphs, sub.UnitsPerEm)
	}
	for _, r := range text {
		g := sub.Glyph(r)
		if g == 0 || sub.Advance(g) != f.Advance(f.Glyph(r)) {
			t.Errorf("%c: glyph %d, advance %d, want %d", r, g, sub.Advance(g), f.Advance(f.Glyph(r)))
		}
	}
	if len(s.Font) > 64<<10 {
		t.Errorf("a subset of %d characters is %d bytes", len(text), len(s.Font))
	}
}

func TestParse_refusesWhatIsNotAFont(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("ttcf\x00\x01\x00\x00\x00\x00\x00\x05"), []byte("OTTO0000000000000000"), make([]byte, 64)} {
		if _, err := ttf.Parse(b, 0); err == nil {
			t.Errorf("Parse(%q) accepted", b)
		}
	}
}

// FuzzParse: a damaged font is an error, never a panic.
func FuzzParse(f *testing.F) {
	b, err := os.ReadFile("../font/wqy-microhei-gb2312.ttf")
	if err != nil {
		f.Fatal(err)
	}
	// The directory and the small tables are where damage bites.
	f.Add(b[:4096], 0)
	f.Fuzz(func(t *testing.T, head []byte, at int) {
		buf := append([]byte(nil), b...)
		if at < 0 {
			at = -at
		}
		at %= 4096
		copy(buf[at:], head)
		font, err := ttf.Parse(buf, 0)
		if err != nil {
			return
		}
		if _, err := font.Subset([]uint16{font.Glyph('青'), font.Glyph('山')}, nil); err != nil {
			return
		}
	})
}

// TestFont_coversTheShippedTemplates: a shipped template edited without
// running go generate (fontgen) fails here, not in a printed box.
func TestFont_coversTheShippedTemplates(t *testing.T) {
	f := embedded(t)
	files, err := filepath.Glob("../templates/*.html")
	if err != nil || len(files) == 0 {
		t.Fatalf("no templates: %v", err)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range string(b) {
			if r > ' ' && f.Glyph(r) == 0 {
				t.Errorf("%s: %c (U+%04X) is not in the font: run go generate in internal/document", filepath.Base(p), r, r)
			}
		}
	}
}
