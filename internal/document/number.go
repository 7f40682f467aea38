package document

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/casework"
)

// Number is a document number in the form government documents use:
// the body's short name, 审 (approval) and the kind's word, the year in
// 〔〕 and the sequence, at least four digits: 青山审受〔2026〕0001号. Each
// body has one sequence per word and year, without gaps (storage draws
// them in the write that issues the document, so a refused write uses no
// number).
type Number struct {
	Prefix string // the body's short name (青山), Han characters only
	Word   string // the kind's word (Spec.Word)
	Year   int
	Seq    int64 // from 1
}

// Key names one sequence: body prefix, word and year.
type Key struct {
	Prefix string
	Word   string
	Year   int
}

// Key is the sequence n belongs to.
func (n Number) Key() Key { return Key{n.Prefix, n.Word, n.Year} }

// String formats n: 青山审受〔2026〕0001号.
func (n Number) String() string {
	return fmt.Sprintf("%s审%s〔%04d〕%04d号", n.Prefix, n.Word, n.Year, n.Seq)
}

// IsZero reports whether n is no number.
func (n Number) IsZero() bool { return n.Seq == 0 }

// String is the key as storage stores it: 青山审受〔2026〕.
func (k Key) String() string { return fmt.Sprintf("%s审%s〔%04d〕", k.Prefix, k.Word, k.Year) }

// NumberFor is the number a document of spec s issued on date by the body
// with prefix gets as the seq-th of its sequence; it checks the prefix.
func NumberFor(prefix string, s Spec, date calendar.Date, seq int64) (Number, error) {
	if err := checkPrefix("prefix", prefix); err != nil {
		return Number{}, err
	}
	if y := date.Year(); date == 0 || y < 2000 || y > 9999 {
		return Number{}, apperr.Invalidf("date", "document.the_document_s_date_is_not")
	}
	if seq < 1 {
		return Number{}, apperr.Invalidf("seq", "document.document_sequence_numbers_start_at_1")
	}
	return Number{Prefix: prefix, Word: s.Word, Year: date.Year(), Seq: seq}, nil
}

// checkPrefix: a body's short name for numbers is 1–8 Han characters.
func checkPrefix(field, p string) error {
	n := utf8.RuneCountInString(p)
	if n < 1 || n > 8 || strings.ContainsFunc(p, func(r rune) bool { return !unicode.Is(unicode.Han, r) }) {
		return apperr.Invalidf(field, "document.a_number_prefix_is_the_body", p)
	}
	return nil
}

// brackets are the year's brackets as people type them; ParseNumber reads
// each as 〔〕.
var brackets = strings.NewReplacer("[", "〔", "]", "〕", "［", "〔", "］", "〕", "【", "〔", "】", "〕",
	"(", "〔", ")", "〕", "（", "〔", "）", "〕", "﹝", "〔", "﹞", "〕")

// ParseNumber reads a document number as typed (any common brackets around
// the year, spaces around it), refusing anything that is not exactly one
// with an Invalid error on field. The word must be one of Specs'.
func ParseNumber(field, s string) (Number, error) {
	bad := func() (Number, error) {
		return Number{}, apperr.Invalidf(field, "document.is_not_a_document_number_for", s)
	}
	t := brackets.Replace(strings.TrimSpace(s))
	head, rest, ok := strings.Cut(t, "〔")
	if !ok {
		return bad()
	}
	year, rest, ok := strings.Cut(rest, "〕")
	if !ok || len(year) != 4 || !isDigits(year) {
		return bad()
	}
	seq, ok := strings.CutSuffix(rest, "号")
	if !ok || len(seq) < 4 || !isDigits(seq) || (len(seq) > 4 && seq[0] == '0') {
		return bad()
	}
	r := []rune(head)
	if len(r) < 3 || r[len(r)-2] != '审' {
		return bad()
	}
	n := Number{Prefix: string(r[:len(r)-2]), Word: string(r[len(r)-1])}
	if checkPrefix(field, n.Prefix) != nil || !slices.ContainsFunc(Specs, func(s Spec) bool { return s.Word == n.Word }) {
		return bad()
	}
	var err1, err2 error
	n.Year, err1 = strconv.Atoi(year)
	n.Seq, err2 = strconv.ParseInt(seq, 10, 64)
	if err1 != nil || err2 != nil || n.Seq < 1 || n.Year < 2000 {
		return bad()
	}
	return n, nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// Gaps lists the numbers missing from one sequence's issued numbers (in
// any order) between 1 and the highest: what `qingdan verify` reports
// for a sequence that must have none.
func Gaps(seqs []int64) []int64 {
	s := slices.Clone(seqs)
	slices.Sort(s)
	var out []int64
	next := int64(1)
	for _, v := range s {
		for ; next < v; next++ {
			out = append(out, next)
		}
		if v >= next {
			next = v + 1
		}
	}
	return out
}

// Issued is a document as storage keeps it once issued. It never changes:
// a mistake is corrected by issuing a new document of the same kind for
// the same case that names the one it replaces (Replaces), with the
// reason; both stay in the register.
type Issued struct {
	Number   Number
	Kind     casework.DocumentKind
	Case     string // the case number
	Date     calendar.Date
	Replaces Number // zero unless a correction
	Reason   string // why the correction was made; empty unless one
}

// CheckCorrection checks that corr may be issued as a correction given the
// documents already issued for its case: it names one of them, of the
// same kind and case, that no other document replaces yet (a correction
// corrects the document in force, never one already replaced), bears a
// date no earlier, carries a reason and a number of its own.
func CheckCorrection(issued []Issued, corr Issued) error {
	if corr.Replaces.IsZero() {
		return apperr.Invalidf("replaces", "document.a_correction_names_the_number_of")
	}
	if strings.TrimSpace(corr.Reason) == "" {
		return apperr.Invalidf("reason", "document.a_correction_states_its_reason")
	}
	i := slices.IndexFunc(issued, func(d Issued) bool { return d.Number == corr.Replaces })
	if i < 0 {
		return apperr.Invalidf("replaces", "document.no_issued_document", corr.Replaces)
	}
	orig := issued[i]
	switch {
	case orig.Case != corr.Case:
		return apperr.Invalidf("replaces", "document.document_is_not_of_case", orig.Number, corr.Case)
	case orig.Kind != corr.Kind:
		return apperr.Invalidf("replaces", "document.a_correction_is_of_the_same")
	case corr.Date < orig.Date:
		return apperr.Invalidf("date", "document.a_correction_cannot_be_dated_before")
	case slices.ContainsFunc(issued, func(d Issued) bool { return d.Number == corr.Number }):
		return apperr.Invalidf("number", "document.document_number_is_taken", corr.Number)
	}
	if j := slices.IndexFunc(issued, func(d Issued) bool { return d.Replaces == orig.Number }); j >= 0 {
		return apperr.Conflictf("document.document_was_already_replaced_by_correct", orig.Number, issued[j].Number)
	}
	return nil
}

// InForce lists the issued documents no correction replaces, in their order.
func InForce(issued []Issued) []Issued {
	var out []Issued
	for _, d := range issued {
		if !slices.ContainsFunc(issued, func(c Issued) bool { return c.Replaces == d.Number }) {
			out = append(out, d)
		}
	}
	return out
}
