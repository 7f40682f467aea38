// Package calendar is qingdan's working-day calendar and case clock (rules
// L1–L4, L9–L11, H2, H7, P4, P6 of DOMAIN.md). It is pure: no database, no
// clock reads; callers pass instants in and get answers out.
//
// # Days and instants
//
// Arithmetic on days works on Date (a civil date). A limit of N working days
// counted from a start day S ends at the end of the N-th working day after S,
// S not counted (L11). The instant a limit falls due is 24:00 of its last day
// in the calendar's zone (= 00:00 of the next day, Date.End); a case is
// overdue at that instant and after, and the due date shown is the last day
// (DueDate). A natural-day limit whose last day is a rest day moves to the
// next working day; an hour limit runs on the clock, or on business hours
// when counted in working hours.
//
// # Representation
//
// A Calendar covers whole years. For every day since its first year it keeps
// the number of working days before it (cum) and, inversely, the day of
// every working day (work); AddWorkingDays and WorkingDaysBetween are two
// array reads. 30 years take about 100 KB. A Calendar is immutable: Merge
// returns a new one, so clocks evaluated against it simply get the new
// answer.
//
// # Provisional years (L9)
//
// Built with Options.ProvisionalYears, a calendar answers for a year without
// a notice too, from the statutory holidays of the regulation in force that
// year (ProvisionalYear). Such a year is provisional: IsProvisional says so,
// ProvisionalBetween tells whether a span of days touches one, and every
// clock answer carries the flag. Loading the year's notice (Merge, or a new
// calendar over the stored years) replaces it.
package calendar

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
)

// Calendar answers working-day questions for the years it has data for.
// The zero value is not usable; build one with New or Default.
type Calendar struct {
	loc   *time.Location
	hours BusinessHours

	first, last int // first and last year of the arrays
	epoch       Date
	cum         []int32  // cum[i] = working days in [epoch, epoch+i); len = days+1
	work        []int32  // work[k] = index of the (k+1)-th working day
	seg         []uint16 // seg[i] = 1-based run of contiguous known years holding day i; 0 = unknown year
	segs        []span   // runs of known years, by seg-1

	years    map[int]Year // source data, kept for Merge and export
	regional []Day

	provisionalYears int          // Options.ProvisionalYears, kept for Merge
	provisional      map[int]bool // years answered from ProvisionalYear
}

type span struct{ first, last int }

// Options adjust a calendar beyond the national years.
type Options struct {
	// Location is the zone days are counted in; nil means Asia/Shanghai.
	Location *time.Location
	// Regional are a region's own extra holidays (or working days) on top
	// of the national notices, e.g. an autonomous region's festival. Each
	// must fall in a year the calendar has data for.
	Regional []Day
	// Hours are the business hours for limits in working hours; zero means
	// DefaultBusinessHours.
	Hours BusinessHours
	// ProvisionalYears, when above 0, fills every year without a notice —
	// a gap between noticed years, or one of the ProvisionalYears years after
	// the last — with its statutory holidays (ProvisionalYear), marked
	// provisional (L9). Years before the first notice stay unknown.
	ProvisionalYears int
}

// ProvisionalHorizon is how many years past the last notice the stored
// calendar and the command line compute provisionally: enough for any
// limit a case or complaint runs on, few enough to keep a calendar small.
const ProvisionalHorizon = 10

// DefaultLocation is the zone of the national notices.
var DefaultLocation = mustLoad("Asia/Shanghai")

func mustLoad(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		// time/tzdata is linked into the binary, so this cannot fail there;
		// fall back to the fixed offset rather than crash a test binary.
		return time.FixedZone("CST", 8*3600)
	}
	return l
}

// MissingYearError is the cause of the error for a question the calendar
// cannot answer: it has no data for Year. Callers show it to administrators.
type MissingYearError struct{ Year int }

func (e *MissingYearError) Error() string { return fmt.Sprintf("no calendar data for %d", e.Year) }

func missing(year int) error {
	return &apperr.Error{Code: apperr.NotFound, Field: "year", Key: "calendar.no_holiday_data_for_the_limit", Args: []any{year}, Err: &MissingYearError{Year: year}}
}

// MissingYear reports the year an error says is missing, if it is that error.
func MissingYear(err error) (int, bool) {
	var m *MissingYearError
	if errors.As(err, &m) {
		return m.Year, true
	}
	return 0, false
}

