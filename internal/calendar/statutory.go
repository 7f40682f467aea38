package calendar

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
)

// The statutory holidays (L9): what the national holiday regulations
// (全国年节及纪念日放假办法) fix for every year, before the State Council's
// notice for it names the make-up working days (调休) and the days bridged
// to make longer breaks. Those are the Council's choice each year and are
// not predicted; nor is the working day given in lieu (补假) of a statutory
// day that falls on a weekend, which the regulations require but do not
// date. A provisional year therefore has at most as many days off as the
// notice will have, and a deadline counted on it is never later than the
// notice's — it is marked provisional wherever it is shown.

// anchorKind says what a statutory holiday's first day is counted from.
type anchorKind uint8

const (
	onSolarDate anchorKind = iota // a Gregorian month and day
	onLunarDate                   // a Chinese-calendar month and day
	onSolarTerm                   // the day the sun reaches a longitude
)

// statutoryHoliday is one holiday of a regulation: Days days, starting
// Offset days after its anchor.
type statutoryHoliday struct {
	name       string
	anchor     anchorKind
	month, day int // solar or lunar date; day is the longitude for onSolarTerm
	offset     int
	days       int
}

var (
	newYearsDay = statutoryHoliday{name: "元旦", anchor: onSolarDate, month: 1, day: 1, days: 1}
	qingming    = statutoryHoliday{name: "清明节", anchor: onSolarTerm, day: 15, days: 1}
	dragonBoat  = statutoryHoliday{name: "端午节", anchor: onLunarDate, month: 5, day: 5, days: 1}
	midAutumn   = statutoryHoliday{name: "中秋节", anchor: onLunarDate, month: 8, day: 15, days: 1}
	nationalDay = statutoryHoliday{name: "国庆节", anchor: onSolarDate, month: 10, day: 1, days: 3}
)

func springFestival(offset, days int) statutoryHoliday {
	return statutoryHoliday{name: "春节", anchor: onLunarDate, month: 1, day: 1, offset: offset, days: days}
}

func labourDay(days int) statutoryHoliday {
	return statutoryHoliday{name: "劳动节", anchor: onSolarDate, month: 5, day: 1, days: days}
}

// Regulation is one version of the national holiday regulations, in force
// for the years from From on (until the next version's From).
type Regulation struct {
	From     int
	Title    string // the regulation's name and version, in Chinese
	TitleEn  string
	holidays []statutoryHoliday
}

// regulations, oldest first. The 1999 version took effect on 18 September
// 1999 and the five-day week on 1 May 1995, so 2000 is the first year a
// provisional calendar is computed for.
var regulations = []Regulation{
	{From: 2000, Title: "全国年节及纪念日放假办法（1999 年修订）", TitleEn: "National Holiday Regulations (1999 revision)",
		holidays: []statutoryHoliday{newYearsDay, springFestival(0, 3), labourDay(3), nationalDay}},
	{From: 2008, Title: "全国年节及纪念日放假办法（2007 年修订）", TitleEn: "National Holiday Regulations (2007 revision)",
		holidays: []statutoryHoliday{newYearsDay, springFestival(-1, 3), qingming, labourDay(1), dragonBoat, midAutumn, nationalDay}},
	{From: 2014, Title: "全国年节及纪念日放假办法（2013 年修订）", TitleEn: "National Holiday Regulations (2013 revision)",
		holidays: []statutoryHoliday{newYearsDay, springFestival(0, 3), qingming, labourDay(1), dragonBoat, midAutumn, nationalDay}},
	{From: 2025, Title: "全国年节及纪念日放假办法（2024 年修订）", TitleEn: "National Holiday Regulations (2024 revision)",
		holidays: []statutoryHoliday{newYearsDay, springFestival(-1, 4), qingming, labourDay(2), dragonBoat, midAutumn, nationalDay}},
}

// RegulationFor returns the regulation in force in year y, or an error for a
// year before the first one a provisional calendar is computed for.
func RegulationFor(y int) (Regulation, error) {
	if y < regulations[0].From || y > LunarMaxYear {
		return Regulation{}, apperr.Invalidf("year", "calendar.statutory_holidays_are_computed_for_only", regulations[0].From, LunarMaxYear)
	}
	r := regulations[0]
	for _, next := range regulations[1:] {
		if next.From <= y {
			r = next
		}
	}
	return r, nil
}

// first is the holiday's first day in year y.
func (h statutoryHoliday) first(y int) (Date, error) {
	var d Date
	var err error
	switch h.anchor {
	case onSolarDate:
		d = DateOf(y, time.Month(h.month), h.day)
	case onLunarDate:
		d, err = LunarDate(y, h.month, h.day)
	case onSolarTerm:
		d, err = SolarTerm(y, h.day)
	}
	return d + Date(h.offset), err
}

// StatutoryDays returns the statutory holidays of year y under the
// regulation in force that year, in date order. A date two holidays share
// (中秋节 on 1 October) is listed once under both names.
func StatutoryDays(y int) ([]Day, error) {
	r, err := RegulationFor(y)
	if err != nil {
		return nil, err
	}
	names := map[Date][]string{}
	for _, h := range r.holidays {
		start, err := h.first(y)
		if err != nil {
			return nil, err
		}
		for i := range h.days {
			names[start+Date(i)] = append(names[start+Date(i)], h.name)
		}
	}
	out := make([]Day, 0, len(names))
	for d, n := range names {
		out = append(out, Day{Name: strings.Join(n, "、"), Date: d, IsOffDay: true})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Date < out[j].Date })
	return out, nil
}

var provisionalYears sync.Map // int → Year; pure results, kept once computed

// ProvisionalYear is year y as the law alone fixes it: its statutory
// holidays (StatutoryDays), Papers naming the regulation. It is what a
// calendar built with Options.ProvisionalYears uses for a year without a
// notice.
func ProvisionalYear(y int) (Year, error) {
	if v, ok := provisionalYears.Load(y); ok {
		py := v.(Year)
		py.Days, py.Papers = slices.Clone(py.Days), slices.Clone(py.Papers) // the caller may change its copy
		return py, nil
	}
	r, err := RegulationFor(y)
	if err != nil {
		return Year{}, err
	}
	days, err := StatutoryDays(y)
	if err != nil {
		return Year{}, fmt.Errorf("calendar: statutory holidays of %d: %w", y, err)
	}
	provisionalYears.Store(y, Year{Year: y, Papers: []string{r.Title}, Days: slices.Clone(days)})
	return Year{Year: y, Papers: []string{r.Title}, Days: days}, nil
}
