package catsearch

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on a query, so a pasted page of text cannot make one request scan
// the whole gram table many times over.
const (
	MaxTerms    = 8
	MaxTermLen  = 32 // runes
	maxQueryLen = 512
)

// fold normalises one rune: full-width ASCII (Chinese input methods type
// "ＸＫ", "１２") to half-width, the ideographic space to a space, letters to
// lower case.
func fold(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		r -= 0xFEE0
	case r == 0x3000:
		r = ' '
	}
	return unicode.ToLower(r)
}

// wordRune reports whether r belongs to a run; everything else separates.
func wordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// Normalize folds s rune by rune (see fold). The stored text and the query
// are both normalised, so the substring check compares like with like.
func Normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r == utf8.RuneError {
			continue
		}
		b.WriteRune(fold(r))
	}
	return b.String()
}

// runs splits normalised text into maximal runs of letters and digits.
func runs(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !wordRune(r) })
}

// grams returns the distinct unigrams and bigrams of one run, and the
// trigrams of an ASCII one. Pinyin (dibao, zdshbz) is ASCII: its 26 letters
// make few distinct bigrams, each in a large share of the items, so a
// query would walk long postings lists; trigrams are rare enough to drive
// from (see asciiTrigrams).
func grams(run string, into map[string]struct{}) {
	rs := []rune(run)
	for i, r := range rs {
		into[string(r)] = struct{}{}
		if i+1 < len(rs) {
			into[string(rs[i:i+2])] = struct{}{}
		}
	}
	if asciiTrigrams(run) {
		for i := 0; i+3 <= len(run); i++ {
			into[run[i:i+3]] = struct{}{}
		}
	}
}

// asciiTrigrams reports whether a run (or a query term) of at least three
// characters is all ASCII, so it is indexed and looked up by trigrams.
func asciiTrigrams(run string) bool {
	if len(run) < 3 {
		return false
	}
	for i := 0; i < len(run); i++ {
		if run[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// Term is one word of a query.
type Term struct {
	// Text is the normalised term: letters and digits only, so it can go
	// into a LIKE pattern without escaping.
	Text string
	// Grams are what the term is looked up by: its bigrams (trigrams when
	// it is ASCII and three or more long), or its single rune when it is
	// one character long.
	Grams []string
	// Code marks a term that is (the start of) an item code: ASCII letters
	// and digits with at least one digit. It matches codes by prefix only;
	// item names and keywords hold no such tokens.
	Code bool
}

// Query is a parsed search query: every term must match.
type Query struct {
	Terms []Term
}

// Empty reports whether the query has nothing to look for.
func (q Query) Empty() bool { return len(q.Terms) == 0 }

// String renders the query as its normalised terms separated by spaces.
func (q Query) String() string {
	ts := make([]string, len(q.Terms))
	for i, t := range q.Terms {
		ts[i] = t.Text
	}
	return strings.Join(ts, " ")
}

// Parse turns what a citizen typed into terms: normalised, split at
// anything that is not a letter or digit, duplicates dropped, at most
// MaxTerms terms of at most MaxTermLen runes each (longer ones are cut,
// which can only widen the match).
func Parse(s string) Query {
	if len(s) > maxQueryLen {
		s = s[:maxQueryLen]
	}
	var q Query
	seen := map[string]bool{}
	for _, w := range runs(Normalize(s)) {
		if rs := []rune(w); len(rs) > MaxTermLen {
			w = string(rs[:MaxTermLen])
		}
		if seen[w] {
			continue
		}
		seen[w] = true
		q.Terms = append(q.Terms, newTerm(w))
		if len(q.Terms) == MaxTerms {
			break
		}
	}
	return q
}

func newTerm(w string) Term {
	t := Term{Text: w, Code: isCodeLike(w)}
	rs := []rune(w)
	if len(rs) == 1 {
		t.Grams = []string{w}
		return t
	}
	seen := map[string]bool{}
	if asciiTrigrams(w) {
		for i := 0; i+3 <= len(w); i++ {
			if g := w[i : i+3]; !seen[g] {
				seen[g] = true
				t.Grams = append(t.Grams, g)
			}
		}
		return t
	}
	for i := 0; i+1 < len(rs); i++ {
		g := string(rs[i : i+2])
		if !seen[g] {
			seen[g] = true
			t.Grams = append(t.Grams, g)
		}
	}
	return t
}

func isCodeLike(w string) bool {
	digit := false
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case c >= '0' && c <= '9':
			digit = true
		case c < 'a' || c > 'z':
			return false
		}
	}
	return digit
}

// prefixEnd is the smallest string greater than every string starting with
// p, for an index range scan (code >= p AND code < prefixEnd(p)). p is ASCII
// letters and digits, so incrementing the last byte cannot overflow.
func prefixEnd(p string) string {
	return p[:len(p)-1] + string(rune(p[len(p)-1]+1))
}
