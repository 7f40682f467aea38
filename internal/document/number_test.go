package document_test

import (
	"slices"
	"testing"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/document"
)

func TestNumber_H4_perBodyPerYearFormatAndParse(t *testing.T) {
	spec, _ := document.SpecOf("kind", casework.AcceptanceNotice)
	n, err := document.NumberFor("青山", spec, calendar.DateOf(2026, 12, 31), 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := n.String(); got != "青山审受〔2026〕0001号" {
		t.Errorf("String = %q", got)
	}
	if k := n.Key(); k.String() != "青山审受〔2026〕" || k != (document.Key{Prefix: "青山", Word: "受", Year: 2026}) {
		t.Errorf("Key = %+v", k)
	}
	for in, want := range map[string]document.Number{
		"青山审受〔2026〕0001号":    {Prefix: "青山", Word: "受", Year: 2026, Seq: 1},
		" 青山审结[2026]0012号 ":  {Prefix: "青山", Word: "结", Year: 2026, Seq: 12},
		"万宝河镇审不（2027）10000号": {Prefix: "万宝河镇", Word: "不", Year: 2027, Seq: 10000},
		"青山审补【2026】9999号":    {Prefix: "青山", Word: "补", Year: 2026, Seq: 9999},
	} {
		got, err := document.ParseNumber("number", in)
		if err != nil || got != want {
			t.Errorf("ParseNumber(%q) = %+v, %v; want %+v", in, got, err, want)
		}
		if again, err := document.ParseNumber("number", got.String()); err != nil || again != got {
			t.Errorf("%q does not round-trip: %v", got.String(), err)
		}
	}
	for _, bad := range []string{"", "青山审受2026 0001号", "青山审受〔26〕0001号", "青山审受〔2026〕001号", "青山审受〔2026〕00001号",
		"青山审受〔2026〕0000号", "青山审甲〔2026〕0001号", "青山批受〔2026〕0001号", "审受〔2026〕0001号", "Qs审受〔2026〕0001号",
		"青山审受〔1999〕0001号", "青山审受〔2026〕0001", "青山审受〔2026〕99999999999999999999号"} {
		_, err := document.ParseNumber("number", bad)
		if e := apperr.As(err); e == nil || e.Field != "number" || e.Code != apperr.Invalid {
			t.Errorf("ParseNumber(%q): %v", bad, err)
		}
	}
	for _, bad := range []string{"", "Qingshan", "青 山", "一二三四五六七八九"} {
		if _, err := document.NumberFor(bad, spec, calendar.DateOf(2026, 1, 1), 1); apperr.As(err) == nil {
			t.Errorf("prefix %q accepted", bad)
		}
	}
	if _, err := document.NumberFor("青山", spec, 0, 1); apperr.As(err) == nil || apperr.As(err).Field != "date" {
		t.Errorf("a number for no date: %v", err)
	}
	if _, err := document.NumberFor("青山", spec, calendar.DateOf(2026, 1, 1), 0); apperr.As(err) == nil {
		t.Error("sequence 0 accepted")
	}
	// Every kind has a word of its own: one sequence each.
	words := map[string]bool{}
	for _, s := range document.Specs {
		if words[s.Word] {
			t.Errorf("word %s used twice", s.Word)
		}
		words[s.Word] = true
	}
}

func TestNumber_H4_gapsInASequence(t *testing.T) {
	for _, tc := range []struct{ in, want []int64 }{
		{nil, nil},
		{[]int64{1, 2, 3}, nil},
		{[]int64{3, 1}, []int64{2}},
		{[]int64{2, 5, 5}, []int64{1, 3, 4}},
	} {
		if got := document.Gaps(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("Gaps(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestCorrection_H4_anIssuedDocumentIsReplacedNeverChanged(t *testing.T) {
	num := func(seq int64) document.Number {
		return document.Number{Prefix: "青山", Word: "受", Year: 2026, Seq: seq}
	}
	orig := document.Issued{Number: num(1), Kind: casework.AcceptanceNotice, Case: "330102001-2026-000123", Date: calendar.DateOf(2026, 3, 2)}
	other := document.Issued{Number: num(2), Kind: casework.AcceptanceNotice, Case: "330102001-2026-000124", Date: calendar.DateOf(2026, 3, 2)}
	issued := []document.Issued{orig, other}
	corr := document.Issued{Number: num(3), Kind: casework.AcceptanceNotice, Case: orig.Case, Date: calendar.DateOf(2026, 3, 3), Replaces: num(1), Reason: "申请人姓名有误"}
	if err := document.CheckCorrection(issued, corr); err != nil {
		t.Fatalf("a good correction: %v", err)
	}
	for name, tc := range map[string]struct {
		mutate func(*document.Issued)
		field  string
		code   apperr.Code
	}{
		"names nothing":   {func(c *document.Issued) { c.Replaces = document.Number{} }, "replaces", apperr.Invalid},
		"no reason":       {func(c *document.Issued) { c.Reason = " " }, "reason", apperr.Invalid},
		"unknown":         {func(c *document.Issued) { c.Replaces = num(9) }, "replaces", apperr.Invalid},
		"another case":    {func(c *document.Issued) { c.Replaces = num(2) }, "replaces", apperr.Invalid},
		"another kind":    {func(c *document.Issued) { c.Kind = casework.RefusalDecision }, "replaces", apperr.Invalid},
		"dated before":    {func(c *document.Issued) { c.Date = calendar.DateOf(2026, 3, 1) }, "date", apperr.Invalid},
		"number reused":   {func(c *document.Issued) { c.Number = num(2) }, "number", apperr.Invalid},
		"corrects itself": {func(c *document.Issued) { c.Number = num(1) }, "number", apperr.Invalid},
	} {
		c := corr
		tc.mutate(&c)
		e := apperr.As(document.CheckCorrection(issued, c))
		if e == nil || e.Field != tc.field || e.Code != tc.code {
			t.Errorf("%s: %v", name, e)
		}
	}
	// Once replaced, a document is corrected through the one in force.
	issued = append(issued, corr)
	again := corr
	again.Number, again.Replaces = num(4), num(1)
	if e := apperr.As(document.CheckCorrection(issued, again)); e == nil || e.Code != apperr.Conflict {
		t.Errorf("correcting a replaced document: %v", e)
	}
	again.Replaces = num(3)
	if err := document.CheckCorrection(issued, again); err != nil {
		t.Errorf("correcting the correction: %v", err)
	}
	got := document.InForce(issued)
	if len(got) != 2 || got[0].Number != num(2) || got[1].Number != num(3) {
		t.Errorf("InForce = %+v", got)
	}
}

// FuzzParseNumber: any text is a number that formats back to itself
// (modulo brackets and spaces) or an Invalid error on the field.
func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"青山审受〔2026〕0001号", "万宝河镇审不（2027）10000号", "审受〔2026〕0001号", "青山审受[0000]0000号", "〔〕号"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := document.ParseNumber("number", s)
		if err != nil {
			if e := apperr.As(err); e == nil || e.Field != "number" {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		again, err := document.ParseNumber("number", n.String())
		if err != nil || again != n {
			t.Fatalf("%q → %q does not parse back: %v", s, n.String(), err)
		}
	})
}