// New builds a calendar from years of notices (each year at most once) and
// options. Where two notices name the same date the later year's wins: a
// late-December make-up day is decided by the next year's notice.
func New(years []Year, opt Options) (*Calendar, error) {
	if len(years) == 0 {
		return nil, apperr.Invalidf("years", "calendar.no_years_of_holiday_data")
	}
	m := make(map[int]Year, len(years))
	for _, y := range years {
		if err := y.Validate(); err != nil {
			return nil, err
		}
		if _, dup := m[y.Year]; dup {
			return nil, apperr.Invalidf("year", "calendar.year_given_twice", y.Year)
		}
		m[y.Year] = y
	}
	return build(m, opt)
}

var defaultCal = sync.OnceValues(func() (*Calendar, error) {
	ys, err := Embedded()
	if err != nil {
		return nil, err
	}
	return New(ys, Options{})
})

// Default returns the calendar of the embedded national data in
// Asia/Shanghai with default business hours, built once.
func Default() (*Calendar, error) { return defaultCal() }

func build(m map[int]Year, opt Options) (*Calendar, error) {
	loc := opt.Location
	if loc == nil {
		loc = DefaultLocation
	}
	hours := opt.Hours
	if len(hours.iv) == 0 {
		hours = DefaultBusinessHours
	}
	c := &Calendar{loc: loc, hours: hours, years: m, first: MaxYear + 1, last: MinYear - 1,
		provisionalYears: opt.ProvisionalYears, provisional: map[int]bool{}}
	for y := range m {
		c.first, c.last = min(c.first, y), max(c.last, y)
	}
	// Provisional years are laid first, so that a notice naming one of their
	// dates (a neighbouring year's late December or early January) wins.
	var laid []Year
	if opt.ProvisionalYears > 0 {
		through := min(c.last+opt.ProvisionalYears, MaxYear)
		for y := c.first; y <= through; y++ {
			if _, ok := m[y]; ok {
				continue
			}
			py, err := ProvisionalYear(y)
			if err != nil {
				continue // before the regulations the computation knows: unknown
			}
			c.provisional[y] = true
			laid = append(laid, py)
			c.last = max(c.last, y)
		}
	}
	c.epoch = DateOf(c.first, 1, 1)
	n := int(DateOf(c.last+1, 1, 1) - c.epoch)

	// Day kinds: weekends off, then the provisional years, then each notice
	// in year order (later wins), then regional days.
	off := make([]bool, n)
	for i := range off {
		w := (c.epoch + Date(i)).Weekday()
		off[i] = w == time.Saturday || w == time.Sunday
	}
	ys := make([]int, 0, len(m))
	for y := range m {
		ys = append(ys, y)
	}
	sort.Ints(ys)
	for _, y := range ys {
		laid = append(laid, m[y])
	}
	for _, y := range laid {
		for _, d := range y.Days {
			if i := int(d.Date - c.epoch); i >= 0 && i < n {
				off[i] = d.IsOffDay
			}
		}
	}
	for i, d := range opt.Regional {
		if _, ok := m[d.Date.Year()]; !ok {
			return nil, apperr.Invalidf(fmt.Sprintf("regional[%d].date", i), "calendar.regional_day_is_in_a_year", d.Date)
		}
		if d.Name == "" {
			return nil, apperr.Invalidf(fmt.Sprintf("regional[%d].name", i), "calendar.name_is_missing")
		}
		off[int(d.Date-c.epoch)] = d.IsOffDay
	}
	c.regional = append([]Day(nil), opt.Regional...)

	c.cum = make([]int32, n+1)
	c.work = make([]int32, 0, n*5/7+16)
	for i := 0; i < n; i++ {
		c.cum[i+1] = c.cum[i]
		if !off[i] {
			c.cum[i+1]++
			c.work = append(c.work, int32(i))
		}
	}
	c.work = c.work[:len(c.work):len(c.work)]

	c.seg = make([]uint16, n)
	for y := c.first; y <= c.last; y++ {
		if _, ok := m[y]; !ok && !c.provisional[y] {
			continue
		}
		if len(c.segs) == 0 || c.segs[len(c.segs)-1].last != y-1 {
			c.segs = append(c.segs, span{y, y})
		} else {
			c.segs[len(c.segs)-1].last = y
		}
		id := uint16(len(c.segs))
		for i := int(DateOf(y, 1, 1) - c.epoch); i < int(DateOf(y+1, 1, 1)-c.epoch); i++ {
			c.seg[i] = id
		}
	}
	return c, nil
}

