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
		return Year{}, apperr.Invalidf("year", "年份 %d 超出范围 %d–%d", "year %d outside %d–%d", year, MinYear, MaxYear)
	}
	if len(rows) == 0 {
		return Year{}, apperr.Invalidf("rows", "请至少填写一行节假日或调休安排", "enter at least one holiday or make-up working day")
	}
	lo, hi := DateOf(year-1, 12, 1), DateOf(year+1, 1, 31)
	y := Year{Year: year}
	seen := map[Date]int{}
	for i, r := range rows {
		row := i + 1
		name := strings.TrimSpace(r.Name)
		switch {
		case name == "":
			return Year{}, apperr.Invalidf(RangeField(i, "name"), "第 %d 行：请填写节日名称", "row %d: give the holiday's name", row)
		case utf8.RuneCountInString(name) > MaxNameRunes:
			return Year{}, apperr.Invalidf(RangeField(i, "name"), "第 %d 行：名称不能超过 %d 个字", "row %d: the name cannot exceed %d characters", row, MaxNameRunes)
		case r.From < lo || r.From > hi:
			return Year{}, apperr.Invalidf(RangeField(i, "from"), "第 %d 行：%s 不在 %d 年（或其前后相邻的 12 月、1 月）内",
				"row %d: %s is not in %d (or the December before or January after it)", row, r.From, year)
		case r.To < r.From:
			return Year{}, apperr.Invalidf(RangeField(i, "to"), "第 %d 行：结束日期 %s 早于开始日期 %s", "row %d: the end %s is before the start %s", row, r.To, r.From)
		case r.To > hi:
			return Year{}, apperr.Invalidf(RangeField(i, "to"), "第 %d 行：%s 不在 %d 年（或其前后相邻的 12 月、1 月）内",
				"row %d: %s is not in %d (or the December before or January after it)", row, r.To, year)
		case int(r.To-r.From)+1 > MaxRangeDays:
			return Year{}, apperr.Invalidf(RangeField(i, "to"), "第 %d 行：一段不能超过 %d 天", "row %d: a range cannot exceed %d days", row, MaxRangeDays)
		}
		for d := r.From; d <= r.To; d++ {
			if j, dup := seen[d]; dup {
				return Year{}, apperr.Invalidf(RangeField(i, "from"), "第 %d 行：%s 已在第 %d 行中", "row %d: %s is already in row %d", row, d, j+1)
			}
			seen[d] = i
			if w := d.Weekday(); !r.IsOffDay && w != time.Saturday && w != time.Sunday {
				return Year{}, &apperr.Error{Code: apperr.Invalid, Field: RangeField(i, "kind"),
					Zh: fmt.Sprintf("第 %d 行：%s 是%s，本来就上班；调休上班日应在周末", row, d, weekdayZh[w]),
					En: fmt.Sprintf("row %d: %s is a %s, a working day anyway; a make-up working day falls on a weekend", row, d, w)}
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
