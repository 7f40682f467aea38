package calendar

import (
	"errors"
	"strings"
	"testing"

	"github.com/qingdan/qingdan/internal/apperr"
)

// A year entered by hand as the notice words it round-trips through Ranges,
// and the month counts show what it does to each month.
func TestRanges_L9_yearEnteredAsTheNoticeWordsIt(t *testing.T) {
	rows := []Range{
		{From: d("2027-01-01"), To: d("2027-01-03"), Name: "元旦", IsOffDay: true},
		{From: d("2027-02-05"), To: d("2027-02-06"), Name: "春节", IsOffDay: true},
		{From: d("2027-02-07"), To: d("2027-02-07"), Name: "春节", IsOffDay: false}, // Sunday
		{From: d("2027-02-08"), To: d("2027-02-13"), Name: "春节", IsOffDay: true},
	}
	y, err := YearOfRanges(2027, rows)
	if err != nil {
		t.Fatal(err)
	}
	if len(y.Days) != 12 {
		t.Fatalf("%d days, want 12", len(y.Days))
	}
	if back := Ranges(y); len(back) != len(rows) || back[2] != rows[2] || back[3] != rows[3] {
		t.Errorf("ranges %+v, want %+v", back, rows)
	}
	cal, err := provisionalCalendar(t).Merge(y)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := cal.Months(2027)
	if err != nil {
		t.Fatal(err)
	}
	// February 2027: 20 weekdays, 5–12 off are 6 of them (5, 8–12), the
	// Sunday 7th works: 15 working days, 1 make-up day.
	if f := ms[1]; f.Working != 15 || f.Holidays != 6 || f.MakeUp != 1 || f.Working+f.Off != 28 {
		t.Errorf("February %+v", f)
	}
	// April: the notice leaves out 清明, so every weekday works.
	if a := ms[3]; a.Working != 22 || a.Holidays != 0 {
		t.Errorf("April %+v", a)
	}
	if _, err := provisionalCalendar(t).Months(2040); err == nil {
		t.Error("months of a year beyond the horizon counted")
	}
}

func TestRanges_L9_badRowsNamedInWords(t *testing.T) {
	ok := Range{From: d("2027-01-01"), To: d("2027-01-01"), Name: "元旦", IsOffDay: true}
	for _, tc := range []struct {
		name  string
		rows  []Range
		field string
		zh    string
	}{
		{"no rows", nil, "rows", "至少"},
		{"no name", []Range{ok, {From: d("2027-02-05"), To: d("2027-02-06"), IsOffDay: true}}, "rows[1].name", "第 2 行"},
		{"end before start", []Range{{From: d("2027-02-06"), To: d("2027-02-05"), Name: "春节", IsOffDay: true}}, "rows[0].to", "早于"},
		{"wrong year", []Range{{From: d("2026-10-01"), To: d("2026-10-03"), Name: "国庆节", IsOffDay: true}}, "rows[0].from", "不在 2027 年"},
		{"too long", []Range{{From: d("2027-03-01"), To: d("2027-06-01"), Name: "长假", IsOffDay: true}}, "rows[0].to", "62"},
		{"overlap", []Range{ok, {From: d("2026-12-31"), To: d("2027-01-02"), Name: "元旦", IsOffDay: true}}, "rows[1].from", "已在第 1 行"},
		{"make-up on a weekday", []Range{{From: d("2027-02-04"), To: d("2027-02-04"), Name: "春节", IsOffDay: false}}, "rows[0].kind", "星期四"},
	} {
		_, err := YearOfRanges(2027, tc.rows)
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Code != apperr.Invalid || ae.Field != tc.field || !strings.Contains(ae.Message("zh"), tc.zh) || ae.Message("en") == "" {
			t.Errorf("%s: %v (field %q); want field %s, %q", tc.name, err, fieldOf(err), tc.field, tc.zh)
		}
	}
}

func fieldOf(err error) string {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return ae.Field
	}
	return ""
}