// Merge returns a new calendar with year y added or replacing the old data
// for that year; c is unchanged.
func (c *Calendar) Merge(years ...Year) (*Calendar, error) {
	m := make(map[int]Year, len(c.years)+len(years))
	for k, v := range c.years {
		m[k] = v
	}
	for _, y := range years {
		if err := y.Validate(); err != nil {
			return nil, err
		}
		m[y.Year] = y
	}
	return build(m, Options{Location: c.loc, Regional: c.regional, Hours: c.hours, ProvisionalYears: c.provisionalYears})
}

// WithRegional returns a calendar with a region's extra days on top of c's
// national data (replacing c's regional days).
func (c *Calendar) WithRegional(days []Day) (*Calendar, error) {
	return build(c.years, Options{Location: c.loc, Regional: days, Hours: c.hours, ProvisionalYears: c.provisionalYears})
}

// WithBusinessHours returns a calendar sharing c's days but with a body's
// own business hours. Cheap: the day arrays are shared, not copied.
func (c *Calendar) WithBusinessHours(h BusinessHours) *Calendar {
	cc := *c
	if len(h.iv) == 0 {
		h = DefaultBusinessHours
	}
	cc.hours = h
	return &cc
}

// WithLocation returns a calendar sharing c's days but counting them in loc.
func (c *Calendar) WithLocation(loc *time.Location) *Calendar {
	cc := *c
	cc.loc = loc
	return &cc
}

// Location is the zone the calendar counts days in.
func (c *Calendar) Location() *time.Location { return c.loc }

// BusinessHours are the hours used for limits in working hours.
func (c *Calendar) BusinessHours() BusinessHours { return c.hours }

// Years lists the years the calendar has a notice for, ascending.
func (c *Calendar) Years() []int {
	out := make([]int, 0, len(c.years))
	for y := range c.years {
		out = append(out, y)
	}
	sort.Ints(out)
	return out
}

// Year returns the notice the calendar holds for year y (not a provisional
// year: see ProvisionalYear).
func (c *Calendar) Year(y int) (Year, bool) {
	v, ok := c.years[y]
	return v, ok
}

// Covers reports whether the calendar has a notice for year y.
func (c *Calendar) Covers(y int) bool { _, ok := c.years[y]; return ok }

// IsProvisional reports whether year y is answered from its statutory
// holidays alone, for want of a notice.
func (c *Calendar) IsProvisional(y int) bool { return c.provisional[y] }

// ProvisionalYears lists the provisional years, ascending.
func (c *Calendar) ProvisionalYears() []int {
	out := make([]int, 0, len(c.provisional))
	for y := range c.provisional {
		out = append(out, y)
	}
	sort.Ints(out)
	return out
}

// ProvisionalBetween reports whether any day from a to b (either order, both
// included) lies in a provisional year: whether an answer that looked at
// those days is provisional.
func (c *Calendar) ProvisionalBetween(a, b Date) bool {
	return len(c.ProvisionalYearsBetween(a, b)) > 0
}

// ProvisionalYearsBetween lists the provisional years holding a day from a
// to b (either order, both included), ascending.
func (c *Calendar) ProvisionalYearsBetween(a, b Date) []int {
	if len(c.provisional) == 0 {
		return nil
	}
	ya, yb := a.Year(), b.Year()
	if ya > yb {
		ya, yb = yb, ya
	}
	var out []int
	for y := max(ya, c.first); y <= min(yb, c.last); y++ {
		if c.provisional[y] {
			out = append(out, y)
		}
	}
	return out
}

// Check returns nil if year y has a notice, else the missing-year error.
func (c *Calendar) Check(y int) error {
	if c.Covers(y) {
		return nil
	}
	return missing(y)
}

// SizeBytes is the memory the day arrays take (the part that grows with the
// years covered).
func (c *Calendar) SizeBytes() int {
	return cap(c.cum)*4 + cap(c.work)*4 + cap(c.seg)*2 + len(c.segs)*16
}

// index returns d's day index, or the missing-year error.
func (c *Calendar) index(d Date) (int, error) {
	i := int(d) - int(c.epoch) // in int: Date arithmetic could wrap
	if uint(i) >= uint(len(c.seg)) || c.seg[i] == 0 {
		return 0, missing(d.Year())
	}
	return i, nil
}

// IsWorkingDay reports whether d is a working day.
func (c *Calendar) IsWorkingDay(d Date) (bool, error) {
	i, err := c.index(d)
	if err != nil {
		return false, err
	}
	return c.cum[i+1] != c.cum[i], nil
}

