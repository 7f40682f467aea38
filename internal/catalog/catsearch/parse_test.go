package catsearch

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestParse(t *testing.T) {
	for in, want := range map[string]string{
		"低保":                  "低保",
		"  低保　认定 ":            "低保 认定",
		"最低生活保障(低保)":          "最低生活保障 低保",
		"ＸＫ０１":                "xk01",
		"0500001000":          "0500001000",
		"低保 低保":               "低保",
		"%_'\";--":            "",
		"a b c d e f g h i j": "a b c d e f g h",
	} {
		if got := Parse(in).String(); got != want {
			t.Errorf("Parse(%q) = %q, want %q", in, got, want)
		}
	}
	q := Parse("低保 0500 xk 最低生活")
	if q.Terms[0].Code || !q.Terms[1].Code || q.Terms[2].Code || q.Terms[3].Code {
		t.Errorf("code terms: %+v", q.Terms)
	}
	if g := q.Terms[3].Grams; strings.Join(g, ",") != "最低,低生,生活" {
		t.Errorf("grams %v", g)
	}
	if g := Parse("证").Terms[0].Grams; len(g) != 1 || g[0] != "证" {
		t.Errorf("one-character term grams %v", g)
	}
}

// FuzzParse: whatever is typed, the terms are few, short, made of letters
// and digits only (so they go into LIKE patterns unescaped), normalised, and
// each has the grams it is looked up by.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"低保", "最低生活保障待遇认定", "0500001000", "ＸＫ０１ 许可", "%_\\", "\xff\xfe", strings.Repeat("证", 600)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := Parse(s)
		if len(q.Terms) > MaxTerms {
			t.Fatalf("%d terms", len(q.Terms))
		}
		for _, term := range q.Terms {
			n := utf8.RuneCountInString(term.Text)
			if n == 0 || n > MaxTermLen || !utf8.ValidString(term.Text) {
				t.Fatalf("bad term %q", term.Text)
			}
			for _, r := range term.Text {
				if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
					t.Fatalf("term %q holds %q", term.Text, r)
				}
			}
			if Normalize(term.Text) != term.Text {
				t.Fatalf("term %q is not normalised", term.Text)
			}
			if len(term.Grams) == 0 || len(term.Grams) > max(1, n-1) {
				t.Fatalf("term %q has grams %v", term.Text, term.Grams)
			}
			for _, g := range term.Grams {
				if !strings.Contains(term.Text, g) {
					t.Fatalf("gram %q not in %q", g, term.Text)
				}
			}
			if term.Code && !isCodeLike(term.Text) {
				t.Fatalf("code term %q", term.Text)
			}
		}
		if Parse(q.String()).String() != q.String() {
			t.Fatalf("parse is not idempotent on %q", q.String())
		}
	})
}
