package calendar

import (
	"strings"
	"testing"
)

// TestStatutory_L9_provisionalYear2027: the days the 2024 regulation fixes
// for 2027, all off, 13 in all, named as the notices name them, the
// regulation in Papers.
func TestStatutory_L9_provisionalYear2027(t *testing.T) {
	y, err := ProvisionalYear(2027)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, day := range y.Days {
		if !day.IsOffDay {
			t.Errorf("%s is a working day", day.Date)
		}
		got = append(got, day.Date.String()+" "+day.Name)
	}
	want := []string{"2027-01-01 元旦", "2027-02-05 春节", "2027-02-06 春节", "2027-02-07 春节", "2027-02-08 春节",
		"2027-04-05 清明节", "2027-05-01 劳动节", "2027-05-02 劳动节", "2027-06-09 端午节", "2027-09-15 中秋节",
		"2027-10-01 国庆节", "2027-10-02 国庆节", "2027-10-03 国庆节"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("2027:\n got %s\nwant %s", strings.Join(got, "; "), strings.Join(want, "; "))
	}
	if len(y.Papers) != 1 || !strings.Contains(y.Papers[0], "2024") || y.Validate() != nil {
		t.Errorf("papers %v, valid %v", y.Papers, y.Validate())
	}
	// The caller's copy is its own.
	y.Days[0].Name = "x"
	if again, _ := ProvisionalYear(2027); again.Days[0].Name != "元旦" {
		t.Error("a caller's change reached the cached year")
	}
}

// Each year is counted under the regulation in force in it: the 1999 text
// to 2007 (劳动节 three days, no 清明), 2007's from 2008 (春节 from 除夕),
// 2013's from 2014 (初一 to 初三), 2024's from 2025 (four days of 春节, two
// of 劳动节). Two holidays on one date are one day with both names.
func TestStatutory_L9_regulationInForceEachYear(t *testing.T) {
	for _, tc := range []struct {
		year      int
		revision  string
		days      int
		has, lack string
	}{
		{2007, "1999", 10, "2007-05-03", "2007-04-05"},
		{2008, "2007", 11, "2008-02-06", "2008-05-02"}, // 除夕 6 February
		{2013, "2007", 11, "2013-02-09", "2013-02-12"}, // 除夕 9, 初三 12
		{2014, "2013", 11, "2014-02-02", "2014-01-30"}, // 初三 2 February, not 除夕 30 January
		{2024, "2013", 11, "2024-02-12", "2024-02-09"},
		{2025, "2024", 13, "2025-01-28", "2025-05-03"}, // 除夕 28 January; 劳动节 1–2 May
	} {
		r, err := RegulationFor(tc.year)
		if err != nil || !strings.Contains(r.Title, tc.revision) {
			t.Errorf("%d: %s, %v; want the %s revision", tc.year, r.Title, err, tc.revision)
		}
		days, err := StatutoryDays(tc.year)
		if err != nil {
			t.Fatal(err)
		}
		listed := map[string]bool{}
		for _, d := range days {
			listed[d.Date.String()] = true
		}
		if len(days) != tc.days || !listed[tc.has] || listed[tc.lack] {
			t.Errorf("%d: %d days (want %d), %s listed %v (want true), %s listed %v (want false)",
				tc.year, len(days), tc.days, tc.has, listed[tc.has], tc.lack, listed[tc.lack])
		}
	}
	days, _ := StatutoryDays(2020) // 中秋 on 1 October
	for _, d := range days {
		if d.Date.String() == "2020-10-01" && d.Name != "中秋节、国庆节" {
			t.Errorf("2020-10-01 named %q", d.Name)
		}
	}
	if _, err := RegulationFor(1999); err == nil {
		t.Error("a provisional 1999 computed (six-day weeks, the 1949 text)")
	}
}
