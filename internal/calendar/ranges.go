package calendar

import (
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/qingdan/qingdan/internal/apperr"
)

// Range is a run of days a notice moves alike, as the notice words it:
// "春节：2月5日至13日放假" or "2月7日（星期日）上班". It is how an
// administrator enters a year by hand.
type Range struct {
	From, To Date
	Name     string
	IsOffDay bool
}

// MaxRangeDays bounds one range: no holiday in a notice is longer (the
// iCalendar reader has the same limit).
const MaxRangeDays = 62

// MaxNameRunes bounds a holiday's name.
const MaxNameRunes = 64

// Ranges groups a year's days into ranges: consecutive dates with the same
// name and kind, in date order.
func Ranges(y Year) []Range {
	days := append([]Day(nil), y.Days...)
	sort.Slice(days, func(i, j int) bool { return days[i].Date < days[j].Date })
	var out []Range
	for _, d := range days {
		if n := len(out); n > 0 && out[n-1].To+1 == d.Date && out[n-1].Name == d.Name && out[n-1].IsOffDay == d.IsOffDay {
			out[n-1].To = d.Date
			continue
		}
		out = append(out, Range{From: d.Date, To: d.Date, Name: d.Name, IsOffDay: d.IsOffDay})
	}
	return out
}

// RangeField names field f of row i (0-based) of an entered year, the way
// the admin form's controls are named.
func RangeField(i int, f string) string { return fmt.Sprintf("rows[%d].%s", i, f) }

// YearOfRanges makes year `year` from ranges entered by hand. Each error
// names the row, in words and as RangeField, and nothing is returned with
// it: a range must end on or after its start, stay within MaxRangeDays and
// within the year (or its neighbouring December and January, as a notice
// may), have a name, not repeat a date of another range, and a make-up
// working day must fall on a weekend (a weekday is one already).
func YearOfRanges(year int, rows []Range) (Year, error) {
	if year < MinYear || year > MaxYear {
		return Year{}, apperr.Invalidf("year", "calendar.year_outside", year, MinYear, MaxYear)
	}
	if len(rows) == 0 {
		return Year{}, apperr.Invalidf("rows", "calendar.enter_at_least_one_holiday_or")
	}
	lo, hi := DateOf(year-1, 12, 1), DateOf(year+1, 1, 31)
	y := Year{Year: year}
	seen := map[Date]int{}
	for i, r := range rows {
		row := i + 1
		name := strings.TrimSpace(r.Name)
		switch {
		case name == "":
			return Year{}, apperr.Invalidf(RangeField(i, "name"), "calendar.row_give_the_holiday_s_name", row)
		case utf8.RuneCountInString(name) > MaxNameRunes:
			return Year{}, apperr.Invalidf(RangeField(i, "name"), "calendar.row_the_name_cannot_exceed_characters", row, MaxNameRunes)
		case r.From < lo || r.From > hi:
			return Year{}, apperr.Invalidf(RangeField(i, "from"), "calendar.row_is_not_in_or_the", row, r.From, year)
		case r.To < r.From:
			return Year{}, apperr.Invalidf(RangeField(i, "to"), "calendar.row_the_end_is_before_the", row, r.To, r.From)
		case r.To > hi:
			return Year{}, apperr.Invalidf(RangeField(i, "to"), "calendar.row_is_not_in_or_the", row, r.To, year)
		case int(r.To-r.From)+1 > MaxRangeDays:
			return Year{}, apperr.Invalidf(RangeField(i, "to"), "calendar.row_a_range_cannot_exceed_days", row, MaxRangeDays)
		}
		for d := r.From; d <= r.To; d++ {
			if j, dup := seen[d]; dup {
				return Year{}, apperr.Invalidf(RangeField(i, "from"), "calendar.row_is_already_in_row", row, d, j+1)
			}
			seen[d] = i
			if w := d.Weekday(); !r.IsOffDay && w != time.Saturday && w != time.Sunday {
				return Year{}, &apperr.Error{Code: apperr.Invalid, Field: RangeField(i, "kind"), Key: "calendar.row_is_a_a_working_day", Args: []any{row, d, weekdayZh[w],
					w}}
			}
			y.Days = append(y.Days, Day{Name: name, Date: d, IsOffDay: r.IsOffDay})
		}
	}
	if err := y.Validate(); err != nil {
		return Year{}, err
	}
	return y, nil
}

var weekdayZh = [7]string{"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"}

// Month is one month of a year as the calendar counts it.
type Month struct {
	Month time.Month `json:"month"`
	// Working counts the working days, make-up days included.
	Working int `json:"working"`
	// Off counts the rest days: weekends and holidays.
	Off int `json:"off"`
	// Holidays counts the days off that fall on a weekday.
	Holidays int `json:"holidays"`
	// MakeUp counts the working days that fall on a weekend (调休).
	MakeUp int `json:"make_up"`
}

// Months counts each month of year y: what an administrator checks a year
// against before saving it. y must be known (noticed or provisional).
func (c *Calendar) Months(y int) ([]Month, error) {
	out := make([]Month, 12)
	for m := range out {
		out[m].Month = time.Month(m + 1)
		for d := DateOf(y, time.Month(m+1), 1); d < DateOf(y, time.Month(m+2), 1); d++ {
			working, err := c.IsWorkingDay(d)
			if err != nil {
				return nil, err
			}
			weekend := d.Weekday() == time.Saturday || d.Weekday() == time.Sunday
			switch {
			case working:
				out[m].Working++
				if weekend {
					out[m].MakeUp++
				}
			default:
				out[m].Off++
				if !weekend {
					out[m].Holidays++
				}
			}
		}
	}
	return out, nil
}
