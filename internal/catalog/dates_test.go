package catalog

import (
	"errors"
	"testing"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
)

// TestCheckDates_listDatesBounded (#11.10): a basis document issued before
// 1949-10-01 or more than a year ahead, and a draft valid from or to more
// than ten years ahead, are refused naming the field; the bounds themselves
// pass.
func TestCheckDates_listDatesBounded(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, shanghai)
	date := func(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, shanghai) }
	adj := func(issued time.Time, from time.Time, to *time.Time) Adjustment {
		return Adjustment{Bases: []BasisDocument{{Title: "x", Issued: issued}},
			Changes: []Change{{Kind: ChangeItem, Draft: &ItemVersion{ValidFrom: from, ValidTo: to}}}}
	}
	far := date(2037, 1, 1)
	for _, tc := range []struct {
		name  string
		a     Adjustment
		field string // "" when accepted
	}{
		{"founding day", adj(date(1949, 10, 1), time.Time{}, nil), ""},
		{"a year ahead", adj(now.AddDate(1, 0, 0), time.Time{}, nil), ""},
		{"ten years' validity", adj(date(2026, 10, 8), now.AddDate(10, 0, 0), nil), ""},
		{"1800", adj(date(1800, 1, 1), time.Time{}, nil), "bases[0].issued"},
		{"the day before", adj(date(1949, 9, 30), time.Time{}, nil), "bases[0].issued"},
		{"9999", adj(date(9999, 12, 31), time.Time{}, nil), "bases[0].issued"},
		{"a year and a day ahead", adj(now.AddDate(1, 0, 1), time.Time{}, nil), "bases[0].issued"},
		{"valid from 9999", adj(date(2026, 10, 8), date(9999, 1, 1), nil), "changes[0].draft.valid_from"},
		{"valid to 2037", adj(date(2026, 10, 8), time.Time{}, &far), "changes[0].draft.valid_to"},
	} {
		err := tc.a.CheckDates(now)
		var l apperr.List
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("%s: refused: %v", tc.name, err)
		case tc.field == "":
		case !errors.As(err, &l) || len(l) != 1 || l[0].Field != tc.field || l[0].Message("zh") == "" || l[0].Message("en") == "":
			t.Errorf("%s: got %v, want one error at %s", tc.name, err, tc.field)
		}
	}
}
