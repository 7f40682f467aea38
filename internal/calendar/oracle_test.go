package calendar

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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
	oracleOff, oracleYears := readOracle(t)
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

// readOracle reads every oracle file: the listed dates (YYYY-MM-DD → off)
// and the years whose notice the oracle has (2027's file is empty until the
// notice is issued).
func readOracle(t *testing.T) (off map[string]bool, years map[int]bool) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(oracleDir, "*.json"))
	if len(files) == 0 {
		t.Skip("oracle data absent at " + oracleDir)
	}
	off, years = map[string]bool{}, map[int]bool{}
	for y := 2000; y <= 2100; y++ {
		b, err := os.ReadFile(filepath.Join(oracleDir, strconv.Itoa(y)+".json"))
		if err != nil {
			continue
		}
		var f struct {
			Days []struct {
				Date     string `json:"date"`
				IsOffDay bool   `json:"isOffDay"`
			} `json:"days"`
		}
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatalf("oracle %d: %v", y, err)
		}
		if len(f.Days) > 0 {
			years[y] = true
		}
		for _, d := range f.Days {
			off[d.Date] = d.IsOffDay
		}
	}
	return off, years
}

// TestStatutory_L9_everyStatutoryDayIsAnOracleHoliday computes, for every
// year the oracle has a notice for (2007–2026), the statutory holidays of
// the regulation in force that year — the lunar dates and 清明 computed, not
// looked up — and finds each one listed as a day off by the State
// Council's notice. The converse does not hold and is not tested: the
// notices' make-up working days (调休), the days bridged to make a week and
// the days in lieu of a statutory day on a weekend are the Council's choice
// each year, which a provisional year does not predict.
func TestStatutory_L9_everyStatutoryDayIsAnOracleHoliday(t *testing.T) {
	oracleOff, oracleYears := readOracle(t)
	checked := 0
	for y := 2007; y <= 2027; y++ {
		if !oracleYears[y] {
			t.Logf("%d: the oracle has no notice, not checked", y)
			continue
		}
		r, err := RegulationFor(y)
		if err != nil {
			t.Fatal(err)
		}
		days, err := StatutoryDays(y)
		if err != nil {
			t.Fatal(err)
		}
		notice := 0
		for k, off := range oracleOff {
			if off && strings.HasPrefix(k, strconv.Itoa(y)) {
				notice++
			}
		}
		for _, d := range days {
			checked++
			if off, listed := oracleOff[d.Date.String()]; !listed || !off {
				t.Errorf("%d (%s): %s %s (%s) is not a holiday of the notice", y, r.Title, d.Name, d.Date, d.Date.Weekday())
			}
		}
		t.Logf("%d, %s: %d statutory days, all among the %d days off its notice lists", y, r.TitleEn, len(days), notice)
	}
	if checked == 0 {
		t.Fatal("no year checked")
	}
}
