package calendar

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// oracleDir is the independent holiday-cn data set beside the checkout; the
// product never reads it, only this test does.
const oracleDir = "../../../shared/data/holiday-cn"

// TestCalendar_L9_matchesIndependentOracle checks every day of every year the
// project ships against the oracle: 0 mismatches. The oracle files list only
// moved days, and a late-December day can sit in the next year's file, so
// every file is read and applied in year order.
func TestCalendar_L9_matchesIndependentOracle(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(oracleDir, "*.json"))
	if len(files) == 0 {
		t.Skip("oracle data absent at " + oracleDir)
	}
	type oday struct {
		Date     string `json:"date"`
		IsOffDay bool   `json:"isOffDay"`
	}
	oracleOff := map[string]bool{}
	oracleYears := map[int]bool{}
	for y := 2000; y <= 2100; y++ {
		b, err := os.ReadFile(filepath.Join(oracleDir, strconv.Itoa(y)+".json"))
		if err != nil {
			continue
		}
		var f struct {
			Days []oday `json:"days"`
		}
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatalf("oracle %d: %v", y, err)
		}
		if len(f.Days) > 0 {
			oracleYears[y] = true
		}
		for _, d := range f.Days {
			oracleOff[d.Date] = d.IsOffDay
		}
	}
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	years := c.Years()
	for y := 2020; y <= 2026; y++ {
		if !c.Covers(y) {
			t.Errorf("L9: the project's data lacks %d", y)
		}
	}
	mismatches, checked := 0, 0
	for _, y := range years {
		if !oracleYears[y] {
			t.Logf("year %d: no oracle data, not checked", y)
			continue
		}
		for d := DateOf(y, 1, 1); d < DateOf(y+1, 1, 1); d++ {
			want := true
			if off, ok := oracleOff[d.String()]; ok {
				want = !off
			} else if w := d.Weekday(); w == time.Saturday || w == time.Sunday {
				want = false
			}
			got, err := c.IsWorkingDay(d)
			if err != nil {
				t.Fatal(err)
			}
			checked++
			if got != want {
				mismatches++
				t.Errorf("%s (%s): working day = %v, oracle says %v", d, d.Weekday(), got, want)
			}
		}
	}
	t.Logf("checked %d days of %v: %d mismatches", checked, years, mismatches)
}
