package calendar

import (
	"fmt"
	"sync"

	"github.com/qingdan/qingdan/internal/apperr"
)

// The Chinese calendar (农历) as GB/T 33661-2017 states its rules, computed
// rather than tabulated (L9):
//
//   - days are counted in China Standard Time (UTC+8);
//   - a month begins on the day of a new moon;
//   - the month holding the winter solstice (冬至, sun at 270°) is the 11th;
//   - when 13 months begin from one 11th month up to the next, the first of
//     them whose days hold no major solar term (中气, sun at a multiple of
//     30°) is a leap month, numbered as the month before it.

// LunarMinYear and LunarMaxYear bound the years the lunar computation
// answers for: where its ΔT and series are known to hold.
const (
	LunarMinYear = 1950
	LunarMaxYear = 2200
)

// lunarMonth is one month: its first day, number (1–12) and leap flag.
type lunarMonth struct {
	start Date
	num   int
	leap  bool
}

// lunarCycle is the months from the 11th month holding the winter solstice
// of Gregorian year y-1 up to and including the 11th month holding that of
// year y (its last entry, whose start ends the month before it).
type lunarCycle []lunarMonth

var cycles sync.Map // int → lunarCycle; pure results, kept once computed

// cycleOf returns the lunar cycle ending with the winter solstice of year y.
func cycleOf(y int) lunarCycle {
	if c, ok := cycles.Load(y); ok {
		return c.(lunarCycle)
	}
	c := computeCycle(y)
	cycles.Store(y, c)
	return c
}

func computeCycle(y int) lunarCycle {
	ws1 := sunAt(270, marchEquinoxGuess(y-1)+275)
	ws2 := sunAt(270, marchEquinoxGuess(y)+275)
	k1, k2 := monthHolding(cstDate(ws1)), monthHolding(cstDate(ws2))
	n := int(k2 - k1)
	months := make(lunarCycle, n+1)
	for i := range months {
		months[i].start = cstDate(newMoon(k1 + float64(i)))
	}
	leap := -1
	if n == 13 {
		// The major terms from the first solstice on; the 12th is the next one.
		var terms [12]Date
		for j := range terms {
			terms[j] = cstDate(sunAt(float64(270+30*j), ws1+float64(j)*tropicalYear/12))
		}
		for i := 1; i < n && leap < 0; i++ {
			holds := false
			for _, d := range terms {
				if months[i].start <= d && d < months[i+1].start {
					holds = true
				}
			}
			if !holds {
				leap = i
			}
		}
	}
	num := 11
	months[0].num = num
	for i := 1; i <= n; i++ {
		if i == leap {
			months[i].leap = true
		} else {
			num = num%12 + 1
		}
		months[i].num = num
	}
	return months
}

// monthHolding is the lunation whose first day is on or before d and whose
// successor's first day is after d.
func monthHolding(d Date) float64 {
	k := lunationNear(d.julianNoon())
	for cstDate(newMoon(k)) > d {
		k--
	}
	for cstDate(newMoon(k+1)) <= d {
		k++
	}
	return k
}

// julianNoon is the JDE of noon of d, near enough for a first guess.
func (d Date) julianNoon() float64 { return float64(d) + unixEpochJD + 0.5 }

// LunarDate returns the Gregorian date of day `day` of month `month`
// (1–12, not a leap month) of the lunar year whose first month begins in
// Gregorian year y: LunarDate(2027, 1, 1) is the Spring Festival of 2027.
func LunarDate(y, month, day int) (Date, error) {
	if y < LunarMinYear || y > LunarMaxYear {
		return 0, apperr.Invalidf("year", "calendar.the_lunar_calendar_is_computed_for", LunarMinYear, LunarMaxYear)
	}
	if month < 1 || month > 12 || day < 1 || day > 30 {
		return 0, apperr.Invalidf("date", "calendar.lunar_month_day_does_not_exist", month, day)
	}
	// Months 1–10 of lunar year y lie in the cycle ending in December y; its
	// 11th and 12th months open the next cycle.
	c, from := cycleOf(y), 1
	if month >= 11 {
		c, from = cycleOf(y+1), 0
	}
	for i := from; i < len(c)-1; i++ {
		m := c[i]
		if m.num != month || m.leap {
			continue
		}
		if length := int(c[i+1].start - m.start); day > length {
			return 0, apperr.Invalidf("date", "calendar.lunar_month_of_has_only_days", y, month, length)
		}
		return m.start + Date(day-1), nil
	}
	// Unreachable by the rules: every cycle numbers 11, 12, 1 … 11.
	return 0, fmt.Errorf("calendar: lunar year %d has no month %d", y, month)
}

// SolarTerm returns the date (China Standard Time) in Gregorian year y on
// which the sun's apparent longitude reaches lon degrees (a multiple of 15:
// 0 春分, 15 清明, 90 夏至, 270 冬至 …).
func SolarTerm(y int, lon int) (Date, error) {
	if y < LunarMinYear || y > LunarMaxYear {
		return 0, apperr.Invalidf("year", "calendar.solar_terms_are_computed_for_only", LunarMinYear, LunarMaxYear)
	}
	if lon < 0 || lon >= 360 || lon%15 != 0 {
		return 0, apperr.Invalidf("longitude", "calendar.a_solar_term_s_longitude_is")
	}
	// Terms from 285° (小寒, early January) to 345° fall before the March
	// equinox of the same year.
	days := float64(lon) / 360 * tropicalYear
	if lon >= 285 {
		days -= tropicalYear
	}
	return cstDate(sunAt(float64(lon), marchEquinoxGuess(y)+days)), nil
}
