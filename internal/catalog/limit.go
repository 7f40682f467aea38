package catalog

import (
	"slices"
	"strings"

	"github.com/qingdan/qingdan/internal/msg"
)

// In names the unit in lang as it follows a number ("个工作日", "working
// days").
func (u TimeUnit) In(lang string) string { return u.For(lang, 2) }

// In renders a limit in lang ("20个工作日", "当场办结"; 20 working days,
// 1 hour).
func (l TimeLimit) In(lang string) string {
	if l.Value == 0 {
		return msg.Text(lang, "catalog.limit.on_the_spot")
	}
	return msg.Text(lang, "catalog.limit.n_units", l.Value, l.Unit.For(lang, l.Value))
}

// For names the unit in lang after a count of n (in English one is
// singular: 1 working day).
func (u TimeUnit) For(lang string, n int) string {
	if !slices.Contains([]TimeUnit{WorkingDays, NaturalDays, Hours}, u) {
		if lang == "en" {
			return strings.ReplaceAll(string(u), "_", " ")
		}
		return string(u)
	}
	if n == 1 {
		return msg.Name(lang, "catalog.timeunitone", string(u))
	}
	return msg.Name(lang, "catalog.timeunit", string(u))
}

// unitRank orders units by how much elapsed time one unit can cover at
// most: an hour ≤ a natural day ≤ a working day.
func unitRank(u TimeUnit) int {
	switch u {
	case Hours:
		return 0
	case NaturalDays:
		return 1
	case WorkingDays:
		return 2
	}
	return 3
}

// AtMostAsLong reports whether limit a can never end later than limit b,
// whatever the calendar. Counting by L11: N natural days end on day N (or
// the next working day when day N is a rest day), never after N working days;
// H hours end no later than ⌈H/24⌉ natural days. So a limit in a "smaller"
// unit with a value no larger (after converting hours) is at most as long;
// a limit in a larger unit than b's is never provably as short, because
// working days stretch over weekends and holidays.
func AtMostAsLong(a, b TimeLimit) bool {
	if a.Value == 0 {
		return true // on the spot is as short as anything
	}
	ra, rb := unitRank(a.Unit), unitRank(b.Unit)
	if ra > 2 || rb > 2 || ra > rb {
		return false
	}
	if a.Unit == Hours && b.Unit != Hours {
		return a.Value <= 24*b.Value
	}
	return a.Value <= b.Value
}
