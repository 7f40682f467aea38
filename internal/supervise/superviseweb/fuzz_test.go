package superviseweb

import (
	"math"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// FuzzFilter: any query reads into a filter without panicking; values are
// trimmed, and only a truth of strconv.ParseBool asks for cleared cards.
func FuzzFilter(f *testing.F) {
	f.Add("/1/", "ZHZF", "red", "330199-2026-000001", "true")
	f.Add(" ", "\x00", "purple", "", "maybe")
	f.Fuzz(func(t *testing.T, body, unit, level, number, all string) {
		q := url.Values{"body": {body}, "unit": {unit}, "level": {level}, "case": {number}, "all": {all}}
		got := filter(httptest.NewRequest("GET", "/supervision/cards?"+q.Encode(), nil))
		want, _ := strconv.ParseBool(all)
		if got.All != want || got.BodyPath != strings.TrimSpace(body) || got.Unit != strings.TrimSpace(unit) ||
			string(got.Level) != strings.TrimSpace(level) || got.Case != strings.TrimSpace(number) {
			t.Fatalf("filter %+v from %v", got, q)
		}
	})
}

// FuzzEvidenceLines: a text area's lines are its non-blank lines, trimmed,
// in order, none lost or made up.
func FuzzEvidenceLines(f *testing.F) {
	f.Add("整改报告.pdf\n\n  照片.jpg  \r\n")
	f.Add("")
	f.Add("\n\n\x00\n")
	f.Fuzz(func(t *testing.T, s string) {
		got := lines(s)
		var want []string
		for _, l := range strings.Split(s, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				want = append(want, l)
			}
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") || len(got) != len(want) {
			t.Fatalf("lines(%q) = %q, want %q", s, got, want)
		}
	})
}

// FuzzUnitOf: a form's unit "path|code" splits at its first bar; without
// one, it is a code of the reader's own body.
func FuzzUnitOf(f *testing.F) {
	f.Add("/1/|ZHZF")
	f.Add("ZHZF")
	f.Add("|")
	f.Fuzz(func(t *testing.T, v string) {
		path, code := unitOf(v)
		if strings.Contains(v, "|") && path+"|"+code != v || !strings.Contains(v, "|") && (path != "" || code != v) {
			t.Fatalf("unitOf(%q) = %q, %q", v, path, code)
		}
	})
}

// FuzzRuleEdit: any rule form reads into an edit or a field-named
// refusal, never a panic; a share above 1 is a percentage.
func FuzzRuleEdit(f *testing.F) {
	f.Add("h5.hand_over", "red", "after", "0", "working_days", "", "2", "responsible", "")
	f.Add("case.yellow", "yellow", "share", "", "", "80%", "", "unit", "")
	f.Add("x", "", "", "NaN", "", "1e400", "-1", "", "true")
	f.Fuzz(func(t *testing.T, id, level, threshold, n, unit, share, limit, notify, off string) {
		form := url.Values{"id": {id}, "level": {level}, "threshold": {threshold}, "n": {n}, "unit": {unit}, "share": {share},
			"limit": {limit}, "notify": {notify}, "off": {off}}
		r := httptest.NewRequest("POST", "/supervision/rules/1/rule", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if err := r.ParseForm(); err != nil {
			t.Skip()
		}
		e, err := ruleEdit(r)
		if err != nil {
			if f := fieldOf(err); f != "n" && f != "limit" && f != "share" {
				t.Fatalf("refusal naming %q: %v", f, err)
			}
			return
		}
		if e.ID != strings.TrimSpace(id) || e.Off != (off == "true") || math.IsNaN(e.Share) || math.IsInf(e.Share, 0) || e.Share < 0 {
			t.Fatalf("edit %+v from %v", e, form)
		}
	})
}