// AddWorkingDays returns the n-th working day after start, start not counted
// (L11): the due date of a limit of n working days. n = 0 returns start.
// For n < 0 it is the exact inverse: the working day w with
// WorkingDaysBetween(w, start) = -n. Cost is independent of n.
func (c *Calendar) AddWorkingDays(start Date, n int) (Date, error) {
	i, err := c.index(start)
	if err != nil {
		return 0, err
	}
	if n == 0 {
		return start, nil
	}
	t := int64(c.cum[i+1]) + int64(n) // C(result) = C(start) + n
	if t < 1 || t > int64(len(c.work)) {
		return 0, c.beyond(i, n > 0)
	}
	w := int(c.work[t-1])
	if c.seg[w] != c.seg[i] {
		return 0, c.beyond(i, n > 0)
	}
	return c.epoch + Date(w), nil
}

// beyond names the missing year a walk from day i runs into.
func (c *Calendar) beyond(i int, forward bool) error {
	s := c.segs[c.seg[i]-1]
	if forward {
		return missing(s.last + 1)
	}
	return missing(s.first - 1)
}

// WorkingDaysBetween counts the working days in (a, b] when a <= b, and is
// minus the count in (b, a] when b < a. So AddWorkingDays(a, n) = b implies
// WorkingDaysBetween(a, b) = n, and the limit ending on b has used
// WorkingDaysBetween(start, b) days by the end of b.
func (c *Calendar) WorkingDaysBetween(a, b Date) (int, error) {
	i, err := c.index(a)
	if err != nil {
		return 0, err
	}
	j, err := c.index(b)
	if err != nil {
		return 0, err
	}
	if c.seg[i] != c.seg[j] {
		// Both years are known but a year between them is not.
		if i < j {
			return 0, c.beyond(i, true)
		}
		return 0, c.beyond(i, false)
	}
	return int(c.cum[j+1] - c.cum[i+1]), nil
}

// NextWorkingDay returns the first working day after d.
func (c *Calendar) NextWorkingDay(d Date) (Date, error) { return c.AddWorkingDays(d, 1) }

// PrevWorkingDay returns the last working day before d.
func (c *Calendar) PrevWorkingDay(d Date) (Date, error) {
	i, err := c.index(d)
	if err != nil {
		return 0, err
	}
	k := int(c.cum[i]) // working days strictly before d
	if k < 1 || c.seg[c.work[k-1]] != c.seg[i] {
		return 0, c.beyond(i, false)
	}
	return c.epoch + Date(c.work[k-1]), nil
}

// OnOrAfter returns d if it is a working day, else the next working day.
func (c *Calendar) OnOrAfter(d Date) (Date, error) {
	ok, err := c.IsWorkingDay(d)
	if err != nil || ok {
		return d, err
	}
	return c.NextWorkingDay(d)
}

// AddNaturalDays returns the due date of a limit of n natural days from
// start, start not counted; a last day that is a rest day moves to the next
// working day (L11). n must be >= 0.
func (c *Calendar) AddNaturalDays(start Date, n int) (Date, error) {
	if n < 0 {
		return 0, apperr.Invalidf("n", "calendar.natural_days_cannot_be_negative")
	}
	i, err := c.index(start)
	if err != nil {
		return 0, err
	}
	if int64(i)+int64(n) >= int64(len(c.seg)) {
		return 0, missing(c.last + 1)
	}
	return c.OnOrAfter(start + Date(n))
}

// Date returns the calendar date of instant t in the calendar's zone.
func (c *Calendar) Date(t time.Time) Date { return DateIn(t, c.loc) }

// End is the instant a limit ending on d falls due: 24:00 of d.
func (c *Calendar) End(d Date) time.Time { return d.End(c.loc) }

// DueDate is the date a due instant is shown as.
func (c *Calendar) DueDate(due time.Time) Date { return DueDate(due, c.loc) }

// DueWorkingDays is the due instant of a limit of n working days starting
// at instant start (L1, L11).
func (c *Calendar) DueWorkingDays(start time.Time, n int) (time.Time, error) {
	d, err := c.AddWorkingDays(c.Date(start), n)
	if err != nil {
		return time.Time{}, err
	}
	return c.End(d), nil
}

// DueNaturalDays is the due instant of a limit of n natural days starting at
// instant start (L11).
func (c *Calendar) DueNaturalDays(start time.Time, n int) (time.Time, error) {
	d, err := c.AddNaturalDays(c.Date(start), n)
	if err != nil {
		return time.Time{}, err
	}
	return c.End(d), nil
}

// DueHours is the due instant of a limit of h hours: on the clock (L11),
// holidays included. It needs no calendar data.
func (c *Calendar) DueHours(start time.Time, h time.Duration) time.Time { return start.Add(h) }
