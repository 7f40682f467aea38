package calendar

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/qingdan/qingdan/internal/apperr"
)

// Date is a civil date (no time, no zone) as days since 1970-01-01. An
// integer rather than a struct so that calendar lookups are one subtraction
// and an array index; it marshals as "YYYY-MM-DD".
type Date int32

// DateOf returns the civil date y-m-d. Out-of-range parts are normalised the
// way time.Date does (month 13 is January of the next year).
func DateOf(y int, m time.Month, d int) Date {
	// Normalise through time.Date only when the parts are unusual; the common
	// path is the integer algorithm below.
	if m < 1 || m > 12 || d < 1 || d > 28 {
		t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		y, m, d = t.Date()
	}
	return Date(daysFromCivil(y, int(m), d))
}

// DateIn returns the civil date of instant t in loc.
func DateIn(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return Date(daysFromCivil(y, int(m), d))
}

// Civil returns the year, month and day of d.
func (d Date) Civil() (y int, m time.Month, day int) {
	yy, mm, dd := civilFromDays(int64(d))
	return yy, time.Month(mm), dd
}

// Year returns d's year.
func (d Date) Year() int { y, _, _ := d.Civil(); return y }

// Weekday returns d's day of the week (1970-01-01 was a Thursday).
func (d Date) Weekday() time.Weekday {
	w := (int64(d) + 4) % 7
	if w < 0 {
		w += 7
	}
	return time.Weekday(w)
}

// AddDays returns d + n natural days.
func (d Date) AddDays(n int) Date { return d + Date(n) }

// Start returns 00:00 of d in loc.
func (d Date) Start(loc *time.Location) time.Time {
	y, m, dd := d.Civil()
	return time.Date(y, m, dd, 0, 0, 0, 0, loc)
}

// End returns the instant a deadline on d falls due: 24:00 of d in loc, which
// is 00:00 of the next day. A deadline is missed at that instant (now >= End),
// and it is displayed as d — see DueDate.
func (d Date) End(loc *time.Location) time.Time { return (d + 1).Start(loc) }

// DueDate is the inverse of End: the date a due instant is displayed as. The
// instant 24:00 of d belongs to d, not to d+1.
func DueDate(due time.Time, loc *time.Location) Date {
	return DateIn(due.Add(-time.Nanosecond), loc)
}

func (d Date) String() string {
	y, m, dd := d.Civil()
	if y < 0 || y > 9999 {
		return fmt.Sprintf("%+d-%02d-%02d", y, int(m), dd)
	}
	return fmt.Sprintf("%04d-%02d-%02d", y, int(m), dd)
}

// ParseDate parses "YYYY-MM-DD" strictly (no normalisation: 2026-02-30 is an
// error). field names the input in the error.
func ParseDate(field, s string) (Date, error) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, apperr.Invalidf(field, "calendar.date_must_be_yyyy_mm_dd", s)
	}
	y, ok1 := atoiN(s[0:4])
	m, ok2 := atoiN(s[5:7])
	d, ok3 := atoiN(s[8:10])
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, apperr.Invalidf(field, "calendar.date_does_not_exist", s)
	}
	return Date(daysFromCivil(y, m, d)), nil
}

// MarshalText writes YYYY-MM-DD.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads YYYY-MM-DD strictly.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate("date", string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

func atoiN(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysIn(y, m int) int {
	switch m {
	case 2:
		if isLeap(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil and civilFromDays are H. Hinnant's proleptic Gregorian
// algorithms: constant time, no tables, exact for any int32 day count.
func daysFromCivil(y, m, d int) int64 {
	yy := int64(y)
	if m <= 2 {
		yy--
	}
	era := yy / 400
	if yy < 0 && yy%400 != 0 {
		era--
	}
	yoe := yy - era*400
	mp := int64(m+9) % 12
	doy := (153*mp+2)/5 + int64(d) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func civilFromDays(z int64) (int, int, int) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return int(y), int(m), int(d)
}

func utf8Valid(b []byte) bool { return utf8.Valid(b) }
