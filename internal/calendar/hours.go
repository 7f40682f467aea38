package calendar

import (
	"fmt"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
)

// BusinessHours are a body's opening hours on working days, as offsets from
// local midnight: sorted, disjoint, non-empty intervals. Limits counted in
// working hours run only inside them.
type BusinessHours struct{ iv []interval }

type interval struct{ from, to time.Duration }

// DefaultBusinessHours are 9:00–12:00 and 13:30–17:30, a common government
// office day (7 hours). Bodies set their own with ParseBusinessHours.
var DefaultBusinessHours = mustHours("09:00-12:00,13:30-17:30")

func mustHours(s string) BusinessHours {
	h, err := ParseBusinessHours(s)
	if err != nil {
		panic(err)
	}
	return h
}

// ParseBusinessHours reads "HH:MM-HH:MM[,HH:MM-HH:MM…]" (24:00 allowed as an
// end). Intervals must be ascending and must not overlap.
func ParseBusinessHours(s string) (BusinessHours, error) {
	var h BusinessHours
	s = strings.TrimSpace(s)
	if s == "" {
		return h, apperr.Invalidf("business_hours", "calendar.business_hours_cannot_be_empty")
	}
	for _, part := range strings.Split(s, ",") {
		a, b, ok := strings.Cut(strings.TrimSpace(part), "-")
		if !ok {
			return BusinessHours{}, apperr.Invalidf("business_hours", "calendar.interval_must_be_hh_mm_hh", part)
		}
		from, err1 := parseClock(a)
		to, err2 := parseClock(b)
		if err1 != nil || err2 != nil || to <= from {
			return BusinessHours{}, apperr.Invalidf("business_hours", "calendar.interval_is_invalid", part)
		}
		if n := len(h.iv); n > 0 && from < h.iv[n-1].to {
			return BusinessHours{}, apperr.Invalidf("business_hours", "calendar.interval_overlaps_or_precedes_the_one", part)
		}
		h.iv = append(h.iv, interval{from, to})
	}
	return h, nil
}

func parseClock(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	hh, mm, ok := strings.Cut(s, ":")
	h, ok1 := atoiN(hh)
	m, ok2 := atoiN(mm)
	if !ok || !ok1 || !ok2 || len(hh) == 0 || len(hh) > 2 || len(mm) != 2 || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("bad time %q", s)
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, nil
}

// String writes the form ParseBusinessHours reads.
func (h BusinessHours) String() string {
	parts := make([]string, len(h.iv))
	for i, v := range h.iv {
		parts[i] = fmt.Sprintf("%s-%s", hhmm(v.from), hhmm(v.to))
	}
	return strings.Join(parts, ",")
}

func hhmm(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// MarshalText writes the form ParseBusinessHours reads.
func (h BusinessHours) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText reads the form String writes.
func (h *BusinessHours) UnmarshalText(b []byte) error {
	v, err := ParseBusinessHours(string(b))
	if err != nil {
		return err
	}
	*h = v
	return nil
}

// PerDay is the business time in one working day.
func (h BusinessHours) PerDay() time.Duration {
	var d time.Duration
	for _, v := range h.iv {
		d += v.to - v.from
	}
	return d
}

// within is the business time of a working day before time of day tod.
func (h BusinessHours) within(tod time.Duration) time.Duration {
	var d time.Duration
	for _, v := range h.iv {
		if tod <= v.from {
			break
		}
		d += min(tod, v.to) - v.from
	}
	return d
}

// at is the time of day at which r (0 < r <= PerDay) of business time has
// passed; exactly at an interval's end when r completes it.
func (h BusinessHours) at(r time.Duration) time.Duration {
	for _, v := range h.iv {
		if l := v.to - v.from; r <= l {
			return v.from + r
		} else {
			r -= l
		}
	}
	return h.iv[len(h.iv)-1].to
}

func timeOfDay(t time.Time) time.Duration {
	hh, mm, ss := t.Clock()
	return time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute + time.Duration(ss)*time.Second + time.Duration(t.Nanosecond())
}

// businessPos is the business time from the calendar's epoch to t: the
// measure working-hour limits are counted on.
func (c *Calendar) businessPos(t time.Time) (int64, int, error) {
	lt := t.In(c.loc)
	y, m, d := lt.Date()
	i, err := c.index(DateOf(y, m, d))
	if err != nil {
		return 0, 0, err
	}
	per := int64(c.hours.PerDay())
	pos := int64(c.cum[i]) * per
	if c.cum[i+1] != c.cum[i] {
		pos += int64(c.hours.within(timeOfDay(lt)))
	}
	return pos, i, nil
}

// fromBusinessPos is the earliest instant at which businessPos reaches p
// (p > 0), on the run of known years holding day index i.
func (c *Calendar) fromBusinessPos(p int64, i int, forward bool) (time.Time, error) {
	per := int64(c.hours.PerDay())
	k := (p + per - 1) / per // 1-based working day holding p
	if k < 1 || k > int64(len(c.work)) {
		return time.Time{}, c.beyond(i, forward)
	}
	w := int(c.work[k-1])
	if c.seg[w] != c.seg[i] {
		return time.Time{}, c.beyond(i, forward)
	}
	r := time.Duration(p - (k-1)*per)
	y, mo, d := (c.epoch + Date(w)).Civil()
	return time.Date(y, mo, d, 0, 0, 0, 0, c.loc).Add(c.hours.at(r)), nil
}

// AddWorkingHours returns the instant h of business time after start,
// counting only business hours on working days. A start outside business
// hours counts from the next opening. h = 0 returns start.
func (c *Calendar) AddWorkingHours(start time.Time, h time.Duration) (time.Time, error) {
	if h < 0 {
		return time.Time{}, apperr.Invalidf("hours", "calendar.working_hours_cannot_be_negative")
	}
	p, i, err := c.businessPos(start)
	if err != nil || h == 0 {
		return start, err
	}
	return c.fromBusinessPos(p+int64(h), i, true)
}

// WorkingHoursBetween is the business time from a to b (negative if b < a).
func (c *Calendar) WorkingHoursBetween(a, b time.Time) (time.Duration, error) {
	pa, i, err := c.businessPos(a)
	if err != nil {
		return 0, err
	}
	pb, j, err := c.businessPos(b)
	if err != nil {
		return 0, err
	}
	if c.seg[i] != c.seg[j] {
		return 0, c.beyond(i, j > i)
	}
	return time.Duration(pb - pa), nil
}
